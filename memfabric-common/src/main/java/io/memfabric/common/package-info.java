/**
 * Lifecycle helpers, thread factories and wait strategies used by every module. Depends on nothing.
 */
package io.memfabric.common;
