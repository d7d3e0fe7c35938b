/* Fuzz what the client does with a device's response: the input is one SMP
 * message as a transport would deliver it. It goes through the session's
 * matching (a fake transport hands it over), status decoding, image state
 * parsing and JSON rendering. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/client.h"

struct one_shot {
    const uint8_t *data;
    size_t len;
    bool used;
};

static int fz_send(void *ctx, const uint8_t *msg, size_t len)
{
    (void)ctx;
    (void)msg;
    (void)len;
    return 0;
}

static int fz_recv(void *ctx, uint8_t *buf, size_t cap, int timeout_ms)
{
    struct one_shot *o = ctx;
    (void)timeout_ms;
    if (o->used || o->len > cap)
        return 0;
    o->used = true;
    memcpy(buf, o->data, o->len);
    return (int)o->len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct client_session s;
    static struct client_rsp rsp;
    struct one_shot o = { .data = data, .len = size };
    struct client_transport tp = { .ctx = &o, .send = fz_send, .recv = fz_recv };
    struct client_image_state st;
    struct smp_hdr h;

    client_session_init(&s, &tp);
    /* make the message answer the request we are about to send */
    if (size >= SMP_HDR_SIZE && smp_hdr_decode(data, size, &h) == 0)
        s.seq = h.seq;
    if (client_call_tmo(&s, SMP_OP_READ, size >= 6 ? (uint16_t)(data[4] << 8 | data[5]) : 0,
                        size >= 8 ? data[7] : 0, (const uint8_t *)"\xa0", 1, &rsp, 1) == 0 ||
        s.dev_err.rc || s.dev_err.has_group) {
        char msg[512];
        client_dev_err_format(&s.dev_err, msg, sizeof msg);
    }
    if (s.received) {
        (void)client_image_state_parse(&rsp.body, &st);
        char *j = client_cbor_to_json(&rsp.body, true);
        free(j);
    }
    return 0;
}
