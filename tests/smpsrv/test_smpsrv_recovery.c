/*
 * The server as MCUboot's serial recovery (plat->recovery): exactly its
 * commands (echo, console echo, reset, image list, image upload), ENOTSUP
 * for everything else (OS info and parameters included), errors as a bare
 * top-level rc whatever the version, uploads written into slot 0 with
 * MCUboot's aligned answers and restart at offset 0, and a list of the
 * slots whose image validates, as {slot, hash, version}. Images made here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cbor_view.h"
#include "fixture.h"

static int setup(void **state)
{
    int rc = fx_setup_signed(state);
    ((struct fx *)*state)->plat.recovery = true;
    return rc;
}

static const uint8_t empty[] = { 0xa0 };

/* The body is exactly {rc: want}. */
static void assert_bare_rc(struct cv *b, int64_t want)
{
    assert_int_equal(cv_size(b), 1);
    assert_int_equal(cv_get_int(b, "rc", -1), want);
    cv_free(b);
}

/* The bootloader has no network stack: a packet on a transport that is not
 * a serial line gets no answer and is not even counted; the serial line
 * is answered. */
static void test_recovery_answers_serial_only(void **state)
{
    struct fx *f = *state;
    uint8_t pkt[32];
    size_t n = fx_req(pkt, SMP_OP_WRITE, 1, SMP_GROUP_OS, 0, 7,
                      (const uint8_t *)"\xa1\x61\x64\x62hi", 6);

    f->tp.serial = false;
    assert_int_equal(fx_send(f, pkt, n), 0);
    assert_int_equal(f->nrsp, 0);
    assert_int_equal(f->srv.stats.requests, 0);
    assert_int_equal(f->srv.stats.bytes_in, 0);
    f->tp.serial = true;
    assert_int_equal(fx_send(f, pkt, n), 1);
    assert_int_equal(f->nrsp, 1);
    assert_int_equal(f->srv.stats.requests, 1);
    /* the application answers on both */
    f->plat.recovery = false;
    f->tp.serial = false;
    assert_int_equal(fx_send(f, pkt, n), 1);
}

static void test_only_recovery_commands(void **state)
{
    struct fx *f = *state;
    static const struct { uint8_t op; uint16_t group; uint8_t id; } absent[] = {
        { SMP_OP_READ, SMP_GROUP_OS, 2 },  /* task statistics */
        { SMP_OP_READ, SMP_GROUP_OS, 4 },  /* date/time */
        { SMP_OP_READ, SMP_GROUP_OS, 6 },  /* MCUmgr parameters */
        { SMP_OP_READ, SMP_GROUP_OS, 7 },  /* OS/application info */
        { SMP_OP_READ, SMP_GROUP_OS, 8 },  /* bootloader info */
        { SMP_OP_WRITE, SMP_GROUP_IMAGE, 0 }, /* test / confirm */
        { SMP_OP_WRITE, SMP_GROUP_IMAGE, 5 }, /* erase */
        { SMP_OP_READ, SMP_GROUP_IMAGE, 6 },  /* slot info */
        { SMP_OP_READ, SMP_GROUP_STAT, 1 },
        { SMP_OP_READ, SMP_GROUP_ENUM, 0 },
        { SMP_OP_WRITE, SMP_GROUP_ZEPHYR, 0 },
    };
    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++)
        for (uint8_t ver = 0; ver < 2; ver++)
            assert_bare_rc(fx_call(f, absent[i].op, ver, absent[i].group, absent[i].id, empty,
                                   1), SMP_ERR_ENOTSUP);
    struct cv *b = fx_call(f, SMP_OP_WRITE, 1, SMP_GROUP_OS, 0,
                           (const uint8_t *)"\xa1\x61\x64\x62hi", 6);
    char r[8];
    assert_true(cv_text(cv_get(b, "r"), r, sizeof r));
    assert_string_equal(r, "hi");
    cv_free(b);
    assert_bare_rc(fx_call(f, SMP_OP_WRITE, 1, SMP_GROUP_OS, 1, empty, 1), 0);
    assert_bare_rc(fx_call(f, SMP_OP_WRITE, 1, SMP_GROUP_OS, 5, empty, 1), 0);
    assert_int_equal(f->resets, 1);
}

struct img {
    uint8_t *buf;
    size_t len;
    uint8_t hash[32];
};

static void img_make(struct img *m, const struct fx_key *key, uint32_t seed)
{
    struct image_mem mem;
    struct image_info info;
    m->buf = fx_image(1, 4, 9000, seed, key, -1, &m->len);
    mem = (struct image_mem){ m->buf, m->len };
    assert_int_equal(image_read_info(image_mem_read, &mem, (uint32_t)m->len, &info), 0);
    memcpy(m->hash, info.hash, 32);
}

static struct cv *chunk(struct fx *f, const struct img *m, uint32_t off, size_t n)
{
    struct fx_up u = { .off = off, .data = m->buf + off, .n = n, .len = -1, .image = -1,
                       .upgrade = -1 };
    if (off == 0) {
        u.len = (int64_t)m->len;
        u.image = 0;
    }
    return fx_upload(f, 1, &u);
}

/* MCUboot's answer: {rc: 0, off}. */
static uint32_t chunk_off(struct fx *f, const struct img *m, uint32_t off, size_t n)
{
    struct cv *b = chunk(f, m, off, n);
    assert_int_equal(cv_size(b), 2);
    assert_int_equal(cv_get_int(b, "rc", -1), 0);
    int64_t got = cv_get_int(b, "off", -1);
    cv_free(b);
    assert_true(got >= 0);
    return (uint32_t)got;
}

/* Chunks of 1001 bytes: each is taken up to the write alignment. */
static void upload(struct fx *f, const struct img *m)
{
    uint32_t off = 0;
    while (off < m->len) {
        size_t n = m->len - off < 1001 ? m->len - off : 1001;
        uint32_t next = chunk_off(f, m, off, n);
        assert_int_equal(next, off + n == m->len ? off + n : off + n - n % 4);
        off = next;
    }
}

static void test_upload_writes_slot0(void **state)
{
    struct fx *f = *state;
    struct img m;

    img_make(&m, &fx_trusted, 1);
    upload(f, &m);
    assert_memory_equal(f->fm.mem + f->slot0.off, m.buf, m.len);
    for (uint32_t i = 0; i < 0x1000; i++)
        assert_int_equal(f->fm.mem[f->slot1.off + i], 0xff);
    struct cv *b = fx_call(f, SMP_OP_READ, 1, SMP_GROUP_IMAGE, 0, NULL, 0);
    assert_int_equal(cv_size(b), 1); /* images only: no splitStatus */
    const struct cv *images = cv_get(b, "images");
    assert_int_equal(cv_size(images), 1);
    const struct cv *e = cv_at(images, 0);
    assert_int_equal(cv_size(e), 3); /* slot, hash, version: no flags */
    assert_int_equal(cv_get_int(e, "slot", -1), 0);
    const uint8_t *h;
    size_t hn;
    assert_true(cv_bytes(cv_get(e, "hash"), &h, &hn));
    assert_int_equal(hn, 32);
    assert_memory_equal(h, m.hash, 32);
    char ver[16];
    assert_true(cv_text(cv_get(e, "version"), ver, sizeof ver));
    assert_string_equal(ver, "1.4.0");
    cv_free(b);
    free(m.buf);
}

/* Offset 0 starts over even for the same image: no resume in MCUboot. */
static void test_offset_zero_restarts(void **state)
{
    struct fx *f = *state;
    struct img m;

    img_make(&m, &fx_trusted, 2);
    assert_int_equal(chunk_off(f, &m, 0, 1000), 1000);
    assert_int_equal(chunk_off(f, &m, 1000, 1000), 2000);
    assert_int_equal(chunk_off(f, &m, 0, 1000), 1000);
    assert_int_equal(chunk_off(f, &m, 2000, 1000), 1000); /* not where it is */
    free(m.buf);
}

static void test_errors_are_bare_rc(void **state)
{
    struct fx *f = *state;
    struct img m;
    struct fx_up u = { .off = 0, .n = 64, .len = FX_SLOT_SIZE + 1, .image = 0, .upgrade = -1 };

    img_make(&m, &fx_trusted, 3);
    u.data = m.buf;
    assert_bare_rc(fx_upload(f, 1, &u), SMP_ERR_EINVAL); /* larger than the slot */
    u.len = -1;
    assert_bare_rc(fx_upload(f, 1, &u), SMP_ERR_EINVAL); /* no len */
    u.len = (int64_t)m.len;
    u.image = 1;
    assert_bare_rc(fx_upload(f, 1, &u), SMP_ERR_EINVAL);
    u.image = 2;
    assert_bare_rc(fx_upload(f, 1, &u), SMP_ERR_ENOENT);
    assert_int_equal(chunk_off(f, &m, 0, 1000), 1000);
    u = (struct fx_up){ .off = 1000, .data = m.buf, .n = m.len, .len = -1, .image = -1,
                        .upgrade = -1 };
    assert_bare_rc(fx_upload(f, 1, &u), SMP_ERR_EINVAL); /* past len */
    free(m.buf);
}

/* Only images the bootloader would boot are listed. */
static void test_lists_only_valid_images(void **state)
{
    struct fx *f = *state;
    struct img m;

    img_make(&m, &fx_other, 4);
    upload(f, &m);
    struct cv *b = fx_call(f, SMP_OP_READ, 0, SMP_GROUP_IMAGE, 0, NULL, 0);
    assert_int_equal(cv_size(cv_get(b, "images")), 0);
    cv_free(b);
    free(m.buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_recovery_answers_serial_only, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_only_recovery_commands, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_upload_writes_slot0, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_offset_zero_restarts, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_errors_are_bare_rc, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_lists_only_valid_images, setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, fx_keys_setup, fx_keys_teardown);
}
