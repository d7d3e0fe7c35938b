/*
 * Power-loss sweep (issue 4, acceptance 3). For a ~300 KiB image and one
 * strategy (argv[1]: move, scratch, overwrite): count the flash operations
 * of an uninterrupted test swap and of a revert, then for EVERY k cut the
 * power after k operations, power on, boot to completion and check the
 * invariant: one complete valid image boots, the other slot holds the
 * other image byte-for-byte, the trailers say what they should, and the
 * flash model never saw a program over unerased bytes. The same with torn
 * cuts (the interrupted write or erase half done) and with chains of
 * several cuts at pseudo-random points (fixed seeds: replayable).
 * BOOT_SWEEP_STRIDE=n tests every n-th k only (for slow sanitizer builds).
 * An encrypted pair (both images ciphertext as uploaded) checks that the
 * primary ends with the plaintext and the secondary with the ciphertext of
 * the other image, whatever the cuts: the keys survive in the trailer.
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
#include "testfile.h"

static enum boot_strategy_id strategy = BOOT_STRATEGY_SWAP_MOVE;
static const char *strategy_arg = "move";

struct img {
    uint8_t *buf;    /* as uploaded to the secondary */
    uint8_t *plain;  /* as it runs from the primary; NULL: same as buf */
    size_t len;
};

/* One sweep setting: the images and the trusted key. */
struct scenario {
    const char *name;
    uint32_t align, sector;   /* 0: the board's 4 and 4 KiB */
    /* old_img got to the primary by a confirmed update (the primary
     * trailer is full: records, copy_done, image_ok) instead of a flash */
    bool second_cycle;
    struct img old_img, new_img;
    struct image_key key;
    size_t nkeys;
    const struct image_enc_key *enc_key;
};

struct tally {
    unsigned long runs, cuts, recovered;
};

/* Sanitizer builds are several times slower; they sample every 4th cut
 * unless told otherwise. The plain build tests every k. */
#if defined(__SANITIZE_ADDRESS__)
#define DEFAULT_STRIDE 4
#else
#define DEFAULT_STRIDE 1
#endif

static uint32_t scenario_stride = 1;

static uint32_t stride(void)
{
    const char *s = getenv("BOOT_SWEEP_STRIDE");
    long v = s ? strtol(s, NULL, 10) : DEFAULT_STRIDE;
    return (v > 0 ? (uint32_t)v : 1) * scenario_stride;
}

static bool slot_holds(const struct flash_area *fa, const struct img *im)
{
    static uint8_t buf[BOARD_SLOT_SIZE];
    if (fa_read(fa, 0, buf, im->len) != 0)
        return false;
    return memcmp(buf, im->buf, im->len) == 0;
}

/* The primary holds images in plaintext. */
static bool primary_holds(const struct flash_area *fa, const struct img *im)
{
    struct img p = { im->plain ? im->plain : im->buf, NULL, im->len };
    return slot_holds(fa, &p);
}

static uint64_t ops(const struct board *b)
{
    return b->fm.stats.progs + b->fm.stats.erases;
}

/* What must hold after the operation completed, whatever the cuts were. */
static void check_final(struct board *b, const struct scenario *sc, bool reverted,
                        const char *id)
{
    const struct img *in0 = reverted ? &sc->old_img : &sc->new_img;
    const struct img *in1 = reverted ? &sc->new_img : &sc->old_img;
    struct boot_swap_state p, s;
    if (!primary_holds(&b->slot0, in0))
        fail_msg("%s: primary does not hold the expected image", id);
    assert_int_equal(boot_read_swap_state(&b->slot0, &p), 0);
    assert_int_equal(boot_read_swap_state(&b->slot1, &s), 0);
    if (s.magic != BOOT_MAGIC_UNSET)
        fail_msg("%s: secondary trailer magic %d", id, s.magic);
    if (strategy == BOOT_STRATEGY_OVERWRITE_ONLY) {
        if (fa_is_erased(&b->slot1, 0, (uint32_t)in1->len) != 1)
            fail_msg("%s: secondary not erased after overwrite", id);
    } else {
        if (!slot_holds(&b->slot1, in1))
            fail_msg("%s: secondary does not hold the other image", id);
        bool want_ok = reverted;
        if (p.magic != BOOT_MAGIC_GOOD || p.copy_done != BOOT_FLAG_SET ||
            (p.image_ok == BOOT_FLAG_SET) != want_ok)
            fail_msg("%s: primary trailer magic %d copy_done %d image_ok %d", id,
                     p.magic, p.copy_done, p.image_ok);
    }
    if (b->fm.stats.violations != 0)
        fail_msg("%s: %llu programs over unerased flash", id,
                 (unsigned long long)b->fm.stats.violations);
}

static int boot_once(struct board *b, struct boot_result *res)
{
    board_log_clear(b);
    return boot_go(&b->cfg, res);
}

/* Boots until one boot completes; the cut (if any) is already armed. */
static void recover(struct board *b, const char *id, int first_rc, struct tally *t)
{
    struct boot_result res;
    t->cuts++;
    t->runs++;
    if (first_rc == 0) {
        t->recovered++; /* the cut came after the last operation */
        return;
    }
    if (first_rc != FLASH_ERR_POWER)
        fail_msg("%s: cut boot returned %d (%s)", id, first_rc, boot_strerror(first_rc));
    flash_model_power_on(&b->fm);
    int rc = boot_once(b, &res);
    if (rc)
        fail_msg("%s: recovery boot returned %d (%s): %s", id, rc, boot_strerror(rc), res.reason);
    t->recovered++;
}

/* Sweeps every cut point k of the boot that starts from `start`. */
static void sweep(struct board *b, const uint8_t *start, const struct scenario *sc,
                  bool reverted, const char *op, uint64_t n_ops, bool torn, struct tally *t)
{
    char id[128];
    for (uint64_t k = 0; k < n_ops; k += stride()) {
        memcpy(b->fm.mem, start, BOARD_FLASH_SIZE);
        flash_model_reset_stats(&b->fm);
        snprintf(id, sizeof id, "%s/%s/%s/cut=%llu%s", strategy_arg, sc->name, op,
                 (unsigned long long)k, torn ? "/torn" : "");
        flash_model_fail_after(&b->fm, (long)k, torn);
        struct boot_result res;
        int rc = boot_once(b, &res);
        recover(b, id, rc, t);
        check_final(b, sc, reverted, id);
    }
}

static uint32_t xorshift(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

/* Chains of up to 5 cuts at pseudo-random points, torn or not. */
static void chains(struct board *b, const uint8_t *start, const struct scenario *sc,
                   bool reverted, const char *op, uint64_t n_ops, unsigned count,
                   struct tally *t)
{
    char id[160];
    for (uint32_t seed = 1; seed <= count; seed++) {
        uint32_t x = seed * 0x9e3779b9u;
        memcpy(b->fm.mem, start, BOARD_FLASH_SIZE);
        flash_model_reset_stats(&b->fm);
        int len = snprintf(id, sizeof id, "%s/%s/%s/chain seed=%u cuts=", strategy_arg,
                           sc->name, op, seed);
        struct boot_result res;
        int rc = FLASH_ERR_POWER;
        for (int c = 0; c < 5 && rc == FLASH_ERR_POWER; c++) {
            long k = (long)(xorshift(&x) % (uint32_t)(n_ops / 2 + 1));
            bool torn = xorshift(&x) & 1;
            if (len < (int)sizeof id - 16)
                len += snprintf(id + len, sizeof id - (size_t)len, "%ld%s,", k, torn ? "t" : "");
            flash_model_power_on(&b->fm);
            flash_model_fail_after(&b->fm, k, torn);
            rc = boot_once(b, &res);
            t->cuts++;
        }
        if (rc != 0 && rc != FLASH_ERR_POWER)
            fail_msg("%s: boot returned %d (%s)", id, rc, boot_strerror(rc));
        flash_model_power_on(&b->fm);
        if (rc != 0 && (rc = boot_once(b, &res)) != 0)
            fail_msg("%s: final boot returned %d (%s): %s", id, rc, boot_strerror(rc), res.reason);
        check_final(b, sc, reverted, id);
        if (reverted || strategy == BOOT_STRATEGY_OVERWRITE_ONLY) {
            /* settled: another boot changes nothing */
            uint64_t before = ops(b);
            assert_int_equal(boot_once(b, &res), 0);
            assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_NONE);
            if (ops(b) != before)
                fail_msg("%s: a settled boot wrote to flash", id);
        }
        t->runs++;
        t->recovered++;
    }
}

static void run_scenario(const struct scenario *sc, unsigned nchains)
{
    static uint8_t before_test[BOARD_FLASH_SIZE], before_revert[BOARD_FLASH_SIZE];
    struct board b;
    board_init_geometry(&b, sc->align ? sc->align : 4, sc->sector ? sc->sector : BOARD_SECTOR,
                        strategy);
    b.cfg.keys = sc->nkeys ? &sc->key : NULL;
    b.cfg.nkeys = sc->nkeys;
    b.cfg.enc_key = sc->enc_key;
    /* the new image is newer: a half-done install must never read as a
     * downgrade of itself, and a revert is no downgrade */
    b.cfg.downgrade_prevention = true;
    struct boot_result res;
    if (sc->second_cycle) {
        board_put(&b, &b.slot0, sc->new_img.buf, sc->new_img.len);
        board_put(&b, &b.slot1, sc->old_img.buf, sc->old_img.len);
        assert_int_equal(boot_set_pending(&b.slot1, false), 0);
        b.cfg.downgrade_prevention = false;
        assert_int_equal(boot_once(&b, &res), 0);
        b.cfg.downgrade_prevention = true;
        assert_int_equal(boot_set_confirmed(&b.slot0), 0);
        assert_true(primary_holds(&b.slot0, &sc->old_img));
    } else {
        const struct img *o = &sc->old_img;
        board_put(&b, &b.slot0, o->plain ? o->plain : o->buf, o->len);
    }
    board_put(&b, &b.slot1, sc->new_img.buf, sc->new_img.len);
    assert_int_equal(boot_set_pending(&b.slot1, false), 0);
    memcpy(before_test, b.fm.mem, BOARD_FLASH_SIZE);

    /* the uninterrupted test swap */
    flash_model_reset_stats(&b.fm);
    assert_int_equal(boot_once(&b, &res), 0);
    uint64_t test_ops = ops(&b);
    struct flash_stats st = b.fm.stats;
    check_final(&b, sc, false, "uncut test");
    memcpy(before_revert, b.fm.mem, BOARD_FLASH_SIZE);
    uint64_t revert_ops = 0;
    if (strategy != BOOT_STRATEGY_OVERWRITE_ONLY) {
        flash_model_reset_stats(&b.fm);
        assert_int_equal(boot_once(&b, &res), 0);
        assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_REVERT);
        revert_ops = ops(&b);
        check_final(&b, sc, true, "uncut revert");
    }
    printf("  %s %s: test swap %llu ops (%llu erases, %llu KiB erased, %llu writes, "
           "%llu KiB written), revert %llu ops\n",
           boot_strategy_name(strategy), sc->name, (unsigned long long)test_ops,
           (unsigned long long)st.erases, (unsigned long long)(st.bytes_erased / 1024),
           (unsigned long long)st.progs, (unsigned long long)(st.bytes_programmed / 1024),
           (unsigned long long)revert_ops);

    struct tally t = { 0, 0, 0 };
    for (int torn = 0; torn < 2; torn++) {
        sweep(&b, before_test, sc, false, "test", test_ops, torn, &t);
        if (revert_ops)
            sweep(&b, before_revert, sc, true, "revert", revert_ops, torn, &t);
    }
    chains(&b, before_test, sc, false, "test", test_ops, nchains, &t);
    if (revert_ops)
        chains(&b, before_revert, sc, true, "revert", revert_ops, nchains, &t);
    char every[32] = "every cut point";
    if (stride() > 1)
        snprintf(every, sizeof every, "every %u. cut point", stride());
    printf("  %s %s: %lu runs (%s, plain and torn, + %u chains), "
           "%lu cuts, %lu/%lu recovered (%.0f%%)\n",
           boot_strategy_name(strategy), sc->name, t.runs, every, nchains, t.cuts,
           t.recovered, t.runs, t.runs ? 100.0 * (double)t.recovered / (double)t.runs : 0.0);
    board_free(&b);
}

static void sweep_hash_only_300k(void **state)
{
    (void)state;
    struct scenario sc = { .name = "hash-only-300k" };
    sc.old_img.buf = make_image(300 * 1024, 1, 0, 11, false, 0, &sc.old_img.len);
    sc.new_img.buf = make_image(300 * 1024 + 1234, 1, 1, 12, false, 0, &sc.new_img.len);
    run_scenario(&sc, 40);
    free(sc.old_img.buf);
    free(sc.new_img.buf);
}

/* Other geometries, with a 64 KiB image to keep it quick: write
 * alignment 1, 2 and 8 on 4 KiB sectors, and 2 KiB sectors. */
static void sweep_geometries_64k(void **state)
{
    (void)state;
    static const struct { uint32_t align, sector; const char *name; } geo[] = {
        { 1, 0x1000, "64k-align1" }, { 2, 0x1000, "64k-align2" },
        { 8, 0x1000, "64k-align8" }, { 4, 0x800, "64k-sector2k" },
    };
    for (size_t i = 0; i < sizeof geo / sizeof geo[0]; i++) {
        struct scenario sc = { .name = geo[i].name, .align = geo[i].align,
                               .sector = geo[i].sector };
        sc.old_img.buf = make_image(64 * 1024, 1, 0, 21, false, 0, &sc.old_img.len);
        sc.new_img.buf = make_image(60 * 1024 + 77, 1, 1, 22, false, 0, &sc.new_img.len);
        run_scenario(&sc, 10);
        free(sc.old_img.buf);
        free(sc.new_img.buf);
    }
    /* the next update after a confirmed one: the primary trailer is full */
    struct scenario sc = { .name = "64k-second-update", .second_cycle = true };
    sc.old_img.buf = make_image(64 * 1024, 1, 1, 23, false, 0, &sc.old_img.len);
    sc.new_img.buf = make_image(66 * 1024 + 5, 1, 2, 24, false, 0, &sc.new_img.len);
    run_scenario(&sc, 10);
    free(sc.old_img.buf);
    free(sc.new_img.buf);
}

/* Encrypted images (X25519 key wrap, AES-128-CTR body), 64 KiB, every
 * 7th cut point (torn and not) and chains: both images encrypted (the old
 * one is encrypted again on its way to the secondary, so the revert
 * decrypts it back), the next update after a confirmed one, and the mixed
 * cases: a plain image updated to an encrypted one and back. */
static void sweep_encrypted_64k(void **state)
{
    (void)state;
    size_t klen;
    uint8_t *der = make_enc_key(&klen);
    struct image_enc_key ek = { der, klen };
    static const struct { const char *name; bool second, old_enc, new_enc; } cases[] = {
        { "enc-64k", false, true, true },
        { "enc-64k-second-update", true, true, true },
        { "plain-to-enc-64k", false, false, true },
        { "enc-to-plain-64k", false, true, false },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct scenario sc = { .name = cases[c].name, .second_cycle = cases[c].second,
                               .enc_key = &ek };
        uint32_t old_len = 64 * 1024 + 16 * (uint32_t)c, new_len = 60 * 1024 + 77;
        if (cases[c].old_enc)
            sc.old_img.buf = make_enc_image(old_len, 1, 0, 41, der, klen, &sc.old_img.plain,
                                            &sc.old_img.len);
        else
            sc.old_img.buf = make_image(old_len, 1, 0, 41, false, 0, &sc.old_img.len);
        if (cases[c].new_enc) {
            sc.new_img.buf = make_enc_image(new_len, 1, 1, 42, der, klen, &sc.new_img.plain,
                                            &sc.new_img.len);
            /* the uploaded form really is ciphertext */
            assert_memory_not_equal(sc.new_img.buf + 0x200, sc.new_img.plain + 0x200, 64);
        } else {
            sc.new_img.buf = make_image(new_len, 1, 1, 42, false, 0, &sc.new_img.len);
        }
        scenario_stride = 7;
        run_scenario(&sc, 10);
        scenario_stride = 1;
        free(sc.old_img.buf);
        free(sc.old_img.plain);
        free(sc.new_img.buf);
        free(sc.new_img.plain);
    }
    free(der);
}

/* A secondary that fails validation is erased, cut anywhere in that. */
static void sweep_refusal(void **state)
{
    (void)state;
    size_t l1, l2;
    uint8_t *v1 = make_image(64 * 1024, 1, 0, 31, false, 0, &l1);
    uint8_t *bad = make_image(64 * 1024, 1, 1, 32, false, 0, &l2);
    bad[0x1234] ^= 0x40;
    struct board b;
    board_init(&b, 4, strategy);
    board_put(&b, &b.slot0, v1, l1);
    board_put(&b, &b.slot1, bad, l2);
    assert_int_equal(boot_set_pending(&b.slot1, false), 0);
    static uint8_t start[BOARD_FLASH_SIZE];
    memcpy(start, b.fm.mem, BOARD_FLASH_SIZE);
    struct boot_result res;
    flash_model_reset_stats(&b.fm);
    assert_int_equal(boot_once(&b, &res), 0);
    assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_FAIL);
    uint64_t n = ops(&b);
    unsigned long runs = 0;
    for (uint64_t k = 0; k < n; k += stride()) {
        for (int torn = 0; torn < 2; torn++) {
            memcpy(b.fm.mem, start, BOARD_FLASH_SIZE);
            flash_model_reset_stats(&b.fm);
            flash_model_fail_after(&b.fm, (long)k, torn);
            assert_int_equal(boot_once(&b, &res), FLASH_ERR_POWER);
            flash_model_power_on(&b.fm);
            assert_int_equal(boot_once(&b, &res), 0);
            assert_int_equal(res.image.hdr.ver.minor, 0);
            struct img old = { v1, NULL, l1 };
            assert_true(slot_holds(&b.slot0, &old));
            assert_int_equal(fa_is_erased(&b.slot1, 0, BOARD_SLOT_SIZE), 1);
            assert_int_equal(b.fm.stats.violations, 0);
            runs++;
        }
    }
    printf("  %s refusal of a bad image: %llu ops, %lu cut runs recovered (100%%)\n",
           boot_strategy_name(strategy), (unsigned long long)n, runs);
    board_free(&b);
    free(v1);
    free(bad);
}

/* Signed by MCUboot's imgtool: p300k_ed25519 (3.0.0+300) over ed25519_basic.
 * (Skipped on a port without Ed25519, the mbedTLS one: there the hash-only
 * and encrypted sweeps cover the port.) */
static void sweep_signed_vectors(void **state)
{
    (void)state;
    const char *dir = vectors_dir();
    if (!dir || !test_port_verifies("ed25519"))
        skip();
    char path[700];
    struct scenario sc = { .name = "imgtool-ed25519-300k", .nkeys = 1 };
    size_t klen;
    snprintf(path, sizeof path, "%s/signed/ed25519_basic.bin", dir);
    sc.old_img.buf = test_read_file(path, &sc.old_img.len);
    snprintf(path, sizeof path, "%s/signed/p300k_ed25519.bin", dir);
    sc.new_img.buf = test_read_file(path, &sc.new_img.len);
    snprintf(path, sizeof path, "%s/keys/ed25519.pub.der", dir);
    uint8_t *der = test_read_file(path, &klen);
    assert_non_null(sc.old_img.buf);
    assert_non_null(sc.new_img.buf);
    assert_non_null(der);
    sc.key.der = der;
    sc.key.der_len = klen;
    /* the hash-only sweep covers every k; this one checks that signature
     * validation changes nothing, on a sample */
    scenario_stride = 16;
    run_scenario(&sc, 10);
    scenario_stride = 1;
    free(sc.old_img.buf);
    free(sc.new_img.buf);
    free(der);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        strategy_arg = argv[1];
        if (strcmp(argv[1], "scratch") == 0)
            strategy = BOOT_STRATEGY_SWAP_SCRATCH;
        else if (strcmp(argv[1], "overwrite") == 0)
            strategy = BOOT_STRATEGY_OVERWRITE_ONLY;
        else if (strcmp(argv[1], "move") != 0) {
            fprintf(stderr, "usage: %s [move|scratch|overwrite]\n", argv[0]);
            return 2;
        }
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sweep_hash_only_300k),
        cmocka_unit_test(sweep_geometries_64k),
        cmocka_unit_test(sweep_refusal),
        cmocka_unit_test(sweep_signed_vectors),
        cmocka_unit_test(sweep_encrypted_64k),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
