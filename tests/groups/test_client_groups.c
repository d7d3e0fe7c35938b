/* Unit tests of the group operations (src/client/mgmt.h) against scripted
 * devices: Zephyr and legacy response shapes (shell `ret` vs `rc`,
 * settings values as bytes or text, indefinite maps), malformed answers
 * that must give CLIENT_ERR_PROTO instead of garbage or a hang, and the
 * fs transfer policy (chunking, restarts, stalls, verified resume). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "client/mgmt.h"
#include "script_device.h"

static struct script_device g_dev;
static struct client_transport g_tp;
static struct client_session g_s;
static struct client_rsp g_rsp;

static void setup_dev(script_answer_fn fn, void *ctx)
{
    memset(&g_dev, 0, sizeof g_dev);
    g_dev.answer = fn;
    g_dev.ctx = ctx;
    script_session(&g_dev, &g_tp, &g_s);
}

static bool req_text(const struct cbor_value *req, const char *key, const char *want)
{
    struct cbor_value v;
    return cbor_map_get(req, key, &v) == 1 && cbor_text_eq(&v, want);
}

/* ---- shell ---- */

static int shell_zephyr(struct script_device *d, uint8_t op, uint16_t g, uint8_t id,
                        const struct cbor_value *req, struct cbor_writer *w)
{
    (void)d, (void)op, (void)id, (void)req;
    assert_int_equal(g, SMP_GROUP_SHELL);
    cbor_open_map(w, 2);
    cbor_put_str(w, "o");
    cbor_put_str(w, "Uptime: 5 ms\n");
    cbor_put_str(w, "ret");
    cbor_put_int(w, 3);
    return 0;
}

static int shell_legacy(struct script_device *d, uint8_t op, uint16_t g, uint8_t id,
                        const struct cbor_value *req, struct cbor_writer *w)
{
    (void)d, (void)op, (void)g, (void)id, (void)req;
    cbor_open_map(w, 2);
    cbor_put_str(w, "o");
    cbor_put_str(w, "nope: command not found\n");
    cbor_put_str(w, "rc");
    cbor_put_int(w, -8);
    return 0;
}

static int shell_smp_error(struct script_device *d, uint8_t op, uint16_t g, uint8_t id,
                           const struct cbor_value *req, struct cbor_writer *w)
{
    (void)d, (void)op, (void)g, (void)id, (void)req;
    cbor_open_map(w, 1);
    cbor_put_str(w, "rc");
    cbor_put_uint(w, SMP_ERR_ENOTSUP);
    return 0;
}

static int shell_group_error(struct script_device *d, uint8_t op, uint16_t g, uint8_t id,
                             const struct cbor_value *req, struct cbor_writer *w)
{
    (void)d, (void)op, (void)g, (void)id, (void)req;
    cbor_open_map(w, 1);
    cbor_put_str(w, "err");
    cbor_open_map(w, 2);
    cbor_put_str(w, "group");
    cbor_put_uint(w, SMP_GROUP_SHELL);
    cbor_put_str(w, "rc");
    cbor_put_uint(w, 2);
    return 0;
}

static void test_shell_shapes(void **state)
{
    const char *argv[] = { "kernel", "uptime" };
    char out[256];
    int ret = 99;

    (void)state;
    setup_dev(shell_zephyr, NULL);
    assert_int_equal(client_shell_exec(&g_s, 2, argv, out, sizeof out, &ret, &g_rsp), 0);
    assert_string_equal(out, "Uptime: 5 ms\n");
    assert_int_equal(ret, 3);

    /* legacy: the command's status in `rc` beside the output is not an SMP error */
    setup_dev(shell_legacy, NULL);
    assert_int_equal(client_shell_exec(&g_s, 1, argv, out, sizeof out, &ret, &g_rsp), 0);
    assert_int_equal(ret, -8);
    assert_string_equal(out, "nope: command not found\n");

    setup_dev(shell_smp_error, NULL);
    assert_int_equal(client_shell_exec(&g_s, 1, argv, out, sizeof out, &ret, &g_rsp),
                     CLIENT_ERR_DEVICE);
    assert_int_equal(g_s.dev_err.rc, SMP_ERR_ENOTSUP);

    setup_dev(shell_group_error, NULL);
    assert_int_equal(client_shell_exec(&g_s, 1, argv, out, sizeof out, &ret, &g_rsp),
                     CLIENT_ERR_DEVICE);
    assert_true(g_s.dev_err.has_group);
    assert_int_equal(g_s.dev_err.group_rc, 2);

    /* output longer than the caller's buffer is cut, NUL-terminated */
    setup_dev(shell_zephyr, NULL);
    assert_int_equal(client_shell_exec(&g_s, 1, argv, out, 5, &ret, &g_rsp), 0);
    assert_string_equal(out, "Upti");
}

/* ---- OS: tasks (indefinite maps, sorting), pools, bootloader ---- */

static int os_answers(struct script_device *d, uint8_t op, uint16_t g, uint8_t id,
                      const struct cbor_value *req, struct cbor_writer *w)
{
    const char *names[] = { "zeta", "alpha", "mid" };
    (void)d, (void)op, (void)req;
    assert_int_equal(g, SMP_GROUP_OS);
    if (id == 2) { /* tasks, as an indefinite-length map */
        cbor_open_map(w, 1);
        cbor_put_str(w, "tasks");
        cbor_open_map(w, CBOR_INDEFINITE);
        for (int i = 0; i < 3; i++) {
            cbor_put_str(w, names[i]);
            cbor_open_map(w, 2);
            cbor_put_str(w, "prio");
            cbor_put_uint(w, 10 + (uint64_t)i);
            cbor_put_str(w, "stksiz");
            cbor_put_uint(w, 256);
        }
        cbor_close(w);
        return 0;
    }
    if (id == 3) { /* pools at the top level, not under mpools (one documented layout) */
        cbor_open_map(w, 2);
        cbor_put_str(w, "rc");
        cbor_put_uint(w, 0);
        cbor_put_str(w, "heap");
        cbor_open_map(w, 2);
        cbor_put_str(w, "blksiz");
        cbor_put_uint(w, 64);
        cbor_put_str(w, "nfree");
        cbor_put_uint(w, 9);
        return 0;
    }
    if (id == 8) {
        if (req_text(req, "query", "mode")) {
            cbor_open_map(w, 2);
            cbor_put_str(w, "mode");
            cbor_put_int(w, 7);
            cbor_put_str(w, "no-downgrade");
            cbor_put_bool(w, true);
        } else {
            cbor_open_map(w, 1);
            cbor_put_str(w, "bootloader");
            cbor_put_str(w, "MCUboot");
        }
        return 0;
    }
    return 1;
}

static void test_os_shapes(void **state)
{
    struct client_task t[2];
    struct client_pool p[4];
    struct client_bootloader b;
    size_t n;

    (void)state;
    setup_dev(os_answers, NULL);
    /* more tasks than room: the first ones kept, then sorted */
    assert_int_equal(client_taskstat(&g_s, t, 2, &n, &g_rsp), 0);
    assert_int_equal(n, 2);
    assert_string_equal(t[0].name, "alpha");
    assert_int_equal(t[0].prio, 11);
    assert_string_equal(t[1].name, "zeta");
    assert_int_equal(t[1].stksiz, 256);
    assert_int_equal(client_mpstat(&g_s, p, 4, &n, &g_rsp), 0);
    assert_int_equal(n, 1);
    assert_string_equal(p[0].name, "heap");
    assert_int_equal(p[0].blksiz, 64);
    assert_int_equal(p[0].nfree, 9);
    assert_int_equal(client_bootloader_info(&g_s, NULL, &b, &g_rsp), 0);
    assert_string_equal(b.name, "MCUboot");
    assert_false(b.has_mode);
    assert_int_equal(client_bootloader_info(&g_s, "mode", &b, &g_rsp), 0);
    assert_true(b.has_mode);
    assert_int_equal(b.mode, 7);
    assert_true(b.no_downgrade);
    assert_null(client_boot_mode_name(7)); /* printed as a bare number */
    assert_string_equal(client_boot_mode_name(3), "swap without scratch (move)");
}

static void test_datetime_check(void **state)
{
    const char *good[] = { "2016-03-02T22:44:00", "2016-03-02T22:44:00Z", "2016-03-02T22:44:00-08:00",
                           "2016-03-02T22:44:00.1", "2016-03-02T22:44:00.101+05:30",
                           "2024-02-29 23:59:60" };
    const char *bad[] = { "", "now", "2016-03-02", "2016-3-02T22:44:00", "2016-13-02T22:44:00",
                          "2016-02-30T22:44:00", "2016-03-02T24:00:00", "2016-03-02T22:44:00.",
                          "2016-03-02T22:44:00+5:30", "2016-03-02T22:44:00Zjunk", "1969-12-31T23:59:59" };
    char now[CLIENT_DATETIME_MAX];

    (void)state;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_int_equal(client_datetime_check(good[i]), 0);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(client_datetime_check(bad[i]), CLIENT_ERR_ARG);
    assert_int_equal(client_datetime_now(now, sizeof now), 0);
    assert_int_equal(client_datetime_check(now), 0);
    assert_int_equal(strlen(now), 19); /* whole seconds, no zone */
    assert_int_equal(client_datetime_now(now, 19), CLIENT_ERR_ARG);
}

/* ---- settings and stat ---- */

static int settings_text(struct script_device *d, uint8_t op, uint16_t g, uint8_t id,
                         const struct cbor_value *req, struct cbor_writer *w)
{
    (void)d, (void)op, (void)id, (void)req;
    if (g == SMP_GROUP_STAT) { /* a counter that is not a number */
        cbor_open_map(w, 2);
        cbor_put_str(w, "name");
        cbor_put_str(w, "g");
        cbor_put_str(w, "fields");
        cbor_open_map(w, 1);
        cbor_put_str(w, "x");
        cbor_put_str(w, "12");
        return 0;
    }
    cbor_open_map(w, 1);
    cbor_put_str(w, "val");
    cbor_put_str(w, "mynewt-text");
    return 0;
}

static void test_settings_and_stat_shapes(void **state)
{
    uint8_t val[8];
    size_t len = 0, n;
    struct client_stat_field f[4];

    (void)state;
    setup_dev(settings_text, NULL);
    assert_int_equal(client_settings_read(&g_s, "a/b", val, sizeof val, &len, &g_rsp), 0);
    assert_int_equal(len, 11);                 /* the full length... */
    assert_memory_equal(val, "mynewt-t", 8);   /* ...but only what fits */
    assert_int_equal(client_stat_read(&g_s, "g", f, 4, &n, &g_rsp), CLIENT_ERR_PROTO);
}

/* ---- fs transfers against a small file server ---- */

struct fs_dev {
    uint8_t file[8192];
    size_t len;          /* device file length */
    size_t chunk;        /* download chunk the device sends */
    size_t up_off;       /* upload: next expected offset */
    bool up_active;
    uint32_t forget_at;  /* forget the upload at this request number */
    bool stall;          /* answer every upload chunk with off 0 */
    bool short_read;     /* download: no data before the end */
    bool strict;         /* refuse a misplaced chunk with FILE_OFFSET_NOT_VALID */
};

static void sha256(const uint8_t *p, size_t n, uint8_t out[32])
{
    unsigned l = 0;
    EVP_Digest(p, n, out, &l, EVP_sha256(), NULL);
}

static int fs_answer_download(struct fs_dev *f, const struct cbor_value *req, struct cbor_writer *w)
{
    uint64_t off = 0;
    size_t n;
    (void)cbor_map_get_uint(req, "off", &off);
    n = f->len - off < f->chunk ? f->len - off : f->chunk;
    if (f->short_read)
        n = 0;
    cbor_open_map(w, off == 0 ? 3 : 2);
    cbor_put_str(w, "off");
    cbor_put_uint(w, off);
    cbor_put_str(w, "data");
    cbor_put_bytes(w, f->file + off, n);
    if (off == 0) {
        cbor_put_str(w, "len");
        cbor_put_uint(w, f->len);
    }
    return 0;
}

static int fs_answer_upload(struct script_device *d, struct fs_dev *f,
                            const struct cbor_value *req, struct cbor_writer *w)
{
    uint64_t off = 0, len = 0;
    const uint8_t *p;
    size_t n = 0;

    (void)cbor_map_get_uint(req, "off", &off);
    assert_int_equal(cbor_map_get_bytes(req, "data", &p, &n), 1);
    if (d->requests == f->forget_at)
        f->up_active = false;
    if (off == 0) {
        assert_int_equal(cbor_map_get_uint(req, "len", &len), 1);
        f->len = (size_t)len;
        f->up_off = 0;
        f->up_active = true;
    } else if (f->strict && (!f->up_active || off != f->up_off)) {
        cbor_open_map(w, 1);
        cbor_put_str(w, "err");
        cbor_open_map(w, 2);
        cbor_put_str(w, "group");
        cbor_put_uint(w, SMP_GROUP_FS);
        cbor_put_str(w, "rc");
        cbor_put_uint(w, 11);
        return 0;
    } else if (!f->up_active || off != f->up_off || f->stall) {
        cbor_open_map(w, 1);
        cbor_put_str(w, "off");
        cbor_put_uint(w, f->up_active && !f->stall ? f->up_off : 0);
        return 0;
    }
    memcpy(f->file + off, p, n);
    f->up_off = (size_t)off + n;
    cbor_open_map(w, 1);
    cbor_put_str(w, "off");
    cbor_put_uint(w, f->up_off);
    return 0;
}

static int fs_answer(struct script_device *d, uint8_t op, uint16_t g, uint8_t id,
                     const struct cbor_value *req, struct cbor_writer *w)
{
    struct fs_dev *f = d->ctx;
    uint64_t off = 0, len = 0;

    assert_int_equal(g, SMP_GROUP_FS);
    if (id == 0)
        return op == SMP_OP_WRITE ? fs_answer_upload(d, f, req, w) : fs_answer_download(f, req, w);
    if (id == 1) {
        cbor_open_map(w, 1);
        cbor_put_str(w, "len");
        cbor_put_uint(w, f->len);
        return 0;
    }
    if (id == 2) { /* sha256 of [off, off+len) */
        uint8_t h[32];
        (void)cbor_map_get_uint(req, "off", &off);
        (void)cbor_map_get_uint(req, "len", &len);
        assert_true(req_text(req, "type", "sha256"));
        sha256(f->file + off, (size_t)len, h);
        cbor_open_map(w, 3);
        cbor_put_str(w, "type");
        cbor_put_str(w, "sha256");
        cbor_put_str(w, "len");
        cbor_put_uint(w, len);
        cbor_put_str(w, "output");
        cbor_put_bytes(w, h, 32);
        return 0;
    }
    return 1;
}

/* The OS params request of the upload goes unanswered (group 0): the
 * transport default sizes the chunks. */
static int fs_or_silent(struct script_device *d, uint8_t op, uint16_t g, uint8_t id,
                        const struct cbor_value *req, struct cbor_writer *w)
{
    if (g == SMP_GROUP_OS)
        return 1;
    return fs_answer(d, op, g, id, req, w);
}

static void fill_random(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (uint8_t)(seed >> 16);
    }
}

static void test_fs_upload_policy(void **state)
{
    static struct fs_dev f;
    static uint8_t data[6000];
    struct client_fs_opts o = { 0 };
    struct client_fs_stats st;

    (void)state;
    fill_random(data, sizeof data, 1);
    memset(&f, 0, sizeof f);
    setup_dev(fs_or_silent, &f);
    g_s.max_msg = 300; /* small requests: many chunks */
    assert_int_equal(client_fs_upload(&g_s, "/lfs/a", data, sizeof data, &o, &st), 0);
    assert_int_equal(f.len, sizeof data);
    assert_memory_equal(f.file, data, sizeof data);
    assert_true(st.chunk_size > 200 && st.chunk_size <= 300 && st.chunk_size % 4 == 0);
    assert_true(st.requests >= sizeof data / st.chunk_size);

    /* the device forgets the transfer half way: it starts over */
    memset(&f, 0, sizeof f);
    setup_dev(fs_or_silent, &f);
    g_s.max_msg = 300;
    f.forget_at = 12;
    assert_int_equal(client_fs_upload(&g_s, "/lfs/a", data, sizeof data, &o, &st), 0);
    assert_int_equal(st.restarts, 1);
    assert_memory_equal(f.file, data, sizeof data);

    /* a device that never moves on: bounded, an error, no hang */
    memset(&f, 0, sizeof f);
    setup_dev(fs_or_silent, &f);
    f.stall = true;
    assert_int_equal(client_fs_upload(&g_s, "/lfs/a", data, sizeof data, &o, &st), CLIENT_ERR_PROTO);
    assert_true(st.requests < 20);

    /* resume: the device holds a verified prefix but forgot the transfer:
     * continued at the prefix, told to start over, ends identical */
    memset(&f, 0, sizeof f);
    memcpy(f.file, data, 2000);
    f.len = 2000;
    setup_dev(fs_or_silent, &f);
    o.resume = true;
    assert_int_equal(client_fs_upload(&g_s, "/lfs/a", data, sizeof data, &o, &st), 0);
    assert_int_equal(st.restarts, 1);
    assert_memory_equal(f.file, data, sizeof data);
    /* a device that refuses to continue at a verified prefix: from 0 */
    memset(&f, 0, sizeof f);
    memcpy(f.file, data, 2000);
    f.len = 2000;
    f.strict = true;
    setup_dev(fs_or_silent, &f);
    assert_int_equal(client_fs_upload(&g_s, "/lfs/a", data, sizeof data, &o, &st), 0);
    assert_int_equal(st.restarts, 1);
    assert_int_equal(st.resumed_from, 0);
    assert_memory_equal(f.file, data, sizeof data);
    /* a device that still holds the transfer: continued at its offset */
    memset(&f, 0, sizeof f);
    memcpy(f.file, data, 2400);
    f.len = 2400;
    f.up_off = 2400;
    f.up_active = true;
    setup_dev(fs_or_silent, &f);
    g_s.max_msg = 300;
    assert_int_equal(client_fs_upload(&g_s, "/lfs/a", data, sizeof data, &o, &st), 0);
    assert_int_equal(st.resumed_from, 2400);
    assert_int_equal(st.restarts, 0);
    assert_memory_equal(f.file, data, sizeof data);
    f.len = sizeof data;
    /* identical: nothing sent */
    setup_dev(fs_or_silent, &f);
    assert_int_equal(client_fs_upload(&g_s, "/lfs/a", data, sizeof data, &o, &st), 0);
    assert_true(st.identical);
    assert_int_equal(st.requests, 0);
}

static void test_fs_download_policy(void **state)
{
    static struct fs_dev f;
    char path[] = "/tmp/test_client_groups.XXXXXX";
    struct client_fs_opts o = { 0 };
    struct client_fs_stats st;
    uint8_t back[8192];
    FILE *fp;
    int fd = mkstemp(path);

    (void)state;
    assert_true(fd >= 0);
    close(fd);
    memset(&f, 0, sizeof f);
    f.len = 5000;
    f.chunk = 700;
    fill_random(f.file, f.len, 2);
    setup_dev(fs_answer, &f);
    assert_int_equal(client_fs_download(&g_s, "/lfs/b", path, &o, &st), 0);
    assert_int_equal(st.len, 5000);
    assert_int_equal(st.requests, 8);
    fp = fopen(path, "rb");
    assert_non_null(fp);
    assert_int_equal(fread(back, 1, sizeof back, fp), 5000);
    fclose(fp);
    assert_memory_equal(back, f.file, 5000);

    /* resume from a verified local prefix */
    assert_int_equal(truncate(path, 1400), 0);
    o.resume = true;
    assert_int_equal(client_fs_download(&g_s, "/lfs/b", path, &o, &st), 0);
    assert_int_equal(st.resumed_from, 1400);
    assert_int_equal(st.requests, 6);

    /* a device that sends no data before the end: an error, not a hang */
    f.short_read = true;
    o.resume = false;
    assert_int_equal(client_fs_download(&g_s, "/lfs/b", path, &o, &st), CLIENT_ERR_PROTO);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shell_shapes),
        cmocka_unit_test(test_os_shapes),
        cmocka_unit_test(test_datetime_check),
        cmocka_unit_test(test_settings_and_stat_shapes),
        cmocka_unit_test(test_fs_upload_policy),
        cmocka_unit_test(test_fs_download_policy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
