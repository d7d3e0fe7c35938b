/* The device queries of the audit trail (see device.h). */
#include "audit/device.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* quiet_begin() notes what an audit query changes on the session,
 * quiet_end() puts it back. */
struct quiet_query {
    int timeout_ms, tries;
    struct client_dev_err dev_err;
    char last_error[sizeof ((struct client_transport *)0)->last_error];
};

static void quiet_begin(struct client_session *s, struct quiet_query *q, int timeout_ms)
{
    q->timeout_ms = s->timeout_ms;
    q->tries = s->tries;
    q->dev_err = s->dev_err;
    memcpy(q->last_error, s->tp->last_error, sizeof q->last_error);
    if (s->timeout_ms > timeout_ms)
        s->timeout_ms = timeout_ms;
    s->tries = 1;
}

static void quiet_end(struct client_session *s, const struct quiet_query *q)
{
    s->timeout_ms = q->timeout_ms;
    s->tries = q->tries;
    s->dev_err = q->dev_err;
    memcpy(s->tp->last_error, q->last_error, sizeof q->last_error);
}

int audit_snapshot(struct client_session *s, struct audit_running *r, int timeout_ms)
{
    static struct client_rsp rsp;
    struct client_image_state st;
    struct quiet_query q;
    int rc;

    memset(r, 0, sizeof *r);
    if (!s)
        return CLIENT_ERR_IO;
    quiet_begin(s, &q, timeout_ms);
    rc = client_image_list(s, &st, &rsp);
    quiet_end(s, &q);
    if (rc == 0)
        audit_running_of(&st, r);
    return rc;
}

void audit_device_identity(struct client_session *s, char *out, size_t cap)
{
    /* devices without OS info answer ENOTSUP at once: the identity is
     * then just unknown */
    struct quiet_query q;

    if (cap == 0)
        return;
    out[0] = '\0';
    if (!s)
        return;
    quiet_begin(s, &q, AUDIT_QUERY_TIMEOUT_MS);
    if (client_os_info(s, "ni", out, cap) != 0)
        out[0] = '\0';
    quiet_end(s, &q);
}

void audit_describe_connection(const struct client_conn *c, const char *desc, char *out,
                               size_t cap)
{
    if (c->type == CLIENT_CONN_SERIAL)
        snprintf(out, cap, "serial %.140s baud=%u", desc, c->baud);
    else if (c->type == CLIENT_CONN_BLE)
        snprintf(out, cap, "ble %.150s", desc);
    else
        snprintf(out, cap, "udp %.150s", desc);
}

/* After a reset the device reboots (and may swap images first): poll until
 * it answers again, within AUDIT_RESET_WAIT_MS. */
static int wait_after_reset(struct client_session *s, struct audit_running *r)
{
    int64_t t0 = client_now_ms();

    for (;;) {
        if (s->cancel && *s->cancel)
            return -1;
        int rc = audit_snapshot(s, r, 300);
        if (rc == 0)
            return 0;
        /* a USB serial port vanishes while the device reboots: this
         * connection will not see it come back */
        if (rc == CLIENT_ERR_IO || client_now_ms() - t0 >= AUDIT_RESET_WAIT_MS)
            return -1;
        /* a serial port that vanished fails at once: do not spin */
        struct timespec pause = { 0, 100 * 1000 * 1000 };
        nanosleep(&pause, NULL);
    }
}

/* A device that does not answer at all is not asked again. */
static bool device_silent(int result)
{
    return result == CLIENT_ERR_TIMEOUT || result == CLIENT_ERR_IO || result == CLIENT_ERR_OPEN ||
           result == CLIENT_ERR_INTERRUPTED;
}

static void error_text(const struct client_session *s, int result, char *out, size_t cap)
{
    const char *last = s ? s->tp->last_error : "";

    out[0] = '\0';
    if (result == 0)
        return;
    if (result == CLIENT_ERR_DEVICE && s) {
        client_dev_err_format(&s->dev_err, out, cap);
        return;
    }
    snprintf(out, cap, "%s%s%s", client_strerror(result), last[0] ? ": " : "", last);
}

void audit_describe_outcome(struct client_session *s, const struct audit_running *before_reset,
                            const char *action, const char *detail, int result,
                            struct audit_record *rec)
{
    struct audit_running after = { 0 };
    char err[600];
    struct audit_change c = { action, detail, result, err, before_reset, &after };

    error_text(s, result, err, sizeof err);
    if (s && !device_silent(result)) {
        if (audit_action_resets(action) && result == 0)
            wait_after_reset(s, &after);
        else
            audit_snapshot(s, &after, AUDIT_QUERY_TIMEOUT_MS);
        audit_device_identity(s, rec->device, sizeof rec->device);
    }
    audit_describe_change(rec, &c);
}
