/* The fake device (see fake_device.h). */
#include <string.h>

#include "fake_device.h"
#include "smp/cbor.h"

void fake_init(struct fake_device *d, uint32_t buf_size, uint32_t buf_count)
{
    memset(d, 0, sizeof *d);
    d->buf_size = buf_size;
    d->buf_count = buf_count;
    d->params_supported = true;
    d->frame_overhead = 4; /* a serial device: length prefix and CRC share the buffer */
    memset(d->slot, 0xff, sizeof d->slot);
}

static int fake_send(void *ctx, const uint8_t *msg, size_t len)
{
    struct fake_device *d = ctx;
    size_t slot;

    /* too large for one buffer, or no free buffer: silently dropped */
    if (len + d->frame_overhead > d->buf_size || (d->accept_max && len > d->accept_max)) {
        d->oversize++;
        return 0;
    }
    if (d->qcount >= d->buf_count || d->qcount >= FAKE_QUEUE) {
        d->dropped_requests++;
        return 0;
    }
    slot = (d->qhead + d->qcount) % FAKE_QUEUE;
    memcpy(d->queue[slot], msg, len);
    d->qlen[slot] = len;
    d->qcount++;
    if (len > d->max_len)
        d->max_len = len;
    if (d->qcount > d->max_queue)
        d->max_queue = d->qcount;
    return 0;
}

static size_t respond(const struct smp_hdr *req, uint8_t *out, const uint8_t *body, size_t blen)
{
    struct smp_hdr h = *req;
    h.op = (uint8_t)(req->op + 1);
    h.len = (uint16_t)blen;
    smp_hdr_encode(&h, out);
    memcpy(out + SMP_HDR_SIZE, body, blen);
    return SMP_HDR_SIZE + blen;
}

static size_t upload(struct fake_device *d, const struct smp_hdr *h, const struct cbor_value *m,
                     uint8_t *out)
{
    uint8_t body[64];
    struct cbor_writer w;
    uint64_t off = 0, len = 0;
    const uint8_t *data = NULL, *sha = NULL;
    size_t n = 0, shalen = 0;

    cbor_writer_init(&w, body, sizeof body);
    d->upload_requests++;
    if (d->lose_state_at && d->upload_requests == d->lose_state_at)
        d->in_progress = false; /* "rebooted" */
    cbor_map_get_uint(m, "off", &off);
    cbor_map_get_uint(m, "len", &len);
    cbor_map_get_bytes(m, "data", &data, &n);
    cbor_map_get_bytes(m, "sha", &sha, &shalen);
    if (n > d->max_data)
        d->max_data = n;
    if (off == 0) {
        if (d->first_chunk_rc || d->first_chunk_group_rc) {
            cbor_open_map(&w, 1);
            if (d->first_chunk_rc) {
                cbor_put_str(&w, "rc");
                cbor_put_int(&w, d->first_chunk_rc);
            } else {
                cbor_put_str(&w, "err");
                cbor_open_map(&w, 2);
                cbor_put_str(&w, "group");
                cbor_put_uint(&w, SMP_GROUP_IMAGE);
                cbor_put_str(&w, "rc");
                cbor_put_uint(&w, (uint64_t)d->first_chunk_group_rc);
            }
            return respond(h, out, body, w.len);
        }
        /* same sha as the interrupted session: resume at its offset */
        if (!(d->in_progress && shalen == 32 && memcmp(sha, d->sha, 32) == 0 && len == d->total)) {
            d->in_progress = true;
            d->total = (size_t)len;
            d->expected = 0;
            if (shalen == 32)
                memcpy(d->sha, sha, 32);
            memset(d->slot, 0xff, sizeof d->slot);
        }
    }
    if (!d->in_progress) {
        cbor_open_map(&w, 1);
        cbor_put_str(&w, "off");
        cbor_put_uint(&w, 0);
        return respond(h, out, body, w.len);
    }
    if (off == d->expected && off + n <= d->total) {
        memcpy(d->slot + off, data, n);
        d->expected += n;
    }
    cbor_open_map(&w, d->expected == d->total ? 2 : 1);
    cbor_put_str(&w, "off");
    cbor_put_uint(&w, d->expected);
    if (d->expected == d->total) {
        cbor_put_str(&w, "match");
        cbor_put_bool(&w, true);
    }
    return respond(h, out, body, w.len);
}

static size_t handle(struct fake_device *d, const uint8_t *msg, size_t len, uint8_t *out)
{
    struct smp_hdr h;
    struct cbor_reader r;
    struct cbor_value m;
    uint8_t body[64];
    struct cbor_writer w;

    if (smp_hdr_decode(msg, len, &h) != 0)
        return 0;
    cbor_reader_init(&r, msg + SMP_HDR_SIZE, h.len);
    if (cbor_read(&r, &m) != CBOR_OK)
        return 0;
    cbor_writer_init(&w, body, sizeof body);
    if (d->reject_v2 && h.ver > 0) {
        cbor_open_map(&w, 1);
        cbor_put_str(&w, "rc");
        cbor_put_uint(&w, SMP_ERR_UNSUPPORTED_TOO_NEW);
        return respond(&h, out, body, w.len);
    }
    if (h.group == SMP_GROUP_OS && h.id == 6) {
        if (!d->params_supported) {
            cbor_open_map(&w, 1);
            cbor_put_str(&w, "rc");
            cbor_put_uint(&w, SMP_ERR_ENOTSUP);
        } else {
            cbor_open_map(&w, 2);
            cbor_put_str(&w, "buf_size");
            cbor_put_uint(&w, d->buf_size);
            cbor_put_str(&w, "buf_count");
            cbor_put_uint(&w, d->buf_count);
        }
        return respond(&h, out, body, w.len);
    }
    if (h.group == SMP_GROUP_OS && h.id == 0) {
        const char *t;
        size_t n;
        uint8_t big[CLIENT_MSG_MAX];
        cbor_writer_init(&w, big, sizeof big);
        cbor_map_get_text(&m, "d", &t, &n);
        cbor_open_map(&w, 1);
        cbor_put_str(&w, "r");
        cbor_put_text(&w, t, n);
        return respond(&h, out, big, w.len);
    }
    if (h.group == SMP_GROUP_IMAGE && h.id == 1) {
        bool drop = d->drop_request_every && (d->upload_requests + 1) % d->drop_request_every == 0;
        if (drop) {
            d->upload_requests++;
            d->dropped_requests++;
            return 0;
        }
        size_t n = upload(d, &h, &m, out);
        if (d->drop_response_every && d->upload_requests % d->drop_response_every == 0) {
            d->dropped_responses++;
            return 0;
        }
        return n;
    }
    cbor_open_map(&w, 1);
    cbor_put_str(&w, "rc");
    cbor_put_uint(&w, SMP_ERR_ENOTSUP);
    return respond(&h, out, body, w.len);
}

/* Processes queued requests in order until one produces a response. A
 * timeout is simulated at once when nothing is queued. */
static int fake_recv(void *ctx, uint8_t *buf, size_t cap, int timeout_ms)
{
    struct fake_device *d = ctx;
    (void)timeout_ms;
    (void)cap;
    if (d->pending_dup_len) {
        size_t n = d->pending_dup_len;
        memcpy(buf, d->pending_dup, n);
        d->pending_dup_len = 0;
        return (int)n;
    }
    while (d->qcount) {
        size_t slot = d->qhead;
        d->qhead = (d->qhead + 1) % FAKE_QUEUE;
        d->qcount--;
        size_t n = handle(d, d->queue[slot], d->qlen[slot], buf);
        if (n) {
            if (d->duplicate_responses) {
                memcpy(d->pending_dup, buf, n);
                d->pending_dup_len = n;
            }
            return (int)n;
        }
    }
    return 0;
}

static void fake_close(void *ctx) { (void)ctx; }

void fake_transport(struct fake_device *d, struct client_transport *tp)
{
    memset(tp, 0, sizeof *tp);
    tp->ctx = d;
    tp->send = fake_send;
    tp->recv = fake_recv;
    tp->close = fake_close;
    tp->frame_overhead = d->frame_overhead;
    tp->default_max_msg = 256;
    tp->name = "fake";
}
