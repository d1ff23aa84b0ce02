/**
 * The {@code memfabric} command line (picocli): {@code store}, {@code info}, {@code bench}. Depends on the product
 * APIs and the store; nothing depends on it.
 */
package io.memfabric.cli;
