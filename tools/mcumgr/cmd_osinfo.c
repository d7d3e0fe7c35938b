/* OS group commands beyond echo/reset/params: taskstat, mpstat, datetime,
 * os info, bootloader. Text output in the Go tool's format where it has
 * the command; --json prints the device's decoded response. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/mgmt.h"
#include "commands.h"

#define MAX_ROWS 64

int cmd_taskstat(struct cli_ctx *cx, int argc, char **argv)
{
    static struct client_rsp rsp;
    static struct client_task t[MAX_ROWS];
    size_t n;
    int rc;

    (void)argv;
    if (argc)
        return out_usage(cx, "taskstat takes no arguments");
    rc = client_taskstat(&cx->sess, t, MAX_ROWS, &n, &rsp);
    if (rc)
        return out_client_error(cx, rc);
    if (cx->json) {
        out_json_body(cx, &rsp.body);
        return EXIT_OK;
    }
    out_line(cx, "  %8s %3s %3s %8s %8s %8s %8s %8s %8s", "task", "pri", "tid", "runtime", "csw",
             "stksz", "stkuse", "last_checkin", "next_checkin");
    for (size_t i = 0; i < n; i++)
        out_line(cx, "  %8s %3llu %3llu %8llu %8llu %8llu %8llu %8llu %8llu", t[i].name,
                 (unsigned long long)t[i].prio, (unsigned long long)t[i].tid,
                 (unsigned long long)t[i].runtime, (unsigned long long)t[i].cswcnt,
                 (unsigned long long)t[i].stksiz, (unsigned long long)t[i].stkuse,
                 (unsigned long long)t[i].last_checkin, (unsigned long long)t[i].next_checkin);
    return EXIT_OK;
}

int cmd_mpstat(struct cli_ctx *cx, int argc, char **argv)
{
    static struct client_rsp rsp;
    static struct client_pool p[MAX_ROWS];
    size_t n;
    int rc;

    (void)argv;
    if (argc)
        return out_usage(cx, "mpstat takes no arguments");
    rc = client_mpstat(&cx->sess, p, MAX_ROWS, &n, &rsp);
    if (rc)
        return out_client_error(cx, rc);
    if (cx->json) {
        out_json_body(cx, &rsp.body);
        return EXIT_OK;
    }
    out_line(cx, "%32s %5s %4s %4s %4s", "name", "blksz", "cnt", "free", "min");
    for (size_t i = 0; i < n; i++)
        out_line(cx, "%32s %5llu %4llu %4llu %4llu", p[i].name, (unsigned long long)p[i].blksiz,
                 (unsigned long long)p[i].nblks, (unsigned long long)p[i].nfree,
                 (unsigned long long)p[i].min);
    return EXIT_OK;
}

int cmd_datetime(struct cli_ctx *cx, int argc, char **argv)
{
    char text[CLIENT_DATETIME_MAX + 32];
    int rc;

    if (argc > 1)
        return out_usage(cx, "datetime takes at most one argument: now, or a date and time "
                             "like 2024-03-02T22:44:00 (RFC 3339)");
    if (argc == 0) {
        rc = client_datetime_get(&cx->sess, text, sizeof text);
        if (rc)
            return out_client_error(cx, rc);
        if (cx->json)
            out_json_kv(cx, "datetime", text);
        else
            out_line(cx, "Datetime(RFC 3339 format): %s", text);
        return EXIT_OK;
    }
    if (strcmp(argv[0], "now") == 0)
        rc = client_datetime_now(text, sizeof text);
    else if (client_datetime_check(argv[0]) == 0)
        rc = snprintf(text, sizeof text, "%s", argv[0]) >= (int)sizeof text;
    else
        return out_usage(cx, "invalid date and time \"%s\": expected now or "
                             "yyyy-MM-ddTHH:mm:ss[.ffffff][Z|+hh:mm] (RFC 3339)", argv[0]);
    if (rc)
        return out_usage(cx, "invalid date and time \"%s\"", argv[0]);
    rc = client_datetime_set(&cx->sess, text);
    cli_record_state_change(cx, "datetime set", text, rc);
    if (rc)
        return out_client_error(cx, rc);
    if (cx->json)
        out_json_kv(cx, "datetime", text);
    else
        out_line(cx, "Done");
    return EXIT_OK;
}

static int os_info(struct cli_ctx *cx, int argc, char **argv)
{
    char out[CLIENT_MSG_MAX];
    int rc;

    if (argc > 1)
        return out_usage(cx, "os info takes at most one format string (letters s n r v b m p i o, "
                             "or a for all)");
    /* the letters are the device's to judge: custom firmware adds its own */
    if (argc && !argv[0][0])
        return out_usage(cx, "empty format: use letters such as s n r v b m p i o, or a for all");
    rc = client_os_info(&cx->sess, argc ? argv[0] : NULL, out, sizeof out);
    if (rc)
        return out_client_error(cx, rc);
    if (cx->json)
        out_json_kv(cx, "output", out);
    else
        out_line(cx, "%s", out);
    return EXIT_OK;
}

const struct cli_cmd cli_os_cmds[] = {
    { "info", "[format]", "show OS/application info (format letters s n r v b m p i o, a = all)",
      os_info, CLI_NEEDS_CONN, NULL, NULL },
    { NULL, NULL, NULL, NULL, 0, NULL, NULL },
};

int cmd_bootloader(struct cli_ctx *cx, int argc, char **argv)
{
    static struct client_rsp rsp;
    struct client_bootloader b;
    int rc;

    if (argc > 1)
        return out_usage(cx, "bootloader takes at most one query (e.g. mode)");
    rc = client_bootloader_info(&cx->sess, argc ? argv[0] : NULL, &b, &rsp);
    if (rc)
        return out_client_error(cx, rc);
    if (cx->json) {
        out_json_body(cx, &rsp.body);
        return EXIT_OK;
    }
    if (b.name[0])
        out_line(cx, "bootloader: %s", b.name);
    if (b.has_mode) {
        const char *name = client_boot_mode_name(b.mode);
        out_line(cx, "mode: %lld%s%s%s", (long long)b.mode, name ? " (" : "", name ? name : "",
                 name ? ")" : "");
        out_line(cx, "no-downgrade: %s", b.no_downgrade ? "true" : "false");
    }
    if (!b.name[0] && !b.has_mode) /* a query we do not know: show what came */
        out_json_body(cx, &rsp.body);
    return EXIT_OK;
}
