/* The audit trail must notice every kind of tampering a regulator cares
 * about: an edited, a deleted, a reordered and a truncated record. The
 * tampering is done with plain SQL on the file, as an attacker would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "device_history.h"

static char path[256];

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "/tmp/mcutools-audit-test-%d/sub/audit.db", getpid());
    unlink(path);
    char err[256];
    assert_int_equal(audit_make_default_folder(path), 0); /* audit_open never creates one */
    struct audit_db *db = audit_open(path, err, sizeof err);
    assert_non_null(db);
    for (int i = 0; i < 5; i++) {
        struct audit_record r = {0};
        snprintf(r.operator_name, sizeof r.operator_name, "tech%d", i);
        snprintf(r.device, sizeof r.device, "SN-%04d", 100 + i);
        snprintf(r.action, sizeof r.action, "%s", i % 2 ? "test" : "upload");
        snprintf(r.version_before, sizeof r.version_before, "1.0.0");
        snprintf(r.version_after, sizeof r.version_after, "1.1.%d", i);
        snprintf(r.outcome, sizeof r.outcome, "ok");
        snprintf(r.detail, sizeof r.detail, "a \"quoted\", detail %d", i);
        assert_int_equal(audit_append(db, &r, err, sizeof err), 0);
        assert_int_equal(r.id, i + 1);
        assert_int_equal(strlen(r.record_hash), 64);
    }
    audit_close(db);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    return 0;
}

static void tamper(const char *sql)
{
    sqlite3 *s;
    assert_int_equal(sqlite3_open(path, &s), SQLITE_OK);
    assert_int_equal(sqlite3_exec(s, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(s);
}

static long verify(int64_t *bad, char *why, size_t n)
{
    char err[256];
    struct audit_db *db = audit_open(path, err, sizeof err);
    assert_non_null(db);
    long rc = audit_verify(db, bad, why, n);
    audit_close(db);
    return rc;
}

static void intact_chain_verifies(void **state)
{
    (void)state;
    char why[256] = "";
    int64_t bad;
    assert_int_equal(verify(&bad, why, sizeof why), 5);

    char err[256];
    struct audit_db *db = audit_open(path, err, sizeof err);
    struct audit_record r;
    assert_int_equal(audit_get(db, 3, &r), 1);
    assert_string_equal(r.device, "SN-0102");
    assert_string_equal(r.version_after, "1.1.2");
    struct audit_record prev;
    assert_int_equal(audit_get(db, 2, &prev), 1);
    assert_string_equal(r.prev_hash, prev.record_hash);
    assert_int_equal(audit_get(db, 99, &r), 0);
    audit_close(db);
}

static void edited_record_is_found(void **state)
{
    (void)state;
    tamper("UPDATE records SET version_after = '9.9.9' WHERE id = 3");
    char why[256];
    int64_t bad;
    assert_int_equal(verify(&bad, why, sizeof why), -1);
    assert_int_equal(bad, 3);
    assert_non_null(strstr(why, "modified"));
}

static void deleted_record_is_found(void **state)
{
    (void)state;
    tamper("DELETE FROM records WHERE id = 2");
    char why[256];
    int64_t bad;
    assert_int_equal(verify(&bad, why, sizeof why), -1);
    assert_int_equal(bad, 3);
}

static void reordered_records_are_found(void **state)
{
    (void)state;
    /* swap the contents of records 2 and 4, hashes and all */
    tamper("UPDATE records SET id = -2 WHERE id = 2;"
           "UPDATE records SET id = 2 WHERE id = 4;"
           "UPDATE records SET id = 4 WHERE id = -2;");
    char why[256];
    int64_t bad;
    assert_int_equal(verify(&bad, why, sizeof why), -1);
    assert_int_equal(bad, 2);
}

static void truncated_tail_is_found(void **state)
{
    (void)state;
    tamper("DELETE FROM records WHERE id = 5");
    char why[256];
    int64_t bad;
    assert_int_equal(verify(&bad, why, sizeof why), -1);
    assert_non_null(strstr(why, "removed"));
}

static void exports_hold_every_record(void **state)
{
    (void)state;
    char err[256], *buf = NULL;
    size_t len = 0;
    struct audit_db *db = audit_open(path, err, sizeof err);
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(audit_export_csv(db, f), 0);
    fclose(f);
    assert_non_null(strstr(buf, "id,time,operator_name"));
    assert_non_null(strstr(buf, "\"a \"\"quoted\"\", detail 4\""));
    int lines = 0;
    for (char *p = buf; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 6);
    free(buf);

    f = open_memstream(&buf, &len);
    assert_int_equal(audit_export_json(db, f), 0);
    fclose(f);
    assert_non_null(strstr(buf, "\"device\":\t\"SN-0104\""));
    free(buf);
    audit_close(db);
}

static struct audit_db *open_trail(void)
{
    char err[256];
    struct audit_db *db = audit_open(path, err, sizeof err);
    assert_non_null(db);
    return db;
}

/* The head hash noted earlier is found in the chain, and its record named. */
static void anchor_in_the_chain_is_found(void **state)
{
    (void)state;
    char head[AUDIT_HASH_HEX], why[256] = "";
    int64_t bad = -1, at = -1;
    struct audit_db *db = open_trail();
    struct audit_record r3;

    assert_int_equal(audit_head_hash(db, head), 0);
    assert_true(audit_is_record_hash(head));
    assert_int_equal(audit_find_anchor(db, head), 5);
    assert_int_equal(audit_get(db, 3, &r3), 1);
    assert_int_equal(audit_verify_anchored(db, r3.record_hash, &bad, &at, why, sizeof why), 5);
    assert_int_equal(at, 3);
    assert_int_equal(bad, 0);
    /* verify without an anchor is plain verify */
    assert_int_equal(audit_verify_anchored(db, NULL, &bad, &at, why, sizeof why), 5);
    assert_int_equal(at, 0);
    audit_close(db);
}

/* A rewritten history (every hash recomputed, so the chain is intact)
 * does not hold the head hash noted before the rewrite. */
static void rewritten_chain_misses_the_anchor(void **state)
{
    (void)state;
    char old_head[AUDIT_HASH_HEX], why[256] = "", err[256];
    int64_t bad = -1, at = -1;
    struct audit_db *db = open_trail();

    assert_int_equal(audit_head_hash(db, old_head), 0);
    audit_close(db);
    /* the forger starts a new trail with the same kind of records */
    unlink(path);
    db = audit_open(path, err, sizeof err);
    assert_non_null(db);
    for (int i = 0; i < 5; i++) {
        struct audit_record r = {0};
        snprintf(r.action, sizeof r.action, "upload");
        snprintf(r.outcome, sizeof r.outcome, "ok");
        assert_int_equal(audit_append(db, &r, err, sizeof err), 0);
    }
    assert_int_equal(audit_verify(db, &bad, why, sizeof why), 5);
    assert_int_equal(audit_find_anchor(db, old_head), 0);
    assert_int_equal(audit_verify_anchored(db, old_head, &bad, &at, why, sizeof why), -1);
    assert_int_equal(at, 0);
    assert_int_equal(bad, 0);
    assert_non_null(strstr(why, "not in the chain"));
    audit_close(db);
}

static void record_hash_shape(void **state)
{
    (void)state;
    char h[AUDIT_HASH_HEX];
    memset(h, 'a', sizeof h - 1);
    h[sizeof h - 1] = '\0';
    assert_true(audit_is_record_hash(h));
    h[10] = 'G';
    assert_false(audit_is_record_hash(h));
    assert_false(audit_is_record_hash("abcd"));
    assert_false(audit_is_record_hash(NULL));
}

/* A trail's URL in a message never shows its password. */
static void trail_name_hides_the_password(void **state)
{
    static const char *const cases[][2] = {
        { "postgresql://audit:s3cret@db.site/trail", "postgresql://audit:***@db.site/trail" },
        { "postgres://audit:s3cret@db.site:5432/trail?sslmode=require",
          "postgres://audit:***@db.site:5432/trail?sslmode=require" },
        { "postgresql://audit@db/trail?password=s3cret&sslmode=require",
          "postgresql://audit@db/trail?password=***&sslmode=require" },
        { "postgresql:///trail?host=/run/pg&user=a&password=s3cret",
          "postgresql:///trail?host=/run/pg&user=a&password=***" },
        { "postgresql://audit@db/trail", "postgresql://audit@db/trail" },
        { "/var/lib/audit:s3cret@x.db", "/var/lib/audit:s3cret@x.db" }, /* a file, as it is */
    };
    char out[256];
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(audit_trail_name(cases[i][0], out, sizeof out), cases[i][1]);
    assert_true(audit_is_url("postgres://x"));
    assert_false(audit_is_url("postgresql:/x"));
}

/* ---- an append landing in the middle of a verify ---- */

/* Every connection the library opens, in order (sqlite3_auto_extension),
 * and a trace on each: when the verifier starts to read the meta row (the
 * head), after it has walked the records, the appender appends. */
static sqlite3 *opened[4];
static int nopened;
static struct audit_db *mid_verify_appender;
static sqlite3 *mid_verify_reader;
static int mid_verify_rc = 1;

static int on_statement(unsigned type, void *ctx, void *stmt, void *sql)
{
    (void)type;
    (void)ctx;
    if (mid_verify_appender && sqlite3_db_handle(stmt) == mid_verify_reader &&
        strncmp(sql, "SELECT v FROM meta", 18) == 0) {
        struct audit_db *db = mid_verify_appender;
        struct audit_record r = { 0 };
        char err[256];
        mid_verify_appender = NULL; /* once */
        snprintf(r.device, sizeof r.device, "SN-0200");
        snprintf(r.action, sizeof r.action, "upload");
        snprintf(r.outcome, sizeof r.outcome, "ok");
        mid_verify_rc = audit_append(db, &r, err, sizeof err);
    }
    return 0;
}

static int on_open(sqlite3 *db, const char **err, const struct sqlite3_api_routines *api)
{
    (void)err;
    (void)api;
    if (nopened < (int)(sizeof opened / sizeof opened[0]))
        opened[nopened++] = db;
    sqlite3_trace_v2(db, SQLITE_TRACE_STMT, on_statement, NULL);
    return SQLITE_OK;
}

/* An append that lands between the verifier's walk of the records and its
 * read of the head must not look like a cut tail: verify reads both in one
 * read transaction, so the append waits (here: fails at once) instead. */
static void append_mid_verify_is_no_cut_tail(void **state)
{
    char err[256], why[256] = "";
    int64_t bad = -1;
    (void)state;
    assert_int_equal(sqlite3_auto_extension((void (*)(void))on_open), SQLITE_OK);
    nopened = 0;
    struct audit_db *appender = audit_open(path, err, sizeof err);
    struct audit_db *reader = audit_open_as(path, AUDIT_READ_ONLY, err, sizeof err);
    assert_non_null(appender);
    assert_non_null(reader);
    assert_int_equal(nopened, 2);
    /* the appender does not wait for the reader (it would wait 5 s, on this
     * thread: the reader's own) */
    sqlite3_busy_timeout(opened[0], 0);
    mid_verify_reader = opened[1];
    mid_verify_appender = appender;
    assert_int_equal(audit_verify(reader, &bad, why, sizeof why), 5);
    assert_null(mid_verify_appender); /* it did try */
    assert_int_equal(mid_verify_rc, -1);
    /* after the verify the append goes in, and the trail verifies with it */
    struct audit_record r = { 0 };
    snprintf(r.device, sizeof r.device, "SN-0200");
    assert_int_equal(audit_append(appender, &r, err, sizeof err), 0);
    assert_int_equal(audit_verify(reader, &bad, why, sizeof why), 6);
    audit_close(reader);
    audit_close(appender);
    assert_int_equal(sqlite3_cancel_auto_extension((void (*)(void))on_open), 1);
}

/* The default trail: $MCUTOOLS_AUDIT_DB, else in the user's state folder
 * ($XDG_STATE_HOME, else HOME's), else none at all (never the current
 * folder). */
static void default_trail_path(void **state)
{
    char buf[256];
    (void)state;
    setenv("MCUTOOLS_AUDIT_DB", "/site/audit.db", 1);
    setenv("XDG_STATE_HOME", "/xdg", 1);
    setenv("HOME", "/home/tech", 1);
    assert_string_equal(audit_default_path(buf, sizeof buf), "/site/audit.db");
    assert_false(audit_path_is_state_folder());
    unsetenv("MCUTOOLS_AUDIT_DB");
    assert_string_equal(audit_default_path(buf, sizeof buf), "/xdg/mcutools/audit.db");
    assert_true(audit_path_is_state_folder());
    setenv("XDG_STATE_HOME", "", 1);
    assert_string_equal(audit_default_path(buf, sizeof buf),
                        "/home/tech/.local/state/mcutools/audit.db");
    unsetenv("HOME");
    assert_null(audit_default_path(buf, sizeof buf));
}

/* One device's history, the device named whole (device_history.h). */
static void device_history_names_one_device(void **state)
{
    char err[256], fresh[300];
    (void)state;
    snprintf(fresh, sizeof fresh, "%s.history", path);
    unlink(fresh);
    struct audit_db *db = audit_open(fresh, err, sizeof err);
    assert_non_null(db);
    history_check(db);
    audit_close(db);
    unlink(fresh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(intact_chain_verifies, setup, teardown),
        cmocka_unit_test_setup_teardown(edited_record_is_found, setup, teardown),
        cmocka_unit_test_setup_teardown(deleted_record_is_found, setup, teardown),
        cmocka_unit_test_setup_teardown(reordered_records_are_found, setup, teardown),
        cmocka_unit_test_setup_teardown(truncated_tail_is_found, setup, teardown),
        cmocka_unit_test_setup_teardown(exports_hold_every_record, setup, teardown),
        cmocka_unit_test_setup_teardown(anchor_in_the_chain_is_found, setup, teardown),
        cmocka_unit_test_setup_teardown(rewritten_chain_misses_the_anchor, setup, teardown),
        cmocka_unit_test_setup_teardown(device_history_names_one_device, setup, teardown),
        cmocka_unit_test_setup_teardown(append_mid_verify_is_no_cut_tail, setup, teardown),
        cmocka_unit_test(default_trail_path),
        cmocka_unit_test(record_hash_shape),
        cmocka_unit_test(trail_name_hides_the_password),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
