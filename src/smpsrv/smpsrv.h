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
#include "image/image.h"
#include "smp/cbor.h"
#include "smp/smp.h"

struct smpsrv;

/* The transport a packet came on, given with each packet: one server
 * answers on several (a UART and UDP, say) whose limits differ. */
struct smpsrv_transport {
    /* its SMP buffers (netbuf size and count), which OS cmd 6 reports */
    uint32_t buf_size;
    uint32_t buf_count;
    /* a serial line (UART, USB CDC): MCUboot's serial recovery
     * (plat->recovery) answers there only, a bootloader has no network
     * stack; a packet on another transport then gets no answer */
    bool serial;
};

struct smp_ctx {
    struct smpsrv *srv;
    const struct smpsrv_transport *transport; /* the request's */
    void *state;               /* the group's own state (smp_group.state) */
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
    /* The commands MCUboot's serial recovery answers in this group, used
     * instead of handlers when plat->recovery; NULL: the group does not
     * exist there (every command answers ENOTSUP, as MCUboot does). */
    const struct smp_handler *recovery_handlers;
    size_t recovery_count;
    /* What the group keeps between requests (an upload session, ...):
     * state_size bytes owned by the group's file, handed to its handlers
     * as ctx->state; NULL for a group that keeps nothing. smpsrv_init
     * zeroes it, as a device's reset clears RAM. One server per program,
     * as on a device (two servers would share a group's state). */
    void *state;
    size_t state_size;
};

/* Limits of the server's own bounded storage (no malloc anywhere); each
 * an integrator limit (docs/limits.md), the same for every file that
 * includes this header (struct smpsrv holds the scratch buffer). */
#ifndef SMPSRV_NAME_MAX
#define SMPSRV_NAME_MAX 64        /* settings key, file name, stat group (bytes, no NUL) */
#endif
#ifndef SMPSRV_SHELL_ARGC_MAX
#define SMPSRV_SHELL_ARGC_MAX 16  /* shell: most argv entries */
#endif
#ifndef SMPSRV_SCRATCH_SIZE
#define SMPSRV_SCRATCH_SIZE 1024  /* per-request scratch: shell argv/output, settings value */
#endif
/* the shell keeps its argument strings (SMPSRV_SHELL_ARGS_MAX) in the
 * scratch and needs room for output beside them */
#ifndef SMPSRV_SHELL_ARGS_MAX
#define SMPSRV_SHELL_ARGS_MAX 256
#endif
_Static_assert(SMPSRV_SCRATCH_SIZE >= SMPSRV_SHELL_ARGS_MAX + 64,
               "SMPSRV_SCRATCH_SIZE: the shell's arguments and some output");
_Static_assert(SMPSRV_NAME_MAX >= 8 && SMPSRV_SHELL_ARGC_MAX >= 1, "smpsrv limits");

/* Group-specific codes (err.rc under SMP v2) of the groups beyond os/img,
 * smp-protocol §2.5. Platform callbacks of those groups return 0 or one of
 * these (positive); the dispatcher reports them in the right shape. */
enum smpsrv_os_err {
    SMPSRV_OS_ERR_INVALID_FORMAT = 2, SMPSRV_OS_ERR_QUERY_YIELDS_NO_ANSWER = 3,
    SMPSRV_OS_ERR_RTC_NOT_SET = 4, SMPSRV_OS_ERR_RTC_COMMAND_FAILED = 5,
    SMPSRV_OS_ERR_QUERY_RESPONSE_VALUE_NOT_VALID = 6,
};
enum smpsrv_stat_err {
    SMPSRV_STAT_ERR_INVALID_GROUP = 2, SMPSRV_STAT_ERR_INVALID_STAT_NAME = 3,
};
enum smpsrv_settings_err {
    SMPSRV_SETTINGS_ERR_KEY_TOO_LONG = 2, SMPSRV_SETTINGS_ERR_KEY_NOT_FOUND = 3,
    SMPSRV_SETTINGS_ERR_READ_NOT_SUPPORTED = 4, SMPSRV_SETTINGS_ERR_ROOT_KEY_NOT_FOUND = 5,
    SMPSRV_SETTINGS_ERR_WRITE_NOT_SUPPORTED = 6, SMPSRV_SETTINGS_ERR_DELETE_NOT_SUPPORTED = 7,
    SMPSRV_SETTINGS_ERR_SAVE_NOT_SUPPORTED = 8,
};
enum smpsrv_fs_err {
    SMPSRV_FS_ERR_FILE_INVALID_NAME = 2, SMPSRV_FS_ERR_FILE_NOT_FOUND = 3,
    SMPSRV_FS_ERR_FILE_IS_DIRECTORY = 4, SMPSRV_FS_ERR_FILE_OPEN_FAILED = 5,
    SMPSRV_FS_ERR_FILE_SEEK_FAILED = 6, SMPSRV_FS_ERR_FILE_READ_FAILED = 7,
    SMPSRV_FS_ERR_FILE_TRUNCATE_FAILED = 8, SMPSRV_FS_ERR_FILE_DELETE_FAILED = 9,
    SMPSRV_FS_ERR_FILE_WRITE_FAILED = 10, SMPSRV_FS_ERR_FILE_OFFSET_NOT_VALID = 11,
    SMPSRV_FS_ERR_FILE_OFFSET_LARGER_THAN_FILE = 12,
    SMPSRV_FS_ERR_CHECKSUM_HASH_NOT_FOUND = 13, SMPSRV_FS_ERR_MOUNT_POINT_NOT_FOUND = 14,
    SMPSRV_FS_ERR_READ_ONLY_FILESYSTEM = 15, SMPSRV_FS_ERR_FILE_EMPTY = 16,
};
enum smpsrv_shell_err {
    SMPSRV_SHELL_ERR_COMMAND_TOO_LONG = 2, SMPSRV_SHELL_ERR_EMPTY_COMMAND = 3,
};
enum smpsrv_enum_err {
    SMPSRV_ENUM_ERR_TOO_MANY_GROUP_ENTRIES = 2, SMPSRV_ENUM_ERR_INDEX_TOO_LARGE = 4,
};
enum smpsrv_zephyr_err {
    SMPSRV_ZEPHYR_ERR_FLASH_OPEN_FAILED = 2, SMPSRV_ZEPHYR_ERR_FLASH_ERASE_FAILED = 4,
};

/* One thread of the firmware, for OS task statistics (stack in 4-byte words). */
struct smpsrv_task {
    const char *name;
    uint32_t prio, tid, state, stkuse, stksiz, cswcnt, runtime, last_checkin,
        next_checkin;
};

/* One memory pool, for OS memory pool statistics (`mpools`). */
struct smpsrv_pool {
    const char *name;
    uint32_t blksiz, nblks, nfree, min;
};

/* An upload session that received nothing for this long no longer
 * counts as in progress: another client may start a different upload. */
#ifndef SMPSRV_UPLOAD_IDLE_MS
#define SMPSRV_UPLOAD_IDLE_MS 5000u
#endif

/* What the board gives the server: flash, identity, and actions. Groups
 * read what they need through srv->plat. Add fields as groups need them. */
struct smpsrv_platform {
    /* image 0 slots */
    const struct flash_area *slot0;
    const struct flash_area *slot1;
    int boot_mode;               /* OS cmd 8 `mode` (boot_strategy_mode) */
    bool no_downgrade;
    uint32_t max_image_size;     /* reported by slot info */
    /* The keys the bootloader trusts (nkeys 0: it checks hashes only):
     * the last upload chunk and `image test` check an image against them. */
    const struct image_key *keys;
    size_t nkeys;
    /* Nothing boots and this is MCUboot's serial recovery answering: only
     * its commands (smp_group.recovery_handlers), uploads write slot 0,
     * errors are a top-level rc whatever the request's version. */
    bool recovery;
    /* Optional: one flash sector (or more; the first is used) no
     * bootloader reads, for the durable upload record (groups/
     * upload_record.c). NULL: an upload resumes only until a reset. */
    const struct flash_area *upload_record;
    /* Optional: milliseconds since boot (wrapping), to tell an upload in
     * progress from an abandoned one. NULL: a different upload may always
     * replace the current one. */
    uint32_t (*uptime_ms)(void *ctx);
    /* Firmware too old to have OS cmd 6 (it answers ENOTSUP, as for any
     * unknown command). The buffers it reports are the transport's. */
    bool no_params;
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

    /* ---- Groups beyond os/img (issue 5). Every callback is optional: a
     * NULL callback makes its command answer ENOTSUP (rc 8). Callbacks get
     * `ctx`; names arrive NUL-terminated and at most SMPSRV_NAME_MAX bytes.
     * Unless stated otherwise they return 0, or that group's positive
     * error code (enum smpsrv_*_err) which the server reports. ---- */

    /* OS 2 / 3: fill *out with entry `index` (0, 1, ...); return 0, or 1
     * when index is past the last entry. Names must stay valid until the
     * response is built. */
    int (*task_info)(void *ctx, size_t index, struct smpsrv_task *out);
    int (*pool_info)(void *ctx, size_t index, struct smpsrv_pool *out);
    /* OS 4: wall clock in microseconds since 1970-01-01T00:00:00Z (UTC).
     * clock_get returns 0, or SMPSRV_OS_ERR_RTC_NOT_SET when never set. */
    int (*clock_get)(void *ctx, int64_t *unix_us);
    int (*clock_set)(void *ctx, int64_t unix_us);

    /* Stat (2): group `index` name (0, 1, ...; return 1 past the last), and
     * field `field` of group `group` (return 1 past the last field). The
     * server's own counters are in srv->stats; smpsrv_stat_field() walks
     * them for a board that wants to publish them as a group. */
    int (*stat_group)(void *ctx, size_t index, const char **name);
    int (*stat_field)(void *ctx, size_t group, size_t field,
                      const char **name, uint64_t *value);

    /* Settings (3): values are opaque bytes. read copies at most cap bytes
     * to val and stores the full length in *len. save: subtree NULL = all. */
    int (*settings_read)(void *ctx, const char *name, uint8_t *val,
                         size_t cap, size_t *len);
    int (*settings_write)(void *ctx, const char *name, const uint8_t *val,
                          size_t len);
    int (*settings_delete)(void *ctx, const char *name);
    int (*settings_commit)(void *ctx);
    int (*settings_load)(void *ctx);
    int (*settings_save)(void *ctx, const char *subtree);

    /* File system (8). The board confines names (no escapes, size limits)
     * and answers SMPSRV_FS_ERR_* for anything it refuses.
     * fs_stat: file length. fs_read: up to cap bytes at off into buf, *n
     * the count (0 at the end). fs_write: n bytes at off; off 0 creates or
     * truncates the file first. fs_close: the client closed its session.
     * Wire behaviour: an upload chunk at an unexpected offset is not
     * written; the reply's `off` says where to continue (0: start over),
     * as for image uploads; once the whole file is in, any chunk of it
     * is answered with its length until fs close or another upload. */
    int (*fs_stat)(void *ctx, const char *name, uint32_t *len);
    int (*fs_read)(void *ctx, const char *name, uint32_t off, uint8_t *buf,
                   size_t cap, size_t *n);
    int (*fs_write)(void *ctx, const char *name, uint32_t off,
                    const uint8_t *data, size_t n);
    void (*fs_close)(void *ctx);

    /* Shell (9): runs argv[0..argc) (NUL-terminated strings), writes at
     * most cap bytes of output to out (*out_len), and the command's exit
     * status to *ret (non-zero for unknown commands). Returns 0 when the
     * command ran, or an SMPSRV_SHELL_ERR_* code. */
    int (*shell_exec)(void *ctx, int argc, const char *const argv[],
                      char *out, size_t cap, size_t *out_len, int *ret);

    /* Zephyr basic (63): erase the storage partition (settings, files).
     * Returns 0 or SMPSRV_ZEPHYR_ERR_FLASH_ERASE_FAILED. */
    int (*storage_erase)(void *ctx);
};

struct smpsrv_stats {
    uint32_t requests;
    uint32_t errors;
    uint32_t per_group_requests[64];
    uint32_t per_group_errors[64];
    uint32_t bytes_in;           /* SMP message bytes received (headers included) */
    uint32_t bytes_out;          /* SMP message bytes emitted */
    uint32_t dropped;            /* packets or tails too short for a header (no response) */
};

struct smpsrv {
    const struct smp_group *const *groups;
    size_t ngroups;
    const struct smpsrv_platform *plat;
    uint8_t *rsp_buf;            /* one response at a time */
    size_t rsp_cap;
    struct smpsrv_stats stats;
    /* Scratch for one request at a time (shell argv and output, settings
     * values): keeps big buffers off a small device stack. */
    uint8_t scratch[SMPSRV_SCRATCH_SIZE];
};

void smpsrv_init(struct smpsrv *srv, const struct smp_group *const *groups,
                 size_t ngroups, const struct smpsrv_platform *plat,
                 uint8_t *rsp_buf, size_t rsp_cap);

typedef void (*smpsrv_emit_fn)(void *arg, const uint8_t *msg, size_t len);

/* Processes one packet of transport tp (one or more SMP messages back to
 * back) and emits one response per request. Returns the number of
 * requests handled (0 for a packet recovery does not answer on tp). `msg` passed to emit lives in rsp_buf: copy or send it before
 * returning, the next response reuses the buffer. Messages whose op is a
 * response are skipped unanswered; a short header ends the packet with no
 * answer (stats.dropped); a body shorter than its header declares is
 * answered ECORRUPT and ends the packet. Other errors answer that request
 * and processing goes on with the next message. */
int smpsrv_process(struct smpsrv *srv, const struct smpsrv_transport *tp,
                   const uint8_t *pkt, size_t len, smpsrv_emit_fn emit, void *arg);

/* The server's own counters as stat fields, for a board's stat group:
 * field `index` (0, 1, ...) of requests, errors, bytes and per-group
 * requests/errors ("os_req", "img_err", ...). Returns 0, or 1 past the last. */
int smpsrv_stat_field(const struct smpsrv *srv, size_t index,
                      const char **name, uint64_t *value);

/* The groups this library provides. */
extern const struct smp_group smp_group_os;
extern const struct smp_group smp_group_img;
extern const struct smp_group smp_group_stat;
extern const struct smp_group smp_group_settings;
extern const struct smp_group smp_group_fs;
extern const struct smp_group smp_group_shell;
extern const struct smp_group smp_group_enum;
extern const struct smp_group smp_group_zephyr;

#endif
