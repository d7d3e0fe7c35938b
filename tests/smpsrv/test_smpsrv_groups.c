/*
 * The issue-5 groups (os task/pool/clock, stat, settings, fs, shell, enum,
 * zephyr basic) against the fixture's small board: real values through the
 * platform callbacks, error shapes for v1 and v2 clients, and bounds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cbor_view.h"
#include "fixture.h"

/* A request body built with our encoder from (key, kind, value) triples;
 * the responses are read with libcbor. */
struct kv {
    const char *key;
    char kind; /* 't' text, 'b' bytes, 'u' uint, 'B' bool */
    const void *p;
    size_t n;
    uint64_t u;
};

static struct cv *call(struct fx *f, uint8_t op, uint8_t ver, uint16_t group, uint8_t id,
                       const struct kv *kv, size_t nkv)
{
    static uint8_t body[4096];
    struct cbor_writer w;

    cbor_writer_init(&w, body, sizeof body);
    cbor_open_map(&w, nkv);
    for (size_t i = 0; i < nkv; i++) {
        cbor_put_str(&w, kv[i].key);
        switch (kv[i].kind) {
        case 't': cbor_put_text(&w, kv[i].p, kv[i].n ? kv[i].n : strlen(kv[i].p)); break;
        case 'b': cbor_put_bytes(&w, kv[i].p, kv[i].n); break;
        case 'u': cbor_put_uint(&w, kv[i].u); break;
        case 'B': cbor_put_bool(&w, kv[i].u != 0); break;
        default: fail();
        }
    }
    assert_int_equal(w.status, CBOR_OK);
    return fx_call(f, op, ver, group, id, body, w.len);
}

#define T(k, s) { .key = (k), .kind = 't', .p = (s) }
#define U(k, v) { .key = (k), .kind = 'u', .u = (v) }
#define BY(k, b, len) { .key = (k), .kind = 'b', .p = (b), .n = (len) }

static int64_t err_rc(const struct cv *b, int64_t group)
{
    const struct cv *err = cv_get(b, "err");
    if (!err)
        return -1;
    assert_int_equal(cv_get_int(err, "group", -1), group);
    return cv_get_int(err, "rc", -1);
}

static void assert_ok(const struct cv *b)
{
    assert_null(cv_get(b, "rc"));
    assert_null(cv_get(b, "err"));
}

static void test_taskstat_mpstat(void **state)
{
    struct fx *f = *state;
    struct cv *b = call(f, 0, 0, 0, 2, NULL, 0);
    const struct cv *tasks = cv_get(b, "tasks");
    assert_int_equal(cv_size(tasks), 3);
    const struct cv *main_task = cv_get(tasks, "main");
    assert_int_equal(cv_get_int(main_task, "prio", -1), 14);
    assert_int_equal(cv_get_int(main_task, "stksiz", -1), 256);
    assert_int_equal(cv_get_int(main_task, "stkuse", -1), 64);
    assert_int_equal(cv_size(main_task), 9);
    cv_free(b);

    b = call(f, 0, 1, 0, 3, NULL, 0);
    const struct cv *pool = cv_get(cv_get(b, "mpools"), "smp_buf");
    assert_int_equal(cv_get_int(pool, "blksiz", -1), 2048);
    assert_int_equal(cv_get_int(pool, "nblks", -1), 4);
    assert_int_equal(cv_get_int(pool, "nfree", -1), 3);
    assert_int_equal(cv_get_int(pool, "min", -1), 1);
    cv_free(b);
}

static void datetime_is(struct fx *f, const char *want)
{
    char text[64];
    struct cv *b = call(f, 0, 1, 0, 4, NULL, 0);
    assert_true(cv_text(cv_get(b, "datetime"), text, sizeof text));
    assert_string_equal(text, want);
    cv_free(b);
}

static void set_datetime(struct fx *f, const char *text, int64_t want_err)
{
    struct kv kv[] = { T("datetime", text) };
    struct cv *b = call(f, 2, 1, 0, 4, kv, 1);
    if (want_err < 0)
        assert_ok(b);
    else
        assert_int_equal(err_rc(b, 0), want_err);
    cv_free(b);
}

static void test_datetime(void **state)
{
    struct fx *f = *state;
    struct cv *b = call(f, 0, 1, 0, 4, NULL, 0);
    assert_int_equal(err_rc(b, 0), 4); /* RTC_NOT_SET */
    cv_free(b);
    b = call(f, 0, 0, 0, 4, NULL, 0);
    assert_int_equal(cv_get_int(b, "rc", -1), 5);
    cv_free(b);

    set_datetime(f, "2026-11-22T01:02:03.456789+01:00", -1);
    assert_int_equal(f->clock_us, 1795305723456789LL);
    datetime_is(f, "2026-11-22T00:02:03.456789+00:00");
    set_datetime(f, "2024-02-29T23:59:60Z", -1);
    datetime_is(f, "2024-02-29T23:59:59.000000+00:00");
    set_datetime(f, "1970-01-01T00:00:00", -1);
    datetime_is(f, "1970-01-01T00:00:00.000000+00:00");
    set_datetime(f, "2000-03-01 12:30:00.5-02:30", -1);
    datetime_is(f, "2000-03-01T15:00:00.500000+00:00");
    set_datetime(f, "2026-13-01T00:00:00", 2);
    set_datetime(f, "2025-02-29T00:00:00", 2);
    set_datetime(f, "2026-11-22", 2);
    set_datetime(f, "2026-11-22T01:02:03+1", 2);
    set_datetime(f, "1969-12-31T23:59:59", 2);
    datetime_is(f, "2000-03-01T15:00:00.500000+00:00"); /* unchanged by refusals */
}

static void test_stat_list_and_read(void **state)
{
    struct fx *f = *state;
    char text[32];
    struct kv smp[] = { T("name", "smp") };
    struct cv *b = call(f, 0, 1, 2, 1, NULL, 0);
    const struct cv *list = cv_get(b, "stat_list");
    assert_int_equal(cv_size(list), 2);
    assert_true(cv_text(cv_at(list, 0), text, sizeof text));
    assert_string_equal(text, "smp");
    cv_free(b);

    b = call(f, 0, 1, 2, 0, smp, 1);
    assert_true(cv_text(cv_get(b, "name"), text, sizeof text));
    assert_string_equal(text, "smp");
    assert_true(cv_text(cv_get(b, "group"), text, sizeof text));
    assert_string_equal(text, "smp");
    int64_t before = cv_get_int(cv_get(b, "fields"), "requests", -1);
    assert_true(before >= 1);
    assert_true(cv_get_int(cv_get(b, "fields"), "stat_req", -1) >= 1);
    cv_free(b);
    b = call(f, 0, 1, 2, 0, smp, 1);
    assert_int_equal(cv_get_int(cv_get(b, "fields"), "requests", -1), before + 1);
    assert_true(cv_get_int(cv_get(b, "fields"), "bytes_in", -1) > 0);
    cv_free(b);

    struct kv bad[] = { T("name", "nope") };
    b = call(f, 0, 1, 2, 0, bad, 1);
    assert_int_equal(err_rc(b, 2), 2); /* INVALID_GROUP */
    cv_free(b);
    b = call(f, 0, 0, 2, 0, bad, 1);
    assert_int_equal(cv_get_int(b, "rc", -1), 5);
    cv_free(b);
    b = call(f, 0, 1, 2, 0, NULL, 0);
    assert_int_equal(cv_get_int(b, "rc", -1), 3);
    cv_free(b);
}

static void test_settings(void **state)
{
    struct fx *f = *state;
    const uint8_t *p;
    size_t n;
    static const uint8_t val[] = { 1, 2, 3, 0, 5 };
    struct kv w1[] = { T("name", "app/calib"), BY("val", val, sizeof val) };
    struct kv r1[] = { T("name", "app/calib") };

    struct cv *b = call(f, 2, 1, 3, 0, w1, 2);
    assert_ok(b);
    cv_free(b);
    b = call(f, 0, 1, 3, 0, r1, 1);
    assert_true(cv_bytes(cv_get(b, "val"), &p, &n));
    assert_int_equal(n, sizeof val);
    assert_memory_equal(p, val, n);
    cv_free(b);
    /* the Go client writes text */
    struct kv w2[] = { T("name", "app/calib"), T("val", "42") };
    cv_free(call(f, 2, 0, 3, 0, w2, 2));
    struct kv r2[] = { T("name", "app/calib"), U("max_size", 1) };
    b = call(f, 0, 1, 3, 0, r2, 2);
    assert_true(cv_bytes(cv_get(b, "val"), &p, &n));
    assert_int_equal(n, 1);
    assert_int_equal(p[0], '4');
    assert_int_equal(cv_get_int(b, "max_size", -1), 1);
    cv_free(b);

    b = call(f, 2, 1, 3, 1, r1, 1); /* delete */
    assert_ok(b);
    cv_free(b);
    b = call(f, 0, 1, 3, 0, r1, 1);
    assert_int_equal(err_rc(b, 3), 3); /* KEY_NOT_FOUND */
    cv_free(b);
    b = call(f, 0, 0, 3, 0, r1, 1);
    assert_int_equal(cv_get_int(b, "rc", -1), 5);
    cv_free(b);

    cv_free(call(f, 2, 1, 3, 2, NULL, 0)); /* commit */
    cv_free(call(f, 0, 1, 3, 3, NULL, 0)); /* load */
    cv_free(call(f, 2, 1, 3, 3, NULL, 0)); /* save */
    struct kv save[] = { { .key = "save", .kind = 'B', .u = 1 } };
    cv_free(call(f, 2, 0, 3, 0, save, 1)); /* Mynewt: save alone */
    assert_int_equal(f->commits, 1);
    assert_int_equal(f->loads, 1);
    assert_int_equal(f->saves, 2);

    char longname[80];
    memset(longname, 'k', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    struct kv lk[] = { T("name", longname), T("val", "x") };
    b = call(f, 2, 1, 3, 0, lk, 2);
    assert_int_equal(err_rc(b, 3), 2); /* KEY_TOO_LONG */
    cv_free(b);
    struct kv noval[] = { T("name", "a") };
    b = call(f, 2, 1, 3, 0, noval, 1);
    assert_int_equal(cv_get_int(b, "rc", -1), 3);
    cv_free(b);
}

static int64_t fs_put(struct fx *f, const char *name, uint32_t off, const uint8_t *d, size_t n,
                      int64_t len)
{
    struct kv kv[] = { T("name", name), U("off", off), BY("data", d, n), U("len", 0) };
    size_t nkv = 3;
    if (len >= 0) {
        kv[3].u = (uint64_t)len;
        nkv = 4;
    }
    struct cv *b = call(f, 2, 1, 8, 0, kv, nkv);
    int64_t r = cv_get(b, "err") ? -100 - err_rc(b, 8) : cv_get_int(b, "off", -1);
    cv_free(b);
    return r;
}

static void test_fs_upload_download_hash(void **state)
{
    struct fx *f = *state;
    uint8_t file[3000], got[3000];
    size_t have = 0;
    const uint8_t *p;
    size_t n;

    for (size_t i = 0; i < sizeof file; i++)
        file[i] = (uint8_t)(i * 7 + 3);
    assert_int_equal(fs_put(f, "/lfs/log.bin", 0, file, 500, sizeof file), 500);
    /* a lost response: the same chunk again is not written twice */
    assert_int_equal(fs_put(f, "/lfs/log.bin", 0 + 1000, file + 1000, 500, -1), 500);
    for (uint32_t off = 500; off < sizeof file; off += 500)
        assert_int_equal(fs_put(f, "/lfs/log.bin", off, file + off, 500, -1), off + 500);
    assert_memory_equal(f->files[0].data, file, sizeof file);
    assert_int_equal(f->files[0].len, sizeof file);

    while (have < sizeof file) {
        struct kv kv[] = { T("name", "/lfs/log.bin"), U("off", have) };
        struct cv *b = call(f, 0, 1, 8, 0, kv, 2);
        assert_int_equal(cv_get_int(b, "off", -1), (int64_t)have);
        assert_int_equal(cv_get_int(b, "len", -1), have == 0 ? (int64_t)sizeof file : -1);
        assert_true(cv_bytes(cv_get(b, "data"), &p, &n));
        assert_true(n > 0 && have + n <= sizeof file);
        memcpy(got + have, p, n);
        have += n;
        cv_free(b);
    }
    assert_memory_equal(got, file, sizeof file);

    struct kv st[] = { T("name", "/lfs/log.bin") };
    struct cv *b = call(f, 0, 1, 8, 1, st, 1);
    assert_int_equal(cv_get_int(b, "len", -1), sizeof file);
    cv_free(b);

    /* hashes against published check values of "123456789" */
    assert_int_equal(fs_put(f, "/lfs/c.txt", 0, (const uint8_t *)"123456789", 9, 9), 9);
    struct kv crc[] = { T("name", "/lfs/c.txt") };
    b = call(f, 0, 1, 8, 2, crc, 1);
    char text[16];
    assert_true(cv_text(cv_get(b, "type"), text, sizeof text));
    assert_string_equal(text, "crc32");
    assert_int_equal(cv_get_int(b, "output", -1), 0xCBF43926);
    assert_int_equal(cv_get_int(b, "len", -1), 9);
    assert_null(cv_get(b, "off"));
    cv_free(b);
    static const uint8_t sha[32] = {
        0x15, 0xe2, 0xb0, 0xd3, 0xc3, 0x38, 0x91, 0xeb, 0xb0, 0xf1, 0xef, 0x60, 0x9e, 0xc4, 0x19, 0x42,
        0x0c, 0x20, 0xe3, 0x20, 0xce, 0x94, 0xc6, 0x5f, 0xbc, 0x8c, 0x33, 0x12, 0x44, 0x8e, 0xb2, 0x25 };
    struct kv sh[] = { T("name", "/lfs/c.txt"), T("type", "sha256") };
    b = call(f, 0, 1, 8, 2, sh, 2);
    assert_true(cv_bytes(cv_get(b, "output"), &p, &n));
    assert_int_equal(n, 32);
    assert_memory_equal(p, sha, 32);
    cv_free(b);
    struct kv part[] = { T("name", "/lfs/c.txt"), U("off", 4), U("len", 2) };
    b = call(f, 0, 1, 8, 2, part, 3);
    assert_int_equal(cv_get_int(b, "off", -1), 4);
    assert_int_equal(cv_get_int(b, "len", -1), 2);
    cv_free(b);
    struct kv md5[] = { T("name", "/lfs/c.txt"), T("type", "md5") };
    b = call(f, 0, 1, 8, 2, md5, 2);
    assert_int_equal(err_rc(b, 8), 13);
    cv_free(b);

    b = call(f, 0, 1, 8, 3, NULL, 0);
    const struct cv *types = cv_get(b, "types");
    assert_int_equal(cv_get_int(cv_get(types, "sha256"), "size", -1), 32);
    assert_int_equal(cv_get_int(cv_get(types, "sha256"), "format", -1), 1);
    assert_int_equal(cv_get_int(cv_get(types, "crc32"), "format", -1), 0);
    cv_free(b);
    cv_free(call(f, 2, 1, 8, 4, NULL, 0));
    assert_int_equal(f->fs_closes, 1);
}

/* A lost answer to the last chunk: the client sends it again, and the
 * answer must be where the server stands (the whole length), not 0, which
 * would make the client start the file over. */
static void test_fs_repeated_last_chunk(void **state)
{
    struct fx *f = *state;
    uint8_t file[1200];

    for (size_t i = 0; i < sizeof file; i++)
        file[i] = (uint8_t)(i * 13 + 1);
    assert_int_equal(fs_put(f, "/lfs/fw.bin", 0, file, 500, sizeof file), 500);
    assert_int_equal(fs_put(f, "/lfs/fw.bin", 500, file + 500, 500, -1), 1000);
    assert_int_equal(fs_put(f, "/lfs/fw.bin", 1000, file + 1000, 200, -1), 1200);
    assert_int_equal(fs_put(f, "/lfs/fw.bin", 1000, file + 1000, 200, -1), 1200);
    /* an older chunk arriving late is not written either */
    assert_int_equal(fs_put(f, "/lfs/fw.bin", 500, file + 500, 500, -1), 1200);
    /* data past the end is another, longer upload of the name: start over */
    assert_int_equal(fs_put(f, "/lfs/fw.bin", 1200, file, 100, -1), 0);
    assert_int_equal(f->files[0].len, sizeof file);
    assert_memory_equal(f->files[0].data, file, sizeof file);
    /* another file knows no session: it starts over */
    assert_int_equal(fs_put(f, "/lfs/other", 1000, file + 1000, 200, -1), 0);
    assert_int_equal(fs_put(f, "/lfs/fw.bin", 1000, file + 1000, 200, -1), 1200);
    /* a reset forgets the session (the fs group's state) */
    fx_reboot(f);
    assert_int_equal(fs_put(f, "/lfs/fw.bin", 1000, file + 1000, 200, -1), 0);
    /* once the client closed the file, the session is gone */
    assert_int_equal(fs_put(f, "/lfs/fw.bin", 0, file, 500, sizeof file), 500);
    assert_int_equal(fs_put(f, "/lfs/fw.bin", 500, file + 500, 700, -1), 1200);
    cv_free(call(f, 2, 1, 8, 4, NULL, 0));
    assert_int_equal(fs_put(f, "/lfs/fw.bin", 1000, file + 1000, 200, -1), 0);
    assert_int_equal(f->files[0].len, sizeof file);
    assert_memory_equal(f->files[0].data, file, sizeof file);
}

static void test_fs_errors(void **state)
{
    struct fx *f = *state;
    struct kv missing[] = { T("name", "/lfs/none"), U("off", 0) };
    struct cv *b = call(f, 0, 1, 8, 0, missing, 2);
    assert_int_equal(err_rc(b, 8), 3);
    cv_free(b);
    b = call(f, 0, 0, 8, 0, missing, 2);
    assert_int_equal(cv_get_int(b, "rc", -1), 5);
    cv_free(b);
    /* the board refuses an escape; nothing is stored */
    assert_int_equal(fs_put(f, "/lfs/../etc/passwd", 0, (const uint8_t *)"x", 1, 1), -102);
    assert_false(f->files[0].used);
    /* no session: told to start over */
    assert_int_equal(fs_put(f, "/lfs/a", 10, (const uint8_t *)"x", 1, -1), 0);
    assert_int_equal(fs_put(f, "/lfs/a", 0, (const uint8_t *)"abc", 3, 2), -112);
    assert_int_equal(fs_put(f, "/lfs/a", 0, (const uint8_t *)"ab", 2, 2), 2);
    struct kv past[] = { T("name", "/lfs/a"), U("off", 3) };
    b = call(f, 0, 1, 8, 0, past, 2);
    assert_int_equal(err_rc(b, 8), 12);
    cv_free(b);
    char longname[100];
    memset(longname, 'a', sizeof longname - 1);
    longname[0] = '/';
    longname[sizeof longname - 1] = 0;
    struct kv ln[] = { T("name", longname) };
    b = call(f, 0, 1, 8, 1, ln, 1);
    assert_int_equal(err_rc(b, 8), 2);
    cv_free(b);
    /* an empty file cannot be hashed */
    assert_int_equal(fs_put(f, "/lfs/e", 0, (const uint8_t *)"", 0, 0), 0);
    struct kv e[] = { T("name", "/lfs/e") };
    b = call(f, 0, 1, 8, 2, e, 1);
    assert_int_equal(err_rc(b, 8), 16);
    cv_free(b);
}

static struct cv *shell(struct fx *f, const char *const *argv, size_t argc)
{
    static uint8_t body[1024];
    struct cbor_writer w;
    cbor_writer_init(&w, body, sizeof body);
    cbor_open_map(&w, 1);
    cbor_put_str(&w, "argv");
    cbor_open_array(&w, argc);
    for (size_t i = 0; i < argc; i++)
        cbor_put_str(&w, argv[i]);
    assert_int_equal(w.status, CBOR_OK);
    return fx_call(f, 2, 1, 9, 0, body, w.len);
}

static void test_shell(void **state)
{
    struct fx *f = *state;
    char out[256];
    static const char *const echo[] = { "echo", "hello", "world" };
    static const char *const bad[] = { "frobnicate" };
    static const char *many[20];

    struct cv *b = shell(f, echo, 3);
    assert_true(cv_text(cv_get(b, "o"), out, sizeof out));
    assert_string_equal(out, "hello world");
    assert_int_equal(cv_get_int(b, "ret", -1), 0);
    assert_null(cv_get(b, "rc"));
    cv_free(b);
    b = shell(f, bad, 1);
    assert_true(cv_text(cv_get(b, "o"), out, sizeof out));
    assert_non_null(strstr(out, "not found"));
    assert_int_equal(cv_get_int(b, "ret", 0), -2);
    cv_free(b);
    /* output that is not UTF-8 comes back as valid text, '?' for each bad byte */
    static const char *const bin[] = { "bin" };
    b = shell(f, bin, 1);
    assert_true(cv_text(cv_get(b, "o"), out, sizeof out));
    assert_string_equal(out, "ok? \xe2\x82\xac ??");
    cv_free(b);
    static const char *const badarg[] = { "echo", "\xc0\xaf" };
    b = shell(f, badarg, 2);
    assert_int_equal(cv_get_int(b, "rc", -1), 3);
    cv_free(b);
    b = shell(f, NULL, 0);
    assert_int_equal(err_rc(b, 9), 3); /* EMPTY_COMMAND */
    cv_free(b);
    for (int i = 0; i < 20; i++)
        many[i] = "x";
    b = shell(f, many, 20);
    assert_int_equal(err_rc(b, 9), 2); /* COMMAND_TOO_LONG */
    cv_free(b);
    b = call(f, 2, 1, 9, 0, NULL, 0);
    assert_int_equal(cv_get_int(b, "rc", -1), 3);
    cv_free(b);
    f->plat.shell_exec = NULL;
    b = shell(f, echo, 3);
    assert_int_equal(cv_get_int(b, "rc", -1), 8);
    cv_free(b);
}

static void test_enum(void **state)
{
    struct fx *f = *state;
    static const int64_t ids[] = { 0, 1, 2, 3, 8, 9, 10, 63 };
    struct cv *b = call(f, 0, 1, 10, 0, NULL, 0);
    assert_int_equal(cv_get_int(b, "count", -1), 8);
    cv_free(b);
    b = call(f, 0, 1, 10, 1, NULL, 0);
    const struct cv *groups = cv_get(b, "groups");
    assert_int_equal(cv_size(groups), 8);
    for (size_t i = 0; i < 8; i++) {
        int64_t v;
        assert_true(cv_int(cv_at(groups, i), &v));
        assert_int_equal(v, ids[i]);
    }
    cv_free(b);
    struct kv last[] = { U("index", 7) };
    b = call(f, 0, 1, 10, 2, last, 1);
    assert_int_equal(cv_get_int(b, "group", -1), 63);
    assert_int_equal(cv_get_bool(b, "end"), 1);
    cv_free(b);
    b = call(f, 0, 1, 10, 2, NULL, 0);
    assert_int_equal(cv_get_int(b, "group", -1), 0);
    assert_int_equal(cv_get_bool(b, "end"), -1);
    cv_free(b);
    struct kv past[] = { U("index", 8) };
    b = call(f, 0, 1, 10, 2, past, 1);
    assert_int_equal(err_rc(b, 10), 4);
    cv_free(b);

    static const uint8_t filter[] = { 0xa1, 0x66, 'g', 'r', 'o', 'u', 'p', 's', 0x82, 0x01, 0x09 };
    b = fx_call(f, 0, 1, 10, 3, filter, sizeof filter);
    groups = cv_get(b, "groups");
    assert_int_equal(cv_size(groups), 2);
    char name[16];
    assert_true(cv_text(cv_get(cv_at(groups, 0), "name"), name, sizeof name));
    assert_string_equal(name, "img");
    assert_int_equal(cv_get_int(cv_at(groups, 0), "handlers", -1), 4);
    assert_int_equal(cv_get_int(cv_at(groups, 1), "group", -1), 9);
    cv_free(b);
    b = call(f, 0, 1, 10, 3, NULL, 0);
    assert_int_equal(cv_size(cv_get(b, "groups")), 8);
    cv_free(b);
}

static void test_zephyr_erase_storage(void **state)
{
    struct fx *f = *state;
    struct cv *b = call(f, 2, 1, 63, 0, NULL, 0);
    assert_ok(b);
    cv_free(b);
    assert_int_equal(f->storage_erases, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_taskstat_mpstat, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_datetime, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_stat_list_and_read, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_settings, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_fs_upload_download_hash, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_fs_repeated_last_chunk, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_fs_errors, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_shell, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_enum, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_zephyr_erase_storage, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
