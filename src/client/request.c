/*
 * Request and answer helpers shared by the group operations (ops_*.c):
 * the small request bodies most commands send, the calls whose answer only
 * matters for its status, and the checks of an answer's list members.
 * Not here: anything a single group needs (it stays in that group's file).
 */
#include <stdlib.h>
#include <string.h>

#include "client/internal.h"

static const uint8_t empty_map[] = { 0xa0 };

int client_call_empty(struct client_session *s, uint8_t op, uint16_t group, uint8_t id,
                      struct client_rsp *rsp)
{
    return client_call(s, op, group, id, empty_map, sizeof empty_map, rsp);
}

int client_encode_text_map(uint8_t *buf, size_t cap, const char *key, const char *text,
                           size_t *len)
{
    struct cbor_writer w;

    cbor_writer_init(&w, buf, cap);
    cbor_open_map(&w, text ? 1 : 0);
    if (text) {
        cbor_put_str(&w, key);
        cbor_put_str(&w, text);
    }
    *len = w.len;
    return w.status ? CLIENT_ERR_TOO_BIG : 0;
}

int client_call_status_tmo(struct client_session *s, uint8_t op, uint16_t group, uint8_t id,
                           const uint8_t *body, size_t len, int timeout_ms)
{
    /* a response holds a whole message: too big for every caller's stack */
    struct client_rsp *rsp = malloc(sizeof *rsp);
    int rc;

    if (!rsp)
        return CLIENT_ERR_NOMEM;
    rc = client_call_tmo(s, op, group, id, body, len, rsp, timeout_ms);
    free(rsp);
    return rc;
}

int client_call_status(struct client_session *s, uint8_t op, uint16_t group, uint8_t id,
                       const uint8_t *body, size_t len)
{
    return client_call_status_tmo(s, op, group, id, body, len, s->timeout_ms);
}

int client_call_empty_status(struct client_session *s, uint8_t op, uint16_t group, uint8_t id)
{
    return client_call_status(s, op, group, id, empty_map, sizeof empty_map);
}

int client_member_iter(const struct cbor_value *body, const char *key, enum cbor_type type,
                       struct cbor_iter *it)
{
    struct cbor_value v;

    if (cbor_map_get(body, key, &v) != 1 || v.type != type || cbor_iter_init(it, &v) != CBOR_OK)
        return CLIENT_ERR_PROTO;
    return 0;
}

void client_copy_text(char *out, size_t cap, const char *t, size_t n)
{
    if (cap == 0)
        return;
    if (n >= cap)
        n = cap - 1;
    memcpy(out, t, n);
    out[n] = '\0';
}
