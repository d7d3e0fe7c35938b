/* The scripted device (see script_device.h). Requests are answered at
 * once, in order; the response header mirrors the request's. */
#include "script_device.h"

#include <string.h>

static int dev_send(void *ctx, const uint8_t *msg, size_t len)
{
    struct script_device *d = ctx;
    struct smp_hdr h;
    struct cbor_reader r;
    struct cbor_value req;
    struct cbor_writer w;

    d->requests++;
    d->rsp_len = 0;
    if (smp_hdr_decode(msg, len, &h) != 0)
        return 0;
    cbor_reader_init(&r, msg + SMP_HDR_SIZE, len - SMP_HDR_SIZE);
    if (cbor_read(&r, &req) != CBOR_OK)
        return 0;
    cbor_writer_init(&w, d->rsp + SMP_HDR_SIZE, sizeof d->rsp - SMP_HDR_SIZE);
    if (d->raw_body) {
        size_t n = d->raw_len < w.cap ? d->raw_len : w.cap;
        memcpy(w.buf, d->raw_body, n);
        w.len = n;
    } else if (d->answer(d, h.op, h.group, h.id, &req, &w) != 0 || w.status) {
        return 0;
    }
    h.op = (uint8_t)(h.op + 1);
    h.len = (uint16_t)w.len;
    smp_hdr_encode(&h, d->rsp);
    d->rsp_len = SMP_HDR_SIZE + w.len;
    return 0;
}

static int dev_recv(void *ctx, uint8_t *buf, size_t cap, int timeout_ms)
{
    struct script_device *d = ctx;
    size_t n = d->rsp_len;

    (void)timeout_ms;
    if (n == 0 || n > cap)
        return 0; /* a timeout, at once */
    memcpy(buf, d->rsp, n);
    d->rsp_len = 0;
    return (int)n;
}

static void dev_close(void *ctx)
{
    (void)ctx;
}

void script_transport(struct script_device *d, struct client_transport *tp)
{
    memset(tp, 0, sizeof *tp);
    tp->ctx = d;
    tp->send = dev_send;
    tp->recv = dev_recv;
    tp->close = dev_close;
    tp->frame_overhead = 0;
    tp->default_max_msg = 1024;
    tp->name = "script";
}

void script_session(struct script_device *d, struct client_transport *tp,
                    struct client_session *s)
{
    script_transport(d, tp);
    client_session_init(s, tp);
    s->timeout_ms = 50;
    s->tries = 1;
}
