/*
 * The C side of bin/bench-native: joins a BigMemory fabric of 2 as one rank and measures H2G copies into the other
 * rank's HOST slot through libmemfabric.so — a 64 MiB copy (the median GB/s of 21 copies) and a 64 B copy (the median,
 * over rounds of 10,000 copies, of the mean time per copy) — exactly as the Java and Python sides do. Prints one RESULT
 * line.
 *
 *   bench_copy tcp://ip:port
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "smem.h"
#include "smem_bm.h"

#define BIG (64u << 20)
#define SMALL 64
#define BIG_COPIES 21
#define SMALL_WARMUP 200000
#define SMALL_ROUNDS 31
#define SMALL_PER_ROUND 10000

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

int main(int argc, char *argv[]) {
    if (argc < 2) {
        fprintf(stderr, "usage: bench_copy tcp://ip:port\n");
        return 2;
    }
    smem_bm_config_t config;
    smem_bm_config_init(&config);
    config.startConfigStoreServer = false;
    if (smem_init(0) != 0 || smem_bm_init(argv[1], 2, 0, &config) != 0) {
        fprintf(stderr, "init: %s\n", smem_get_last_err_msg());
        return 1;
    }
    smem_bm_t handle = smem_bm_create(0, 2, SMEMB_DATA_OP_SDMA, BIG, BIG, 0);
    if (handle == NULL || smem_bm_join(handle, 0) != 0) {
        fprintf(stderr, "create/join: %s\n", smem_get_last_err_msg());
        return 1;
    }
    uint32_t peer = 1 - smem_bm_get_rank_id();
    char *target = smem_bm_ptr_by_mem_type(handle, SMEM_MEM_TYPE_HOST, (uint16_t) peer);
    char *buffer = malloc(BIG);
    memset(buffer, 1, BIG);
    smem_copy_params big = {buffer, target, BIG};
    for (int i = 0; i < 3; i++) {
        smem_bm_copy(handle, &big, SMEMB_COPY_H2G, 0);
    }
    double copies[BIG_COPIES];
    for (int i = 0; i < BIG_COPIES; i++) {
        double start = now();
        if (smem_bm_copy(handle, &big, SMEMB_COPY_H2G, 0) != 0) {
            fprintf(stderr, "copy: %s\n", smem_get_last_err_msg());
            return 1;
        }
        copies[i] = (double) BIG / (now() - start) / 1e9;
    }
    qsort(copies, BIG_COPIES, sizeof copies[0], by_value);
    double gbps = copies[BIG_COPIES / 2];
    smem_copy_params small = {buffer, target, SMALL};
    for (int i = 0; i < SMALL_WARMUP; i++) {
        smem_bm_copy(handle, &small, SMEMB_COPY_H2G, 0);
    }
    double rounds[SMALL_ROUNDS];
    for (int r = 0; r < SMALL_ROUNDS; r++) {
        double begin = now();
        for (int i = 0; i < SMALL_PER_ROUND; i++) {
            smem_bm_copy(handle, &small, SMEMB_COPY_H2G, 0);
        }
        rounds[r] = (now() - begin) / SMALL_PER_ROUND * 1e6;
    }
    qsort(rounds, SMALL_ROUNDS, sizeof rounds[0], by_value);
    printf("RESULT c %.3f %.4f\n", gbps, rounds[SMALL_ROUNDS / 2]);
    smem_bm_destroy(handle);
    smem_bm_uninit(0);
    return 0;
}
