/**
 * Error codes and the exception hierarchy shared by every memfabric module. Depends on nothing.
 */
package io.memfabric.error;
