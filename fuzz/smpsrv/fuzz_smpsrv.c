/*
 * Fuzz target: whole transport packets into smpsrv_process, with every
 * group registered and a board whose callbacks answer plausibly (an upload
 * record page and an uptime included), over a small RAM NOR flash that
 * enforces the programming rules, on a serial and a UDP transport; then
 * once more as MCUboot's serial recovery (which must not answer on UDP).
 * Every response must hold the invariants of rsp_check.h (its header
 * matches the request, one well-formed CBOR map, error shapes), not just
 * a length. Flash is restored to erased whenever an input changed it, so
 * inputs replay alike.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rsp_check.h"
#include "sim/flash_model.h"
#include "smpsrv/smpsrv.h"

#define SLOT_SIZE 0x10000u
#define FLASH_SIZE (3 * SLOT_SIZE + 0x1000)

static struct flash_model fm;
static struct flash_area slot0, slot1, record;
static struct smpsrv_platform plat;
static struct smpsrv srv;
static uint8_t rsp_buf[1024];
static int initialised;

static int board_reset(void *ctx, bool force)
{
    (void)ctx;
    (void)force;
    return 0;
}

static uint32_t uptime_ms(void *ctx)
{
    (void)ctx;
    return 1000;
}

static int board_gate(void *ctx, const char **rsn)
{
    (void)ctx;
    (void)rsn;
    return 0;
}

/* ---- a plausible board behind the other groups ---- */

static int64_t clock_us;
static uint8_t setting[64];
static size_t setting_len;
static uint8_t file[4096];
static uint32_t file_len;

static int task_info(void *ctx, size_t i, struct smpsrv_task *t)
{
    (void)ctx;
    if (i >= 2)
        return 1;
    t->name = i ? "main" : "idle";
    t->stksiz = 256;
    return 0;
}

static int pool_info(void *ctx, size_t i, struct smpsrv_pool *p)
{
    (void)ctx;
    if (i >= 1)
        return 1;
    p->name = "buf";
    return 0;
}

static int clock_get(void *ctx, int64_t *us) { (void)ctx; *us = clock_us; return 0; }
static int clock_set(void *ctx, int64_t us) { (void)ctx; clock_us = us; return 0; }

static int stat_group(void *ctx, size_t i, const char **name)
{
    (void)ctx;
    if (i >= 1)
        return 1;
    *name = "smp";
    return 0;
}

static int stat_field(void *ctx, size_t g, size_t i, const char **name, uint64_t *v)
{
    (void)ctx;
    (void)g;
    return smpsrv_stat_field(&srv, i, name, v);
}

static int settings_read(void *ctx, const char *name, uint8_t *val, size_t cap, size_t *len)
{
    (void)ctx;
    (void)name;
    *len = setting_len;
    memcpy(val, setting, setting_len < cap ? setting_len : cap);
    return 0;
}

static int settings_write(void *ctx, const char *name, const uint8_t *val, size_t len)
{
    (void)ctx;
    (void)name;
    if (len > sizeof setting)
        return SMPSRV_SETTINGS_ERR_WRITE_NOT_SUPPORTED;
    memcpy(setting, val, len);
    setting_len = len;
    return 0;
}

static int settings_delete(void *ctx, const char *name) { (void)ctx; (void)name; setting_len = 0; return 0; }
static int settings_none(void *ctx) { (void)ctx; return 0; }
static int settings_save(void *ctx, const char *sub) { (void)ctx; (void)sub; return 0; }

static int fs_stat(void *ctx, const char *name, uint32_t *len)
{
    (void)ctx;
    if (name[0] != '/')
        return SMPSRV_FS_ERR_FILE_NOT_FOUND;
    *len = file_len;
    return 0;
}

static int fs_read(void *ctx, const char *name, uint32_t off, uint8_t *buf, size_t cap, size_t *n)
{
    (void)ctx;
    (void)name;
    if (off > file_len)
        return SMPSRV_FS_ERR_FILE_OFFSET_LARGER_THAN_FILE;
    *n = file_len - off < cap ? file_len - off : cap;
    memcpy(buf, file + off, *n);
    return 0;
}

static int fs_write(void *ctx, const char *name, uint32_t off, const uint8_t *d, size_t n)
{
    (void)ctx;
    (void)name;
    if (off != file_len && off != 0)
        return SMPSRV_FS_ERR_FILE_OFFSET_NOT_VALID;
    if (off + n > sizeof file)
        return SMPSRV_FS_ERR_FILE_WRITE_FAILED;
    memcpy(file + off, d, n);
    file_len = (uint32_t)(off + n);
    return 0;
}

static int shell_exec(void *ctx, int argc, const char *const argv[], char *out, size_t cap,
                      size_t *out_len, int *ret)
{
    size_t n = 0;
    (void)ctx;
    for (int i = 0; i < argc; i++) {
        size_t l = strlen(argv[i]);
        if (n + l > cap)
            break;
        memcpy(out + n, argv[i], l);
        n += l;
    }
    *out_len = n;
    *ret = argc;
    return 0;
}

static const struct smp_group *const groups[] = {
    &smp_group_os, &smp_group_img, &smp_group_stat, &smp_group_settings,
    &smp_group_fs, &smp_group_shell, &smp_group_enum, &smp_group_zephyr,
};

/* The board's two transports, as mcusim's defaults. */
static const struct smpsrv_transport uart = { .buf_size = 384, .buf_count = 4, .serial = true };
static const struct smpsrv_transport udp = { .buf_size = 2048, .buf_count = 2 };

/* The packet through the server, every response checked (rsp_check.h). */
static void serve(const struct smpsrv_transport *tp, const uint8_t *data, size_t size)
{
    struct rsp_check c;

    rsp_check_begin(&c, data, size, rsp_buf, sizeof rsp_buf, plat.recovery);
    rsp_check_end(&c, smpsrv_process(&srv, tp, data, size, rsp_check_emit, &c));
}

static void no_answer(void *arg, const uint8_t *msg, size_t len)
{
    (void)arg, (void)msg, (void)len;
    abort();
}

static void init(void)
{
    if (flash_model_init_ram(&fm, FLASH_SIZE, 0x1000, 4) != 0)
        abort();
    slot0 = (struct flash_area){ .id = FA_ID_SLOT0, .dev = &fm.dev, .off = SLOT_SIZE,
                                 .size = SLOT_SIZE };
    slot1 = (struct flash_area){ .id = FA_ID_SLOT1, .dev = &fm.dev, .off = 2 * SLOT_SIZE,
                                 .size = SLOT_SIZE };
    record = (struct flash_area){ .id = FA_ID_STORAGE, .dev = &fm.dev, .off = 3 * SLOT_SIZE,
                                  .size = 0x1000 };
    plat.slot0 = &slot0;
    plat.slot1 = &slot1;
    plat.upload_record = &record;
    plat.uptime_ms = uptime_ms;
    plat.boot_mode = 3;
    plat.reset = board_reset;
    plat.image_gate = board_gate;
    plat.task_info = task_info;
    plat.pool_info = pool_info;
    plat.clock_get = clock_get;
    plat.clock_set = clock_set;
    plat.stat_group = stat_group;
    plat.stat_field = stat_field;
    plat.settings_read = settings_read;
    plat.settings_write = settings_write;
    plat.settings_delete = settings_delete;
    plat.settings_commit = settings_none;
    plat.settings_load = settings_none;
    plat.settings_save = settings_save;
    plat.fs_stat = fs_stat;
    plat.fs_read = fs_read;
    plat.fs_write = fs_write;
    plat.shell_exec = shell_exec;
    plat.storage_erase = settings_none;
    initialised = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!initialised)
        init();
    smpsrv_init(&srv, groups, sizeof groups / sizeof groups[0], &plat, rsp_buf,
                sizeof rsp_buf);
    uint64_t changes = fm.stats.progs + fm.stats.erases;
    serve(&uart, data, size);
    /* twice: the second run sees the session and flash the first left */
    serve(&udp, data, size);
    /* and as the bootloader's serial recovery, on the same flash: it
     * answers on the serial line only */
    plat.recovery = true;
    smpsrv_init(&srv, groups, sizeof groups / sizeof groups[0], &plat, rsp_buf,
                sizeof rsp_buf);
    serve(&uart, data, size);
    if (smpsrv_process(&srv, &udp, data, size, no_answer, NULL) != 0)
        abort();
    plat.recovery = false;
    if (fm.stats.progs + fm.stats.erases != changes)
        memset(fm.mem, 0xff, fm.size);
    return 0;
}
