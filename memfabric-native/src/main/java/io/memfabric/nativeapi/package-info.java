/**
 * The bridge between the C library (libmemfabric.so, upstream's {@code smem_*} functions) and memfabric's Java APIs.
 * The C functions call static methods of {@code NativeCommon}, {@code NativeBm} and {@code NativeTrans} (and
 * {@code NativeShm} once SHM is built), each taking primitives — addresses as {@code long}s, handles as small numbers
 * into a {@code HandleTable} — and returning upstream's codes; no exception crosses to C. A failure's message is kept
 * per thread ({@code LastError}) and fetched by the C side into its thread-local last error. Local memory is reached
 * in place through one segment over the whole address space ({@code NativeMemory}): no copy through Java arrays.
 *
 * <p>Depends on the BM and TRANS APIs (and the store, for standalone stores). Nothing here is public API.
 */
package io.memfabric.nativeapi;
