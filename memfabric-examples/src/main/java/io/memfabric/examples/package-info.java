/**
 * Small programs that use memfabric as an application would, one class with a {@code main} per example; the README
 * quotes their marked regions ({@code // tag::name[]} ... {@code // end::name[]}) and a test keeps the two identical.
 * <ul>
 *   <li>{@link io.memfabric.examples.PoolAndCopy}: BigMemory's pool and a copy to another rank, verified;</li>
 *   <li>{@link io.memfabric.examples.ConfigStore}: a config store in a process of its own.</li>
 * </ul>
 * Depends on the BM API ({@code memfabric-bm}) and the store it brings along; nothing depends on it.
 */
package io.memfabric.examples;
