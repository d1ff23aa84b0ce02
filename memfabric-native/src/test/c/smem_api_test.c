/*
 * The C API's argument rules and error codes in one process per case (upstream's smem_bm_test.cpp and
 * smem_last_error_test.cpp lists, test/ut/testcase/smem): bad arguments return upstream's codes and never crash; the
 * last error is per thread; then every copy direction within a world of one rank, and the logging hooks.
 */
#include <pthread.h>
#include <stdint.h>

#include "smem_bm.h"
#include "smem_trans.h"
#include "harness.h"

#define FAKE_HANDLE ((void *) 0x1234)
#define SLOT (4 << 20)

static char store_url[64];

static void bm_config_defaults(void) {
    smem_bm_config_t config;
    memset(&config, 0xAB, sizeof config);
    CHECK_EQ(smem_bm_config_init(&config), SM_OK);
    CHECK_EQ(config.initTimeout, 120);
    CHECK_EQ(config.createTimeout, 120);
    CHECK_EQ(config.controlOperationTimeout, 120);
    CHECK(config.startConfigStoreServer, "startConfigStoreServer");
    CHECK(!config.startConfigStoreOnly, "startConfigStoreOnly");
    CHECK(!config.dynamicWorldSize, "dynamicWorldSize");
    CHECK(config.unifiedAddressSpace, "unifiedAddressSpace");
    CHECK(config.autoRanking, "autoRanking");
    CHECK_EQ(config.rankId, UINT16_MAX);
    CHECK_EQ(config.flags, 0);
    CHECK_EQ(config.hcomUrl[0], '\0');
    CHECK_EQ(smem_bm_config_init(NULL), SM_INVALID_PARAM);
}

static void bm_init_rejects_bad_arguments(void) {
    smem_bm_config_t config;
    smem_bm_config_init(&config);
    CHECK_EQ(smem_bm_init(NULL, 1, 0, &config), SM_INVALID_PARAM);
    CHECK_EQ(smem_bm_init(store_url, 0, 0, &config), SM_INVALID_PARAM);
    CHECK_EQ(smem_bm_init(store_url, SMEM_WORLD_SIZE_MAX + 1, 0, &config), SM_INVALID_PARAM);
    CHECK_EQ(smem_bm_init(store_url, 1, 0, NULL), SM_INVALID_PARAM);
    config.unifiedAddressSpace = false;
    CHECK_EQ(smem_bm_init(store_url, 1, 0, &config), SM_INVALID_PARAM);
    smem_bm_config_init(&config);
    config.controlOperationTimeout = 0;
    CHECK_EQ(smem_bm_init(store_url, 1, 0, &config), SM_INVALID_PARAM);
    smem_bm_config_init(&config);
    CHECK_EQ(smem_bm_init("http://127.0.0.1:80", 1, 0, &config), SM_INVALID_PARAM);
    CHECK(strstr(smem_get_last_err_msg(), "http://127.0.0.1:80") != NULL, "the message names the URL");
    config.autoRanking = false;
    config.rankId = 3;
    CHECK_EQ(smem_bm_init(store_url, 2, 0, &config), SM_INVALID_PARAM);
    smem_bm_config_init(&config);
    strcpy(config.hcomUrl, "udp://1.2.3.4:5");
    CHECK_EQ(smem_bm_init(store_url, 1, 0, &config), SM_INVALID_PARAM);
}

static void bm_calls_before_init(void) {
    CHECK(smem_bm_create(0, 0, SMEMB_DATA_OP_SDMA, SLOT, SLOT, 0) == NULL, "create before init");
    CHECK(strstr(smem_get_last_err_msg(), "NOT_INITIALIZED") != NULL, "message");
    smem_bm_create_option_t option = {.maxDramSize = SLOT, .maxHbmSize = SLOT, .localDRAMSize = SLOT,
                                      .localHBMSize = SLOT, .dataOpType = SMEMB_DATA_OP_SDMA};
    CHECK(smem_bm_create2(0, &option) == NULL, "create2 before init");
    CHECK(smem_bm_create2(0, NULL) == NULL, "create2 with NULL");
    CHECK_EQ(smem_bm_get_rank_id(), UINT32_MAX);
    /* NULL handles: upstream's codes and values. */
    CHECK_EQ(smem_bm_get_local_mem_size_by_mem_type(NULL, SMEM_MEM_TYPE_HOST), 0);
    CHECK(smem_bm_ptr_by_mem_type(NULL, SMEM_MEM_TYPE_HOST, 0) == NULL, "ptr of NULL");
    CHECK(smem_bm_ptr_by_mem_type(FAKE_HANDLE, SMEM_MEM_TYPE_HOST, 0) == NULL, "ptr of a fake handle");
    CHECK_EQ(smem_bm_get_local_mem_size_by_mem_type(FAKE_HANDLE, SMEM_MEM_TYPE_HOST), 0);
    char buffer[64];
    smem_copy_params params = {buffer, buffer, sizeof buffer};
    void *pointers[1] = {buffer};
    uint64_t sizes[1] = {64};
    smem_batch_copy_params batch = {pointers, pointers, sizes, 1};
    CHECK_EQ(smem_bm_copy(NULL, &params, SMEMB_COPY_H2G, 0), SM_INVALID_PARAM);
    CHECK_EQ(smem_bm_copy(FAKE_HANDLE, NULL, SMEMB_COPY_H2G, 0), SM_INVALID_PARAM);
    CHECK_EQ(smem_bm_copy_batch(NULL, &batch, SMEMB_COPY_H2G, 0), SM_INVALID_PARAM);
    CHECK_EQ(smem_bm_copy_batch(FAKE_HANDLE, NULL, SMEMB_COPY_H2G, 0), SM_INVALID_PARAM);
    CHECK_EQ(smem_bm_wait(NULL), SM_INVALID_PARAM);
    CHECK_EQ(smem_bm_register_user_mem(NULL, (uint64_t) (uintptr_t) buffer, 64), SM_INVALID_PARAM);
    CHECK_EQ(smem_bm_register_user_mem(FAKE_HANDLE, 0, 64), SM_INVALID_PARAM);
    CHECK_EQ(smem_bm_unregister_user_mem(NULL, (uint64_t) (uintptr_t) buffer), SM_INVALID_PARAM);
    CHECK_EQ(smem_bm_unregister_user_mem(FAKE_HANDLE, 0), SM_INVALID_PARAM);
    CHECK_EQ(smem_bm_join(NULL, 0), SM_INVALID_PARAM);
    CHECK_EQ(smem_bm_leave(NULL, 0), SM_INVALID_PARAM);
    /* A fake handle before init: SM_NOT_INITIALIZED. */
    CHECK_EQ(smem_bm_copy(FAKE_HANDLE, &params, SMEMB_COPY_H2G, 0), SM_NOT_INITIALIZED);
    CHECK_EQ(smem_bm_copy_batch(FAKE_HANDLE, &batch, SMEMB_COPY_H2G, 0), SM_NOT_INITIALIZED);
    CHECK_EQ(smem_bm_wait(FAKE_HANDLE), SM_NOT_INITIALIZED);
    CHECK_EQ(smem_bm_register_user_mem(FAKE_HANDLE, (uint64_t) (uintptr_t) buffer, 64), SM_NOT_INITIALIZED);
    CHECK_EQ(smem_bm_unregister_user_mem(FAKE_HANDLE, (uint64_t) (uintptr_t) buffer), SM_NOT_INITIALIZED);
    CHECK_EQ(smem_bm_join(FAKE_HANDLE, 0), SM_NOT_INITIALIZED);
    CHECK_EQ(smem_bm_get_rank_id_by_gva(NULL, buffer), (uint32_t) SM_INVALID_PARAM);
    CHECK_EQ(smem_bm_get_rank_id_by_gva(FAKE_HANDLE, buffer), (uint32_t) SM_NOT_INITIALIZED);
    smem_bm_destroy(NULL);
    smem_bm_destroy(FAKE_HANDLE);
    smem_bm_uninit(0);
    smem_trans_uninit(0);
    smem_uninit();
}

static void uninit_without_init_is_safe(void) {
    smem_bm_uninit(0);
    smem_trans_uninit(0);
    smem_uninit();
    smem_bm_uninit(0);
}

static void *other_thread_error(void *unused) {
    (void) unused;
    /* A fresh thread has no error, whatever the other threads did. */
    if (strcmp(smem_get_last_err_msg(), "") != 0) {
        return (void *) 1;
    }
    smem_bm_copy(NULL, NULL, SMEMB_COPY_H2G, 0);
    return strstr(smem_get_last_err_msg(), "smem_bm_copy") != NULL ? NULL : (void *) 2;
}

static void last_error_is_per_thread(void) {
    CHECK_EQ(strlen(smem_get_last_err_msg()), 0);
    CHECK_EQ(smem_bm_join(NULL, 0), SM_INVALID_PARAM);
    const char *first = smem_get_last_err_msg();
    CHECK(strstr(first, "smem_bm_join: handle=NULL") != NULL, "message: %s", first);
    CHECK(strcmp(smem_get_last_err_msg(), first) == 0, "get does not clear");
    const char *taken = smem_get_and_clear_last_err_msg();
    CHECK(strstr(taken, "smem_bm_join") != NULL, "get and clear returns it");
    CHECK_EQ(strlen(smem_get_last_err_msg()), 0);
    CHECK_EQ(strlen(smem_get_and_clear_last_err_msg()), 0);
    /* A newer failure replaces the older one. */
    smem_bm_join(NULL, 0);
    smem_bm_leave(NULL, 0);
    CHECK(strstr(smem_get_last_err_msg(), "smem_bm_leave") != NULL, "the last one wins");
    pthread_t thread;
    void *result;
    pthread_create(&thread, NULL, other_thread_error, NULL);
    pthread_join(thread, &result);
    CHECK(result == NULL, "other thread: %ld", (long) (intptr_t) result);
    CHECK(strstr(smem_get_last_err_msg(), "smem_bm_leave") != NULL, "this thread's error is its own");
    /* A long message (the URL of 1500 characters, special characters and a newline) survives, cut at 4095 bytes. */
    char url[1600];
    memset(url, 'x', sizeof url);
    memcpy(url, "tcp://\n\"%s", 10);
    url[1500] = '\0';
    smem_bm_config_t config;
    smem_bm_config_init(&config);
    CHECK_EQ(smem_bm_init(url, 1, 0, &config), SM_INVALID_PARAM);
    CHECK(strstr(smem_get_last_err_msg(), url) != NULL, "the message holds the whole URL");
    char huge[9000];
    memset(huge, 'y', sizeof huge);
    memcpy(huge, "tcp://", 6);
    huge[sizeof huge - 1] = '\0';
    CHECK_EQ(smem_bm_init(huge, 1, 0, &config), SM_INVALID_PARAM);
    CHECK_EQ(strlen(smem_get_last_err_msg()), 4095);
}

static int log_lines;
static int log_levels_seen;

static void count_lines(int level, const char *message) {
    if (message != NULL && level >= 0 && level <= 3) {
        log_lines++;
        log_levels_seen |= 1 << level;
    }
}

static void logging_hooks(void) {
    CHECK_EQ(smem_set_log_level(-1), -1);
    CHECK_EQ(smem_set_log_level(4), -1);
    CHECK_EQ(smem_set_extern_logger(NULL), SM_INVALID_PARAM);
    CHECK_EQ(smem_set_extern_logger(count_lines), SM_OK);
    CHECK_EQ(smem_set_log_level(1), SM_OK);
    CHECK_EQ(smem_init(0), SM_OK);
    CHECK(log_lines > 0 && (log_levels_seen & 2), "INFO lines reach the logger: %d lines", log_lines);
    int before = log_lines;
    CHECK_EQ(smem_set_log_level(3), SM_OK);
    CHECK_EQ(smem_init(0), SM_OK);
    CHECK_EQ(log_lines, before);
    CHECK_EQ(smem_set_conf_store_tls(false, NULL, 0), SM_OK);
    CHECK_EQ(smem_set_config_store_tls_key(NULL, 0, NULL, 0, NULL), SM_OK);
}

static void config_store_arguments(void) {
    CHECK_EQ(smem_create_config_store(NULL), SM_INVALID_PARAM);
    CHECK_EQ(smem_create_config_store("tcp://127.0.0.1"), SM_INVALID_PARAM);
    CHECK_EQ(smem_create_config_store("tcp://127.0.0.1:80"), SM_INVALID_PARAM);
    CHECK_EQ(smem_create_config_store(store_url), SM_OK);
    CHECK_EQ(smem_create_config_store(store_url), SM_ERROR);
    CHECK(strstr(smem_get_last_err_msg(), "smem_create_config_store") != NULL, "message");
}

static smem_bm_t world_of_one(void) {
    smem_bm_config_t config;
    smem_bm_config_init(&config);
    CHECK_EQ(smem_bm_init(store_url, 1, 0, &config), SM_OK);
    CHECK_EQ(smem_bm_init(store_url, 1, 0, &config), SM_OK); /* idempotent */
    CHECK_EQ(smem_bm_get_rank_id(), 0);
    smem_bm_t handle = smem_bm_create(0, 1, SMEMB_DATA_OP_HOST_TCP, SLOT, SLOT, 0);
    CHECK(handle != NULL, "create");
    CHECK_EQ(smem_bm_join(handle, 0), SM_OK);
    CHECK_EQ(smem_bm_join(handle, 0), SM_OK);
    return handle;
}

static void bm_bad_arguments_after_init(void) {
    smem_bm_t handle = world_of_one();
    char *host = smem_bm_ptr_by_mem_type(handle, SMEM_MEM_TYPE_HOST, 0);
    char *device = smem_bm_ptr_by_mem_type(handle, SMEM_MEM_TYPE_DEVICE, 0);
    CHECK(host != NULL && device != NULL, "ptrs");
    char buffer[256];
    smem_copy_params params = {buffer, host, 64};
    /* Unknown handles after init: SM_INVALID_PARAM. */
    CHECK_EQ(smem_bm_copy(FAKE_HANDLE, &params, SMEMB_COPY_H2G, 0), SM_INVALID_PARAM);
    CHECK_EQ(smem_bm_get_rank_id_by_gva(FAKE_HANDLE, host), (uint32_t) SM_INVALID_PARAM);
    CHECK_EQ(smem_bm_copy(handle, &params, (smem_bm_copy_type) 10, 0), SM_INVALID_PARAM);
    CHECK_EQ(smem_bm_copy(handle, &params, (smem_bm_copy_type) -1, 0), SM_INVALID_PARAM);
    smem_copy_params zero = {buffer, host, 0};
    CHECK_EQ(smem_bm_copy(handle, &zero, SMEMB_COPY_H2G, 0), SM_INVALID_PARAM);
    /* A GVA where local memory is expected, and local -> local: refused, not dereferenced. */
    smem_copy_params gva_as_local = {device, host, 64};
    CHECK_EQ(smem_bm_copy(handle, &gva_as_local, SMEMB_COPY_H2G, 0), SM_INVALID_PARAM);
    CHECK(strstr(smem_get_last_err_msg(), "is a GVA") != NULL, "message: %s", smem_get_last_err_msg());
    smem_copy_params local_to_local = {buffer, buffer + 128, 64};
    CHECK_EQ(smem_bm_copy(handle, &local_to_local, SMEMB_COPY_AUTO, 0), SM_INVALID_PARAM);
    CHECK_EQ(smem_bm_copy(handle, &local_to_local, SMEMB_COPY_G2G, 0), SM_INVALID_PARAM);
    /* Out of the slot, or into the device window with a HOST-only type. */
    smem_copy_params past_end = {buffer, host + SLOT - 8, 64};
    CHECK_EQ(smem_bm_copy(handle, &past_end, SMEMB_COPY_H2G, 0), SM_INVALID_PARAM);
    CHECK(strstr(smem_get_last_err_msg(), "ADDRESS_OUT_OF_RANGE") != NULL, "message");
    smem_copy_params host_only = {buffer, device, 64};
    CHECK_EQ(smem_bm_copy(handle, &host_only, SMEMB_COPY_H2GH, 0), SM_INVALID_PARAM);
    /* Batches: a NULL element or a size of 0 names the element. */
    void *sources[2] = {buffer, NULL};
    void *destinations[2] = {host, host + 64};
    uint64_t sizes[2] = {64, 64};
    smem_batch_copy_params batch = {sources, destinations, sizes, 2};
    CHECK_EQ(smem_bm_copy_batch(handle, &batch, SMEMB_COPY_H2G, 0), SM_INVALID_PARAM);
    CHECK(strstr(smem_get_last_err_msg(), "element 1") != NULL, "message: %s", smem_get_last_err_msg());
    batch.batchSize = 0;
    CHECK_EQ(smem_bm_copy_batch(handle, &batch, SMEMB_COPY_H2G, 0), SM_INVALID_PARAM);
    /* Queries. */
    CHECK_EQ(smem_bm_get_local_mem_size_by_mem_type(handle, SMEM_MEM_TYPE_LOCAL_HOST), 0);
    CHECK(smem_bm_ptr_by_mem_type(handle, SMEM_MEM_TYPE_HOST, 1) == NULL, "rank 1 of a world of 1");
    CHECK(smem_bm_ptr_by_mem_type(handle, SMEM_MEM_TYPE_LOCAL_DEVICE, 0) == NULL, "local type");
    CHECK_EQ(smem_bm_get_rank_id_by_gva(handle, buffer), UINT32_MAX);
    CHECK_EQ(smem_bm_get_rank_id_by_gva(handle, host + 100), 0);
    /* Create: a duplicate id, a bad data op type, an id too large, the shm flag. */
    CHECK(smem_bm_create(0, 1, SMEMB_DATA_OP_SDMA, SLOT, SLOT, 0) == NULL, "duplicate id");
    CHECK(strstr(smem_get_last_err_msg(), "DUPLICATED_OBJECT") != NULL, "message: %s", smem_get_last_err_msg());
    CHECK(smem_bm_create(1, 1, (smem_bm_data_op_type) 0, SLOT, SLOT, 0) == NULL, "data op type 0");
    CHECK(smem_bm_create(255, 1, SMEMB_DATA_OP_SDMA, SLOT, SLOT, 0) == NULL, "id 255");
    CHECK(smem_bm_create(1, 1, SMEMB_DATA_OP_SDMA, 0, 0, 0) == NULL, "no memory");
    smem_bm_create_option_t option = {.maxDramSize = SLOT, .maxHbmSize = 0, .localDRAMSize = SLOT,
                                      .localHBMSize = 0, .dataOpType = SMEMB_DATA_OP_SDMA,
                                      .flags = SMEM_BM_FLAG_CREATE_WITH_SHM, .dramShmFd = 3};
    CHECK(smem_bm_create2(1, &option) == NULL, "create with shm");
    option.flags = 0;
    strcpy(option.tag, "bad tag!");
    CHECK(smem_bm_create2(1, &option) == NULL, "bad tag");
    /* Registration: same size again is fine, another size is not; unknown addresses are ignored. */
    CHECK_EQ(smem_bm_register_user_mem(handle, (uint64_t) (uintptr_t) buffer, sizeof buffer), SM_OK);
    CHECK_EQ(smem_bm_register_user_mem(handle, (uint64_t) (uintptr_t) buffer, sizeof buffer), SM_OK);
    CHECK(smem_bm_register_user_mem(handle, (uint64_t) (uintptr_t) buffer, 64) != SM_OK, "another size");
    CHECK_EQ(smem_bm_unregister_user_mem(handle, (uint64_t) (uintptr_t) buffer), SM_OK);
    CHECK_EQ(smem_bm_unregister_user_mem(handle, (uint64_t) (uintptr_t) buffer), SM_OK);
    /* A destroyed handle is unknown. */
    smem_bm_destroy(handle);
    CHECK_EQ(smem_bm_copy(handle, &params, SMEMB_COPY_H2G, 0), SM_INVALID_PARAM);
    smem_bm_uninit(0);
    CHECK_EQ(smem_bm_get_rank_id(), UINT32_MAX);
}

static void fill(unsigned char *data, size_t size, unsigned seed) {
    for (size_t i = 0; i < size; i++) {
        data[i] = (unsigned char) (seed * 31 + i * 7);
    }
}

static void bm_every_direction_in_a_world_of_one(void) {
    smem_bm_t handle = world_of_one();
    char *host = smem_bm_ptr_by_mem_type(handle, SMEM_MEM_TYPE_HOST, 0);
    char *device = smem_bm_ptr_by_mem_type(handle, SMEM_MEM_TYPE_DEVICE, 0);
    unsigned char *own_host = smem_bm_local_ptr_by_mem_type(handle, SMEM_MEM_TYPE_HOST);
    CHECK(own_host != NULL, "local ptr");
    CHECK_EQ(smem_bm_get_local_mem_size_by_mem_type(handle, SMEM_MEM_TYPE_HOST), SLOT);
    CHECK_EQ(smem_bm_get_local_mem_size_by_mem_type(handle, SMEM_MEM_TYPE_DEVICE), SLOT);
    enum { N = 4096 };
    static unsigned char a[N], b[N];
    fill(a, N, 1);
    /* H2G into the host slot is visible through the local pointer at once (same process). */
    smem_copy_params h2g = {a, host + 4096, N};
    CHECK_EQ(smem_bm_copy(handle, &h2g, SMEMB_COPY_H2G, 0), SM_OK);
    CHECK(memcmp(own_host + 4096, a, N) == 0, "H2G visible in the slot");
    smem_copy_params g2g = {host + 4096, device, N};
    CHECK_EQ(smem_bm_copy(handle, &g2g, SMEMB_COPY_G2G, 0), SM_OK);
    smem_copy_params g2h = {device, b, N};
    CHECK_EQ(smem_bm_copy(handle, &g2h, SMEMB_COPY_G2H, 0), SM_OK);
    CHECK(memcmp(a, b, N) == 0, "H2G, G2G, G2H");
    const smem_bm_copy_type writes[] = {SMEMB_COPY_L2G, SMEMB_COPY_H2G, SMEMB_COPY_AUTO};
    const smem_bm_copy_type reads[] = {SMEMB_COPY_G2L, SMEMB_COPY_G2H, SMEMB_COPY_AUTO};
    for (int w = 0; w < 3; w++) {
        for (int r = 0; r < 3; r++) {
            fill(a, N, (unsigned) (w * 3 + r + 2));
            char *target = (w + r) % 2 == 0 ? host : device;
            smem_copy_params put = {a, target + 8192, N};
            smem_copy_params get = {target + 8192, b, N};
            CHECK_EQ(smem_bm_copy(handle, &put, writes[w], 0), SM_OK);
            memset(b, 0, N);
            CHECK_EQ(smem_bm_copy(handle, &get, reads[r], 0), SM_OK);
            CHECK(memcmp(a, b, N) == 0, "write type %d, read type %d", writes[w], reads[r]);
        }
    }
    smem_copy_params l2gh = {a, host, N};
    smem_copy_params gh2l = {host, b, N};
    CHECK_EQ(smem_bm_copy(handle, &l2gh, SMEMB_COPY_L2GH, 0), SM_OK);
    CHECK_EQ(smem_bm_copy(handle, &gh2l, SMEMB_COPY_GH2L, 0), SM_OK);
    CHECK(memcmp(a, b, N) == 0, "L2GH, GH2L");
    /* Asynchronous copies, finished by smem_bm_wait. */
    fill(a, N, 99);
    smem_copy_params async_put = {a, device + 3 * N, N};
    CHECK_EQ(smem_bm_copy(handle, &async_put, SMEMB_COPY_H2G, ASYNC_COPY_FLAG), SM_OK);
    CHECK_EQ(smem_bm_wait(handle), SM_OK);
    smem_copy_params async_get = {device + 3 * N, b, N};
    CHECK_EQ(smem_bm_copy(handle, &async_get, SMEMB_COPY_G2H, ASYNC_COPY_FLAG), SM_OK);
    CHECK_EQ(smem_bm_wait(handle), SM_OK);
    CHECK(memcmp(a, b, N) == 0, "async");
    /* A batch of 8 H2G blocks, then 8 G2H blocks back. */
    static unsigned char blocks[8][512], back[8][512];
    void *sources[8], *destinations[8], *back_sources[8], *back_destinations[8];
    uint64_t sizes[8];
    for (int i = 0; i < 8; i++) {
        fill(blocks[i], 512, (unsigned) (200 + i));
        sources[i] = blocks[i];
        destinations[i] = host + 65536 + i * 1024;
        back_sources[i] = destinations[i];
        back_destinations[i] = back[i];
        sizes[i] = 512;
    }
    smem_batch_copy_params put_batch = {sources, destinations, sizes, 8};
    smem_batch_copy_params get_batch = {back_sources, back_destinations, sizes, 8};
    CHECK_EQ(smem_bm_copy_batch(handle, &put_batch, SMEMB_COPY_H2G, 0), SM_OK);
    CHECK_EQ(smem_bm_copy_batch(handle, &get_batch, SMEMB_COPY_G2H, ASYNC_COPY_FLAG), SM_OK);
    CHECK_EQ(smem_bm_wait(handle), SM_OK);
    CHECK(memcmp(blocks, back, sizeof blocks) == 0, "batches");
    CHECK_EQ(smem_bm_leave(handle, 0), SM_OK);
    smem_bm_destroy(handle);
    smem_bm_uninit(0);
}

static void trans_config_and_create_arguments(void) {
    smem_trans_config_t config;
    CHECK_EQ(smem_trans_config_init(&config), SM_OK);
    CHECK_EQ(config.role, SMEM_TRANS_SENDER);
    CHECK_EQ(config.initTimeout, 120);
    CHECK_EQ(config.deviceId, UINT32_MAX);
    CHECK_EQ(config.flags, 0);
    CHECK_EQ(config.dataOpType, SMEMB_DATA_OP_SDMA);
    CHECK(!config.startConfigServer, "startConfigServer");
    CHECK_EQ(smem_trans_config_init(NULL), SM_INVALID_PARAM);
    CHECK_EQ(smem_trans_init(NULL), SM_INVALID_PARAM);
    /* Not initialised yet. */
    CHECK(smem_trans_create(store_url, "127.0.0.1:5321", &config) == NULL, "create before init");
    CHECK(strstr(smem_get_last_err_msg(), "NOT_INITIALIZED") != NULL, "message: %s", smem_get_last_err_msg());
    CHECK_EQ(smem_trans_init(&config), SM_OK);
    CHECK_EQ(smem_trans_init(&config), SM_OK);
    CHECK(smem_trans_create(NULL, "127.0.0.1:5321", &config) == NULL, "NULL URL");
    CHECK(smem_trans_create(store_url, NULL, &config) == NULL, "NULL id");
    CHECK(smem_trans_create(store_url, "127.0.0.1:5321", NULL) == NULL, "NULL config");
    CHECK(smem_trans_create("", "127.0.0.1:5321", &config) == NULL, "empty URL");
    CHECK(smem_trans_create(store_url, "", &config) == NULL, "empty id");
    CHECK(smem_trans_create("tcp://[::1]:5432", "", &config) == NULL, "empty id, IPv6");
    config.role = SMEM_TRANS_NONE;
    CHECK(smem_trans_create(store_url, "127.0.0.1:5321", &config) == NULL, "role NONE");
    /* NULL handles of every call. */
    char buffer[64];
    CHECK_EQ(smem_trans_register_mem(NULL, buffer, 64, 0), SM_INVALID_PARAM);
    CHECK_EQ(smem_trans_write(NULL, buffer, "127.0.0.1:5321", buffer, 64, 0), SM_INVALID_PARAM);
    CHECK_EQ(smem_trans_write(FAKE_HANDLE, buffer, "127.0.0.1:5321", buffer, 64, 0), SM_INVALID_PARAM);
    CHECK(smem_trans_malloc(NULL, 64) == NULL, "malloc NULL");
    CHECK_EQ(smem_trans_free(NULL, buffer), SM_INVALID_PARAM);
    smem_trans_destroy(NULL, 0);
    smem_trans_destroy(FAKE_HANDLE, 0);
    smem_trans_uninit(0);
}

int main(void) {
    snprintf(store_url, sizeof store_url, "tcp://127.0.0.1:%d", free_port());
    run_case("bm_config_defaults", bm_config_defaults, 60);
    run_case("bm_init_rejects_bad_arguments", bm_init_rejects_bad_arguments, 60);
    run_case("bm_calls_before_init", bm_calls_before_init, 60);
    run_case("uninit_without_init_is_safe", uninit_without_init_is_safe, 60);
    run_case("last_error_is_per_thread", last_error_is_per_thread, 60);
    run_case("logging_hooks", logging_hooks, 60);
    run_case("config_store_arguments", config_store_arguments, 60);
    run_case("bm_bad_arguments_after_init", bm_bad_arguments_after_init, 120);
    run_case("bm_every_direction_in_a_world_of_one", bm_every_direction_in_a_world_of_one, 120);
    run_case("trans_config_and_create_arguments", trans_config_and_create_arguments, 60);
    return finish();
}
