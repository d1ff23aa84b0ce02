/*
 * The TRANS C API across real processes: upstream's smem_trans_test.cpp cases (test/ut/testcase/smem), over IPv4 and
 * IPv6 loopback. The receiver process starts the store (smem_create_config_store), as upstream's tests do, and tells
 * the sender its buffer's address through a pipe; the sender writes and reads, and the receiver checks the bytes.
 */
#include <stdint.h>

#include "smem_trans.h"
#include "harness.h"

#define BUFFER_BYTES (500 * sizeof(int))

typedef struct {
    char store_url[64];
    char receiver_id[64];
    char sender_id[64];
    signal_pipe to_sender;   /* receiver -> sender: the receiver's addresses */
    signal_pipe to_receiver; /* sender -> receiver: done */
    int use_malloc;          /* the DRAM path: buffers from smem_trans_malloc */
    int blocks;              /* buffers per side (batch cases) */
    int submit;              /* the *_submit forms */
} trans_case;

static trans_case current;

static void addresses(int ipv6) {
    int store = free_port();
    int receiver = free_port();
    int sender = free_port();
    if (ipv6) {
        snprintf(current.store_url, sizeof current.store_url, "tcp://[::1]:%d", store);
        snprintf(current.receiver_id, sizeof current.receiver_id, "[::1]:%d", receiver);
        snprintf(current.sender_id, sizeof current.sender_id, "[::1]:%d", sender);
    } else {
        snprintf(current.store_url, sizeof current.store_url, "tcp://127.0.0.1:%d", store);
        snprintf(current.receiver_id, sizeof current.receiver_id, "127.0.0.1:%d", receiver);
        snprintf(current.sender_id, sizeof current.sender_id, "127.0.0.1:%d", sender);
    }
}

static smem_trans_t open_engine(const char *id, smem_trans_role_t role) {
    smem_trans_config_t config;
    smem_trans_config_init(&config);
    config.role = role;
    config.initTimeout = 60;
    CHECK_EQ(smem_trans_init(&config), SM_OK);
    smem_trans_t handle = smem_trans_create(current.store_url, id, &config);
    CHECK(handle != NULL, "create %s", id);
    return handle;
}

static void fill(unsigned char *data, size_t size, unsigned seed) {
    for (size_t i = 0; i < size; i++) {
        data[i] = (unsigned char) (seed * 131 + i * 7 + (i >> 8));
    }
}

static unsigned char *buffer(smem_trans_t handle, size_t size) {
    unsigned char *memory = current.use_malloc ? smem_trans_malloc(handle, size) : malloc(size);
    CHECK(memory != NULL, "buffer of %zu bytes", size);
    return memory;
}

static int receiver(void *unused) {
    (void) unused;
    CHECK_EQ(smem_create_config_store(current.store_url), SM_OK);
    smem_trans_t handle = open_engine(current.receiver_id, SMEM_TRANS_RECEIVER);
    void *blocks[8];
    size_t sizes[8];
    for (int i = 0; i < current.blocks; i++) {
        blocks[i] = buffer(handle, BUFFER_BYTES);
        memset(blocks[i], 0, BUFFER_BYTES);
        sizes[i] = BUFFER_BYTES;
    }
    if (!current.use_malloc) {
        if (current.blocks == 1) {
            CHECK_EQ(smem_trans_register_mem(handle, blocks[0], BUFFER_BYTES, 0), SM_OK);
        } else {
            CHECK_EQ(smem_trans_batch_register_mem(handle, blocks, sizes, (uint32_t) current.blocks, 0), SM_OK);
        }
    }
    signal_send(&current.to_sender, blocks, sizeof(void *) * (size_t) current.blocks);
    char done;
    signal_receive(&current.to_receiver, &done, 1);
    unsigned char expected[BUFFER_BYTES];
    for (int i = 0; i < current.blocks; i++) {
        fill(expected, BUFFER_BYTES, (unsigned) i);
        CHECK(memcmp(blocks[i], expected, BUFFER_BYTES) == 0, "block %d arrived", i);
    }
    /* The sender reads back after this: tell it the bytes were right, then wait for its end. */
    signal_send(&current.to_sender, &done, 1);
    signal_receive(&current.to_receiver, &done, 1);
    if (!current.use_malloc) {
        CHECK_EQ(smem_trans_deregister_mem(handle, blocks[0]), SM_OK);
    } else {
        for (int i = 0; i < current.blocks; i++) {
            CHECK_EQ(smem_trans_free(handle, blocks[i]), SM_OK);
        }
    }
    smem_trans_destroy(handle, 0);
    smem_trans_uninit(0);
    return 0;
}

static int sender(void *unused) {
    (void) unused;
    void *remote[8];
    signal_receive(&current.to_sender, remote, sizeof(void *) * (size_t) current.blocks);
    smem_trans_t handle = open_engine(current.sender_id, SMEM_TRANS_SENDER);
    void *local[8];
    size_t sizes[8];
    for (int i = 0; i < current.blocks; i++) {
        local[i] = buffer(handle, BUFFER_BYTES);
        fill(local[i], BUFFER_BYTES, (unsigned) i);
        sizes[i] = BUFFER_BYTES;
    }
    if (!current.use_malloc) {
        CHECK_EQ(smem_trans_register_mem(handle, local[0], BUFFER_BYTES, 0), SM_OK);
    }
    int stream_token = 1;
    if (current.blocks == 1) {
        CHECK_EQ(current.submit ? smem_trans_write_submit(handle, local[0], current.receiver_id, remote[0],
                                                          BUFFER_BYTES, &stream_token, 0)
                                : smem_trans_write(handle, local[0], current.receiver_id, remote[0], BUFFER_BYTES, 0),
                 SM_OK);
    } else {
        CHECK_EQ(current.submit ? smem_trans_batch_write_submit(handle, (const void **) local, current.receiver_id,
                                                                remote, sizes, (uint32_t) current.blocks,
                                                                &stream_token, 0)
                                : smem_trans_batch_write(handle, (const void **) local, current.receiver_id, remote,
                                                         sizes, (uint32_t) current.blocks, 0),
                 SM_OK);
    }
    char done = 1;
    signal_send(&current.to_receiver, &done, 1);
    signal_receive(&current.to_sender, &done, 1);
    /* Read everything back into cleared buffers. */
    for (int i = 0; i < current.blocks; i++) {
        memset(local[i], 0, BUFFER_BYTES);
    }
    if (current.blocks == 1) {
        CHECK_EQ(current.submit ? smem_trans_read_submit(handle, local[0], current.receiver_id, remote[0],
                                                         BUFFER_BYTES, &stream_token, 0)
                                : smem_trans_read(handle, local[0], current.receiver_id, remote[0], BUFFER_BYTES, 0),
                 SM_OK);
    } else {
        CHECK_EQ(current.submit ? smem_trans_batch_read_submit(handle, local, current.receiver_id,
                                                               (const void **) remote, sizes,
                                                               (uint32_t) current.blocks, &stream_token, 0)
                                : smem_trans_batch_read(handle, local, current.receiver_id, (const void **) remote,
                                                        sizes, (uint32_t) current.blocks, 0),
                 SM_OK);
    }
    unsigned char expected[BUFFER_BYTES];
    for (int i = 0; i < current.blocks; i++) {
        fill(expected, BUFFER_BYTES, (unsigned) i);
        CHECK(memcmp(local[i], expected, BUFFER_BYTES) == 0, "block %d read back", i);
    }
    /* Outside what the receiver registered, and an unknown peer: SM_INVALID_PARAM, nothing moved. */
    CHECK_EQ(smem_trans_write(handle, local[0], current.receiver_id, (char *) remote[0] + BUFFER_BYTES - 8, 64, 0),
             SM_INVALID_PARAM);
    CHECK(strstr(smem_get_last_err_msg(), "ADDRESS_OUT_OF_RANGE") != NULL, "message: %s", smem_get_last_err_msg());
    CHECK_EQ(smem_trans_write(handle, local[0], "127.0.0.1:9", remote[0], 64, 0), SM_INVALID_PARAM);
    signal_send(&current.to_receiver, &done, 1);
    smem_trans_destroy(handle, 0);
    smem_trans_uninit(0);
    return 0;
}

static void run_pair(void) {
    signal_open(&current.to_sender);
    signal_open(&current.to_receiver);
    pid_t r = spawn(receiver, NULL);
    pid_t s = spawn(sender, NULL);
    int sender_code = join_process(s);
    if (sender_code != 0) {
        kill(r, SIGKILL);
    }
    int receiver_code = join_process(r);
    CHECK(sender_code == 0 && receiver_code == 0, "sender exit %d, receiver exit %d", sender_code, receiver_code);
}

static void create_and_destroy(int ipv6) {
    addresses(ipv6);
    CHECK_EQ(smem_create_config_store(current.store_url), SM_OK);
    smem_trans_t handle = open_engine(current.sender_id, SMEM_TRANS_SENDER);
    smem_trans_destroy(handle, 0);
    smem_trans_uninit(0);
}

static void create_ipv4(void) {
    create_and_destroy(0);
}

static void create_ipv6(void) {
    create_and_destroy(1);
}

static void register_rejects_bad_arguments(int ipv6) {
    addresses(ipv6);
    CHECK_EQ(smem_create_config_store(current.store_url), SM_OK);
    smem_trans_t handle = open_engine(current.sender_id, SMEM_TRANS_SENDER);
    int memory[10];
    CHECK_EQ(smem_trans_register_mem(NULL, memory, sizeof memory, 0), SM_INVALID_PARAM);
    CHECK_EQ(smem_trans_register_mem(handle, NULL, sizeof memory, 0), SM_INVALID_PARAM);
    CHECK_EQ(smem_trans_register_mem(handle, memory, 0, 0), SM_INVALID_PARAM);
    CHECK_EQ(smem_trans_deregister_mem(handle, memory), SM_INVALID_PARAM);
    smem_trans_destroy(handle, 0);
    smem_trans_uninit(0);
}

static void register_invalid_ipv4(void) {
    register_rejects_bad_arguments(0);
}

static void register_invalid_ipv6(void) {
    register_rejects_bad_arguments(1);
}

static void write_read_ipv4(void) {
    addresses(0);
    current.blocks = 1;
    run_pair();
}

static void write_read_submit_ipv6(void) {
    addresses(1);
    current.blocks = 1;
    current.submit = 1;
    run_pair();
}

static void batch_of_one(void) {
    addresses(0);
    current.blocks = 2; /* batch register on the receiver; batch write and read of every block */
    run_pair();
}

static void batch_submit_ipv6(void) {
    addresses(1);
    current.blocks = 2;
    current.submit = 1;
    run_pair();
}

static void dram_path(void) {
    addresses(0);
    current.use_malloc = 1;
    current.blocks = 2;
    run_pair();
}

static void malloc_sizes(void) {
    addresses(0);
    CHECK_EQ(smem_create_config_store(current.store_url), SM_OK);
    smem_trans_t handle = open_engine(current.sender_id, SMEM_TRANS_RECEIVER);
    void *small = smem_trans_malloc(handle, 128u << 20);
    void *large = smem_trans_malloc(handle, 1u << 30);
    CHECK(small != NULL && large != NULL, "128 MiB and 1 GiB");
    CHECK_EQ(smem_trans_free(handle, small), SM_OK);
    CHECK_EQ(smem_trans_free(handle, large), SM_OK);
    CHECK_EQ(smem_trans_free(handle, large), SM_ERROR);
    /* Beyond the pool (memfabric.trans.pool.bytes, 4 GiB): NULL, where upstream reserves 128 GiB. */
    CHECK(smem_trans_malloc(handle, 128ull << 30) == NULL, "128 GiB");
    CHECK(smem_trans_malloc(handle, 16ull << 40) == NULL, "16 TiB");
    CHECK(smem_trans_malloc(handle, 0) == NULL, "0 bytes");
    smem_trans_destroy(handle, 0);
    smem_trans_uninit(0);
}

static void batch_write_rejects_bad_arguments(void) {
    addresses(0);
    CHECK_EQ(smem_create_config_store(current.store_url), SM_OK);
    smem_trans_t handle = open_engine(current.sender_id, SMEM_TRANS_SENDER);
    char block[64];
    const void *locals[1] = {block};
    void *remotes[1] = {block};
    size_t sizes[1] = {sizeof block};
    const char *peer = current.receiver_id;
    CHECK_EQ(smem_trans_batch_write(NULL, locals, peer, remotes, sizes, 1, 0), SM_INVALID_PARAM);
    CHECK_EQ(smem_trans_batch_write(handle, NULL, peer, remotes, sizes, 1, 0), SM_INVALID_PARAM);
    CHECK_EQ(smem_trans_batch_write(handle, locals, NULL, remotes, sizes, 1, 0), SM_INVALID_PARAM);
    CHECK_EQ(smem_trans_batch_write(handle, locals, peer, NULL, sizes, 1, 0), SM_INVALID_PARAM);
    CHECK_EQ(smem_trans_batch_write(handle, locals, peer, remotes, NULL, 1, 0), SM_INVALID_PARAM);
    CHECK_EQ(smem_trans_batch_write(handle, locals, peer, remotes, sizes, 0, 0), SM_INVALID_PARAM);
    CHECK_EQ(smem_trans_batch_write(handle, locals, peer, remotes, sizes, 1, 4), SM_INVALID_PARAM);
    CHECK_EQ(smem_trans_write_submit(handle, block, peer, block, 64, NULL, 0), SM_INVALID_PARAM);
    /* No such peer (none runs at that id). */
    CHECK_EQ(smem_trans_batch_write(handle, locals, peer, remotes, sizes, 1, 0), SM_INVALID_PARAM);
    smem_trans_destroy(handle, 0);
    smem_trans_uninit(0);
}

static void receiver_batch_register(int ipv6) {
    addresses(ipv6);
    CHECK_EQ(smem_create_config_store(current.store_url), SM_OK);
    smem_trans_t handle = open_engine(current.receiver_id, SMEM_TRANS_RECEIVER);
    static char memory[3][4096];
    /* Two regions, then one that overlaps the first without being equal to it: refused. */
    void *addresses_[3] = {memory[0], memory[2], memory[0] + 100};
    size_t capacities[3] = {4096, 4096, 4096};
    CHECK_EQ(smem_trans_batch_register_mem(handle, addresses_, capacities, 2, 0), SM_OK);
    CHECK_EQ(smem_trans_batch_register_mem(handle, addresses_ + 2, capacities, 1, 0), SM_INVALID_PARAM);
    void *nulls[1] = {NULL};
    CHECK_EQ(smem_trans_batch_register_mem(handle, nulls, capacities, 1, 0), SM_INVALID_PARAM);
    smem_trans_destroy(handle, 0);
    smem_trans_uninit(0);
}

static void receiver_batch_register_ipv4(void) {
    receiver_batch_register(0);
}

static void receiver_batch_register_ipv6(void) {
    receiver_batch_register(1);
}

static void reset(void) {
    memset(&current, 0, sizeof current);
}

#define RUN(name, limit)                                                                                              \
    do {                                                                                                              \
        reset();                                                                                                      \
        run_case(#name, name, limit);                                                                                 \
    } while (0)

int main(void) {
    RUN(create_ipv4, 90);
    RUN(create_ipv6, 90);
    RUN(register_invalid_ipv4, 90);
    RUN(register_invalid_ipv6, 90);
    RUN(write_read_ipv4, 120);
    RUN(write_read_submit_ipv6, 120);
    RUN(batch_of_one, 120);
    RUN(batch_submit_ipv6, 120);
    RUN(malloc_sizes, 120);
    RUN(dram_path, 120);
    RUN(batch_write_rejects_bad_arguments, 90);
    RUN(receiver_batch_register_ipv4, 90);
    RUN(receiver_batch_register_ipv6, 90);
    return finish();
}
