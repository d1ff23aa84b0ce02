/**
 * Same-host transport: a peer's slot is mapped once when it joins ({@link io.memfabric.memory.ShmSlot#open}) and
 * unmapped when it leaves; a copy is one {@code MemorySegment.copy}, large ones split over a few threads
 * ({@link io.memfabric.transport.shm.SegmentCopier}). Depends on {@code memory}, {@code transport}, {@code common} and
 * {@code error} only.
 */
package io.memfabric.transport.shm;
