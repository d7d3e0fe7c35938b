/*
 * Images made by MCUboot's imgtool (../shared/vectors/imgtool, via
 * $SHARED_DIR): each file is copied into slot 1 of the RAM board and marked
 * pending, the signing key's public DER is the trusted key, and boot_go
 * must swap in exactly those `mcuboot_expect` says are valid (the booted
 * hash and version must match the manifest) and refuse every negative,
 * including the three imgtool's own verify passes. For each strategy.
 * Encrypted images boot on a board holding the image-encryption key the
 * manifest names (the primary then holds the plaintext body), and are
 * refused, with the cause on the console, without it or with another key.
 * With the mbedTLS port (-DCRYPTO=mbedtls) the decisions are the same,
 * except that an image signed with a key the port cannot verify (Ed25519)
 * is refused as not supported; its encrypted ones are then decrypted and
 * booted on a hash-only board, so the key unwrapping is still checked.
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

#define NCOLS 12
struct row {
    char *col[NCOLS]; /* id kind file key enc_key ok msg expect hash_alg hash version flags */
};

static const char *dir;
static char *tsv;
static struct row rows[256];
static int nrows;

static int setup(void **state)
{
    (void)state;
    dir = vectors_dir();
    if (!dir)
        return 0;
    char path[700];
    size_t len;
    snprintf(path, sizeof path, "%s/manifest.tsv", dir);
    tsv = (char *)test_read_file(path, &len);
    if (!tsv)
        return -1;
    tsv = realloc(tsv, len + 1);
    tsv[len] = '\0';
    char *save = NULL;
    char *line = strtok_r(tsv, "\n", &save); /* header */
    while ((line = strtok_r(NULL, "\n", &save)) && nrows < 256) {
        struct row *r = &rows[nrows++];
        char *p = line;
        for (int c = 0; c < NCOLS; c++) {
            r->col[c] = p;
            char *tab = p ? strchr(p, '\t') : NULL;
            if (tab)
                *tab = '\0';
            p = tab ? tab + 1 : NULL;
            if (!r->col[c])
                r->col[c] = "";
        }
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(tsv);
    return 0;
}

static void hex(const uint8_t *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", b[i]);
}

enum expect {
    EXPECT_SKIP,
    EXPECT_BOOT,
    EXPECT_BOOT_ENC,
    EXPECT_REFUSE,
    EXPECT_NO_SWAP,
    EXPECT_UNSUPPORTED, /* valid, but signed with a key this port cannot verify */
};

static enum expect expectation(const struct row *r, enum boot_strategy_id s, uint32_t max)
{
    const char *e = r->col[7];
    size_t n = strlen(r->col[2]);
    if (n == 0 || (strcmp(r->col[1], "image") != 0 && strcmp(r->col[1], "negative") != 0))
        return EXPECT_SKIP; /* imgtool sign errors: no file */
    if (n > 4 && strcmp(r->col[2] + n - 4, ".hex") == 0)
        return EXPECT_SKIP; /* Intel HEX: placed by address, not a slot image */
    if (strcmp(r->col[1], "negative") == 0)
        return strncmp(e, "image valid; trailer treated as no-magic", 40) == 0 ? EXPECT_NO_SWAP
                                                                             : EXPECT_REFUSE;
    if (strcmp(e, "valid") != 0 && strncmp(e, "valid as-is", 11) != 0)
        return strncmp(e, "valid after AES-CTR", 19) == 0 ? EXPECT_BOOT_ENC : EXPECT_SKIP;
    (void)s;
    /* larger than the strategy can move (0x74000 for swap-using-move) */
    if (strcmp(r->col[0], "p467k_rsa2048_pad_slot") == 0 && max < 0x74E00)
        return EXPECT_REFUSE;
    return EXPECT_BOOT;
}

struct counts {
    int booted, refused, no_swap, encrypted, oversized, skipped, unsupported;
};

/* The input payload of an encrypted vector (imgtool zero-pads it to a
 * multiple of 16 before encrypting). */
static void check_plaintext_body(struct board *b, const struct row *r)
{
    char path[800];
    size_t plen;
    snprintf(path, sizeof path, "%s/payloads/%s", dir,
             strstr(r->col[0], "p1000") ? "p1000.bin" : "p1k.bin");
    uint8_t *payload = test_read_file(path, &plen);
    assert_non_null(payload);
    struct image_info info;
    assert_int_equal(image_read_info(fa_image_read, &b->slot0, BOARD_SLOT_SIZE, &info), 0);
    uint32_t n = info.hdr.img_size;
    uint8_t *body = malloc(n);
    assert_non_null(body);
    assert_int_equal(fa_read(&b->slot0, info.hdr.hdr_size, body, n), 0);
    if (n < plen || memcmp(body, payload, plen) != 0)
        fail_msg("%s: the primary's body is not the plaintext payload", r->col[0]);
    for (size_t i = plen; i < n; i++)
        if (body[i] != 0)
            fail_msg("%s: padding byte %zu is not zero", r->col[0], i);
    free(body);
    free(payload);
}

static uint8_t *load_enc_key(const char *name, size_t *len)
{
    char path[800];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    uint8_t *der = enc_key_der_from_pem(path, len);
    if (!der)
        fail_msg("cannot load the encryption key %s", path);
    return der;
}

static void run_row(const struct row *r, enum boot_strategy_id strategy, struct counts *c)
{
    char path[800];
    size_t len, klen = 0;
    if (expectation(r, strategy, 0x76000) == EXPECT_SKIP) {
        c->skipped++;
        return;
    }
    snprintf(path, sizeof path, "%s/%s", dir, r->col[2]);
    uint8_t *img = test_read_file(path, &len);
    if (!img)
        fail_msg("%s: cannot read %s", r->col[0], path);
    uint8_t *der = NULL;
    if (r->col[3][0]) {
        snprintf(path, sizeof path, "%s/keys/%s.pub.der", dir, r->col[3]);
        der = test_read_file(path, &klen);
        assert_non_null(der);
    }
    struct image_key key = { der, klen };
    struct board b;
    board_init(&b, 4, strategy);
    b.cfg.keys = der ? &key : NULL;
    b.cfg.nkeys = der ? 1 : 0;
    enum expect ex = expectation(r, strategy, boot_max_image_size(&b.cfg));
    if (der && !test_port_verifies(r->col[3])) {
        if (ex == EXPECT_BOOT)
            ex = EXPECT_UNSUPPORTED;
        else if (ex == EXPECT_BOOT_ENC)
            b.cfg.nkeys = 0; /* the decryption alone, on a hash-only board */
    }
    size_t elen = 0;
    uint8_t *eder = NULL;
    struct image_enc_key ekey = { NULL, 0 };
    if (ex == EXPECT_BOOT_ENC) {
        eder = load_enc_key(r->col[4], &elen);
        ekey.der = eder;
        ekey.der_len = elen;
        b.cfg.enc_key = &ekey;
    }
    board_put(&b, &b.slot1, img, len);
    if (ex == EXPECT_NO_SWAP && len < BOARD_SLOT_SIZE) /* its 0x8000-slot trailer, at our slot end */
        assert_int_equal(fa_write(&b.slot1, BOARD_SLOT_SIZE - 16, img + len - 16, 16), 0);
    int prc = boot_set_pending(&b.slot1, false);
    if (ex != EXPECT_NO_SWAP && prc != 0)
        fail_msg("%s: set_pending %d", r->col[0], prc);
    struct boot_result res;
    int rc = boot_go(&b.cfg, &res);
    const char *id = r->col[0];
    switch (ex) {
    case EXPECT_BOOT:
    case EXPECT_BOOT_ENC: {
        if (rc != 0)
            fail_msg("%s (%s): not booted: %s", id, boot_strategy_name(strategy), res.reason);
        char h[129];
        hex(res.image.hash, res.image.hash_len, h);
        if (strcmp(h, r->col[9]) != 0)
            fail_msg("%s: booted hash %s, manifest %s", id, h, r->col[9]);
        if (ex == EXPECT_BOOT_ENC) {
            check_plaintext_body(&b, r);
            c->encrypted++;
        } else {
            c->booted++;
        }
        break;
    }
    case EXPECT_REFUSE:
        /* nothing else to boot: the refusal leaves no image */
        if (rc != BOOT_ENOIMAGE || res.swap_type != BOOT_SWAP_TYPE_FAIL)
            fail_msg("%s (%s): not refused (rc %d, swap %d)", id, boot_strategy_name(strategy),
                     rc, res.swap_type);
        assert_true(board_log_has(&b, "secondary slot is not valid"));
        assert_int_equal(fa_is_erased(&b.slot1, 0, BOARD_SLOT_SIZE), 1);
        if (strcmp(r->col[1], "image") == 0)
            c->oversized++;
        else
            c->refused++;
        break;
    case EXPECT_UNSUPPORTED:
        if (rc != BOOT_ENOIMAGE || res.swap_type != BOOT_SWAP_TYPE_FAIL)
            fail_msg("%s (%s): a %s image booted on a port without it", id,
                     boot_strategy_name(strategy), r->col[3]);
        assert_true(board_log_has(&b, "secondary slot is not valid"));
        /* (a plaintext image flagged encrypted, on a board without the
         * decryption key, is refused as encrypted: the boot's own message) */
        if (!board_log_has(&b, "not supported") &&
            !board_log_has(&b, "encrypted and this board holds no decryption key"))
            fail_msg("%s: the refusal does not say why: %s", id, res.reason);
        c->unsupported++;
        break;
    default:
        /* a corrupt trailer magic is no request: set_pending wipes it as
         * MCUboot does, and nothing is swapped */
        assert_int_equal(prc, BOOT_EBADIMAGE);
        assert_int_equal(rc, BOOT_ENOIMAGE);
        assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_NONE);
        c->no_swap++;
        break;
    }
    assert_int_equal(b.fm.stats.violations, 0);
    board_free(&b);
    free(img);
    free(der);
    free(eder);
}

static void vectors_for(enum boot_strategy_id strategy)
{
    if (!dir)
        skip();
    struct counts c = { 0, 0, 0, 0, 0, 0, 0 };
    for (int i = 0; i < nrows; i++)
        run_row(&rows[i], strategy, &c);
    printf("  %s: %d valid images booted, %d negatives refused, %d encrypted booted "
           "(decrypted with the manifest's enc key), %d too large for the strategy, "
           "%d corrupt-trailer not swapped, %d refused as not supported by this port, "
           "%d skipped (hex, sign errors, no expectation)\n",
           boot_strategy_name(strategy), c.booted, c.refused, c.encrypted, c.oversized,
           c.no_swap, c.unsupported, c.skipped);
    assert_int_equal(c.refused, 25);
    assert_int_equal(c.booted + c.oversized + c.unsupported, 74);
    assert_int_equal(c.encrypted, 11);
    /* only Ed25519 may be missing, and then every Ed25519 image is refused */
    assert_true(c.booted + c.oversized >= 20);
    assert_int_equal(c.unsupported == 0, test_port_verifies("ed25519"));
}

/* The three negatives imgtool's verify accepts, with the primary holding a
 * valid image of the same key that must keep booting. */
static void imgtool_verify_passing_negatives(void **state)
{
    (void)state;
    if (!dir || !test_port_verifies("ed25519"))
        skip(); /* Ed25519 vectors; a port without it refuses them (vectors_for) */
    static const char *negs[] = { "negative/neg_keyhash_flip.bin",
                                  "negative/neg_sig_from_other_key.bin",
                                  "negative/neg_trailer_magic_corrupt.bin" };
    char path[800];
    size_t plen, klen, nlen;
    snprintf(path, sizeof path, "%s/signed/ed25519_basic.bin", dir);
    uint8_t *pri = test_read_file(path, &plen);
    snprintf(path, sizeof path, "%s/keys/ed25519.pub.der", dir);
    uint8_t *der = test_read_file(path, &klen);
    assert_non_null(pri);
    assert_non_null(der);
    struct image_key key = { der, klen };
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, negs[i]);
        uint8_t *neg = test_read_file(path, &nlen);
        assert_non_null(neg);
        struct board b;
        board_init(&b, 4, BOOT_STRATEGY_SWAP_MOVE);
        b.cfg.keys = &key;
        b.cfg.nkeys = 1;
        board_put(&b, &b.slot0, pri, plen);
        board_put(&b, &b.slot1, neg, nlen);
        /* the padded one carries its own (corrupt) trailer at 0x7ff0 of a
         * 0x8000 slot; put the same corruption where our slot keeps it */
        if (i == 2) {
            uint8_t m[16];
            memcpy(m, neg + nlen - 16, 16);
            assert_int_equal(fa_write(&b.slot1, BOARD_SLOT_SIZE - 16, m, 16), 0);
            struct boot_swap_state st;
            assert_int_equal(boot_read_swap_state(&b.slot1, &st), 0);
            assert_int_equal(st.magic, BOOT_MAGIC_BAD);
            assert_int_equal(boot_swap_type_peek(&b.slot0, &b.slot1), BOOT_SWAP_TYPE_NONE);
        } else {
            assert_int_equal(boot_set_pending(&b.slot1, false), 0);
        }
        struct boot_result res;
        assert_int_equal(boot_go(&b.cfg, &res), 0);
        assert_int_equal(res.swap_type, i == 2 ? BOOT_SWAP_TYPE_NONE : BOOT_SWAP_TYPE_FAIL);
        assert_int_equal(res.image.hdr.ver.major, 1);
        if (i < 2) {
            assert_non_null(strstr(res.reason, "secondary slot is not valid"));
            printf("  %s: refused: %s\n", negs[i], res.reason);
        }
        board_free(&b);
        free(neg);
    }
    free(pri);
    free(der);
}

/* Signed by a key the board does not hold (ed25519-b on an ed25519
 * board): refused with a message naming the cause, v1.2.3 keeps booting. */
static void unknown_key_refused_primary_keeps_booting(void **state)
{
    (void)state;
    if (!dir || !test_port_verifies("ed25519"))
        skip(); /* Ed25519 vectors; a port without it refuses them (vectors_for) */
    char path[800];
    size_t plen, slen, klen;
    snprintf(path, sizeof path, "%s/signed/ed25519_basic.bin", dir);
    uint8_t *pri = test_read_file(path, &plen);
    snprintf(path, sizeof path, "%s/signed/ed25519b_basic.bin", dir);
    uint8_t *sec = test_read_file(path, &slen);
    snprintf(path, sizeof path, "%s/keys/ed25519.pub.der", dir);
    uint8_t *der = test_read_file(path, &klen);
    assert_non_null(pri);
    assert_non_null(sec);
    assert_non_null(der);
    struct image_key key = { der, klen };
    for (int s = 0; s < 3; s++) {
        struct board b;
        board_init(&b, 4, (enum boot_strategy_id)s);
        b.cfg.keys = &key;
        b.cfg.nkeys = 1;
        board_put(&b, &b.slot0, pri, plen);
        board_put(&b, &b.slot1, sec, slen);
        assert_int_equal(boot_set_pending(&b.slot1, false), 0);
        struct boot_result res;
        assert_int_equal(boot_go(&b.cfg, &res), 0);
        assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_FAIL);
        assert_true(board_log_has(&b, "E: Image in the secondary slot is not valid: "));
        assert_true(board_log_has(&b, "Booting image version 1.2.3.4"));
        if (s == 0)
            printf("  ed25519-b image on an ed25519 board: %s\n", res.reason);
        board_free(&b);
    }
    free(pri);
    free(sec);
    free(der);
}

/* A board built with a key refuses hash-only images, as in production. */
static void unsigned_image_refused_by_signed_board(void **state)
{
    (void)state;
    if (!dir)
        skip();
    char path[800];
    size_t slen, klen;
    snprintf(path, sizeof path, "%s/signed/unsigned_sha256.bin", dir);
    uint8_t *sec = test_read_file(path, &slen);
    snprintf(path, sizeof path, "%s/keys/ed25519.pub.der", dir);
    uint8_t *der = test_read_file(path, &klen);
    assert_non_null(sec);
    assert_non_null(der);
    struct image_key key = { der, klen };
    struct board b;
    board_init(&b, 4, BOOT_STRATEGY_SWAP_MOVE);
    b.cfg.keys = &key;
    b.cfg.nkeys = 1;
    board_put(&b, &b.slot1, sec, slen);
    assert_int_equal(boot_set_pending(&b.slot1, false), 0);
    struct boot_result res;
    assert_int_equal(boot_go(&b.cfg, &res), BOOT_ENOIMAGE);
    assert_true(board_log_has(&b, "E: Image in the secondary slot is not valid: "));
    printf("  unsigned image on an ed25519 board: %s\n", b.log[5]);
    /* the same image on an unsigned board boots */
    board_put(&b, &b.slot1, sec, slen);
    assert_int_equal(boot_set_pending(&b.slot1, false), 0);
    b.cfg.nkeys = 0;
    assert_int_equal(boot_go(&b.cfg, &res), 0);
    board_free(&b);
    free(sec);
    free(der);
}

/* Each encrypted vector on a hash-only board whose primary runs
 * unsigned_sha256 (1.2.3): without an encryption key, and with a key it
 * was not made for (another X25519 key, or a key of another type), it is
 * refused with the cause on the console and the primary keeps booting. */
static void encrypted_refused_without_the_key(void **state)
{
    (void)state;
    if (!dir)
        skip();
    char path[800];
    size_t plen;
    snprintf(path, sizeof path, "%s/signed/unsigned_sha256.bin", dir);
    uint8_t *pri = test_read_file(path, &plen);
    assert_non_null(pri);
    size_t xlen, other_len;
    uint8_t *other_x25519 = make_enc_key(&other_len);
    uint8_t *x25519 = load_enc_key("keys/enc-x25519.pem", &xlen);
    int refused = 0;
    for (int i = 0; i < nrows; i++) {
        const struct row *r = &rows[i];
        if (expectation(r, BOOT_STRATEGY_SWAP_MOVE, 0x76000) != EXPECT_BOOT_ENC)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, r->col[2]);
        size_t len;
        uint8_t *img = test_read_file(path, &len);
        assert_non_null(img);
        bool is_x25519 = strstr(r->col[4], "x25519") != NULL;
        struct image_enc_key wrong = { is_x25519 ? other_x25519 : x25519,
                                       is_x25519 ? other_len : xlen };
        for (int s = 0; s < 3; s++) {
            for (int with_key = 0; with_key < 2; with_key++) {
                struct board b;
                board_init(&b, 4, (enum boot_strategy_id)s);
                b.cfg.enc_key = with_key ? &wrong : NULL;
                board_put(&b, &b.slot0, pri, plen);
                board_put(&b, &b.slot1, img, len);
                assert_int_equal(boot_set_pending(&b.slot1, false), 0);
                struct boot_result res;
                if (boot_go(&b.cfg, &res) != 0)
                    fail_msg("%s: the primary did not boot: %s", r->col[0], res.reason);
                assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_FAIL);
                assert_int_equal(res.image.hdr.ver.major, 1);
                assert_int_equal(res.image.hdr.ver.minor, 2);
                const char *why = with_key ? "encrypted for another key"
                                           : "encrypted and this board holds no decryption key";
                if (!board_log_has(&b, why))
                    fail_msg("%s: no \"%s\" on the console: %s", r->col[0], why, res.reason);
                assert_int_equal(fa_is_erased(&b.slot1, 0, BOARD_SLOT_SIZE), 1);
                if (s == 0 && refused < 2)
                    printf("  %s %s: %s\n", r->col[0], with_key ? "wrong key" : "no key",
                           res.reason);
                refused++;
                board_free(&b);
            }
        }
        free(img);
    }
    printf("  %d refusals of encrypted images (11 images x 3 strategies x no key / wrong key)\n",
           refused);
    assert_int_equal(refused, 11 * 3 * 2);
    free(pri);
    free(x25519);
    free(other_x25519);
}

static void vectors_swap_move(void **s) { (void)s; vectors_for(BOOT_STRATEGY_SWAP_MOVE); }
static void vectors_swap_scratch(void **s) { (void)s; vectors_for(BOOT_STRATEGY_SWAP_SCRATCH); }
static void vectors_overwrite_only(void **s) { (void)s; vectors_for(BOOT_STRATEGY_OVERWRITE_ONLY); }

int main(void)
{
    if (!vectors_dir()) {
        printf("SHARED_DIR vectors absent: skipped\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(vectors_swap_move),
        cmocka_unit_test(vectors_swap_scratch),
        cmocka_unit_test(vectors_overwrite_only),
        cmocka_unit_test(imgtool_verify_passing_negatives),
        cmocka_unit_test(unknown_key_refused_primary_keeps_booting),
        cmocka_unit_test(unsigned_image_refused_by_signed_board),
        cmocka_unit_test(encrypted_refused_without_the_key),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
