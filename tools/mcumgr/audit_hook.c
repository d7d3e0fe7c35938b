/*
 * The one place where every state-changing command (upload, test, confirm,
 * erase, reset) reports what it did: each report becomes one hash-chained
 * record in the audit trail (src/audit): when, who, from which host, which
 * device (its identity as the device reports it), over which connection,
 * what, about which image, the running image before and after, the outcome.
 *
 * The commands report after they acted. Only a reset changes the running
 * image, so only a reset needs the device's state from before the action:
 * the commands reset through cli_reset_device(), which takes that snapshot
 * first. For every other action the running image before is, by
 * construction, the one running after. main() calls
 * cli_record_unreached() when the connection cannot be opened, so that a
 * state-changing command that never reached the device still leaves a
 * failed record.
 */
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit_hook.h"

/* Audit queries must not stall a command on a device that stopped
 * answering: a short timeout, one try. */
#define AUDIT_QUERY_TIMEOUT_MS 1500
/* How long a reset record waits for the device to come back, so that it
 * can name the image that runs after the reboot. */
#define AUDIT_RESET_WAIT_MS 5000

struct running {
    bool known;
    char version[48];
    char hash[AUDIT_HASH_HEX];
    char slot1_hash[AUDIT_HASH_HEX];
};

static struct running g_before_reset;

static void hash_hex(const uint8_t *h, size_t n, char out[AUDIT_HASH_HEX])
{
    out[0] = '\0';
    for (size_t i = 0; i < n && 2 * i + 2 < AUDIT_HASH_HEX; i++)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
}

/* An audit query runs with a short timeout and a single try, and must
 * leave the command's own error in place: that is what the user must see.
 * quiet_begin() notes what the query changes, quiet_end() puts it back. */
struct quiet_query {
    int timeout_ms, tries;
    struct client_dev_err dev_err;
};

static void quiet_begin(struct cli_ctx *cx, struct quiet_query *q, int timeout_ms)
{
    q->timeout_ms = cx->sess.timeout_ms;
    q->tries = cx->sess.tries;
    q->dev_err = cx->sess.dev_err;
    if (cx->sess.timeout_ms > timeout_ms)
        cx->sess.timeout_ms = timeout_ms;
    cx->sess.tries = 1;
}

static void quiet_end(struct cli_ctx *cx, const struct quiet_query *q)
{
    cx->sess.timeout_ms = q->timeout_ms;
    cx->sess.tries = q->tries;
    cx->sess.dev_err = q->dev_err;
}

/* One quiet image-state read; the transport's last error is kept too. */
static int query_state(struct cli_ctx *cx, struct client_image_state *st, int timeout_ms)
{
    static struct client_rsp rsp;
    char saved_last[sizeof cx->tp.last_error];
    struct quiet_query q;
    int rc;

    memcpy(saved_last, cx->tp.last_error, sizeof saved_last);
    quiet_begin(cx, &q, timeout_ms);
    rc = client_image_list(&cx->sess, st, &rsp);
    quiet_end(cx, &q);
    memcpy(cx->tp.last_error, saved_last, sizeof saved_last);
    return rc;
}

static void running_of(const struct client_image_state *st, struct running *r)
{
    memset(r, 0, sizeof *r);
    for (size_t i = 0; i < st->count; i++) {
        const struct client_image_slot *sl = &st->slots[i];
        if (sl->image != 0)
            continue;
        if (sl->slot == 1 && sl->hash_len)
            hash_hex(sl->hash, sl->hash_len, r->slot1_hash);
        /* the active image runs; without an active flag, slot 0 does */
        if (sl->active || (sl->slot == 0 && !r->known)) {
            r->known = true;
            snprintf(r->version, sizeof r->version, "%s", sl->version);
            hash_hex(sl->hash, sl->hash_len, r->hash);
        }
    }
}

/* 0, or the client error of the image-state read. */
static int snapshot(struct cli_ctx *cx, struct running *r, int timeout_ms)
{
    struct client_image_state st;
    int rc;
    memset(r, 0, sizeof *r);
    if (!cx->connected)
        return CLIENT_ERR_IO;
    rc = query_state(cx, &st, timeout_ms);
    if (rc == 0)
        running_of(&st, r);
    return rc;
}

int cli_reset_device(struct cli_ctx *cx, bool force)
{
    snapshot(cx, &g_before_reset, AUDIT_QUERY_TIMEOUT_MS);
    int rc = client_reset(&cx->sess, force);
    /* IO: the port vanished right after the request, the reset is on */
    if (rc == 0 || rc == CLIENT_ERR_IO) {
        client_note_reset(cx->conn_desc);
        cx->reset_sent = true;
        cx->answers_at_reset = cx->sess.received;
    }
    return rc;
}

static void describe_connection(const struct cli_ctx *cx, char *out, size_t cap)
{
    if (cx->conn.type == CLIENT_CONN_SERIAL)
        snprintf(out, cap, "serial %.140s baud=%u", cx->conn_desc, cx->conn.baud);
    else
        snprintf(out, cap, "udp %.150s", cx->conn_desc);
}

/* Commands that change the device, by command path, with the action name
 * their own report uses: an attempt that fails before the device is
 * reached (no such port, port held by another program) is recorded too. */
static const struct {
    const char *path, *action;
} changing[] = {
    { "reset", "reset" },
    { "image upload", "image upload" },
    { "image test", "image test" },
    { "image confirm", "image confirm" },
    { "image erase", "image erase" },
    { "fs upload", "fs upload" },
    { "settings write", "settings write" },
    { "settings delete", "settings delete" },
    { "settings commit", "settings commit" },
    { "settings save", "settings save" },
    { "shell exec", "shell exec" },
    { "basic erase-storage", "erase storage" },
};

void cli_record_unreached(struct cli_ctx *cx)
{
    static struct audit_record rec;

    for (size_t i = 0; i < sizeof changing / sizeof changing[0]; i++) {
        if (strcmp(cx->cmd_path, changing[i].path) != 0)
            continue;
        memset(&rec, 0, sizeof rec);
        cli_audit_common(cx, &rec);
        if (cx->conn_desc[0])
            describe_connection(cx, rec.connection, sizeof rec.connection);
        else
            snprintf(rec.connection, sizeof rec.connection, "%.150s",
                     cx->connstring ? cx->connstring : "(no valid connection)");
        snprintf(rec.action, sizeof rec.action, "%s", changing[i].action);
        snprintf(rec.outcome, sizeof rec.outcome, "failed");
        snprintf(rec.detail, sizeof rec.detail,
                 "the connection could not be opened; the device was not reached");
        cli_audit_write(cx, &rec);
        return;
    }
}

/* A device that does not answer at all is not asked again. */
static bool device_silent(int result)
{
    return result == CLIENT_ERR_TIMEOUT || result == CLIENT_ERR_IO || result == CLIENT_ERR_OPEN ||
           result == CLIENT_ERR_INTERRUPTED;
}

void cli_device_identity(struct cli_ctx *cx, char *out, size_t cap)
{
    /* OS/application info is one short request; devices without it answer
     * ENOTSUP at once, and then the identity is just unknown. "n" is the
     * node name (the board's hardware id on our firmware), "i" the
     * hardware platform. */
    struct quiet_query q;

    if (cap == 0)
        return;
    out[0] = '\0';
    if (!cx->connected)
        return;
    quiet_begin(cx, &q, AUDIT_QUERY_TIMEOUT_MS);
    if (client_os_info(&cx->sess, "ni", out, cap) != 0)
        out[0] = '\0';
    quiet_end(cx, &q);
}

const char *cli_audit_operator(const struct cli_ctx *cx, char *buf, size_t cap)
{
    const char *v = cx ? cx->operator_name : NULL;
    if (!v || !*v)
        v = getenv("MCUTOOLS_OPERATOR");
    if (!v || !*v)
        v = getlogin();
    if (!v || !*v)
        v = getenv("LOGNAME");
    if (!v || !*v)
        v = getenv("USER");
    if (!v || !*v) {
        struct passwd *pw = getpwuid(getuid());
        v = pw ? pw->pw_name : "unknown";
    }
    snprintf(buf, cap, "%s", v);
    return buf;
}

const char *cli_audit_path(const struct cli_ctx *cx, char *buf, size_t cap)
{
    if (cx && cx->audit_db && *cx->audit_db) {
        snprintf(buf, cap, "%s", cx->audit_db);
        return buf;
    }
    return audit_default_path(buf, cap);
}

/* Fills who/where/when fields shared by every record. */
void cli_audit_common(const struct cli_ctx *cx, struct audit_record *rec)
{
    char host[HOST_NAME_MAX + 1] = "";
    cli_audit_operator(cx, rec->operator_name, sizeof rec->operator_name);
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "unknown");
    host[sizeof host - 1] = '\0';
    snprintf(rec->host, sizeof rec->host, "%s", host);
}

int cli_audit_write(const struct cli_ctx *cx, struct audit_record *rec)
{
    char path[1024], err[512];
    struct audit_db *db = audit_open(cli_audit_path(cx, path, sizeof path), err, sizeof err);
    int rc = -1;

    if (db) {
        rc = audit_append(db, rec, err, sizeof err);
        audit_close(db);
    }
    if (rc != 0)
        fprintf(stderr, "Warning: the audit record of this %s was NOT written: %s\n",
                rec->action, err);
    return rc;
}

static void describe_error(struct cli_ctx *cx, int result, char *out, size_t cap)
{
    if (result == CLIENT_ERR_DEVICE) {
        client_dev_err_format(&cx->sess.dev_err, out, cap);
        return;
    }
    snprintf(out, cap, "%s%s%s", client_strerror(result), cx->tp.last_error[0] ? ": " : "",
             cx->tp.last_error);
}

/* After a reset the device reboots (and may swap images first): poll until
 * it answers again, within AUDIT_RESET_WAIT_MS. */
static int wait_after_reset(struct cli_ctx *cx, struct running *r)
{
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        if (cx->interrupted)
            return -1;
        int rc = snapshot(cx, r, 300);
        if (rc == 0)
            return 0;
        /* a USB serial port vanishes while the device reboots: this
         * connection will not see it come back */
        if (rc == CLIENT_ERR_IO)
            return -1;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long ms = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
        if (ms >= AUDIT_RESET_WAIT_MS)
            return -1;
        /* a serial port that vanished fails at once: do not spin */
        struct timespec pause = { 0, 100 * 1000 * 1000 };
        nanosleep(&pause, NULL);
    }
}

static bool is_hex_hash(const char *s)
{
    size_t n = strlen(s);
    if (n < 8 || n >= AUDIT_HASH_HEX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!strchr("0123456789abcdefABCDEF", s[i]))
            return false;
    return true;
}

/* The running image before and after the action (see the top of this file
 * for why only a reset has its own "before"). */
static void fill_running(struct audit_record *rec, bool is_reset, const struct running *after)
{
    const struct running *before = is_reset ? &g_before_reset : after;

    if (before->known) {
        snprintf(rec->version_before, sizeof rec->version_before, "%s", before->version);
        snprintf(rec->hash_before, sizeof rec->hash_before, "%s", before->hash);
    }
    if (after->known) {
        snprintf(rec->version_after, sizeof rec->version_after, "%s", after->version);
        snprintf(rec->hash_after, sizeof rec->hash_after, "%s", after->hash);
    }
}

/* The image the action is about: the hash the command names, else what
 * the action implies (the uploaded slot, the confirmed or newly running
 * image). */
static void fill_image_hash(struct audit_record *rec, const char *action, const char *detail,
                            int result, const struct running *after)
{
    bool is_reset = strcmp(action, "reset") == 0;

    if (detail && is_hex_hash(detail))
        snprintf(rec->image_hash, sizeof rec->image_hash, "%s", detail);
    else if (!strcmp(action, "image upload") && result == 0)
        snprintf(rec->image_hash, sizeof rec->image_hash, "%s", after->slot1_hash);
    else if (!strcmp(action, "image confirm") && after->known)
        /* confirm without a hash makes the running image permanent */
        snprintf(rec->image_hash, sizeof rec->image_hash, "%s", after->hash);
    else if (is_reset && after->known && strcmp(after->hash, rec->hash_before) != 0)
        snprintf(rec->image_hash, sizeof rec->image_hash, "%s", after->hash);
}

/* The command's detail, then its error; a reset the device did not come
 * back from says so. A long text is cut to the record's field. */
static void fill_detail(struct audit_record *rec, const char *detail, const char *err,
                        bool silent_after_reset)
{
    char text[1400];
    int n = snprintf(text, sizeof text, "%s%s%s%s", detail ? detail : "",
                     err[0] && detail && detail[0] ? "; " : "", err[0] ? "error: " : "", err);
    if (silent_after_reset && n >= 0 && (size_t)n < sizeof text)
        snprintf(text + n, sizeof text - (size_t)n, "%sthe device did not answer within %d s after the reset",
                 n ? "; " : "", AUDIT_RESET_WAIT_MS / 1000);
    size_t len = strnlen(text, sizeof rec->detail - 1);
    memcpy(rec->detail, text, len);
    rec->detail[len] = '\0';
}

void cli_record_state_change(struct cli_ctx *cx, const char *action, const char *detail, int result)
{
    static struct audit_record rec;
    struct running after = { 0 };
    char err[600] = "";
    bool is_reset = strcmp(action, "reset") == 0;

    memset(&rec, 0, sizeof rec);
    cli_audit_common(cx, &rec);
    describe_connection(cx, rec.connection, sizeof rec.connection);
    snprintf(rec.action, sizeof rec.action, "%s", action);
    snprintf(rec.outcome, sizeof rec.outcome, "%s", result == 0 ? "ok" : "failed");
    if (result != 0)
        describe_error(cx, result, err, sizeof err);

    if (!device_silent(result)) {
        if (is_reset && result == 0)
            wait_after_reset(cx, &after);
        else
            snapshot(cx, &after, AUDIT_QUERY_TIMEOUT_MS);
        cli_device_identity(cx, rec.device, sizeof rec.device);
    }
    fill_running(&rec, is_reset, &after);
    fill_image_hash(&rec, action, detail, result, &after);
    fill_detail(&rec, detail, err, is_reset && result == 0 && !after.known);
    cli_audit_write(cx, &rec);
}
