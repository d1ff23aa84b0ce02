package io.memfabric.store.protocol;

import io.memfabric.config.Config;

/**
 * What a RESP decoder accepts before it allocates anything. Netty's {@code RedisArrayAggregator} trusts a wire length
 * up to {@code Integer.MAX_VALUE} and nests without limit; memfabric checks arity, depth and bulk length first
 * (STYLE A3).
 *
 * <p>Thread safety: immutable.
 *
 * @param maxBulkBytes   the longest bulk string, bytes
 * @param maxArrayLength the most elements in one array (for commands: arguments, including the command name)
 * @param maxDepth       the deepest nesting of arrays (1 = a flat array)
 * @param maxInlineBytes the longest inline command or header line, bytes
 */
public record RespLimits(long maxBulkBytes, int maxArrayLength, int maxDepth, int maxInlineBytes) {
    /** Largest value the store accepts (DESIGN §3; redis-server allows 512 MiB). */
    public static final long DEFAULT_MAX_VALUE_BYTES = 64L << 20;
    /** Largest key the store accepts (DESIGN §3; upstream's server limit is 2048). */
    public static final int DEFAULT_MAX_KEY_BYTES = 2048;
    /** Arguments per command, command name included; enough for {@code DEL}/{@code EXISTS} of many keys. */
    public static final int DEFAULT_MAX_ARGUMENTS = 1024;
    /** Redis's own limit for an inline command (64 KiB, "max inline length of current Redis server"). */
    public static final int DEFAULT_MAX_INLINE_BYTES = 64 * 1024;

    /** Validates the limits. */
    public RespLimits {
        Config.requireRange("maxBulkBytes", maxBulkBytes, 0, Integer.MAX_VALUE - 64);
        Config.requireRange("maxArrayLength", maxArrayLength, 1, 1 << 24);
        Config.requireRange("maxDepth", maxDepth, 1, 64);
        Config.requireRange("maxInlineBytes", maxInlineBytes, 64, 1 << 24);
    }

    /**
     * Limits for a server reading commands: a flat array of bulk strings.
     *
     * @param maxKeyOrValueBytes the longest argument (the value limit; keys are checked separately, per command)
     * @param maxArguments       arguments per command
     * @return the limits
     */
    public static RespLimits forCommands(long maxKeyOrValueBytes, int maxArguments) {
        return new RespLimits(maxKeyOrValueBytes, maxArguments, 1, DEFAULT_MAX_INLINE_BYTES);
    }

    /**
     * Limits for a client reading replies: values up to the store's value limit; arrays as long as a {@code KEYS} or
     * {@code SCAN} answer may be; nesting as deep as {@code SCAN} and pub/sub need, with room to spare.
     *
     * @param maxValueBytes the longest value
     * @return the limits
     */
    public static RespLimits forReplies(long maxValueBytes) {
        return new RespLimits(maxValueBytes, 1 << 24, 8, DEFAULT_MAX_INLINE_BYTES);
    }
}
