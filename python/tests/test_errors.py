"""Bad arguments from Python raise clear exceptions that carry upstream's codes, in this process (the library and
its JVM run inside pytest). The first test runs before anything is initialised."""

import ctypes

import numpy as np
import pytest

import memfabric
from memfabric import bm
from conftest import free_port

# A session nobody opened (a valid id: the engine looks it up and finds no such engine).
UNUSED_PORT = 1030


def test_calls_before_initialisation_raise_not_initialized():
    with pytest.raises(memfabric.NotInitializedError) as raised:
        bm.create(0, 1 << 20, 1 << 20)
    assert raised.value.code == -2008
    assert "NOT_INITIALIZED" in memfabric.get_last_err_msg()
    assert "NOT_INITIALIZED" in memfabric.get_and_clear_last_err_msg()
    assert memfabric.get_last_err_msg() == ""
    engine = memfabric.TransferEngine()
    with pytest.raises(memfabric.NotInitializedError):
        engine.transfer_sync_write("127.0.0.1:1030", bytearray(8), 4096)
    assert bm.bm_rank_id() == 0xFFFFFFFF


def test_config_defaults_and_argument_types():
    config = bm.BmConfig()
    assert (config.init_timeout, config.create_timeout, config.operation_timeout) == (120, 120, 120)
    assert config.start_store and config.auto_ranking and config.unified_address_space
    assert not config.start_store_only and not config.dynamic_world_size
    assert config.rank_id == 0xFFFF and config.flags == 0
    with pytest.raises(TypeError):
        bm.initialize(7000, 2, 0, config)
    with pytest.raises(TypeError):
        bm.initialize("tcp://127.0.0.1:7000", "2", 0, config)
    with pytest.raises(TypeError):
        bm.initialize("tcp://127.0.0.1:7000", 2, 0, object())
    with pytest.raises(memfabric.InvalidParamError) as raised:
        bm.initialize("tcp://127.0.0.1:7000", 0, 0, config)
    assert raised.value.code == -2000 and isinstance(raised.value, ValueError)
    with pytest.raises(memfabric.InvalidParamError):
        memfabric.set_log_level(9)
    with pytest.raises(memfabric.InvalidParamError):
        memfabric.TransferEngine().initialize("tcp://127.0.0.1:7000", "127.0.0.1:7001", "Teacher", 0)


class FakeTensor:
    """What the package asks of a torch CPU tensor: data_ptr() and nbytes."""

    def __init__(self, array):
        self.array = array
        self.nbytes = array.nbytes

    def data_ptr(self):
        return self.array.__array_interface__["data"][0]


def test_copies_in_a_world_of_one_with_bad_arguments():
    config = bm.BmConfig()
    assert bm.initialize(f"tcp://127.0.0.1:{free_port()}", 1, 0, config) == 0
    with bm.create(0, 1 << 20, 1 << 20) as memory:
        assert memory.join() == 0
        host = memory.peer_rank_ptr(0, bm.BmMemType.HOST)
        data = np.arange(256, dtype=np.uint8)
        assert memory.copy_data(data, host, 256, bm.BmCopyType.H2G) == 0
        assert bytes(memory.local_buffer(bm.BmMemType.HOST)[:256]) == data.tobytes()
        out = bytearray(256)
        assert memory.copy_data(host, out, 256, bm.BmCopyType.G2H) == 0
        assert out == data.tobytes()
        tensor = FakeTensor(np.zeros(256, dtype=np.uint8))
        memory.copy_data(host, tensor, 256, bm.BmCopyType.G2H)
        assert np.array_equal(tensor.array, data)
        memory.copy_data(ctypes.addressof(ctypes.c_char.from_buffer(out)), host + 512, 256, bm.BmCopyType.AUTO)
        assert memory.get_rank_id_by_gva(host + 512) == 0
        assert memory.get_rank_id_by_gva(12345) == 0xFFFFFFFF

        with pytest.raises(TypeError):
            memory.copy_data("not memory", host, 16, bm.BmCopyType.H2G)
        with pytest.raises(TypeError):
            memory.copy_data(data, host, "16", bm.BmCopyType.H2G)
        with pytest.raises(memfabric.InvalidParamError):
            memory.copy_data(data, host, -16, bm.BmCopyType.H2G)
        with pytest.raises(memfabric.InvalidParamError):
            memory.copy_data(data, host, 4096, bm.BmCopyType.H2G)  # more than the array holds
        with pytest.raises(TypeError):
            memory.copy_data(host, b"read-only", 9, bm.BmCopyType.G2H)  # bytes cannot be written
        with pytest.raises(memfabric.InvalidParamError) as raised:
            memory.copy_data(data, host + (1 << 20) - 8, 64, bm.BmCopyType.H2G)
        assert "ADDRESS_OUT_OF_RANGE" in str(raised.value) and raised.value.code == -2000
        with pytest.raises(memfabric.InvalidParamError):
            memory.copy_data(host, host + 64, 64, bm.BmCopyType.H2G)  # a GVA as local memory: refused, not read
        with pytest.raises(memfabric.InvalidParamError):
            memory.peer_rank_ptr(5, bm.BmMemType.HOST)
        with pytest.raises(memfabric.InvalidParamError):
            memory.copy_data_batch([data], [host], [256], 2, bm.BmCopyType.H2G, 0)
        with pytest.raises(memfabric.MemFabricError) as raised:
            bm.create(0, 1 << 20, 1 << 20)
        assert raised.value.code == -2006  # SM_DUPLICATED_OBJECT
    with pytest.raises(memfabric.NotInitializedError):
        memory.join()
    bm.uninitialize()


def test_transfer_engine_bad_arguments():
    store = f"tcp://127.0.0.1:{free_port()}"
    memfabric.create_config_store(store)
    with memfabric.TransferEngine() as engine:
        assert engine.initialize(store, f"127.0.0.1:{free_port()}", "Both", 0) == 0
        buffer = np.zeros(1024, dtype=np.uint8)
        assert engine.register_memory(buffer) == 0
        with pytest.raises(memfabric.InvalidParamError):
            engine.register_memory(buffer, -1)
        with pytest.raises(TypeError):
            engine.register_memory(3.5, 10)
        with pytest.raises(memfabric.InvalidParamError) as raised:
            engine.transfer_sync_write(f"127.0.0.1:{UNUSED_PORT}", buffer, 4096, 16)
        assert raised.value.code == -2000 and "PEER_UNAVAILABLE" in str(raised.value)
        with pytest.raises(memfabric.InvalidParamError):
            engine.transfer_sync_write("not a session", buffer, 4096, 16)
        with pytest.raises(TypeError):
            engine.transfer_sync_write(12, buffer, 4096, 16)
        with pytest.raises(memfabric.InvalidParamError):
            engine.batch_transfer_sync_write(f"127.0.0.1:{UNUSED_PORT}", [buffer], [4096, 8192], [16])
        with pytest.raises(memfabric.InvalidParamError):
            engine.transfer_async_write_submit(f"127.0.0.1:{UNUSED_PORT}", buffer, 4096, 16, stream=None)
        assert engine.unregister_memory(buffer) == 0
        with pytest.raises(memfabric.InvalidParamError):
            engine.unregister_memory(buffer)
