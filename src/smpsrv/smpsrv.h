/*
 * The device-side SMP server: a dispatcher keyed by (group, command) over
 * tables of handlers, one file per group under groups/. Transport-agnostic:
 * it consumes SMP packets and emits SMP responses through a callback. No
 * malloc: buffers come from the caller.
 *
 * A handler writes only its own keys: the dispatcher opens the response
 * map before calling it and closes it after. On failure the handler
 * returns a code and the dispatcher builds the error response in one place:
 * v2 requests get err{group, rc} for group errors, v1 requests get the
 * group's translation to a generic rc; SMP-level errors are top-level rc.
 */
#ifndef SMPSRV_SMPSRV_H
#define SMPSRV_SMPSRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/flash_area.h"
#include "smp/cbor.h"
#include "smp/smp.h"

struct smpsrv;

struct smp_ctx {
    struct smpsrv *srv;
    const struct smp_hdr *req_hdr;
    struct cbor_value req;     /* request body: a map (empty when absent) */
    struct cbor_writer *rsp;   /* response map is open: write key/value pairs */
    /* set through smp_ctx_group_err / smp_ctx_rsn */
    int group_rc;
    const char *rsn;
};

/* Handler return: 0 success; a positive generic code (enum smp_err); or
 * SMP_GROUP_ERR after smp_ctx_group_err() recorded a group-specific code. */
#define SMP_GROUP_ERR (-1)
typedef int (*smp_handler_fn)(struct smp_ctx *ctx);

/* Records a group-specific failure and returns SMP_GROUP_ERR. */
int smp_ctx_group_err(struct smp_ctx *ctx, int group_rc);
/* Optional human-readable reason sent as `rsn` with an error (static text). */
void smp_ctx_rsn(struct smp_ctx *ctx, const char *rsn);

struct smp_handler {
    smp_handler_fn read;
    smp_handler_fn write;
};

struct smp_group {
    uint16_t id;
    const char *name;            /* e.g. "os", "img" (enum group lists it) */
    const struct smp_handler *handlers; /* indexed by command id */
    size_t count;
    /* Translates a group rc for v1 (version 0) clients; NULL: EUNKNOWN. */
    int (*to_v1_rc)(int group_rc);
};

/* What the board gives the server: flash, identity, and actions. Groups
 * read what they need through srv->plat. Add fields as groups need them. */
struct smpsrv_platform {
    /* image 0 slots */
    const struct flash_area *slot0;
    const struct flash_area *slot1;
    int boot_mode;               /* OS cmd 8 `mode` (boot_strategy_mode) */
    bool no_downgrade;
    uint32_t max_image_size;     /* reported by slot info */
    /* SMP buffers, reported by OS cmd 6 */
    uint32_t buf_size;
    uint32_t buf_count;
    /* os/application info (OS cmd 7) */
    const char *kernel_name, *node_name, *kernel_release, *kernel_version,
        *build_time, *machine, *processor, *hw_platform, *os_name;
    void *ctx;                   /* passed to the callbacks below */
    /* Schedules a reset once the response is sent. Returns 0, or an SMP
     * error (e.g. EBUSY) to refuse. */
    int (*reset)(void *ctx, bool force);
    /* Optional: may refuse state-changing image commands (DFU mode).
     * Returns 0 to allow, or an SMP error code; may set *rsn. */
    int (*image_gate)(void *ctx, const char **rsn);
};

struct smpsrv_stats {
    uint32_t requests;
    uint32_t errors;
    uint32_t per_group_requests[64];
    uint32_t per_group_errors[64];
};

struct smpsrv {
    const struct smp_group *const *groups;
    size_t ngroups;
    const struct smpsrv_platform *plat;
    uint8_t *rsp_buf;            /* one response at a time */
    size_t rsp_cap;
    struct smpsrv_stats stats;
    void *group_state[64];       /* per-group state (upload session, ...) */
};

void smpsrv_init(struct smpsrv *srv, const struct smp_group *const *groups,
                 size_t ngroups, const struct smpsrv_platform *plat,
                 uint8_t *rsp_buf, size_t rsp_cap);

typedef void (*smpsrv_emit_fn)(void *arg, const uint8_t *msg, size_t len);

/* Processes one transport packet (one or more SMP messages back to back)
 * and emits one response per request. Returns the number of requests
 * handled. */
int smpsrv_process(struct smpsrv *srv, const uint8_t *pkt, size_t len,
                   smpsrv_emit_fn emit, void *arg);

/* The groups this library provides. */
extern const struct smp_group smp_group_os;
extern const struct smp_group smp_group_img;

#endif
