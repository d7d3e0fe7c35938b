#include "audit/audit.h"

#include <errno.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <cjson/cJSON.h>

struct audit_db {
    sqlite3 *sql;
};

/* The chained fields, in the order they are hashed and stored. One table
 * drives the schema, the digest, the row reader and both exports, so a new
 * field cannot be hashed in one place and forgotten in another. */
struct field {
    const char *name;
    size_t off;
    size_t size;
};
#define F(n) { #n, offsetof(struct audit_record, n), sizeof(((struct audit_record *)0)->n) }
static const struct field fields[] = {
    F(time), F(operator_name), F(host), F(device), F(connection), F(action),
    F(image_hash), F(version_before), F(version_after), F(hash_before),
    F(hash_after), F(outcome), F(detail),
};
#undef F
#define NFIELDS (sizeof fields / sizeof fields[0])

static char *field_ptr(struct audit_record *r, size_t i) { return (char *)r + fields[i].off; }
static const char *field_cptr(const struct audit_record *r, size_t i) { return (const char *)r + fields[i].off; }

static void seterr(char *err, size_t errlen, const char *fmt, ...)
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

/* Each field is hashed as name, length and bytes, so no two different
 * records can serialize to the same stream. */
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
    for (size_t i = 0; i < NFIELDS; i++) {
        const char *v = field_cptr(rec, i);
        size_t vlen = strnlen(v, fields[i].size);
        len = snprintf(buf, sizeof buf, ";%s=%zu:", fields[i].name, vlen);
        EVP_DigestUpdate(md, buf, (size_t)len);
        EVP_DigestUpdate(md, v, vlen);
    }
    EVP_DigestFinal_ex(md, digest, &n);
    EVP_MD_CTX_free(md);
    hex(digest, sizeof digest, out);
}

static int exec(struct audit_db *db, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;
    if (sqlite3_exec(db->sql, sql, NULL, NULL, &msg) != SQLITE_OK) {
        seterr(err, errlen, "audit database: %s", msg ? msg : "error");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int mkdirs(const char *path)
{
    char tmp[1024];
    if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp)
        return -1;
    char *slash = strrchr(tmp, '/');
    if (!slash || slash == tmp)
        return 0;
    *slash = '\0';
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS records ("
    " id INTEGER PRIMARY KEY, time TEXT, operator_name TEXT, host TEXT,"
    " device TEXT, connection TEXT, action TEXT, image_hash TEXT,"
    " version_before TEXT, version_after TEXT, hash_before TEXT,"
    " hash_after TEXT, outcome TEXT, detail TEXT, prev_hash TEXT,"
    " record_hash TEXT);"
    "CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT);"
    "INSERT OR IGNORE INTO meta VALUES ('count', '0');"
    "INSERT OR IGNORE INTO meta VALUES ('head', '');";

/* The folder of path exists (a trail is never started in a mistyped place). */
static int folder_exists(const char *path)
{
    char tmp[1024];
    struct stat st;
    if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp)
        return 0;
    char *slash = strrchr(tmp, '/');
    if (!slash)
        return 1; /* the current folder */
    if (slash == tmp)
        slash[1] = '\0';
    else
        *slash = '\0';
    return stat(tmp, &st) == 0 && S_ISDIR(st.st_mode);
}

static struct audit_db *open_sql(const char *path, int flags, char *err, size_t errlen)
{
    struct audit_db *db = calloc(1, sizeof *db);
    if (!db) {
        seterr(err, errlen, "out of memory");
        return NULL;
    }
    if (sqlite3_open_v2(path, &db->sql, flags, NULL) != SQLITE_OK) {
        seterr(err, errlen, "cannot open audit database %s: %s", path, sqlite3_errmsg(db->sql));
        sqlite3_close(db->sql);
        free(db);
        return NULL;
    }
    /* several tools may append at once (a script and a CLI call) */
    sqlite3_busy_timeout(db->sql, 5000);
    return db;
}

/* Whether this process may append: a write transaction begun and undone.
 * A read-only file or folder, or a full disk, shows here, before the
 * command whose record it would be has done anything. */
static int check_writable(struct audit_db *db, const char *path, char *err, size_t errlen)
{
    char why[256];
    if (exec(db, schema, why, sizeof why) != 0 ||
        exec(db, "BEGIN IMMEDIATE; ROLLBACK;", why, sizeof why) != 0) {
        seterr(err, errlen, "the audit trail %s cannot be written (%s)", path, why);
        return -1;
    }
    return 0;
}

struct audit_db *audit_open_as(const char *path, enum audit_access how, char *err, size_t errlen)
{
    struct audit_db *db;
    struct stat st;

    if (how == AUDIT_READ_ONLY) {
        if (stat(path, &st) != 0) {
            seterr(err, errlen, "no audit trail at %s (nothing recorded there yet; see --audit-db)",
                   path);
            return NULL;
        }
        /* read-only: never a journal, a schema or a lock file beside it */
        return open_sql(path, SQLITE_OPEN_READONLY, err, errlen);
    }
    if (!folder_exists(path)) {
        seterr(err, errlen, "the folder of the audit trail %s does not exist (a mistyped "
                            "--audit-db?)", path);
        return NULL;
    }
    db = open_sql(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, err, errlen);
    if (db && check_writable(db, path, err, errlen) != 0) {
        audit_close(db);
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
    return mkdirs(path);
}

void audit_close(struct audit_db *db)
{
    if (!db)
        return;
    sqlite3_close(db->sql);
    free(db);
}

static int meta_get(struct audit_db *db, const char *k, char *out, size_t cap)
{
    sqlite3_stmt *st;
    int rc = -1;
    if (sqlite3_prepare_v2(db->sql, "SELECT v FROM meta WHERE k = ?", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *v = sqlite3_column_text(st, 0);
        snprintf(out, cap, "%s", v ? (const char *)v : "");
        rc = 0;
    }
    sqlite3_finalize(st);
    return rc;
}

static int meta_set(struct audit_db *db, const char *k, const char *v)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->sql, "UPDATE meta SET v = ? WHERE k = ?", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, v, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, k, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
    return rc;
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

static int insert(struct audit_db *db, const struct audit_record *rec)
{
    sqlite3_stmt *st;
    const char *sql =
        "INSERT INTO records (id, time, operator_name, host, device, connection,"
        " action, image_hash, version_before, version_after, hash_before,"
        " hash_after, outcome, detail, prev_hash, record_hash)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, rec->id);
    for (size_t i = 0; i < NFIELDS; i++)
        sqlite3_bind_text(st, (int)i + 2, field_cptr(rec, i), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, (int)NFIELDS + 2, rec->prev_hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, (int)NFIELDS + 3, rec->record_hash, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
    return rc;
}

int audit_append(struct audit_db *db, struct audit_record *rec, char *err, size_t errlen)
{
    char count[32], head[AUDIT_HASH_HEX];

    /* IMMEDIATE: take the write lock before reading the head, so two
     * writers cannot chain onto the same predecessor */
    if (exec(db, "BEGIN IMMEDIATE", err, errlen) != 0)
        return -1;
    if (meta_get(db, "count", count, sizeof count) != 0 ||
        meta_get(db, "head", head, sizeof head) != 0) {
        seterr(err, errlen, "audit database: meta rows missing");
        goto fail;
    }
    rec->id = strtoll(count, NULL, 10) + 1;
    if (rec->time[0] == '\0')
        now_rfc3339(rec->time, sizeof rec->time);
    memcpy(rec->prev_hash, head, AUDIT_HASH_HEX - 1);
    rec->prev_hash[AUDIT_HASH_HEX - 1] = '\0';
    audit_record_digest(rec, rec->prev_hash, rec->record_hash);
    snprintf(count, sizeof count, "%lld", (long long)rec->id);
    if (insert(db, rec) != 0 || meta_set(db, "count", count) != 0 ||
        meta_set(db, "head", rec->record_hash) != 0) {
        seterr(err, errlen, "audit database: %s", sqlite3_errmsg(db->sql));
        goto fail;
    }
    return exec(db, "COMMIT", err, errlen);
fail:
    exec(db, "ROLLBACK", NULL, 0);
    return -1;
}

static void read_row(sqlite3_stmt *st, struct audit_record *rec)
{
    memset(rec, 0, sizeof *rec);
    rec->id = sqlite3_column_int64(st, 0);
    for (size_t i = 0; i < NFIELDS; i++) {
        const unsigned char *v = sqlite3_column_text(st, (int)i + 1);
        snprintf(field_ptr(rec, i), fields[i].size, "%s", v ? (const char *)v : "");
    }
    const unsigned char *p = sqlite3_column_text(st, (int)NFIELDS + 1);
    const unsigned char *h = sqlite3_column_text(st, (int)NFIELDS + 2);
    snprintf(rec->prev_hash, sizeof rec->prev_hash, "%s", p ? (const char *)p : "");
    snprintf(rec->record_hash, sizeof rec->record_hash, "%s", h ? (const char *)h : "");
}

#define SELECT_ALL "SELECT id, time, operator_name, host, device, connection," \
    " action, image_hash, version_before, version_after, hash_before," \
    " hash_after, outcome, detail, prev_hash, record_hash FROM records"

int audit_foreach(struct audit_db *db, int limit, audit_fn fn, void *arg)
{
    return audit_foreach_device(db, NULL, limit, fn, arg);
}

int audit_foreach_device(struct audit_db *db, const char *device, int limit, audit_fn fn,
                         void *arg)
{
    sqlite3_stmt *st;
    /* a NULL device matches every record: one statement serves both */
    const char *sql = limit > 0
        ? "SELECT * FROM (" SELECT_ALL " WHERE (?1 IS NULL OR instr(device, ?1) > 0)"
          " ORDER BY id DESC LIMIT ?2) ORDER BY id"
        : SELECT_ALL " WHERE (?1 IS NULL OR instr(device, ?1) > 0) ORDER BY id";
    if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    if (device)
        sqlite3_bind_text(st, 1, device, -1, SQLITE_TRANSIENT);
    if (limit > 0)
        sqlite3_bind_int(st, 2, limit);
    struct audit_record rec;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        read_row(st, &rec);
        if (fn(arg, &rec) != 0)
            break;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int audit_get(struct audit_db *db, int64_t id, struct audit_record *rec)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->sql, SELECT_ALL " WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_row(st, rec);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

struct verify_state {
    int64_t expect_id;
    char prev[AUDIT_HASH_HEX];
    int64_t bad_id;
    char *why;
    size_t whylen;
};

static int verify_one(void *arg, const struct audit_record *rec)
{
    struct verify_state *vs = arg;
    char digest[AUDIT_HASH_HEX];

    if (rec->id != vs->expect_id) {
        vs->bad_id = rec->id;
        seterr(vs->why, vs->whylen, "record %lld follows record %lld: a record was deleted or renumbered",
               (long long)rec->id, (long long)vs->expect_id - 1);
        return 1;
    }
    if (strcmp(rec->prev_hash, vs->prev) != 0) {
        vs->bad_id = rec->id;
        seterr(vs->why, vs->whylen, "record %lld does not chain to its predecessor: records were removed or reordered",
               (long long)rec->id);
        return 1;
    }
    audit_record_digest(rec, rec->prev_hash, digest);
    if (strcmp(digest, rec->record_hash) != 0) {
        vs->bad_id = rec->id;
        seterr(vs->why, vs->whylen, "record %lld was modified after it was written (hash mismatch)",
               (long long)rec->id);
        return 1;
    }
    snprintf(vs->prev, sizeof vs->prev, "%s", rec->record_hash);
    vs->expect_id++;
    return 0;
}

long audit_verify(struct audit_db *db, int64_t *bad_id, char *why, size_t whylen)
{
    struct verify_state vs = { .expect_id = 1, .bad_id = -1, .why = why, .whylen = whylen };
    char count[32], head[AUDIT_HASH_HEX];

    if (bad_id)
        *bad_id = 0;
    if (audit_foreach(db, 0, verify_one, &vs) != 0) {
        seterr(why, whylen, "cannot read the audit database: %s", sqlite3_errmsg(db->sql));
        return -1;
    }
    if (vs.bad_id >= 0) {
        if (bad_id)
            *bad_id = vs.bad_id;
        return -1;
    }
    long n = (long)(vs.expect_id - 1);
    if (meta_get(db, "count", count, sizeof count) != 0 ||
        meta_get(db, "head", head, sizeof head) != 0) {
        seterr(why, whylen, "the audit database has no meta rows");
        return -1;
    }
    if (strtol(count, NULL, 10) != n || strcmp(head, vs.prev) != 0) {
        seterr(why, whylen, "the chain holds %ld records but %s were written: the newest records were removed",
               n, count);
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
        seterr(why, whylen, "cannot read the audit database: %s", sqlite3_errmsg(db->sql));
        return -1;
    }
    if (found == 0) {
        seterr(why, whylen, "the anchor %.64s is not in the chain: the history was rewritten or "
                            "replaced", anchor);
        return -1;
    }
    if (anchor_id)
        *anchor_id = found;
    return n;
}

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
    for (size_t i = 0; i < NFIELDS; i++) {
        fputc(',', out);
        csv_field(out, field_cptr(rec, i));
    }
    fprintf(out, ",%s,%s\n", rec->prev_hash, rec->record_hash);
    return 0;
}

int audit_export_csv(struct audit_db *db, FILE *out)
{
    fputs("id", out);
    for (size_t i = 0; i < NFIELDS; i++)
        fprintf(out, ",%s", fields[i].name);
    fputs(",prev_hash,record_hash\n", out);
    return audit_foreach(db, 0, csv_row, out);
}

cJSON *audit_record_json(const struct audit_record *rec)
{
    cJSON *obj = cJSON_CreateObject();
    cJSON_AddNumberToObject(obj, "id", (double)rec->id);
    for (size_t i = 0; i < NFIELDS; i++)
        cJSON_AddStringToObject(obj, fields[i].name, field_cptr(rec, i));
    cJSON_AddStringToObject(obj, "prev_hash", rec->prev_hash);
    cJSON_AddStringToObject(obj, "record_hash", rec->record_hash);
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
    const char *state = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");

    if (env && *env)
        snprintf(buf, cap, "%s", env);
    else if (state && *state)
        snprintf(buf, cap, "%s/mcutools/audit.db", state);
    else if (home && *home)
        snprintf(buf, cap, "%s/.local/state/mcutools/audit.db", home);
    else
        return NULL; /* never a trail in whatever folder the technician stands in */
    return buf;
}

bool audit_path_is_state_folder(void)
{
    const char *env = getenv("MCUTOOLS_AUDIT_DB");
    return !(env && *env);
}
