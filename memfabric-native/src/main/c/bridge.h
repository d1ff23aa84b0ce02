/*
 * The library's internals: how a C function reaches its Java bridge method. Each API (common, BM, TRANS; SHM next)
 * names a Java class of static methods and the methods it calls (mf_api); the JVM module resolves them all once, when
 * it starts the JVM. A call is then: mf_env() (the thread's JNIEnv, attached once), one Call*StaticMethod with
 * primitive arguments (addresses cross as jlong), and mf_result() (a pending exception or a failure code becomes the
 * thread's last error). Errors never cross as exceptions: the Java side catches everything and returns a code.
 */
#ifndef MEMFABRIC_BRIDGE_H
#define MEMFABRIC_BRIDGE_H

#include <jni.h>
#include <stdint.h>

/* The public functions are the only symbols the library exports (it is built with -fvisibility=hidden). */
#pragma GCC visibility push(default)
#include "smem.h"
#include "smem_bm.h"
#include "smem_trans.h"
#pragma GCC visibility pop

/* A static method of a bridge class, resolved into *id when the JVM starts. */
typedef struct {
    const char *name;
    const char *signature;
    jmethodID *id;
} mf_method;

/* A bridge class and its methods (the list ends with a NULL name). */
typedef struct {
    const char *class_name;
    jclass *cls;
    const mf_method *methods;
} mf_api;

/* The APIs the JVM module resolves; an API is added by defining its table and naming it in jvm.c. */
extern const mf_api mf_common_api;
extern const mf_api mf_bm_api;
extern const mf_api mf_trans_api;

/* NativeCommon.takeLastError, used by mf_result for every API. */
extern jclass mf_common_class;
extern jmethodID mf_common_take_last_error;

/* The calling thread's JNIEnv once it is attached; NULL before. */
extern __thread JNIEnv *mf_tls_env;

/* Attaches the calling thread (starting the JVM on first use); NULL, with the last error set, when it cannot. */
JNIEnv *mf_env_slow(void);

static inline JNIEnv *mf_env(void) {
    JNIEnv *env = mf_tls_env;
    return __builtin_expect(env != NULL, 1) ? env : mf_env_slow();
}

/* Sets the calling thread's last error (printf format) and returns code. */
int32_t mf_fail(int32_t code, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* Copies a message into the calling thread's last error. */
void mf_error_set(const char *message);

/* Sets the last error from the pending Java exception (cleared), naming the call. */
void mf_error_from_exception(JNIEnv *env, const char *what);

/* Sets the last error from the Java side's message for this thread (NativeCommon.takeLastError). */
void mf_error_from_java(JNIEnv *env, const char *what);

/* After a bridge call that returned rc: a pending exception is SM_ERROR; any failure fetches the Java message. */
static inline int32_t mf_result(JNIEnv *env, jint rc, const char *what) {
    if (__builtin_expect((*env)->ExceptionCheck(env), 0)) {
        mf_error_from_exception(env, what);
        return SM_ERROR;
    }
    if (__builtin_expect(rc != 0, 0)) {
        mf_error_from_java(env, what);
    }
    return rc;
}

/* After a bridge call that returned a handle or an address: 0 means failure, whose message is fetched. */
static inline jlong mf_result_long(JNIEnv *env, jlong value, const char *what) {
    if ((*env)->ExceptionCheck(env)) {
        mf_error_from_exception(env, what);
        return 0;
    }
    if (value == 0) {
        mf_error_from_java(env, what);
    }
    return value;
}

/* A Java string of a C string (NULL stays NULL); NULL and the last error set when it cannot be made. */
jstring mf_string(JNIEnv *env, const char *text, const char *what);

/* The log level and sink, also read before the JVM runs (log.c). */
int mf_log_level(void);
void mf_log_register(JNIEnv *env);

#endif /* MEMFABRIC_BRIDGE_H */
