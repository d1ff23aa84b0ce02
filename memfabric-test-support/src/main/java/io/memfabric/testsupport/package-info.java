/**
 * Test harness shared by the modules' tests: real rank JVMs ({@link io.memfabric.testsupport.RankProcess}), free
 * ports, test certificates. Depends on {@code memfabric-common} and JUnit only.
 */
package io.memfabric.testsupport;
