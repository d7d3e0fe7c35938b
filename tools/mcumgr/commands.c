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
        out_json_text(cx, "{\"version\":\"" MCUTOOLS_VERSION "\"}");
    else
        out_line(cx, "mcumgr " MCUTOOLS_VERSION);
    return EXIT_OK;
}

const struct cli_cmd cli_root[] = {
    { "conn", NULL, "manage saved connection profiles", NULL, 0, NULL, cli_conn_cmds },
    { "echo", "<text>", "send text to the device and print its echo", cmd_echo, CLI_NEEDS_CONN, NULL, NULL },
    { "image", NULL, "manage firmware images (list, upload, test, confirm, erase)", NULL, 0, NULL, cli_image_cmds },
    { "reset", NULL, "reset (reboot) the device", cmd_reset, CLI_NEEDS_CONN, cli_reset_opts, NULL },
    { "params", NULL, "show the device's SMP buffer size and count", cmd_params, CLI_NEEDS_CONN, NULL, NULL },
    { "audit", NULL, "the audit trail of state changes (list, show, export, verify, record)", NULL, 0, NULL, cli_audit_cmds },
    { "version", NULL, "print the mcumgr version", run_version, 0, NULL, NULL },
    { NULL, NULL, NULL, NULL, 0, NULL, NULL },
};
