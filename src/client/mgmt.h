/*
 * Typed client operations for the management groups beyond image upload:
 * the rest of OS (tasks, pools, clock, bootloader), statistics, settings,
 * file system (chunked transfers with resume), shell, enumeration and
 * Zephyr basic. Each call is one or a few requests through the session;
 * results come back in caller-owned structs, already sorted where the Go
 * tool prints them sorted. No printing here.
 *
 * Return convention as in client.h: 0, or a negative enum client_err;
 * CLIENT_ERR_DEVICE leaves the details in s->dev_err. Calls that take a
 * `struct client_rsp *rsp` leave the last response there (for --json).
 */
#ifndef CLIENT_MGMT_H
#define CLIENT_MGMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/client.h"

#define CLIENT_NAME_MAX 80      /* task, pool, stat, field and group names kept */
#define CLIENT_MAX_ENTRIES 256  /* entries kept from any one list */

/* ---- OS group: tasks, memory pools, clock, bootloader ---- */

struct client_task {
    char name[CLIENT_NAME_MAX];
    uint64_t prio, tid, state, stkuse, stksiz, cswcnt, runtime, last_checkin, next_checkin;
};

/* Task statistics (OS 2), sorted by name. */
int client_taskstat(struct client_session *s, struct client_task *t, size_t cap, size_t *n,
                    struct client_rsp *rsp);

struct client_pool {
    char name[CLIENT_NAME_MAX];
    uint64_t blksiz, nblks, nfree, min;
};

/* Memory pool statistics (OS 3, pools under `mpools`), sorted by name. */
int client_mpstat(struct client_session *s, struct client_pool *p, size_t cap, size_t *n,
                  struct client_rsp *rsp);

#define CLIENT_DATETIME_MAX 48

int client_datetime_get(struct client_session *s, char *out, size_t cap);
int client_datetime_set(struct client_session *s, const char *rfc3339);
/* 0 when text is yyyy-MM-ddTHH:mm:ss[.f...][Z|±hh:mm] with valid field
 * ranges; CLIENT_ERR_ARG otherwise. Checked before anything is sent. */
int client_datetime_check(const char *text);
/* The host's current time in UTC as yyyy-MM-ddTHH:mm:ss: whole seconds
 * and no zone suffix, the one form every device parses (as UTC). */
int client_datetime_now(char *out, size_t cap);

struct client_bootloader {
    char name[CLIENT_NAME_MAX]; /* no query: the `bootloader` text */
    bool has_mode;              /* query "mode" */
    int64_t mode;
    bool no_downgrade;
};

/* Bootloader info (OS 8); query NULL asks for the bootloader's name. */
int client_bootloader_info(struct client_session *s, const char *query,
                           struct client_bootloader *b, struct client_rsp *rsp);
/* "swap using move" for 3, ...; NULL for a number we do not know. */
const char *client_boot_mode_name(int64_t mode);

/* ---- statistics group (2) ---- */

struct client_stat_field {
    char name[CLIENT_NAME_MAX];
    uint64_t value;
};

/* Names of the device's stat groups, sorted. */
int client_stat_list(struct client_session *s, char (*names)[CLIENT_NAME_MAX], size_t cap,
                     size_t *n, struct client_rsp *rsp);
/* One group's counters, sorted by field name. */
int client_stat_read(struct client_session *s, const char *group, struct client_stat_field *f,
                     size_t cap, size_t *n, struct client_rsp *rsp);

/* ---- settings group (3) ---- */

/* val receives at most cap bytes; *len is what the device sent. A text
 * `val` (Mynewt, Go-era servers) is accepted like a byte string. */
int client_settings_read(struct client_session *s, const char *name, uint8_t *val, size_t cap,
                         size_t *len, struct client_rsp *rsp);
/* as_text: send `val` as a text string, as the Go `config` command does
 * (Mynewt expects text); otherwise a byte string (Zephyr). */
int client_settings_write(struct client_session *s, const char *name, const uint8_t *val,
                          size_t len, bool as_text);
int client_settings_delete(struct client_session *s, const char *name);
int client_settings_commit(struct client_session *s);
int client_settings_load(struct client_session *s);
/* subtree NULL saves everything. A device without the save command
 * (Mynewt) is asked with the Go tool's `{save: true}` write instead. */
int client_settings_save(struct client_session *s, const char *subtree);

/* ---- file system group (8) ---- */

struct client_fs_opts {
    size_t chunk_size;  /* upload data bytes per request; 0 = as large as fits */
    bool resume;        /* continue a partial transfer after checking its sha256 */
    void (*progress)(void *ctx, size_t off, size_t total);
    void *progress_ctx;
};

struct client_fs_stats {
    size_t len;           /* file length */
    size_t resumed_from;  /* bytes kept from an earlier, interrupted transfer */
    size_t chunk_size;    /* upload: effective data bytes per request */
    uint32_t requests;
    uint32_t restarts;    /* the device lost the transfer and it began again */
    bool identical;       /* upload: the device already had this exact file */
};

/* Uploads data to the device file `remote`. With o->resume, a shorter
 * file on the device whose sha256 matches the start of data is continued,
 * and an identical one is left alone. */
int client_fs_upload(struct client_session *s, const char *remote, const uint8_t *data,
                     size_t len, const struct client_fs_opts *o, struct client_fs_stats *st);
/* Downloads `remote` into the local file `local` (created mode 0660, or
 * truncated). With o->resume, an existing shorter local file whose sha256
 * matches the device's first bytes is continued instead. */
int client_fs_download(struct client_session *s, const char *remote, const char *local,
                       const struct client_fs_opts *o, struct client_fs_stats *st);
int client_fs_stat(struct client_session *s, const char *name, uint64_t *len,
                   struct client_rsp *rsp);

struct client_fs_hash {
    char type[16];
    uint64_t off, len;
    bool numeric;          /* crc32: value; sha256: bytes */
    uint64_t value;
    uint8_t bytes[64];
    size_t nbytes;
};

/* type NULL: the device's default; len 0: up to the end of the file. */
int client_fs_hash(struct client_session *s, const char *name, const char *type, uint64_t off,
                   uint64_t len, struct client_fs_hash *h, struct client_rsp *rsp);

struct client_hash_type {
    char name[32];
    uint64_t format; /* 0 numeric, 1 bytes */
    uint64_t size;
};

int client_fs_hash_types(struct client_session *s, struct client_hash_type *t, size_t cap,
                         size_t *n, struct client_rsp *rsp);
int client_fs_close(struct client_session *s);

/* ---- shell group (9) ---- */

/* Runs one command line. out receives the output (NUL-terminated, cut at
 * cap - 1); *ret the command's exit status from `ret` (Zephyr) or, from a
 * legacy server, `rc` next to the output, which is then not an SMP error. */
int client_shell_exec(struct client_session *s, int argc, const char *const argv[], char *out,
                      size_t cap, int *ret, struct client_rsp *rsp);

/* ---- enumeration group (10) ---- */

struct client_group_info {
    uint16_t id;
    char name[CLIENT_NAME_MAX]; /* "" when the device gives none */
    bool has_handlers;
    uint64_t handlers;
};

int client_enum_count(struct client_session *s, uint64_t *count);
int client_enum_list(struct client_session *s, uint16_t *ids, size_t cap, size_t *n,
                     struct client_rsp *rsp);
int client_enum_single(struct client_session *s, uint64_t index, uint16_t *id, bool *end,
                       struct client_rsp *rsp);
/* filter NULL (or nfilter 0): every group. */
int client_enum_details(struct client_session *s, const uint16_t *filter, size_t nfilter,
                        struct client_group_info *g, size_t cap, size_t *n,
                        struct client_rsp *rsp);

/* ---- Zephyr basic group (63) ---- */

/* Erases the storage partition (settings, files); may take seconds. */
int client_storage_erase(struct client_session *s);

#endif
