/** The group engine: membership epochs, barrier, allgather and sub-groups over the config store. */
module io.memfabric.group {
    requires transitive io.memfabric.store;
    requires org.slf4j;

    exports io.memfabric.group;
}
