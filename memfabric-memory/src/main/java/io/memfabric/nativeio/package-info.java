/**
 * Linux system calls through the FFM API ({@code java.lang.foreign}): shared-memory files ({@link
 * io.memfabric.nativeio.NativeFile}), mapping population ({@link io.memfabric.nativeio.NativeMemory}), process identity
 * ({@link io.memfabric.nativeio.Processes}) and cross-memory attach ({@link io.memfabric.nativeio.CrossMemoryAttach}).
 * Every failing call throws {@link io.memfabric.nativeio.NativeCallException} with the call, its arguments and the
 * errno, except the hot-path calls, which return a negative errno.
 *
 * <p>Linux on x86-64 or aarch64 only; needs {@code --enable-native-access}. Depends on {@code io.memfabric.error}
 * only.
 */
package io.memfabric.nativeio;
