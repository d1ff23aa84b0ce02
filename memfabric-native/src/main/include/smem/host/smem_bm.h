/*
 * memfabric: the BM API (upstream's smem_bm.h). Addresses in the pool (GVAs) are numbers, the same in every process:
 * rank r's slot of a type starts at smem_bm_ptr_by_mem_type(handle, type, r). Unlike upstream's, a GVA is not a
 * pointer this process can dereference; smem_bm_local_ptr_by_mem_type gives this rank's own slot as memory.
 */
#ifndef MEMFABRIC_SMEM_BM_H
#define MEMFABRIC_SMEM_BM_H

#include "smem.h"
#include "smem_bm_def.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Fills the defaults (see smem_bm_config_t). NULL: SM_INVALID_PARAM. */
int32_t smem_bm_config_init(smem_bm_config_t *config);

/*
 * Joins this process to a BigMemory fabric: starts the store if this process should (config->startConfigStoreServer),
 * connects to it and takes a rank. worldSize 1..1024. A second call returns 0 and changes nothing.
 * SM_INVALID_PARAM for a bad argument; SM_ERROR when the store cannot be reached (or started) in time.
 */
int32_t smem_bm_init(const char *storeURL, uint32_t worldSize, uint16_t deviceId, const smem_bm_config_t *config);

/* Destroys every object of this process, gives the rank back, closes the store connection. Safe without init. */
void smem_bm_uninit(uint32_t flags);

/* This process's rank, or UINT32_MAX before smem_bm_init. */
uint32_t smem_bm_get_rank_id(void);

/* smem_bm_create2 with maxDramSize = localDRAMSize and maxHbmSize = localHBMSize; memberSize is not used. */
smem_bm_t smem_bm_create(uint32_t id, uint32_t memberSize, smem_bm_data_op_type dataOpType, uint64_t localDRAMSize,
                         uint64_t localHBMSize, uint32_t flags);

/*
 * Creates BigMemory object id (0..254, unique in the process) on this rank: allocates its slots and publishes them.
 * It does not join. NULL on failure (the last error says why).
 */
smem_bm_t smem_bm_create2(uint32_t id, const smem_bm_create_option_t *option);

/* Leaves (if joined) and frees the object. NULL or unknown handles are ignored. */
void smem_bm_destroy(smem_bm_t handle);

/*
 * Joins the object: collective with its current members; when it returns, this rank and every member can copy to
 * each other. Joining again is a no-op. SM_INVALID_PARAM for a NULL or unknown handle, SM_NOT_INITIALIZED before
 * smem_bm_init, SM_TIMEOUT when members did not answer within controlOperationTimeout.
 */
int32_t smem_bm_join(smem_bm_t handle, uint32_t flags);

/* Leaves the object: when it returns, no member copies to this rank any more. */
int32_t smem_bm_leave(smem_bm_t handle, uint32_t flags);

/* Bytes of SMEM_MEM_TYPE_DEVICE or _HOST this rank contributes; 0 for other types or a bad handle. */
uint64_t smem_bm_get_local_mem_size_by_mem_type(smem_bm_t handle, smem_bm_mem_type memType);

/* The GVA of peerRankId's slot of SMEM_MEM_TYPE_DEVICE or _HOST; NULL for other types, ranks or handles. */
void *smem_bm_ptr_by_mem_type(smem_bm_t handle, smem_bm_mem_type memType, uint16_t peerRankId);

/*
 * Copies params->dataSize bytes from params->src to params->dest, one side a GVA at least (see smem_bm_copy_type);
 * the bytes move once, straight from and to the caller's memory. flags: ASYNC_COPY_FLAG starts the copy and returns
 * (finish with smem_bm_wait; the memory must stay valid until then), COPY_EXTEND_FLAG is ignored.
 * SM_INVALID_PARAM for NULL pointers, size 0, a type that does not fit the addresses, or a global range outside the
 * backed part of its rank's slot; SM_ERROR when the rank is not a member (or was lost).
 */
int32_t smem_bm_copy(smem_bm_t handle, smem_copy_params *params, smem_bm_copy_type t, uint32_t flags);

/* params->batchSize copies of one type, each as smem_bm_copy; every element is checked before any byte moves. */
int32_t smem_bm_copy_batch(smem_bm_t handle, smem_batch_copy_params *params, smem_bm_copy_type t, uint32_t flags);

/* Waits for every copy started with ASYNC_COPY_FLAG on this object; returns the first failure among them. */
int32_t smem_bm_wait(smem_bm_t handle);

/*
 * Registers size bytes of this process's memory at addr with the object (copies work without it too). The same
 * address and size again: 0. addr 0 or size 0: SM_INVALID_PARAM.
 */
int32_t smem_bm_register_user_mem(smem_bm_t handle, uint64_t addr, uint64_t size);

/* Unregisters memory registered at addr; an unknown address is ignored. */
int32_t smem_bm_unregister_user_mem(smem_bm_t handle, uint64_t addr);

/*
 * The rank whose slot holds gva, UINT32_MAX when gva is not an address of the object; (uint32_t)SM_INVALID_PARAM for
 * a NULL or unknown handle, (uint32_t)SM_NOT_INITIALIZED before smem_bm_init.
 */
uint32_t smem_bm_get_rank_id_by_gva(smem_bm_t handle, void *gva);

/*
 * memfabric extension: this rank's own slot of SMEM_MEM_TYPE_DEVICE or _HOST as memory of this process (loads and
 * stores see what peers copy into the slot, once the ranks synchronise), or NULL when it contributes none.
 */
void *smem_bm_local_ptr_by_mem_type(smem_bm_t handle, smem_bm_mem_type memType);

#ifdef __cplusplus
}
#endif

#endif /* MEMFABRIC_SMEM_BM_H */
