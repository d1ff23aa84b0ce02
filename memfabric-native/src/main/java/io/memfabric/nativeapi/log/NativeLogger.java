package io.memfabric.nativeapi.log;

import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * A logger of the provider: checks the level first (nothing is formatted below it), then hands one line — the
 * logger's name, the message and a failure's stack trace — to {@link LogSink}.
 *
 * <p>Thread safety: immutable.
 */
final class NativeLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;

    NativeLogger(String name) {
        this.name = name;
    }

    @Override
    public boolean isTraceEnabled() {
        return LogSink.isEnabled(LogSink.DEBUG);
    }

    @Override
    public boolean isDebugEnabled() {
        return LogSink.isEnabled(LogSink.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
        return LogSink.isEnabled(LogSink.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
        return LogSink.isEnabled(LogSink.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
        return LogSink.isEnabled(LogSink.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String messagePattern, Object[] arguments,
                                               Throwable throwable) {
        int lineLevel = switch (level) {
            case TRACE, DEBUG -> LogSink.DEBUG;
            case INFO -> LogSink.INFO;
            case WARN -> LogSink.WARN;
            case ERROR -> LogSink.ERROR;
        };
        String message = name + " - " + MessageFormatter.basicArrayFormat(messagePattern, arguments);
        if (throwable != null) {
            StringWriter trace = new StringWriter();
            throwable.printStackTrace(new PrintWriter(trace));
            message += "\n" + trace;
        }
        LogSink.log(lineLevel, message);
    }
}
