/**
 * The transfer engine (TRANS): register memory, then read and write a named peer's registered memory. Built on the
 * copy engine (targets in registered memory) and the config store (records and liveness).
 */
module io.memfabric.trans {
    requires transitive io.memfabric.transport;
    requires transitive io.memfabric.store;
    requires org.slf4j;

    exports io.memfabric.trans;
}
