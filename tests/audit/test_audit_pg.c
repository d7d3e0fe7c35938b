/* The PostgreSQL store through the audit library, against the real server
 * that tests/audit/unit_pg.sh starts (AUDIT_TEST_PG_DIR: its socket
 * folder): eight threads that each open a fresh trail and append at once
 * (the tables made once, the chain never forked), a reader that creates
 * nothing, audit_push from an SQLite trail: idempotent, continuing, and one
 * device's history. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "device_history.h"

#define THREADS 8
#define PER_THREAD 25

static char url[512];

/* A new empty database on the test's server; url names it. */
static void fresh_database(const char *name)
{
    const char *dir = getenv("AUDIT_TEST_PG_DIR");
    char admin[512], sql[128];

    assert_non_null(dir);
    snprintf(admin, sizeof admin, "postgresql://mcutools@/postgres?host=%s", dir);
    snprintf(url, sizeof url, "postgresql://mcutools@/%s?host=%s", name, dir);
    PGconn *c = PQconnectdb(admin);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", name);
    PQclear(PQexec(c, sql));
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    PGresult *r = PQexec(c, sql);
    assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    PQfinish(c);
}

static void *appender(void *arg)
{
    char err[512];
    int k = (int)(intptr_t)arg;
    /* each thread opens the fresh trail itself: the first use races too */
    struct audit_db *db = audit_open(url, err, sizeof err);
    if (!db) {
        fprintf(stderr, "thread %d: %s\n", k, err);
        return (void *)1;
    }
    for (int i = 0; i < PER_THREAD; i++) {
        struct audit_record r = { 0 };
        snprintf(r.device, sizeof r.device, "thread-%d", k);
        snprintf(r.action, sizeof r.action, "upload");
        snprintf(r.outcome, sizeof r.outcome, "ok");
        snprintf(r.detail, sizeof r.detail, "%d", i);
        if (audit_append(db, &r, err, sizeof err) != 0) {
            fprintf(stderr, "thread %d: %s\n", k, err);
            audit_close(db);
            return (void *)1;
        }
    }
    audit_close(db);
    return NULL;
}

struct seen {
    int per_thread[THREADS];
    int64_t next_id;
};

static int count_row(void *arg, const struct audit_record *r)
{
    struct seen *s = arg;
    int k = atoi(r->device + strlen("thread-"));
    assert_int_equal(r->id, s->next_id++);
    /* each thread's records keep their order in the one chain */
    assert_int_equal(atoi(r->detail), s->per_thread[k]++);
    return 0;
}

static void concurrent_first_use_never_forks(void **state)
{
    pthread_t t[THREADS];
    char err[512], why[512];
    int64_t bad = 0;
    struct seen s = { .next_id = 1 };

    (void)state;
    fresh_database("concurrent");
    for (int k = 0; k < THREADS; k++)
        assert_int_equal(pthread_create(&t[k], NULL, appender, (void *)(intptr_t)k), 0);
    for (int k = 0; k < THREADS; k++) {
        void *rc;
        pthread_join(t[k], &rc);
        assert_null(rc);
    }
    struct audit_db *db = audit_open_as(url, AUDIT_READ_ONLY, err, sizeof err);
    assert_non_null(db);
    assert_int_equal(audit_verify(db, &bad, why, sizeof why), THREADS * PER_THREAD);
    assert_int_equal(audit_foreach(db, 0, count_row, &s), 0);
    for (int k = 0; k < THREADS; k++)
        assert_int_equal(s.per_thread[k], PER_THREAD);
    audit_close(db);
}

static void a_reader_creates_nothing(void **state)
{
    char err[512];
    (void)state;
    fresh_database("untouched");
    assert_null(audit_open_as(url, AUDIT_READ_ONLY, err, sizeof err));
    assert_non_null(strstr(err, "no audit trail at postgresql://mcutools@/untouched"));
    /* and still nothing: a second reader finds no tables either */
    assert_null(audit_open_as(url, AUDIT_READ_ONLY, err, sizeof err));
}

static void station_append(struct audit_db *db, const char *action)
{
    char err[256];
    struct audit_record r = { 0 };
    snprintf(r.device, sizeof r.device, "SN-7");
    snprintf(r.action, sizeof r.action, "%s", action);
    snprintf(r.outcome, sizeof r.outcome, "ok");
    assert_int_equal(audit_append(db, &r, err, sizeof err), 0);
}

static void push_is_idempotent_and_continues(void **state)
{
    char err[512], why[512], path[128];
    struct audit_push_result res;
    struct audit_record r, first;
    int64_t bad;

    (void)state;
    fresh_database("central");
    snprintf(path, sizeof path, "/tmp/mcutools-audit-pg-%d.db", getpid());
    unlink(path);
    struct audit_db *station = audit_open(path, err, sizeof err);
    struct audit_db *central = audit_open(url, err, sizeof err);
    assert_non_null(station);
    assert_non_null(central);
    station_append(central, "written centrally");
    for (int i = 0; i < 5; i++)
        station_append(station, "upload");
    assert_int_equal(audit_push(station, central, &res, err, sizeof err), 5);
    assert_int_equal(res.already, 0);
    assert_int_equal(audit_push(station, central, &res, err, sizeof err), 0);
    assert_int_equal(res.already, 5);
    station_append(station, "confirm");
    assert_int_equal(audit_push(station, central, &res, err, sizeof err), 1);
    assert_int_equal(audit_verify(central, &bad, why, sizeof why), 7);
    /* record 7 of the central chain is record 6 of the station's */
    assert_int_equal(audit_get(station, 1, &first), 1);
    assert_int_equal(audit_get(central, 7, &r), 1);
    assert_string_equal(r.action, "confirm");
    assert_string_equal(r.origin, first.record_hash);
    assert_int_equal(r.origin_id, 6);
    struct audit_record six;
    assert_int_equal(audit_get(station, 6, &six), 1);
    assert_string_equal(r.origin_hash, six.record_hash);
    assert_string_equal(r.origin_prev, six.prev_hash);
    /* a station trail takes no pushed records */
    assert_int_equal(audit_append(station, &r, err, sizeof err), -1);
    audit_close(central);
    audit_close(station);
    unlink(path);
}

/* One device's history, the device named whole (device_history.h). */
static void device_history_names_one_device(void **state)
{
    char err[512];
    (void)state;
    fresh_database("history");
    struct audit_db *db = audit_open(url, err, sizeof err);
    assert_non_null(db);
    history_check(db);
    audit_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(concurrent_first_use_never_forks),
        cmocka_unit_test(a_reader_creates_nothing),
        cmocka_unit_test(push_is_idempotent_and_continues),
        cmocka_unit_test(device_history_names_one_device),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
