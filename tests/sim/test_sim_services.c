/* Unit tests of the simulated firmware's services through the SMP
 * platform callbacks the server calls: settings persist across a board
 * reopen, files stay confined and bounded, the shell answers known and
 * unknown commands, pools report the link's buffers, the clock can be set,
 * stats list real counters, and a board opens its state folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/board.h"
#include "sim/runtime.h"
#include "sim/settings_store.h"
#include "sim/sim.h"

static char dir[64];
static struct sim_board board;

static int open_board(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/simsvc.XXXXXX");
    assert_non_null(mkdtemp(dir));
    struct sim_config cfg;
    sim_config_defaults(&cfg);
    cfg.state_dir = dir;
    cfg.quiet = true;
    cfg.serial = "00112233aabbccdd";
    assert_int_equal(sim_board_open(&board, &cfg), SIM_OK);
    sim_platform_setup(&board);
    return 0;
}

static int close_board(void **state)
{
    (void)state;
    sim_board_close(&board);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void state_folder_is_laid_out(void **state)
{
    (void)state;
    char p[128];
    struct stat st;
    snprintf(p, sizeof p, "%s/flash.bin", dir);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_size, 0x100000);
    snprintf(p, sizeof p, "%s/fs/lfs", dir);
    assert_int_equal(stat(p, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_string_equal(board.hwid, "00112233aabbccdd");
    assert_int_equal(board.uart_tp.buf_size, 384);
    assert_int_equal(board.uart_tp.buf_count, 4);
    assert_true(board.uart_tp.serial);
    assert_int_equal(board.udp_tp.buf_size, 2048);
    assert_int_equal(board.udp_tp.buf_count, 2);
    assert_false(board.udp_tp.serial);
    assert_string_equal(board.plat.node_name, "00112233aabbccdd");
    assert_ptr_equal(board.plat.slot1, &board.areas[FA_ID_SLOT1]);
    assert_int_equal(board.areas[FA_ID_SLOT1].off, 0x82000);
}

static void settings_persist_across_reopen(void **state)
{
    (void)state;
    const struct smpsrv_platform *p = &board.plat;
    uint8_t val[16];
    size_t len;
    assert_int_equal(p->settings_write(p->ctx, "app/name", (const uint8_t *)"pump-7", 6), 0);
    assert_int_equal(p->settings_write(p->ctx, "cal/zero", (const uint8_t *)"\x00\xff", 2), 0);
    assert_int_equal(p->settings_delete(p->ctx, "cal/zero"), 0);
    assert_int_equal(p->settings_read(p->ctx, "cal/zero", val, sizeof val, &len),
                     SMPSRV_SETTINGS_ERR_KEY_NOT_FOUND);
    assert_int_equal(p->settings_delete(p->ctx, "nope"), SMPSRV_SETTINGS_ERR_KEY_NOT_FOUND);
    uint8_t big[SIM_SETTING_VAL_MAX + 1] = { 0 };
    assert_int_not_equal(p->settings_write(p->ctx, "big", big, sizeof big), 0);
    /* a new board on the same state folder (a restart) */
    struct sim_config cfg = board.cfg;
    sim_board_close(&board);
    assert_int_equal(sim_board_open(&board, &cfg), SIM_OK);
    sim_platform_setup(&board);
    p = &board.plat;
    assert_int_equal(p->settings_read(p->ctx, "app/name", val, sizeof val, &len), 0);
    assert_int_equal(len, 6);
    assert_memory_equal(val, "pump-7", 6);
}

/* A hand-edited settings file is read whole, however long (comment lines
 * first; the setting at its end comes back entire, not cut), and one that
 * cannot be read fails the load instead of reading as fewer settings. */
static void settings_file_is_read_whole_or_not_at_all(void **state)
{
    (void)state;
    const struct smpsrv_platform *p = &board.plat;
    char path[100], cmd[240];
    uint8_t val[16];
    size_t len;
    /* past 64 settings of the longest kind, "pump-7" in hex across it */
    const size_t old_buffer = SIM_SETTINGS_MAX * (SIM_SETTING_NAME_MAX + 2 * SIM_SETTING_VAL_MAX + 8);
    const char *entry = "app/name 70756d702d37\n";
    size_t junk = old_buffer - 1 - strlen("app/name 70756d70");

    snprintf(path, sizeof path, "%s/settings", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (size_t i = 0; i < junk; i++)
        fputc(i % 100 == 99 || i == junk - 1 ? '\n' : '#', f);
    fputs(entry, f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(sim_settings_load(&board.settings), SIM_OK);
    assert_int_equal(p->settings_read(p->ctx, "app/name", val, sizeof val, &len), 0);
    assert_int_equal(len, 6);
    assert_memory_equal(val, "pump-7", 6);

    /* a folder where the file should be: no read, an error */
    snprintf(cmd, sizeof cmd, "rm -f %s && mkdir %s", path, path);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(sim_settings_load(&board.settings), SIM_EIO);
    assert_int_not_equal(p->settings_load(p->ctx), 0);
}

static void files_are_confined_and_bounded(void **state)
{
    (void)state;
    const struct smpsrv_platform *p = &board.plat;
    uint8_t buf[64];
    size_t n;
    uint32_t len;
    assert_int_equal(p->fs_write(p->ctx, "/lfs/log.txt", 0, (const uint8_t *)"hello ", 6), 0);
    assert_int_equal(p->fs_write(p->ctx, "/lfs/log.txt", 6, (const uint8_t *)"world", 5), 0);
    assert_int_equal(p->fs_stat(p->ctx, "/lfs/log.txt", &len), 0);
    assert_int_equal(len, 11);
    assert_int_equal(p->fs_read(p->ctx, "/lfs/log.txt", 6, buf, sizeof buf, &n), 0);
    assert_int_equal(n, 5);
    assert_memory_equal(buf, "world", 5);
    assert_int_equal(p->fs_read(p->ctx, "/lfs/log.txt", 12, buf, sizeof buf, &n),
                     SMPSRV_FS_ERR_FILE_OFFSET_LARGER_THAN_FILE);
    assert_int_equal(p->fs_write(p->ctx, "/lfs/log.txt", 20, (const uint8_t *)"x", 1),
                     SMPSRV_FS_ERR_FILE_OFFSET_NOT_VALID);
    assert_int_equal(p->fs_stat(p->ctx, "/../flash.bin", &len), SMPSRV_FS_ERR_FILE_INVALID_NAME);
    assert_int_equal(p->fs_write(p->ctx, "../../x", 0, (const uint8_t *)"x", 1),
                     SMPSRV_FS_ERR_FILE_INVALID_NAME);
    assert_int_equal(p->fs_stat(p->ctx, "/lfs/missing", &len), SMPSRV_FS_ERR_FILE_NOT_FOUND);
    assert_int_equal(p->fs_stat(p->ctx, "/lfs", &len), SMPSRV_FS_ERR_FILE_IS_DIRECTORY);
    assert_int_equal(p->fs_write(p->ctx, "/lfs/huge", 1u << 20, (const uint8_t *)"x", 1),
                     SMPSRV_FS_ERR_FILE_WRITE_FAILED);
    char link[128];
    snprintf(link, sizeof link, "%s/fs/lfs/out", dir);
    assert_int_equal(symlink("/etc/hostname", link), 0);
    assert_int_equal(p->fs_read(p->ctx, "/lfs/out", 0, buf, sizeof buf, &n),
                     SMPSRV_FS_ERR_FILE_INVALID_NAME);
    assert_int_equal(p->storage_erase(p->ctx), 0);
    assert_int_equal(p->fs_stat(p->ctx, "/lfs/log.txt", &len), SMPSRV_FS_ERR_FILE_NOT_FOUND);
    struct stat st;
    assert_int_equal(lstat(link, &st), -1); /* the symlink went, its target stayed */
    assert_int_equal(stat("/etc/hostname", &st), 0);
}

static void shell_knows_its_commands(void **state)
{
    (void)state;
    const struct smpsrv_platform *p = &board.plat;
    char out[512];
    size_t len;
    int ret;
    const char *devlist[] = { "device", "list" };
    assert_int_equal(p->shell_exec(p->ctx, 2, devlist, out, sizeof out, &len, &ret), 0);
    assert_int_equal(ret, 0);
    assert_non_null(strstr(out, "flash-controller"));
    const char *uptime[] = { "kernel", "uptime" };
    p->shell_exec(p->ctx, 2, uptime, out, sizeof out, &len, &ret);
    assert_int_equal(ret, 0);
    assert_non_null(strstr(out, "Uptime: "));
    const char *devid[] = { "hwinfo", "devid" };
    p->shell_exec(p->ctx, 2, devid, out, sizeof out, &len, &ret);
    assert_non_null(strstr(out, "00112233aabbccdd"));
    const char *bogus[] = { "frobnicate" };
    p->shell_exec(p->ctx, 1, bogus, out, sizeof out, &len, &ret);
    assert_int_not_equal(ret, 0);
    assert_string_equal(out, "frobnicate: command not found\n");
    char tiny[8];
    const char *help[] = { "help" };
    p->shell_exec(p->ctx, 1, help, tiny, sizeof tiny, &len, &ret);
    assert_true(len < sizeof tiny);
}

static void os_figures_are_live(void **state)
{
    (void)state;
    const struct smpsrv_platform *p = &board.plat;
    struct smpsrv_pool pool;
    assert_int_equal(p->pool_info(p->ctx, 0, &pool), 0);
    assert_string_equal(pool.name, "smp_netbuf");
    assert_int_equal(pool.blksiz, 384);
    assert_int_equal(pool.nblks, 4);
    board.uart_st.inflight = 3;
    p->pool_info(p->ctx, 0, &pool);
    assert_int_equal(pool.nfree, 1);
    assert_int_equal(p->pool_info(p->ctx, 9, &pool), 1);
    struct smpsrv_task t;
    size_t n = 0;
    while (p->task_info(p->ctx, n, &t) == 0)
        n++;
    assert_true(n >= 5);
    int64_t now, later;
    assert_int_equal(p->clock_set(p->ctx, 946684800000000ll), 0); /* 2000-01-01 */
    assert_int_equal(p->clock_get(p->ctx, &now), 0);
    assert_in_range(now, 946684800000000ll, 946684860000000ll);
    p->clock_get(p->ctx, &later);
    assert_true(later >= now);
    const char *name;
    uint64_t v;
    assert_int_equal(p->stat_group(p->ctx, 1, &name), 0);
    assert_string_equal(name, "board");
    assert_int_equal(p->stat_field(p->ctx, 1, 0, &name, &v), 0);
    assert_string_equal(name, "boot_count");
    assert_int_equal(p->stat_group(p->ctx, 99, &name), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(state_folder_is_laid_out, open_board, close_board),
        cmocka_unit_test_setup_teardown(settings_persist_across_reopen, open_board, close_board),
        cmocka_unit_test_setup_teardown(settings_file_is_read_whole_or_not_at_all, open_board,
                                        close_board),
        cmocka_unit_test_setup_teardown(files_are_confined_and_bounded, open_board, close_board),
        cmocka_unit_test_setup_teardown(shell_knows_its_commands, open_board, close_board),
        cmocka_unit_test_setup_teardown(os_figures_are_live, open_board, close_board),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
