/*
 * TRANS (upstream smem_trans.h) over io.memfabric.nativeapi.NativeTrans. C checks what only C can (NULL pointers,
 * sizes of 0, flags); the Java side checks the rest and names it in the thread's last error.
 *
 * A transfer names its peer by a C string. Making a Java string of it on every call would allocate on the data path,
 * so each thread keeps the Java strings of the last few peers it named (global references, matched by content).
 */
#include <string.h>

#include "bridge.h"

#define PEER_CACHE_SIZE 8
#define PEER_ID_MAX 128

static jclass trans_class;
static jmethodID init_method;
static jmethodID uninit_method;
static jmethodID create_method;
static jmethodID destroy_method;
static jmethodID malloc_method;
static jmethodID free_method;
static jmethodID register_method;
static jmethodID batch_register_method;
static jmethodID deregister_method;
static jmethodID transfer_method;
static jmethodID batch_transfer_method;

static const mf_method TRANS_METHODS[] = {
    {"init", "(IJJIIZ)I", &init_method},
    {"uninit", "(I)V", &uninit_method},
    {"create", "(Ljava/lang/String;Ljava/lang/String;IJJIIZ)J", &create_method},
    {"destroy", "(JI)V", &destroy_method},
    {"malloc", "(JJ)J", &malloc_method},
    {"free", "(JJ)I", &free_method},
    {"register", "(JJJI)I", &register_method},
    {"batchRegister", "(JJJII)I", &batch_register_method},
    {"deregister", "(JJ)I", &deregister_method},
    {"transfer", "(JZJLjava/lang/String;JJI)I", &transfer_method},
    {"batchTransfer", "(JZJLjava/lang/String;JJII)I", &batch_transfer_method},
    {NULL, NULL, NULL},
};

const mf_api mf_trans_api = {"io/memfabric/nativeapi/NativeTrans", &trans_class, TRANS_METHODS};

#define HANDLE(h) ((jlong) (uintptr_t) (h))
#define ADDRESS(p) ((jlong) (uintptr_t) (p))

typedef struct {
    char id[PEER_ID_MAX];
    jstring text;
} peer_entry;

static __thread peer_entry peer_cache[PEER_CACHE_SIZE];
static __thread unsigned peer_next;

/* The Java string of a peer's id: cached (a global reference) or, for a long id, a local one the caller deletes. */
static jstring peer_string(JNIEnv *env, const char *id, int *local) {
    *local = 0;
    size_t length = strnlen(id, PEER_ID_MAX);
    if (length < PEER_ID_MAX) {
        for (int i = 0; i < PEER_CACHE_SIZE; i++) {
            if (peer_cache[i].text != NULL && strcmp(peer_cache[i].id, id) == 0) {
                return peer_cache[i].text;
            }
        }
    }
    jstring made = mf_string(env, id, "smem_trans transfer");
    if (made == NULL || length >= PEER_ID_MAX) {
        *local = made != NULL;
        return made;
    }
    peer_entry *slot = &peer_cache[peer_next++ % PEER_CACHE_SIZE];
    if (slot->text != NULL) {
        (*env)->DeleteGlobalRef(env, slot->text);
    }
    slot->text = (jstring) (*env)->NewGlobalRef(env, made);
    (*env)->DeleteLocalRef(env, made);
    memcpy(slot->id, id, length + 1);
    return slot->text;
}

static int32_t null_handle(const char *what) {
    return mf_fail(SM_INVALID_PARAM, "%s: handle=NULL (expected: a handle from smem_trans_create)", what);
}

static int32_t check_flags(uint32_t flags, const char *what) {
    if (flags != 0 && flags != COPY_EXTEND_FLAG) {
        return mf_fail(SM_INVALID_PARAM, "%s: flags=0x%x (expected: 0 or COPY_EXTEND_FLAG)", what, flags);
    }
    return SM_OK;
}

int32_t smem_trans_config_init(smem_trans_config_t *config) {
    if (config == NULL) {
        return mf_fail(SM_INVALID_PARAM, "smem_trans_config_init: config=NULL (expected: a smem_trans_config_t)");
    }
    memset(config, 0, sizeof *config);
    config->role = SMEM_TRANS_SENDER;
    config->initTimeout = 120;
    config->deviceId = UINT32_MAX;
    config->flags = 0;
    config->dataOpType = SMEMB_DATA_OP_SDMA;
    config->startConfigServer = false;
    return SM_OK;
}

int32_t smem_trans_init(const smem_trans_config_t *config) {
    if (config == NULL) {
        return mf_fail(SM_INVALID_PARAM, "smem_trans_init: config=NULL (expected: a smem_trans_config_t, see "
                       "smem_trans_config_init)");
    }
    JNIEnv *env = mf_env();
    if (env == NULL) {
        return SM_ERROR;
    }
    jint rc = (*env)->CallStaticIntMethod(env, trans_class, init_method, (jint) config->role,
                                          (jlong) config->initTimeout, (jlong) config->deviceId, (jint) config->flags,
                                          (jint) config->dataOpType, (jboolean) config->startConfigServer);
    return mf_result(env, rc, "smem_trans_init");
}

void smem_trans_uninit(uint32_t flags) {
    if (trans_class == NULL) {
        return;
    }
    JNIEnv *env = mf_env();
    if (env != NULL) {
        (*env)->CallStaticVoidMethod(env, trans_class, uninit_method, (jint) flags);
        mf_result(env, 0, "smem_trans_uninit");
    }
}

smem_trans_t smem_trans_create(const char *storeUrl, const char *uniqueId, const smem_trans_config_t *config) {
    if (storeUrl == NULL || uniqueId == NULL || config == NULL) {
        mf_fail(SM_INVALID_PARAM, "smem_trans_create: storeUrl=%s uniqueId=%s config=%p (expected: a store URL, an "
                "ip:port id and a config)", storeUrl ? storeUrl : "NULL", uniqueId ? uniqueId : "NULL",
                (const void *) config);
        return NULL;
    }
    JNIEnv *env = mf_env();
    if (env == NULL) {
        return NULL;
    }
    jstring url = mf_string(env, storeUrl, "smem_trans_create");
    jstring id = url == NULL ? NULL : mf_string(env, uniqueId, "smem_trans_create");
    if (id == NULL) {
        return NULL;
    }
    jlong handle = (*env)->CallStaticLongMethod(env, trans_class, create_method, url, id, (jint) config->role,
                                                (jlong) config->initTimeout, (jlong) config->deviceId,
                                                (jint) config->flags, (jint) config->dataOpType,
                                                (jboolean) config->startConfigServer);
    (*env)->DeleteLocalRef(env, url);
    (*env)->DeleteLocalRef(env, id);
    return (smem_trans_t) (uintptr_t) mf_result_long(env, handle, "smem_trans_create");
}

void smem_trans_destroy(smem_trans_t handle, uint32_t flags) {
    if (handle == NULL) {
        null_handle("smem_trans_destroy");
        return;
    }
    JNIEnv *env = mf_env();
    if (env != NULL) {
        (*env)->CallStaticVoidMethod(env, trans_class, destroy_method, HANDLE(handle), (jint) flags);
        mf_result(env, 0, "smem_trans_destroy");
    }
}

void *smem_trans_malloc(smem_trans_t handle, size_t capacity) {
    if (handle == NULL) {
        null_handle("smem_trans_malloc");
        return NULL;
    }
    if (capacity == 0) {
        mf_fail(SM_INVALID_PARAM, "smem_trans_malloc: capacity=0 (expected: > 0)");
        return NULL;
    }
    JNIEnv *env = mf_env();
    if (env == NULL) {
        return NULL;
    }
    jlong address = (*env)->CallStaticLongMethod(env, trans_class, malloc_method, HANDLE(handle),
                                                 (jlong) (capacity > INT64_MAX ? INT64_MAX : capacity));
    return (void *) (uintptr_t) mf_result_long(env, address, "smem_trans_malloc");
}

int32_t smem_trans_free(smem_trans_t handle, void *address) {
    if (handle == NULL) {
        return null_handle("smem_trans_free");
    }
    if (address == NULL) {
        return mf_fail(SM_INVALID_PARAM, "smem_trans_free: address=NULL (expected: memory from smem_trans_malloc)");
    }
    JNIEnv *env = mf_env();
    if (env == NULL) {
        return SM_ERROR;
    }
    jint rc = (*env)->CallStaticIntMethod(env, trans_class, free_method, HANDLE(handle), ADDRESS(address));
    return mf_result(env, rc, "smem_trans_free");
}

int32_t smem_trans_register_mem(smem_trans_t handle, void *address, size_t capacity, uint32_t flags) {
    if (handle == NULL) {
        return null_handle("smem_trans_register_mem");
    }
    if (address == NULL || capacity == 0) {
        return mf_fail(SM_INVALID_PARAM, "smem_trans_register_mem: address=%p capacity=%zu (expected: non-NULL, > 0)",
                       address, capacity);
    }
    JNIEnv *env = mf_env();
    if (env == NULL) {
        return SM_ERROR;
    }
    jint rc = (*env)->CallStaticIntMethod(env, trans_class, register_method, HANDLE(handle), ADDRESS(address),
                                          (jlong) capacity, (jint) flags);
    return mf_result(env, rc, "smem_trans_register_mem");
}

int32_t smem_trans_batch_register_mem(smem_trans_t handle, void *addresses[], size_t capacities[], uint32_t count,
                                      uint32_t flags) {
    if (handle == NULL) {
        return null_handle("smem_trans_batch_register_mem");
    }
    if (addresses == NULL || capacities == NULL || count == 0 || count > INT32_MAX) {
        return mf_fail(SM_INVALID_PARAM, "smem_trans_batch_register_mem: addresses=%p capacities=%p count=%u "
                       "(expected: non-NULL arrays, count 1..%d)", (void *) addresses, (void *) capacities, count,
                       INT32_MAX);
    }
    JNIEnv *env = mf_env();
    if (env == NULL) {
        return SM_ERROR;
    }
    jint rc = (*env)->CallStaticIntMethod(env, trans_class, batch_register_method, HANDLE(handle),
                                          ADDRESS(addresses), ADDRESS(capacities), (jint) count, (jint) flags);
    return mf_result(env, rc, "smem_trans_batch_register_mem");
}

int32_t smem_trans_deregister_mem(smem_trans_t handle, void *address) {
    if (handle == NULL) {
        return null_handle("smem_trans_deregister_mem");
    }
    if (address == NULL) {
        return mf_fail(SM_INVALID_PARAM, "smem_trans_deregister_mem: address=NULL (expected: a registered address)");
    }
    JNIEnv *env = mf_env();
    if (env == NULL) {
        return SM_ERROR;
    }
    jint rc = (*env)->CallStaticIntMethod(env, trans_class, deregister_method, HANDLE(handle), ADDRESS(address));
    return mf_result(env, rc, "smem_trans_deregister_mem");
}

static int32_t transfer(smem_trans_t handle, jboolean write, const void *local, const char *peer, const void *remote,
                        size_t size, uint32_t flags, const char *what) {
    if (handle == NULL) {
        return null_handle(what);
    }
    if (local == NULL || peer == NULL || remote == NULL || size == 0) {
        return mf_fail(SM_INVALID_PARAM, "%s: localAddr=%p remoteUniqueId=%s remoteAddr=%p dataSize=%zu (expected: "
                       "non-NULL arguments, dataSize > 0)", what, local, peer ? peer : "NULL", remote, size);
    }
    if (check_flags(flags, what) != SM_OK) {
        return SM_INVALID_PARAM;
    }
    JNIEnv *env = mf_env();
    if (env == NULL) {
        return SM_ERROR;
    }
    int local_ref;
    jstring id = peer_string(env, peer, &local_ref);
    if (id == NULL) {
        return SM_ERROR;
    }
    jint rc = (*env)->CallStaticIntMethod(env, trans_class, transfer_method, HANDLE(handle), write, ADDRESS(local),
                                          id, ADDRESS(remote), (jlong) size, (jint) flags);
    if (local_ref) {
        (*env)->DeleteLocalRef(env, id);
    }
    return mf_result(env, rc, what);
}

static int32_t batch_transfer(smem_trans_t handle, jboolean write, const void *locals, const char *peer,
                              const void *remotes, const size_t *sizes, uint32_t count, uint32_t flags,
                              const char *what) {
    if (handle == NULL) {
        return null_handle(what);
    }
    if (locals == NULL || peer == NULL || remotes == NULL || sizes == NULL || count == 0 || count > INT32_MAX) {
        return mf_fail(SM_INVALID_PARAM, "%s: localAddrs=%p remoteUniqueId=%s remoteAddrs=%p dataSizes=%p "
                       "batchSize=%u (expected: non-NULL arguments, batchSize 1..%d)", what, locals,
                       peer ? peer : "NULL", remotes, (const void *) sizes, count, INT32_MAX);
    }
    if (check_flags(flags, what) != SM_OK) {
        return SM_INVALID_PARAM;
    }
    JNIEnv *env = mf_env();
    if (env == NULL) {
        return SM_ERROR;
    }
    int local_ref;
    jstring id = peer_string(env, peer, &local_ref);
    if (id == NULL) {
        return SM_ERROR;
    }
    jint rc = (*env)->CallStaticIntMethod(env, trans_class, batch_transfer_method, HANDLE(handle), write,
                                          ADDRESS(locals), id, ADDRESS(remotes), ADDRESS(sizes), (jint) count,
                                          (jint) flags);
    if (local_ref) {
        (*env)->DeleteLocalRef(env, id);
    }
    return mf_result(env, rc, what);
}

static int32_t check_stream(const void *stream, const char *what) {
    return stream == NULL ? mf_fail(SM_INVALID_PARAM, "%s: stream=NULL (expected: a stream; the transfer is done when "
                                    "the call returns)", what) : SM_OK;
}

int32_t smem_trans_write(smem_trans_t handle, const void *localAddr, const char *remoteUniqueId, void *remoteAddr,
                         size_t dataSize, uint32_t flags) {
    return transfer(handle, JNI_TRUE, localAddr, remoteUniqueId, remoteAddr, dataSize, flags, "smem_trans_write");
}

int32_t smem_trans_read(smem_trans_t handle, void *localAddr, const char *remoteUniqueId, const void *remoteAddr,
                        size_t dataSize, uint32_t flags) {
    return transfer(handle, JNI_FALSE, localAddr, remoteUniqueId, remoteAddr, dataSize, flags, "smem_trans_read");
}

int32_t smem_trans_batch_write(smem_trans_t handle, const void *localAddrs[], const char *remoteUniqueId,
                               void *remoteAddrs[], size_t dataSizes[], uint32_t batchSize, uint32_t flags) {
    return batch_transfer(handle, JNI_TRUE, localAddrs, remoteUniqueId, remoteAddrs, dataSizes, batchSize, flags,
                          "smem_trans_batch_write");
}

int32_t smem_trans_batch_read(smem_trans_t handle, void *localAddrs[], const char *remoteUniqueId,
                              const void *remoteAddrs[], size_t dataSizes[], uint32_t batchSize, uint32_t flags) {
    return batch_transfer(handle, JNI_FALSE, localAddrs, remoteUniqueId, remoteAddrs, dataSizes, batchSize, flags,
                          "smem_trans_batch_read");
}

int32_t smem_trans_write_submit(smem_trans_t handle, const void *localAddr, const char *remoteUniqueId,
                                void *remoteAddr, size_t dataSize, void *stream, uint32_t flags) {
    if (check_stream(stream, "smem_trans_write_submit") != SM_OK) {
        return SM_INVALID_PARAM;
    }
    return transfer(handle, JNI_TRUE, localAddr, remoteUniqueId, remoteAddr, dataSize, flags,
                    "smem_trans_write_submit");
}

int32_t smem_trans_read_submit(smem_trans_t handle, void *localAddr, const char *remoteUniqueId, const void *remoteAddr,
                               size_t dataSize, void *stream, uint32_t flags) {
    if (check_stream(stream, "smem_trans_read_submit") != SM_OK) {
        return SM_INVALID_PARAM;
    }
    return transfer(handle, JNI_FALSE, localAddr, remoteUniqueId, remoteAddr, dataSize, flags,
                    "smem_trans_read_submit");
}

int32_t smem_trans_batch_write_submit(smem_trans_t handle, const void *localAddrs[], const char *remoteUniqueId,
                                      void *remoteAddrs[], size_t dataSizes[], uint32_t batchSize, void *stream,
                                      uint32_t flags) {
    if (check_stream(stream, "smem_trans_batch_write_submit") != SM_OK) {
        return SM_INVALID_PARAM;
    }
    return batch_transfer(handle, JNI_TRUE, localAddrs, remoteUniqueId, remoteAddrs, dataSizes, batchSize, flags,
                          "smem_trans_batch_write_submit");
}

int32_t smem_trans_batch_read_submit(smem_trans_t handle, void *localAddrs[], const char *remoteUniqueId,
                                     const void *remoteAddrs[], size_t dataSizes[], uint32_t batchSize,
                                     void *stream, uint32_t flags) {
    if (check_stream(stream, "smem_trans_batch_read_submit") != SM_OK) {
        return SM_INVALID_PARAM;
    }
    return batch_transfer(handle, JNI_FALSE, localAddrs, remoteUniqueId, remoteAddrs, dataSizes, batchSize, flags,
                          "smem_trans_batch_read_submit");
}
