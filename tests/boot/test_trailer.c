/* The trailer is what the application and the bootloader agree on: its
 * offsets, its decoding (also of trailers imgtool --pad/--confirm wrote),
 * the pending/confirm requests and the decision table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "testfile.h"
#include "boot/boot_priv.h"

static void offsets_of_the_default_slot(void **state)
{
    (void)state;
    struct board b;
    board_init(&b, 4, BOOT_STRATEGY_SWAP_MOVE);
    assert_int_equal(boot_magic_off(&b.slot0), 0x75FF0);
    assert_int_equal(boot_image_ok_off(&b.slot0), 0x75FE8);
    assert_int_equal(boot_copy_done_off(&b.slot0), 0x75FE0);
    assert_int_equal(boot_swap_info_off(&b.slot0), 0x75FD8);
    assert_int_equal(boot_swap_size_off(&b.slot0), 0x75FD0);
    assert_int_equal(boot_status_off(&b.slot0, 3), 0x759D0);
    assert_int_equal(boot_status_off(&b.slot0, 0), 0x75FD0);
    board_free(&b);
    board_init(&b, 8, BOOT_STRATEGY_SWAP_MOVE);
    assert_int_equal(boot_status_off(&b.slot0, 3), 0x753D0);
    board_free(&b);
}

static void erased_slots_decode_unset(void **state)
{
    (void)state;
    struct board b;
    board_init(&b, 4, BOOT_STRATEGY_SWAP_MOVE);
    struct boot_swap_state st;
    assert_int_equal(boot_read_swap_state(&b.slot1, &st), 0);
    assert_int_equal(st.magic, BOOT_MAGIC_UNSET);
    assert_int_equal(st.image_ok, BOOT_FLAG_UNSET);
    assert_int_equal(st.copy_done, BOOT_FLAG_UNSET);
    assert_int_equal(st.swap_type, BOOT_SWAP_TYPE_NONE);
    assert_int_equal(boot_swap_type_peek(&b.slot0, &b.slot1), BOOT_SWAP_TYPE_NONE);
    board_free(&b);
}

static void pending_test_then_again_writes_nothing(void **state)
{
    (void)state;
    struct board b;
    board_init(&b, 4, BOOT_STRATEGY_SWAP_MOVE);
    assert_int_equal(boot_set_pending(&b.slot1, false), 0);
    struct boot_swap_state st;
    assert_int_equal(boot_read_swap_state(&b.slot1, &st), 0);
    assert_int_equal(st.magic, BOOT_MAGIC_GOOD);
    assert_int_equal(st.image_ok, BOOT_FLAG_UNSET);
    assert_int_equal(st.swap_type, BOOT_SWAP_TYPE_TEST);
    assert_int_equal(boot_swap_type_peek(&b.slot0, &b.slot1), BOOT_SWAP_TYPE_TEST);
    /* the bytes MCUboot expects: the magic and swap_info unit */
    static const uint8_t magic[16] = { 0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f,
                                       0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80 };
    assert_memory_equal(b.fm.mem + BOARD_SLOT1 + 0x75FF0, magic, 16);
    assert_int_equal(b.fm.mem[BOARD_SLOT1 + 0x75FD8], 0x02);
    uint64_t progs = b.fm.stats.progs;
    assert_int_equal(boot_set_pending(&b.slot1, false), 0);
    assert_int_equal(boot_set_pending(&b.slot1, true), 0); /* already scheduled */
    assert_int_equal(b.fm.stats.progs, progs);
    assert_int_equal(b.fm.stats.violations, 0);
    board_free(&b);
}

static void pending_permanent(void **state)
{
    (void)state;
    struct board b;
    board_init(&b, 8, BOOT_STRATEGY_SWAP_MOVE);
    assert_int_equal(boot_set_pending(&b.slot1, true), 0);
    struct boot_swap_state st;
    assert_int_equal(boot_read_swap_state(&b.slot1, &st), 0);
    assert_int_equal(st.image_ok, BOOT_FLAG_SET);
    assert_int_equal(st.swap_type, BOOT_SWAP_TYPE_PERM);
    assert_int_equal(b.fm.mem[BOARD_SLOT1 + 0x75FE8], 0x01);
    assert_int_equal(boot_swap_type_peek(&b.slot0, &b.slot1), BOOT_SWAP_TYPE_PERM);
    board_free(&b);
}

static void pending_on_bad_magic_erases_the_slot(void **state)
{
    (void)state;
    struct board b;
    board_init(&b, 4, BOOT_STRATEGY_SWAP_MOVE);
    uint8_t junk[16];
    memset(junk, 0x5a, sizeof junk);
    assert_int_equal(fa_write(&b.slot1, 0x75FF0, junk, 16), 0);
    assert_int_equal(fa_write(&b.slot1, 0, junk, 16), 0);
    struct boot_swap_state st;
    assert_int_equal(boot_read_swap_state(&b.slot1, &st), 0);
    assert_int_equal(st.magic, BOOT_MAGIC_BAD);
    assert_int_equal(boot_set_pending(&b.slot1, false), BOOT_EBADIMAGE);
    assert_int_equal(fa_is_erased(&b.slot1, 0, BOARD_SLOT_SIZE), 1);
    board_free(&b);
}

/* A test request cut before its magic, then asked again as permanent. */
static void pending_over_leftovers_of_a_cut_request(void **state)
{
    (void)state;
    struct board b;
    board_init(&b, 4, BOOT_STRATEGY_SWAP_MOVE);
    assert_int_equal(boot_write_swap_info(&b.slot1, BOOT_SWAP_TYPE_TEST, 0), 0);
    assert_int_equal(boot_set_pending(&b.slot1, true), 0);
    struct boot_swap_state st;
    assert_int_equal(boot_read_swap_state(&b.slot1, &st), 0);
    assert_int_equal(st.magic, BOOT_MAGIC_GOOD);
    assert_int_equal(st.swap_type, BOOT_SWAP_TYPE_PERM);
    assert_int_equal(st.image_ok, BOOT_FLAG_SET);
    assert_int_equal(b.fm.stats.violations, 0);
    board_free(&b);
}

/* Power lost at every operation of an `image test` / `image confirm`
 * request (plain and torn): asking again succeeds, the uploaded image is
 * still there byte-for-byte and the next boot swaps it in. */
static void pending_cut_anywhere_then_asked_again(void **state)
{
    (void)state;
    size_t l1, l2;
    uint8_t *v1 = make_image(5000, 1, 0, 41, false, 0, &l1);
    uint8_t *v2 = make_image(6000, 1, 1, 42, false, 0, &l2);
    int runs = 0;
    for (int perm = 0; perm < 2; perm++) {
        for (long k = 0; k < 2 + perm; k++) { /* ops: [image_ok,] swap_info, magic */
            for (int torn = 0; torn < 2; torn++) {
                for (uint32_t align = 4; align <= 8; align += 4) {
                    struct board b;
                    board_init(&b, align, BOOT_STRATEGY_SWAP_MOVE);
                    board_put(&b, &b.slot0, v1, l1);
                    board_put(&b, &b.slot1, v2, l2);
                    flash_model_fail_after(&b.fm, k, torn);
                    assert_int_equal(boot_set_pending(&b.slot1, perm), FLASH_ERR_POWER);
                    flash_model_power_on(&b.fm);
                    assert_int_equal(boot_set_pending(&b.slot1, perm), 0);
                    assert_memory_equal(b.fm.mem + BOARD_SLOT1, v2, l2);
                    struct boot_result res;
                    assert_int_equal(boot_go(&b.cfg, &res), 0);
                    assert_int_equal(res.swap_type, perm ? BOOT_SWAP_TYPE_PERM
                                                         : BOOT_SWAP_TYPE_TEST);
                    assert_int_equal(res.image.hdr.ver.minor, 1);
                    assert_int_equal(b.fm.stats.violations, 0);
                    board_free(&b);
                    runs++;
                }
            }
        }
    }
    printf("  set_pending cut at every operation: %d runs recovered\n", runs);
    free(v1);
    free(v2);
}

static void confirm_rules(void **state)
{
    (void)state;
    struct board b;
    board_init(&b, 4, BOOT_STRATEGY_SWAP_MOVE);
    /* never swapped: nothing to write */
    assert_int_equal(boot_set_confirmed(&b.slot0), 0);
    assert_int_equal(b.fm.stats.progs, 0);
    /* after a test swap: magic, copy_done, no image_ok -> revert pending */
    assert_int_equal(boot_write_magic(&b.slot0), 0);
    assert_int_equal(boot_write_copy_done(&b.slot0), 0);
    assert_int_equal(boot_swap_type_peek(&b.slot0, &b.slot1), BOOT_SWAP_TYPE_REVERT);
    assert_int_equal(boot_set_confirmed(&b.slot0), 0);
    assert_int_equal(boot_swap_type_peek(&b.slot0, &b.slot1), BOOT_SWAP_TYPE_NONE);
    assert_int_equal(boot_set_confirmed(&b.slot0), 0);
    assert_int_equal(b.fm.stats.violations, 0);
    /* corrupt primary magic */
    assert_int_equal(fa_erase(&b.slot0, 0x75000, 0x1000), 0);
    uint8_t junk[4] = { 1, 2, 3, 4 };
    assert_int_equal(fa_write(&b.slot0, 0x75FF4, junk, 4), 0);
    assert_int_equal(boot_set_confirmed(&b.slot0), BOOT_EBADVECT);
    board_free(&b);
}

static void decision_table(void **state)
{
    (void)state;
    struct boot_swap_state p = { BOOT_MAGIC_UNSET, 1, BOOT_FLAG_UNSET, BOOT_FLAG_UNSET, 0 };
    struct boot_swap_state s = p;
    assert_int_equal(boot_swap_type_from_states(&p, &s), BOOT_SWAP_TYPE_NONE);
    s.magic = BOOT_MAGIC_GOOD;
    assert_int_equal(boot_swap_type_from_states(&p, &s), BOOT_SWAP_TYPE_TEST);
    s.image_ok = BOOT_FLAG_SET;
    assert_int_equal(boot_swap_type_from_states(&p, &s), BOOT_SWAP_TYPE_PERM);
    s.image_ok = BOOT_FLAG_BAD;
    assert_int_equal(boot_swap_type_from_states(&p, &s), BOOT_SWAP_TYPE_NONE);
    s = (struct boot_swap_state){ BOOT_MAGIC_UNSET, 1, BOOT_FLAG_UNSET, BOOT_FLAG_UNSET, 0 };
    p = (struct boot_swap_state){ BOOT_MAGIC_GOOD, 2, BOOT_FLAG_SET, BOOT_FLAG_UNSET, 0 };
    assert_int_equal(boot_swap_type_from_states(&p, &s), BOOT_SWAP_TYPE_REVERT);
    p.image_ok = BOOT_FLAG_SET;
    assert_int_equal(boot_swap_type_from_states(&p, &s), BOOT_SWAP_TYPE_NONE);
    p.image_ok = BOOT_FLAG_UNSET;
    p.copy_done = BOOT_FLAG_UNSET; /* padded image flashed by a debugger */
    assert_int_equal(boot_swap_type_from_states(&p, &s), BOOT_SWAP_TYPE_NONE);
    p.copy_done = BOOT_FLAG_SET;
    s.magic = BOOT_MAGIC_BAD;
    assert_int_equal(boot_swap_type_from_states(&p, &s), BOOT_SWAP_TYPE_NONE);
}

/* Trailers written by MCUboot's imgtool --pad / --confirm for a 0x8000
 * slot: read them as a BOOT_MAX_ALIGN 8 MCUboot does. */
static void imgtool_padded_trailers(void **state)
{
    (void)state;
    const char *dir = vectors_dir();
    if (!dir)
        skip();
    static const struct { const char *id; uint8_t magic, image_ok, peek; } cases[] = {
        { "pad_a1", BOOT_MAGIC_GOOD, BOOT_FLAG_UNSET, BOOT_SWAP_TYPE_TEST },
        { "pad_a4", BOOT_MAGIC_GOOD, BOOT_FLAG_UNSET, BOOT_SWAP_TYPE_TEST },
        { "pad_a8", BOOT_MAGIC_GOOD, BOOT_FLAG_UNSET, BOOT_SWAP_TYPE_TEST },
        { "test_a8", BOOT_MAGIC_GOOD, BOOT_FLAG_UNSET, BOOT_SWAP_TYPE_TEST },
        { "pad_a8_M512", BOOT_MAGIC_GOOD, BOOT_FLAG_UNSET, BOOT_SWAP_TYPE_TEST },
        { "confirm_a1", BOOT_MAGIC_GOOD, BOOT_FLAG_SET, BOOT_SWAP_TYPE_PERM },
        { "confirm_a4", BOOT_MAGIC_GOOD, BOOT_FLAG_SET, BOOT_SWAP_TYPE_PERM },
        { "confirm_a8", BOOT_MAGIC_GOOD, BOOT_FLAG_SET, BOOT_SWAP_TYPE_PERM },
        { "confirm_a8_M16", BOOT_MAGIC_GOOD, BOOT_FLAG_SET, BOOT_SWAP_TYPE_PERM },
        { "erased0_confirm_a4", BOOT_MAGIC_GOOD, BOOT_FLAG_SET, BOOT_SWAP_TYPE_PERM },
        { "overwrite_only_confirm", BOOT_MAGIC_GOOD, BOOT_FLAG_UNSET, BOOT_SWAP_TYPE_TEST },
        /* --max-align 16/32 trailers use another magic: BAD for us, as for
         * an MCUboot built with BOOT_MAX_ALIGN 8; no swap is started */
        { "pad_a16", BOOT_MAGIC_BAD, BOOT_FLAG_UNSET, BOOT_SWAP_TYPE_NONE },
        { "confirm_a32", BOOT_MAGIC_BAD, BOOT_FLAG_UNSET, BOOT_SWAP_TYPE_NONE },
        { "confirm_a8_maxalign16", BOOT_MAGIC_BAD, BOOT_FLAG_UNSET, BOOT_SWAP_TYPE_NONE },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[700];
        snprintf(path, sizeof path, "%s/signed/%s.bin", dir, cases[i].id);
        size_t len;
        uint8_t *img = test_read_file(path, &len);
        assert_non_null(img);
        assert_int_equal(len, 0x8000);
        struct flash_model fm;
        assert_int_equal(flash_model_init_ram(&fm, 0x10000, 0x1000, 4), 0);
        struct flash_area pri = { FA_ID_SLOT0, &fm.dev, 0, 0x8000 };
        struct flash_area sec = { FA_ID_SLOT1, &fm.dev, 0x8000, 0x8000 };
        assert_int_equal(fa_write(&sec, 0, img, len), 0);
        struct boot_swap_state st;
        assert_int_equal(boot_read_swap_state(&sec, &st), 0);
        if (st.magic != cases[i].magic || st.image_ok != cases[i].image_ok)
            fail_msg("%s: magic %d image_ok %d", cases[i].id, st.magic, st.image_ok);
        assert_int_equal(boot_swap_type_peek(&pri, &sec), cases[i].peek);
        /* the same file in the primary (debugger-flashed): confirmable */
        assert_int_equal(fa_write(&pri, 0, img, len), 0);
        if (cases[i].magic == BOOT_MAGIC_GOOD) {
            assert_int_equal(boot_set_confirmed(&pri), 0);
            assert_int_equal(boot_read_swap_state(&pri, &st), 0);
            assert_int_equal(st.image_ok, BOOT_FLAG_SET);
        } else {
            assert_int_equal(boot_set_confirmed(&pri), BOOT_EBADVECT);
        }
        assert_int_equal(fm.stats.violations, 0);
        flash_model_close(&fm);
        free(img);
    }
}

/* A flash part described with write_align 0 (or sector_size 0) is not a
 * part any code can align to: the layout check refuses it and the trailer
 * calls return an error without touching flash, instead of dividing by
 * zero (SIGFPE on the host, silently no trailer writes on a Cortex-M). */
static void zero_write_align_or_sector_is_refused(void **state)
{
    (void)state;
    for (int field = 0; field < 2; field++) {
        struct board b;
        board_init(&b, 4, BOOT_STRATEGY_SWAP_MOVE);
        if (field == 0)
            b.fm.dev.write_align = 0;
        else
            b.fm.dev.sector_size = 0;
        struct boot_result res;
        assert_int_equal(boot_go(&b.cfg, &res), BOOT_EBADARGS);
        assert_true(board_log_has(&b, "Flash layout not usable"));
        assert_int_equal(boot_max_image_size(&b.cfg), 0);
        assert_int_equal(boot_set_pending(&b.slot1, false), FLASH_ERR_GEOMETRY);
        assert_int_equal(boot_set_confirmed(&b.slot0), FLASH_ERR_GEOMETRY);
        assert_int_equal(boot_write_image_ok(&b.slot0), FLASH_ERR_GEOMETRY);
        assert_int_equal(boot_write_swap_size(&b.slot0, 0x1000), FLASH_ERR_GEOMETRY);
        assert_int_equal(boot_erase_trailer_sectors(&b.slot0, 3), FLASH_ERR_GEOMETRY);
        assert_int_equal(fa_sector_count(&b.slot0), field ? 0 : BOARD_SLOT_SIZE / BOARD_SECTOR);
        assert_int_equal(b.fm.stats.progs, 0);
        assert_int_equal(b.fm.stats.erases, 0);
        assert_string_equal(boot_errname(FLASH_ERR_GEOMETRY), "FLASH_ERR_GEOMETRY");
        board_free(&b);
    }
}

static void error_names(void **state)
{
    (void)state;
    static const int codes[] = { BOOT_OK, BOOT_EFLASH, BOOT_EBADIMAGE, BOOT_EBADVECT,
                                 BOOT_ENOIMAGE, BOOT_EBADARGS, BOOT_EBADSTATUS };
    assert_int_equal(sizeof codes / sizeof codes[0], BOOT_ERR_COUNT);
    for (size_t i = 0; i < BOOT_ERR_COUNT; i++) {
        assert_string_not_equal(boot_errname(codes[i]), "BOOT_EUNKNOWN");
        assert_non_null(boot_strerror(codes[i]));
    }
    assert_string_equal(boot_strerror(FLASH_ERR_POWER), flash_strerror(FLASH_ERR_POWER));
    assert_string_equal(boot_swap_type_name(BOOT_SWAP_TYPE_REVERT), "revert");
}

/* Flash, bootloader and image codes lie in disjoint ranges (-1..-19,
 * -20..-39, -40..-59), so one lookup names every code the bootloader
 * passes up, each with its own name, none with another layer's. */
static void error_ranges_are_disjoint(void **state)
{
    (void)state;
    static const int boot_codes[] = { BOOT_EFLASH, BOOT_EBADIMAGE, BOOT_EBADVECT,
                                      BOOT_ENOIMAGE, BOOT_EBADARGS, BOOT_EBADSTATUS };
    int codes[FLASH_ERR_COUNT + BOOT_ERR_COUNT + IMAGE_ERR_COUNT], n = 0;
    for (int f = 1; f < FLASH_ERR_COUNT; f++) {
        assert_true(-f >= -19);
        assert_string_equal(boot_errname(-f), flash_errname(-f));
        assert_string_equal(boot_strerror(-f), flash_strerror(-f));
        codes[n++] = -f;
    }
    for (size_t b = 0; b < sizeof boot_codes / sizeof boot_codes[0]; b++) {
        assert_true(boot_codes[b] <= -20 && boot_codes[b] >= -39);
        codes[n++] = boot_codes[b];
    }
    for (int i = 1; i < IMAGE_ERR_COUNT; i++) {
        int e = IMAGE_ERR_CODE(i);
        assert_true(e <= -40 && e >= -59);
        assert_string_equal(boot_errname(e), image_errname(e));
        assert_string_equal(boot_strerror(e), image_strerror(e));
        codes[n++] = e;
    }
    for (int i = 0; i < n; i++) {
        assert_string_not_equal(boot_errname(codes[i]), "BOOT_EUNKNOWN");
        for (int j = 0; j < i; j++) {
            assert_int_not_equal(codes[i], codes[j]);
            assert_string_not_equal(boot_errname(codes[i]), boot_errname(codes[j]));
        }
    }
    assert_string_equal(boot_errname(IMAGE_ERR_HASH), "IMAGE_ERR_HASH");
    assert_string_equal(boot_errname(FLASH_ERR_POWER), "FLASH_ERR_POWER");
    assert_string_equal(boot_errname(-19), "BOOT_EUNKNOWN");
    assert_string_equal(boot_errname(-60), "BOOT_EUNKNOWN");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(offsets_of_the_default_slot),
        cmocka_unit_test(erased_slots_decode_unset),
        cmocka_unit_test(pending_test_then_again_writes_nothing),
        cmocka_unit_test(pending_permanent),
        cmocka_unit_test(pending_on_bad_magic_erases_the_slot),
        cmocka_unit_test(pending_over_leftovers_of_a_cut_request),
        cmocka_unit_test(pending_cut_anywhere_then_asked_again),
        cmocka_unit_test(confirm_rules),
        cmocka_unit_test(decision_table),
        cmocka_unit_test(imgtool_padded_trailers),
        cmocka_unit_test(zero_write_align_or_sector_is_refused),
        cmocka_unit_test(error_names),
        cmocka_unit_test(error_ranges_are_disjoint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
