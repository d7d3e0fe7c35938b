/* OS group (0) operations: echo, reset, MCUmgr parameters, OS/app info. */
#include <string.h>

#include "client/client.h"
#include "client/internal.h"

enum { OS_ECHO = 0, OS_RESET = 5, OS_PARAMS = 6, OS_INFO = 7 };

/* The answer's text body[key], cut to cap. */
static int answer_text(const struct cbor_value *body, const char *key, char *out, size_t cap)
{
    const char *t;
    size_t n;

    if (cbor_map_get_text(body, key, &t, &n) != 1)
        return CLIENT_ERR_PROTO;
    client_copy_text(out, cap, t, n);
    return 0;
}

int client_echo(struct client_session *s, const char *text, char *out, size_t cap)
{
    uint8_t body[CLIENT_MSG_MAX];
    struct cbor_writer w;
    struct client_rsp rsp;
    int rc;

    cbor_writer_init(&w, body, sizeof body - SMP_HDR_SIZE);
    cbor_open_map(&w, 1);
    cbor_put_str(&w, "d");
    cbor_put_str(&w, text);
    if (w.status)
        return CLIENT_ERR_TOO_BIG;
    rc = client_call(s, SMP_OP_WRITE, SMP_GROUP_OS, OS_ECHO, body, w.len, &rsp);
    if (rc)
        return rc;
    return answer_text(&rsp.body, "r", out, cap);
}

int client_reset(struct client_session *s, bool force)
{
    uint8_t body[16];
    struct cbor_writer w;
    struct client_rsp rsp;

    cbor_writer_init(&w, body, sizeof body);
    cbor_open_map(&w, force ? 1 : 0);
    if (force) {
        cbor_put_str(&w, "force");
        cbor_put_uint(&w, 1);
    }
    int rc = client_call(s, SMP_OP_WRITE, SMP_GROUP_OS, OS_RESET, body, w.len, &rsp);
    /* what comes up may take other request sizes (serial recovery, a new
     * firmware): prove the size again on the next transfer */
    s->sizing.done = false;
    return rc;
}

int client_params(struct client_session *s, struct client_params *p)
{
    struct client_rsp rsp;
    uint64_t size, count;
    int rc = client_call_empty(s, SMP_OP_READ, SMP_GROUP_OS, OS_PARAMS, &rsp);

    if (rc)
        return rc;
    if (cbor_map_get_uint(&rsp.body, "buf_size", &size) != 1 ||
        cbor_map_get_uint(&rsp.body, "buf_count", &count) != 1 || size > 0xffffffffu ||
        count > 0xffffffffu)
        return CLIENT_ERR_PROTO;
    p->buf_size = (uint32_t)size;
    p->buf_count = (uint32_t)count;
    return 0;
}

int client_os_info(struct client_session *s, const char *fmt, char *out, size_t cap)
{
    uint8_t body[128];
    struct client_rsp rsp;
    size_t len;
    int rc;

    if (client_encode_text_map(body, sizeof body, "format", fmt, &len) != 0)
        return CLIENT_ERR_ARG;
    rc = client_call(s, SMP_OP_READ, SMP_GROUP_OS, OS_INFO, body, len, &rsp);
    if (rc)
        return rc;
    return answer_text(&rsp.body, "output", out, cap);
}
