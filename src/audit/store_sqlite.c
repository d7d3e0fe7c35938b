/*
 * The audit store of one station: an SQLite file. A meta table keeps the
 * count and the head hash beside the records (a cut tail shows there).
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit/store.h"

struct sqlite_trail {
    sqlite3 *sql;
};

static int exec(struct sqlite_trail *t, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;
    if (sqlite3_exec(t->sql, sql, NULL, NULL, &msg) != SQLITE_OK) {
        audit_seterr(err, errlen, "audit database: %s", msg ? msg : "error");
        sqlite3_free(msg);
        return -1;
    }
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

static void sqlite_close(void *h)
{
    struct sqlite_trail *t = h;
    if (!t)
        return;
    sqlite3_close(t->sql);
    free(t);
}

static struct sqlite_trail *open_sql(const char *path, int flags, char *err, size_t errlen)
{
    struct sqlite_trail *t = calloc(1, sizeof *t);
    if (!t) {
        audit_seterr(err, errlen, "out of memory");
        return NULL;
    }
    if (sqlite3_open_v2(path, &t->sql, flags, NULL) != SQLITE_OK) {
        audit_seterr(err, errlen, "cannot open audit database %s: %s", path, sqlite3_errmsg(t->sql));
        sqlite_close(t);
        return NULL;
    }
    /* several tools may append at once (a script and a CLI call) */
    sqlite3_busy_timeout(t->sql, 5000);
    return t;
}

/* Whether this process may append: a write transaction begun and undone.
 * A read-only file or folder, or a full disk, shows here, before the
 * command whose record it would be has done anything. */
static int check_writable(struct sqlite_trail *t, const char *path, char *err, size_t errlen)
{
    char why[256];
    if (exec(t, schema, why, sizeof why) != 0 ||
        exec(t, "BEGIN IMMEDIATE; ROLLBACK;", why, sizeof why) != 0) {
        audit_seterr(err, errlen, "the audit trail %s cannot be written (%s)", path, why);
        return -1;
    }
    return 0;
}

void *audit_sqlite_open(const char *path, enum audit_access how, char *err, size_t errlen)
{
    struct sqlite_trail *t;
    struct stat st;

    if (how == AUDIT_READ_ONLY) {
        if (stat(path, &st) != 0) {
            audit_seterr(err, errlen,
                         "no audit trail at %s (nothing recorded there yet; see --audit-db)", path);
            return NULL;
        }
        /* read-only: never a journal, a schema or a lock file beside it */
        return open_sql(path, SQLITE_OPEN_READONLY, err, errlen);
    }
    if (!folder_exists(path)) {
        audit_seterr(err, errlen, "the folder of the audit trail %s does not exist (a mistyped "
                                  "--audit-db?)", path);
        return NULL;
    }
    t = open_sql(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, err, errlen);
    if (t && check_writable(t, path, err, errlen) != 0) {
        sqlite_close(t);
        return NULL;
    }
    return t;
}

static int meta_get(struct sqlite_trail *t, const char *k, char *out, size_t cap)
{
    sqlite3_stmt *st;
    int rc = -1;
    if (sqlite3_prepare_v2(t->sql, "SELECT v FROM meta WHERE k = ?", -1, &st, NULL) != SQLITE_OK)
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

static int meta_set(struct sqlite_trail *t, const char *k, const char *v)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(t->sql, "UPDATE meta SET v = ? WHERE k = ?", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, v, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, k, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
    return rc;
}

static int sqlite_head(void *h, int64_t *count, char hash[AUDIT_HASH_HEX])
{
    char n[32];
    if (meta_get(h, "count", n, sizeof n) != 0 || meta_get(h, "head", hash, AUDIT_HASH_HEX) != 0)
        return -1;
    *count = strtoll(n, NULL, 10);
    return 0;
}

static int insert(struct sqlite_trail *t, const struct audit_record *rec)
{
    sqlite3_stmt *st;
    const char *sql =
        "INSERT INTO records (id, time, operator_name, host, device, connection,"
        " action, image_hash, version_before, version_after, hash_before,"
        " hash_after, outcome, detail, prev_hash, record_hash)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    if (sqlite3_prepare_v2(t->sql, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, rec->id);
    for (size_t i = 0; i < audit_nfields; i++)
        sqlite3_bind_text(st, (int)i + 2, audit_field_cptr(rec, i), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, (int)audit_nfields + 2, rec->prev_hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, (int)audit_nfields + 3, rec->record_hash, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
    return rc;
}

static int sqlite_append(void *h, struct audit_record *rec, audit_seal_fn seal, char *err,
                         size_t errlen)
{
    struct sqlite_trail *t = h;
    char count[32], head[AUDIT_HASH_HEX];
    int64_t n;

    if (rec->origin[0]) {
        /* a station's own trail is a file; pushed records go to a central one */
        audit_seterr(err, errlen, "an SQLite trail takes no pushed records (push to a "
                                  "postgresql:// trail)");
        return -1;
    }
    /* IMMEDIATE: take the write lock before reading the head, so two
     * writers cannot chain onto the same predecessor */
    if (exec(t, "BEGIN IMMEDIATE", err, errlen) != 0)
        return -1;
    if (sqlite_head(t, &n, head) != 0) {
        audit_seterr(err, errlen, "audit database: meta rows missing");
        goto fail;
    }
    seal(rec, n, head);
    snprintf(count, sizeof count, "%lld", (long long)rec->id);
    if (insert(t, rec) != 0 || meta_set(t, "count", count) != 0 ||
        meta_set(t, "head", rec->record_hash) != 0) {
        audit_seterr(err, errlen, "audit database: %s", sqlite3_errmsg(t->sql));
        goto fail;
    }
    /* a COMMIT that fails (busy past the timeout: a long reader) leaves
     * the transaction open: undo it, or every later append here fails */
    if (exec(t, "COMMIT", err, errlen) == 0)
        return 0;
fail:
    exec(t, "ROLLBACK", NULL, 0);
    return -1;
}

static void read_row(sqlite3_stmt *st, struct audit_record *rec)
{
    memset(rec, 0, sizeof *rec);
    rec->id = sqlite3_column_int64(st, 0);
    for (size_t i = 0; i < audit_nfields; i++) {
        const unsigned char *v = sqlite3_column_text(st, (int)i + 1);
        snprintf(audit_field_ptr(rec, i), audit_fields[i].size, "%s", v ? (const char *)v : "");
    }
    const unsigned char *p = sqlite3_column_text(st, (int)audit_nfields + 1);
    const unsigned char *h = sqlite3_column_text(st, (int)audit_nfields + 2);
    snprintf(rec->prev_hash, sizeof rec->prev_hash, "%s", p ? (const char *)p : "");
    snprintf(rec->record_hash, sizeof rec->record_hash, "%s", h ? (const char *)h : "");
}

#define SELECT_ALL "SELECT id, time, operator_name, host, device, connection," \
    " action, image_hash, version_before, version_after, hash_before," \
    " hash_after, outcome, detail, prev_hash, record_hash FROM records"

static int sqlite_foreach(void *h, const char *device, int limit, audit_fn fn, void *arg)
{
    struct sqlite_trail *t = h;
    sqlite3_stmt *st;
    /* a NULL device matches every record: one statement serves both */
    const char *sql = limit > 0
        ? "SELECT * FROM (" SELECT_ALL " WHERE (?1 IS NULL OR instr(device, ?1) > 0)"
          " ORDER BY id DESC LIMIT ?2) ORDER BY id"
        : SELECT_ALL " WHERE (?1 IS NULL OR instr(device, ?1) > 0) ORDER BY id";
    if (sqlite3_prepare_v2(t->sql, sql, -1, &st, NULL) != SQLITE_OK)
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

static int sqlite_get(void *h, int64_t id, struct audit_record *rec)
{
    struct sqlite_trail *t = h;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(t->sql, SELECT_ALL " WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_row(st, rec);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* One read transaction for a whole walk (deferred: it takes the shared
 * lock at its first read and holds it to COMMIT), so an append landing
 * between the records and the meta row cannot make the head look ahead of
 * the records, a cut tail that is not one. Appenders wait meanwhile (their
 * busy timeout), as they already do while the records are read. */
static int sqlite_snapshot(void *h, bool begin)
{
    return exec(h, begin ? "BEGIN DEFERRED" : "COMMIT", NULL, 0);
}

static const char *sqlite_errmsg(void *h)
{
    struct sqlite_trail *t = h;
    return sqlite3_errmsg(t->sql);
}

const struct audit_store audit_sqlite_store = {
    .close = sqlite_close,
    .append = sqlite_append,
    .foreach = sqlite_foreach,
    .get = sqlite_get,
    .head = sqlite_head,
    .snapshot = sqlite_snapshot,
    .errmsg = sqlite_errmsg,
};
