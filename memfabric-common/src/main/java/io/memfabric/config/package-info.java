/**
 * Setting names, defaults and parsing: system property, then environment variable, then default. Depends on
 * {@code io.memfabric.error} only.
 */
package io.memfabric.config;
