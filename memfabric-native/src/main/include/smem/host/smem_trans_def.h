/*
 * memfabric: the types of the TRANS API (upstream's smem_trans_def.h).
 */
#ifndef MEMFABRIC_SMEM_TRANS_DEF_H
#define MEMFABRIC_SMEM_TRANS_DEF_H

#include <stdbool.h>
#include <stdint.h>

#include "smem_bm_def.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A transfer engine of this process; NULL is never a valid one. */
typedef void *smem_trans_t;

/* SENDER (prefill) sees RECEIVERs, RECEIVER (decode) sees SENDERs, BOTH sees everyone (upstream refuses BOTH). */
typedef enum {
    SMEM_TRANS_NONE = 0,
    SMEM_TRANS_SENDER,
    SMEM_TRANS_RECEIVER,
    SMEM_TRANS_BOTH,
    SMEM_TRANS_BUTT
} smem_trans_role_t;

/* Settings of smem_trans_init and smem_trans_create; smem_trans_config_init sets the defaults named here. */
typedef struct {
    smem_trans_role_t role;          /* SMEM_TRANS_SENDER */
    uint32_t initTimeout;            /* 120 s: how long create waits for the store, and a transfer for a peer */
    uint32_t deviceId;               /* UINT32_MAX; not used */
    uint32_t flags;                  /* 0 */
    smem_bm_data_op_type dataOpType; /* SMEMB_DATA_OP_SDMA (upstream leaves it unset); HOST_TCP alone forces tcp */
    bool startConfigServer;          /* false; true: create starts the store if its address is this host's */
} smem_trans_config_t;

#ifdef __cplusplus
}
#endif

#endif /* MEMFABRIC_SMEM_TRANS_DEF_H */
