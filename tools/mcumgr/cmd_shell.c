/* `shell exec <command> [args...]`: runs one command line on the device's
 * shell and prints `status=<n>` then its output, as the Go tool does (we
 * read the status from `ret`, or `rc` from legacy servers). The exit code
 * is non-zero when the command failed on the device. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/mgmt.h"
#include "commands.h"

#define SHELL_ARGS_MAX 64
/* The command line an audit record keeps: the detail field holds 511
 * characters, and the status follows the line. */
#define SHELL_RECORD_LINE_MAX 400

/* Splits every argument at blanks: `shell exec "device list"` (the user's
 * guide) and `shell exec device list` then mean the same, as they do on
 * Zephyr, whose shell joins argv into one line and parses it again. */
static int split_args(int argc, char **argv, char *buf, size_t cap, const char **out)
{
    size_t used = 0;
    int n = 0;

    for (int i = 0; i < argc; i++) {
        const char *p = argv[i];
        while (*p) {
            size_t len;
            p += strspn(p, " \t");
            len = strcspn(p, " \t");
            if (len == 0)
                break;
            if (n == SHELL_ARGS_MAX || used + len + 1 > cap)
                return -1;
            memcpy(buf + used, p, len);
            buf[used + len] = '\0';
            out[n++] = buf + used;
            used += len + 1;
            p += len;
        }
    }
    return n;
}

/* The words as the device's shell joined them, cut (and marked "...") at
 * SHELL_RECORD_LINE_MAX characters. */
static void record_line(int n, const char **args, char *out, size_t cap)
{
    size_t used = 0;

    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        int w = snprintf(out + used, cap - used, "%s%s", i ? " " : "", args[i]);
        if (w < 0 || (size_t)w >= cap - used) {
            snprintf(out + (cap > 4 ? cap - 4 : 0), cap > 4 ? 4 : cap, "...");
            return;
        }
        used += (size_t)w;
    }
}

static int shell_exec(struct cli_ctx *cx, int argc, char **argv)
{
    static struct client_rsp rsp;
    static char out[CLIENT_MSG_MAX], words[CLIENT_MSG_MAX];
    const char *args[SHELL_ARGS_MAX];
    char line[SHELL_RECORD_LINE_MAX + 1], detail[SHELL_RECORD_LINE_MAX + 32];
    int n, ret = 0, rc;

    n = split_args(argc, argv, words, sizeof words, args);
    if (n < 0)
        return out_usage(cx, "the command line is too long");
    if (n == 0)
        return out_usage(cx, "shell exec needs a command (e.g. shell exec device list)");
    rc = client_shell_exec(&cx->sess, n, args, out, sizeof out, &ret, &rsp);
    record_line(n, args, line, sizeof line);
    /* a status only when the device ran the command */
    if (rc == 0)
        snprintf(detail, sizeof detail, "%s (status %d)", line, ret);
    else
        snprintf(detail, sizeof detail, "%s", line);
    cli_record_state_change(cx, "shell exec", detail, rc);
    if (rc)
        return out_client_error(cx, rc);
    if (cx->json) {
        out_json_body(cx, &rsp.body);
    } else {
        size_t l = strlen(out);
        out_line(cx, "status=%d", ret);
        if (l)
            out_line(cx, "%.*s", (int)(out[l - 1] == '\n' ? l - 1 : l), out);
    }
    if (ret != 0 && !cx->json) {
        fflush(stdout); /* the output first, then why the exit code is 1 */
        out_note(cx, "Error: the command failed on the device (status %d)", ret);
    }
    return ret != 0 ? EXIT_FAIL : EXIT_OK;
}

const struct cli_cmd cli_shell_cmds[] = {
    { "exec", "<command> [args...]",
      "run a shell command on the device (quote it when it has flags: \"log -l\")", shell_exec,
      CLI_NEEDS_CONN | CLI_CHANGES_STATE, NULL, NULL },
    { NULL, NULL, NULL, NULL, 0, NULL, NULL },
};
