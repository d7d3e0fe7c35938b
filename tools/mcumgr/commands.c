/* The command table. A new group is a new cmd_<group>.c with its table and
 * one line here. */
#include "cli.h"
#include "commands.h"

static int run_version(struct cli_ctx *cx, int argc, char **argv)
{
    (void)argv;
    if (argc)
        return out_usage(cx, "version takes no arguments");
    if (cx->json)
        out_json_kv(cx, "version", MCUTOOLS_VERSION);
    else
        out_line(cx, "mcumgr " MCUTOOLS_VERSION);
    return EXIT_OK;
}

const struct cli_cmd cli_root[] = {
    { "conn", NULL, "manage saved connection profiles", NULL, 0, NULL, cli_conn_cmds },
    { "echo", "<text>", "send text to the device and print its echo", cmd_echo, CLI_NEEDS_CONN, NULL, NULL },
    { "image", NULL, "manage firmware images (list, upload, test, confirm, erase)", NULL, 0, NULL, cli_image_cmds },
    { "reset", NULL, "reset (reboot) the device", cmd_reset, CLI_NEEDS_CONN | CLI_CHANGES_STATE, cli_reset_opts, NULL },
    { "dfu", "<file>", "checked update: upload, test, reset, verify, then confirm, revert or trial", cmd_dfu, CLI_CHANGES_STATE, cli_dfu_opts, NULL },
    { "fleet", NULL, "update many devices from an inventory (update)", NULL, 0, NULL, cli_fleet_cmds },
    { "params", NULL, "show the device's SMP buffer size and count", cmd_params, CLI_NEEDS_CONN, NULL, NULL },
    { "audit", NULL, "the audit trail of state changes (list, show, export, verify, record)", NULL, 0, NULL, cli_audit_cmds },
    { "taskstat", NULL, "show the device's task (thread) statistics", cmd_taskstat, CLI_NEEDS_CONN, NULL, NULL },
    { "mpstat", NULL, "show the device's memory pool statistics", cmd_mpstat, CLI_NEEDS_CONN, NULL, NULL },
    { "datetime", "[now|RFC3339]", "read the device's clock, or set it (to now, or to the given time)", cmd_datetime, CLI_NEEDS_CONN, NULL, NULL },
    { "os", NULL, "OS group queries (info)", NULL, 0, NULL, cli_os_cmds },
    { "bootloader", "[query]", "show the bootloader's name, or answer a query (mode)", cmd_bootloader, CLI_NEEDS_CONN, NULL, NULL },
    { "stat", "<group>", "read statistics (list, show [group], or one group)", cmd_stat, CLI_NEEDS_CONN, NULL, cli_stat_cmds },
    { "config", "<name> [value]", "read or write a setting, or save (Go mcumgr syntax)", cmd_config, CLI_NEEDS_CONN, NULL, NULL },
    { "settings", NULL, "device settings (read, write, delete, commit, load, save)", NULL, 0, NULL, cli_settings_cmds },
    { "fs", NULL, "device files (upload, download, stat, hash, hash-types, close)", NULL, 0, NULL, cli_fs_cmds },
    { "shell", NULL, "run a command on the device's shell (exec)", NULL, 0, NULL, cli_shell_cmds },
    { "enum", NULL, "which management groups the device supports (count, list, single, details)", NULL, 0, NULL, cli_enum_cmds },
    { "basic", NULL, "Zephyr basic group (erase-storage)", NULL, 0, NULL, cli_basic_cmds },
    { "ble", NULL, "Bluetooth LE through BlueZ (scan: the SMP devices in range)", NULL, 0, NULL, cli_ble_cmds },
    { "version", NULL, "print the mcumgr version", run_version, 0, NULL, NULL },
    { NULL, NULL, NULL, NULL, 0, NULL, NULL },
};
