/*
 * The last error of each thread (upstream smem_get_last_err_msg): one message per thread, overwritten by each failure.
 * Two buffers per thread: get-and-clear returns a copy, so that the pointer stays valid after the slot is cleared.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bridge.h"

/* Longer messages are cut (with "..."): a message names values, rarely more than a few hundred bytes. */
#define MF_ERROR_BYTES 4096

static __thread char last_error[MF_ERROR_BYTES];
static __thread char returned_error[MF_ERROR_BYTES];

void mf_error_set(const char *message) {
    size_t length = strlen(message);
    if (length >= MF_ERROR_BYTES) {
        memcpy(last_error, message, MF_ERROR_BYTES - 4);
        memcpy(last_error + MF_ERROR_BYTES - 4, "...", 4);
    } else {
        memcpy(last_error, message, length + 1);
    }
}

int32_t mf_fail(int32_t code, const char *format, ...) {
    char message[MF_ERROR_BYTES];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    mf_error_set(message);
    return code;
}

void mf_error_from_exception(JNIEnv *env, const char *what) {
    jthrowable thrown = (*env)->ExceptionOccurred(env);
    (*env)->ExceptionClear(env);
    char message[MF_ERROR_BYTES];
    snprintf(message, sizeof message, "%s: unexpected Java exception in the bridge", what);
    if (thrown != NULL) {
        jclass type = (*env)->GetObjectClass(env, thrown);
        jmethodID to_string = (*env)->GetMethodID(env, type, "toString", "()Ljava/lang/String;");
        jstring text = to_string == NULL ? NULL : (jstring) (*env)->CallObjectMethod(env, thrown, to_string);
        if (!(*env)->ExceptionCheck(env) && text != NULL) {
            const char *chars = (*env)->GetStringUTFChars(env, text, NULL);
            if (chars != NULL) {
                snprintf(message, sizeof message, "%s: unexpected Java exception in the bridge: %s", what, chars);
                (*env)->ReleaseStringUTFChars(env, text, chars);
            }
        }
        (*env)->ExceptionClear(env);
        (*env)->DeleteLocalRef(env, text);
        (*env)->DeleteLocalRef(env, type);
        (*env)->DeleteLocalRef(env, thrown);
    }
    mf_error_set(message);
}

void mf_error_from_java(JNIEnv *env, const char *what) {
    jstring text = (jstring) (*env)->CallStaticObjectMethod(env, mf_common_class, mf_common_take_last_error);
    if ((*env)->ExceptionCheck(env)) {
        mf_error_from_exception(env, what);
        return;
    }
    if (text == NULL) {
        mf_fail(SM_ERROR, "%s failed (no message)", what);
        return;
    }
    const char *chars = (*env)->GetStringUTFChars(env, text, NULL);
    if (chars != NULL) {
        mf_error_set(chars);
        (*env)->ReleaseStringUTFChars(env, text, chars);
    }
    (*env)->DeleteLocalRef(env, text);
}

jstring mf_string(JNIEnv *env, const char *text, const char *what) {
    if (text == NULL) {
        return NULL;
    }
    jstring result = (*env)->NewStringUTF(env, text);
    if (result == NULL) {
        mf_error_from_exception(env, what);
    }
    return result;
}

const char *smem_get_last_err_msg(void) {
    return last_error;
}

const char *smem_get_and_clear_last_err_msg(void) {
    memcpy(returned_error, last_error, strlen(last_error) + 1);
    last_error[0] = '\0';
    return returned_error;
}
