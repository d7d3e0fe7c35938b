/* Delta patches: the host encoder (delta_make.c) against the device
 * applier (delta_apply.c), over images built here; round trips fed in
 * chunks of many sizes, and every kind of damage the applier must refuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "image/delta.h"
#include "image/delta_make.h"
#include "image/image.h"

#define TLV_BYTES (4 + 4 + 32)

static uint32_t rng = 12345;

static uint8_t rnd(void)
{
    rng = rng * 1103515245u + 12345u;
    return (uint8_t)(rng >> 16);
}

/* An unsigned MCUboot image: 32-byte header, body, one SHA-256 TLV (its
 * value only needs to name the image here: the parser does not hash). */
static uint8_t *make_image(const uint8_t *body, size_t body_len, uint8_t minor, size_t *len)
{
    uint8_t *b = calloc(1, 32 + body_len + TLV_BYTES);
    uint32_t magic = IMAGE_MAGIC;

    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(magic >> (8 * i));
    b[8] = 32;
    for (int i = 0; i < 4; i++)
        b[12 + i] = (uint8_t)(body_len >> (8 * i));
    b[20] = 1;
    b[21] = minor;
    memcpy(b + 32, body, body_len);
    uint8_t *t = b + 32 + body_len;
    t[0] = 0x07, t[1] = 0x69, t[2] = TLV_BYTES, t[3] = 0;
    t[4] = IMAGE_TLV_SHA256, t[6] = 32;
    for (int i = 0; i < 32; i++)
        t[8 + i] = (uint8_t)(minor * 31 + i + body[i % body_len]);
    *len = 32 + body_len + TLV_BYTES;
    return b;
}

struct sink {
    const uint8_t *base;
    size_t base_len;
    uint8_t *out;
    size_t len, cap;
    uint32_t reads;
};

static int read_base(void *ctx, uint32_t off, uint8_t *buf, size_t len)
{
    struct sink *s = ctx;
    s->reads++;
    if (off + len > s->base_len)
        return -1;
    memcpy(buf, s->base + off, len);
    return 0;
}

static int write_out(void *ctx, const uint8_t *buf, size_t len)
{
    struct sink *s = ctx;
    if (s->len + len > s->cap)
        return 12;
    memcpy(s->out + s->len, buf, len);
    s->len += len;
    return 0;
}

/* Applies patch in pieces of `step` bytes (0: pseudo-random 1..700); the
 * result of finish, or the first feed error. */
static int apply(const uint8_t *base, size_t base_len, const uint8_t *p, size_t n, size_t step,
                 struct sink *s)
{
    static struct delta_apply d;
    const struct delta_io io = { read_base, write_out, s };

    memset(s, 0, sizeof *s);
    s->base = base;
    s->base_len = base_len;
    s->cap = 1u << 20;
    s->out = malloc(s->cap);
    delta_apply_init(&d);
    for (size_t at = 0; at < n;) {
        size_t k = step ? step : 1 + (size_t)(rnd() | rnd() << 8) % 700;
        if (k > n - at)
            k = n - at;
        int rc = delta_apply_feed(&d, p + at, k, &io);
        if (rc)
            return rc;
        at += k;
    }
    return delta_apply_finish(&d);
}

struct pair {
    uint8_t *old, *new, *patch;
    size_t old_len, new_len, patch_len;
};

static void make_pair(struct pair *pr, const uint8_t *ob, const uint8_t *nb, size_t body_len)
{
    char err[256];
    pr->old = make_image(ob, body_len, 0, &pr->old_len);
    pr->new = make_image(nb, body_len, 1, &pr->new_len);
    assert_int_equal(delta_make(pr->old, pr->old_len, pr->new, pr->new_len, &pr->patch,
                                &pr->patch_len, err, sizeof err), 0);
}

static void free_pair(struct pair *pr)
{
    free(pr->old);
    free(pr->new);
    free(pr->patch);
}

static void assert_rebuilds(const struct pair *pr, size_t step)
{
    struct sink s;
    assert_int_equal(apply(pr->old, pr->old_len, pr->patch, pr->patch_len, step, &s), DELTA_OK);
    assert_int_equal(s.len, pr->new_len);
    assert_memory_equal(s.out, pr->new, pr->new_len);
    free(s.out);
}

/* 300 KiB with three 1 KiB changes: a few KiB of patch, rebuilt exactly
 * however the bytes arrive. */
static void test_three_changes(void **st)
{
    size_t n = 300 * 1024;
    uint8_t *ob = malloc(n), *nb = malloc(n);
    struct pair pr;
    (void)st;
    for (size_t i = 0; i < n; i++)
        ob[i] = rnd();
    memcpy(nb, ob, n);
    for (size_t c = 0; c < 3; c++)
        for (size_t i = 0; i < 1024; i++)
            nb[40000 + c * 100000 + i] = rnd();
    make_pair(&pr, ob, nb, n);
    assert_true(pr.patch_len < 4 * 1024);
    assert_true(pr.patch_len > 3 * 1024); /* the changed bytes themselves are random */
    assert_rebuilds(&pr, 1);
    assert_rebuilds(&pr, 7);
    assert_rebuilds(&pr, 0);
    assert_rebuilds(&pr, pr.patch_len);
    free_pair(&pr);
    free(ob);
    free(nb);
}

/* Code moved by an insertion: the copies after it still come from the base. */
static void test_insertion_shift(void **st)
{
    size_t n = 64 * 1024;
    uint8_t *ob = malloc(n), *nb = malloc(n);
    struct pair pr;
    (void)st;
    for (size_t i = 0; i < n; i++)
        ob[i] = rnd();
    memcpy(nb, ob, 1000);
    for (size_t i = 1000; i < 1100; i++)
        nb[i] = rnd();
    memcpy(nb + 1100, ob + 1000, n - 1100);
    make_pair(&pr, ob, nb, n);
    assert_true(pr.patch_len < DELTA_HEADER_SIZE + 200);
    assert_rebuilds(&pr, 0);
    free_pair(&pr);
    free(ob);
    free(nb);
}

/* A target unlike the base but repetitive: the window ops compress it. */
static void test_window(void **st)
{
    size_t n = 32 * 1024;
    uint8_t *ob = malloc(n), *nb = malloc(n);
    struct pair pr;
    (void)st;
    for (size_t i = 0; i < n; i++) {
        ob[i] = rnd();
        nb[i] = (uint8_t)("delta window text "[i % 18] ^ (i / 1500));
    }
    make_pair(&pr, ob, nb, n);
    assert_true(pr.patch_len < n / 10);
    assert_rebuilds(&pr, 0);
    free_pair(&pr);
    free(ob);
    free(nb);
}

/* Unrelated random images: the patch is no smaller than the image (the
 * client then sends the image itself). */
static void test_unrelated(void **st)
{
    size_t n = 16 * 1024;
    uint8_t *ob = malloc(n), *nb = malloc(n);
    struct pair pr;
    (void)st;
    for (size_t i = 0; i < n; i++) {
        ob[i] = rnd();
        nb[i] = rnd();
    }
    make_pair(&pr, ob, nb, n);
    assert_true(pr.patch_len >= pr.new_len);
    assert_rebuilds(&pr, 0);
    free_pair(&pr);
    free(ob);
    free(nb);
}

static struct pair small_pair(void)
{
    static uint8_t ob[4096], nb[4096];
    struct pair pr;
    for (size_t i = 0; i < sizeof ob; i++)
        ob[i] = nb[i] = rnd();
    memset(nb + 2000, 0x55, 300);
    make_pair(&pr, ob, nb, sizeof ob);
    return pr;
}

/* Cut anywhere, one byte more, or any op byte damaged: never a clean
 * finish with other bytes than the target's. */
static void test_damage(void **st)
{
    struct pair pr = small_pair();
    struct sink s;
    (void)st;
    for (size_t cut = 0; cut < pr.patch_len; cut++) {
        assert_int_not_equal(apply(pr.old, pr.old_len, pr.patch, cut, 0, &s), DELTA_OK);
        free(s.out);
    }
    uint8_t *longer = malloc(pr.patch_len + 1);
    memcpy(longer, pr.patch, pr.patch_len);
    longer[pr.patch_len] = 0;
    assert_int_equal(apply(pr.old, pr.old_len, longer, pr.patch_len + 1, 0, &s), DELTA_ERR_CORRUPT);
    free(s.out);
    free(longer);
    for (size_t at = DELTA_HEADER_SIZE; at < pr.patch_len; at++) {
        pr.patch[at] ^= 0x41;
        int rc = apply(pr.old, pr.old_len, pr.patch, pr.patch_len, 0, &s);
        assert_true(rc != DELTA_OK || s.len != pr.new_len ||
                    memcmp(s.out, pr.new, pr.new_len) != 0);
        free(s.out);
        pr.patch[at] ^= 0x41;
    }
    free_pair(&pr);
}

/* The header: magic, version, sizes; and the rebuilt image must start with
 * the header copy the device checked. */
static void test_header(void **st)
{
    struct pair pr = small_pair();
    struct delta_header h;
    struct sink s;
    (void)st;
    assert_int_equal(delta_header_parse(pr.patch, pr.patch_len, &h), DELTA_OK);
    assert_int_equal(h.patch_len, pr.patch_len);
    assert_int_equal(h.target_len, pr.new_len);
    assert_int_equal(h.base_len, pr.old_len);
    assert_memory_equal(h.target_hdr, pr.new, 32);
    assert_memory_equal(h.base_hash, pr.old + pr.old_len - 32, 32);
    assert_int_equal(delta_header_parse(pr.patch, DELTA_HEADER_SIZE - 1, &h), DELTA_ERR_HEADER);
    pr.patch[4] = 2; /* a future format */
    assert_int_equal(apply(pr.old, pr.old_len, pr.patch, pr.patch_len, 0, &s), DELTA_ERR_HEADER);
    free(s.out);
    pr.patch[4] = DELTA_VERSION;
    pr.patch[88 + 21] ^= 1; /* announced version differs from the one rebuilt */
    assert_int_equal(apply(pr.old, pr.old_len, pr.patch, pr.patch_len, 0, &s), DELTA_ERR_CORRUPT);
    assert_true(s.len < 32);
    free(s.out);
    free_pair(&pr);
}

/* Ops the header's sizes forbid, written by hand. */
static void test_bad_ops(void **st)
{
    struct pair pr = small_pair();
    uint8_t p[DELTA_HEADER_SIZE + 8];
    struct delta_header h;
    struct sink s;
    (void)st;
    delta_header_parse(pr.patch, pr.patch_len, &h);
    const uint8_t ops[][3] = {
        { 0xc0, 0, 0 },    /* kind 3 */
        { 0x80 | 9, 0x02, 0 }, /* BASE of 10 bytes at offset 1 ... */
        { 0x40, 0x00, 0 }, /* WIN before anything was produced */
    };
    for (size_t k = 0; k < 3; k++) {
        h.patch_len = DELTA_HEADER_SIZE + 3;
        h.base_len = k == 1 ? 10 : h.base_len; /* ... but past a 10-byte base */
        delta_header_write(&h, p);
        memcpy(p + DELTA_HEADER_SIZE, ops[k], 3);
        assert_int_equal(apply(pr.old, pr.old_len, p, h.patch_len, 1, &s), DELTA_ERR_CORRUPT);
        free(s.out);
    }
    free_pair(&pr);
}

/* The whole device state fits the 4 KiB the format promises. */
static void test_state_size(void **st)
{
    (void)st;
    assert_true(sizeof(struct delta_apply) <= 4096);
}

static void test_make_refuses(void **st)
{
    struct pair pr = small_pair();
    uint8_t *patch;
    size_t n;
    char err[256];
    (void)st;
    assert_int_equal(delta_make(pr.patch, pr.patch_len, pr.new, pr.new_len, &patch, &n, err,
                                sizeof err), -1);
    assert_non_null(strstr(err, "OLD is not a signed MCUboot image"));
    pr.new[12] |= 0x01; pr.new[13] = 0xff; /* body runs past the file */
    assert_int_equal(delta_make(pr.old, pr.old_len, pr.new, pr.new_len, &patch, &n, err,
                                sizeof err), -1);
    assert_non_null(strstr(err, "NEW"));
    free_pair(&pr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_changes), cmocka_unit_test(test_insertion_shift),
        cmocka_unit_test(test_window),        cmocka_unit_test(test_unrelated),
        cmocka_unit_test(test_damage),        cmocka_unit_test(test_header),
        cmocka_unit_test(test_bad_ops),       cmocka_unit_test(test_state_size),
        cmocka_unit_test(test_make_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
