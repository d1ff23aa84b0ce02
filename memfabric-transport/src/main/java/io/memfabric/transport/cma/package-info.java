/**
 * Same-host transport without mapping: {@code process_vm_readv/writev} into the peer's address space
 * ({@link io.memfabric.nativeio.CrossMemoryAttach}), one copy by the kernel. Usable only where the kernel allows it
 * ({@link io.memfabric.nativeio.CrossMemoryAttach#probe()}). Depends on {@code nativeio}, {@code memory},
 * {@code transport} and {@code error} only.
 */
package io.memfabric.transport.cma;
