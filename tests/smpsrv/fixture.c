#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cbor_view.h"
#include "fixture.h"

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
    f->plat.slot0 = &f->slot0;
    f->plat.slot1 = &f->slot1;
    f->plat.boot_mode = 3;
    f->plat.max_image_size = FX_SLOT_SIZE - 0x2000;
    f->plat.buf_size = 2048;
    f->plat.buf_count = 4;
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
    smpsrv_init(&f->srv, all_groups, sizeof all_groups / sizeof all_groups[0], &f->plat,
                f->rsp_buf, sizeof f->rsp_buf);
    *state = f;
    return 0;
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
    return smpsrv_process(&f->srv, pkt, len, collect, f);
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
