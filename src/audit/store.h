/*
 * The stores behind audit.h: an SQLite file (store_sqlite.c) for one
 * station, PostgreSQL (store_pg.c) for a site's central trail. A store only
 * stores: the record hash, the chain rules and verification are audit.c's,
 * one code path for both. Internal to src/audit.
 */
#ifndef AUDIT_STORE_H
#define AUDIT_STORE_H

#include "audit/audit.h"

/* Fills rec's id, time (when empty), prev_hash and record_hash as the
 * successor of a head of `count` records ending in `head` (audit.c). */
typedef void (*audit_seal_fn)(struct audit_record *rec, int64_t count, const char *head);

struct audit_store {
    void (*close)(void *h);
    /* Reads the head, seals rec onto it, inserts rec and moves the head,
     * all in one transaction that holds the head against every other
     * writer: 0, or -1 with why. */
    int (*append)(void *h, struct audit_record *rec, audit_seal_fn seal, char *err, size_t errlen);
    /* The records in id order whose device contains `device` as a
     * substring (NULL: all; audit.c keeps those of the one device), the
     * last `limit` when limit > 0: 0, or -1. */
    int (*foreach)(void *h, const char *device, int limit, audit_fn fn, void *arg);
    /* One record: 1 found, 0 absent, -1 error. */
    int (*get)(void *h, int64_t id, struct audit_record *rec);
    /* The head as written beside the records: count and newest hash. */
    int (*head)(void *h, int64_t *count, char hash[AUDIT_HASH_HEX]);
    /* Optional (NULL: none): begins (true) or ends (false) one consistent
     * view of the records and the head for a whole walk. */
    int (*snapshot)(void *h, bool begin);
    /* The reason of the last failure. */
    const char *(*errmsg)(void *h);
};

struct audit_db {
    const struct audit_store *store;
    void *h;
};

extern const struct audit_store audit_sqlite_store;
extern const struct audit_store audit_pg_store;

/* Each opens the trail at path (how as in audit_open_as) and returns the
 * store's handle, or NULL with why; `name` is path as errors show it. */
void *audit_sqlite_open(const char *path, enum audit_access how, char *err, size_t errlen);
void *audit_pg_open(const char *url, const char *name, enum audit_access how, char *err,
                    size_t errlen);

/* The row layout both stores share: the chained fields of a record in the
 * order they are hashed and stored. */
struct audit_field {
    const char *name;
    size_t off;
    size_t size;
};
#define AUDIT_NFIELDS 13
extern const struct audit_field audit_fields[AUDIT_NFIELDS];
extern const size_t audit_nfields;
char *audit_field_ptr(struct audit_record *r, size_t i);
const char *audit_field_cptr(const struct audit_record *r, size_t i);

void audit_seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
