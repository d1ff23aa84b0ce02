package io.memfabric.nativeio;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;

/**
 * A system call failed. The message names the call with its arguments and the {@code errno}, e.g.
 * {@code open(path=/dev/shm/memfabric-f-o-r0-host-p12-t34, flags=O_RDWR|O_CLOEXEC|O_NOFOLLOW) failed:
 * ENOENT(2) No such file or directory}. The {@link ErrorCode} follows the errno: {@code ENOENT} is
 * {@link ErrorCode#OBJECT_NOT_EXISTS}, {@code EEXIST} {@link ErrorCode#DUPLICATED_OBJECT}, {@code ENOMEM} and
 * {@code ENOSPC} {@link ErrorCode#MALLOC_FAILED}, {@code EINVAL} {@link ErrorCode#INVALID_PARAM}, {@code ESRCH}
 * {@link ErrorCode#PEER_UNAVAILABLE}, {@code EFAULT} {@link ErrorCode#ADDRESS_OUT_OF_RANGE}, anything else
 * {@link ErrorCode#ERROR}.
 */
public final class NativeCallException extends MemFabricException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    NativeCallException(String callWithArguments, int errno) {
        this(callWithArguments, errno, "");
    }

    NativeCallException(String callWithArguments, int errno, String hint) {
        super(codeOf(errno), callWithArguments + " failed: " + Errno.describe(errno) + hint);
        this.errno = errno;
    }

    /** @return the {@code errno} the call left, e.g. 2 for {@code ENOENT}. */
    public int errno() {
        return errno;
    }

    /** @return the name of {@link #errno()}, e.g. {@code ENOENT}. */
    public String errnoName() {
        return Errno.name(errno);
    }

    static ErrorCode codeOf(int errno) {
        return switch (errno) {
            case Errno.ENOENT -> ErrorCode.OBJECT_NOT_EXISTS;
            case Errno.EEXIST -> ErrorCode.DUPLICATED_OBJECT;
            case Errno.ENOMEM, Errno.ENOSPC -> ErrorCode.MALLOC_FAILED;
            case Errno.EINVAL -> ErrorCode.INVALID_PARAM;
            case Errno.ESRCH -> ErrorCode.PEER_UNAVAILABLE;
            case Errno.EFAULT -> ErrorCode.ADDRESS_OUT_OF_RANGE;
            default -> ErrorCode.ERROR;
        };
    }
}
