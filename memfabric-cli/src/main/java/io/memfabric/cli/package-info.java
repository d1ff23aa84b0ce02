/**
 * The {@code memfabric} command line (picocli): {@code demo}, {@code store}, {@code info}, {@code bench}, and what
 * every command shares: option checks that run before anything starts ({@link io.memfabric.cli.OptionChecks}),
 * one-line usage errors and failures, progress on a terminal or as plain lines ({@link io.memfabric.cli.Progress}).
 * Depends on the product APIs, the memory layer (for {@code info}) and the store; nothing depends on it.
 */
package io.memfabric.cli;
