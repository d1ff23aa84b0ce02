/*
 * memfabric: the TRANS API (upstream's smem_trans.h): an engine registers memory, and reads and writes the memory its
 * peers registered, naming each peer by its unique id (ip:port or [ipv6]:port). Remote addresses are the peer's own
 * addresses, inside memory it registered or allocated with smem_trans_malloc.
 */
#ifndef MEMFABRIC_SMEM_TRANS_H
#define MEMFABRIC_SMEM_TRANS_H

#include <stddef.h>

#include "smem.h"
#include "smem_trans_def.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Fills the defaults (see smem_trans_config_t). NULL: SM_INVALID_PARAM. */
int32_t smem_trans_config_init(smem_trans_config_t *config);

/* Prepares the TRANS API; a second call returns 0. NULL or initTimeout 0: SM_INVALID_PARAM. */
int32_t smem_trans_init(const smem_trans_config_t *config);

/* Destroys every engine of this process. */
void smem_trans_uninit(uint32_t flags);

/*
 * Opens an engine named uniqueId (its data listener binds that address) on the store at storeUrl, as
 * config->role. NULL before smem_trans_init, for NULL or empty arguments, a bad role, a uniqueId already open in
 * this process, or when the store cannot be reached in time (the last error says which).
 */
smem_trans_t smem_trans_create(const char *storeUrl, const char *uniqueId, const smem_trans_config_t *config);

/* Closes the engine: peers see it go down. NULL or unknown handles are ignored. */
void smem_trans_destroy(smem_trans_t handle, uint32_t flags);

/*
 * Allocates capacity bytes of host memory that same-host peers map (populated, registered): NULL for 0, for more
 * than the engine's pool (memfabric.trans.pool.bytes, default 4 GiB) has free, or when the system has no memory.
 */
void *smem_trans_malloc(smem_trans_t handle, size_t capacity);

/* Frees memory from smem_trans_malloc; an unknown address: SM_ERROR. */
int32_t smem_trans_free(smem_trans_t handle, void *address);

/*
 * Lets peers read and write capacity bytes at address (exactly that range; upstream widens it to 2 MiB pages);
 * usable by peers when this returns. NULL handle or address, capacity 0: SM_INVALID_PARAM.
 */
int32_t smem_trans_register_mem(smem_trans_t handle, void *address, size_t capacity, uint32_t flags);

/* Registers count ranges; overlapping and adjacent ones are merged first; all or none. */
int32_t smem_trans_batch_register_mem(smem_trans_t handle, void *addresses[], size_t capacities[], uint32_t count,
                                      uint32_t flags);

/*
 * Withdraws the registration that starts at address (upstream's does nothing): transfers in flight into it finish
 * first, later ones fail. An address that starts no registration: SM_INVALID_PARAM.
 */
int32_t smem_trans_deregister_mem(smem_trans_t handle, void *address);

/*
 * Writes dataSize bytes from localAddr to remoteAddr in the memory of engine remoteUniqueId, and returns when they are
 * there. flags: 0 or COPY_EXTEND_FLAG. SM_INVALID_PARAM for NULL pointers, size 0, an unknown peer, one this role does
 * not see, or a remote range that is not inside one region the peer registered (nothing moved then).
 */
int32_t smem_trans_write(smem_trans_t handle, const void *localAddr, const char *remoteUniqueId, void *remoteAddr,
                         size_t dataSize, uint32_t flags);

/* batchSize writes to one peer in one call; each element is as smem_trans_write. */
int32_t smem_trans_batch_write(smem_trans_t handle, const void *localAddrs[], const char *remoteUniqueId,
                               void *remoteAddrs[], size_t dataSizes[], uint32_t batchSize, uint32_t flags);

/* Reads dataSize bytes from remoteAddr of engine remoteUniqueId to localAddr; as smem_trans_write. */
int32_t smem_trans_read(smem_trans_t handle, void *localAddr, const char *remoteUniqueId, const void *remoteAddr,
                        size_t dataSize, uint32_t flags);

/* batchSize reads from one peer in one call. */
int32_t smem_trans_batch_read(smem_trans_t handle, void *localAddrs[], const char *remoteUniqueId,
                              const void *remoteAddrs[], size_t dataSizes[], uint32_t batchSize, uint32_t flags);

/*
 * The stream forms (upstream enqueues on an accelerator stream): stream must not be NULL; there are no streams here,
 * so the transfer is done when the call returns, which is when a stream synchronisation would have returned.
 */
int32_t smem_trans_read_submit(smem_trans_t handle, void *localAddr, const char *remoteUniqueId, const void *remoteAddr,
                               size_t dataSize, void *stream, uint32_t flags);
int32_t smem_trans_write_submit(smem_trans_t handle, const void *localAddr, const char *remoteUniqueId,
                                void *remoteAddr, size_t dataSize, void *stream, uint32_t flags);
int32_t smem_trans_batch_read_submit(smem_trans_t handle, void *localAddrs[], const char *remoteUniqueId,
                                     const void *remoteAddrs[], size_t dataSizes[], uint32_t batchSize,
                                     void *stream, uint32_t flags);
int32_t smem_trans_batch_write_submit(smem_trans_t handle, const void *localAddrs[], const char *remoteUniqueId,
                                      void *remoteAddrs[], size_t dataSizes[], uint32_t batchSize, void *stream,
                                      uint32_t flags);

#ifdef __cplusplus
}
#endif

#endif /* MEMFABRIC_SMEM_TRANS_H */
