"""memfabric: one global address space over the memory of many processes, and a transfer engine between them.

Upstream's Python surface (``memfabric_hybrid``), over the C library libmemfabric.so with ctypes: code written for
upstream runs after changing its import to ``import memfabric as memfabric_hybrid``. Calls return 0 as upstream's do,
and a failure raises ``MemFabricError`` (or a subclass) carrying upstream's code; ``get_last_err_msg()`` still returns
the message. ``bm`` is Big Memory, ``TransferEngine`` the transfer engine; SHM is not in this package yet.
"""

import os as _os

from . import _lib
from . import bm
from ._errors import (InvalidParamError, MemFabricError, MemFabricTimeoutError, NotInitializedError, SM_ERROR,
                      SM_INVALID_PARAM, SM_NOT_INITIALIZED, SM_OK, SM_TIMEOUT)
from .transfer import TransDataOpType, TransferEngine, TransferOpcode

__version__ = "0.1.0"

__all__ = ["initialize", "uninitialize", "set_log_level", "set_extern_logger", "get_last_err_msg",
           "get_and_clear_last_err_msg", "set_conf_store_tls", "set_conf_store_tls_key", "create_config_store",
           "get_include_path", "get_lib_path", "bm", "TransferEngine", "TransferOpcode", "TransDataOpType",
           "MemFabricError", "InvalidParamError", "NotInitializedError", "MemFabricTimeoutError"]

_logger_function = None


def initialize(flags=0):
    """``smem_init``: starts the library (and its JVM), so that a missing JDK shows at once. Returns 0."""
    return _lib.check(_lib.lib.smem_init(flags), "initialize")


def uninitialize():
    """``smem_uninit``. Open objects stay open; the JVM runs until the process exits."""
    _lib.lib.smem_uninit()


def set_log_level(level):
    """Log level 0 DEBUG, 1 INFO, 2 WARN, 3 ERROR (the default). Returns 0."""
    if not isinstance(level, int) or isinstance(level, bool):
        raise TypeError(f"level={level!r} (expected: int 0..3)")
    code = _lib.lib.smem_set_log_level(level)
    if code != 0:
        raise InvalidParamError(SM_INVALID_PARAM, _lib.last_error())
    return 0


@_lib.LOGGER
def _forward(level, message):
    function = _logger_function
    if function is not None:
        function(level, message.decode("utf-8", "replace") if message else "")


def set_extern_logger(log_fn):
    """Sends the library's log lines to ``log_fn(level, message)`` (called with the GIL held, from any thread);
    ``None`` stops that and returns ``SM_INVALID_PARAM`` as upstream's does."""
    global _logger_function
    if log_fn is None:
        _logger_function = None
        return SM_INVALID_PARAM
    if not callable(log_fn):
        raise TypeError(f"log_fn={log_fn!r} (expected: a callable (level, message) or None)")
    _logger_function = log_fn
    return _lib.check(_lib.lib.smem_set_extern_logger(_forward), "set_extern_logger")


def get_last_err_msg():
    """The calling thread's last error message ("" when none)."""
    return _lib.last_error()


def get_and_clear_last_err_msg():
    """As ``get_last_err_msg``, and clears it."""
    message = _lib.lib.smem_get_and_clear_last_err_msg()
    return message.decode("utf-8", "replace") if message else ""


def set_conf_store_tls(enable, tls_info):
    """A no-op, as upstream's. Returns 0."""
    return _lib.lib.smem_set_conf_store_tls(bool(enable), str(tls_info).encode(), len(str(tls_info)))


def set_conf_store_tls_key(tls_pk, tls_pk_pw, py_decrypt_func):
    """A no-op, as upstream's. Returns 0."""
    return 0


def apply_env_log_level():
    """Upstream's rule for the transfer adapter: ``ASCEND_MF_LOG_LEVEL`` (one digit) applies unless
    ``SHMEM_LOG_LEVEL`` is set."""
    level = _os.environ.get("ASCEND_MF_LOG_LEVEL", "")
    if "SHMEM_LOG_LEVEL" not in _os.environ and len(level) == 1 and level.isdigit() and int(level) <= 3:
        set_log_level(int(level))


def create_config_store(store_url):
    """``smem_create_config_store``: a standalone config store in this process, serving until it exits. Returns 0."""
    apply_env_log_level()
    return _lib.check(_lib.lib.smem_create_config_store(_lib.text(store_url, "store_url")), "create_config_store")


def get_include_path():
    """The C headers (``smem/host/smem_bm.h`` ...) of the installed library."""
    return str(_lib.NATIVE_DIR / "include")


def get_lib_path():
    """The folder of the installed libmemfabric.so."""
    return str(_lib.NATIVE_DIR)
