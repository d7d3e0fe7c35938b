/*
 * Output: the only place that writes to stdout/stderr. Text mode follows
 * the Go mcumgr wording where scripts parse it; JSON mode prints one JSON
 * document per command (the device's decoded response, or an error
 * object). Write errors on stdout are noticed at exit.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli.h"

const struct cli_opt *cli_global_opts(void);

void out_line(struct cli_ctx *cx, const char *fmt, ...)
{
    va_list ap;
    (void)cx;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

/* Text that cJSON printed (never a hand-made document). */
static void print_json(const char *json)
{
    puts(json ? json : "null");
}

void out_json_body(struct cli_ctx *cx, const struct cbor_value *body)
{
    char *s = client_cbor_to_json(body, false);
    (void)cx;
    print_json(s);
    free(s);
}

void out_json_doc(struct cli_ctx *cx, cJSON *doc)
{
    char *s = cJSON_PrintUnformatted(doc);
    (void)cx;
    print_json(s);
    free(s);
    cJSON_Delete(doc);
}

void out_json_kv(struct cli_ctx *cx, const char *key, const char *value)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, key, value);
    out_json_doc(cx, o);
}

bool out_json_answer(struct cli_ctx *cx, const struct cbor_value *body)
{
    if (cx->json)
        out_json_body(cx, body);
    return cx->json;
}

int out_done(struct cli_ctx *cx, int rc)
{
    if (rc)
        return out_client_error(cx, rc);
    if (cx->json)
        out_json_doc(cx, cJSON_CreateObject());
    else
        out_line(cx, "Done");
    return EXIT_OK;
}

void out_note(struct cli_ctx *cx, const char *fmt, ...)
{
    va_list ap;
    (void)cx;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int out_usage(struct cli_ctx *cx, const char *fmt, ...)
{
    va_list ap;
    (void)cx;
    fputs("Error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nRun 'mcumgr --help' for usage.\n", stderr);
    return EXIT_USAGE;
}

static void json_error(const char *kind, const char *message, const struct client_dev_err *e)
{
    cJSON *o = cJSON_CreateObject(), *err = cJSON_AddObjectToObject(o, "error");
    cJSON_AddStringToObject(err, "kind", kind);
    cJSON_AddStringToObject(err, "message", message);
    if (e) {
        cJSON_AddNumberToObject(err, "rc", e->rc);
        cJSON_AddStringToObject(err, "name", smp_err_name(e->rc));
        if (e->has_group) {
            cJSON_AddNumberToObject(err, "group", e->group);
            cJSON_AddStringToObject(err, "group_name", smp_group_name(e->group));
            cJSON_AddNumberToObject(err, "group_rc", e->group_rc);
            cJSON_AddStringToObject(err, "group_rc_name", smp_group_err_name(e->group, e->group_rc));
        }
        if (e->rsn[0])
            cJSON_AddStringToObject(err, "rsn", e->rsn);
    }
    out_json_doc(NULL, o);
}

int out_fail(struct cli_ctx *cx, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (cx->json)
        json_error("failure", msg, NULL);
    else
        fprintf(stderr, "Error: %s\n", msg);
    return EXIT_FAIL;
}

/* Hints for the failures technicians meet most. */
static const char *hint_for(struct cli_ctx *cx, int err)
{
    if (err == CLIENT_ERR_TIMEOUT)
        return cx->conn.type == CLIENT_CONN_SERIAL
                   ? "check the port and baud rate, that no other program holds the port, and that "
                     "the device is in DFU mode; -t raises the timeout"
                   : "check that the device (or mcusim) is running and listening at that address; "
                     "-t raises the timeout";
    if (err == CLIENT_ERR_IO)
        return "the connection dropped; run the same command again";
    if (err == CLIENT_ERR_REFUSED)
        return "start the board (`mcusim --state DIR` listens on 127.0.0.1:1337), or check the "
               "address and port";
    return NULL;
}

/* A device told to reset a moment ago is silent, or its USB port is gone,
 * until its bootloader has finished: say so instead of blaming the port,
 * the baud rate or the timeout. */
#define RESET_QUIET_MS 120000

bool out_explain_after_reset(struct cli_ctx *cx, const char *what)
{
    int64_t since = client_since_reset_ms(cx->conn_desc);

    if (since < 0 || since > RESET_QUIET_MS)
        return false;
    if (cx->json) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s: the device was reset %lld s ago and is still rebooting",
                 what, (long long)(since / 1000));
        json_error("not_ready", msg, NULL);
        return true;
    }
    fprintf(stderr, "Error: %s: the device is not answering yet: it was reset %lld s ago, and a "
                    "device installing an update stays silent until its bootloader has finished "
                    "(about 30 s for a 300 KiB image on an nRF52840)\n",
            what, (long long)(since / 1000));
    fprintf(stderr, "Hint: retry in a few seconds; `mcumgr reset --wait` waits for the device "
                    "to come back\n");
    return true;
}

/* Devices silently drop a request larger than their buffer: when a large
 * one got no answer, find out what the device does answer and say so. */
static void explain_size(struct cli_ctx *cx)
{
    size_t sent = cx->sess.last_len, fits = 0;

    if (!cx->connected || sent <= 128)
        return;
    if (client_request_limit(&cx->sess, &fits) != 0 || !cx->sess.sizing.proved)
        return; /* the device answers nothing at all: not a size problem */
    if (fits < sent)
        fprintf(stderr, "Hint: the device did not answer this %zu-byte request but answers "
                        "%zu-byte ones: the request is too large for it\n", sent, fits);
}

int out_client_error(struct cli_ctx *cx, int err)
{
    char msg[1024];
    const char *hint = hint_for(cx, err);
    const char *why = cx->tp.last_error[0] ? cx->tp.last_error : NULL;

    if (err == CLIENT_ERR_INTERRUPTED || cx->interrupted)
        return out_fail(cx, "interrupted");
    if (err == CLIENT_ERR_DEVICE) {
        const struct client_dev_err *e = &cx->sess.dev_err;
        char detail[512];
        client_dev_err_format(e, detail, sizeof detail);
        if (cx->json) {
            json_error("device", detail, e);
        } else {
            /* Go prints "Error: <rc>" on stdout; keep the number first */
            printf("Error: %s\n", detail);
            if (!e->has_group && e->rc == SMP_ERR_EBUSY)
                fprintf(stderr, "Hint: another client is working with the device; retry when "
                                "it is done (an upload that stalls is given up after a few "
                                "seconds)\n");
        }
        return EXIT_FAIL;
    }
    if ((err == CLIENT_ERR_TIMEOUT || err == CLIENT_ERR_IO) &&
        out_explain_after_reset(cx, err == CLIENT_ERR_IO ? "the connection dropped"
                                                         : "no response"))
        return EXIT_FAIL;
    if (err == CLIENT_ERR_REFUSED)
        snprintf(msg, sizeof msg, "nothing answers at %s: %s", cx->conn_desc,
                 why ? why : client_strerror(err));
    else if (err == CLIENT_ERR_TIMEOUT)
        snprintf(msg, sizeof msg, "NMP timeout: no response from %s within %.1f s (%d %s)%s%s",
                 cx->conn_desc, cx->timeout_s, cx->tries, cx->tries == 1 ? "try" : "tries",
                 why ? "; " : "", why ? why : "");
    else
        snprintf(msg, sizeof msg, "%s%s%s", client_strerror(err), why ? ": " : "", why ? why : "");
    if (cx->json)
        json_error(client_errname(err), msg, NULL);
    else {
        fprintf(stderr, "Error: %s\n", msg);
        if (hint)
            fprintf(stderr, "Hint: %s\n", hint);
        if (err == CLIENT_ERR_TIMEOUT)
            explain_size(cx);
    }
    return EXIT_FAIL;
}

/* Whether stdout is a pipe whose reading end is closed (an earlier write
 * failed with EPIPE; errno may since be another). */
static bool stdout_reader_gone(void)
{
    struct pollfd p = { .fd = STDOUT_FILENO, .events = POLLOUT };
    return poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

static void print_opts(const struct cli_opt *o)
{
    for (; o && (o->lng || o->shrt); o++) {
        char left[64];
        int n;
        if (o->shrt && o->lng)
            n = snprintf(left, sizeof left, "-%c, --%s", o->shrt, o->lng);
        else if (o->shrt)
            n = snprintf(left, sizeof left, "-%c", o->shrt);
        else
            n = snprintf(left, sizeof left, "    --%s", o->lng);
        if (o->argname && n > 0 && (size_t)n < sizeof left)
            snprintf(left + n, sizeof left - (size_t)n, " %s", o->argname);
        printf("  %-28s %s\n", left, o->help);
    }
}

void out_help(const struct cli_cmd *cmd, const char *path)
{
    const struct cli_cmd *sub = cmd ? cmd->sub : cli_root;

    if (cmd) {
        printf("%s\n\nUsage:\n  mcumgr %s%s%s%s [flags]\n", cmd->summary, path,
               cmd->args ? " " : "", cmd->args ? cmd->args : "", sub ? " <command>" : "");
    } else {
        printf("mcumgr: manage MCUmgr/SMP devices over serial or UDP (Go mcumgr syntax)\n\n"
               "Usage:\n  mcumgr [flags] <command> [args]\n\n"
               "With no --conntype/--connstring/-c the target is the simulated board\n"
               "(mcusim) on UDP 127.0.0.1:1337. For its serial line use\n"
               "  --conntype serial --connstring dev=STATE_DIR/tty\n");
    }
    if (sub) {
        printf("\nAvailable commands:\n");
        for (; sub->name; sub++)
            printf("  %-14s %s\n", sub->name, sub->summary);
    }
    if (cmd && cmd->opts) {
        printf("\nFlags:\n");
        print_opts(cmd->opts);
    }
    printf("\nGlobal flags:\n");
    print_opts(cli_global_opts());
    printf("\nExit status: 0 success, 1 failure (device error, timeout, I/O), 2 usage error,\n"
           "141 the reader of the output stopped reading (as `| head` does; nothing is printed).\n");
}

/* A reader that stopped reading (`mcumgr audit export | head`) closes the
 * pipe: mcumgr ignores SIGPIPE, so that a state-changing command still
 * finishes and records what it did, and its writes fail with EPIPE. That
 * is the reader's choice, not an error: no message. */
int out_finish(void)
{
    int err;

    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout))
        return OUT_FINISH_OK;
    err = errno;
    if (err == EPIPE || stdout_reader_gone())
        return OUT_FINISH_READER_GONE;
    fprintf(stderr, "Error: writing the output failed%s%s\n", err ? ": " : "", err ? strerror(err) : "");
    return OUT_FINISH_FAILED;
}
