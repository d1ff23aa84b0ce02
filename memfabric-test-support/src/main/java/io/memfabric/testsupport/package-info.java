/**
 * Test harness shared by the modules' tests: real rank JVMs ({@link io.memfabric.testsupport.RankProcess}), free
 * ports ({@link io.memfabric.testsupport.FreePorts}) and test certificates (a CA, server and client certificates, a
 * CRL). Test scope only; depends on {@code memfabric-common}, JUnit and BouncyCastle.
 */
package io.memfabric.testsupport;
