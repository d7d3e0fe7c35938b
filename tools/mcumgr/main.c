/*
 * mcumgr: MCUmgr management client with the Go mcumgr command-line syntax.
 * main() only parses the global options, finds the command in the table,
 * opens the connection when the command needs one, runs it and maps the
 * result to an exit code (0 ok, 1 failure, 2 usage).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_hook.h"
#include "cli.h"
#include "opts.h"

static struct cli_ctx *g_cx;

static void on_signal(int sig)
{
    (void)sig;
    if (g_cx)
        g_cx->interrupted = 1;
}

static void install_signals(struct cli_ctx *cx)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: a wait returns EINTR */
    g_cx = cx;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* The exit code once stdout is flushed: a command's own failure comes
 * first, then a failed write (a reader that stopped reading: 141). */
static int finish(int rc)
{
    switch (out_finish()) {
    case OUT_FINISH_READER_GONE:
        return rc == EXIT_OK ? EXIT_READER_GONE : rc;
    case OUT_FINISH_FAILED:
        return rc == EXIT_OK ? EXIT_FAIL : rc;
    default:
        return rc;
    }
}

int main(int argc, char **argv)
{
    static struct cli_ctx cx;
    struct cli_args a;
    int rc;

    cx.prog = "mcumgr";
    cx.timeout_s = 10.0;
    cx.tries = 1;
    cx.loglevel = "info";
    cx.hci = -1;
    install_signals(&cx);
    rc = cli_parse_args(&cx, argc, argv, &a);
    if (rc != EXIT_OK)
        return rc;
    if (a.help || !cx.cmd || !cx.cmd->run) {
        out_help(cx.cmd, cx.cmd_path);
        return finish(a.help || !cx.cmd ? EXIT_OK : EXIT_USAGE);
    }
    /* fail closed: a change that cannot be recorded is not made */
    if ((cx.cmd->flags & CLI_CHANGES_STATE) && cli_audit_check(&cx) != 0)
        return finish(EXIT_FAIL);
    if (cx.cmd->flags & CLI_NEEDS_CONN) {
        rc = cli_connect(&cx);
        if (rc != EXIT_OK) {
            cli_record_unreached(&cx);
            return rc;
        }
    }
    rc = cx.cmd->run(&cx, a.argc, a.argv);
    /* the device answered since this host last reset it: it is back */
    if (cx.connected && cx.sess.received > (cx.reset_sent ? cx.answers_at_reset : 0))
        client_forget_reset(cx.conn_desc);
    cli_disconnect(&cx);
    if ((cx.interrupted || cx.audit_failed) && rc == EXIT_OK)
        rc = EXIT_FAIL;
    return finish(rc);
}
