/*
 * Upstream's BmCpp example (example/bm/BmCpp) in C, against memfabric's headers and libmemfabric.so:
 *
 *   bm_example WORLD_SIZE LOCAL_RANK_SIZE RANK_START tcp://ip:port TRANSPORT_TYPE [COPY_MIB]
 *
 * One process per local rank (fork before any memfabric call). Each: smem_init, explicit rank (autoRanking false;
 * rank 0 starts the store), smem_bm_create with DEVICE and HOST slots of 2 x COPY_MIB, join, barrier; H2G of
 * generated data into its own DEVICE slot at COPY_MIB, G2G from there to the next rank's DEVICE and HOST slots;
 * barrier; then it checks its predecessor's data in its own HOST slot directly in memory and, after a G2H, in its own
 * DEVICE slot. The differences from upstream's: no accelerator calls (aclInit, streams), the barrier runs over pipes
 * to the parent instead of TCP port 12562, the size is an argument (upstream: 1 GiB in 2 GiB slots), and the direct
 * check reads the slot through smem_bm_local_ptr_by_mem_type (a memfabric GVA is not a pointer of this process).
 * Exits 0 when every rank found every byte.
 */
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "smem.h"
#include "smem_bm.h"

#define RANK_SIZE_MAX 16
#define RANDOM_MULTIPLIER 23
#define RANDOM_INCREMENT 17
#define NEGATIVE_RATIO_DIVISOR 3

static int up[2];         /* ranks -> parent: arrived */
static int down[2][2];    /* parent -> ranks: released, alternating between two pipes (see barrier) */
static unsigned barriers; /* how many barriers this rank has passed */
static int finished[2]; /* ranks 1.. -> rank 0: uninitialised, rank 0 may stop the store it hosts */

#define FAIL(...)                                                                                                     \
    do {                                                                                                              \
        fprintf(stderr, "rank %u: ", rank);                                                                           \
        fprintf(stderr, __VA_ARGS__);                                                                                 \
        fprintf(stderr, " (last error: %s)\n", smem_get_last_err_msg());                                             \
        return 1;                                                                                                     \
    } while (0)

static void generate(int32_t *data, uint32_t rank, uint64_t bytes) {
    int32_t base = (int32_t) rank;
    for (uint64_t i = 0; i < bytes / sizeof(int32_t); i++) {
        base = (base * RANDOM_MULTIPLIER + RANDOM_INCREMENT) % INT16_MAX;
        data[i] = (i + rank) % NEGATIVE_RATIO_DIVISOR == 0 ? -base : base;
    }
}

/*
 * Barrier k's release tokens go to pipe k % 2: a rank that passes barrier k quickly and arrives at k + 1 reads from
 * the other pipe, so it cannot take a token of barrier k that a slower rank still needs; and barrier k - 1's tokens
 * (same pipe as k + 1) were all taken before barrier k could be released.
 */
static int barrier(void) {
    char token = 'S';
    int *release = down[barriers++ % 2];
    if (write(up[1], &token, 1) != 1 || read(release[0], &token, 1) != 1) {
        return -1;
    }
    return 0;
}

static int run_rank(uint32_t rank, uint32_t world, uint32_t local_ranks, const char *url,
                    smem_bm_data_op_type op, uint64_t copy_bytes) {
    uint64_t slot_bytes = 2 * copy_bytes;
    if (smem_init(0) != 0) {
        FAIL("smem_init");
    }
    smem_set_log_level(2);
    smem_bm_config_t config;
    smem_bm_config_init(&config);
    strcpy(config.hcomUrl, "tcp://0.0.0.0/0:10005");
    config.autoRanking = false;
    config.rankId = (uint16_t) rank;
    if (smem_bm_init(url, world, (uint16_t) rank, &config) != 0) {
        FAIL("smem_bm_init");
    }
    smem_bm_t handle = smem_bm_create(0, 0, op, slot_bytes, slot_bytes, 0);
    if (handle == NULL) {
        FAIL("smem_bm_create");
    }
    if (smem_bm_join(handle, 0) != 0) {
        FAIL("smem_bm_join");
    }
    if (barrier() != 0) {
        FAIL("barrier after join");
    }
    uint32_t next = (rank + 1) % world;
    char *remote_host = smem_bm_ptr_by_mem_type(handle, SMEM_MEM_TYPE_HOST, (uint16_t) next);
    char *remote_device = smem_bm_ptr_by_mem_type(handle, SMEM_MEM_TYPE_DEVICE, (uint16_t) next);
    char *local_device = smem_bm_ptr_by_mem_type(handle, SMEM_MEM_TYPE_DEVICE, (uint16_t) rank);
    int32_t *base = malloc(copy_bytes);
    int32_t *received = malloc(copy_bytes);
    if (base == NULL || received == NULL) {
        FAIL("malloc");
    }
    generate(base, rank, copy_bytes);
    smem_copy_params h2g = {base, local_device + copy_bytes, copy_bytes};
    if (smem_bm_copy(handle, &h2g, SMEMB_COPY_H2G, 0) != 0) {
        FAIL("H2G into the own DEVICE slot");
    }
    smem_copy_params to_device = {local_device + copy_bytes, remote_device, copy_bytes};
    if (smem_bm_copy(handle, &to_device, SMEMB_COPY_G2G, 0) != 0) {
        FAIL("G2G to rank %u's DEVICE slot", next);
    }
    smem_copy_params to_host = {local_device + copy_bytes, remote_host, copy_bytes};
    if (smem_bm_copy(handle, &to_host, SMEMB_COPY_G2G, 0) != 0) {
        FAIL("G2G to rank %u's HOST slot", next);
    }
    if (barrier() != 0) {
        FAIL("barrier after the copies");
    }
    uint32_t previous = (rank + world - 1) % world;
    generate(base, previous, copy_bytes);
    const char *own_host = smem_bm_local_ptr_by_mem_type(handle, SMEM_MEM_TYPE_HOST);
    if (own_host == NULL || memcmp(own_host, base, copy_bytes) != 0) {
        FAIL("rank %u's data is not in the own HOST slot", previous);
    }
    smem_copy_params g2h = {local_device, received, copy_bytes};
    if (smem_bm_copy(handle, &g2h, SMEMB_COPY_G2H, 0) != 0) {
        FAIL("G2H from the own DEVICE slot");
    }
    if (memcmp(received, base, copy_bytes) != 0) {
        FAIL("rank %u's data is not in the own DEVICE slot", previous);
    }
    printf("rank %u: copied %llu bytes to rank %u's DEVICE and HOST slots, found rank %u's in its own: ok\n", rank,
           (unsigned long long) copy_bytes, next, previous);
    fflush(stdout);
    free(base);
    free(received);
    if (barrier() != 0) {
        FAIL("barrier before destroy");
    }
    smem_bm_destroy(handle);
    if (barrier() != 0) {
        FAIL("barrier after destroy");
    }
    char token = 'F';
    if (rank == 0) {
        /* Rank 0 hosts the store: it uninitialises (and stops the store) once the other local ranks have. */
        for (uint32_t i = 1; i < local_ranks; i++) {
            if (read(finished[0], &token, 1) != 1) {
                FAIL("waiting for the other ranks to finish");
            }
        }
        smem_bm_uninit(0);
    } else {
        smem_bm_uninit(0);
        if (write(finished[1], &token, 1) != 1) {
            FAIL("telling rank 0");
        }
    }
    smem_uninit();
    return 0;
}

/* The parent: releases a barrier when every rank has arrived, until the ranks are gone. */
static void coordinate(uint32_t ranks) {
    char tokens[RANK_SIZE_MAX];
    for (unsigned round = 0;; round++) {
        uint32_t arrived = 0;
        while (arrived < ranks) {
            struct pollfd pfd = {.fd = up[0], .events = POLLIN};
            if (poll(&pfd, 1, 300 * 1000) <= 0) {
                fprintf(stderr, "bm_example: a rank did not reach the barrier within 300 s\n");
                return;
            }
            ssize_t n = read(up[0], tokens, ranks - arrived);
            if (n <= 0) {
                return; /* every rank has exited */
            }
            arrived += (uint32_t) n;
        }
        memset(tokens, 'R', ranks);
        if (write(down[round % 2][1], tokens, ranks) != (ssize_t) ranks) {
            return;
        }
    }
}

int main(int argc, char *argv[]) {
    if (argc < 6) {
        fprintf(stderr, "usage: bm_example WORLD_SIZE LOCAL_RANK_SIZE RANK_START tcp://ip:port TRANSPORT_TYPE "
                "[COPY_MIB]\n");
        return 2;
    }
    uint32_t world = (uint32_t) atoi(argv[1]);
    uint32_t local_ranks = (uint32_t) atoi(argv[2]);
    uint32_t rank_start = (uint32_t) atoi(argv[3]);
    const char *url = argv[4];
    smem_bm_data_op_type op = atoi(argv[5]) == 0 ? SMEMB_DATA_OP_SDMA : SMEMB_DATA_OP_DEVICE_RDMA;
    uint64_t copy_bytes = (argc > 6 ? (uint64_t) atoi(argv[6]) : 16) << 20;
    if (local_ranks < 1 || local_ranks > RANK_SIZE_MAX || world < local_ranks) {
        fprintf(stderr, "bm_example: LOCAL_RANK_SIZE=%u (expected: 1..%d, <= WORLD_SIZE=%u)\n", local_ranks,
                RANK_SIZE_MAX, world);
        return 2;
    }
    if (pipe(up) != 0 || pipe(down[0]) != 0 || pipe(down[1]) != 0 || pipe(finished) != 0) {
        perror("pipe");
        return 2;
    }
    pid_t pids[RANK_SIZE_MAX];
    for (uint32_t i = 0; i < local_ranks; i++) {
        fflush(stdout);
        pids[i] = fork();
        if (pids[i] == 0) {
            close(up[0]);
            close(down[0][1]);
            close(down[1][1]);
            _exit(run_rank(rank_start + i, world, local_ranks, url, op, copy_bytes));
        }
    }
    close(up[1]);
    close(down[0][0]);
    close(down[1][0]);
    close(finished[0]);
    close(finished[1]);
    coordinate(local_ranks);
    int failed = 0;
    for (uint32_t i = 0; i < local_ranks; i++) {
        int status;
        waitpid(pids[i], &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "bm_example: rank %u failed (status 0x%x)\n", rank_start + i, status);
            failed++;
        }
    }
    printf("bm_example: %u ranks, %d failed\n", local_ranks, failed);
    return failed == 0 ? 0 : 1;
}
