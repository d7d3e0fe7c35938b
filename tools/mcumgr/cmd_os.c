/* OS group commands: echo, reset, params. */
#include <stdio.h>
#include <string.h>

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
    { NULL, 0, NULL, NULL },
};

int cmd_reset(struct cli_ctx *cx, int argc, char **argv)
{
    int rc;

    (void)argv;
    if (argc)
        return out_usage(cx, "reset takes no arguments");
    rc = cli_reset_device(cx, cli_opt_set(cx, "force"));
    /* A USB CDC port often vanishes while the device reboots: the request
     * went out, so the reset is under way. */
    if (rc == CLIENT_ERR_IO) {
        out_note(cx, "Warning: the connection closed right after the reset request "
                     "(normal while the device reboots)");
        rc = 0;
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
        out_jsonf(cx, "{\"buf_size\":%u,\"buf_count\":%u}", p.buf_size, p.buf_count);
    } else {
        out_line(cx, "buf_size: %u", p.buf_size);
        out_line(cx, "buf_count: %u", p.buf_count);
    }
    return EXIT_OK;
}
