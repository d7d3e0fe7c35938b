/*
 * The request session: sequence numbers, matching responses to pending
 * requests, per-request timeouts and retries, and status decoding.
 *
 * A response counts only if its sequence number is pending and its group
 * and command match the request; anything else (a stray from an earlier
 * client on the same line, a duplicate of an answered request) is dropped
 * and counted. Retries use a new sequence number, but an answer to an
 * earlier try is still accepted: a slow device is not punished for being
 * slow.
 * Not here: framing (transports) and what the bodies mean (ops files).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client/client.h"
#include "client/internal.h"

int64_t client_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void client_session_init(struct client_session *s, struct client_transport *tp)
{
    struct timespec ts;

    memset(s, 0, sizeof *s);
    s->tp = tp;
    s->smp_ver = 1;
    s->timeout_ms = 10000;
    s->tries = 1;
    /* start where a previous client on the same line is unlikely to have
     * left answers in flight */
    clock_gettime(CLOCK_REALTIME, &ts);
    s->seq = (uint8_t)(ts.tv_nsec / 1000 ^ (long)getpid());
}

int client_send(struct client_session *s, uint8_t op, uint16_t group, uint8_t id,
                const uint8_t *body, size_t body_len, uint8_t *seq_out)
{
    uint8_t msg[CLIENT_MSG_MAX];
    struct smp_hdr h = { .op = op, .ver = s->smp_ver, .len = (uint16_t)body_len,
                         .group = group, .seq = s->seq, .id = id };
    int rc;

    if (body_len > sizeof msg - SMP_HDR_SIZE)
        return CLIENT_ERR_TOO_BIG;
    smp_hdr_encode(&h, msg);
    if (body_len)
        memcpy(msg + SMP_HDR_SIZE, body, body_len);
    if (s->log)
        s->log(s->log_ctx, true, msg, SMP_HDR_SIZE + body_len);
    rc = s->tp->send(s->tp->ctx, msg, SMP_HDR_SIZE + body_len);
    if (rc)
        return rc;
    s->pending[h.seq] = (struct client_pending){ .used = true, .group = group, .id = id };
    if (seq_out)
        *seq_out = h.seq;
    s->seq++;
    s->sent++;
    s->last_len = SMP_HDR_SIZE + body_len;
    return 0;
}

void client_forget(struct client_session *s, uint8_t seq)
{
    s->pending[seq].used = false;
}

static const uint8_t empty_map[] = { 0xa0 };

/* Validates one received message as a response to a pending request. */
static int accept_response(struct client_session *s, struct client_rsp *rsp)
{
    struct cbor_reader r;
    struct client_pending *p;

    if (smp_hdr_decode(rsp->msg, rsp->len, &rsp->hdr) != 0)
        return 0;
    p = &s->pending[rsp->hdr.seq];
    if ((rsp->hdr.op != SMP_OP_READ_RSP && rsp->hdr.op != SMP_OP_WRITE_RSP) || !p->used ||
        p->group != rsp->hdr.group || p->id != rsp->hdr.id)
        return 0;
    if (rsp->hdr.len > rsp->len - SMP_HDR_SIZE)
        return CLIENT_ERR_PROTO; /* body shorter than its header says */
    if (rsp->hdr.len == 0)
        cbor_reader_init(&r, empty_map, sizeof empty_map);
    else
        cbor_reader_init(&r, rsp->msg + SMP_HDR_SIZE, rsp->hdr.len);
    if (cbor_read(&r, &rsp->body) != CBOR_OK || rsp->body.type != CBOR_TYPE_MAP)
        return CLIENT_ERR_PROTO;
    p->used = false;
    return 1;
}

int client_recv(struct client_session *s, int timeout_ms, struct client_rsp *rsp)
{
    int64_t deadline = client_now_ms() + timeout_ms;

    for (;;) {
        int64_t left = deadline - client_now_ms();
        int n, ok;

        if (s->cancel && *s->cancel)
            return CLIENT_ERR_INTERRUPTED;
        if (left <= 0)
            return CLIENT_ERR_TIMEOUT;
        n = s->tp->recv(s->tp->ctx, rsp->msg, sizeof rsp->msg, (int)left);
        if (n == 0)
            return CLIENT_ERR_TIMEOUT;
        if (n < 0)
            return n;
        rsp->len = (size_t)n;
        if (s->log)
            s->log(s->log_ctx, false, rsp->msg, rsp->len);
        ok = accept_response(s, rsp);
        if (ok == 1) {
            s->received++;
            return 0;
        }
        if (ok < 0)
            return ok;
        s->stray++;
    }
}

int client_check_status(struct client_session *s, const struct client_rsp *rsp)
{
    struct client_dev_err *e = &s->dev_err;
    struct cbor_value err;
    int64_t v;
    const char *t;
    size_t n;

    memset(e, 0, sizeof *e);
    if (cbor_map_get_int(&rsp->body, "rc", &v) == 1)
        e->rc = (int)v;
    /* A group error exists only in SMP v2. A v1 answer's rc is always a
     * generic MGMT_ERR (rc 1 is EUNKNOWN, not the group's code 1), even
     * when a device adds an `err` map beside it. */
    bool v1_rc = rsp->hdr.ver == 0 && cbor_map_get_int(&rsp->body, "rc", &v) == 1;
    if (!v1_rc && cbor_map_get(&rsp->body, "err", &err) == 1 && err.type == CBOR_TYPE_MAP) {
        uint64_t g;
        e->has_group = true;
        if (cbor_map_get_uint(&err, "group", &g) == 1)
            e->group = (uint16_t)g;
        if (cbor_map_get_int(&err, "rc", &v) == 1)
            e->group_rc = (int)v;
    }
    if (cbor_map_get_text(&rsp->body, "rsn", &t, &n) == 1) {
        if (n >= sizeof e->rsn)
            n = sizeof e->rsn - 1;
        memcpy(e->rsn, t, n);
        e->rsn[n] = '\0';
    }
    if (e->rc != 0 || (e->has_group && e->group_rc != 0))
        return CLIENT_ERR_DEVICE;
    return 0;
}

/* Sends and waits, retrying on timeout; no status check. */
static int exchange(struct client_session *s, uint8_t op, uint16_t group, uint8_t id,
                    const uint8_t *body, size_t body_len, struct client_rsp *rsp, int timeout_ms)
{
    uint8_t seqs[16];
    int ntries = s->tries < 1 ? 1 : s->tries > 16 ? 16 : s->tries;
    int rc = CLIENT_ERR_TIMEOUT, sent = 0;

    for (int t = 0; t < ntries; t++) {
        rc = client_send(s, op, group, id, body, body_len, &seqs[sent]);
        if (rc)
            break;
        sent++;
        rc = client_recv(s, timeout_ms, rsp);
        if (rc != CLIENT_ERR_TIMEOUT)
            break;
    }
    /* whatever is still pending from the tries is now a stray */
    for (int t = 0; t < sent; t++)
        client_forget(s, seqs[t]);
    return rc;
}

int client_call_tmo(struct client_session *s, uint8_t op, uint16_t group, uint8_t id,
                    const uint8_t *body, size_t body_len, struct client_rsp *rsp,
                    int timeout_ms)
{
    int rc = exchange(s, op, group, id, body, body_len, rsp, timeout_ms);

    if (rc)
        return rc;
    rc = client_check_status(s, rsp);
    /* A device without SMP v2 says our version is too new: speak v1. */
    if (rc == CLIENT_ERR_DEVICE && s->dev_err.rc == SMP_ERR_UNSUPPORTED_TOO_NEW && s->smp_ver > 0) {
        s->smp_ver = 0;
        rc = exchange(s, op, group, id, body, body_len, rsp, timeout_ms);
        if (rc == 0)
            rc = client_check_status(s, rsp);
    }
    return rc;
}

int client_call(struct client_session *s, uint8_t op, uint16_t group, uint8_t id,
                const uint8_t *body, size_t body_len, struct client_rsp *rsp)
{
    return client_call_tmo(s, op, group, id, body, body_len, rsp, s->timeout_ms);
}

int client_transport_open(const struct client_conn *c, struct client_transport *tp,
                          char *err, size_t errlen)
{
    if (c->type == CLIENT_CONN_SERIAL)
        return client_serial_open(c, tp, err, errlen);
    if (c->type == CLIENT_CONN_BLE)
        return client_ble_open(c, tp, err, errlen);
    return client_udp_open(c, tp, err, errlen);
}

void client_transport_close(struct client_transport *tp)
{
    if (tp->close)
        tp->close(tp->ctx);
    tp->close = NULL;
}
