/*
 * Logging (upstream smem_set_log_level, smem_set_extern_logger): memfabric logs through SLF4J, and the JVM this
 * library starts uses memfabric's own SLF4J provider (io.memfabric.nativeapi.log), whose lines end here, in
 * LogSink.emit: to the caller's logger when one is set, else to standard error. The level lives here (set before or
 * after the JVM starts) and is pushed to the Java side, which filters before it formats anything.
 */
#include <stdio.h>
#include <time.h>

#include "bridge.h"

#define MF_LOG_DEBUG 0
#define MF_LOG_ERROR 3

static const char *const LEVEL_NAMES[] = {"DEBUG", "INFO", "WARN", "ERROR"};

static volatile int level = MF_LOG_ERROR;
static void (*volatile extern_logger)(int, const char *);
static jclass sink_class;
static jmethodID sink_set_level;

int mf_log_level(void) {
    return level;
}

static void JNICALL emit(JNIEnv *env, jclass cls, jint line_level, jstring message) {
    (void) cls;
    const char *text = message == NULL ? NULL : (*env)->GetStringUTFChars(env, message, NULL);
    void (*logger)(int, const char *) = extern_logger;
    if (logger != NULL) {
        logger((int) line_level, text != NULL ? text : "");
    } else {
        char stamp[32];
        time_t now = time(NULL);
        struct tm local;
        strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", localtime_r(&now, &local));
        int index = line_level < MF_LOG_DEBUG ? MF_LOG_DEBUG : line_level > MF_LOG_ERROR ? MF_LOG_ERROR : line_level;
        fprintf(stderr, "%s [memfabric] %s %s\n", stamp, LEVEL_NAMES[index], text != NULL ? text : "");
    }
    if (text != NULL) {
        (*env)->ReleaseStringUTFChars(env, message, text);
    }
}

void mf_log_register(JNIEnv *env) {
    jclass local = (*env)->FindClass(env, "io/memfabric/nativeapi/log/LogSink");
    if (local == NULL) {
        return;
    }
    sink_class = (jclass) (*env)->NewGlobalRef(env, local);
    (*env)->DeleteLocalRef(env, local);
    JNINativeMethod methods[] = {{"emit", "(ILjava/lang/String;)V", (void *) emit}};
    if ((*env)->RegisterNatives(env, sink_class, methods, 1) != 0) {
        return;
    }
    sink_set_level = (*env)->GetStaticMethodID(env, sink_class, "bind", "(I)V");
    if (sink_set_level != NULL) {
        (*env)->CallStaticVoidMethod(env, sink_class, sink_set_level, (jint) level);
    }
}

int32_t smem_set_log_level(int new_level) {
    if (new_level < MF_LOG_DEBUG || new_level > MF_LOG_ERROR) {
        return mf_fail(-1, "smem_set_log_level: level=%d (expected: 0 DEBUG, 1 INFO, 2 WARN or 3 ERROR)", new_level);
    }
    level = new_level;
    if (sink_set_level != NULL) {
        JNIEnv *env = mf_env();
        if (env != NULL) {
            (*env)->CallStaticVoidMethod(env, sink_class, sink_set_level, (jint) new_level);
            if ((*env)->ExceptionCheck(env)) {
                mf_error_from_exception(env, "smem_set_log_level");
                return SM_ERROR;
            }
        }
    }
    return SM_OK;
}

int32_t smem_set_extern_logger(void (*func)(int level, const char *msg)) {
    if (func == NULL) {
        return mf_fail(SM_INVALID_PARAM, "smem_set_extern_logger: func=NULL (expected: a function)");
    }
    extern_logger = func;
    return SM_OK;
}
