/* Shared between the client's own files; not part of the public API. */
#ifndef CLIENT_INTERNAL_H
#define CLIENT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "client/client.h"

int client_serial_open(const struct client_conn *c, struct client_transport *tp,
                       char *err, size_t errlen);
int client_ble_open(const struct client_conn *c, struct client_transport *tp,
                    char *err, size_t errlen);
int client_udp_open(const struct client_conn *c, struct client_transport *tp,
                    char *err, size_t errlen);

/* ---- request and answer helpers of the group operations (request.c) ---- */

/* A request whose body is the empty map {}. */
int client_call_empty(struct client_session *s, uint8_t op, uint16_t group, uint8_t id,
                      struct client_rsp *rsp);
/* Encodes {key: text}, or {} when text is NULL, into buf (*len bytes);
 * CLIENT_ERR_TOO_BIG when it does not fit in cap. */
int client_encode_text_map(uint8_t *buf, size_t cap, const char *key, const char *text,
                           size_t *len);
/* Requests whose answer only matters for its status (no rsp to keep). */
int client_call_status(struct client_session *s, uint8_t op, uint16_t group, uint8_t id,
                       const uint8_t *body, size_t len);
int client_call_status_tmo(struct client_session *s, uint8_t op, uint16_t group, uint8_t id,
                           const uint8_t *body, size_t len, int timeout_ms);
int client_call_empty_status(struct client_session *s, uint8_t op, uint16_t group, uint8_t id);
/* Starts iterating body[key] when it is there with that type (a list in
 * an answer); CLIENT_ERR_PROTO otherwise. */
int client_member_iter(const struct cbor_value *body, const char *key, enum cbor_type type,
                       struct cbor_iter *it);
/* Copies n bytes of text as a NUL-terminated string, cut to cap. */
void client_copy_text(char *out, size_t cap, const char *t, size_t n);

/* ---- delta uploads (upload_delta.c) ---- */

struct client_delta_plan {
    bool use;             /* send patch instead of the image */
    const uint8_t *patch;
    size_t patch_len;
    uint8_t *owned;       /* patch, when made here */
    uint32_t *out_at;     /* [patch_len + 1]: image bytes rebuilt once that much patch is in */
};
/* Decides what client_image_upload sends (see client_upload_opts); says
 * why in st->delta_why. 0, or an error (a --patch that does not rebuild
 * the image, a base that is no image) with the message there too. */
int client_delta_plan(struct client_session *s, const uint8_t *img, size_t len,
                      const uint8_t sha[32], const struct client_upload_opts *o,
                      struct client_upload_stats *st, struct client_delta_plan *plan);
void client_delta_plan_free(struct client_delta_plan *plan);
/* After a successful upload: the image goes into the cache (st->cache_note). */
void client_delta_cache_after(const char *dir, const uint8_t *img, size_t len,
                              struct client_upload_stats *st);

#endif
