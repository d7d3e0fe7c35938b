/*
 * `audit list --device ID` on any store: one device's history, the device
 * named whole (ok-udp-1 is not ok-udp-10). Included by test_audit.c
 * (SQLite) and test_audit_pg.c (PostgreSQL), so both stores answer the
 * same cases through audit_foreach_device.
 */
#ifndef TEST_AUDIT_DEVICE_HISTORY_H
#define TEST_AUDIT_DEVICE_HISTORY_H

#include <stdio.h>
#include <string.h>

#include "audit/audit.h"

/* The devices of the records, in id order: fleet and dfu records name a
 * board "NAME (IDENTITY)", other commands by the bare identity "NODE
 * PLATFORM" (ids 1..8). */
static const char *const history_devices[] = {
    "ok-udp-1 (00aa nrf52840dk)",  /* 1 */
    "ok-udp-10 (00ab nrf52840dk)", /* 2 */
    "00aa nrf52840dk",             /* 3 */
    "00aab nrf52840dk",            /* 4 */
    "ok-udp-1 (00aa nrf52840dk)",  /* 5 */
    "serial 42",                   /* 6 */
    "x-ok-udp-1 (00ac nrf52840dk)", /* 7 */
    "ok-udp-1 (00aa nrf52840dk)",  /* 8 */
};
#define HISTORY_N (sizeof history_devices / sizeof history_devices[0])

static void history_append(struct audit_db *db)
{
    char err[512];
    for (size_t i = 0; i < HISTORY_N; i++) {
        struct audit_record r = { 0 };
        snprintf(r.device, sizeof r.device, "%s", history_devices[i]);
        snprintf(r.action, sizeof r.action, "upload");
        snprintf(r.outcome, sizeof r.outcome, "ok");
        assert_int_equal(audit_append(db, &r, err, sizeof err), 0);
    }
}

static int history_id(void *arg, const struct audit_record *r)
{
    char *ids = arg;
    size_t n = strlen(ids);
    snprintf(ids + n, 64 - n, "%s%lld", n ? " " : "", (long long)r->id);
    return 0;
}

/* The ids audit_foreach_device gives for id (the newest `last`). */
static const char *history_of(struct audit_db *db, const char *id, int last)
{
    static char ids[64];
    ids[0] = '\0';
    assert_int_equal(audit_foreach_device(db, id, last, history_id, ids), 0);
    return ids;
}

/* Records 1..8 of history_devices are the trail's first (db is empty
 * before). */
static void history_check(struct audit_db *db)
{
    history_append(db);
    /* by the name, by the identity, by the node name alone */
    assert_string_equal(history_of(db, "ok-udp-1", 0), "1 5 8");
    assert_string_equal(history_of(db, "ok-udp-10", 0), "2");
    assert_string_equal(history_of(db, "00aa nrf52840dk", 0), "1 3 5 8");
    assert_string_equal(history_of(db, "00aa", 0), "1 3 5 8");
    assert_string_equal(history_of(db, "00aab", 0), "4");
    /* the whole field, as `audit record --device` wrote it */
    assert_string_equal(history_of(db, "ok-udp-1 (00aa nrf52840dk)", 0), "1 5 8");
    assert_string_equal(history_of(db, "serial 42", 0), "6");
    /* never a part: of a name, of an identity, the platform (a kind of
     * board, not one board) */
    assert_string_equal(history_of(db, "ok-udp", 0), "");
    assert_string_equal(history_of(db, "udp-1", 0), "");
    assert_string_equal(history_of(db, "00a", 0), "");
    assert_string_equal(history_of(db, "nrf52840dk", 0), "");
    assert_string_equal(history_of(db, "42", 0), "");
    /* the newest n of that device's records, not of the substring's */
    assert_string_equal(history_of(db, "ok-udp-1", 2), "5 8");
    assert_string_equal(history_of(db, "00aa", 3), "3 5 8");
    assert_string_equal(history_of(db, "ok-udp-1", 10), "1 5 8");
    /* no device: every record */
    assert_string_equal(history_of(db, NULL, 3), "6 7 8");
}

#endif
