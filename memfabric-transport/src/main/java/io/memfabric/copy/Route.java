package io.memfabric.copy;

import io.memfabric.error.ConfigurationException;

import java.util.Locale;

/**
 * The ways bytes can move between this rank and a peer, in the default order of preference (DESIGN §5). The
 * {@link RouteTable} picks one per peer and records why.
 *
 * <p>Thread safety: immutable.
 */
public enum Route {
    /** Same host: the peer's slot is mapped here; a copy is one {@code MemorySegment.copy}. */
    SHM("shm"),
    /** Same host: {@code process_vm_readv/writev} into the peer's address space; one copy by the kernel. */
    CMA("cma"),
    /** Any host: one-sided requests to the peer's data listener over TCP. */
    TCP("tcp");

    private final String wireName;

    Route(String wireName) {
        this.wireName = wireName;
    }

    /** @return the lower-case name used in options, descriptors and {@code memfabric info}: shm, cma or tcp. */
    public String wireName() {
        return wireName;
    }

    /**
     * @param text {@code shm}, {@code cma} or {@code tcp}, any case, surrounding blanks ignored
     * @return the route
     * @throws ConfigurationException naming the text when it is no route
     */
    public static Route parse(String text) {
        if (text != null) {
            String token = text.trim().toLowerCase(Locale.ROOT);
            for (Route route : values()) {
                if (route.wireName.equals(token)) {
                    return route;
                }
            }
        }
        throw new ConfigurationException("route=" + text + " (expected: shm, cma or tcp)");
    }
}
