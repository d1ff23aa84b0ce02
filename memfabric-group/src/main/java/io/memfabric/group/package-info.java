/**
 * The group engine: membership by epochs (advanced only by compare-and-set in the config store), barrier and
 * allgather among the members, sub-groups named by a key, and join / leave / failure events. Depends on the store
 * client, {@code common}, {@code error} and {@code config}; {@code memory} and {@code transport} never depend on it.
 */
package io.memfabric.group;
