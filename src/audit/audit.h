/*
 * The audit trail: every state-changing operation on a device (upload,
 * test, confirm, erase, reset, a whole DFU update) appends one record to a
 * store: an SQLite file on a station, or a site's PostgreSQL database
 * (--audit-db postgresql://...) that several stations append to. Records are hash-chained: each stores the SHA-256 of its
 * own fields together with the previous record's hash, so an edited,
 * deleted or reordered record breaks the chain and `audit verify` finds it.
 * A meta row keeps the count and the head hash, which catches a truncated
 * tail; exporting the head hash elsewhere (a ticket, a release note)
 * anchors the whole history. The same records, fields and chain in both
 * stores; `audit push` copies a station's file into a central trail.
 */
#ifndef AUDIT_AUDIT_H
#define AUDIT_AUDIT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define AUDIT_HASH_HEX 65

struct audit_record {
    int64_t id;                 /* assigned by audit_append */
    char time[40];              /* RFC 3339 UTC; filled when empty */
    char operator_name[64];
    char host[128];
    char device[160];           /* device identity (serial, hardware id) */
    char connection[160];       /* how the device was reached */
    char action[32];            /* upload, test, confirm, erase, reset, dfu-update, ... */
    char image_hash[AUDIT_HASH_HEX];   /* image the action is about, if any */
    char version_before[48];
    char version_after[48];
    char hash_before[AUDIT_HASH_HEX];  /* running image before / after */
    char hash_after[AUDIT_HASH_HEX];
    char outcome[16];           /* "ok" or "failed" */
    char detail[512];
    char prev_hash[AUDIT_HASH_HEX];    /* filled by audit_append */
    char record_hash[AUDIT_HASH_HEX];
    /* A record pushed from a station's trail (audit_push): that trail's
     * name (its first record's hash), and the record's id, previous hash
     * and hash there, so it still verifies in the station's own chain.
     * Empty (origin "") for a record written in place. */
    char origin[AUDIT_HASH_HEX];
    int64_t origin_id;
    char origin_prev[AUDIT_HASH_HEX];
    char origin_hash[AUDIT_HASH_HEX];
};

struct audit_db;

/* How a trail is opened. AUDIT_READ_ONLY writes nothing at all (no
 * schema, no journal), so a read-only copy handed to an auditor reads; the
 * file must exist. AUDIT_APPEND creates the file when missing but never
 * its folder (a path in a folder that does not exist is a mistake, not a
 * new chain), and checks that this process can write it. */
enum audit_access { AUDIT_READ_ONLY, AUDIT_APPEND };

/* Whether path names a PostgreSQL trail (postgresql:// or postgres://);
 * anything else is an SQLite file. */
bool audit_is_url(const char *path);
/* path as messages show it: a URL's password replaced by ***. */
const char *audit_trail_name(const char *path, char *out, size_t cap);

/* Opens the trail at path (a file, or a URL: see audit_is_url). A
 * PostgreSQL trail gets its tables on first append (idempotent; several
 * stations may start at once); AUDIT_APPEND checks that this role may
 * append, so a read-only role fails here. On failure returns NULL and writes a reason to
 * err. audit_open is audit_open_as(path, AUDIT_APPEND, ...). */
struct audit_db *audit_open_as(const char *path, enum audit_access how, char *err, size_t errlen);
struct audit_db *audit_open(const char *path, char *err, size_t errlen);
/* Creates the folders of the default trail (the user's state folder). */
int audit_make_default_folder(const char *path);
void audit_close(struct audit_db *db);

/* Appends rec (id, time when empty, prev_hash, record_hash are filled in).
 * Returns 0, or -1 with a reason in err. */
int audit_append(struct audit_db *db, struct audit_record *rec, char *err, size_t errlen);

/* Calls fn for each record in id order (all when limit <= 0, else the last
 * `limit`). Stops when fn returns non-zero. Returns 0 or -1. */
typedef int (*audit_fn)(void *arg, const struct audit_record *rec);
int audit_foreach(struct audit_db *db, int limit, audit_fn fn, void *arg);
/* The same for one device's history: the records of which
 * audit_device_matches(rec->device, device) holds (NULL: all); limit > 0:
 * the newest `limit` of them. */
int audit_foreach_device(struct audit_db *db, const char *device, int limit, audit_fn fn,
                         void *arg);
/* Whether a record's device field names the device id, whole, never a part
 * of a word (ok-udp-1 is not ok-udp-10). The field is "NAME (IDENTITY)"
 * (dfu, fleet: the name the user gave and what the device told) or a bare
 * IDENTITY (other commands), an identity being "NODE PLATFORM" (OS info
 * "ni": the node name is the board's hardware id). id matches the whole
 * field, the NAME, the IDENTITY, or the identity's NODE name. */
bool audit_device_matches(const char *device, const char *id);
/* Fetches one record by id: 1 found, 0 absent, -1 error. */
int audit_get(struct audit_db *db, int64_t id, struct audit_record *rec);

/* Walks the chain. Returns the number of records checked when intact, or
 * -1 with the first broken record id in *bad_id (0 when the break is in
 * the meta row) and an explanation in why. */
long audit_verify(struct audit_db *db, int64_t *bad_id, char *why, size_t whylen);

/* An intact chain may still be a rewritten one (every hash recomputed): a
 * head hash noted elsewhere earlier (an anchor) catches that. */
/* Whether s is a record hash as `audit verify` prints it (64 hex digits). */
bool audit_is_record_hash(const char *s);
/* The id of the record whose hash is anchor; 0 when no record has it (the
 * history was rewritten or replaced); -1 when the trail cannot be read. */
int64_t audit_find_anchor(struct audit_db *db, const char *anchor);
/* The newest record's hash ("" for an empty trail): 0, or -1. */
int audit_head_hash(struct audit_db *db, char out[AUDIT_HASH_HEX]);
/* audit_verify, then (when anchor is not NULL) the anchor: the number of
 * records, or -1 with why (and *bad_id as audit_verify gives it, 0 for a
 * missing anchor). *anchor_id: the anchor's record. */
long audit_verify_anchored(struct audit_db *db, const char *anchor, int64_t *bad_id,
                           int64_t *anchor_id, char *why, size_t whylen);

/* Copies the records of the station trail `from` that the central trail
 * `to` does not hold yet, each with its origin (see struct audit_record),
 * onto the central chain. Refuses a station trail that does not verify,
 * and one that no longer continues what was pushed from it before (cut,
 * replaced). Pushing again copies nothing new. Returns the number of
 * records copied, or -1 with why (the ones copied so far stay: a second
 * push goes on from there). */
struct audit_push_result {
    long records;                  /* in the station trail */
    long already;                  /* of them, held centrally before */
    long pushed;                   /* copied now */
    char origin[AUDIT_HASH_HEX];   /* the station trail's name */
};
long audit_push(struct audit_db *from, struct audit_db *to, struct audit_push_result *res,
                char *err, size_t errlen);

int audit_export_csv(struct audit_db *db, FILE *out);
int audit_export_json(struct audit_db *db, FILE *out);
/* The newest `limit` records (all when limit <= 0) as a JSON array. */
int audit_export_json_last(struct audit_db *db, int limit, FILE *out);
/* ... of one device (see audit_foreach_device). */
int audit_export_json_device(struct audit_db *db, const char *device, int limit, FILE *out);
/* One record as a JSON object with the export's keys (a cJSON document the
 * caller frees with cJSON_Delete). */
struct cJSON;
struct cJSON *audit_record_json(const struct audit_record *rec);

/* $MCUTOOLS_AUDIT_DB, else $XDG_STATE_HOME/mcutools/audit.db, else
 * ~/.local/state/mcutools/audit.db; NULL when none is set (no HOME): never
 * a trail in the current folder. */
const char *audit_default_path(char *buf, size_t cap);
/* The default trail is in the user's state folder (not $MCUTOOLS_AUDIT_DB),
 * whose folders may be created. */
bool audit_path_is_state_folder(void);

/* The hash of a record given the previous hash (hex). Exposed for tests. */
void audit_record_digest(const struct audit_record *rec, const char *prev_hash,
                         char out[AUDIT_HASH_HEX]);

#endif
