package io.memfabric.nativeapi.log;

/**
 * Where the provider's lines go: {@link #emit}, a native method the C library registers when it starts the JVM (it
 * calls the C caller's logger, or writes to standard error), and the level below which nothing is formatted. Levels
 * are upstream's: 0 DEBUG, 1 INFO, 2 WARN, 3 ERROR.
 *
 * <p>Thread safety: every method from any thread.
 */
final class LogSink {
    static final int DEBUG = 0;
    static final int INFO = 1;
    static final int WARN = 2;
    static final int ERROR = 3;

    /** The level the C library started the JVM with, until it calls {@link #bind}. */
    private static volatile int level = Integer.getInteger("memfabric.native.log.level", ERROR);
    /** Whether {@link #emit} is registered (false in a JVM that libmemfabric.so did not start). */
    private static volatile boolean bound;

    private LogSink() {
    }

    /** The C library's log function (registered with RegisterNatives). */
    private static native void emit(int level, String message);

    /** Called by the C library: {@link #emit} is registered, and the level is {@code newLevel} (also on change). */
    static void bind(int newLevel) {
        level = newLevel;
        bound = true;
    }

    static boolean isEnabled(int lineLevel) {
        return lineLevel >= level;
    }

    static void log(int lineLevel, String message) {
        if (bound) {
            emit(lineLevel, message);
        } else {
            System.err.println("[memfabric] " + lineLevel + " " + message);
        }
    }
}
