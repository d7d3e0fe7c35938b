/* OS group commands: echo, reset, params. */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "commands.h"

int cmd_echo(struct cli_ctx *cx, int argc, char **argv)
{
    char out[CLIENT_MSG_MAX];
    int rc;

    if (argc != 1)
        return out_usage(cx, "echo needs exactly one argument (quote text with spaces)");
    rc = client_echo(&cx->sess, argv[0], out, sizeof out);
    if (rc)
        return out_client_error(cx, rc);
    if (cx->json)
        out_json_kv(cx, "r", out); /* the decoded response */
    else
        out_line(cx, "%s", out);
    return EXIT_OK;
}

const struct cli_opt cli_reset_opts[] = {
    { "force", 0, NULL, "ask the device to reset even if it would refuse (EBUSY)" },
    { "wait", 0, NULL, "wait until the device answers again (it may install an update first)" },
    { "wait-max", 0, "seconds", "how long --wait waits (default 120)" },
    { NULL, 0, NULL, NULL },
};

#define RESET_WAIT_DEFAULT_S 120

/* --wait: until the rebooted device answers, however long its bootloader
 * takes (within --wait-max). */
static int wait_for_reboot(struct cli_ctx *cx, unsigned max_s)
{
    int waited = 0;
    int rc;

    if (!cx->json)
        out_note(cx, "waiting for the device to come back (up to %u s)...", max_s);
    rc = client_wait_ready(&cx->sess, &cx->conn, (int)max_s * 1000, &waited);
    if (rc == CLIENT_ERR_TIMEOUT)
        return out_fail(cx, "the device did not answer within %u s of the reset; it may still "
                            "be installing an update (try --wait-max), or it did not boot",
                        max_s);
    if (rc)
        return out_client_error(cx, rc);
    if (!cx->json)
        out_note(cx, "the device answers again after %.1f s", waited / 1000.0);
    return EXIT_OK;
}

int cmd_reset(struct cli_ctx *cx, int argc, char **argv)
{
    int rc;

    unsigned long long max_s = RESET_WAIT_DEFAULT_S;
    const char *v = cli_opt_get(cx, "wait-max");

    (void)argv;
    if (argc)
        return out_usage(cx, "reset takes no arguments");
    if (v && (cli_parse_uint(v, 3600, &max_s) != 0 || max_s == 0))
        return out_usage(cx, "invalid --wait-max \"%s\" (1..3600 seconds)", v);
    rc = cli_reset_device(cx, cli_opt_set(cx, "force"));
    /* A USB CDC port often vanishes while the device reboots: the request
     * went out, so the reset is under way. */
    if (rc == CLIENT_ERR_IO) {
        out_note(cx, "Warning: the connection closed right after the reset request "
                     "(normal while the device reboots)");
        rc = 0;
    }
    if (rc == 0 && (cli_opt_set(cx, "wait") || v)) {
        int wrc = wait_for_reboot(cx, (unsigned)max_s);
        cli_record_state_change(cx, "reset", "", rc);
        return wrc ? wrc : out_done(cx, rc);
    }
    cli_record_state_change(cx, "reset", "", rc);
    return out_done(cx, rc);
}

int cmd_params(struct cli_ctx *cx, int argc, char **argv)
{
    struct client_params p;
    int rc;

    (void)argv;
    if (argc)
        return out_usage(cx, "params takes no arguments");
    rc = client_params(&cx->sess, &p);
    if (rc)
        return out_client_error(cx, rc);
    if (cx->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "buf_size", p.buf_size);
        cJSON_AddNumberToObject(o, "buf_count", p.buf_count);
        out_json_doc(cx, o);
    } else {
        out_line(cx, "buf_size: %u", p.buf_size);
        out_line(cx, "buf_count: %u", p.buf_count);
    }
    return EXIT_OK;
}
