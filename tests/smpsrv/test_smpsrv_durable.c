/*
 * The application's upload beyond one power cycle, without the vectors
 * (images signed here by image/sign.h): the durable upload record survives
 * a reset, reads as absent when torn, starts over for another upload and
 * dies with erase and test; power cuts at many points of an upload, after
 * which the same upload completes byte-identical; a second upload while
 * one is in progress is busy; slot 1 is not listed while it holds part of
 * an upload; the last chunk and `image test` refuse what the bootloader
 * would not boot, with the reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/bootutil.h"
#include "cbor_view.h"
#include "fixture.h"
#include "smpsrv/groups/img_priv.h"

#define SEC 0x1000u
#define CHUNK 1000u

struct img {
    uint8_t *buf;
    size_t len;
    uint8_t sha[32];
    uint8_t hash[32]; /* the image hash TLV */
};

static void img_make(struct img *m, uint8_t major, size_t n, uint32_t seed,
                     const struct fx_key *key, long sec_cnt)
{
    struct image_mem mem;
    struct image_info info;

    m->buf = fx_image(major, 0, n, seed, key, sec_cnt, &m->len);
    fx_sha256(m->buf, m->len, m->sha);
    mem = (struct image_mem){ m->buf, m->len };
    assert_int_equal(image_read_info(image_mem_read, &mem, (uint32_t)m->len, &info), 0);
    memcpy(m->hash, info.hash, 32);
}

static void img_free(struct img *m) { free(m->buf); }

/* One chunk of m at off (len and sha with the first); the response body. */
static struct cv *send(struct fx *f, const struct img *m, uint32_t off, size_t n)
{
    struct fx_up u = { .off = off, .data = m->buf + off, .n = n, .len = -1, .image = -1,
                       .upgrade = -1 };
    if (off == 0) {
        u.len = (int64_t)m->len;
        u.sha = m->sha;
        u.sha_len = 32;
        u.image = 0;
    }
    return fx_upload(f, 1, &u);
}

/* The `off` the device answers to one chunk; fails on an error answer. */
static uint32_t send_off(struct fx *f, const struct img *m, uint32_t off, size_t n)
{
    struct cv *b = send(f, m, off, n);
    int64_t got = cv_get_int(b, "off", -1);

    assert_null(cv_get(b, "err"));
    assert_true(got >= 0);
    cv_free(b);
    return (uint32_t)got;
}

/* What a client does: the first chunk, then wherever the device says,
 * until the image is in or the device answers an error. Returns the last
 * body; *first_off gets the answer to the first chunk. */
static struct cv *client_upload(struct fx *f, const struct img *m, uint32_t *first_off)
{
    uint32_t off = 0;

    for (int i = 0; i < 2000; i++) {
        size_t n = m->len - off < CHUNK ? m->len - off : CHUNK;
        struct cv *b = send(f, m, off, n);
        int64_t next = cv_get_int(b, "off", -1);
        if (i == 0 && first_off)
            *first_off = (uint32_t)next;
        if (next < 0 || next == (int64_t)m->len)
            return b;
        cv_free(b);
        off = (uint32_t)next;
    }
    fail_msg("the upload never ended");
    return NULL;
}

/* The whole upload succeeds with match true and slot 1 holds the file. */
static void upload_ok(struct fx *f, const struct img *m, uint32_t *first_off)
{
    struct cv *b = client_upload(f, m, first_off);
    assert_int_equal(cv_get_int(b, "off", -1), m->len);
    assert_int_equal(cv_get_bool(b, "match"), 1);
    cv_free(b);
    assert_memory_equal(f->fm.mem + f->slot1.off, m->buf, m->len);
}

/* Sends [0, end) in CHUNK pieces, as a client cut off after end. */
static void upload_part(struct fx *f, const struct img *m, uint32_t end)
{
    for (uint32_t off = 0; off < end; off += CHUNK)
        assert_int_equal(send_off(f, m, off, CHUNK), off + CHUNK);
}

static struct cv *state_read(struct fx *f)
{
    return fx_call(f, SMP_OP_READ, 1, SMP_GROUP_IMAGE, 0, NULL, 0);
}

/* The `images` entry of slot s, NULL when not listed. */
static const struct cv *entry(const struct cv *b, int s)
{
    const struct cv *images = cv_get(b, "images");
    for (size_t i = 0; i < cv_size(images); i++)
        if (cv_get_int(cv_at(images, i), "slot", -1) == s)
            return cv_at(images, i);
    return NULL;
}

static bool entry_hash_is(const struct cv *e, const uint8_t hash[32])
{
    const uint8_t *h;
    size_t n;
    return e && cv_bytes(cv_get(e, "hash"), &h, &n) && n == 32 && memcmp(h, hash, 32) == 0;
}

static struct cv *test_hash(struct fx *f, const uint8_t hash[32])
{
    uint8_t body[64];
    struct cbor_writer w;
    cbor_writer_init(&w, body, sizeof body);
    cbor_open_map(&w, 2);
    cbor_put_str(&w, "hash");
    cbor_put_bytes(&w, hash, 32);
    cbor_put_str(&w, "confirm");
    cbor_put_bool(&w, false);
    return fx_call(f, SMP_OP_WRITE, 1, SMP_GROUP_IMAGE, 0, body, w.len);
}

static void assert_rsn(const struct cv *b, const char *want)
{
    char rsn[160];
    assert_true(cv_text(cv_get(b, "rsn"), rsn, sizeof rsn));
    assert_string_equal(rsn, want);
}

static int read_record(struct fx *f, struct upload_record *r)
{
    return upload_record_read(&f->record, SEC, r);
}

/* ---- the durable record ---- */

static void test_record_survives_reboot(void **state)
{
    struct fx *f = *state;
    struct upload_record r;
    struct img m;
    uint32_t first;

    img_make(&m, 2, 40000, 1, &fx_trusted, -1);
    upload_part(f, &m, 25000); /* sectors 0..5 whole (24576 bytes) */
    assert_int_equal(read_record(f, &r), 1);
    assert_int_equal(r.done, 6);
    assert_false(r.complete);
    assert_int_equal(r.len, m.len);
    assert_memory_equal(r.sha, m.sha, 32);
    fx_reboot(f);
    assert_int_equal(send_off(f, &m, 25000, CHUNK), 0); /* the RAM session is gone */
    upload_ok(f, &m, &first);
    assert_int_equal(first, 6 * SEC); /* the first chunk resumed at sector 6 */
    assert_int_equal(read_record(f, &r), 1);
    assert_true(r.complete);
    /* finished: the same upload after a reset is answered as complete */
    fx_reboot(f);
    struct cv *b = send(f, &m, 0, CHUNK);
    assert_int_equal(cv_get_int(b, "off", -1), m.len);
    assert_int_equal(cv_get_bool(b, "match"), 1);
    cv_free(b);
    img_free(&m);
}

/* Torn units at the record level: a commit, a mark, a header. */
static void test_torn_record_reads_as_absent(void **state)
{
    struct fx *f = *state;
    struct upload_record r;
    uint8_t sha[32] = { 1, 2, 3 };
    uint32_t next;
    uint8_t *rec = f->fm.mem + FX_RECORD_ADDR;

    assert_int_equal(upload_record_begin(&f->record, SEC, 50000, sha, 32, false, &next), 0);
    assert_int_equal(read_record(f, &r), 1);
    assert_int_equal(r.done, 0);
    /* the commit's program cut half way: its complement still erased */
    rec[48 + 2] = rec[48 + 3] = 0xff;
    assert_int_equal(read_record(f, &r), 0);

    assert_int_equal(upload_record_begin(&f->record, SEC, 50000, sha, 32, false, &next), 0);
    for (uint16_t c = 1; c <= 3; c++)
        assert_int_equal(upload_record_mark(&f->record, &next, c), 0);
    /* the 4th mark cut half way: 4 in its low half, ~4 never written */
    uint8_t *unit = rec + 48 + 4 + 3 * 4;
    unit[0] = 4;
    unit[1] = 0;
    assert_int_equal(read_record(f, &r), 1);
    assert_int_equal(r.done, 3);
    assert_int_equal(r.next_unit, 4); /* the torn unit is skipped, not reused */
    next = r.next_unit;
    assert_int_equal(upload_record_mark(&f->record, &next, 4), 0);
    assert_int_equal(read_record(f, &r), 1);
    assert_int_equal(r.done, 4);
    /* a mark a cut erase left half erased reads as not written */
    unit = rec + 48 + 4 + 4 * 4;
    unit[2] = 0xff;
    assert_int_equal(read_record(f, &r), 1);
    assert_int_equal(r.done, 3);
    /* a header half erased (a cut erase): no record */
    memset(rec + 8, 0xff, 8);
    assert_int_equal(read_record(f, &r), 0);
    /* a record of another geometry is not ours */
    assert_int_equal(upload_record_begin(&f->record, SEC, 50000, sha, 32, false, &next), 0);
    assert_int_equal(upload_record_read(&f->record, 2 * SEC, &r), 0);
}

/* The server with a torn commit: after the reset the upload starts over. */
static void test_torn_commit_starts_over(void **state)
{
    struct fx *f = *state;
    struct img m;
    uint32_t first;

    img_make(&m, 2, 20000, 2, &fx_trusted, -1);
    upload_part(f, &m, 9000);
    f->fm.mem[FX_RECORD_ADDR + 48 + 3] = 0xff;
    fx_reboot(f);
    upload_ok(f, &m, &first);
    assert_int_equal(first, CHUNK);
    img_free(&m);
}

static void test_different_sha_starts_over(void **state)
{
    struct fx *f = *state;
    struct upload_record r;
    struct img a, b;
    uint32_t first;

    img_make(&a, 2, 30000, 3, &fx_trusted, -1);
    img_make(&b, 3, 30000, 4, &fx_trusted, -1);
    assert_int_equal(a.len, b.len);
    upload_part(f, &a, 13000); /* 3 whole sectors */
    fx_reboot(f);
    assert_int_equal(send_off(f, &b, 0, CHUNK), CHUNK); /* B is new */
    assert_int_equal(read_record(f, &r), 1);
    assert_memory_equal(r.sha, b.sha, 32);
    fx_reboot(f);
    upload_ok(f, &a, &first); /* A's record is gone: from 0 again */
    assert_int_equal(first, CHUNK);
    img_free(&a);
    img_free(&b);
}

/* Erase and test end the record: slot 1 changes under it. */
static void test_erase_and_test_end_the_record(void **state)
{
    struct fx *f = *state;
    struct upload_record r;
    struct img m;
    struct cv *b;
    uint32_t first;

    img_make(&m, 2, 20000, 5, &fx_trusted, -1);
    upload_part(f, &m, 9000);
    b = fx_call(f, SMP_OP_WRITE, 1, SMP_GROUP_IMAGE, 5, (const uint8_t *)"\xa0", 1);
    assert_null(cv_get(b, "err"));
    cv_free(b);
    assert_int_equal(read_record(f, &r), 0);
    fx_reboot(f);
    upload_ok(f, &m, &first);
    assert_int_equal(first, CHUNK);
    assert_int_equal(read_record(f, &r), 1);
    b = test_hash(f, m.hash);
    assert_null(cv_get(b, "err"));
    cv_free(b);
    assert_int_equal(read_record(f, &r), 0);
    assert_int_equal(boot_swap_type_peek(&f->slot0, &f->slot1), BOOT_SWAP_TYPE_TEST);
    img_free(&m);
}

/* Power cut after n flash operations (every other one torn), reset, the
 * same upload again: it completes byte-identical, resuming at a sector. */
static void cut_and_finish(struct fx *f, const struct img *m, long n)
{
    struct cv *b;
    uint32_t first;

    memset(f->fm.mem + f->slot1.off, 0xff, f->slot1.size);
    memset(f->fm.mem + FX_RECORD_ADDR, 0xff, SEC);
    fx_reboot(f);
    flash_model_fail_after(&f->fm, n, n % 2 == 1);
    b = client_upload(f, m, NULL);
    assert_true(f->fm.powered_off);
    assert_true(fx_img_rc(b) > 0);
    cv_free(b);
    fx_reboot(f);
    upload_ok(f, m, &first);
    assert_true(first == CHUNK || first % SEC == 0);
}

static void test_power_cut_sweep(void **state)
{
    struct fx *f = *state;
    struct img m;
    uint32_t first;

    img_make(&m, 2, 30000, 6, &fx_trusted, -1);
    flash_model_reset_stats(&f->fm);
    upload_ok(f, &m, &first);
    long total = (long)(f->fm.stats.progs + f->fm.stats.erases);
    assert_true(total > 30);
    for (long n = 0; n < total; n += n < 8 ? 1 : 7)
        cut_and_finish(f, &m, n);
    cut_and_finish(f, &m, total - 1);
    img_free(&m);
}

/* ---- two clients ---- */

static void test_second_upload_is_busy(void **state)
{
    struct fx *f = *state;
    struct img a, b;
    struct cv *r;

    img_make(&a, 2, 20000, 7, &fx_trusted, -1);
    img_make(&b, 3, 20000, 8, &fx_trusted, -1);
    upload_part(f, &a, 5000);
    f->now_ms += SMPSRV_UPLOAD_IDLE_MS - 1;
    r = send(f, &b, 0, CHUNK);
    assert_int_equal(cv_get_int(r, "rc", -1), SMP_ERR_EBUSY);
    assert_rsn(r, "busy: another upload is in progress");
    cv_free(r);
    assert_int_equal(send_off(f, &a, 0, CHUNK), 5000); /* A itself resumes */
    assert_int_equal(send_off(f, &a, 5000, CHUNK), 6000);
    /* A goes quiet: after the idle time B may take over */
    f->now_ms += SMPSRV_UPLOAD_IDLE_MS;
    assert_int_equal(send_off(f, &b, 0, CHUNK), CHUNK);
    /* a reset leaves no session in progress, only B's record: A starts over */
    fx_reboot(f);
    assert_int_equal(send_off(f, &a, 0, CHUNK), CHUNK);
    /* a finished upload is not in progress either */
    uint32_t first;
    upload_ok(f, &a, &first);
    assert_int_equal(send_off(f, &b, 0, CHUNK), CHUNK);
    img_free(&a);
    img_free(&b);
}

/* ---- slot 1 while it holds part of an upload ---- */

static void test_incomplete_slot1_not_listed(void **state)
{
    struct fx *f = *state;
    struct img x, y;
    struct image_info info;
    struct cv *b;
    uint32_t first;

    img_make(&x, 1, 30000, 9, &fx_trusted, -1);
    img_make(&y, 2, 30000, 10, &fx_trusted, -1); /* the same layout as x */
    upload_ok(f, &x, &first);
    b = state_read(f);
    assert_true(entry_hash_is(entry(b, 1), x.hash));
    cv_free(b);
    f->now_ms += SMPSRV_UPLOAD_IDLE_MS;
    upload_part(f, &y, 9000);
    /* y's header, x's TLVs: the layout alone would pass for an image */
    assert_int_equal(image_read_info(fa_image_read, &f->slot1, f->slot1.size, &info), 0);
    assert_int_equal(info.hdr.ver.major, 2);
    b = state_read(f);
    assert_null(entry(b, 1));
    cv_free(b);
    fx_reboot(f); /* the record still says so */
    b = state_read(f);
    assert_null(entry(b, 1));
    cv_free(b);
    b = test_hash(f, x.hash);
    assert_int_equal(fx_img_rc(b), IMG_ERR_HASH_NOT_FOUND);
    assert_rsn(b, "slot 1 holds an unfinished upload: run the same upload again to finish it, "
                  "or erase slot 1");
    cv_free(b);
    upload_ok(f, &y, &first);
    assert_int_equal(first, 2 * SEC);
    b = state_read(f);
    assert_true(entry_hash_is(entry(b, 1), y.hash));
    cv_free(b);
    img_free(&x);
    img_free(&y);
}

/* ---- what the bootloader would refuse ---- */

/* The last chunk of m is refused with code and reason; the bytes stay,
 * `image test` gives the same answer, nothing is pending. */
static void refused(struct fx *f, const struct img *m, int64_t code, const char *rsn)
{
    struct cv *b = client_upload(f, m, NULL);
    assert_int_equal(fx_img_rc(b), code);
    assert_rsn(b, rsn);
    cv_free(b);
    assert_memory_equal(f->fm.mem + f->slot1.off, m->buf, m->len);
    b = test_hash(f, m->hash);
    assert_int_equal(fx_img_rc(b), code);
    assert_rsn(b, rsn);
    cv_free(b);
    assert_int_equal(boot_swap_type_peek(&f->slot0, &f->slot1), BOOT_SWAP_TYPE_NONE);
    f->now_ms += SMPSRV_UPLOAD_IDLE_MS;
}

/* A crypto port without an algorithm (mbedTLS 2.28 has no Ed25519) must
 * say so, not blame the image's signature: the user would re-sign in vain.
 * Runs where the port lacks Ed25519 (scripts/test.sh's mbedTLS builds). */
static void test_last_chunk_names_an_unsupported_algorithm(void **state)
{
    struct fx *f = *state;
    struct fx_key ed;
    struct image_key k;
    struct img m;

    if (image_crypto_supports(IMAGE_KEY_ED25519))
        skip();
    fx_key_new(&ed, IMAGE_KEY_ED25519);
    k = (struct image_key){ ed.der, ed.der_len };
    f->plat.keys = &k;
    f->plat.nkeys = 1;
    img_make(&m, 2, 12000, 16, &ed, -1);
    refused(f, &m, IMG_ERR_INVALID_TLV,
            "signed with an algorithm this device's crypto does not support");
    img_free(&m);
    fx_key_free(&ed);
}

static void test_last_chunk_checks_the_image(void **state)
{
    struct fx *f = *state;
    struct img m;

    img_make(&m, 2, 12000, 11, &fx_other, -1);
    refused(f, &m, IMG_ERR_INVALID_TLV, "signed by a key this device does not trust");
    img_free(&m);
    img_make(&m, 2, 12000, 12, NULL, -1);
    refused(f, &m, IMG_ERR_INVALID_TLV, "not signed: this device boots only signed images");
    img_free(&m);
    img_make(&m, 2, 12000, 13, &fx_trusted, -1);
    m.buf[0x200 + 100] ^= 0x40; /* the file's sha follows: only the TLV disagrees */
    fx_sha256(m.buf, m.len, m.sha);
    refused(f, &m, IMG_ERR_INVALID_HASH,
            "the image is corrupt: its hash TLV does not match its contents");
    img_free(&m);
    /* a good image passes, and is testable */
    img_make(&m, 2, 12000, 14, &fx_trusted, -1);
    uint32_t first;
    upload_ok(f, &m, &first);
    struct cv *b = test_hash(f, m.hash);
    assert_null(cv_get(b, "err"));
    cv_free(b);
    img_free(&m);
}

/* A wrong `sha` from the client: Zephyr's answer, match false, no error;
 * the session ends and the same upload starts over. */
static void test_wrong_sha_is_match_false(void **state)
{
    struct fx *f = *state;
    struct img m;
    struct cv *b;

    img_make(&m, 2, 9000, 15, &fx_trusted, -1);
    m.sha[0] ^= 1;
    b = client_upload(f, &m, NULL);
    assert_null(cv_get(b, "err"));
    assert_int_equal(cv_get_int(b, "off", -1), m.len);
    assert_int_equal(cv_get_bool(b, "match"), 0);
    cv_free(b);
    assert_int_equal(send_off(f, &m, 0, CHUNK), CHUNK);
    img_free(&m);
}

static void test_security_counter_downgrade(void **state)
{
    struct fx *f = *state;
    struct img running, next;
    struct cv *b;
    uint32_t first;

    img_make(&running, 1, 5000, 16, &fx_trusted, 5);
    img_make(&next, 2, 5000, 17, &fx_trusted, 3);
    fx_put_slot(f, &f->slot0, running.buf, running.len);
    f->plat.no_downgrade = true;
    upload_ok(f, &next, &first);
    b = test_hash(f, next.hash);
    assert_int_equal(fx_img_rc(b), IMG_ERR_CURRENT_VERSION_IS_NEWER);
    assert_rsn(b, "the bootloader refuses downgrades: slot 1's security counter is below "
                  "the running image's");
    cv_free(b);
    img_free(&running);
    img_free(&next);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_record_survives_reboot, fx_setup_signed, fx_teardown),
        cmocka_unit_test_setup_teardown(test_torn_record_reads_as_absent, fx_setup_signed, fx_teardown),
        cmocka_unit_test_setup_teardown(test_torn_commit_starts_over, fx_setup_signed, fx_teardown),
        cmocka_unit_test_setup_teardown(test_different_sha_starts_over, fx_setup_signed, fx_teardown),
        cmocka_unit_test_setup_teardown(test_erase_and_test_end_the_record, fx_setup_signed, fx_teardown),
        cmocka_unit_test_setup_teardown(test_power_cut_sweep, fx_setup_signed, fx_teardown),
        cmocka_unit_test_setup_teardown(test_second_upload_is_busy, fx_setup_signed, fx_teardown),
        cmocka_unit_test_setup_teardown(test_incomplete_slot1_not_listed, fx_setup_signed, fx_teardown),
        cmocka_unit_test_setup_teardown(test_last_chunk_checks_the_image, fx_setup_signed, fx_teardown),
        cmocka_unit_test_setup_teardown(test_last_chunk_names_an_unsupported_algorithm,
                                        fx_setup_signed, fx_teardown),
        cmocka_unit_test_setup_teardown(test_wrong_sha_is_match_false, fx_setup_signed, fx_teardown),
        cmocka_unit_test_setup_teardown(test_security_counter_downgrade, fx_setup_signed, fx_teardown),
    };
    return cmocka_run_group_tests(tests, fx_keys_setup, fx_keys_teardown);
}
