/**
 * What every layer of memfabric shares: errors with upstream's codes, settings, lifecycles, waits and agents. Depends
 * on the JDK only.
 */
module io.memfabric.common {
    exports io.memfabric.common;
    exports io.memfabric.common.agent;
    exports io.memfabric.common.fault;
    exports io.memfabric.common.idle;
    exports io.memfabric.config;
    exports io.memfabric.error;
}
