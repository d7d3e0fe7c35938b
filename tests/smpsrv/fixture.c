#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "cbor_view.h"
#include "fixture.h"
#include "image/image_crypto.h"
#include "image/sign.h"
#include "smp/cbor.h"

static const struct smp_group *const all_groups[] = {
    &smp_group_os, &smp_group_img, &smp_group_stat, &smp_group_settings,
    &smp_group_fs, &smp_group_shell, &smp_group_enum, &smp_group_zephyr,
};

/* ---- the board behind the issue-5 groups ---- */

static int task_info(void *ctx, size_t i, struct smpsrv_task *t)
{
    static const char *names[] = { "idle", "main", "smp" };
    (void)ctx;
    if (i >= 3)
        return 1;
    t->name = names[i];
    t->prio = (uint32_t)(15 - i);
    t->tid = (uint32_t)i;
    t->stksiz = 256;
    t->stkuse = (uint32_t)(32 * (i + 1));
    t->cswcnt = 100;
    return 0;
}

static int pool_info(void *ctx, size_t i, struct smpsrv_pool *p)
{
    (void)ctx;
    if (i >= 1)
        return 1;
    p->name = "smp_buf";
    p->blksiz = 2048;
    p->nblks = 4;
    p->nfree = 3;
    p->min = 1;
    return 0;
}

static int clock_get(void *ctx, int64_t *us)
{
    struct fx *f = ctx;
    if (!f->clock_set)
        return SMPSRV_OS_ERR_RTC_NOT_SET;
    *us = f->clock_us;
    return 0;
}

static int clock_set(void *ctx, int64_t us)
{
    struct fx *f = ctx;
    f->clock_us = us;
    f->clock_set = true;
    return 0;
}

static int stat_group(void *ctx, size_t i, const char **name)
{
    static const char *names[] = { "smp", "flash" };
    (void)ctx;
    if (i >= 2)
        return 1;
    *name = names[i];
    return 0;
}

static int stat_field(void *ctx, size_t g, size_t i, const char **name, uint64_t *v)
{
    struct fx *f = ctx;
    if (g == 0)
        return smpsrv_stat_field(&f->srv, i, name, v);
    if (i == 0) {
        *name = "erases";
        *v = f->fm.stats.erases;
        return 0;
    }
    return 1;
}

static int setting_find(struct fx *f, const char *name)
{
    for (int i = 0; i < 8; i++)
        if (f->settings[i].used && strcmp(f->settings[i].name, name) == 0)
            return i;
    return -1;
}

static int settings_read(void *ctx, const char *name, uint8_t *val, size_t cap, size_t *len)
{
    struct fx *f = ctx;
    int i = setting_find(f, name);
    if (i < 0)
        return SMPSRV_SETTINGS_ERR_KEY_NOT_FOUND;
    *len = f->settings[i].len;
    memcpy(val, f->settings[i].val, *len < cap ? *len : cap);
    return 0;
}

static int settings_write(void *ctx, const char *name, const uint8_t *val, size_t len)
{
    struct fx *f = ctx;
    int i = setting_find(f, name);
    if (len > sizeof f->settings[0].val)
        return SMPSRV_SETTINGS_ERR_WRITE_NOT_SUPPORTED;
    for (int k = 0; i < 0 && k < 8; k++)
        if (!f->settings[k].used)
            i = k;
    if (i < 0)
        return SMPSRV_SETTINGS_ERR_WRITE_NOT_SUPPORTED;
    f->settings[i].used = true;
    snprintf(f->settings[i].name, sizeof f->settings[i].name, "%s", name);
    memcpy(f->settings[i].val, val, len);
    f->settings[i].len = len;
    return 0;
}

static int settings_delete(void *ctx, const char *name)
{
    struct fx *f = ctx;
    int i = setting_find(f, name);
    if (i < 0)
        return SMPSRV_SETTINGS_ERR_KEY_NOT_FOUND;
    f->settings[i].used = false;
    return 0;
}

static int settings_commit(void *ctx) { ((struct fx *)ctx)->commits++; return 0; }
static int settings_load(void *ctx) { ((struct fx *)ctx)->loads++; return 0; }
static int settings_save(void *ctx, const char *sub) { (void)sub; ((struct fx *)ctx)->saves++; return 0; }

static int file_find(struct fx *f, const char *name)
{
    for (int i = 0; i < 4; i++)
        if (f->files[i].used && strcmp(f->files[i].name, name) == 0)
            return i;
    return -1;
}

static int fs_stat(void *ctx, const char *name, uint32_t *len)
{
    struct fx *f = ctx;
    int i = file_find(f, name);
    if (i < 0)
        return SMPSRV_FS_ERR_FILE_NOT_FOUND;
    *len = f->files[i].len;
    return 0;
}

static int fs_read(void *ctx, const char *name, uint32_t off, uint8_t *buf, size_t cap, size_t *n)
{
    struct fx *f = ctx;
    int i = file_find(f, name);
    if (i < 0)
        return SMPSRV_FS_ERR_FILE_NOT_FOUND;
    if (off > f->files[i].len)
        return SMPSRV_FS_ERR_FILE_OFFSET_LARGER_THAN_FILE;
    *n = f->files[i].len - off < cap ? f->files[i].len - off : cap;
    memcpy(buf, f->files[i].data + off, *n);
    return 0;
}

static int fs_write(void *ctx, const char *name, uint32_t off, const uint8_t *d, size_t n)
{
    struct fx *f = ctx;
    int i = file_find(f, name);
    if (strstr(name, "..") || name[0] != '/')
        return SMPSRV_FS_ERR_FILE_INVALID_NAME;
    for (int k = 0; i < 0 && k < 4; k++)
        if (!f->files[k].used)
            i = k;
    if (i < 0 || off + n > sizeof f->files[0].data)
        return SMPSRV_FS_ERR_FILE_WRITE_FAILED;
    if (off == 0) {
        f->files[i].used = true;
        snprintf(f->files[i].name, sizeof f->files[i].name, "%s", name);
        f->files[i].len = 0;
    }
    if (off != f->files[i].len)
        return SMPSRV_FS_ERR_FILE_OFFSET_NOT_VALID;
    memcpy(f->files[i].data + off, d, n);
    f->files[i].len = (uint32_t)(off + n);
    return 0;
}

static void fs_close_cb(void *ctx) { ((struct fx *)ctx)->fs_closes++; }

static int shell_exec(void *ctx, int argc, const char *const argv[], char *out, size_t cap,
                      size_t *out_len, int *ret)
{
    (void)ctx;
    if (strcmp(argv[0], "echo") == 0) {
        size_t n = 0;
        for (int i = 1; i < argc; i++)
            n += (size_t)snprintf(out + n, cap - n, i > 1 ? " %s" : "%s", argv[i]);
        *out_len = n;
        *ret = 0;
        return 0;
    }
    if (strcmp(argv[0], "bin") == 0) { /* a command that prints raw bytes */
        static const char raw[] = "ok\xff \xe2\x82\xac \xe2\x82";
        *out_len = sizeof raw - 1;
        memcpy(out, raw, *out_len);
        *ret = 0;
        return 0;
    }
    *out_len = (size_t)snprintf(out, cap, "%s: command not found", argv[0]);
    *ret = -2;
    return 0;
}

static int storage_erase(void *ctx) { ((struct fx *)ctx)->storage_erases++; return 0; }

static int plat_reset(void *ctx, bool force)
{
    struct fx *f = ctx;
    f->reset_force = force;
    if (f->reset_rc)
        return f->reset_rc;
    f->resets++;
    return 0;
}

static uint32_t uptime_ms(void *ctx)
{
    return ((struct fx *)ctx)->now_ms;
}

static int plat_gate(void *ctx, const char **rsn)
{
    struct fx *f = ctx;
    if (f->gate_rc)
        *rsn = "press button 1 to enter DFU mode";
    return f->gate_rc;
}

int fx_setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);

    assert_non_null(f);
    assert_int_equal(flash_model_init_ram(&f->fm, 0x100000, 0x1000, 4), 0);
    f->slot0 = (struct flash_area){ .id = FA_ID_SLOT0, .dev = &f->fm.dev,
                                    .off = FX_SLOT0_ADDR, .size = FX_SLOT_SIZE };
    f->slot1 = (struct flash_area){ .id = FA_ID_SLOT1, .dev = &f->fm.dev,
                                    .off = FX_SLOT1_ADDR, .size = FX_SLOT_SIZE };
    f->record = (struct flash_area){ .id = FA_ID_STORAGE, .dev = &f->fm.dev,
                                     .off = FX_RECORD_ADDR, .size = 0x1000 };
    f->plat.slot0 = &f->slot0;
    f->plat.slot1 = &f->slot1;
    f->plat.upload_record = &f->record;
    f->plat.uptime_ms = uptime_ms;
    f->plat.boot_mode = 3;
    f->plat.max_image_size = FX_SLOT_SIZE - 0x2000;
    f->tp = (struct smpsrv_transport){ .buf_size = 2048, .buf_count = 4, .serial = true };
    f->plat.kernel_name = "Zephyr";
    f->plat.node_name = "mcusim";
    f->plat.kernel_release = "v3.7.0";
    f->plat.kernel_version = "#1";
    f->plat.build_time = "Nov 22 2026 01:00:00";
    f->plat.machine = "arm";
    f->plat.processor = "cortex-m4";
    f->plat.hw_platform = "nrf52840dk";
    f->plat.os_name = "Zephyr";
    f->plat.ctx = f;
    f->plat.reset = plat_reset;
    f->plat.image_gate = plat_gate;
    f->plat.task_info = task_info;
    f->plat.pool_info = pool_info;
    f->plat.clock_get = clock_get;
    f->plat.clock_set = clock_set;
    f->plat.stat_group = stat_group;
    f->plat.stat_field = stat_field;
    f->plat.settings_read = settings_read;
    f->plat.settings_write = settings_write;
    f->plat.settings_delete = settings_delete;
    f->plat.settings_commit = settings_commit;
    f->plat.settings_load = settings_load;
    f->plat.settings_save = settings_save;
    f->plat.fs_stat = fs_stat;
    f->plat.fs_read = fs_read;
    f->plat.fs_write = fs_write;
    f->plat.fs_close = fs_close_cb;
    f->plat.shell_exec = shell_exec;
    f->plat.storage_erase = storage_erase;
    fx_reboot(f);
    *state = f;
    return 0;
}

void fx_reboot(struct fx *f)
{
    flash_model_power_on(&f->fm);
    smpsrv_init(&f->srv, all_groups, sizeof all_groups / sizeof all_groups[0], &f->plat,
                f->rsp_buf, sizeof f->rsp_buf);
}

int fx_teardown(void **state)
{
    struct fx *f = *state;
    flash_model_close(&f->fm);
    free(f);
    return 0;
}

static void collect(void *arg, const uint8_t *msg, size_t len)
{
    struct fx *f = arg;
    assert_true(f->nrsp < FX_MAX_RSP);
    assert_true(len <= FX_RSP_CAP);
    memcpy(f->rsp[f->nrsp], msg, len);
    f->rsp_len[f->nrsp++] = len;
}

int fx_send(struct fx *f, const uint8_t *pkt, size_t len)
{
    f->nrsp = 0;
    return smpsrv_process(&f->srv, &f->tp, pkt, len, collect, f);
}

size_t fx_req(uint8_t *out, uint8_t op, uint8_t ver, uint16_t group, uint8_t id,
              uint8_t seq, const uint8_t *body, size_t body_len)
{
    out[0] = (uint8_t)(ver << 3 | op);
    out[1] = 0;
    out[2] = (uint8_t)(body_len >> 8);
    out[3] = (uint8_t)body_len;
    out[4] = (uint8_t)(group >> 8);
    out[5] = (uint8_t)group;
    out[6] = seq;
    out[7] = id;
    if (body_len)
        memcpy(out + 8, body, body_len);
    return 8 + body_len;
}

struct cv *fx_call(struct fx *f, uint8_t op, uint8_t ver, uint16_t group, uint8_t id,
                   const uint8_t *body, size_t body_len)
{
    static uint8_t seq;
    uint8_t *pkt = malloc(8 + body_len);
    struct cv *v;

    assert_non_null(pkt);
    seq++;
    size_t n = fx_req(pkt, op, ver, group, id, seq, body, body_len);
    assert_int_equal(fx_send(f, pkt, n), 1);
    free(pkt);
    assert_int_equal(f->nrsp, 1);
    const uint8_t *r = f->rsp[0];
    assert_true(f->rsp_len[0] >= 8);
    assert_int_equal(r[0], (uint8_t)((ver > 1 ? 1 : ver) << 3 | (op + 1)));
    assert_int_equal((r[2] << 8 | r[3]), f->rsp_len[0] - 8);
    assert_int_equal((r[4] << 8 | r[5]), group);
    assert_int_equal(r[6], seq);
    assert_int_equal(r[7], id);
    v = cv_load(r + 8, f->rsp_len[0] - 8);
    assert_non_null(v);
    assert_true(cv_is_map(v));
    return v;
}

void fx_put_slot(struct fx *f, const struct flash_area *fa, const uint8_t *data, size_t n)
{
    assert_true(n <= fa->size);
    memcpy(f->fm.mem + fa->off, data, n);
}

bool fx_have_vectors(void)
{
    const char *dir = getenv("SHARED_DIR");
    char path[4096];
    FILE *fp;

    if (!dir || !*dir)
        return false;
    snprintf(path, sizeof path, "%s/vectors/imgtool/manifest.json", dir);
    fp = fopen(path, "rb");
    if (!fp)
        return false;
    fclose(fp);
    return true;
}

uint8_t *fx_vector(const char *rel, size_t *n)
{
    const char *dir = getenv("SHARED_DIR");
    char path[4096];
    uint8_t *buf;
    long len;
    FILE *fp;

    if (!dir || !*dir)
        return NULL;
    snprintf(path, sizeof path, "%s/vectors/imgtool/%s", dir, rel);
    fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    buf = malloc(len > 0 ? (size_t)len : 1);
    assert_non_null(buf);
    *n = fread(buf, 1, (size_t)len, fp);
    fclose(fp);
    assert_int_equal(*n, (size_t)len);
    return buf;
}

void fx_key_new(struct fx_key *key, enum image_key_kind kind)
{
    char path[] = "/tmp/smpsrv-key-XXXXXX", err[256];
    int fd = mkstemp(path);

    assert_true(fd >= 0);
    close(fd);
    memset(key, 0, sizeof *key);
    assert_int_equal(img_key_generate(kind, path, NULL, err, sizeof err), 0);
    assert_int_equal(img_key_load(path, NULL, &key->k, err, sizeof err), 0);
    unlink(path);
    assert_int_equal(img_key_public_der(&key->k, &key->der, &key->der_len), 0);
}

void fx_key_free(struct fx_key *key)
{
    img_key_free(&key->k);
    free(key->der);
}

uint8_t *fx_image(uint8_t major, uint8_t minor, size_t n, uint32_t seed,
                  const struct fx_key *key, long sec_cnt, size_t *len)
{
    struct img_sign_opts o;
    struct img_signed out;
    char err[256];
    uint8_t *payload = malloc(n);

    assert_non_null(payload);
    for (size_t i = 0; i < n; i++)
        payload[i] = (uint8_t)((i * 31u + seed * 7u) ^ (i >> 8));
    img_sign_opts_init(&o);
    o.version = (struct image_version){ major, minor, 0, 0 };
    o.header_size = 0x200;
    o.pad_header = true;
    o.slot_size = FX_SLOT_SIZE;
    o.has_sec_cnt = sec_cnt >= 0;
    o.sec_cnt = sec_cnt >= 0 ? (uint32_t)sec_cnt : 0;
    assert_int_equal(img_sign(&o, key ? &key->k : NULL, NULL, payload, n, &out, err, sizeof err),
                     0);
    free(payload);
    *len = out.len;
    return out.buf; /* img_signed_free frees only buf */
}

void fx_sha256(const uint8_t *buf, size_t n, uint8_t out[32])
{
    size_t got = 0;
    assert_int_equal(image_hash_buf(IMAGE_TLV_SHA256, buf, n, out, 32, &got), 0);
    assert_int_equal(got, 32);
}

struct cv *fx_upload(struct fx *f, uint8_t ver, const struct fx_up *u)
{
    static uint8_t body[16384];
    struct cbor_writer w;

    cbor_writer_init(&w, body, sizeof body);
    cbor_open_map(&w, CBOR_INDEFINITE);
    if (u->image >= 0) {
        cbor_put_str(&w, "image");
        cbor_put_uint(&w, (uint64_t)u->image);
    }
    if (u->len >= 0) {
        cbor_put_str(&w, "len");
        cbor_put_uint(&w, (uint64_t)u->len);
    }
    cbor_put_str(&w, "off");
    cbor_put_uint(&w, u->off);
    if (u->sha) {
        cbor_put_str(&w, "sha");
        cbor_put_bytes(&w, u->sha, u->sha_len);
    }
    if (u->upgrade >= 0) {
        cbor_put_str(&w, "upgrade");
        cbor_put_bool(&w, u->upgrade);
    }
    cbor_put_str(&w, "data");
    cbor_put_bytes(&w, u->data, u->n);
    cbor_close(&w);
    assert_int_equal(w.status, CBOR_OK);
    return fx_call(f, SMP_OP_WRITE, ver, SMP_GROUP_IMAGE, 1, body, w.len);
}


int64_t fx_img_rc(const struct cv *body)
{
    const struct cv *err = cv_get(body, "err");
    if (!err)
        return -1;
    assert_int_equal(cv_get_int(err, "group", -1), 1);
    return cv_get_int(err, "rc", -1);
}

struct fx_key fx_trusted, fx_other;
static struct image_key trusted_der;

int fx_keys_setup(void **state)
{
    (void)state;
    /* Ed25519, or RSA-2048 on a crypto port without it (mbedTLS): both
     * sign with a fixed length, and the tests compare image lengths */
    enum image_key_kind kind =
        image_crypto_supports(IMAGE_KEY_ED25519) ? IMAGE_KEY_ED25519 : IMAGE_KEY_RSA2048;
    fx_key_new(&fx_trusted, kind);
    fx_key_new(&fx_other, kind);
    trusted_der = (struct image_key){ fx_trusted.der, fx_trusted.der_len };
    return 0;
}

int fx_keys_teardown(void **state)
{
    (void)state;
    fx_key_free(&fx_trusted);
    fx_key_free(&fx_other);
    return 0;
}

int fx_setup_signed(void **state)
{
    int rc = fx_setup(state);
    struct fx *f = *state;

    f->plat.keys = &trusted_der;
    f->plat.nkeys = 1;
    return rc;
}
