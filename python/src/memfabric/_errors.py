"""Exceptions: every failure of the C library raises one, carrying upstream's code and the library's message."""

SM_OK = 0
SM_ERROR = -1
SM_INVALID_PARAM = -2000
SM_MALLOC_FAILED = -2001
SM_TIMEOUT = -2004
SM_DUPLICATED_OBJECT = -2006
SM_NOT_INITIALIZED = -2008


class MemFabricError(RuntimeError):
    """A call failed. ``code`` is upstream's return code (``SM_ERROR`` -1, ``SM_INVALID_PARAM`` -2000, ...), and the
    message is the calling thread's last error, which ``get_last_err_msg()`` still returns afterwards."""

    def __init__(self, code, message):
        super().__init__(f"[{code}] {message}")
        self.code = code
        self.message = message


class InvalidParamError(MemFabricError, ValueError):
    """``SM_INVALID_PARAM``: a bad argument, an unknown handle or peer, a range outside registered memory."""


class NotInitializedError(MemFabricError):
    """``SM_NOT_INITIALIZED``: the API's ``initialize`` has not run (or the object is destroyed)."""


class MemFabricTimeoutError(MemFabricError, TimeoutError):
    """``SM_TIMEOUT``: other ranks or the store did not answer in time."""


_BY_CODE = {SM_INVALID_PARAM: InvalidParamError, SM_NOT_INITIALIZED: NotInitializedError,
            SM_TIMEOUT: MemFabricTimeoutError}


def error(code, message):
    """The exception of a return code."""
    return _BY_CODE.get(code, MemFabricError)(code, message)


def invalid(message):
    """A bad argument found before the call (a wrong type, a negative size): SM_INVALID_PARAM."""
    return InvalidParamError(SM_INVALID_PARAM, message)
