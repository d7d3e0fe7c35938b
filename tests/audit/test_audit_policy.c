/* The audit policy (src/audit/policy.c): which image runs, which image a
 * record is about, what a reset's record says before and after, and the
 * record of an attempt that never reached the device. The device answers
 * are image-state tables as the client parses them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/policy.h"

static void slot(struct client_image_state *st, uint32_t image, uint32_t n, const char *version,
                 uint8_t hash_byte, bool active)
{
    struct client_image_slot *sl = &st->slots[st->count++];
    memset(sl, 0, sizeof *sl);
    sl->image = image;
    sl->slot = n;
    snprintf(sl->version, sizeof sl->version, "%s", version);
    memset(sl->hash, hash_byte, 32);
    sl->hash_len = 32;
    sl->active = active;
}

static const char *hex32(uint8_t b)
{
    static char out[4][AUDIT_HASH_HEX];
    static int next;
    char *o = out[next++ % 4];
    for (int i = 0; i < 32; i++)
        snprintf(o + 2 * i, 3, "%02x", b);
    return o;
}

static struct audit_running running(const char *version, uint8_t hash_byte, uint8_t slot1_byte)
{
    struct audit_running r = { .known = true };
    snprintf(r.version, sizeof r.version, "%s", version);
    snprintf(r.hash, sizeof r.hash, "%s", hex32(hash_byte));
    if (slot1_byte)
        snprintf(r.slot1_hash, sizeof r.slot1_hash, "%s", hex32(slot1_byte));
    return r;
}

static void the_active_slot_runs(void **state)
{
    (void)state;
    struct client_image_state st = { .count = 0 };
    struct audit_running r;

    slot(&st, 0, 0, "1.0.0", 0xaa, false);
    slot(&st, 0, 1, "1.1.0", 0xbb, true);
    slot(&st, 1, 0, "9.9.9", 0xcc, true); /* another image pair: not the application */
    audit_running_of(&st, &r);
    assert_true(r.known);
    assert_string_equal(r.version, "1.1.0");
    assert_string_equal(r.hash, hex32(0xbb));
    assert_string_equal(r.slot1_hash, hex32(0xbb));
}

static void without_active_flags_slot0_runs(void **state)
{
    (void)state;
    struct client_image_state st = { .count = 0 };
    struct audit_running r;

    slot(&st, 0, 1, "1.1.0", 0xbb, false);
    slot(&st, 0, 0, "1.0.0", 0xaa, false);
    audit_running_of(&st, &r);
    assert_string_equal(r.version, "1.0.0");
    assert_string_equal(r.hash, hex32(0xaa));
    assert_string_equal(r.slot1_hash, hex32(0xbb));

    st.count = 0;
    audit_running_of(&st, &r);
    assert_false(r.known);
}

static void a_hex_detail_is_the_image_hash(void **state)
{
    (void)state;
    assert_true(audit_detail_is_hash("0123abcd"));
    assert_true(audit_detail_is_hash(hex32(0xAB)));
    assert_true(audit_detail_is_hash("ABCDEF0123"));
    assert_false(audit_detail_is_hash("0123abc"));      /* too short to be a hash */
    assert_false(audit_detail_is_hash("slot 1"));
    assert_false(audit_detail_is_hash("deadbeefX"));
    assert_false(audit_detail_is_hash(""));
    assert_false(audit_detail_is_hash(NULL));
    char too_long[AUDIT_HASH_HEX + 1];
    memset(too_long, 'a', AUDIT_HASH_HEX);
    too_long[AUDIT_HASH_HEX] = '\0';
    assert_false(audit_detail_is_hash(too_long));
}

static void describe(struct audit_record *rec, const char *action, const char *detail, int result,
                     const char *error, const struct audit_running *before_reset,
                     const struct audit_running *after)
{
    struct audit_change c = { action, detail, result, error, before_reset, after };
    memset(rec, 0, sizeof *rec);
    audit_describe_change(rec, &c);
}

/* image test names its hash; the running image is the same before and after */
static void test_names_its_hash(void **state)
{
    (void)state;
    struct audit_running after = running("1.0.0", 0xaa, 0xbb);
    struct audit_record rec;

    describe(&rec, "image test", hex32(0xbb), 0, "", NULL, &after);
    assert_string_equal(rec.action, "image test");
    assert_string_equal(rec.outcome, "ok");
    assert_string_equal(rec.image_hash, hex32(0xbb));
    assert_string_equal(rec.version_before, "1.0.0");
    assert_string_equal(rec.version_after, "1.0.0");
    assert_string_equal(rec.hash_before, hex32(0xaa));
    assert_string_equal(rec.hash_after, hex32(0xaa));
    assert_string_equal(rec.detail, hex32(0xbb));
}

/* an upload is about what landed in slot 1, and only when it succeeded */
static void upload_is_about_slot1(void **state)
{
    (void)state;
    struct audit_running after = running("1.0.0", 0xaa, 0xbb);
    struct audit_record rec;

    describe(&rec, "image upload", "file=v2.bin len=100 image=0", 0, NULL, NULL, &after);
    assert_string_equal(rec.image_hash, hex32(0xbb));
    assert_string_equal(rec.detail, "file=v2.bin len=100 image=0");

    describe(&rec, "image upload", "file=v2.bin len=100 image=0", CLIENT_ERR_DEVICE,
             "8 (IMAGE ...): not in DFU mode", NULL, &after);
    assert_string_equal(rec.outcome, "failed");
    assert_string_equal(rec.image_hash, "");
    assert_string_equal(rec.detail, "file=v2.bin len=100 image=0; error: 8 (IMAGE ...): not in DFU mode");
}

static void confirm_without_hash_is_about_the_running_image(void **state)
{
    (void)state;
    struct audit_running after = running("1.1.0", 0xbb, 0);
    struct audit_record rec;

    describe(&rec, "image confirm", "(running image)", 0, "", NULL, &after);
    assert_string_equal(rec.image_hash, hex32(0xbb));
    describe(&rec, "image erase", "slot 1", 0, "", NULL, &after);
    assert_string_equal(rec.image_hash, "");
}

/* a reset's "before" is the snapshot taken before it; the image it is
 * about is the one that runs after, when that changed */
static void reset_before_and_after(void **state)
{
    (void)state;
    struct audit_running before = running("1.0.0", 0xaa, 0xbb);
    struct audit_running after = running("1.1.0", 0xbb, 0xaa);
    struct audit_record rec;

    assert_true(audit_action_resets("reset"));
    assert_true(audit_action_resets("dfu"));
    assert_false(audit_action_resets("image test"));
    describe(&rec, "reset", "", 0, "", &before, &after);
    assert_string_equal(rec.version_before, "1.0.0");
    assert_string_equal(rec.hash_before, hex32(0xaa));
    assert_string_equal(rec.version_after, "1.1.0");
    assert_string_equal(rec.hash_after, hex32(0xbb));
    assert_string_equal(rec.image_hash, hex32(0xbb));
    assert_string_equal(rec.detail, "");

    /* the same image again: the reset is about no image */
    describe(&rec, "reset", "", 0, "", &before, &before);
    assert_string_equal(rec.image_hash, "");

    /* no snapshot taken: before is unknown, not the image after */
    describe(&rec, "reset", "", 0, "", NULL, &after);
    assert_string_equal(rec.version_before, "");
    assert_string_equal(rec.version_after, "1.1.0");
}

static void reset_the_device_did_not_come_back_from(void **state)
{
    (void)state;
    struct audit_running before = running("1.0.0", 0xaa, 0), after = { .known = false };
    struct audit_record rec;

    describe(&rec, "reset", "after upload", 0, "", &before, &after);
    assert_string_equal(rec.outcome, "ok");
    assert_string_equal(rec.version_before, "1.0.0");
    assert_string_equal(rec.version_after, "");
    assert_string_equal(rec.detail,
                        "after upload; the device did not answer within 5 s after the reset");
    /* a failed reset request says why, not that the device stayed away */
    describe(&rec, "reset", "", CLIENT_ERR_TIMEOUT, "timeout", &before, &after);
    assert_string_equal(rec.detail, "error: timeout");
}

static void a_long_detail_is_cut_to_the_field(void **state)
{
    (void)state;
    char detail[1000];
    struct audit_running after = { .known = false };
    struct audit_record rec;

    memset(detail, 'x', sizeof detail - 1);
    detail[sizeof detail - 1] = '\0';
    describe(&rec, "fs upload", detail, 0, "", NULL, &after);
    assert_int_equal(strlen(rec.detail), sizeof rec.detail - 1);
    assert_int_equal(strspn(rec.detail, "x"), sizeof rec.detail - 1);
}

static void unreached_attempt(void **state)
{
    (void)state;
    struct audit_record rec;
    memset(&rec, 0, sizeof rec);
    audit_describe_unreached(&rec, "image upload");
    assert_string_equal(rec.action, "image upload");
    assert_string_equal(rec.outcome, "failed");
    assert_non_null(strstr(rec.detail, "not reached"));
    assert_string_equal(rec.image_hash, "");
}

static void origin_names_the_operator(void **state)
{
    (void)state;
    struct audit_record rec;

    memset(&rec, 0, sizeof rec);
    setenv("MCUTOOLS_OPERATOR", "bob", 1);
    audit_fill_origin(&rec, "alice");
    assert_string_equal(rec.operator_name, "alice");
    assert_true(rec.host[0] != '\0');
    audit_fill_origin(&rec, NULL);
    assert_string_equal(rec.operator_name, "bob");
    audit_fill_origin(&rec, "");
    assert_string_equal(rec.operator_name, "bob");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_active_slot_runs),
        cmocka_unit_test(without_active_flags_slot0_runs),
        cmocka_unit_test(a_hex_detail_is_the_image_hash),
        cmocka_unit_test(test_names_its_hash),
        cmocka_unit_test(upload_is_about_slot1),
        cmocka_unit_test(confirm_without_hash_is_about_the_running_image),
        cmocka_unit_test(reset_before_and_after),
        cmocka_unit_test(reset_the_device_did_not_come_back_from),
        cmocka_unit_test(a_long_detail_is_cut_to_the_field),
        cmocka_unit_test(unreached_attempt),
        cmocka_unit_test(origin_names_the_operator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
