package io.memfabric.nativeio;

/**
 * Linux {@code errno} values that memfabric's system calls can meet, with their names and texts, so that an error
 * message reads {@code ENOENT(2) No such file or directory} without a call to the non-reentrant {@code strerror}.
 * The values are those of {@code asm-generic/errno-base.h} and {@code errno.h}, which x86-64 and aarch64 share.
 *
 * <p>Thread safety: immutable.
 */
final class Errno {
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int ESRCH = 3;
    static final int EINTR = 4;
    static final int EIO = 5;
    static final int EBADF = 9;
    static final int EAGAIN = 11;
    static final int ENOMEM = 12;
    static final int EACCES = 13;
    static final int EFAULT = 14;
    static final int EEXIST = 17;
    static final int EINVAL = 22;
    static final int EMFILE = 24;
    static final int ENOSPC = 28;
    static final int ENOSYS = 38;
    static final int ELOOP = 40;
    static final int EOPNOTSUPP = 95;
    static final int EHWPOISON = 133;

    private static final String[][] TABLE = new String[134][];

    static {
        define(EPERM, "EPERM", "Operation not permitted");
        define(ENOENT, "ENOENT", "No such file or directory");
        define(ESRCH, "ESRCH", "No such process");
        define(EINTR, "EINTR", "Interrupted system call");
        define(EIO, "EIO", "Input/output error");
        define(6, "ENXIO", "No such device or address");
        define(7, "E2BIG", "Argument list too long");
        define(EBADF, "EBADF", "Bad file descriptor");
        define(EAGAIN, "EAGAIN", "Resource temporarily unavailable");
        define(ENOMEM, "ENOMEM", "Cannot allocate memory");
        define(EACCES, "EACCES", "Permission denied");
        define(EFAULT, "EFAULT", "Bad address");
        define(16, "EBUSY", "Device or resource busy");
        define(EEXIST, "EEXIST", "File exists");
        define(19, "ENODEV", "No such device");
        define(20, "ENOTDIR", "Not a directory");
        define(21, "EISDIR", "Is a directory");
        define(EINVAL, "EINVAL", "Invalid argument");
        define(23, "ENFILE", "Too many open files in system");
        define(EMFILE, "EMFILE", "Too many open files");
        define(26, "ETXTBSY", "Text file busy");
        define(27, "EFBIG", "File too large");
        define(ENOSPC, "ENOSPC", "No space left on device");
        define(29, "ESPIPE", "Illegal seek");
        define(30, "EROFS", "Read-only file system");
        define(36, "ENAMETOOLONG", "File name too long");
        define(ENOSYS, "ENOSYS", "Function not implemented");
        define(ELOOP, "ELOOP", "Too many levels of symbolic links");
        define(75, "EOVERFLOW", "Value too large for defined data type");
        define(EOPNOTSUPP, "EOPNOTSUPP", "Operation not supported");
        define(122, "EDQUOT", "Disk quota exceeded");
        define(EHWPOISON, "EHWPOISON", "Memory page has hardware error");
    }

    private Errno() {
    }

    private static void define(int value, String name, String text) {
        TABLE[value] = new String[] {name, text};
    }

    /**
     * @param errno an {@code errno} value
     * @return its name, e.g. {@code ENOENT}, or {@code errno<n>} for a value this table does not know
     */
    static String name(int errno) {
        String[] entry = errno > 0 && errno < TABLE.length ? TABLE[errno] : null;
        return entry == null ? "errno" + errno : entry[0];
    }

    /**
     * @param errno an {@code errno} value
     * @return {@code NAME(n) text}, e.g. {@code ENOENT(2) No such file or directory}
     */
    static String describe(int errno) {
        String[] entry = errno > 0 && errno < TABLE.length ? TABLE[errno] : null;
        return entry == null ? "errno(" + errno + ")" : entry[0] + "(" + errno + ") " + entry[1];
    }
}
