"""Big Memory (upstream ``memfabric_hybrid.bm``): one global address space over every rank's HOST and DEVICE memory.

Global addresses (GVAs) are ints, the same in every process; local memory is an int address, a buffer-protocol object
(bytearray, numpy array) or a tensor with ``data_ptr()``. ``BigMemory.local_buffer(mem_type)`` (not upstream's) is
this rank's own slot as a writable memoryview: what peers copy into it is visible there with no read-back.
"""

import ctypes
import enum
import threading

from . import _lib
from ._buffers import memory
from ._errors import invalid

UINT32_MAX = 0xFFFFFFFF

# smem_bm_copy without argtypes, for copy_data's fast path (a function object of its own: lib.smem_bm_copy keeps its
# prototype).
_COPY = _lib.lib["smem_bm_copy"]
_COPY.restype = ctypes.c_int32


class BmMemType(enum.IntEnum):
    LOCAL_DEVICE = 0
    LOCAL_HOST = 1
    DEVICE = 2
    HOST = 3


class BmCopyType(enum.IntEnum):
    L2G = 0
    G2L = 1
    G2H = 2
    H2G = 3
    L2GH = 4
    GH2L = 5
    GH2H = 6
    H2GH = 7
    G2G = 8
    AUTO = 9


class BmDataOpType(enum.IntEnum):
    SDMA = 1 << 0
    HOST_RDMA = 1 << 1
    HOST_TCP = 1 << 2
    DEVICE_RDMA = 1 << 3
    HOST_URMA = 1 << 4


class BmConfig:
    """``smem_bm_config_t`` with upstream's defaults (``smem_bm_config_init``) and property names."""

    def __init__(self):
        self._config = _lib.BmConfigStruct()
        _lib.check(_lib.lib.smem_bm_config_init(ctypes.byref(self._config)), "BmConfig")

    def _field(name, doc):  # noqa: N805 - a property factory used in the class body
        return property(lambda self: getattr(self._config, name),
                        lambda self, value: setattr(self._config, name, value), doc=doc)

    init_timeout = _field("initTimeout", "seconds, default 120 (checked, not otherwise used)")
    create_timeout = _field("createTimeout", "seconds, default 120 (checked, not otherwise used)")
    operation_timeout = _field("controlOperationTimeout", "join, leave and barrier wait this long, default 120 s")
    start_store = _field("startConfigStoreServer", "whether this process may start the store, default True")
    start_store_only = _field("startConfigStoreOnly", "not used, default False")
    dynamic_world_size = _field("dynamicWorldSize", "not used, default False")
    unified_address_space = _field("unifiedAddressSpace", "must stay True")
    auto_ranking = _field("autoRanking", "the store assigns the rank, default True")
    rank_id = _field("rankId", "the rank when auto_ranking is False")
    flags = _field("flags", "default 0")
    del _field

    def set_nic(self, nic):
        """``hcomUrl``: tcp://ip[/mask]:port, the interface of this rank's data listener (the port is not used)."""
        encoded = _lib.text(nic, "nic")
        if len(encoded) >= 64:
            raise invalid(f"nic={nic} (expected: at most 63 bytes)")
        self._config.hcomUrl = encoded
        return 0


def initialize(store_url, world_size, device_id, config):
    """``smem_bm_init``: joins this process to the fabric (rank from the store unless ``config.auto_ranking`` is
    False). A second call returns 0 and changes nothing. Returns 0."""
    if not isinstance(config, BmConfig):
        raise TypeError(f"config={config!r} (expected: BmConfig)")
    for name, value in (("world_size", world_size), ("device_id", device_id)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{name}={value!r} (expected: int)")
        if value < 0:
            raise invalid(f"{name}={value} (expected: >= 0)")
    if device_id > 0xFFFF or world_size > UINT32_MAX:
        raise invalid(f"world_size={world_size} device_id={device_id} (expected: device_id <= 65535)")
    return _lib.check(_lib.lib.smem_bm_init(_lib.text(store_url, "store_url"), world_size, device_id,
                                            ctypes.byref(config._config)), "bm.initialize")


def uninitialize(flags=0):
    """``smem_bm_uninit``: destroys every object of this process and gives the rank back."""
    _lib.lib.smem_bm_uninit(flags)


def bm_rank_id():
    """This process's rank (``UINT32_MAX`` before ``initialize``)."""
    return _lib.lib.smem_bm_get_rank_id()


def create(id, local_dram_size, local_hbm_size, data_op_type=BmDataOpType.SDMA, flags=0):  # noqa: A002 - upstream's
    """``smem_bm_create``: BigMemory object ``id`` with this rank's HOST (DRAM) and DEVICE (HBM) contribution; it
    does not join yet. Raises MemFabricError on failure (upstream: RuntimeError("create bm handle failed."))."""
    for name, value in (("id", id), ("local_dram_size", local_dram_size), ("local_hbm_size", local_hbm_size)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{name}={value!r} (expected: int)")
        if value < 0:
            raise invalid(f"{name}={value} (expected: >= 0)")
    handle = _lib.lib.smem_bm_create(id, 0, int(data_op_type), local_dram_size, local_hbm_size, flags)
    if not handle:
        _lib.check(-1 if "[" not in _lib.last_error() else _code_of_last_error(), "bm.create")
    return BigMemory(handle)


def _code_of_last_error():
    """The upstream code in a Java-side message ("... [NAME/-2008] ..."): creation returns NULL, not a code."""
    message = _lib.last_error()
    start = message.find("[")
    slash = message.find("/", start)
    end = message.find("]", slash)
    try:
        value = int(message[slash + 1:end])
    except ValueError:
        return -1
    return value if value == -1 or -2011 <= value <= -2000 else (-2000 if value == -2302 else -1)


class BigMemory:
    """One BigMemory object of this rank (``smem_bm_t``); a context manager that destroys it on exit.

    Thread safety: copies may run on several threads at once; each thread has its own copy parameters."""

    def __init__(self, handle):
        self._handle = handle
        self._handle_arg = ctypes.c_void_p(handle)
        self._local = threading.local()
        self._registered = {}

    def _live(self):
        handle = self._handle
        if handle is None:
            raise _lib._errors.NotInitializedError(-2008, "BigMemory is destroyed")
        return handle

    def join(self, flags=0):
        """Joins: collective with the current members; returns 0 when every member can copy to this rank."""
        return _lib.check(_lib.lib.smem_bm_join(self._live(), flags), "join")

    def leave(self, flags=0):
        return _lib.check(_lib.lib.smem_bm_leave(self._live(), flags), "leave")

    def local_mem_size(self, mem_type=BmMemType.DEVICE):
        return _lib.lib.smem_bm_get_local_mem_size_by_mem_type(self._live(), int(mem_type))

    def peer_rank_ptr(self, peer_rank, mem_type=BmMemType.DEVICE):
        """The GVA of ``peer_rank``'s slot of ``mem_type``; raises for a rank or type the object has not."""
        if not isinstance(peer_rank, int) or isinstance(peer_rank, bool):
            raise TypeError(f"peer_rank={peer_rank!r} (expected: int)")
        if not 0 <= peer_rank <= 0xFFFF:
            raise invalid(f"peer_rank={peer_rank} (expected: 0..65535, below the world size)")
        gva = _lib.lib.smem_bm_ptr_by_mem_type(self._live(), int(mem_type), peer_rank)
        if not gva:
            _lib.check(_code_of_last_error(), "peer_rank_ptr")
        return gva

    def get_rank_id_by_gva(self, gva):
        """The rank whose slot holds ``gva``, or ``UINT32_MAX`` when it is not an address of the object."""
        if not isinstance(gva, int) or isinstance(gva, bool):
            raise TypeError(f"gva={gva!r} (expected: int)")
        rank = _lib.lib.smem_bm_get_rank_id_by_gva(self._live(), gva)
        if rank in (-2000 & UINT32_MAX, -2008 & UINT32_MAX):
            _lib.check(rank - (1 << 32), "get_rank_id_by_gva")
        return rank

    def local_buffer(self, mem_type=BmMemType.HOST):
        """This rank's own slot of ``mem_type`` as a writable memoryview (zero-copy; valid until destroy)."""
        address = _lib.lib.smem_bm_local_ptr_by_mem_type(self._live(), int(mem_type))
        if not address:
            _lib.check(_code_of_last_error(), "local_buffer")
        size = self.local_mem_size(mem_type)
        return memoryview((ctypes.c_ubyte * size).from_address(address)).cast("B")

    def register(self, addr, size=None):
        """Registers local memory (an int address with ``size``, or a buffer) with the object. Returns 0."""
        held = memory(addr, "addr", writable=False)
        nbytes = size if size is not None else held.nbytes
        if nbytes is None:
            raise invalid("size is required with an int address")
        try:
            _lib.check(_lib.lib.smem_bm_register_user_mem(self._live(), held.address, nbytes), "register")
        except BaseException:
            held.release()
            raise
        previous = self._registered.pop(held.address, None)
        if previous is not None:
            previous.release()
        self._registered[held.address] = held
        return 0

    def unregister(self, addr):
        held = memory(addr, "addr")
        address = held.address
        held.release()
        code = _lib.lib.smem_bm_unregister_user_mem(self._live(), address)
        kept = self._registered.pop(address, None)
        if kept is not None:
            kept.release()
        return _lib.check(code, "unregister")

    def copy_data(self, src_ptr, dst_ptr, size, type, flags=0):  # noqa: A002 - upstream's name
        """``smem_bm_copy``: ``size`` bytes from ``src_ptr`` to ``dst_ptr`` (GVAs are ints; local sides may also be
        buffers), as ``type`` says. Returns 0."""
        handle = self._live()
        if src_ptr.__class__ is int and dst_ptr.__class__ is int and size.__class__ is int:  # the fast path
            if size <= 0:
                raise invalid(f"size={size} (expected: > 0)")
            params, reference = self._params()
            params.src = src_ptr
            params.dest = dst_ptr
            params.dataSize = size
            # Without argtypes (the arguments are already C values): ctypes' per-argument conversion is most of the
            # cost of a small copy.
            code = _COPY(self._handle_arg, reference, type, flags)
            return code if code == 0 else _lib.check(code, "copy_data")
        return self._copy_objects(handle, src_ptr, dst_ptr, size, type, flags)

    def _params(self):
        cached = getattr(self._local, "params", None)
        if cached is None:
            params = _lib.CopyParams()
            cached = self._local.params = (params, ctypes.byref(params))
        return cached

    def _copy_objects(self, handle, src_ptr, dst_ptr, size, copy_type, flags):
        if not isinstance(size, int) or isinstance(size, bool):
            raise TypeError(f"size={size!r} (expected: int)")
        if size <= 0:
            raise invalid(f"size={size} (expected: > 0)")
        with memory(src_ptr, "src_ptr") as src, memory(dst_ptr, "dst_ptr", writable=True) as dst:
            for name, side in (("src_ptr", src), ("dst_ptr", dst)):
                if side.nbytes is not None and size > side.nbytes:
                    raise invalid(f"size={size} exceeds {name}'s {side.nbytes} bytes")
            params = _lib.CopyParams(src.address, dst.address, size)
            return _lib.check(_lib.lib.smem_bm_copy(handle, ctypes.byref(params), int(copy_type), flags),
                              "copy_data")

    def copy_data_batch(self, src_addrs, dst_addrs, sizes, count, type, flags):  # noqa: A002 - upstream's name
        """``smem_bm_copy_batch``: ``count`` copies of one type (lists of equal length). Returns 0."""
        handle = self._live()
        if not (len(src_addrs) == len(dst_addrs) == len(sizes)) or count != len(sizes) or count <= 0:
            raise invalid(f"len(src_addrs)={len(src_addrs)} len(dst_addrs)={len(dst_addrs)} len(sizes)={len(sizes)} "
                          f"count={count} (expected: equal, > 0)")
        held = []
        try:
            sources = (ctypes.c_void_p * count)()
            destinations = (ctypes.c_void_p * count)()
            lengths = (ctypes.c_uint64 * count)()
            for i in range(count):
                src = memory(src_addrs[i], f"src_addrs[{i}]")
                held.append(src)
                dst = memory(dst_addrs[i], f"dst_addrs[{i}]", writable=True)
                held.append(dst)
                size = sizes[i]
                if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
                    raise invalid(f"sizes[{i}]={size!r} (expected: int > 0)")
                sources[i], destinations[i], lengths[i] = src.address, dst.address, size
            params = _lib.BatchCopyParams(sources, destinations, lengths, count)
            return _lib.check(_lib.lib.smem_bm_copy_batch(handle, ctypes.byref(params), int(type), flags),
                              "copy_data_batch")
        finally:
            for item in held:
                item.release()

    def wait(self):
        """Waits for the copies started with ``ASYNC_COPY_FLAG`` (1). Returns 0."""
        return _lib.check(_lib.lib.smem_bm_wait(self._live()), "wait")

    def destroy(self):
        """Leaves and frees the object; idempotent."""
        handle, self._handle = self._handle, None
        if handle is not None:
            _lib.lib.smem_bm_destroy(handle)
            for held in self._registered.values():
                held.release()
            self._registered.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.destroy()

    def __del__(self):
        try:
            self.destroy()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass
