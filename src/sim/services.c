/*
 * Services of the simulated firmware behind the management groups beyond
 * os/img (issue 5): its threads and buffer pools with live figures, a
 * clock, statistics, settings persisted in DIR/settings, files confined to
 * DIR/fs, a small shell, and storage erase.
 *
 * Every callback returns 0 or the group's positive error code, as
 * smpsrv.h specifies. Not here: CBOR shaping (smpsrv/groups).
 */
#include "sim/services.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "sim/fsroot.h"
#include "sim/settings_store.h"
#include "sim/shell.h"
#include "sim/sim.h"

static struct sim_board *board_of(void *ctx) { return ctx; }

static uint32_t uptime_ms(const struct sim_board *b)
{
    return (uint32_t)((sim_now_ns() - b->boot_ns) / 1000000u);
}

/* ---- OS: threads and pools ---- */

/* The firmware's threads as a Zephyr build with MCUmgr over UART and UDP
 * would have them; stack use grows with the work each one did. */
static int task_info(void *ctx, size_t index, struct smpsrv_task *t)
{
    static const struct { const char *name; uint32_t prio, stksiz; } threads[] = {
        { "idle", 15, 80 },         { "main", 0, 512 },
        { "sysworkq", 14, 256 },    { "smp_workq", 14, 576 },
        { "net_rx", 14, 384 },      { "shell_uart", 14, 512 },
        { "logging", 14, 192 },
    };
    struct sim_board *b = board_of(ctx);
    if (index >= sizeof threads / sizeof threads[0])
        return 1;
    uint32_t work = b->srv.stats.requests;
    memset(t, 0, sizeof *t);
    t->name = threads[index].name;
    t->prio = threads[index].prio;
    t->tid = (uint32_t)index + 1;
    t->state = index == 0 ? 0 : 1;
    t->stksiz = threads[index].stksiz;
    t->stkuse = t->stksiz / 4 + (index == 3 ? (work > 100 ? 100 : work) : 0);
    t->cswcnt = uptime_ms(b) / 10 + (index == 3 ? work * 2 : 0);
    t->runtime = index == 0 ? uptime_ms(b) : work;
    return 0;
}

/* The SMP network buffers are a real pool: its free count is what the
 * board's links hold right now. */
static int pool_info(void *ctx, size_t index, struct smpsrv_pool *p)
{
    struct sim_board *b = board_of(ctx);
    const struct sim_link_stats *u = &b->uart_st;
    const struct smpsrv_transport *pl = &b->uart_tp;
    memset(p, 0, sizeof *p);
    if (index == 0) {
        p->name = "smp_netbuf";
        p->blksiz = pl->buf_size;
        p->nblks = pl->buf_count;
        p->nfree = pl->buf_count > u->inflight ? pl->buf_count - u->inflight : 0;
        p->min = pl->buf_count > u->max_inflight ? pl->buf_count - u->max_inflight : 0;
        return 0;
    }
    if (index == 1) {
        p->name = "sys_heap";
        p->blksiz = 64;
        p->nblks = 256;
        p->nfree = 200;
        p->min = 180;
        return 0;
    }
    return 1;
}

/* ---- OS: clock (an RTC running from the host clock, settable) ---- */

static int64_t host_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

static int clock_get(void *ctx, int64_t *unix_us)
{
    *unix_us = host_us() + board_of(ctx)->clock_offset_us;
    return 0;
}

static int clock_set(void *ctx, int64_t unix_us)
{
    struct sim_board *b = board_of(ctx);
    b->clock_offset_us = unix_us - host_us();
    sim_board_log(b, "rtc: set (offset %+lld s from the host clock)",
                  (long long)(b->clock_offset_us / 1000000));
    return 0;
}

/* ---- Stat ---- */

static const char *const stat_groups[] = { "smp", "board", "flash", "uart", "udp" };
#define NSTAT_GROUPS (sizeof stat_groups / sizeof stat_groups[0])

static int stat_group(void *ctx, size_t index, const char **name)
{
    (void)ctx;
    if (index >= NSTAT_GROUPS)
        return 1;
    *name = stat_groups[index];
    return 0;
}

static int link_field(const struct sim_link_stats *s, size_t f, const char **name,
                      uint64_t *v)
{
    const char *names[] = { "rx_bytes", "tx_bytes", "requests", "responses",
                            "dropped_no_buf", "dropped_too_big", "dropped_long_line",
                            "dropped_corrupt", "max_inflight" };
    const uint64_t vals[] = { s->rx_bytes, s->tx_bytes, s->requests, s->responses,
                              s->dropped_no_buf, s->dropped_too_big, s->dropped_long_line,
                              s->dropped_corrupt, s->max_inflight };
    if (f >= sizeof vals / sizeof vals[0])
        return 1;
    *name = names[f];
    *v = vals[f];
    return 0;
}

static int board_field(const struct sim_board *b, size_t f, const char **name,
                       uint64_t *v)
{
    const char *names[] = { "boot_count", "reset_cause", "uptime_s", "dfu_mode" };
    const uint64_t vals[] = { b->boot_count, (uint64_t)b->reset_cause,
                              uptime_ms(b) / 1000u, b->dfu_mode };
    if (f >= sizeof vals / sizeof vals[0])
        return 1;
    *name = names[f];
    *v = vals[f];
    return 0;
}

static int flash_field(const struct flash_stats *s, size_t f, const char **name,
                       uint64_t *v)
{
    const char *names[] = { "erases", "sectors_erased", "writes", "bytes_written",
                            "reads", "bytes_read" };
    const uint64_t vals[] = { s->erases, s->sectors_erased, s->progs,
                              s->bytes_programmed, s->reads, s->bytes_read };
    if (f >= sizeof vals / sizeof vals[0])
        return 1;
    *name = names[f];
    *v = vals[f];
    return 0;
}

static int stat_field(void *ctx, size_t group, size_t field, const char **name,
                      uint64_t *value)
{
    struct sim_board *b = board_of(ctx);
    switch (group) {
    case 0: return smpsrv_stat_field(&b->srv, field, name, value);
    case 1: return board_field(b, field, name, value);
    case 2: return flash_field(&b->flash.stats, field, name, value);
    case 3: return link_field(&b->uart_st, field, name, value);
    case 4: return link_field(&b->udp_st, field, name, value);
    }
    return 1;
}

/* ---- Settings (persisted in DIR/settings on every change) ---- */

static int settings_read(void *ctx, const char *name, uint8_t *val, size_t cap,
                         size_t *len)
{
    return sim_settings_get(&board_of(ctx)->settings, name, val, cap, len) == SIM_OK
               ? 0 : SMPSRV_SETTINGS_ERR_KEY_NOT_FOUND;
}

static int settings_write(void *ctx, const char *name, const uint8_t *val, size_t len)
{
    struct sim_board *b = board_of(ctx);
    int rc = sim_settings_set(&b->settings, name, val, len);
    if (rc == SIM_ETOOBIG) {
        sim_board_log(b, "settings: refused '%s': value of %zu bytes (limit %d)",
                      name, len, SIM_SETTING_VAL_MAX);
        return SMPSRV_SETTINGS_ERR_WRITE_NOT_SUPPORTED;
    }
    if (rc != SIM_OK)
        return SMPSRV_SETTINGS_ERR_KEY_TOO_LONG;
    return sim_settings_save(&b->settings) == SIM_OK ? 0 : SMPSRV_SETTINGS_ERR_SAVE_NOT_SUPPORTED;
}

static int settings_delete(void *ctx, const char *name)
{
    struct sim_board *b = board_of(ctx);
    if (sim_settings_delete(&b->settings, name) != SIM_OK)
        return SMPSRV_SETTINGS_ERR_KEY_NOT_FOUND;
    return sim_settings_save(&b->settings) == SIM_OK ? 0 : SMPSRV_SETTINGS_ERR_SAVE_NOT_SUPPORTED;
}

static int settings_commit(void *ctx) { (void)ctx; return 0; }

static int settings_load(void *ctx)
{
    return sim_settings_load(&board_of(ctx)->settings) == SIM_OK ? 0 : SMPSRV_SETTINGS_ERR_READ_NOT_SUPPORTED;
}

static int settings_save(void *ctx, const char *subtree)
{
    (void)subtree; /* every change is saved already; saving again is harmless */
    return sim_settings_save(&board_of(ctx)->settings) == SIM_OK ? 0 : SMPSRV_SETTINGS_ERR_SAVE_NOT_SUPPORTED;
}

/* ---- Shell and storage ---- */

static int shell_exec(void *ctx, int argc, const char *const argv[], char *out,
                      size_t cap, size_t *out_len, int *ret)
{
    struct sim_board *b = board_of(ctx);
    *ret = sim_shell_run(b, argc, argv, out, cap, out_len);
    return 0;
}

static int storage_erase(void *ctx)
{
    struct sim_board *b = board_of(ctx);
    const struct flash_area *st = &b->areas[FA_ID_STORAGE];
    /* with swap-using-scratch the area is the scratch, which a swap owns */
    if (b->cfg.strategy != BOOT_STRATEGY_SWAP_SCRATCH &&
        fa_erase(st, 0, st->size) != FLASH_OK)
        return SMPSRV_ZEPHYR_ERR_FLASH_ERASE_FAILED;
    sim_settings_clear(&b->settings);
    if (sim_settings_save(&b->settings) != SIM_OK || sim_fs_wipe(b->path_fs) != SIM_OK)
        return SMPSRV_ZEPHYR_ERR_FLASH_ERASE_FAILED;
    sim_board_log(b, "storage: erased (settings and files)");
    return 0;
}

void sim_fs_fill(struct smpsrv_platform *p);

void sim_services_fill(struct sim_board *b, struct smpsrv_platform *p)
{
    (void)b;
    p->task_info = task_info;
    p->pool_info = pool_info;
    p->clock_get = clock_get;
    p->clock_set = clock_set;
    p->stat_group = stat_group;
    p->stat_field = stat_field;
    p->settings_read = settings_read;
    p->settings_write = settings_write;
    p->settings_delete = settings_delete;
    p->settings_commit = settings_commit;
    p->settings_load = settings_load;
    p->settings_save = settings_save;
    p->shell_exec = shell_exec;
    p->storage_erase = storage_erase;
    sim_fs_fill(p);
}

const struct smp_group *const *sim_services_groups(size_t *n)
{
    static const struct smp_group *const groups[] = {
        &smp_group_os, &smp_group_img, &smp_group_stat, &smp_group_settings,
        &smp_group_fs, &smp_group_shell, &smp_group_enum, &smp_group_zephyr,
    };
    *n = sizeof groups / sizeof groups[0];
    return groups;
}
