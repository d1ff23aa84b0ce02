"""libmemfabric.so through ctypes: where it is, the function prototypes, and the code-to-exception rule.

The library is found at ``$MEMFABRIC_LIB`` (a path to libmemfabric.so, e.g. the repository's build in
memfabric-native/target), else in this package (``_native/``, put there by ``pip install``). It finds its jars in the
``lib`` folder beside it and a JDK 25 by itself (MEMFABRIC_JAVA_HOME, JAVA_HOME, /usr/lib/jvm).

ctypes releases the GIL for the duration of every foreign call (CDLL), so long calls (join, transfers) let other
Python threads run.
"""

import ctypes
import os
from ctypes import POINTER, c_bool, c_char, c_char_p, c_int, c_int32, c_size_t, c_uint16, c_uint32, c_uint64, c_void_p
from pathlib import Path

from . import _errors

NATIVE_DIR = Path(__file__).resolve().parent / "_native"


def library_path():
    explicit = os.environ.get("MEMFABRIC_LIB")
    if explicit:
        return explicit
    bundled = NATIVE_DIR / "libmemfabric.so"
    if bundled.exists():
        return str(bundled)
    raise ImportError(f"libmemfabric.so not found: not in {NATIVE_DIR} (install with `pip install ./python` after the "
                      "build) and MEMFABRIC_LIB is not set (point it at memfabric-native/target/libmemfabric.so)")


lib = ctypes.CDLL(library_path())

SMEM_TLS_PATH_SIZE = 256


class TlsConfig(ctypes.Structure):
    _fields_ = [("tlsEnable", c_bool)] + [(name, c_char * SMEM_TLS_PATH_SIZE) for name in (
        "caPath", "crlPath", "certPath", "keyPath", "keyPassPath", "packagePath", "decrypterLibPath")]


class BmConfigStruct(ctypes.Structure):
    _fields_ = [("initTimeout", c_uint32), ("createTimeout", c_uint32), ("controlOperationTimeout", c_uint32),
                ("startConfigStoreServer", c_bool), ("startConfigStoreOnly", c_bool), ("dynamicWorldSize", c_bool),
                ("unifiedAddressSpace", c_bool), ("autoRanking", c_bool), ("rankId", c_uint16), ("flags", c_uint32),
                ("hcomUrl", c_char * 64), ("hcomTlsConfig", TlsConfig), ("storeTlsConfig", TlsConfig)]


class CopyParams(ctypes.Structure):
    _fields_ = [("src", c_void_p), ("dest", c_void_p), ("dataSize", c_size_t)]


class BatchCopyParams(ctypes.Structure):
    _fields_ = [("sources", POINTER(c_void_p)), ("destinations", POINTER(c_void_p)),
                ("dataSizes", POINTER(c_uint64)), ("batchSize", c_uint32)]


class TransConfigStruct(ctypes.Structure):
    _fields_ = [("role", c_int), ("initTimeout", c_uint32), ("deviceId", c_uint32), ("flags", c_uint32),
                ("dataOpType", c_int), ("startConfigServer", c_bool)]


LOGGER = ctypes.CFUNCTYPE(None, c_int, c_char_p)

_PROTOTYPES = {
    "smem_init": (c_int32, [c_uint32]),
    "smem_uninit": (None, []),
    "smem_create_config_store": (c_int32, [c_char_p]),
    "smem_set_extern_logger": (c_int32, [LOGGER]),
    "smem_set_log_level": (c_int32, [c_int]),
    "smem_set_conf_store_tls": (c_int32, [c_bool, c_char_p, c_uint32]),
    "smem_set_config_store_tls_key": (c_int32, [c_char_p, c_uint32, c_char_p, c_uint32, c_void_p]),
    "smem_get_last_err_msg": (c_char_p, []),
    "smem_get_and_clear_last_err_msg": (c_char_p, []),
    "smem_bm_config_init": (c_int32, [POINTER(BmConfigStruct)]),
    "smem_bm_init": (c_int32, [c_char_p, c_uint32, c_uint16, POINTER(BmConfigStruct)]),
    "smem_bm_uninit": (None, [c_uint32]),
    "smem_bm_get_rank_id": (c_uint32, []),
    "smem_bm_create": (c_void_p, [c_uint32, c_uint32, c_int, c_uint64, c_uint64, c_uint32]),
    "smem_bm_destroy": (None, [c_void_p]),
    "smem_bm_join": (c_int32, [c_void_p, c_uint32]),
    "smem_bm_leave": (c_int32, [c_void_p, c_uint32]),
    "smem_bm_get_local_mem_size_by_mem_type": (c_uint64, [c_void_p, c_int]),
    "smem_bm_ptr_by_mem_type": (c_void_p, [c_void_p, c_int, c_uint16]),
    "smem_bm_local_ptr_by_mem_type": (c_void_p, [c_void_p, c_int]),
    "smem_bm_copy": (c_int32, [c_void_p, POINTER(CopyParams), c_int, c_uint32]),
    "smem_bm_copy_batch": (c_int32, [c_void_p, POINTER(BatchCopyParams), c_int, c_uint32]),
    "smem_bm_wait": (c_int32, [c_void_p]),
    "smem_bm_register_user_mem": (c_int32, [c_void_p, c_uint64, c_uint64]),
    "smem_bm_unregister_user_mem": (c_int32, [c_void_p, c_uint64]),
    "smem_bm_get_rank_id_by_gva": (c_uint32, [c_void_p, c_void_p]),
    "smem_trans_config_init": (c_int32, [POINTER(TransConfigStruct)]),
    "smem_trans_init": (c_int32, [POINTER(TransConfigStruct)]),
    "smem_trans_uninit": (None, [c_uint32]),
    "smem_trans_create": (c_void_p, [c_char_p, c_char_p, POINTER(TransConfigStruct)]),
    "smem_trans_destroy": (None, [c_void_p, c_uint32]),
    "smem_trans_register_mem": (c_int32, [c_void_p, c_void_p, c_size_t, c_uint32]),
    "smem_trans_batch_register_mem": (c_int32, [c_void_p, POINTER(c_void_p), POINTER(c_size_t), c_uint32,
                                                c_uint32]),
    "smem_trans_deregister_mem": (c_int32, [c_void_p, c_void_p]),
    "smem_trans_write": (c_int32, [c_void_p, c_void_p, c_char_p, c_void_p, c_size_t, c_uint32]),
    "smem_trans_read": (c_int32, [c_void_p, c_void_p, c_char_p, c_void_p, c_size_t, c_uint32]),
    "smem_trans_batch_write": (c_int32, [c_void_p, POINTER(c_void_p), c_char_p, POINTER(c_void_p),
                                         POINTER(c_size_t), c_uint32, c_uint32]),
    "smem_trans_batch_read": (c_int32, [c_void_p, POINTER(c_void_p), c_char_p, POINTER(c_void_p),
                                        POINTER(c_size_t), c_uint32, c_uint32]),
    "smem_trans_write_submit": (c_int32, [c_void_p, c_void_p, c_char_p, c_void_p, c_size_t, c_void_p, c_uint32]),
    "smem_trans_read_submit": (c_int32, [c_void_p, c_void_p, c_char_p, c_void_p, c_size_t, c_void_p, c_uint32]),
    "smem_trans_batch_write_submit": (c_int32, [c_void_p, POINTER(c_void_p), c_char_p, POINTER(c_void_p),
                                                POINTER(c_size_t), c_uint32, c_void_p, c_uint32]),
    "smem_trans_batch_read_submit": (c_int32, [c_void_p, POINTER(c_void_p), c_char_p, POINTER(c_void_p),
                                               POINTER(c_size_t), c_uint32, c_void_p, c_uint32]),
}

for _name, (_restype, _argtypes) in _PROTOTYPES.items():
    _function = getattr(lib, _name)
    _function.restype = _restype
    _function.argtypes = _argtypes


def last_error():
    message = lib.smem_get_last_err_msg()
    return message.decode("utf-8", "replace") if message else ""


def check(code, what):
    """Returns 0, or raises the exception of a failed call's code (its message is the thread's last error)."""
    if code != 0:
        raise _errors.error(code, last_error() or f"{what} failed")
    return 0


def text(value, name):
    """A str argument as the C library's bytes."""
    if not isinstance(value, str):
        raise TypeError(f"{name}={value!r} (expected: str)")
    return value.encode("utf-8")
