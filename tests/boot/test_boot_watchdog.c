/*
 * The watchdog hook (boot_watchdog_feed, bootutil.h): this test defines it,
 * which replaces the library's weak no-op, and counts the feeds against the
 * flash traffic of the RAM board. For every strategy, a 200 KiB test swap
 * (then its revert) and a validation of the primary alone must feed it,
 * and never run more than one sector erase, or more than half a sector's
 * worth of programming or reading, between two feeds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"

static struct {
    const struct flash_model *fm; /* the board under test */
    struct flash_stats last;      /* its counters at the previous feed */
    unsigned long feeds;
    uint64_t max_erased, max_programmed, max_read; /* bytes between two feeds */
} wd;

static uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }

/* Whatever ran since the previous feed is one gap. */
static void close_gap(void)
{
    const struct flash_stats *st = &wd.fm->stats;
    wd.max_erased = max_u64(wd.max_erased, st->bytes_erased - wd.last.bytes_erased);
    wd.max_programmed = max_u64(wd.max_programmed, st->bytes_programmed - wd.last.bytes_programmed);
    wd.max_read = max_u64(wd.max_read, st->bytes_read - wd.last.bytes_read);
    wd.last = *st;
}

void boot_watchdog_feed(void)
{
    if (!wd.fm)
        return;
    close_gap();
    wd.feeds++;
}

static void watch(const struct board *b)
{
    memset(&wd, 0, sizeof wd);
    wd.fm = &b->fm;
    wd.last = b->fm.stats;
}

/* Ends a watched boot: the traffic after the last feed counts too. */
static void check_gaps(const char *what, enum boot_strategy_id s, unsigned long min_feeds)
{
    close_gap();
    printf("  %s, %s: %lu feeds; at most %llu bytes erased, %llu programmed, %llu read "
           "between two\n",
           boot_strategy_name(s), what, wd.feeds, (unsigned long long)wd.max_erased,
           (unsigned long long)wd.max_programmed, (unsigned long long)wd.max_read);
    if (wd.feeds < min_feeds)
        fail_msg("%s: %lu feeds, fewer than %lu", what, wd.feeds, min_feeds);
    /* at most one sector erase between two feeds; copies feed every 1 KiB
     * (a status record's few bytes may come on top) */
    assert_true(wd.max_erased <= BOARD_SECTOR);
    assert_true(wd.max_programmed <= BOARD_SECTOR / 2);
    assert_true(wd.max_read <= BOARD_SECTOR / 2);
    wd.fm = NULL;
}

static void boot_ok(struct board *b, int want_swap, uint8_t want_minor)
{
    struct boot_result res;
    int rc = boot_go(&b->cfg, &res);
    if (rc != 0)
        fail_msg("boot_go %d: %s", rc, res.reason);
    assert_int_equal(res.swap_type, want_swap);
    assert_int_equal(res.image.hdr.ver.minor, want_minor);
}

static void feeds_for(enum boot_strategy_id s)
{
    size_t len1, len2;
    uint8_t *v1 = make_image(150 * 1024, 1, 0, 1, false, 0, &len1);
    uint8_t *v2 = make_image(200 * 1024, 1, 1, 2, false, 0, &len2);
    unsigned long sectors = (unsigned long)(len2 + BOARD_SECTOR - 1) / BOARD_SECTOR;
    struct board b;
    board_init(&b, 4, s);
    board_put(&b, &b.slot0, v1, len1);
    board_put(&b, &b.slot1, v2, len2);
    assert_int_equal(boot_set_pending(&b.slot1, false), 0);

    /* the test swap (overwrite-only makes it permanent): every sector of
     * the new image erased and written */
    watch(&b);
    boot_ok(&b, s == BOOT_STRATEGY_OVERWRITE_ONLY ? BOOT_SWAP_TYPE_PERM : BOOT_SWAP_TYPE_TEST, 1);
    check_gaps("test swap", s, 2 * sectors);

    /* not confirmed: the revert (overwrite-only has none, v1.1 stays) */
    watch(&b);
    if (s == BOOT_STRATEGY_OVERWRITE_ONLY)
        boot_ok(&b, BOOT_SWAP_TYPE_NONE, 1);
    else
        boot_ok(&b, BOOT_SWAP_TYPE_REVERT, 0);
    check_gaps(s == BOOT_STRATEGY_OVERWRITE_ONLY ? "next boot" : "revert", s,
               s == BOOT_STRATEGY_OVERWRITE_ONLY ? sectors : 2 * sectors);

    /* a plain boot: the primary's hash over the whole image, read in pieces */
    assert_int_equal(boot_set_confirmed(&b.slot0), 0);
    watch(&b);
    boot_ok(&b, BOOT_SWAP_TYPE_NONE, s == BOOT_STRATEGY_OVERWRITE_ONLY ? 1 : 0);
    check_gaps("validation", s, (unsigned long)(len1 / BOARD_SECTOR));
    board_free(&b);
    free(v1);
    free(v2);
}

static void feeds_swap_move(void **st) { (void)st; feeds_for(BOOT_STRATEGY_SWAP_MOVE); }
static void feeds_swap_scratch(void **st) { (void)st; feeds_for(BOOT_STRATEGY_SWAP_SCRATCH); }
static void feeds_overwrite_only(void **st) { (void)st; feeds_for(BOOT_STRATEGY_OVERWRITE_ONLY); }

/* boot_set_pending erasing a corrupt secondary (application side): fed
 * once per sector of the slot. */
static void feeds_while_erasing_a_corrupt_secondary(void **st)
{
    (void)st;
    struct board b;
    board_init(&b, 4, BOOT_STRATEGY_SWAP_MOVE);
    size_t len;
    uint8_t *v = make_image(4096, 1, 0, 3, false, 0, &len);
    board_put(&b, &b.slot1, v, len);
    uint8_t bad[16];
    memset(bad, 0x5a, sizeof bad); /* a complete, wrong magic */
    assert_int_equal(fa_write(&b.slot1, BOARD_SLOT_SIZE - 16, bad, sizeof bad), 0);
    watch(&b);
    assert_int_equal(boot_set_pending(&b.slot1, false), BOOT_EBADIMAGE);
    check_gaps("corrupt secondary erased", BOOT_STRATEGY_SWAP_MOVE,
               BOARD_SLOT_SIZE / BOARD_SECTOR);
    assert_int_equal(fa_is_erased(&b.slot1, 0, BOARD_SLOT_SIZE), 1);
    board_free(&b);
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(feeds_swap_move),
        cmocka_unit_test(feeds_swap_scratch),
        cmocka_unit_test(feeds_overwrite_only),
        cmocka_unit_test(feeds_while_erasing_a_corrupt_secondary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
