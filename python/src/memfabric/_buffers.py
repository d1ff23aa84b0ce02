"""Memory arguments: an int address (as upstream), any object with the buffer protocol (bytearray, memoryview,
numpy arrays, mmap), or an object with data_ptr() and nbytes (torch CPU tensors). The library reads and writes that
memory in place: nothing is copied through Python objects.

A buffer-protocol object is exported (PyObject_GetBuffer) for as long as the library uses it: for one call, or from
register to unregister, so that a bytearray cannot be resized under a registration.
"""

import ctypes
import numbers

from ._errors import invalid

_PyBUF_SIMPLE = 0
_PyBUF_WRITABLE = 0x0001


class _PyBuffer(ctypes.Structure):
    _fields_ = [("buf", ctypes.c_void_p), ("obj", ctypes.c_void_p), ("len", ctypes.c_ssize_t),
                ("itemsize", ctypes.c_ssize_t), ("readonly", ctypes.c_int), ("ndim", ctypes.c_int),
                ("format", ctypes.c_char_p), ("shape", ctypes.c_void_p), ("strides", ctypes.c_void_p),
                ("suboffsets", ctypes.c_void_p), ("internal", ctypes.c_void_p)]


_get_buffer = ctypes.pythonapi.PyObject_GetBuffer
_get_buffer.argtypes = [ctypes.py_object, ctypes.POINTER(_PyBuffer), ctypes.c_int]
_get_buffer.restype = ctypes.c_int
_release_buffer = ctypes.pythonapi.PyBuffer_Release
_release_buffer.argtypes = [ctypes.POINTER(_PyBuffer)]
_release_buffer.restype = None


class Memory:
    """Where an argument's bytes are: ``address`` and, when the object knows it, ``nbytes`` (None for an int).
    ``release()`` ends a buffer export; it is idempotent."""

    __slots__ = ("address", "nbytes", "_view")

    def __init__(self, address, nbytes, view=None):
        self.address = address
        self.nbytes = nbytes
        self._view = view

    def release(self):
        view, self._view = self._view, None
        if view is not None:
            _release_buffer(ctypes.byref(view))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()


def memory(value, name, writable=False):
    """The Memory of an argument; raises TypeError for what is no memory, InvalidParamError for address 0."""
    if type(value) is int or isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = int(value)
        if value <= 0 or value >= 1 << 64:
            raise invalid(f"{name}=0x{value:x} (expected: an address > 0)" if value >= 0
                          else f"{name}={value} (expected: an address > 0)")
        return Memory(value, None)
    data_ptr = getattr(value, "data_ptr", None)
    if callable(data_ptr) and hasattr(value, "nbytes"):
        is_contiguous = getattr(value, "is_contiguous", None)
        if callable(is_contiguous) and not is_contiguous():
            raise invalid(f"{name} is not contiguous (expected: a contiguous tensor; call .contiguous())")
        device = getattr(value, "device", None)
        if device is not None and getattr(device, "type", "cpu") != "cpu":
            raise invalid(f"{name} is on device {device} (expected: host memory)")
        return Memory(int(data_ptr()), int(value.nbytes))
    view = _PyBuffer()
    try:
        result = _get_buffer(value, ctypes.byref(view), _PyBUF_WRITABLE if writable else _PyBUF_SIMPLE)
    except (BufferError, TypeError) as e:
        what = "a writable, contiguous buffer" if writable else "a contiguous buffer"
        raise TypeError(f"{name}: {type(value).__name__} is not memory ({e}; expected: an int address, {what} "
                        "such as bytearray or a numpy array, or a tensor with data_ptr() and nbytes)") from None
    if result != 0:
        raise TypeError(f"{name}: {type(value).__name__} gave no buffer")
    if view.len == 0 or not view.buf:
        _release_buffer(ctypes.byref(view))
        raise invalid(f"{name} is empty (expected: at least one byte)")
    return Memory(view.buf, view.len, view)


def length(value, name, memory_of, default_from):
    """A size argument: ``value`` when given, else the nbytes of ``default_from``; checked against the memory."""
    if value is None:
        if memory_of.nbytes is None:
            raise invalid(f"{name} is required when {default_from} is an int address")
        return memory_of.nbytes
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{name}={value!r} (expected: int)")
    value = int(value)
    if value <= 0:
        raise invalid(f"{name}={value} (expected: > 0)")
    if memory_of.nbytes is not None and value > memory_of.nbytes:
        raise invalid(f"{name}={value} exceeds {default_from}'s {memory_of.nbytes} bytes")
    return value
