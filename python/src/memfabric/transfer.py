"""The transfer engine (upstream ``TransferEngine`` of ``memfabric_hybrid`` and ``mf_adapter``): register memory,
then read and write a peer's registered memory, naming the peer by its session id (``ip:port``).

Buffers are int addresses (as upstream) or buffer-protocol objects and tensors (zero-copy: a peer's write lands in
the registered numpy array itself). Unlike upstream: no fixed sleeps (registrations are usable at once), role "Both"
is accepted, and failures raise instead of returning -1.
"""

import ctypes
import enum
import socket

from . import _lib
from ._buffers import length as _length
from ._buffers import memory
from ._errors import NotInitializedError, invalid

_ROLES = {"prefill": 1, "decode": 2, "both": 3}


class TransferOpcode(enum.IntEnum):
    Read = 0
    Write = 1


class TransDataOpType(enum.IntEnum):
    SDMA = 1 << 0
    DEVICE_RDMA = 1 << 3


class TransferEngine:
    """One engine (``smem_trans_t``); a context manager that destroys it on exit.

    Thread safety: transfers may run on several threads at once; initialize and destroy from one."""

    TransferOpcode = TransferOpcode
    TransDataOpType = TransDataOpType

    def __init__(self):
        self._handle = None
        self._registered = {}

    def initialize(self, store_url, session_id, role, device_id, data_op_type=TransDataOpType.SDMA, timeout=120):
        """Opens the engine ``session_id`` ("ip:port"; its data listener binds there) on the store at ``store_url``,
        as "Prefill" (sender) or "Decode" (receiver). ``timeout`` (seconds; not upstream's) bounds the wait for the
        store, and a transfer's wait for a peer that has not published itself yet. Returns 0."""
        from . import apply_env_log_level
        if self._handle is not None:
            raise invalid(f"this TransferEngine is already initialised as {session_id}")
        role_code = _ROLES.get(str(role).lower()) if isinstance(role, str) else None
        if role_code is None:
            raise invalid(f"role={role!r} (expected: 'Prefill' or 'Decode', or 'Both')")
        if not isinstance(device_id, int) or isinstance(device_id, bool):
            raise TypeError(f"device_id={device_id!r} (expected: int)")
        apply_env_log_level()
        config = _lib.TransConfigStruct()
        _lib.check(_lib.lib.smem_trans_config_init(ctypes.byref(config)), "initialize")
        config.role = role_code
        config.deviceId = device_id & 0xFFFFFFFF
        config.dataOpType = int(data_op_type)
        if not isinstance(timeout, int) or isinstance(timeout, bool) or timeout < 1:
            raise invalid(f"timeout={timeout!r} (expected: seconds, an int >= 1)")
        config.initTimeout = timeout
        _lib.check(_lib.lib.smem_trans_init(ctypes.byref(config)), "initialize")
        handle = _lib.lib.smem_trans_create(_lib.text(store_url, "store_url"), _lib.text(session_id, "session_id"),
                                            ctypes.byref(config))
        if not handle:
            from .bm import _code_of_last_error
            _lib.check(_code_of_last_error(), "initialize")
        self._handle = handle
        self._session = session_id
        return 0

    def get_rpc_port(self):
        """A free TCP port (for a session id "ip:port"); unlike upstream's, the port is not held."""
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]

    def _live(self):
        if self._handle is None:
            raise NotInitializedError(-2008, "TransferEngine is not initialised (or destroyed)")
        return self._handle

    def register_memory(self, buffer_addr, capacity=None):
        """Lets peers read and write ``capacity`` bytes at ``buffer_addr`` (an int, or a buffer whose size is the
        default); usable by peers when this returns. Returns 0."""
        handle = self._live()
        held = memory(buffer_addr, "buffer_addr", writable=True)
        try:
            size = _length(capacity, "capacity", held, "buffer_addr")
            _lib.check(_lib.lib.smem_trans_register_mem(handle, held.address, size, 0), "register_memory")
        except BaseException:
            held.release()
            raise
        self._keep(held)
        return 0

    def batch_register_memory(self, buffer_addrs, capacities):
        """Registers many ranges (overlapping and adjacent ones are merged); lists of equal length. Returns 0."""
        handle = self._live()
        if len(buffer_addrs) != len(capacities) or not buffer_addrs or len(buffer_addrs) > 1 << 20:
            raise invalid(f"len(buffer_addrs)={len(buffer_addrs)} len(capacities)={len(capacities)} (expected: equal, "
                          "1..1048576)")
        count = len(buffer_addrs)
        held = []
        try:
            addresses = (ctypes.c_void_p * count)()
            sizes = (ctypes.c_size_t * count)()
            for i in range(count):
                item = memory(buffer_addrs[i], f"buffer_addrs[{i}]", writable=True)
                held.append(item)
                addresses[i] = item.address
                sizes[i] = _length(capacities[i], f"capacities[{i}]", item, f"buffer_addrs[{i}]")
            _lib.check(_lib.lib.smem_trans_batch_register_mem(handle, addresses, sizes, count, 0),
                       "batch_register_memory")
        except BaseException:
            for item in held:
                item.release()
            raise
        for item in held:
            self._keep(item)
        return 0

    def _keep(self, held):
        previous = self._registered.pop(held.address, None)
        if previous is not None:
            previous.release()
        self._registered[held.address] = held

    def unregister_memory(self, buffer_addr):
        """Withdraws the registration that starts at ``buffer_addr``; transfers in flight into it finish first."""
        handle = self._live()
        with memory(buffer_addr, "buffer_addr") as held:
            address = held.address
        code = _lib.lib.smem_trans_deregister_mem(handle, address)
        kept = self._registered.pop(address, None)
        if kept is not None:
            kept.release()
        return _lib.check(code, "unregister_memory")

    def _transfer(self, function, what, dest_session, buffer, peer_buffer, length, extra, flags, write):
        handle = self._live()
        session = _lib.text(dest_session, "dest_session")
        if peer_buffer.__class__ is not int and not isinstance(peer_buffer, int) or isinstance(peer_buffer, bool):
            raise TypeError(f"peer_buffer={peer_buffer!r} (expected: int, the peer's address)")
        if peer_buffer <= 0:
            raise invalid(f"peer_buffer={peer_buffer} (expected: the peer's address, > 0)")
        with memory(buffer, "buffer", writable=not write) as local:
            size = _length(length, "length", local, "buffer")
            return _lib.check(function(handle, local.address, session, peer_buffer, size, *extra, flags), what)

    def _batch(self, function, what, dest_session, buffers, peer_buffers, lengths, extra, flags, write):
        handle = self._live()
        session = _lib.text(dest_session, "dest_session")
        count = len(buffers)
        if count == 0 or count != len(peer_buffers) or count != len(lengths):
            raise invalid(f"len(buffers)={count} len(peer_buffers)={len(peer_buffers)} len(lengths)={len(lengths)} "
                          "(expected: equal, > 0)")
        held = []
        try:
            locals_ = (ctypes.c_void_p * count)()
            remotes = (ctypes.c_void_p * count)()
            sizes = (ctypes.c_size_t * count)()
            for i in range(count):
                item = memory(buffers[i], f"buffers[{i}]", writable=not write)
                held.append(item)
                remote = peer_buffers[i]
                if not isinstance(remote, int) or isinstance(remote, bool) or remote <= 0:
                    raise invalid(f"peer_buffers[{i}]={remote!r} (expected: the peer's address, an int > 0)")
                locals_[i], remotes[i] = item.address, remote
                sizes[i] = _length(lengths[i], f"lengths[{i}]", item, f"buffers[{i}]")
            return _lib.check(function(handle, locals_, session, remotes, sizes, count, *extra, flags), what)
        finally:
            for item in held:
                item.release()

    def transfer_sync_write(self, dest_session, buffer, peer_buffer, length=None, flags=0):
        """Writes ``length`` bytes (default: the buffer's size) to ``peer_buffer`` of ``dest_session``. Returns 0."""
        return self._transfer(_lib.lib.smem_trans_write, "transfer_sync_write", dest_session, buffer, peer_buffer,
                              length, (), flags, True)

    def transfer_sync_read(self, dest_session, buffer, peer_buffer, length=None, flags=0):
        """Reads ``length`` bytes from ``peer_buffer`` of ``dest_session`` into ``buffer``. Returns 0."""
        return self._transfer(_lib.lib.smem_trans_read, "transfer_sync_read", dest_session, buffer, peer_buffer,
                              length, (), flags, False)

    def batch_transfer_sync_write(self, dest_session, buffers, peer_buffers, lengths, flags=0):
        """Many writes to one peer in one call (e.g. a KV cache's blocks). Returns 0."""
        return self._batch(_lib.lib.smem_trans_batch_write, "batch_transfer_sync_write", dest_session, buffers,
                           peer_buffers, lengths, (), flags, True)

    def batch_transfer_sync_read(self, dest_session, buffers, peer_buffers, lengths, flags=0):
        return self._batch(_lib.lib.smem_trans_batch_read, "batch_transfer_sync_read", dest_session, buffers,
                           peer_buffers, lengths, (), flags, False)

    @staticmethod
    def _stream(stream):
        if stream is None:
            return ctypes.c_void_p(None)
        return ctypes.c_void_p(stream if isinstance(stream, int) and not isinstance(stream, bool) else id(stream))

    def transfer_async_write_submit(self, dest_session, buffer, peer_buffer, length, stream, flags=0):
        """The stream form (there are no accelerator streams here: done when it returns); ``stream`` must not be
        None. Returns 0."""
        return self._transfer(_lib.lib.smem_trans_write_submit, "transfer_async_write_submit", dest_session, buffer,
                              peer_buffer, length, (self._stream(stream),), flags, True)

    def transfer_async_read_submit(self, dest_session, buffer, peer_buffer, length, stream, flags=0):
        return self._transfer(_lib.lib.smem_trans_read_submit, "transfer_async_read_submit", dest_session, buffer,
                              peer_buffer, length, (self._stream(stream),), flags, False)

    def batch_transfer_async_write_submit(self, dest_session, buffers, peer_buffers, lengths, stream, flags=0):
        return self._batch(_lib.lib.smem_trans_batch_write_submit, "batch_transfer_async_write_submit",
                           dest_session, buffers, peer_buffers, lengths, (self._stream(stream),), flags, True)

    def batch_transfer_async_read_submit(self, dest_session, buffers, peer_buffers, lengths, stream, flags=0):
        return self._batch(_lib.lib.smem_trans_batch_read_submit, "batch_transfer_async_read_submit",
                           dest_session, buffers, peer_buffers, lengths, (self._stream(stream),), flags, False)

    def destroy(self):
        """Closes the engine (peers see it go down); idempotent."""
        handle, self._handle = self._handle, None
        if handle is not None:
            _lib.lib.smem_trans_destroy(handle, 0)
        for held in self._registered.values():
            held.release()
        self._registered.clear()

    def unInitialize(self):  # noqa: N802 - upstream's name
        """Destroys this engine, then ``smem_trans_uninit`` (every engine of the process)."""
        self.destroy()
        _lib.lib.smem_trans_uninit(0)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.destroy()

    def __del__(self):
        try:
            self.destroy()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass
