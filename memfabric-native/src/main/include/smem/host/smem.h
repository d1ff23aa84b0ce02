/*
 * memfabric: the common functions of the C API (upstream's smem.h): the library's lifecycle, logging, the last error
 * of the calling thread and a standalone config store. Every function of smem.h, smem_bm.h and smem_trans.h runs in a
 * JVM that the library starts in this process on first use (see the README, "The C library").
 */
#ifndef MEMFABRIC_SMEM_H
#define MEMFABRIC_SMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Copy flags (smem_bm_copy, smem_trans_*): finish with smem_bm_wait; COPY_EXTEND_FLAG is accepted and ignored. */
#define ASYNC_COPY_FLAG (1UL << (0))
#define COPY_EXTEND_FLAG (1UL << (1))
/* The largest world size. */
#define SMEM_WORLD_SIZE_MAX 1024U
#define SMEM_INVALID_DEV_ID (-1)

/* Return codes of every int32_t function (upstream SMErrorCode). */
#define SM_OK 0
#define SM_ERROR (-1)
#define SM_INVALID_PARAM (-2000)
#define SM_MALLOC_FAILED (-2001)
#define SM_NEW_OBJECT_FAILED (-2002)
#define SM_NOT_STARTED (-2003)
#define SM_TIMEOUT (-2004)
#define SM_REPEAT_CALL (-2005)
#define SM_DUPLICATED_OBJECT (-2006)
#define SM_OBJECT_NOT_EXISTS (-2007)
#define SM_NOT_INITIALIZED (-2008)
#define SM_RESOURCE_IN_USE (-2009)
#define SM_RECONNECT (-2010)
#define SM_GET_OBJIECT (-2011)

/*
 * Starts the library: finds a JDK 25 (MEMFABRIC_JAVA_HOME, JAVA_HOME, /usr/lib/jvm/...) and starts its JVM in this
 * process, if no earlier call did. flags: reserved, 0. Returns 0, or SM_ERROR when no JVM can be started (the last
 * error says why). Any other function starts the JVM too; calling this first only reports a missing JDK early.
 */
int32_t smem_init(uint32_t flags);

/* Upstream clears its init flag; here too. The JVM keeps running until the process exits (a JVM cannot restart). */
void smem_uninit(void);

/*
 * Starts a standalone config store server in this process, listening on storeUrl (tcp://ip:port or
 * tcp://[ipv6]:port, port 1025..65535); it runs until the process exits. Returns SM_INVALID_PARAM for a null or
 * malformed URL, SM_ERROR when the server cannot start (e.g. the port is taken).
 */
int32_t smem_create_config_store(const char *storeUrl);

/*
 * Routes the library's log lines to func(level, message); level 0 DEBUG, 1 INFO, 2 WARN, 3 ERROR. func may be called
 * from any thread, the library's own included. Without one, lines go to standard error. NULL: SM_INVALID_PARAM.
 */
int32_t smem_set_extern_logger(void (*func)(int level, const char *msg));

/* Log level 0 (DEBUG) .. 3 (ERROR); default 3. Any other value: -1. */
int32_t smem_set_log_level(int level);

/* No-ops, as upstream's (TLS of the config store is configured through memfabric's store settings). Return 0. */
int32_t smem_set_conf_store_tls(bool enable, const char *tls_info, const uint32_t tls_info_len);
#ifdef __cplusplus
typedef int (*smem_decrypt_handler)(const char *cipherText, size_t cipherTextLen, char *plainText,
                                    size_t &plainTextLen);
#else
/* Upstream declares plainTextLen as a C++ reference (size_t &); a C caller passes its address. */
typedef int (*smem_decrypt_handler)(const char *cipherText, size_t cipherTextLen, char *plainText,
                                    size_t *plainTextLen);
#endif
int32_t smem_set_config_store_tls_key(const char *tls_pk, const uint32_t tls_pk_len, const char *tls_pk_pw,
                                      const uint32_t tls_pk_pw_len, const smem_decrypt_handler h);

/*
 * The last error message of the calling thread ("" when none): every failing call sets it, and it stays until the
 * thread's next failure. The pointer is valid until the thread's next call into the library.
 */
const char *smem_get_last_err_msg(void);

/* As smem_get_last_err_msg, and clears it: the next call returns "" until the thread fails again. */
const char *smem_get_and_clear_last_err_msg(void);

#ifdef __cplusplus
}
#endif

#endif /* MEMFABRIC_SMEM_H */
