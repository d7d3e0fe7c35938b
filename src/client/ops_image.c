/* Image group (1) operations other than upload: state read/write, erase. */
#include <string.h>

#include "client/client.h"

enum { IMG_STATE = 0, IMG_ERASE = 5 };

/* Erasing a whole slot can take seconds on real flash (472 KiB at 85 ms per
 * 4 KiB page is 10 s): never give up on it sooner than this. */
#define ERASE_MIN_TIMEOUT_MS 30000

static void get_flag(const struct cbor_value *m, const char *key, bool *out)
{
    bool b = false;
    *out = cbor_map_get_bool(m, key, &b) == 1 && b;
}

static int parse_slot(const struct cbor_value *m, struct client_image_slot *sl)
{
    uint64_t u;
    const char *t;
    const uint8_t *p;
    size_t n;

    memset(sl, 0, sizeof *sl);
    if (m->type != CBOR_TYPE_MAP)
        return CLIENT_ERR_PROTO;
    if (cbor_map_get_uint(m, "image", &u) == 1)
        sl->image = (uint32_t)u;
    if (cbor_map_get_uint(m, "slot", &u) == 1)
        sl->slot = (uint32_t)u;
    if (cbor_map_get_text(m, "version", &t, &n) == 1) {
        if (n >= sizeof sl->version)
            n = sizeof sl->version - 1;
        memcpy(sl->version, t, n);
    }
    if (cbor_map_get_bytes(m, "hash", &p, &n) == 1 && n <= sizeof sl->hash) {
        memcpy(sl->hash, p, n);
        sl->hash_len = n;
    }
    get_flag(m, "bootable", &sl->bootable);
    get_flag(m, "pending", &sl->pending);
    get_flag(m, "confirmed", &sl->confirmed);
    get_flag(m, "active", &sl->active);
    get_flag(m, "permanent", &sl->permanent);
    return 0;
}

int client_image_state_parse(const struct cbor_value *body, struct client_image_state *st)
{
    struct cbor_value arr, m;
    struct cbor_iter it;
    int64_t split;
    uint64_t delta;
    int rc;

    memset(st, 0, sizeof *st);
    if (cbor_map_get_int(body, "splitStatus", &split) == 1)
        st->split_status = split;
    if (cbor_map_get_uint(body, "delta", &delta) == 1 && delta <= UINT32_MAX)
        st->delta = (unsigned)delta;
    if (cbor_map_get(body, "images", &arr) != 1)
        return 0; /* no images at all */
    if (cbor_iter_init(&it, &arr) != CBOR_OK)
        return CLIENT_ERR_PROTO;
    while ((rc = cbor_iter_next(&it, &m)) == 1) {
        if (st->count == CLIENT_MAX_IMAGES)
            break;
        if (parse_slot(&m, &st->slots[st->count]) != 0)
            return CLIENT_ERR_PROTO;
        st->count++;
    }
    return rc < 0 ? CLIENT_ERR_PROTO : 0;
}

int client_image_list(struct client_session *s, struct client_image_state *st,
                      struct client_rsp *rsp)
{
    const uint8_t body[] = { 0xa0 };
    int rc = client_call(s, SMP_OP_READ, SMP_GROUP_IMAGE, IMG_STATE, body, sizeof body, rsp);
    if (rc)
        return rc;
    return client_image_state_parse(&rsp->body, st);
}

int client_image_set_state(struct client_session *s, const uint8_t *hash, size_t hash_len,
                           bool confirm, struct client_image_state *st, struct client_rsp *rsp)
{
    uint8_t body[128];
    struct cbor_writer w;
    int rc;

    if (!hash && !confirm)
        return CLIENT_ERR_ARG; /* "test the running image" means nothing */
    cbor_writer_init(&w, body, sizeof body);
    /* No hash key at all for confirm-current: a null hash is not a bstr and
     * strict decoders refuse it. */
    cbor_open_map(&w, hash ? 2 : 1);
    if (hash) {
        cbor_put_str(&w, "hash");
        cbor_put_bytes(&w, hash, hash_len);
    }
    cbor_put_str(&w, "confirm");
    cbor_put_bool(&w, confirm);
    if (w.status)
        return CLIENT_ERR_ARG;
    rc = client_call(s, SMP_OP_WRITE, SMP_GROUP_IMAGE, IMG_STATE, body, w.len, rsp);
    if (rc)
        return rc;
    return client_image_state_parse(&rsp->body, st);
}

int client_image_erase(struct client_session *s, int slot)
{
    uint8_t body[16];
    struct cbor_writer w;
    struct client_rsp rsp;
    int tmo = s->timeout_ms > ERASE_MIN_TIMEOUT_MS ? s->timeout_ms : ERASE_MIN_TIMEOUT_MS;

    cbor_writer_init(&w, body, sizeof body);
    cbor_open_map(&w, slot >= 0 ? 1 : 0);
    if (slot >= 0) {
        cbor_put_str(&w, "slot");
        cbor_put_uint(&w, (uint64_t)slot);
    }
    return client_call_tmo(s, SMP_OP_WRITE, SMP_GROUP_IMAGE, IMG_ERASE, body, w.len, &rsp, tmo);
}
