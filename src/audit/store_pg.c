/*
 * The audit store of a site: one PostgreSQL database that several stations
 * append to at once (--audit-db postgresql://...). The chain must never
 * fork: an append reads the head row FOR UPDATE inside its transaction, so
 * appends queue on that one row, and UNIQUE constraints on the previous and
 * the record hash make a second successor of one record impossible even by
 * mistake. The tables are created on first append (under an advisory lock:
 * two stations may start at once).
 */
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "audit/store.h"

struct pg_trail {
    PGconn *conn;
    char name[512]; /* the URL without its password */
    char err[512];
};

/* The origin of a pushed record, after the chained fields and the hashes. */
#define ORIGIN_COLS "origin, origin_id, origin_prev, origin_hash"
#define NCOLS (AUDIT_NFIELDS + 7) /* id, the fields, prev, hash, the origin */
/* any constant: the advisory lock that serialises creating the tables */
#define SCHEMA_LOCK 0x6d637561

static void keep_error(struct pg_trail *t, const char *msg)
{
    if (msg && strncmp(msg, "ERROR:  ", 8) == 0)
        msg += 8; /* the message says it is one */
    snprintf(t->err, sizeof t->err, "%s", msg && *msg ? msg : "error");
    t->err[strcspn(t->err, "\n")] = '\0';
}

/* Runs sql with text parameters: the result when it has status `want`,
 * else NULL with the server's reason in t->err. */
static PGresult *run(struct pg_trail *t, ExecStatusType want, const char *sql, int n,
                     const char *const *params)
{
    PGresult *r = PQexecParams(t->conn, sql, n, NULL, params, NULL, NULL, 0);
    if (r && PQresultStatus(r) == want)
        return r;
    keep_error(t, r ? PQresultErrorMessage(r) : PQerrorMessage(t->conn));
    PQclear(r);
    return NULL;
}

static int cmd(struct pg_trail *t, const char *sql)
{
    PGresult *r = run(t, PGRES_COMMAND_OK, sql, 0, NULL);
    PQclear(r);
    return r ? 0 : -1;
}

/* "time, operator_name, ..." (with " TEXT NOT NULL" after each when typed) */
static void field_list(char *out, size_t cap, bool typed)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < audit_nfields && o < cap; i++)
        o += (size_t)snprintf(out + o, cap - o, "%s%s%s", i ? ", " : "", audit_fields[i].name,
                              typed ? " TEXT NOT NULL" : "");
}

static int tables_exist(struct pg_trail *t)
{
    PGresult *r = run(t, PGRES_TUPLES_OK, "SELECT to_regclass('audit_records') IS NOT NULL AND "
                      "to_regclass('audit_head') IS NOT NULL", 0, NULL);
    if (!r)
        return -1;
    int yes = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    return yes;
}

static int create_tables(struct pg_trail *t)
{
    char cols[1024], sql[2048], lock[80];

    field_list(cols, sizeof cols, true);
    snprintf(sql, sizeof sql,
             "CREATE TABLE IF NOT EXISTS audit_records (id BIGINT PRIMARY KEY CHECK (id > 0), %s,"
             " prev_hash TEXT NOT NULL UNIQUE, record_hash TEXT NOT NULL UNIQUE,"
             " origin TEXT, origin_id BIGINT, origin_prev TEXT, origin_hash TEXT,"
             " UNIQUE (origin, origin_id))", cols);
    snprintf(lock, sizeof lock, "SELECT pg_advisory_xact_lock(%d)", SCHEMA_LOCK);
    PGresult *locked = NULL;
    if (cmd(t, "BEGIN") != 0)
        return -1;
    if (!(locked = run(t, PGRES_TUPLES_OK, lock, 0, NULL)) || cmd(t, sql) != 0 ||
        cmd(t, "CREATE TABLE IF NOT EXISTS audit_head (singleton BOOLEAN PRIMARY KEY DEFAULT TRUE"
               " CHECK (singleton), count BIGINT NOT NULL, head TEXT NOT NULL)") != 0 ||
        cmd(t, "INSERT INTO audit_head (singleton, count, head) VALUES (TRUE, 0, '')"
               " ON CONFLICT DO NOTHING") != 0 ||
        cmd(t, "COMMIT") != 0) {
        PQclear(locked);
        PQclear(PQexec(t->conn, "ROLLBACK"));
        return -1;
    }
    PQclear(locked);
    return 0;
}

/* Whether this role may append: the head row locked as an append locks it,
 * and the right to insert records, in a transaction that is undone. A
 * read-only role or a read-only server shows here, before the command
 * whose record it would be has done anything. */
static int check_writable(struct pg_trail *t)
{
    PGresult *locked = NULL, *may = NULL;
    int ok = cmd(t, "BEGIN") == 0 &&
             (locked = run(t, PGRES_TUPLES_OK,
                           "SELECT count FROM audit_head WHERE singleton FOR UPDATE", 0, NULL)) &&
             (may = run(t, PGRES_TUPLES_OK,
                        "SELECT has_table_privilege('audit_records', 'INSERT')", 0, NULL));
    if (ok && strcmp(PQgetvalue(may, 0, 0), "t") != 0) {
        keep_error(t, "permission denied for table audit_records");
        ok = 0;
    }
    PQclear(locked);
    PQclear(may);
    PQclear(PQexec(t->conn, "ROLLBACK"));
    return ok ? 0 : -1;
}

static void pg_close(void *h)
{
    struct pg_trail *t = h;
    if (!t)
        return;
    PQfinish(t->conn);
    free(t);
}

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* "relation already exists, skipping" is not news */
}

static PGconn *connect_to(const char *url)
{
    /* the URL's own settings come last and win; a server that does not
     * answer fails in 10 s rather than hanging the station */
    const char *const keys[] = { "connect_timeout", "application_name", "dbname", NULL };
    const char *const vals[] = { "10", "mcutools", url, NULL };
    return PQconnectdbParams(keys, vals, 1);
}

void *audit_pg_open(const char *url, const char *name, enum audit_access how, char *err,
                    size_t errlen)
{
    struct pg_trail *t = calloc(1, sizeof *t);
    int exists;

    if (!t) {
        audit_seterr(err, errlen, "out of memory");
        return NULL;
    }
    snprintf(t->name, sizeof t->name, "%s", name);
    t->conn = connect_to(url);
    if (!t->conn || PQstatus(t->conn) != CONNECTION_OK) {
        keep_error(t, t->conn ? PQerrorMessage(t->conn) : "out of memory");
        audit_seterr(err, errlen, "cannot connect to the audit database %s: %s", name, t->err);
        goto fail;
    }
    PQsetNoticeProcessor(t->conn, quiet, NULL);
    if (how == AUDIT_READ_ONLY) {
        /* reading never writes, whatever the role may do */
        if (cmd(t, "SET default_transaction_read_only = on") != 0 || (exists = tables_exist(t)) < 0) {
            audit_seterr(err, errlen, "cannot read the audit database %s: %s", name, t->err);
            goto fail;
        }
        if (!exists) {
            audit_seterr(err, errlen, "no audit trail at %s (nothing recorded there yet; see "
                                      "--audit-db)", name);
            goto fail;
        }
        return t;
    }
    exists = tables_exist(t);
    if (exists < 0 || (!exists && create_tables(t) != 0) || check_writable(t) != 0) {
        audit_seterr(err, errlen, "the audit trail %s cannot be written (%s)", name, t->err);
        goto fail;
    }
    return t;
fail:
    pg_close(t);
    return NULL;
}

/* The head row (sql selects count and head): 0, or -1. */
static int read_head(struct pg_trail *t, const char *sql, int64_t *count,
                     char hash[AUDIT_HASH_HEX])
{
    PGresult *r = run(t, PGRES_TUPLES_OK, sql, 0, NULL);
    if (!r || PQntuples(r) != 1) {
        if (r)
            keep_error(t, "the head row is missing");
        PQclear(r);
        return -1;
    }
    *count = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    snprintf(hash, AUDIT_HASH_HEX, "%s", PQgetvalue(r, 0, 1));
    PQclear(r);
    return 0;
}

static int pg_head(void *h, int64_t *count, char hash[AUDIT_HASH_HEX])
{
    return read_head(h, "SELECT count, head FROM audit_head WHERE singleton", count, hash);
}

static int insert(struct pg_trail *t, const struct audit_record *rec)
{
    char cols[1024], values[NCOLS * 6], sql[2048], id[24], origin_id[24];
    const char *p[NCOLS];
    size_t n = 0;

    field_list(cols, sizeof cols, false);
    /* $1, $2, ... one a column (at most 5 bytes each) */
    for (size_t i = 1, o = 0; i <= NCOLS; i++)
        o += (size_t)snprintf(values + o, sizeof values - o, "%s$%zu", i > 1 ? "," : "", i);
    snprintf(sql, sizeof sql, "INSERT INTO audit_records (id, %s, prev_hash, record_hash, "
             ORIGIN_COLS ") VALUES (%s)", cols, values);
    snprintf(id, sizeof id, "%lld", (long long)rec->id);
    snprintf(origin_id, sizeof origin_id, "%lld", (long long)rec->origin_id);
    p[n++] = id;
    for (size_t i = 0; i < audit_nfields; i++)
        p[n++] = audit_field_cptr(rec, i);
    p[n++] = rec->prev_hash;
    p[n++] = rec->record_hash;
    /* a record written here has no origin: NULL, never an empty one */
    bool pushed = rec->origin[0] != '\0';
    p[n++] = pushed ? rec->origin : NULL;
    p[n++] = pushed ? origin_id : NULL;
    p[n++] = pushed ? rec->origin_prev : NULL;
    p[n++] = pushed ? rec->origin_hash : NULL;
    PGresult *r = run(t, PGRES_COMMAND_OK, sql, (int)n, p);
    PQclear(r);
    return r ? 0 : -1;
}

static int move_head(struct pg_trail *t, const struct audit_record *rec)
{
    char count[24];
    const char *p[2] = { count, rec->record_hash };
    snprintf(count, sizeof count, "%lld", (long long)rec->id);
    PGresult *r = run(t, PGRES_COMMAND_OK,
                      "UPDATE audit_head SET count = $1, head = $2 WHERE singleton", 2, p);
    PQclear(r);
    return r ? 0 : -1;
}

static int pg_append(void *h, struct audit_record *rec, audit_seal_fn seal, char *err,
                     size_t errlen)
{
    struct pg_trail *t = h;
    char head[AUDIT_HASH_HEX];
    int64_t count;

    if (cmd(t, "BEGIN") != 0)
        goto fail;
    /* FOR UPDATE: every other appender waits here until this transaction
     * ends, so each record chains onto the true head */
    if (read_head(t, "SELECT count, head FROM audit_head WHERE singleton FOR UPDATE", &count,
                  head) != 0)
        goto undo;
    seal(rec, count, head);
    if (insert(t, rec) != 0 || move_head(t, rec) != 0)
        goto undo;
    if (cmd(t, "COMMIT") == 0)
        return 0;
undo:
    PQclear(PQexec(t->conn, "ROLLBACK"));
fail:
    audit_seterr(err, errlen, "audit database %s: %s", t->name, t->err);
    return -1;
}

static void read_row(const PGresult *r, int row, struct audit_record *rec)
{
    int c = 0;
    memset(rec, 0, sizeof *rec);
    rec->id = strtoll(PQgetvalue(r, row, c++), NULL, 10);
    for (size_t i = 0; i < audit_nfields; i++, c++)
        snprintf(audit_field_ptr(rec, i), audit_fields[i].size, "%s", PQgetvalue(r, row, c));
    snprintf(rec->prev_hash, sizeof rec->prev_hash, "%s", PQgetvalue(r, row, c++));
    snprintf(rec->record_hash, sizeof rec->record_hash, "%s", PQgetvalue(r, row, c++));
    /* a NULL reads as "" (PQgetvalue), so a record written here has no origin */
    snprintf(rec->origin, sizeof rec->origin, "%s", PQgetvalue(r, row, c++));
    rec->origin_id = strtoll(PQgetvalue(r, row, c++), NULL, 10);
    snprintf(rec->origin_prev, sizeof rec->origin_prev, "%s", PQgetvalue(r, row, c++));
    snprintf(rec->origin_hash, sizeof rec->origin_hash, "%s", PQgetvalue(r, row, c));
}

/* SELECT of every column in read_row's order, then `rest` */
static void select_sql(char *out, size_t cap, const char *rest)
{
    char cols[1024];
    field_list(cols, sizeof cols, false);
    snprintf(out, cap, "SELECT id, %s, prev_hash, record_hash, " ORIGIN_COLS
             " FROM audit_records %s", cols, rest);
}

static int pg_foreach(void *h, const char *device, int limit, audit_fn fn, void *arg)
{
    struct pg_trail *t = h;
    char sql[2200], inner[2048], lim[24];
    const char *p[2] = { device, lim };
    /* a NULL device matches every record: one statement serves both */
    const char *where = "WHERE ($1::text IS NULL OR strpos(device, $1) > 0)";

    snprintf(lim, sizeof lim, "%d", limit);
    if (limit > 0) {
        char rest[160];
        snprintf(rest, sizeof rest, "%s ORDER BY id DESC LIMIT $2::int", where);
        select_sql(inner, sizeof inner, rest);
        snprintf(sql, sizeof sql, "SELECT * FROM (%s) AS newest ORDER BY id", inner);
    } else {
        char rest[160];
        snprintf(rest, sizeof rest, "%s ORDER BY id", where);
        select_sql(sql, sizeof sql, rest);
    }
    PGresult *r = run(t, PGRES_TUPLES_OK, sql, limit > 0 ? 2 : 1, p);
    if (!r)
        return -1;
    struct audit_record rec;
    for (int i = 0; i < PQntuples(r); i++) {
        read_row(r, i, &rec);
        if (fn(arg, &rec) != 0)
            break;
    }
    PQclear(r);
    return 0;
}

static int pg_get(void *h, int64_t id, struct audit_record *rec)
{
    struct pg_trail *t = h;
    char sql[2048], n[24];
    const char *p[1] = { n };

    snprintf(n, sizeof n, "%lld", (long long)id);
    select_sql(sql, sizeof sql, "WHERE id = $1");
    PGresult *r = run(t, PGRES_TUPLES_OK, sql, 1, p);
    if (!r)
        return -1;
    int found = PQntuples(r) == 1;
    if (found)
        read_row(r, 0, rec);
    PQclear(r);
    return found;
}

/* One snapshot for a whole walk: records another station appends
 * meanwhile are not half seen (a head ahead of the records read). */
static int pg_snapshot(void *h, bool begin)
{
    struct pg_trail *t = h;
    return cmd(t, begin ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "COMMIT");
}

static const char *pg_errmsg(void *h)
{
    struct pg_trail *t = h;
    return t->err;
}

const struct audit_store audit_pg_store = {
    .close = pg_close,
    .append = pg_append,
    .foreach = pg_foreach,
    .get = pg_get,
    .head = pg_head,
    .snapshot = pg_snapshot,
    .errmsg = pg_errmsg,
};
