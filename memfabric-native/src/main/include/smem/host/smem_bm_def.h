/*
 * memfabric: the types of the BM API (upstream's smem_bm_def.h): one global address space over the HOST (DRAM) and
 * DEVICE (HBM; an emulated tier where no accelerator is present) memory of every rank.
 */
#ifndef MEMFABRIC_SMEM_BM_DEF_H
#define MEMFABRIC_SMEM_BM_DEF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A BigMemory object of this process; NULL is never a valid one. */
typedef void *smem_bm_t;

#define SMEM_BM_TIMEOUT_MAX UINT32_MAX
#define SMEM_BM_PERFORMANCE_MODE_FLAG_INDEX 7
#define SMEM_BM_PERFORMANCE_MODE_FLAG_LEN 1
#define SMEM_BM_BIND_NUMA_FLAG_INDEX 0
#define SMEM_BM_BIND_NUMA_FLAG_LEN 7
#define SMEM_TLS_PATH_SIZE 256
/* Back local DRAM with a caller's shm fd (smem_bm_create2): not supported, refused with SM_INVALID_PARAM. */
#define SMEM_BM_FLAG_CREATE_WITH_SHM (1U << 8)

/* Memory types: LOCAL_* are this process's own memory, DEVICE and HOST the global (pooled) windows. */
typedef enum {
    SMEM_MEM_TYPE_LOCAL_DEVICE = 0,
    SMEM_MEM_TYPE_LOCAL_HOST,
    SMEM_MEM_TYPE_DEVICE,
    SMEM_MEM_TYPE_HOST,
    SMEM_MEM_TYPE_BUTT
} smem_bm_mem_type;

/*
 * How copies move (a bit mask). Every known bit is accepted; the routes are memfabric's (shm, cma, tcp, chosen per
 * peer). HOST_TCP alone forces the tcp route.
 */
typedef enum {
    SMEMB_DATA_OP_SDMA = 1U << 0,
    SMEMB_DATA_OP_HOST_RDMA = 1U << 1,
    SMEMB_DATA_OP_HOST_TCP = 1U << 2,
    SMEMB_DATA_OP_DEVICE_RDMA = 1U << 3,
    SMEMB_DATA_OP_HOST_URMA = 1U << 4,
    SMEMB_DATA_OP_BUTT
} smem_bm_data_op_type;

/* Copy directions: L = local device memory, H = local host memory, G = global, GH = the global HOST window. */
typedef enum {
    SMEMB_COPY_L2G = 0,
    SMEMB_COPY_G2L = 1,
    SMEMB_COPY_G2H = 2,
    SMEMB_COPY_H2G = 3,
    SMEMB_COPY_L2GH = 4,
    SMEMB_COPY_GH2L = 5,
    SMEMB_COPY_GH2H = 6,
    SMEMB_COPY_H2GH = 7,
    SMEMB_COPY_G2G = 8,
    SMEMB_COPY_AUTO = 9, /* each side is global if its address is a GVA, local otherwise */
    SMEMB_COPY_BUTT
} smem_bm_copy_type;

/* Kept for source compatibility; not read (the store's TLS is configured through memfabric's settings). */
typedef struct {
    bool tlsEnable;
    char caPath[SMEM_TLS_PATH_SIZE];
    char crlPath[SMEM_TLS_PATH_SIZE];
    char certPath[SMEM_TLS_PATH_SIZE];
    char keyPath[SMEM_TLS_PATH_SIZE];
    char keyPassPath[SMEM_TLS_PATH_SIZE];
    char packagePath[SMEM_TLS_PATH_SIZE];
    char decrypterLibPath[SMEM_TLS_PATH_SIZE];
} smem_tls_config;

/* Settings of smem_bm_init; smem_bm_config_init sets the defaults named here. */
typedef struct {
    uint32_t initTimeout;             /* 120; must be 1..SMEM_BM_TIMEOUT_MAX (not otherwise used, as upstream) */
    uint32_t createTimeout;           /* 120; as initTimeout */
    uint32_t controlOperationTimeout; /* 120 s: join, leave and barrier wait this long for the other ranks */
    bool startConfigStoreServer;      /* true: a process on the store's host may start the store (see README) */
    bool startConfigStoreOnly;        /* false; not used (as upstream) */
    bool dynamicWorldSize;            /* false; not used (membership is always dynamic) */
    bool unifiedAddressSpace;         /* true; must stay true */
    bool autoRanking;                 /* true: the store assigns the rank */
    uint16_t rankId;                  /* the rank when autoRanking is false, < worldSize; default UINT16_MAX */
    uint32_t flags;                   /* 0 */
    char hcomUrl[64];                 /* "" or tcp://ip[/mask]:port: the interface of this rank's data listener */
    smem_tls_config hcomTlsConfig;
    smem_tls_config storeTlsConfig;
} smem_bm_config_t;

/* Settings of smem_bm_create2. */
typedef struct {
    uint64_t maxDramSize;            /* the HOST stride: address space of every rank's HOST slot */
    uint64_t maxHbmSize;             /* the DEVICE stride */
    uint64_t localDRAMSize;          /* HOST bytes this rank contributes, <= maxDramSize, <= 2 TiB */
    uint64_t localHBMSize;           /* DEVICE bytes this rank contributes, <= maxHbmSize, <= 64 GiB */
    smem_bm_data_op_type dataOpType; /* see smem_bm_data_op_type */
    uint32_t flags;                  /* SMEM_BM_FLAG_CREATE_WITH_SHM is refused; other bits are ignored */
    char tag[32];                    /* "" or ^[a-zA-Z0-9_]{1,30}$; checked, not otherwise used */
    char tagOpInfo[256];             /* not used */
    int dramShmFd;                   /* not used */
} smem_bm_create_option_t;

typedef struct {
    const void *src;
    void *dest;
    size_t dataSize;
} smem_copy_params;

typedef struct {
    void **sources;
    void **destinations;
    const uint64_t *dataSizes;
    uint32_t batchSize;
} smem_batch_copy_params;

#ifdef __cplusplus
}
#endif

#endif /* MEMFABRIC_SMEM_BM_DEF_H */
