/*
 * BM (upstream smem_bm.h) over io.memfabric.nativeapi.NativeBm. What only C can check (NULL pointers, the copy type's
 * range) is checked here, with upstream's codes; everything else — initialisation, handles, sizes, ranges — by the Java
 * side, which names the bad value in the thread's last error.
 */
#include <string.h>

#include "bridge.h"

static jclass bm_class;
static jmethodID init_method;
static jmethodID uninit_method;
static jmethodID rank_id_method;
static jmethodID create_method;
static jmethodID destroy_method;
static jmethodID join_method;
static jmethodID leave_method;
static jmethodID local_mem_size_method;
static jmethodID ptr_method;
static jmethodID local_ptr_method;
static jmethodID copy_method;
static jmethodID copy_batch_method;
static jmethodID wait_method;
static jmethodID register_method;
static jmethodID unregister_method;
static jmethodID rank_by_gva_method;

static const mf_method BM_METHODS[] = {
    {"init", "(Ljava/lang/String;IIJJJZZZZILjava/lang/String;I)I", &init_method},
    {"uninit", "(I)V", &uninit_method},
    {"rankId", "()J", &rank_id_method},
    {"create", "(IJJJJIILjava/lang/String;)J", &create_method},
    {"destroy", "(J)V", &destroy_method},
    {"join", "(JI)I", &join_method},
    {"leave", "(JI)I", &leave_method},
    {"localMemSize", "(JI)J", &local_mem_size_method},
    {"ptr", "(JII)J", &ptr_method},
    {"localPtr", "(JI)J", &local_ptr_method},
    {"copy", "(JJJJII)I", &copy_method},
    {"copyBatch", "(JJJJIII)I", &copy_batch_method},
    {"await", "(J)I", &wait_method},
    {"register", "(JJJ)I", &register_method},
    {"unregister", "(JJ)I", &unregister_method},
    {"rankByGva", "(JJ)I", &rank_by_gva_method},
    {NULL, NULL, NULL},
};

const mf_api mf_bm_api = {"io/memfabric/nativeapi/NativeBm", &bm_class, BM_METHODS};

#define HANDLE(h) ((jlong) (uintptr_t) (h))
#define ADDRESS(p) ((jlong) (uintptr_t) (p))

static int32_t null_handle(const char *what) {
    return mf_fail(SM_INVALID_PARAM, "%s: handle=NULL (expected: a handle from smem_bm_create)", what);
}

int32_t smem_bm_config_init(smem_bm_config_t *config) {
    if (config == NULL) {
        return mf_fail(SM_INVALID_PARAM, "smem_bm_config_init: config=NULL (expected: a smem_bm_config_t)");
    }
    memset(config, 0, sizeof *config);
    config->initTimeout = 120;
    config->createTimeout = 120;
    config->controlOperationTimeout = 120;
    config->startConfigStoreServer = true;
    config->startConfigStoreOnly = false;
    config->dynamicWorldSize = false;
    config->unifiedAddressSpace = true;
    config->autoRanking = true;
    config->rankId = UINT16_MAX;
    config->flags = 0;
    return SM_OK;
}

int32_t smem_bm_init(const char *storeURL, uint32_t worldSize, uint16_t deviceId, const smem_bm_config_t *config) {
    if (storeURL == NULL) {
        return mf_fail(SM_INVALID_PARAM, "smem_bm_init: storeURL=NULL (expected: tcp://ip:port)");
    }
    if (config == NULL) {
        return mf_fail(SM_INVALID_PARAM, "smem_bm_init: config=NULL (expected: a smem_bm_config_t, see "
                       "smem_bm_config_init)");
    }
    if (worldSize == 0 || worldSize > SMEM_WORLD_SIZE_MAX) {
        return mf_fail(SM_INVALID_PARAM, "smem_bm_init: worldSize=%u (expected: 1..%u)", worldSize,
                       SMEM_WORLD_SIZE_MAX);
    }
    if (!config->unifiedAddressSpace) {
        return mf_fail(SM_INVALID_PARAM, "smem_bm_init: config->unifiedAddressSpace=false (expected: true)");
    }
    if (memchr(config->hcomUrl, '\0', sizeof config->hcomUrl) == NULL) {
        return mf_fail(SM_INVALID_PARAM, "smem_bm_init: config->hcomUrl is not terminated within its 64 bytes");
    }
    JNIEnv *env = mf_env();
    if (env == NULL) {
        return SM_ERROR;
    }
    jstring url = mf_string(env, storeURL, "smem_bm_init");
    jstring hcom = url == NULL ? NULL : mf_string(env, config->hcomUrl, "smem_bm_init");
    if (hcom == NULL) {
        return SM_ERROR;
    }
    jint rc = (*env)->CallStaticIntMethod(env, bm_class, init_method, url, (jint) worldSize, (jint) deviceId,
                                          (jlong) config->initTimeout, (jlong) config->createTimeout,
                                          (jlong) config->controlOperationTimeout,
                                          (jboolean) config->startConfigStoreServer,
                                          (jboolean) config->startConfigStoreOnly, (jboolean) config->dynamicWorldSize,
                                          (jboolean) config->autoRanking, (jint) config->rankId, hcom,
                                          (jint) config->flags);
    (*env)->DeleteLocalRef(env, url);
    (*env)->DeleteLocalRef(env, hcom);
    return mf_result(env, rc, "smem_bm_init");
}

void smem_bm_uninit(uint32_t flags) {
    if (bm_class == NULL) {
        return; /* the JVM never started: nothing was initialised */
    }
    JNIEnv *env = mf_env();
    if (env != NULL) {
        (*env)->CallStaticVoidMethod(env, bm_class, uninit_method, (jint) flags);
        mf_result(env, 0, "smem_bm_uninit");
    }
}

uint32_t smem_bm_get_rank_id(void) {
    JNIEnv *env = mf_env();
    if (env == NULL) {
        return UINT32_MAX;
    }
    jlong rank = (*env)->CallStaticLongMethod(env, bm_class, rank_id_method);
    if ((*env)->ExceptionCheck(env)) {
        mf_error_from_exception(env, "smem_bm_get_rank_id");
        return UINT32_MAX;
    }
    return (uint32_t) rank;
}

static smem_bm_t create(uint32_t id, const smem_bm_create_option_t *option, const char *what) {
    if (memchr(option->tag, '\0', sizeof option->tag) == NULL) {
        mf_fail(SM_INVALID_PARAM, "%s: option->tag is not terminated within its 32 bytes", what);
        return NULL;
    }
    JNIEnv *env = mf_env();
    if (env == NULL) {
        return NULL;
    }
    jstring tag = mf_string(env, option->tag, what);
    if (tag == NULL) {
        return NULL;
    }
    jlong handle = (*env)->CallStaticLongMethod(env, bm_class, create_method, (jint) id, (jlong) option->maxDramSize,
                                                (jlong) option->maxHbmSize, (jlong) option->localDRAMSize,
                                                (jlong) option->localHBMSize, (jint) option->dataOpType,
                                                (jint) option->flags, tag);
    (*env)->DeleteLocalRef(env, tag);
    return (smem_bm_t) (uintptr_t) mf_result_long(env, handle, what);
}

smem_bm_t smem_bm_create(uint32_t id, uint32_t memberSize, smem_bm_data_op_type dataOpType, uint64_t localDRAMSize,
                         uint64_t localHBMSize, uint32_t flags) {
    (void) memberSize;
    smem_bm_create_option_t option;
    memset(&option, 0, sizeof option);
    option.maxDramSize = localDRAMSize;
    option.maxHbmSize = localHBMSize;
    option.localDRAMSize = localDRAMSize;
    option.localHBMSize = localHBMSize;
    option.dataOpType = dataOpType;
    option.flags = flags & ~SMEM_BM_FLAG_CREATE_WITH_SHM;
    option.dramShmFd = -1;
    return create(id, &option, "smem_bm_create");
}

smem_bm_t smem_bm_create2(uint32_t id, const smem_bm_create_option_t *option) {
    if (option == NULL) {
        mf_fail(SM_INVALID_PARAM, "smem_bm_create2: option=NULL (expected: a smem_bm_create_option_t)");
        return NULL;
    }
    return create(id, option, "smem_bm_create2");
}

void smem_bm_destroy(smem_bm_t handle) {
    if (handle == NULL) {
        null_handle("smem_bm_destroy");
        return;
    }
    JNIEnv *env = mf_env();
    if (env != NULL) {
        (*env)->CallStaticVoidMethod(env, bm_class, destroy_method, HANDLE(handle));
        mf_result(env, 0, "smem_bm_destroy");
    }
}

static int32_t membership(smem_bm_t handle, uint32_t flags, jmethodID method, const char *what) {
    if (handle == NULL) {
        return null_handle(what);
    }
    JNIEnv *env = mf_env();
    if (env == NULL) {
        return SM_ERROR;
    }
    jint rc = (*env)->CallStaticIntMethod(env, bm_class, method, HANDLE(handle), (jint) flags);
    return mf_result(env, rc, what);
}

int32_t smem_bm_join(smem_bm_t handle, uint32_t flags) {
    return membership(handle, flags, join_method, "smem_bm_join");
}

int32_t smem_bm_leave(smem_bm_t handle, uint32_t flags) {
    return membership(handle, flags, leave_method, "smem_bm_leave");
}

uint64_t smem_bm_get_local_mem_size_by_mem_type(smem_bm_t handle, smem_bm_mem_type memType) {
    if (handle == NULL) {
        null_handle("smem_bm_get_local_mem_size_by_mem_type");
        return 0;
    }
    JNIEnv *env = mf_env();
    if (env == NULL) {
        return 0;
    }
    /* 0 is an answer here (no memory of that type): the Java side says -1 for a failure. */
    jlong size = (*env)->CallStaticLongMethod(env, bm_class, local_mem_size_method, HANDLE(handle), (jint) memType);
    if (mf_result(env, size < 0 ? SM_ERROR : SM_OK, "smem_bm_get_local_mem_size_by_mem_type") != SM_OK) {
        return 0;
    }
    return (uint64_t) size;
}

void *smem_bm_ptr_by_mem_type(smem_bm_t handle, smem_bm_mem_type memType, uint16_t peerRankId) {
    if (handle == NULL) {
        null_handle("smem_bm_ptr_by_mem_type");
        return NULL;
    }
    JNIEnv *env = mf_env();
    if (env == NULL) {
        return NULL;
    }
    jlong gva = (*env)->CallStaticLongMethod(env, bm_class, ptr_method, HANDLE(handle), (jint) memType,
                                             (jint) peerRankId);
    return (void *) (uintptr_t) mf_result_long(env, gva, "smem_bm_ptr_by_mem_type");
}

void *smem_bm_local_ptr_by_mem_type(smem_bm_t handle, smem_bm_mem_type memType) {
    if (handle == NULL) {
        null_handle("smem_bm_local_ptr_by_mem_type");
        return NULL;
    }
    JNIEnv *env = mf_env();
    if (env == NULL) {
        return NULL;
    }
    jlong address = (*env)->CallStaticLongMethod(env, bm_class, local_ptr_method, HANDLE(handle), (jint) memType);
    return (void *) (uintptr_t) mf_result_long(env, address, "smem_bm_local_ptr_by_mem_type");
}

static int32_t check_copy_type(smem_bm_copy_type t, const char *what) {
    if ((int) t < 0 || t >= SMEMB_COPY_BUTT) {
        return mf_fail(SM_INVALID_PARAM, "%s: t=%d (expected: SMEMB_COPY_L2G 0 .. SMEMB_COPY_AUTO 9)", what, (int) t);
    }
    return SM_OK;
}

int32_t smem_bm_copy(smem_bm_t handle, smem_copy_params *params, smem_bm_copy_type t, uint32_t flags) {
    if (handle == NULL) {
        return null_handle("smem_bm_copy");
    }
    if (params == NULL || params->src == NULL || params->dest == NULL || params->dataSize == 0) {
        return mf_fail(SM_INVALID_PARAM, "smem_bm_copy: params=%p src=%p dest=%p dataSize=%zu (expected: non-NULL "
                       "addresses and dataSize > 0)", (void *) params, params ? params->src : NULL,
                       params ? params->dest : NULL, params ? params->dataSize : 0);
    }
    if (check_copy_type(t, "smem_bm_copy") != SM_OK) {
        return SM_INVALID_PARAM;
    }
    JNIEnv *env = mf_env();
    if (env == NULL) {
        return SM_ERROR;
    }
    jint rc = (*env)->CallStaticIntMethod(env, bm_class, copy_method, HANDLE(handle), ADDRESS(params->src),
                                          ADDRESS(params->dest), (jlong) params->dataSize, (jint) t, (jint) flags);
    return mf_result(env, rc, "smem_bm_copy");
}

int32_t smem_bm_copy_batch(smem_bm_t handle, smem_batch_copy_params *params, smem_bm_copy_type t, uint32_t flags) {
    if (handle == NULL) {
        return null_handle("smem_bm_copy_batch");
    }
    if (params == NULL || params->sources == NULL || params->destinations == NULL || params->dataSizes == NULL
        || params->batchSize == 0) {
        return mf_fail(SM_INVALID_PARAM, "smem_bm_copy_batch: params=%p (expected: non-NULL sources, destinations "
                       "and dataSizes, batchSize > 0)", (void *) params);
    }
    if (params->batchSize > INT32_MAX) {
        return mf_fail(SM_INVALID_PARAM, "smem_bm_copy_batch: batchSize=%u (expected: <= %d)", params->batchSize,
                       INT32_MAX);
    }
    if (check_copy_type(t, "smem_bm_copy_batch") != SM_OK) {
        return SM_INVALID_PARAM;
    }
    JNIEnv *env = mf_env();
    if (env == NULL) {
        return SM_ERROR;
    }
    jint rc = (*env)->CallStaticIntMethod(env, bm_class, copy_batch_method, HANDLE(handle),
                                          ADDRESS(params->sources), ADDRESS(params->destinations),
                                          ADDRESS(params->dataSizes), (jint) params->batchSize, (jint) t,
                                          (jint) flags);
    return mf_result(env, rc, "smem_bm_copy_batch");
}

int32_t smem_bm_wait(smem_bm_t handle) {
    if (handle == NULL) {
        return null_handle("smem_bm_wait");
    }
    JNIEnv *env = mf_env();
    if (env == NULL) {
        return SM_ERROR;
    }
    jint rc = (*env)->CallStaticIntMethod(env, bm_class, wait_method, HANDLE(handle));
    return mf_result(env, rc, "smem_bm_wait");
}

int32_t smem_bm_register_user_mem(smem_bm_t handle, uint64_t addr, uint64_t size) {
    if (handle == NULL) {
        return null_handle("smem_bm_register_user_mem");
    }
    if (addr == 0 || size == 0) {
        return mf_fail(SM_INVALID_PARAM, "smem_bm_register_user_mem: addr=0x%llx size=%llu (expected: non-zero)",
                       (unsigned long long) addr, (unsigned long long) size);
    }
    JNIEnv *env = mf_env();
    if (env == NULL) {
        return SM_ERROR;
    }
    jint rc = (*env)->CallStaticIntMethod(env, bm_class, register_method, HANDLE(handle), (jlong) addr,
                                          (jlong) size);
    return mf_result(env, rc, "smem_bm_register_user_mem");
}

int32_t smem_bm_unregister_user_mem(smem_bm_t handle, uint64_t addr) {
    if (handle == NULL) {
        return null_handle("smem_bm_unregister_user_mem");
    }
    if (addr == 0) {
        return mf_fail(SM_INVALID_PARAM, "smem_bm_unregister_user_mem: addr=0 (expected: a registered address)");
    }
    JNIEnv *env = mf_env();
    if (env == NULL) {
        return SM_ERROR;
    }
    jint rc = (*env)->CallStaticIntMethod(env, bm_class, unregister_method, HANDLE(handle), (jlong) addr);
    return mf_result(env, rc, "smem_bm_unregister_user_mem");
}

uint32_t smem_bm_get_rank_id_by_gva(smem_bm_t handle, void *gva) {
    if (handle == NULL) {
        return (uint32_t) null_handle("smem_bm_get_rank_id_by_gva");
    }
    JNIEnv *env = mf_env();
    if (env == NULL) {
        return (uint32_t) SM_ERROR;
    }
    jint rank = (*env)->CallStaticIntMethod(env, bm_class, rank_by_gva_method, HANDLE(handle), ADDRESS(gva));
    if ((*env)->ExceptionCheck(env)) {
        mf_error_from_exception(env, "smem_bm_get_rank_id_by_gva");
        return (uint32_t) SM_ERROR;
    }
    if (rank == SM_INVALID_PARAM || rank == SM_NOT_INITIALIZED) {
        mf_error_from_java(env, "smem_bm_get_rank_id_by_gva");
    }
    return (uint32_t) rank;
}
