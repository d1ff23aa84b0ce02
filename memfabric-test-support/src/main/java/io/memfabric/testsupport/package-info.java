/**
 * Test harness shared by the modules' tests: test certificates (a CA, server and client certificates, a CRL), and
 * later real rank JVMs and free ports. Test scope only; depends on {@code memfabric-common}, JUnit and BouncyCastle.
 */
package io.memfabric.testsupport;
