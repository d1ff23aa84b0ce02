/**
 * memfabric's SLF4J provider in a JVM that libmemfabric.so started: log lines go to the C library (upstream's
 * {@code smem_set_extern_logger}, or standard error) at the level set with {@code smem_set_log_level} (default ERROR,
 * as upstream), instead of to whatever provider a Java program would pick. The library selects it with
 * {@code -Dslf4j.provider}. Depends on slf4j-api only.
 */
package io.memfabric.nativeapi.log;
