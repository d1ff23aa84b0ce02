/**
 * Transports (shm, cma, tcp) and the copy engine that routes one-sided transfers over them. The transports are
 * internal: the layers above move bytes through the copy engine ({@code io.memfabric.copy}) and name memory with
 * {@code io.memfabric.transport}'s spaces and directions.
 */
module io.memfabric.transport {
    requires transitive io.memfabric.memory;
    requires org.slf4j;

    exports io.memfabric.copy;
    exports io.memfabric.transport;
}
