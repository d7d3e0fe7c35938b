/*
 * The image group against real imgtool output: uploads land byte-identical
 * in slot 1 with slot 1 erased progressively, resume and out-of-order
 * offsets, `match`, header checks, test/confirm flag transitions through
 * the bootloader's own trailer code, erase, slot info and the DFU gate.
 * Needs SHARED_DIR (the reference vectors); exits 77 without it.
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
#include "image/image_crypto.h"

#define CHUNK 1000 /* not a multiple of the write alignment: exercises the tail */

struct vec {
    uint8_t *buf;
    size_t len;
    uint8_t image_hash[32];
    uint8_t file_sha[32];
};

static void hex32(const char *hex, uint8_t out[32])
{
    for (int i = 0; i < 32; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
}

/* A signed vector and its image hash (TLV) and file SHA-256 from the
 * manifest, which real imgtool wrote. */
static void load_vec(const char *id, struct vec *v)
{
    char path[256], line[4096];
    size_t n;
    uint8_t *tsv = fx_vector("manifest.tsv", &n);
    char *p;

    assert_non_null(tsv);
    snprintf(path, sizeof path, "signed/%s.bin", id);
    v->buf = fx_vector(path, &v->len);
    assert_non_null(v->buf);
    snprintf(line, sizeof line, "\n%s\t", id);
    tsv = realloc(tsv, n + 1);
    tsv[n] = 0;
    p = strstr((char *)tsv, line);
    assert_non_null(p);
    p++;
    char *fields[20] = { 0 };
    int i = 0;
    char *end = strchr(p, '\n');
    if (end)
        *end = '\0';
    /* empty fields count: split on every tab */
    while (p && i < 20) {
        fields[i++] = p;
        p = strchr(p, '\t');
        if (p)
            *p++ = '\0';
    }
    assert_true(i > 16);
    hex32(fields[9], v->image_hash);
    hex32(fields[16], v->file_sha);
    free(tsv);
}

static void free_vec(struct vec *v) { free(v->buf); }

/* ---- requests (fx_upload: our encoder; the responses are read by libcbor) ---- */

/* Sends one chunk of v at off (with len/sha at 0) and returns the `off` the
 * server answered; *match gets the match flag (-1 absent). */
static int64_t send_chunk(struct fx *f, const struct vec *v, uint32_t off, size_t n, int *match)
{
    struct fx_up u = { .off = off, .data = v->buf + off, .n = n, .len = -1, .image = -1,
                    .upgrade = -1 };
    if (off == 0) {
        u.len = (int64_t)v->len;
        u.sha = v->file_sha;
        u.sha_len = 32;
        u.image = 0;
    }
    struct cv *b = fx_upload(f, 1, &u);
    assert_null(cv_get(b, "rc"));
    assert_null(cv_get(b, "err"));
    int64_t got = cv_get_int(b, "off", -1);
    if (match)
        *match = cv_get_bool(b, "match");
    cv_free(b);
    return got;
}

/* Uploads [from, v->len) in CHUNK pieces; returns the final match flag. */
static int upload_rest(struct fx *f, const struct vec *v, uint32_t from)
{
    int match = -1;
    uint32_t off = from;

    while (off < v->len) {
        size_t n = v->len - off < CHUNK ? v->len - off : CHUNK;
        int64_t next = send_chunk(f, v, off, n, &match);
        assert_int_equal(next, off + n);
        if (next < (int64_t)v->len)
            assert_int_equal(match, -1);
        off = (uint32_t)next;
    }
    return match;
}

static const uint8_t *slot_mem(struct fx *f, const struct flash_area *fa)
{
    return f->fm.mem + fa->off;
}

static void put_running(struct fx *f, const char *id)
{
    struct vec v;
    load_vec(id, &v);
    fx_put_slot(f, &f->slot0, v.buf, v.len);
    free_vec(&v);
}

/* ---- image state helpers ---- */

struct entry {
    bool present;
    char version[32];
    uint8_t hash[32];
    int bootable, pending, confirmed, active, permanent;
};

static void read_entries(const struct cv *b, struct entry e[2])
{
    const struct cv *images = cv_get(b, "images");
    assert_true(cv_is_array(images));
    memset(e, 0, 2 * sizeof *e);
    for (size_t i = 0; i < cv_size(images); i++) {
        const struct cv *m = cv_at(images, i);
        int64_t slot = cv_get_int(m, "slot", -1);
        const uint8_t *h;
        size_t hn;
        assert_true(slot == 0 || slot == 1);
        struct entry *x = &e[slot];
        assert_false(x->present);
        x->present = true;
        assert_int_equal(cv_get_int(m, "image", -1), 0);
        assert_true(cv_text(cv_get(m, "version"), x->version, sizeof x->version));
        assert_true(cv_bytes(cv_get(m, "hash"), &h, &hn));
        assert_int_equal(hn, 32);
        memcpy(x->hash, h, 32);
        /* booleans are omitted when false, never sent as false */
        x->bootable = cv_get_bool(m, "bootable");
        x->pending = cv_get_bool(m, "pending");
        x->confirmed = cv_get_bool(m, "confirmed");
        x->active = cv_get_bool(m, "active");
        x->permanent = cv_get_bool(m, "permanent");
        assert_true(x->bootable != 0 && x->pending != 0 && x->confirmed != 0 &&
                    x->active != 0 && x->permanent != 0);
    }
}

static void list(struct fx *f, struct entry e[2])
{
    struct cv *b = fx_call(f, SMP_OP_READ, 0, SMP_GROUP_IMAGE, 0, (const uint8_t *)"\xa0", 1);
    read_entries(b, e);
    cv_free(b);
}

/* state write {hash?, confirm?}; returns the body */
static struct cv *state_write(struct fx *f, uint8_t ver, const uint8_t *hash, bool null_hash,
                              int confirm)
{
    uint8_t body[64];
    struct cbor_writer w;

    cbor_writer_init(&w, body, sizeof body);
    cbor_open_map(&w, (hash || null_hash) + (confirm >= 0));
    if (hash) {
        cbor_put_str(&w, "hash");
        cbor_put_bytes(&w, hash, 32);
    } else if (null_hash) {
        cbor_put_str(&w, "hash");
        cbor_put_null(&w);
    }
    if (confirm >= 0) {
        cbor_put_str(&w, "confirm");
        cbor_put_bool(&w, confirm);
    }
    return fx_call(f, SMP_OP_WRITE, ver, SMP_GROUP_IMAGE, 0, body, w.len);
}

static int skip_without_vectors(void **state)
{
    (void)state;
    if (!fx_have_vectors())
        skip();
    return 0;
}

/* ---- tests ---- */

static void test_full_upload_progressive_erase(void **state)
{
    struct fx *f = *state;
    struct vec v;
    struct entry e[2];

    skip_without_vectors(state);
    put_running(f, "rsa2048_basic");
    load_vec("p300k_ed25519", &v);
    /* old bytes everywhere in slot 1, so every sector needs a real erase */
    memset(f->fm.mem + f->slot1.off, 0x5a, f->slot1.size);
    flash_model_reset_stats(&f->fm);

    int match = -1;
    assert_int_equal(send_chunk(f, &v, 0, CHUNK, &match), CHUNK);
    assert_int_equal(match, -1);
    /* the first chunk erased one sector, not the slot */
    assert_int_equal(f->fm.stats.sectors_erased, 1);
    assert_int_equal(upload_rest(f, &v, CHUNK), 1);

    assert_memory_equal(slot_mem(f, &f->slot1), v.buf, v.len);
    uint32_t image_sectors = (uint32_t)((v.len + 0xfff) / 0x1000);
    /* image sectors plus the trailer's last sector; nothing else */
    assert_int_equal(f->fm.stats.sectors_erased, image_sectors + 1);
    assert_int_equal(f->fm.stats.violations, 0);
    /* bytes between the image end and its sector end are erased */
    for (size_t i = v.len; i < image_sectors * 0x1000u; i++)
        assert_int_equal(slot_mem(f, &f->slot1)[i], 0xff);
    assert_int_equal(slot_mem(f, &f->slot1)[f->slot1.size - 1], 0xff);
    assert_int_equal(slot_mem(f, &f->slot1)[image_sectors * 0x1000u], 0x5a);

    list(f, e);
    assert_true(e[0].present && e[1].present);
    assert_string_equal(e[1].version, "3.0.0.300");
    assert_memory_equal(e[1].hash, v.image_hash, 32);
    assert_int_equal(e[1].bootable, 1);
    assert_int_equal(e[1].pending, -1);
    assert_int_equal(e[1].confirmed, -1);
    assert_int_equal(e[1].active, -1);
    assert_string_equal(e[0].version, "1.2.3.4");
    assert_int_equal(e[0].active, 1);
    assert_int_equal(e[0].confirmed, 1);
    free_vec(&v);
}

static void test_resume_and_out_of_order(void **state)
{
    struct fx *f = *state;
    struct vec v;

    skip_without_vectors(state);
    load_vec("p64k_rsa2048", &v);
    assert_int_equal(send_chunk(f, &v, 0, CHUNK, NULL), CHUNK);
    assert_int_equal(send_chunk(f, &v, CHUNK, CHUNK, NULL), 2 * CHUNK);
    /* a chunk from the future is not written; the reply says where to go on */
    assert_int_equal(send_chunk(f, &v, 5 * CHUNK, CHUNK, NULL), 2 * CHUNK);
    for (size_t i = 5 * CHUNK; i < 6 * CHUNK; i++)
        assert_int_equal(slot_mem(f, &f->slot1)[i], 0xff);
    /* a repeated (old) chunk neither */
    assert_int_equal(send_chunk(f, &v, CHUNK, CHUNK, NULL), 2 * CHUNK);
    /* the client restarts: offset 0 with the same sha and len resumes */
    assert_int_equal(send_chunk(f, &v, 0, CHUNK, NULL), 2 * CHUNK);
    assert_int_equal(upload_rest(f, &v, 2 * CHUNK), 1);
    assert_memory_equal(slot_mem(f, &f->slot1), v.buf, v.len);
    /* offset 0 again after completion: done, with the match */
    int match;
    assert_int_equal(send_chunk(f, &v, 0, CHUNK, &match), (int64_t)v.len);
    assert_int_equal(match, 1);
    free_vec(&v);
}

static void test_restart_without_sha_and_lost_session(void **state)
{
    struct fx *f = *state;
    struct vec v;

    skip_without_vectors(state);
    load_vec("p64k_rsa2048", &v);
    /* no session: any offset but 0 is answered with 0 (start over) */
    assert_int_equal(send_chunk(f, &v, 4000, CHUNK, NULL), 0);
    assert_int_equal(send_chunk(f, &v, 0, CHUNK, NULL), CHUNK);
    assert_int_equal(send_chunk(f, &v, CHUNK, CHUNK, NULL), 2 * CHUNK);
    /* Go over serial may omit sha: offset 0 then starts a new session,
     * once the first one is idle (another upload while it is fed is busy) */
    f->now_ms += SMPSRV_UPLOAD_IDLE_MS;
    struct fx_up u = { .off = 0, .data = v.buf, .n = 512, .len = (int64_t)v.len, .image = 0,
                    .upgrade = -1 };
    struct cv *b = fx_upload(f, 0, &u);
    assert_int_equal(cv_get_int(b, "off", -1), 512);
    cv_free(b);
    /* without sha the final response carries no match */
    assert_int_equal(upload_rest(f, &v, 512), -1);
    assert_memory_equal(slot_mem(f, &f->slot1), v.buf, v.len);
    free_vec(&v);
}

static void test_wrong_sha_gives_match_false(void **state)
{
    struct fx *f = *state;
    struct vec v;

    skip_without_vectors(state);
    load_vec("p64k_rsa2048", &v);
    memset(v.file_sha, 0, sizeof v.file_sha);
    assert_int_equal(send_chunk(f, &v, 0, CHUNK, NULL), CHUNK);
    assert_int_equal(upload_rest(f, &v, CHUNK), 0);
    free_vec(&v);
}

static void test_rust_style_upload_image_1_v2(void **state)
{
    struct fx *f = *state;
    struct vec v;
    uint32_t off = 0;

    skip_without_vectors(state);
    load_vec("rsa2048_basic", &v);
    while (off < v.len) {
        size_t n = v.len - off < 300 ? v.len - off : 300;
        struct fx_up u = { .off = off, .data = v.buf + off, .n = n, .len = -1, .image = 1,
                        .upgrade = -1 };
        if (off == 0) {
            u.len = (int64_t)v.len;
            u.sha = v.file_sha;
            u.sha_len = 32;
        }
        struct cv *b = fx_upload(f, 1, &u);
        assert_int_equal(cv_get_int(b, "off", -1), off + n);
        cv_free(b);
        off += (uint32_t)n;
    }
    assert_memory_equal(slot_mem(f, &f->slot1), v.buf, v.len);
    free_vec(&v);
}

static void test_first_chunk_checks(void **state)
{
    struct fx *f = *state;
    struct vec v, neg;
    struct cv *b;

    skip_without_vectors(state);
    put_running(f, "rsa2048_basic"); /* 1.2.3+4 */
    load_vec("p64k_rsa2048", &v);    /* also 1.2.3+4 */
    neg.buf = fx_vector("negative/neg_bad_image_magic.bin", &neg.len);
    assert_non_null(neg.buf);
    memset(f->fm.mem + f->slot1.off, 0x00, 0x1000);
    flash_model_reset_stats(&f->fm);

    struct fx_up u = { .off = 0, .data = neg.buf, .n = 512, .len = (int64_t)neg.len, .image = 0,
                    .upgrade = -1 };
    b = fx_upload(f, 1, &u);
    assert_int_equal(fx_img_rc(b), 23); /* INVALID_IMAGE_HEADER_MAGIC */
    assert_non_null(cv_get(b, "rsn"));
    cv_free(b);
    b = fx_upload(f, 0, &u);
    assert_int_equal(cv_get_int(b, "rc", -1), 3); /* v1: EINVAL */
    cv_free(b);

    u.data = v.buf;
    u.len = FX_SLOT_SIZE; /* larger than max_image_size */
    b = fx_upload(f, 1, &u);
    assert_int_equal(fx_img_rc(b), 30);
    cv_free(b);

    u.len = (int64_t)v.len;
    u.upgrade = 1; /* same version as running */
    b = fx_upload(f, 1, &u);
    assert_int_equal(fx_img_rc(b), 27);
    cv_free(b);

    u.upgrade = -1;
    u.n = 16; /* header cut */
    b = fx_upload(f, 1, &u);
    assert_int_equal(fx_img_rc(b), 22);
    cv_free(b);

    u.n = 512;
    u.len = -1; /* no len */
    b = fx_upload(f, 1, &u);
    assert_int_equal(fx_img_rc(b), 21);
    cv_free(b);

    u.len = (int64_t)v.len;
    u.image = 2;
    b = fx_upload(f, 1, &u);
    assert_int_equal(fx_img_rc(b), 14);
    cv_free(b);

    /* no flash was touched by any refusal */
    assert_int_equal(f->fm.stats.erases, 0);
    assert_int_equal(f->fm.stats.progs, 0);

    /* data past the announced length */
    u.image = 0;
    u.len = 600;
    u.n = 512;
    b = fx_upload(f, 1, &u);
    assert_int_equal(fx_img_rc(b), 22); /* header says the image is bigger than len */
    cv_free(b);
    struct vec small;
    load_vec("rsa2048_basic", &small);
    u.data = small.buf;
    u.len = (int64_t)small.len;
    b = fx_upload(f, 1, &u);
    assert_int_equal(cv_get_int(b, "off", -1), 512);
    cv_free(b);
    u.off = 512;
    u.len = -1;
    u.n = 1500; /* 512 + 1500 > 1872 */
    b = fx_upload(f, 1, &u);
    assert_int_equal(fx_img_rc(b), 31);
    cv_free(b);
    free_vec(&small);

    /* missing off / data */
    b = fx_call(f, SMP_OP_WRITE, 1, SMP_GROUP_IMAGE, 1, (const uint8_t *)"\xa0", 1);
    assert_int_equal(cv_get_int(b, "rc", -1), 3);
    cv_free(b);
    /* a newer image with `upgrade` is taken (the small upload above is
     * left idle first: while it is fed, another upload would be busy) */
    f->now_ms += SMPSRV_UPLOAD_IDLE_MS;
    struct vec newer;
    load_vec("p300k_ed25519", &newer);
    struct fx_up up = { .off = 0, .data = newer.buf, .n = CHUNK, .len = (int64_t)newer.len,
                     .image = 0, .upgrade = 1 };
    b = fx_upload(f, 1, &up);
    assert_int_equal(cv_get_int(b, "off", -1), CHUNK);
    cv_free(b);
    free_vec(&newer);
    free(neg.buf);
    free_vec(&v);
}

static void upload_all(struct fx *f, const struct vec *v)
{
    assert_int_equal(send_chunk(f, v, 0, CHUNK, NULL), CHUNK);
    assert_int_equal(upload_rest(f, v, CHUNK), 1);
}

static void test_test_confirm_transitions(void **state)
{
    struct fx *f = *state;
    struct vec v;
    struct entry e[2];
    struct cv *b;

    skip_without_vectors(state);
    put_running(f, "rsa2048_basic");
    load_vec("p300k_ed25519", &v);
    upload_all(f, &v);

    /* Rust: test without `confirm` */
    b = state_write(f, 1, v.image_hash, false, -1);
    assert_int_equal(fx_img_rc(b), -1);
    read_entries(b, e);
    cv_free(b);
    assert_int_equal(e[1].pending, 1);
    assert_int_equal(e[1].permanent, -1);
    assert_int_equal(e[0].confirmed, 1);
    assert_int_equal(e[0].active, 1);
    assert_int_equal(boot_swap_type_peek(&f->slot0, &f->slot1), BOOT_SWAP_TYPE_TEST);

    /* asking again is fine; switching to permanent is not */
    b = state_write(f, 1, v.image_hash, false, 0);
    assert_int_equal(fx_img_rc(b), -1);
    cv_free(b);
    b = state_write(f, 1, v.image_hash, false, 1);
    assert_int_equal(fx_img_rc(b), 28);
    cv_free(b);

    /* slot 1 is pending: no upload, no erase */
    int64_t off;
    struct fx_up u = { .off = 0, .data = v.buf, .n = CHUNK, .len = (int64_t)v.len, .image = 0,
                    .upgrade = -1 };
    b = fx_upload(f, 1, &u);
    off = fx_img_rc(b);
    assert_int_equal(off, 28);
    cv_free(b);
    b = fx_call(f, SMP_OP_WRITE, 0, SMP_GROUP_IMAGE, 5, (const uint8_t *)"\xa0", 1);
    assert_int_equal(cv_get_int(b, "rc", -1), 6);
    cv_free(b);

    /* Go's confirm of the running image: {"hash": null, "confirm": true} */
    b = state_write(f, 0, NULL, true, 1);
    assert_null(cv_get(b, "rc"));
    read_entries(b, e);
    cv_free(b);
    assert_int_equal(e[0].confirmed, 1);
    assert_int_equal(e[1].pending, 1);
    free_vec(&v);
}

static void test_permanent_and_hash_errors(void **state)
{
    struct fx *f = *state;
    struct vec v, running;
    struct entry e[2];
    struct cv *b;
    uint8_t unknown[32] = { 1, 2, 3 };

    skip_without_vectors(state);
    load_vec("rsa2048_basic", &running);
    fx_put_slot(f, &f->slot0, running.buf, running.len);
    load_vec("p300k_ed25519", &v);
    upload_all(f, &v);

    b = state_write(f, 1, unknown, false, 0);
    assert_int_equal(fx_img_rc(b), 8); /* HASH_NOT_FOUND */
    cv_free(b);
    b = state_write(f, 0, unknown, false, 0);
    assert_int_equal(cv_get_int(b, "rc", -1), 3);
    cv_free(b);
    b = state_write(f, 1, running.image_hash, false, 0);
    assert_int_equal(fx_img_rc(b), 33); /* TEST_TO_ACTIVE_DENIED */
    cv_free(b);
    b = state_write(f, 0, running.image_hash, false, 0);
    assert_int_equal(cv_get_int(b, "rc", -1), 1);
    cv_free(b);
    b = state_write(f, 1, NULL, false, 0); /* test without a hash */
    assert_int_equal(cv_get_int(b, "rc", -1), 3);
    cv_free(b);

    b = state_write(f, 1, v.image_hash, false, 1);
    read_entries(b, e);
    cv_free(b);
    assert_int_equal(e[1].pending, 1);
    assert_int_equal(e[1].permanent, 1);
    assert_int_equal(boot_swap_type_peek(&f->slot0, &f->slot1), BOOT_SWAP_TYPE_PERM);
    free_vec(&v);
    free_vec(&running);
}

static void test_corrupt_upload_cannot_be_tested(void **state)
{
    struct fx *f = *state;
    struct vec v;
    struct cv *b;

    skip_without_vectors(state);
    put_running(f, "rsa2048_basic");
    load_vec("p64k_rsa2048", &v);
    upload_all(f, &v);
    f->fm.mem[f->slot1.off + 20000] ^= 0x01; /* a bit of slot 1 goes bad */
    b = state_write(f, 1, v.image_hash, false, 0);
    assert_int_equal(fx_img_rc(b), 24); /* INVALID_HASH */
    cv_free(b);
    assert_int_equal(boot_swap_type_peek(&f->slot0, &f->slot1), BOOT_SWAP_TYPE_NONE);
    free_vec(&v);
}

static void test_downgrade_refused_when_bootloader_would(void **state)
{
    struct fx *f = *state;
    struct vec v;
    struct cv *b;

    skip_without_vectors(state);
    put_running(f, "p300k_ed25519"); /* 3.0.0 runs */
    load_vec("p64k_rsa2048", &v);    /* 1.2.3 */
    upload_all(f, &v);
    f->plat.no_downgrade = true;
    b = state_write(f, 1, v.image_hash, false, 0);
    assert_int_equal(fx_img_rc(b), 27);
    cv_free(b);
    f->plat.no_downgrade = false;
    b = state_write(f, 1, v.image_hash, false, 0);
    assert_int_equal(fx_img_rc(b), -1);
    cv_free(b);
    free_vec(&v);
}

/* After a test swap the new image runs unconfirmed and the old one waits
 * in slot 1 without a trailer (mcuboot doc §5): REVERT. */
static void test_revert_state_flags_and_confirm(void **state)
{
    struct fx *f = *state;
    static const uint8_t magic[16] = { 0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f,
                                       0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80 };
    struct vec v;
    struct entry e[2];
    struct cv *b;

    skip_without_vectors(state);
    put_running(f, "p300k_ed25519");
    load_vec("rsa2048_basic", &v);
    fx_put_slot(f, &f->slot1, v.buf, v.len);
    uint8_t *end = f->fm.mem + f->slot0.off + f->slot0.size;
    memcpy(end - 16, magic, 16);
    end[-32] = 0x01; /* copy_done */
    assert_int_equal(boot_swap_type_peek(&f->slot0, &f->slot1), BOOT_SWAP_TYPE_REVERT);

    list(f, e);
    assert_int_equal(e[0].active, 1);
    assert_int_equal(e[0].confirmed, -1);
    assert_int_equal(e[1].confirmed, 1);
    /* slot 1 is needed for the revert: no upload over it, no erase */
    struct fx_up u = { .off = 0, .data = v.buf, .n = 512, .len = (int64_t)v.len, .image = 0,
                    .upgrade = -1 };
    b = fx_upload(f, 1, &u);
    assert_int_equal(fx_img_rc(b), 9); /* NO_FREE_SLOT */
    cv_free(b);
    b = fx_call(f, SMP_OP_WRITE, 1, SMP_GROUP_IMAGE, 5, (const uint8_t *)"\xa0", 1);
    assert_int_equal(cv_get_int(b, "rc", -1), 6);
    cv_free(b);

    b = state_write(f, 1, NULL, false, 1); /* confirm the running image */
    read_entries(b, e);
    cv_free(b);
    assert_int_equal(e[0].confirmed, 1);
    assert_int_equal(e[1].confirmed, -1);
    assert_int_equal(boot_swap_type_peek(&f->slot0, &f->slot1), BOOT_SWAP_TYPE_NONE);
    free_vec(&v);
}

static void test_erase_and_slot_info(void **state)
{
    struct fx *f = *state;
    struct vec v;
    struct cv *b;

    skip_without_vectors(state);
    load_vec("p64k_rsa2048", &v);
    assert_int_equal(send_chunk(f, &v, 0, CHUNK, NULL), CHUNK);
    /* Rust erase {slot: 1} */
    static const uint8_t slot1[] = { 0xa1, 0x64, 's', 'l', 'o', 't', 0x01 };
    b = fx_call(f, SMP_OP_WRITE, 1, SMP_GROUP_IMAGE, 5, slot1, sizeof slot1);
    assert_int_equal(cv_size(b), 0);
    cv_free(b);
    for (size_t i = 0; i < f->slot1.size; i++)
        if (slot_mem(f, &f->slot1)[i] != 0xff)
            fail_msg("slot 1 not erased at %zu", i);
    /* the session is gone: the next chunk is told to start over */
    assert_int_equal(send_chunk(f, &v, CHUNK, CHUNK, NULL), 0);
    static const uint8_t slot0[] = { 0xa1, 0x64, 's', 'l', 'o', 't', 0x00 };
    b = fx_call(f, SMP_OP_WRITE, 1, SMP_GROUP_IMAGE, 5, slot0, sizeof slot0);
    assert_int_equal(cv_get_int(b, "rc", -1), 6);
    cv_free(b);
    static const uint8_t slot7[] = { 0xa1, 0x64, 's', 'l', 'o', 't', 0x07 };
    b = fx_call(f, SMP_OP_WRITE, 1, SMP_GROUP_IMAGE, 5, slot7, sizeof slot7);
    assert_int_equal(fx_img_rc(b), 14);
    cv_free(b);

    b = fx_call(f, SMP_OP_READ, 1, SMP_GROUP_IMAGE, 6, NULL, 0);
    const struct cv *img = cv_at(cv_get(b, "images"), 0);
    assert_non_null(img);
    assert_int_equal(cv_get_int(img, "image", -1), 0);
    assert_int_equal(cv_get_int(img, "max_image_size", -1), FX_SLOT_SIZE - 0x2000);
    const struct cv *slots = cv_get(img, "slots");
    assert_int_equal(cv_size(slots), 2);
    assert_int_equal(cv_get_int(cv_at(slots, 0), "slot", -1), 0);
    assert_int_equal(cv_get_int(cv_at(slots, 0), "size", -1), FX_SLOT_SIZE);
    assert_int_equal(cv_get_int(cv_at(slots, 1), "slot", -1), 1);
    assert_int_equal(cv_get_int(cv_at(slots, 1), "upload_image_id", -1), 0);
    cv_free(b);
    free_vec(&v);
}

static void test_dfu_gate(void **state)
{
    struct fx *f = *state;
    struct vec v;
    struct cv *b;
    char rsn[128];

    skip_without_vectors(state);
    put_running(f, "rsa2048_basic");
    load_vec("p300k_ed25519", &v);
    upload_all(f, &v);
    f->gate_rc = SMP_ERR_EACCESSDENIED;
    struct fx_up u = { .off = 0, .data = v.buf, .n = CHUNK, .len = (int64_t)v.len, .image = 0,
                    .upgrade = -1 };
    b = fx_upload(f, 1, &u);
    assert_int_equal(cv_get_int(b, "rc", -1), 11);
    assert_true(cv_text(cv_get(b, "rsn"), rsn, sizeof rsn));
    assert_non_null(strstr(rsn, "button 1"));
    cv_free(b);
    b = state_write(f, 1, v.image_hash, false, 0);
    assert_int_equal(cv_get_int(b, "rc", -1), 11);
    cv_free(b);
    b = fx_call(f, SMP_OP_WRITE, 1, SMP_GROUP_IMAGE, 5, (const uint8_t *)"\xa0", 1);
    assert_int_equal(cv_get_int(b, "rc", -1), 11);
    cv_free(b);
    /* reading and confirming the running image stay allowed */
    b = state_write(f, 1, NULL, false, 1);
    assert_null(cv_get(b, "rc"));
    cv_free(b);
    assert_int_equal(boot_swap_type_peek(&f->slot0, &f->slot1), BOOT_SWAP_TYPE_NONE);
    free_vec(&v);
}


/* Odd chunk sizes around the 4-byte write alignment: every tail case. */
static void test_odd_chunk_sizes(void **state)
{
    struct fx *f = *state;
    struct vec v;
    uint32_t off;
    size_t step = 0;

    skip_without_vectors(state);
    load_vec("rsa2048_basic", &v);
    assert_int_equal(send_chunk(f, &v, 0, 33, NULL), 33);
    for (off = 33; off < v.len;) {
        size_t n = 1 + step++ % 9;
        if (n > v.len - off)
            n = v.len - off;
        int match;
        assert_int_equal(send_chunk(f, &v, off, n, &match), off + n);
        off += (uint32_t)n;
        if (off == v.len)
            assert_int_equal(match, 1);
    }
    assert_memory_equal(slot_mem(f, &f->slot1), v.buf, v.len);
    assert_int_equal(f->fm.stats.violations, 0);
    free_vec(&v);
}

/* Power fails under an upload: the chunk is refused with a flash error;
 * after the reset the session is gone (a chunk past 0 is told to start
 * over) but the durable record is not: the same upload continues from the
 * last whole sector and lands byte-identical. */
static void test_power_cut_mid_upload(void **state)
{
    struct fx *f = *state;
    struct vec v;
    struct cv *b;

    skip_without_vectors(state);
    load_vec("p64k_rsa2048", &v);
    memset(f->fm.mem + f->slot1.off, 0x00, f->slot1.size);
    uint32_t off = 0;
    for (int i = 0; i < 10; i++)
        off = (uint32_t)send_chunk(f, &v, off, CHUNK, NULL);
    flash_model_fail_after(&f->fm, 0, true);
    struct fx_up u = { .off = off, .data = v.buf + off, .n = CHUNK, .len = -1, .image = -1,
                    .upgrade = -1 };
    b = fx_upload(f, 1, &u);
    int64_t rc = fx_img_rc(b);
    assert_true(rc == 12 || rc == 13); /* FLASH_WRITE_FAILED / FLASH_ERASE_FAILED */
    cv_free(b);
    fx_reboot(f);
    assert_int_equal(send_chunk(f, &v, off, CHUNK, NULL), 0);
    /* the durable record: whole sectors 0 and 1 were programmed before the
     * cut in sector 2, and the same upload continues from there */
    assert_int_equal(send_chunk(f, &v, 0, CHUNK, NULL), 2 * 0x1000);
    assert_int_equal(upload_rest(f, &v, 2 * 0x1000), 1);
    assert_memory_equal(slot_mem(f, &f->slot1), v.buf, v.len);
    free_vec(&v);
}

/* Two pipelined chunks in one packet are both written, in order. */
static void test_pipelined_chunks_in_one_packet(void **state)
{
    struct fx *f = *state;
    struct vec v;
    uint8_t pkt[3000];
    size_t len = 0;

    skip_without_vectors(state);
    load_vec("rsa2048_basic", &v);
    for (int k = 0; k < 2; k++) {
        uint8_t body[1400];
        struct cbor_writer w;
        cbor_writer_init(&w, body, sizeof body);
        cbor_open_map(&w, k == 0 ? 3 : 2);
        if (k == 0) {
            cbor_put_str(&w, "len");
            cbor_put_uint(&w, v.len);
        }
        cbor_put_str(&w, "off");
        cbor_put_uint(&w, k * 1000u);
        cbor_put_str(&w, "data");
        cbor_put_bytes(&w, v.buf + k * 1000, k == 0 ? 1000 : v.len - 1000);
        len += fx_req(pkt + len, SMP_OP_WRITE, 1, SMP_GROUP_IMAGE, 1, (uint8_t)(40 + k), body,
                      w.len);
    }
    assert_int_equal(fx_send(f, pkt, len), 2);
    assert_int_equal(f->nrsp, 2);
    assert_int_equal(f->rsp[0][6], 40);
    assert_int_equal(f->rsp[1][6], 41);
    assert_memory_equal(slot_mem(f, &f->slot1), v.buf, v.len);
    free_vec(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_full_upload_progressive_erase, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_resume_and_out_of_order, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_restart_without_sha_and_lost_session, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_wrong_sha_gives_match_false, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_rust_style_upload_image_1_v2, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_first_chunk_checks, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_test_confirm_transitions, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_permanent_and_hash_errors, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_upload_cannot_be_tested, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_downgrade_refused_when_bootloader_would, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_revert_state_flags_and_confirm, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_erase_and_slot_info, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_dfu_gate, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_odd_chunk_sizes, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_power_cut_mid_upload, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_pipelined_chunks_in_one_packet, fx_setup, fx_teardown),
    };
    if (!fx_have_vectors()) {
        fprintf(stderr, "SHARED_DIR vectors absent: skipped\n");
        return 77;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
