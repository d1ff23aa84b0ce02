/**
 * BigMemory (BM): the pool with one global address per byte, copies in every direction, join, leave and eviction.
 */
module io.memfabric.bm {
    requires transitive io.memfabric.transport;
    requires transitive io.memfabric.group;
    requires org.slf4j;

    exports io.memfabric.bm;
}
