package io.memfabric.store.client;

import io.memfabric.error.ErrorCode;
import io.memfabric.error.MemFabricException;
import io.memfabric.error.MemFabricTimeoutException;
import io.memfabric.error.StoreException;

import javax.net.ssl.SSLHandshakeException;
import java.util.Locale;
import java.util.concurrent.CompletionException;

/**
 * Turns the store's error replies and the client's own failures into typed exceptions. An error reply opens with a
 * kind word: an {@link ErrorCode} name ({@code STORE_TIMEOUT ...}) or a Redis kind ({@code ERR}, {@code NOAUTH},
 * {@code WRONGPASS}, {@code WRONGTYPE}). Messages name the command and key, the store, and carry the server's text.
 *
 * <p>Thread safety: stateless.
 */
final class StoreErrors {
    private StoreErrors() {
    }

    /**
     * @param request the request answered
     * @param text    the error reply without its {@code -}
     * @param url     the store
     * @return the exception to fail the request with
     */
    static MemFabricException fromReply(Request request, String text, Object url) {
        String message = request.describe() + " failed on " + url + ": " + text;
        ErrorCode code = codeOf(text);
        if (code == ErrorCode.STORE_TIMEOUT || code == ErrorCode.TIMEOUT) {
            return new MemFabricTimeoutException(code, message);
        }
        return new StoreException(code, message);
    }

    /**
     * @param text an error reply without its {@code -}
     * @return the code its kind word maps to
     */
    static ErrorCode codeOf(String text) {
        int space = text.indexOf(' ');
        String kind = space < 0 ? text : text.substring(0, space);
        ErrorCode named = ErrorCode.byName(kind);
        if (named != null && named != ErrorCode.UNKNOWN) {
            return named;
        }
        return switch (kind) {
            case "NOAUTH" -> ErrorCode.STORE_AUTH_REQUIRED;
            case "WRONGPASS" -> ErrorCode.STORE_AUTH_FAILED;
            case "WRONGTYPE" -> ErrorCode.STORE_WRONG_TYPE;
            case "ERR" -> errCode(text.toLowerCase(Locale.ROOT));
            default -> ErrorCode.ERROR;
        };
    }

    private static ErrorCode errCode(String lower) {
        if (lower.contains("not an integer") || lower.contains("not a valid integer")) {
            return ErrorCode.STORE_WRONG_TYPE;
        }
        if (lower.contains("unknown command") || lower.contains("wrong number of arguments")) {
            return ErrorCode.STORE_BAD_COMMAND;
        }
        if (lower.contains("invalid password") || lower.contains("invalid username-password")) {
            return ErrorCode.STORE_AUTH_FAILED;
        }
        return ErrorCode.ERROR;
    }

    /** @return the failure of a call made after the client was closed. */
    static StoreException closed(String what, Object url) {
        return new StoreException(ErrorCode.STORE_CLIENT_CLOSED, what + ": the client of " + url + " is closed");
    }

    /** @return the failure of a request whose deadline passed. */
    static MemFabricTimeoutException deadline(Request request, Object url, String why) {
        return new MemFabricTimeoutException(ErrorCode.STORE_TIMEOUT, request.describe() + " on " + url + ": "
                + why + " within its deadline of " + request.timeoutNs / 1_000_000 + " ms");
    }

    /** @return the failure of a request that could not be sent because its connection failed with {@code cause}. */
    static StoreException notSent(Request request, Object url, Throwable cause) {
        ErrorCode code = cause instanceof MemFabricException m ? m.code() : ErrorCode.STORE_IO_ERROR;
        return new StoreException(code, request.describe() + " on " + url + ": not sent, " + cause.getMessage(),
                cause);
    }

    /**
     * Whether retrying cannot help: a wrong or missing secret, a TLS handshake refused (untrusted certificate, no or
     * revoked client certificate), or a peer that does not speak RESP. A first connect fails at once on these; a
     * reconnect keeps trying (the store may come back configured differently) but fails waiting calls at once.
     */
    static boolean isFatal(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SSLHandshakeException) {
                return true;
            }
            if (t instanceof MemFabricException m) {
                ErrorCode code = m.code();
                if (code == ErrorCode.STORE_AUTH_FAILED || code == ErrorCode.STORE_AUTH_REQUIRED
                        || code == ErrorCode.PROTOCOL_ERROR || code == ErrorCode.STORE_CLIENT_CLOSED) {
                    return true;
                }
            }
        }
        return false;
    }

    /** @return the cause a {@code CompletionException} wraps, or {@code t} itself. */
    static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    /** @return a failure as the unchecked exception a caller gets: itself, or a {@code StoreException} around it. */
    static RuntimeException asRuntime(Throwable cause) {
        Throwable t = unwrap(cause);
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error error) {
            throw error;
        }
        return new StoreException(ErrorCode.ERROR, String.valueOf(t.getMessage()), t);
    }

    /** @return the failure of a request in flight on a connection that was lost. */
    static StoreException connectionLost(Request request, Object url, Throwable cause) {
        String why = cause == null ? "connection closed" : cause.getMessage();
        return new StoreException(ErrorCode.STORE_IO_ERROR, request.describe() + " on " + url
                + ": connection lost before the reply (" + why + ")", cause);
    }
}
