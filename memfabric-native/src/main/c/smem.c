/*
 * The common functions (upstream smem.h): init starts the JVM, so that a missing JDK is reported at once; the config
 * store runs in this process until it exits.
 */
#include "bridge.h"

jclass mf_common_class;
jmethodID mf_common_take_last_error;
static jmethodID init_method;
static jmethodID uninit_method;
static jmethodID create_config_store_method;

static const mf_method COMMON_METHODS[] = {
    {"takeLastError", "()Ljava/lang/String;", &mf_common_take_last_error},
    {"init", "(I)I", &init_method},
    {"uninit", "()V", &uninit_method},
    {"createConfigStore", "(Ljava/lang/String;)I", &create_config_store_method},
    {NULL, NULL, NULL},
};

const mf_api mf_common_api = {"io/memfabric/nativeapi/NativeCommon", &mf_common_class, COMMON_METHODS};

int32_t smem_init(uint32_t flags) {
    JNIEnv *env = mf_env();
    if (env == NULL) {
        return SM_ERROR;
    }
    jint rc = (*env)->CallStaticIntMethod(env, mf_common_class, init_method, (jint) flags);
    return mf_result(env, rc, "smem_init");
}

void smem_uninit(void) {
    if (mf_tls_env == NULL && mf_common_class == NULL) {
        return; /* never started: nothing to tell the Java side */
    }
    JNIEnv *env = mf_env();
    if (env != NULL) {
        (*env)->CallStaticVoidMethod(env, mf_common_class, uninit_method);
        mf_result(env, 0, "smem_uninit");
    }
}

int32_t smem_create_config_store(const char *storeUrl) {
    if (storeUrl == NULL) {
        return mf_fail(SM_INVALID_PARAM, "smem_create_config_store: storeUrl=NULL (expected: tcp://ip:port)");
    }
    JNIEnv *env = mf_env();
    if (env == NULL) {
        return SM_ERROR;
    }
    jstring url = mf_string(env, storeUrl, "smem_create_config_store");
    if (url == NULL) {
        return SM_ERROR;
    }
    jint rc = (*env)->CallStaticIntMethod(env, mf_common_class, create_config_store_method, url);
    (*env)->DeleteLocalRef(env, url);
    return mf_result(env, rc, "smem_create_config_store");
}

int32_t smem_set_conf_store_tls(bool enable, const char *tls_info, const uint32_t tls_info_len) {
    (void) enable;
    (void) tls_info;
    (void) tls_info_len;
    return SM_OK;
}

int32_t smem_set_config_store_tls_key(const char *tls_pk, const uint32_t tls_pk_len, const char *tls_pk_pw,
                                      const uint32_t tls_pk_pw_len, const smem_decrypt_handler h) {
    (void) tls_pk;
    (void) tls_pk_len;
    (void) tls_pk_pw;
    (void) tls_pk_pw_len;
    (void) h;
    return SM_OK;
}
