/*
 * The audit trail over its stores (store.h): the record hash, the chain
 * rules, verification, anchors, exports and `audit push`, one code path
 * for an SQLite file and for PostgreSQL; the stores only store.
 */
#include "audit/audit.h"

#include <openssl/evp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "audit/store.h"
#include "client/client.h"

/* The chained fields, in the order they are hashed and stored. One table
 * drives both schemas, the digest, the row readers and both exports, so a
 * new field cannot be hashed in one place and forgotten in another. */
#define F(n) { #n, offsetof(struct audit_record, n), sizeof(((struct audit_record *)0)->n) }
/* (the header's AUDIT_NFIELDS must match: a conflicting type otherwise) */
const struct audit_field audit_fields[] = {
    F(time), F(operator_name), F(host), F(device), F(connection), F(action),
    F(image_hash), F(version_before), F(version_after), F(hash_before),
    F(hash_after), F(outcome), F(detail),
};
#undef F
const size_t audit_nfields = AUDIT_NFIELDS;

char *audit_field_ptr(struct audit_record *r, size_t i)
{
    return (char *)r + audit_fields[i].off;
}

const char *audit_field_cptr(const struct audit_record *r, size_t i)
{
    return (const char *)r + audit_fields[i].off;
}

void audit_seterr(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static void hex(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static void digest_field(EVP_MD_CTX *md, const char *name, const char *v, size_t cap)
{
    char buf[64];
    size_t vlen = strnlen(v, cap);
    int len = snprintf(buf, sizeof buf, ";%s=%zu:", name, vlen);
    EVP_DigestUpdate(md, buf, (size_t)len);
    EVP_DigestUpdate(md, v, vlen);
}

/* Each field is hashed as name, length and bytes, so no two different
 * records can serialize to the same stream. A pushed record also hashes
 * where it came from (its station trail, id and hashes there), so the
 * central chain holds its origin as firmly as its fields; a record
 * written in place hashes exactly as it always did. */
void audit_record_digest(const struct audit_record *rec, const char *prev_hash,
                         char out[AUDIT_HASH_HEX])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char digest[32];
    unsigned int n = 0;
    char buf[64];

    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    int len = snprintf(buf, sizeof buf, "id=%lld;prev=", (long long)rec->id);
    EVP_DigestUpdate(md, buf, (size_t)len);
    EVP_DigestUpdate(md, prev_hash, strlen(prev_hash));
    for (size_t i = 0; i < audit_nfields; i++)
        digest_field(md, audit_fields[i].name, audit_field_cptr(rec, i), audit_fields[i].size);
    if (rec->origin[0]) {
        snprintf(buf, sizeof buf, "%lld", (long long)rec->origin_id);
        digest_field(md, "origin", rec->origin, sizeof rec->origin);
        digest_field(md, "origin_id", buf, sizeof buf);
        digest_field(md, "origin_prev", rec->origin_prev, sizeof rec->origin_prev);
        digest_field(md, "origin_hash", rec->origin_hash, sizeof rec->origin_hash);
    }
    EVP_DigestFinal_ex(md, digest, &n);
    EVP_MD_CTX_free(md);
    hex(digest, sizeof digest, out);
}

bool audit_is_url(const char *path)
{
    return path && (strncmp(path, "postgresql://", 13) == 0 || strncmp(path, "postgres://", 11) == 0);
}

/* Appends n bytes of s to out (cap bytes, at *o). */
static void put(char *out, size_t cap, size_t *o, const char *s, size_t n)
{
    while (n-- && *s && *o + 1 < cap)
        out[(*o)++] = *s++;
    out[*o] = '\0';
}

/* A URL's password never reaches a message or a log: the one of
 * user:password@host and of a password=... parameter read "***". */
const char *audit_trail_name(const char *path, char *out, size_t cap)
{
    size_t o = 0;

    if (!cap)
        return out;
    out[0] = '\0';
    if (!audit_is_url(path)) {
        snprintf(out, cap, "%s", path);
        return out;
    }
    const char *auth = strstr(path, "://") + 3;
    const char *auth_end = auth + strcspn(auth, "/?");
    const char *at = memchr(auth, '@', (size_t)(auth_end - auth));
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    const char *p = path;

    if (colon) {
        put(out, cap, &o, p, (size_t)(colon + 1 - p));
        put(out, cap, &o, "***", 3);
        p = at;
    }
    while (*p) {
        if ((*p == '?' || *p == '&') && strncmp(p + 1, "password=", 9) == 0) {
            put(out, cap, &o, p, 10);
            put(out, cap, &o, "***", 3);
            p += 10;
            p += strcspn(p, "&#");
            continue;
        }
        put(out, cap, &o, p++, 1);
    }
    return out;
}

struct audit_db *audit_open_as(const char *path, enum audit_access how, char *err, size_t errlen)
{
    struct audit_db *db = calloc(1, sizeof *db);
    char name[1024];

    if (!db) {
        audit_seterr(err, errlen, "out of memory");
        return NULL;
    }
    if (audit_is_url(path)) {
        db->store = &audit_pg_store;
        db->h = audit_pg_open(path, audit_trail_name(path, name, sizeof name), how, err, errlen);
    } else {
        db->store = &audit_sqlite_store;
        db->h = audit_sqlite_open(path, how, err, errlen);
    }
    if (!db->h) {
        free(db);
        return NULL;
    }
    return db;
}

struct audit_db *audit_open(const char *path, char *err, size_t errlen)
{
    return audit_open_as(path, AUDIT_APPEND, err, errlen);
}

int audit_make_default_folder(const char *path)
{
    char dir[1024];
    if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir)
        return -1;
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return 0; /* in the current folder or in / */
    *slash = '\0';
    return client_make_folders(dir);
}

void audit_close(struct audit_db *db)
{
    if (!db)
        return;
    db->store->close(db->h);
    free(db);
}

static void now_rfc3339(char *out, size_t cap)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    char base[24];
    /* milliseconds are 0..999: three digits */
    int ms = (int)((ts.tv_nsec / 1000000) % 1000);
    if (strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
        base[0] = '\0';
    snprintf(out, cap, "%.19s.%03dZ", base, ms < 0 ? 0 : ms);
}

/* The one place a record joins a chain: the successor of the head. */
static void seal(struct audit_record *rec, int64_t count, const char *head)
{
    rec->id = count + 1;
    if (rec->time[0] == '\0')
        now_rfc3339(rec->time, sizeof rec->time);
    snprintf(rec->prev_hash, sizeof rec->prev_hash, "%.64s", head);
    audit_record_digest(rec, rec->prev_hash, rec->record_hash);
}

int audit_append(struct audit_db *db, struct audit_record *rec, char *err, size_t errlen)
{
    return db->store->append(db->h, rec, seal, err, errlen);
}

int audit_foreach(struct audit_db *db, int limit, audit_fn fn, void *arg)
{
    return audit_foreach_device(db, NULL, limit, fn, arg);
}

/* Whether n bytes at s are exactly id. */
static bool part_is(const char *s, size_t n, const char *id)
{
    return strlen(id) == n && strncmp(s, id, n) == 0;
}

bool audit_device_matches(const char *device, const char *id)
{
    const char *ident = device, *open = strstr(device, " (");
    size_t len = strlen(device), ident_len = len;

    if (strcmp(device, id) == 0)
        return true;
    /* "NAME (IDENTITY)": the name the user gave, then what the device told */
    if (open && open > device && len > 0 && device[len - 1] == ')') {
        if (part_is(device, (size_t)(open - device), id))
            return true;
        ident = open + 2;
        ident_len = (size_t)(device + len - 1 - ident);
        if (part_is(ident, ident_len, id))
            return true;
    }
    /* an identity is "NODE PLATFORM" (OS info "ni"): the node name alone
     * names the one board, the platform only its kind */
    const char *space = memchr(ident, ' ', ident_len);
    return space && part_is(ident, (size_t)(space - ident), id);
}

struct device_filter {
    const char *device;
    long skip;     /* matching records to pass over first (the older ones) */
    long matched;
    audit_fn fn;
    void *arg;
};

static int count_device(void *arg, const struct audit_record *rec)
{
    struct device_filter *f = arg;
    if (audit_device_matches(rec->device, f->device))
        f->matched++;
    return 0;
}

static int pass_device(void *arg, const struct audit_record *rec)
{
    struct device_filter *f = arg;
    if (!audit_device_matches(rec->device, f->device) || f->matched++ < f->skip)
        return 0;
    return f->fn(f->arg, rec);
}

/* The store narrows the walk to the records whose device contains id (in
 * SQL, cheap); the rule of what is one device is audit_device_matches, in
 * C, one rule for every store. The newest `limit` of them take a count
 * first, in the same snapshot as the walk. */
static int foreach_one_device(struct audit_db *db, const char *device, int limit, audit_fn fn,
                              void *arg)
{
    const struct audit_store *s = db->store;
    struct device_filter f = { device, 0, 0, fn, arg };
    int rc = 0;

    if (s->snapshot && s->snapshot(db->h, true) != 0)
        return -1;
    if (limit > 0) {
        rc = s->foreach(db->h, device, 0, count_device, &f);
        f.skip = f.matched > limit ? f.matched - limit : 0;
        f.matched = 0;
    }
    if (rc == 0)
        rc = s->foreach(db->h, device, 0, pass_device, &f);
    if (s->snapshot)
        s->snapshot(db->h, false);
    return rc;
}

int audit_foreach_device(struct audit_db *db, const char *device, int limit, audit_fn fn,
                         void *arg)
{
    if (!device)
        return db->store->foreach(db->h, NULL, limit, fn, arg);
    return foreach_one_device(db, device, limit, fn, arg);
}

int audit_get(struct audit_db *db, int64_t id, struct audit_record *rec)
{
    return db->store->get(db->h, id, rec);
}

/* Where a station trail stands in a walk of a central one: its newest
 * pushed record so far. */
struct origin_state {
    char origin[AUDIT_HASH_HEX];
    int64_t last_id;
    char last_hash[AUDIT_HASH_HEX];
};

struct verify_state {
    int64_t expect_id;
    char prev[AUDIT_HASH_HEX];
    int64_t bad_id;
    char *why;
    size_t whylen;
    struct origin_state *origins;
    size_t norigins;
    bool oom;
};

static struct origin_state *origin_of(struct verify_state *vs, const char *origin)
{
    for (size_t i = 0; i < vs->norigins; i++)
        if (strcmp(vs->origins[i].origin, origin) == 0)
            return &vs->origins[i];
    struct origin_state *grown = realloc(vs->origins, (vs->norigins + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    vs->origins = grown;
    struct origin_state *o = &vs->origins[vs->norigins++];
    memset(o, 0, sizeof *o);
    snprintf(o->origin, sizeof o->origin, "%s", origin);
    return o;
}

/* The record as its station wrote it: its id and hashes there, no origin. */
static void station_copy(const struct audit_record *rec, struct audit_record *out)
{
    *out = *rec;
    out->id = rec->origin_id;
    snprintf(out->prev_hash, sizeof out->prev_hash, "%s", rec->origin_prev);
    snprintf(out->record_hash, sizeof out->record_hash, "%s", rec->origin_hash);
    out->origin[0] = out->origin_prev[0] = out->origin_hash[0] = '\0';
    out->origin_id = 0;
}

/* A pushed record must still verify in its station's own chain: its hash
 * there, and its place after the station's previous pushed record. */
static int verify_origin(struct verify_state *vs, const struct audit_record *rec)
{
    struct audit_record st;
    char digest[AUDIT_HASH_HEX];
    struct origin_state *o = origin_of(vs, rec->origin);
    long long id = (long long)rec->id, sid = (long long)rec->origin_id;

    if (!o) {
        vs->oom = true;
        return 1;
    }
    vs->bad_id = rec->id;
    if (rec->origin_id != o->last_id + 1) {
        audit_seterr(vs->why, vs->whylen, "record %lld is record %lld of the station trail %.12s "
                     "but follows its record %lld: a pushed record was deleted or renumbered",
                     id, sid, rec->origin, (long long)o->last_id);
        return 1;
    }
    if (strcmp(rec->origin_prev, o->last_hash) != 0 ||
        (rec->origin_id == 1 && strcmp(rec->origin_hash, rec->origin) != 0)) {
        audit_seterr(vs->why, vs->whylen, "record %lld (record %lld of the station trail %.12s) "
                     "does not chain to that trail's previous record", id, sid, rec->origin);
        return 1;
    }
    station_copy(rec, &st);
    audit_record_digest(&st, st.prev_hash, digest);
    if (strcmp(digest, rec->origin_hash) != 0) {
        audit_seterr(vs->why, vs->whylen, "record %lld (record %lld of the station trail %.12s) "
                     "was modified after its station wrote it (hash mismatch)", id, sid, rec->origin);
        return 1;
    }
    vs->bad_id = -1;
    o->last_id = rec->origin_id;
    snprintf(o->last_hash, sizeof o->last_hash, "%s", rec->origin_hash);
    return 0;
}

static int verify_one(void *arg, const struct audit_record *rec)
{
    struct verify_state *vs = arg;
    char digest[AUDIT_HASH_HEX];

    if (rec->id != vs->expect_id) {
        vs->bad_id = rec->id;
        audit_seterr(vs->why, vs->whylen, "record %lld follows record %lld: a record was deleted "
                     "or renumbered", (long long)rec->id, (long long)vs->expect_id - 1);
        return 1;
    }
    if (strcmp(rec->prev_hash, vs->prev) != 0) {
        vs->bad_id = rec->id;
        audit_seterr(vs->why, vs->whylen, "record %lld does not chain to its predecessor: records "
                     "were removed or reordered", (long long)rec->id);
        return 1;
    }
    audit_record_digest(rec, rec->prev_hash, digest);
    if (strcmp(digest, rec->record_hash) != 0) {
        vs->bad_id = rec->id;
        audit_seterr(vs->why, vs->whylen, "record %lld was modified after it was written (hash "
                     "mismatch)", (long long)rec->id);
        return 1;
    }
    if (rec->origin[0] && verify_origin(vs, rec) != 0)
        return 1;
    snprintf(vs->prev, sizeof vs->prev, "%s", rec->record_hash);
    vs->expect_id++;
    return 0;
}

/* The walk of audit_verify: 0 (intact or broken: see vs->bad_id), or -1
 * with why when the trail cannot be read. *count and head: the head as
 * written, read in the same snapshot as the records. */
static int walk(struct audit_db *db, struct verify_state *vs, int64_t *count,
                char head[AUDIT_HASH_HEX])
{
    const struct audit_store *s = db->store;
    int rc;

    if (s->snapshot && s->snapshot(db->h, true) != 0)
        rc = -1;
    else if ((rc = audit_foreach(db, 0, verify_one, vs)) == 0 && vs->oom)
        rc = -1;
    if (rc == 0 && vs->bad_id < 0 && s->head(db->h, count, head) != 0) {
        audit_seterr(vs->why, vs->whylen, "the audit database has no head (meta) row");
        rc = -2;
    }
    if (s->snapshot)
        s->snapshot(db->h, false);
    if (rc == -1)
        audit_seterr(vs->why, vs->whylen, "cannot read the audit database: %s",
                     vs->oom ? "out of memory" : s->errmsg(db->h));
    return rc < 0 ? -1 : 0;
}

long audit_verify(struct audit_db *db, int64_t *bad_id, char *why, size_t whylen)
{
    struct verify_state vs = { .expect_id = 1, .bad_id = -1, .why = why, .whylen = whylen };
    char head[AUDIT_HASH_HEX] = "";
    int64_t count = 0;
    int rc = walk(db, &vs, &count, head);

    free(vs.origins);
    if (bad_id)
        *bad_id = 0;
    if (rc != 0)
        return -1;
    if (vs.bad_id >= 0) {
        if (bad_id)
            *bad_id = vs.bad_id;
        return -1;
    }
    long n = (long)(vs.expect_id - 1);
    if (count != n || strcmp(head, vs.prev) != 0) {
        audit_seterr(why, whylen, "the chain holds %ld records but %lld were written: the newest "
                     "records were removed", n, (long long)count);
        return -1;
    }
    return n;
}

bool audit_is_record_hash(const char *s)
{
    return s && strlen(s) == AUDIT_HASH_HEX - 1 &&
           strspn(s, "0123456789abcdefABCDEF") == AUDIT_HASH_HEX - 1;
}

struct anchor_search {
    const char *hash;
    int64_t found_id;
};

static int find_anchor(void *arg, const struct audit_record *r)
{
    struct anchor_search *a = arg;
    if (strcasecmp(r->record_hash, a->hash) == 0) {
        a->found_id = r->id;
        return 1;
    }
    return 0;
}

int64_t audit_find_anchor(struct audit_db *db, const char *anchor)
{
    struct anchor_search a = { anchor, 0 };
    if (audit_foreach(db, 0, find_anchor, &a) != 0)
        return -1;
    return a.found_id;
}

static int keep_hash(void *arg, const struct audit_record *r)
{
    snprintf(arg, AUDIT_HASH_HEX, "%s", r->record_hash);
    return 0;
}

int audit_head_hash(struct audit_db *db, char out[AUDIT_HASH_HEX])
{
    out[0] = '\0';
    return audit_foreach(db, 1, keep_hash, out);
}

long audit_verify_anchored(struct audit_db *db, const char *anchor, int64_t *bad_id,
                           int64_t *anchor_id, char *why, size_t whylen)
{
    long n = audit_verify(db, bad_id, why, whylen);
    int64_t found;

    if (anchor_id)
        *anchor_id = 0;
    if (n < 0 || !anchor)
        return n;
    found = audit_find_anchor(db, anchor);
    if (found < 0) {
        audit_seterr(why, whylen, "cannot read the audit database: %s", db->store->errmsg(db->h));
        return -1;
    }
    if (found == 0) {
        audit_seterr(why, whylen, "the anchor %.64s is not in the chain: the history was "
                     "rewritten or replaced", anchor);
        return -1;
    }
    if (anchor_id)
        *anchor_id = found;
    return n;
}

/* ---- audit push: a station's trail into a central one ---- */

struct pushed {
    const char *origin;
    int64_t last_id;
    char last_hash[AUDIT_HASH_HEX];
};

static int find_pushed(void *arg, const struct audit_record *r)
{
    struct pushed *p = arg;
    if (strcmp(r->origin, p->origin) == 0 && r->origin_id > p->last_id) {
        p->last_id = r->origin_id;
        snprintf(p->last_hash, sizeof p->last_hash, "%s", r->origin_hash);
    }
    return 0;
}

/* Checks that the station trail continues what `to` already holds of it
 * (a replaced or cut trail is refused): 0, or -1 with why. */
static int check_continues(struct audit_db *from, const struct pushed *p, long n, char *err,
                           size_t errlen)
{
    struct audit_record r;

    if (p->last_id > n) {
        audit_seterr(err, errlen, "the central trail holds %lld records of this station trail, "
                     "which has only %ld now: the station trail was cut", (long long)p->last_id, n);
        return -1;
    }
    if (p->last_id > 0 && (audit_get(from, p->last_id, &r) != 1 ||
                           strcmp(r.record_hash, p->last_hash) != 0)) {
        audit_seterr(err, errlen, "record %lld of this station trail is not the one pushed "
                     "before: the station trail was replaced or rewritten", (long long)p->last_id);
        return -1;
    }
    return 0;
}

long audit_push(struct audit_db *from, struct audit_db *to, struct audit_push_result *res,
                char *err, size_t errlen)
{
    struct audit_record r;
    char why[512];
    int64_t bad = 0;
    struct pushed p = { 0 };
    long n = audit_verify(from, &bad, why, sizeof why);

    memset(res, 0, sizeof *res);
    if (n < 0) {
        audit_seterr(err, errlen, "the station trail does not verify (%s); nothing was pushed", why);
        return -1;
    }
    res->records = n;
    if (n == 0)
        return 0;
    if (audit_get(from, 1, &r) != 1) {
        audit_seterr(err, errlen, "cannot read the station trail");
        return -1;
    }
    /* the first record's hash names the trail: no two trails share it */
    snprintf(res->origin, sizeof res->origin, "%s", r.record_hash);
    p.origin = res->origin;
    if (audit_foreach(to, 0, find_pushed, &p) != 0) {
        audit_seterr(err, errlen, "cannot read the central trail: %s", to->store->errmsg(to->h));
        return -1;
    }
    if (check_continues(from, &p, n, err, errlen) != 0)
        return -1;
    res->already = (long)p.last_id;
    for (int64_t id = p.last_id + 1; id <= n; id++) {
        if (audit_get(from, id, &r) != 1) {
            audit_seterr(err, errlen, "cannot read record %lld of the station trail", (long long)id);
            return -1;
        }
        snprintf(r.origin, sizeof r.origin, "%s", res->origin);
        r.origin_id = r.id;
        snprintf(r.origin_prev, sizeof r.origin_prev, "%s", r.prev_hash);
        snprintf(r.origin_hash, sizeof r.origin_hash, "%s", r.record_hash);
        if (audit_append(to, &r, err, errlen) != 0)
            return -1;
        res->pushed++;
    }
    return res->pushed;
}

/* ---- exports ---- */

static void csv_field(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static int csv_row(void *arg, const struct audit_record *rec)
{
    FILE *out = arg;
    fprintf(out, "%lld", (long long)rec->id);
    for (size_t i = 0; i < audit_nfields; i++) {
        fputc(',', out);
        csv_field(out, audit_field_cptr(rec, i));
    }
    fprintf(out, ",%s,%s", rec->prev_hash, rec->record_hash);
    if (rec->origin[0])
        fprintf(out, ",%s,%lld,%s,%s", rec->origin, (long long)rec->origin_id, rec->origin_prev,
                rec->origin_hash);
    else
        fputs(",,,,", out);
    fputc('\n', out);
    return 0;
}

int audit_export_csv(struct audit_db *db, FILE *out)
{
    fputs("id", out);
    for (size_t i = 0; i < audit_nfields; i++)
        fprintf(out, ",%s", audit_fields[i].name);
    fputs(",prev_hash,record_hash,origin,origin_id,origin_prev,origin_hash\n", out);
    return audit_foreach(db, 0, csv_row, out);
}

cJSON *audit_record_json(const struct audit_record *rec)
{
    cJSON *obj = cJSON_CreateObject();
    cJSON_AddNumberToObject(obj, "id", (double)rec->id);
    for (size_t i = 0; i < audit_nfields; i++)
        cJSON_AddStringToObject(obj, audit_fields[i].name, audit_field_cptr(rec, i));
    cJSON_AddStringToObject(obj, "prev_hash", rec->prev_hash);
    cJSON_AddStringToObject(obj, "record_hash", rec->record_hash);
    /* where a pushed record came from (absent for a record written here) */
    if (rec->origin[0]) {
        cJSON_AddStringToObject(obj, "origin", rec->origin);
        cJSON_AddNumberToObject(obj, "origin_id", (double)rec->origin_id);
        cJSON_AddStringToObject(obj, "origin_prev", rec->origin_prev);
        cJSON_AddStringToObject(obj, "origin_hash", rec->origin_hash);
    }
    return obj;
}

static int json_row(void *arg, const struct audit_record *rec)
{
    cJSON_AddItemToArray(arg, audit_record_json(rec));
    return 0;
}

int audit_export_json(struct audit_db *db, FILE *out)
{
    return audit_export_json_last(db, 0, out);
}

int audit_export_json_last(struct audit_db *db, int limit, FILE *out)
{
    return audit_export_json_device(db, NULL, limit, out);
}

int audit_export_json_device(struct audit_db *db, const char *device, int limit, FILE *out)
{
    cJSON *arr = cJSON_CreateArray();
    int rc = audit_foreach_device(db, device, limit, json_row, arr);
    char *text = cJSON_Print(arr);
    if (text) {
        fputs(text, out);
        fputc('\n', out);
        free(text);
    } else {
        rc = -1;
    }
    cJSON_Delete(arr);
    return rc;
}

const char *audit_default_path(char *buf, size_t cap)
{
    const char *env = getenv("MCUTOOLS_AUDIT_DB");
    char dir[1024];

    if (env && *env)
        snprintf(buf, cap, "%s", env);
    else if (client_user_state_folder(dir, sizeof dir) == 0)
        snprintf(buf, cap, "%s/audit.db", dir);
    else
        return NULL; /* never a trail in whatever folder the technician stands in */
    return buf;
}

bool audit_path_is_state_folder(void)
{
    const char *env = getenv("MCUTOOLS_AUDIT_DB");
    return !(env && *env);
}
