/*
 * How large a request the device really takes, decided once per session
 * and kept for every large request after it (image upload, fs upload).
 *
 * The device's own figure comes first: OS params `buf_size`, less what the
 * transport's framing occupies in that buffer (serial: the 2-byte length
 * prefix and the 2-byte CRC; smp-protocol §5.4). Without it, the
 * transport's safe default. Never more than the user's mtu/maxmsg.
 *
 * A device may take less than it reports (a smaller UART MTU, a bootloader
 * with its own buffers, a mis-built firmware), and it answers a request too
 * large for it with nothing at all. So the size is proved before any
 * transfer runs: an echo of exactly that many bytes. Any answer, even an
 * error (echo disabled), proves the request fitted; silence steps down to
 * 256, then 128 bytes (on a packet link, first to one ATT write: a device
 * without reassembly takes no more). On a packet link (BLE) the size is rounded down to
 * whole packets: a request that ends in a nearly empty ATT write costs a
 * packet for a few bytes. Each probe waits only for its own bytes on the wire
 * plus a short slack, so a misreporting device costs well under two
 * seconds, never a full timeout.
 */
#include <stdio.h>
#include <string.h>

#include "client/client.h"
#include "client/internal.h"

enum { OS_ECHO = 0 };

#define PARAMS_TIMEOUT_MS 1000
#define PROBE_SLACK_MS 400
#define PROBE_UDP_MS 500
#define SMALLEST_PROBE 128

/* Bytes a CBOR text head takes for a text of n bytes. */
static size_t text_head_len(size_t n)
{
    return n < 24 ? 1 : n < 256 ? 2 : 3;
}

/* Body {"d": "ppp..."} whose whole message (header included) is exactly
 * msg_len bytes; returns the body length, or 0 when no such body exists. */
static size_t probe_body(size_t msg_len, uint8_t *buf, size_t cap)
{
    char pad[CLIENT_MSG_MAX]; /* on the stack: sessions may run in threads */
    const size_t fixed = SMP_HDR_SIZE + 3; /* header, map head, key "d" */
    struct cbor_writer w;

    memset(pad, 'p', sizeof pad);
    /* the text's own head grows with it: find the width that fits */
    for (size_t head = 1; head <= 3; head++) {
        if (msg_len < fixed + head)
            return 0;
        size_t n = msg_len - fixed - head;
        if (text_head_len(n) != head || n > sizeof pad)
            continue;
        cbor_writer_init(&w, buf, cap);
        cbor_open_map(&w, 1);
        cbor_put_str(&w, "d");
        cbor_put_text(&w, pad, n);
        return w.status == CBOR_OK && w.len + SMP_HDR_SIZE == msg_len ? w.len : 0;
    }
    return 0;
}

/* Time for a request and its echo to cross the line, plus slack. */
static int probe_timeout(const struct client_session *s, size_t msg_len)
{
    unsigned baud = s->tp->baud;
    if (s->tp->probe_ms)
        return s->tp->probe_ms;
    if (!baud)
        return PROBE_UDP_MS;
    /* base64 (4/3) plus 3 framing bytes a line, 10 bits a byte, both ways */
    size_t wire = (msg_len + 4) * 4 / 3 + 3 * ((msg_len + 4) / 93 + 1);
    return (int)(2 * wire * 10 * 1000 / baud) + PROBE_SLACK_MS;
}

/* 1 when the device answers a request of msg_len bytes, 0 when silent,
 * or a negative error when the link itself failed. */
static int probe(struct client_session *s, size_t msg_len)
{
    uint8_t body[CLIENT_MSG_MAX];
    struct client_rsp rsp;
    size_t blen = probe_body(msg_len, body, sizeof body);
    int saved_tries = s->tries, rc;

    if (!blen)
        return 0;
    s->tries = 1;
    rc = client_call_tmo(s, SMP_OP_WRITE, SMP_GROUP_OS, OS_ECHO, body, blen, &rsp,
                         probe_timeout(s, msg_len));
    s->tries = saved_tries;
    memset(&s->dev_err, 0, sizeof s->dev_err);
    if (rc == 0 || rc == CLIENT_ERR_DEVICE)
        return 1;
    return rc == CLIENT_ERR_TIMEOUT ? 0 : rc;
}

/* Asks for OS params briefly: an old device may not know the command. */
static void ask_params(struct client_session *s, struct client_sizing *z)
{
    int saved_tmo = s->timeout_ms, saved_tries = s->tries;

    s->timeout_ms = saved_tmo < PARAMS_TIMEOUT_MS ? saved_tmo : PARAMS_TIMEOUT_MS;
    s->tries = 1;
    z->params_known = client_params(s, &z->params) == 0 && z->params.buf_size > 0;
    s->timeout_ms = saved_tmo;
    s->tries = saved_tries;
    memset(&s->dev_err, 0, sizeof s->dev_err);
}

/* The size to try first, and in z->why the reason for it. */
static size_t first_candidate(struct client_session *s, struct client_sizing *z)
{
    size_t over = s->tp->frame_overhead, limit = s->tp->default_max_msg;
    int n;

    if (z->params_known && z->params.buf_size > over + SMP_HDR_SIZE) {
        limit = z->params.buf_size - over;
        n = snprintf(z->why, sizeof z->why, "the device's buffer is %u bytes", z->params.buf_size);
        if (over && n > 0)
            snprintf(z->why + n, sizeof z->why - (size_t)n, " (%s framing takes %zu)",
                     s->tp->name, over);
    } else {
        snprintf(z->why, sizeof z->why, "the device does not report its buffer; %zu bytes is "
                                        "the safe default", limit);
    }
    if (s->max_msg && s->max_msg < limit) {
        limit = s->max_msg;
        snprintf(z->why, sizeof z->why, "limited by the connection's mtu/maxmsg");
    }
    size_t unit = s->tp->packet_payload;
    if (unit && limit > unit && limit % unit) {
        limit -= limit % unit;
        size_t n = strlen(z->why);
        snprintf(z->why + n, sizeof z->why - n, ", in whole %zu-byte ATT writes", unit);
    }
    return limit > CLIENT_MSG_MAX ? CLIENT_MSG_MAX : limit;
}

static void note_result(struct client_sizing *z, size_t first, size_t got)
{
    size_t n = strlen(z->why);
    if (got == first)
        snprintf(z->why + n, sizeof z->why - n, "; a %zu-byte request was answered", got);
    else if (got)
        snprintf(z->why + n, sizeof z->why - n, ", but a %zu-byte request got no answer; "
                                                 "a %zu-byte one was", first, got);
}

/* The next size to try after size got no answer. On a packet link a
 * device without SMP reassembly (Zephyr's default) takes exactly one ATT
 * write, whatever buffer it reports: that comes first (unless a packet is
 * below the smallest probe: such a link takes no upload chunk in one
 * write anyway). Then 256 and 128. */
static size_t next_probe(size_t size, size_t packet)
{
    if (packet >= SMALLEST_PROBE && size > packet)
        return packet;
    return size > 256 ? 256 : SMALLEST_PROBE;
}

int client_request_limit(struct client_session *s, size_t *max_msg)
{
    struct client_sizing *z = &s->sizing;
    size_t first, size;
    int rc = 0;

    if (!z->done) {
        int64_t t0 = client_now_ms();
        memset(z, 0, sizeof *z);
        ask_params(s, z);
        first = size = first_candidate(s, z);
        for (;;) {
            rc = probe(s, size);
            if (rc != 0)
                break;
            size_t next = next_probe(size, s->tp->packet_payload);
            if (next >= size)
                break;
            size = next;
        }
        if (rc < 0)
            return rc;
        if (rc == 0) {
            /* Nothing answered. A device that answered params is alive:
             * the smallest size is its best chance. One that answered
             * nothing is gone, and the transfer's timeouts will say so. */
            size = z->params_known ? SMALLEST_PROBE : first;
            size_t n = strlen(z->why);
            snprintf(z->why + n, sizeof z->why - n, "; no size probe was answered");
        }
        note_result(z, first, rc == 1 ? size : 0);
        z->proved = rc == 1;
        z->max_msg = size;
        z->done = true;
        z->spent_ms = client_now_ms() - t0;
    }
    *max_msg = z->max_msg;
    return 0;
}
