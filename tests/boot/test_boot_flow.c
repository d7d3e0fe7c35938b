/* The user's-guide flow in-process, for every strategy: v1 confirmed; v2
 * written to slot 1 and marked pending; boot -> v2 on trial with v1 in
 * slot 1; boot without confirm -> v1 back; with confirm -> v2 stays. Plus
 * the refusals: bad images, downgrades, oversized headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "boot/boot_priv.h"

struct img {
    uint8_t *buf;
    size_t len;
};

static struct img v1, v2;

static int setup(void **state)
{
    (void)state;
    v1.buf = make_image(20000, 1, 0, 1, false, 0, &v1.len);
    v2.buf = make_image(23000, 1, 1, 2, false, 0, &v2.len);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(v1.buf);
    free(v2.buf);
    return 0;
}

static void assert_slot_holds(const struct flash_area *fa, const struct img *im)
{
    uint8_t *buf = malloc(im->len);
    assert_non_null(buf);
    assert_int_equal(fa_read(fa, 0, buf, im->len), 0);
    assert_memory_equal(buf, im->buf, im->len);
    free(buf);
}

static void boot_expect(struct board *b, int swap_type, uint8_t minor, bool confirmed)
{
    struct boot_result res;
    board_log_clear(b);
    int rc = boot_go(&b->cfg, &res);
    if (rc)
        fail_msg("boot_go %d (%s): %s", rc, boot_strerror(rc), res.reason);
    assert_int_equal(res.swap_type, swap_type);
    assert_int_equal(res.image.hdr.ver.major, 1);
    assert_int_equal(res.image.hdr.ver.minor, minor);
    bool ok = res.primary.magic != BOOT_MAGIC_GOOD || res.primary.image_ok == BOOT_FLAG_SET;
    assert_int_equal(ok, confirmed);
    assert_int_equal(b->fm.stats.violations, 0);
}

static void guide_flow(enum boot_strategy_id strategy)
{
    struct board b;
    board_init(&b, 4, strategy);
    board_put(&b, &b.slot0, v1.buf, v1.len);
    boot_expect(&b, BOOT_SWAP_TYPE_NONE, 0, true);
    assert_true(board_log_has(&b, "Booting image version 1.0.0"));

    board_put(&b, &b.slot1, v2.buf, v2.len);
    assert_int_equal(boot_set_pending(&b.slot1, false), 0);
    bool revertible = strategy != BOOT_STRATEGY_OVERWRITE_ONLY;
    boot_expect(&b, revertible ? BOOT_SWAP_TYPE_TEST : BOOT_SWAP_TYPE_PERM, 1, !revertible);
    assert_true(board_log_has(&b, "Swap type: test"));
    assert_slot_holds(&b.slot0, &v2);
    if (!revertible) {
        assert_int_equal(fa_is_erased(&b.slot1, 0, BOARD_SLOT_SIZE), 1);
        for (int i = 0; i < 5; i++)
            boot_expect(&b, BOOT_SWAP_TYPE_NONE, 1, true);
        board_free(&b);
        return;
    }
    assert_slot_holds(&b.slot1, &v1);
    assert_int_equal(boot_swap_type_peek(&b.slot0, &b.slot1), BOOT_SWAP_TYPE_REVERT);

    /* no confirm: the next boot goes back to v1, confirmed */
    boot_expect(&b, BOOT_SWAP_TYPE_REVERT, 0, true);
    assert_slot_holds(&b.slot0, &v1);
    assert_slot_holds(&b.slot1, &v2);
    boot_expect(&b, BOOT_SWAP_TYPE_NONE, 0, true);

    /* again, and this time v2 confirms itself */
    assert_int_equal(boot_set_pending(&b.slot1, false), 0);
    boot_expect(&b, BOOT_SWAP_TYPE_TEST, 1, false);
    assert_int_equal(boot_set_confirmed(&b.slot0), 0);
    for (int i = 0; i < 20; i++)
        boot_expect(&b, BOOT_SWAP_TYPE_NONE, 1, true);
    assert_slot_holds(&b.slot0, &v2);
    assert_slot_holds(&b.slot1, &v1);

    /* permanent request: no trial */
    assert_int_equal(boot_set_pending(&b.slot1, true), 0);
    boot_expect(&b, BOOT_SWAP_TYPE_PERM, 0, true);
    boot_expect(&b, BOOT_SWAP_TYPE_NONE, 0, true);
    assert_slot_holds(&b.slot0, &v1);
    board_free(&b);
}

static void flow_swap_move(void **s) { (void)s; guide_flow(BOOT_STRATEGY_SWAP_MOVE); }
static void flow_swap_scratch(void **s) { (void)s; guide_flow(BOOT_STRATEGY_SWAP_SCRATCH); }
static void flow_overwrite_only(void **s) { (void)s; guide_flow(BOOT_STRATEGY_OVERWRITE_ONLY); }

/* A secondary that fails validation is erased, never swapped; v1 boots. */
static void refused(enum boot_strategy_id strategy, const uint8_t *img, size_t len,
                    bool downgrade, const char *why)
{
    struct board b;
    board_init(&b, 4, strategy);
    b.cfg.downgrade_prevention = downgrade;
    board_put(&b, &b.slot0, v2.buf, v2.len);
    board_put(&b, &b.slot1, img, len);
    assert_int_equal(boot_set_pending(&b.slot1, false), 0);
    struct boot_result res;
    assert_int_equal(boot_go(&b.cfg, &res), 0);
    assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_FAIL);
    assert_int_equal(res.image.hdr.ver.minor, 1);
    if (!strstr(res.reason, why))
        fail_msg("reason '%s' lacks '%s'", res.reason, why);
    assert_true(board_log_has(&b, why));
    assert_slot_holds(&b.slot0, &v2);
    assert_int_equal(fa_is_erased(&b.slot1, 0, BOARD_SLOT_SIZE), 1);
    assert_int_equal(boot_go(&b.cfg, &res), 0);
    assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_NONE);
    board_free(&b);
}

static void bad_secondaries_are_refused(void **state)
{
    (void)state;
    for (int s = 0; s < 3; s++) {
        uint8_t *img = malloc(v1.len);
        memcpy(img, v1.buf, v1.len);
        img[0x300] ^= 1; /* body bit */
        refused((enum boot_strategy_id)s, img, v1.len, false, "secondary slot is not valid");
        memcpy(img, v1.buf, v1.len);
        /* header claiming a size past the slot */
        img[12] = 0x00; img[13] = 0x00; img[14] = 0x10; img[15] = 0x00;
        refused((enum boot_strategy_id)s, img, v1.len, false, "secondary slot is not valid");
        /* truncated mid-TLV: the hash TLV is cut short */
        refused((enum boot_strategy_id)s, v1.buf, v1.len - 20, false, "secondary slot is not valid");
        memcpy(img, v1.buf, v1.len);
        /* TLV area whose total length overflows */
        size_t tlv = 0x200 + 20000;
        img[tlv + 2] = 0xff; img[tlv + 3] = 0xff;
        refused((enum boot_strategy_id)s, img, v1.len, false, "secondary slot is not valid");
        free(img);
        /* downgrade with prevention on */
        refused((enum boot_strategy_id)s, v1.buf, v1.len, true, "Downgrade refused");
    }
}

static void security_counter_downgrade(void **state)
{
    (void)state;
    size_t la, lb;
    uint8_t *a = make_image(3000, 2, 0, 7, true, 5, &la);
    uint8_t *b2 = make_image(3000, 2, 1, 8, true, 4, &lb);
    struct board b;
    board_init(&b, 4, BOOT_STRATEGY_SWAP_MOVE);
    b.cfg.downgrade_prevention = true;
    board_put(&b, &b.slot0, a, la);
    board_put(&b, &b.slot1, b2, lb);
    assert_int_equal(boot_set_pending(&b.slot1, false), 0);
    struct boot_result res;
    assert_int_equal(boot_go(&b.cfg, &res), 0);
    assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_FAIL);
    assert_non_null(strstr(res.reason, "security counter 4"));
    board_free(&b);
    free(a);
    free(b2);
}

static void empty_flash_boots_nothing(void **state)
{
    (void)state;
    struct board b;
    board_init(&b, 4, BOOT_STRATEGY_SWAP_MOVE);
    struct boot_result res;
    assert_int_equal(boot_go(&b.cfg, &res), BOOT_ENOIMAGE);
    assert_non_null(strstr(res.reason, "primary slot is not valid"));
    assert_int_equal(b.fm.stats.progs + b.fm.stats.erases, 0);
    board_free(&b);
}

/* While a trial image runs, the old image in slot 1 is overwritten (an
 * upload) with something that does not validate: no revert into it; the
 * running image stays and is made permanent. */
static void revert_target_invalid(void **state)
{
    (void)state;
    for (int s = 0; s < 2; s++) {
        struct board b;
        board_init(&b, 4, (enum boot_strategy_id)s);
        board_put(&b, &b.slot0, v1.buf, v1.len);
        board_put(&b, &b.slot1, v2.buf, v2.len);
        assert_int_equal(boot_set_pending(&b.slot1, false), 0);
        boot_expect(&b, BOOT_SWAP_TYPE_TEST, 1, false);
        uint8_t junk[64];
        memset(junk, 0x11, sizeof junk);
        board_put(&b, &b.slot1, junk, sizeof junk);
        boot_expect(&b, BOOT_SWAP_TYPE_FAIL, 1, true);
        assert_true(board_log_has(&b, "secondary slot is not valid"));
        assert_slot_holds(&b.slot0, &v2);
        boot_expect(&b, BOOT_SWAP_TYPE_NONE, 1, true);
        board_free(&b);
    }
}

/* The running image is flagged encrypted but its ENC TLV was made for
 * another key, so a swap cannot encrypt it again: it moves to the
 * secondary as plaintext (with a warning), and the revert to it is refused
 * because it no longer validates there; the new image stays, confirmed. */
static void encrypted_primary_key_unknown(void **state)
{
    (void)state;
    size_t klen, olen;
    uint8_t *board_key = make_enc_key(&klen);
    uint8_t *other_key = make_enc_key(&olen);
    struct image_enc_key ek = { board_key, klen };
    struct img oldi, newi;
    uint8_t *old_plain, *new_plain;
    oldi.buf = make_enc_image(8 * 1024, 1, 0, 51, other_key, olen, &old_plain, &oldi.len);
    newi.buf = make_enc_image(9 * 1024 + 3, 1, 1, 52, board_key, klen, &new_plain, &newi.len);
    struct img new_run = { new_plain, newi.len };
    for (int s = 0; s < 2; s++) {
        struct board b;
        board_init(&b, 4, (enum boot_strategy_id)s);
        b.cfg.enc_key = &ek;
        board_put(&b, &b.slot0, old_plain, oldi.len);
        board_put(&b, &b.slot1, newi.buf, newi.len);
        assert_int_equal(boot_set_pending(&b.slot1, false), 0);
        boot_expect(&b, BOOT_SWAP_TYPE_TEST, 1, false);
        assert_true(board_log_has(&b, "primary image's encryption key cannot be recovered"));
        assert_slot_holds(&b.slot0, &new_run);
        struct img old_as_plain = { old_plain, oldi.len };
        assert_slot_holds(&b.slot1, &old_as_plain);
        boot_expect(&b, BOOT_SWAP_TYPE_FAIL, 1, true);
        assert_true(board_log_has(&b, "secondary slot is not valid"));
        assert_slot_holds(&b.slot0, &new_run);
        boot_expect(&b, BOOT_SWAP_TYPE_NONE, 1, true);
        board_free(&b);
    }
    free(oldi.buf);
    free(old_plain);
    free(newi.buf);
    free(new_plain);
    free(board_key);
    free(other_key);
}

/* A trailer written to look like a revert already recorded (swap_info
 * REVERT, image_ok, magic) does not get an unchecked image swapped in. */
static void forged_revert_request(void **state)
{
    (void)state;
    struct board b;
    board_init(&b, 4, BOOT_STRATEGY_SWAP_MOVE);
    board_put(&b, &b.slot0, v1.buf, v1.len);
    uint8_t *bad = malloc(v2.len);
    memcpy(bad, v2.buf, v2.len);
    bad[0x400] ^= 0x80;
    board_put(&b, &b.slot1, bad, v2.len);
    uint8_t unit[4] = { 0x04, 0xff, 0xff, 0xff };
    assert_int_equal(fa_write(&b.slot1, boot_swap_info_off(&b.slot1), unit, 4), 0);
    unit[0] = 0x01;
    assert_int_equal(fa_write(&b.slot1, boot_image_ok_off(&b.slot1), unit, 4), 0);
    assert_int_equal(boot_write_magic(&b.slot1), 0);
    boot_expect(&b, BOOT_SWAP_TYPE_FAIL, 0, true);
    assert_slot_holds(&b.slot0, &v1);
    free(bad);
    board_free(&b);
}

/* imgtool --confirm output flashed whole into slot 1 is a permanent
 * request by itself (its trailer says so), as with MCUboot. */
static void padded_confirmed_image_is_permanent(void **state)
{
    (void)state;
    struct board b;
    board_init(&b, 4, BOOT_STRATEGY_SWAP_MOVE);
    board_put(&b, &b.slot0, v1.buf, v1.len);
    uint8_t *padded = malloc(BOARD_SLOT_SIZE);
    memset(padded, 0xff, BOARD_SLOT_SIZE);
    memcpy(padded, v2.buf, v2.len);
    static const uint8_t magic[16] = { 0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f,
                                       0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80 };
    memcpy(padded + BOARD_SLOT_SIZE - 16, magic, 16);
    padded[BOARD_SLOT_SIZE - 24] = 0x01;
    board_put(&b, &b.slot1, padded, BOARD_SLOT_SIZE);
    boot_expect(&b, BOOT_SWAP_TYPE_PERM, 1, true);
    boot_expect(&b, BOOT_SWAP_TYPE_NONE, 1, true);
    assert_slot_holds(&b.slot1, &v1);
    free(padded);
    board_free(&b);
}

/* A magic torn while a revert was being recorded in the secondary: the
 * revert still happens (MCUboot's table alone would see "none"). */
static void torn_revert_magic_is_repaired(void **state)
{
    (void)state;
    struct board b;
    board_init(&b, 4, BOOT_STRATEGY_SWAP_MOVE);
    board_put(&b, &b.slot0, v1.buf, v1.len);
    board_put(&b, &b.slot1, v2.buf, v2.len);
    assert_int_equal(boot_set_pending(&b.slot1, false), 0);
    boot_expect(&b, BOOT_SWAP_TYPE_TEST, 1, false);
    uint8_t half[8] = { 0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f };
    assert_int_equal(fa_write(&b.slot1, boot_magic_off(&b.slot1), half, 8), 0);
    assert_int_equal(boot_swap_type_peek(&b.slot0, &b.slot1), BOOT_SWAP_TYPE_NONE);
    boot_expect(&b, BOOT_SWAP_TYPE_REVERT, 0, true);
    assert_true(board_log_has(&b, "repairing"));
    assert_slot_holds(&b.slot1, &v2);
    board_free(&b);
}

static void strategy_facts(void **state)
{
    (void)state;
    struct board b;
    board_init(&b, 4, BOOT_STRATEGY_SWAP_MOVE);
    assert_int_equal(boot_max_image_size(&b.cfg), 0x74000);
    b.cfg.strategy = BOOT_STRATEGY_SWAP_SCRATCH;
    assert_int_equal(boot_max_image_size(&b.cfg), 0x75000);
    b.cfg.scratch = NULL;
    assert_int_equal(boot_max_image_size(&b.cfg), 0);
    struct boot_result res;
    assert_int_equal(boot_go(&b.cfg, &res), BOOT_EBADARGS);
    b.cfg.strategy = BOOT_STRATEGY_OVERWRITE_ONLY;
    assert_int_equal(boot_max_image_size(&b.cfg), 0x75000);
    assert_int_equal(boot_strategy_mode(BOOT_STRATEGY_SWAP_MOVE), 3);
    assert_int_equal(boot_strategy_mode(BOOT_STRATEGY_SWAP_SCRATCH), 1);
    assert_int_equal(boot_strategy_mode(BOOT_STRATEGY_OVERWRITE_ONLY), 2);
    assert_string_equal(boot_strategy_name(BOOT_STRATEGY_SWAP_MOVE), "swap-using-move");
    /* layouts no strategy can use */
    struct flash_area tiny = { FA_ID_SLOT1, &b.fm.dev, 0x82000, 0x1000 };
    struct flash_area clash = { FA_ID_SLOT1, &b.fm.dev, 0x10000, BOARD_SLOT_SIZE };
    struct flash_area scr_in_slot = { FA_ID_SCRATCH, &b.fm.dev, 0x82000, 0x8000 };
    b.cfg.strategy = BOOT_STRATEGY_SWAP_MOVE;
    b.cfg.secondary = &tiny;
    assert_int_equal(boot_max_image_size(&b.cfg), 0);
    b.cfg.secondary = &clash;
    assert_int_equal(boot_go(&b.cfg, &res), BOOT_EBADARGS);
    assert_non_null(strstr(res.reason, "layout"));
    b.cfg.secondary = &b.slot1;
    b.cfg.strategy = BOOT_STRATEGY_SWAP_SCRATCH;
    b.cfg.scratch = &scr_in_slot;
    assert_int_equal(boot_max_image_size(&b.cfg), 0);
    assert_int_equal(b.fm.stats.progs + b.fm.stats.erases, 0);
    board_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(flow_swap_move),
        cmocka_unit_test(flow_swap_scratch),
        cmocka_unit_test(flow_overwrite_only),
        cmocka_unit_test(bad_secondaries_are_refused),
        cmocka_unit_test(security_counter_downgrade),
        cmocka_unit_test(empty_flash_boots_nothing),
        cmocka_unit_test(revert_target_invalid),
        cmocka_unit_test(encrypted_primary_key_unknown),
        cmocka_unit_test(forged_revert_request),
        cmocka_unit_test(padded_confirmed_image_is_permanent),
        cmocka_unit_test(torn_revert_magic_is_repaired),
        cmocka_unit_test(strategy_facts),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
