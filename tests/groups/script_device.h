/* A scripted in-process SMP device behind a client_transport: every
 * request is answered by a callback that writes the response body, so a
 * test can play any server, legacy or broken, without a board. */
#ifndef TEST_SCRIPT_DEVICE_H
#define TEST_SCRIPT_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "client/client.h"

struct script_device;
/* Writes the response body for one request into w; return 0 to answer,
 * non-zero to stay silent (a lost response). */
typedef int (*script_answer_fn)(struct script_device *d, uint8_t op, uint16_t group, uint8_t id,
                                const struct cbor_value *req, struct cbor_writer *w);

struct script_device {
    script_answer_fn answer;
    void *ctx;                       /* the test's own state */
    uint8_t rsp[CLIENT_MSG_MAX];
    size_t rsp_len;                  /* 0: nothing to deliver */
    uint32_t requests;
    /* a raw body to answer with instead of calling answer (for fuzzing) */
    const uint8_t *raw_body;
    size_t raw_len;
};

void script_transport(struct script_device *d, struct client_transport *tp);
/* A session over d with a short timeout and one try. */
void script_session(struct script_device *d, struct client_transport *tp,
                    struct client_session *s);

#endif
