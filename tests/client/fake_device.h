/* An in-process fake SMP device behind a client_transport, for testing the
 * session and the upload policy without a board: a request queue of
 * buf_count buffers (overflow is dropped, as Zephyr does), an image upload
 * handler with resume, and fault injection by request/response number. */
#ifndef TEST_FAKE_DEVICE_H
#define TEST_FAKE_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/client.h"

#define FAKE_SLOT_SIZE (512 * 1024)
#define FAKE_QUEUE 64

struct fake_device {
    /* configuration */
    uint32_t buf_size, buf_count;
    bool params_supported;
    size_t frame_overhead;
    size_t accept_max;             /* largest message really taken (0: buf_size - frame_overhead) */
    uint32_t drop_request_every;   /* drop every Nth upload request (0 = never) */
    uint32_t drop_response_every;  /* drop every Nth upload response */
    uint32_t lose_state_at;        /* forget the upload at this upload request number */
    int first_chunk_rc;            /* generic rc for the first chunk (0 = accept) */
    int first_chunk_group_rc;      /* v2 image group rc for the first chunk */
    uint32_t duplicate_responses;  /* send every response twice */
    bool reject_v2;                /* answer SMP v2 requests with rc 13 (too new) */
    /* upload state */
    uint8_t slot[FAKE_SLOT_SIZE];
    size_t expected, total;
    uint8_t sha[32];
    bool in_progress;
    /* the queue of received, unprocessed requests */
    uint8_t queue[FAKE_QUEUE][CLIENT_MSG_MAX];
    size_t qlen[FAKE_QUEUE];
    size_t qhead, qcount;
    uint8_t pending_dup[CLIENT_MSG_MAX];
    size_t pending_dup_len;
    /* observations */
    uint32_t upload_requests, dropped_requests, dropped_responses, oversize;
    size_t max_queue, max_data, max_len;
    size_t data_sizes_over_limit;
};

void fake_init(struct fake_device *d, uint32_t buf_size, uint32_t buf_count);
void fake_transport(struct fake_device *d, struct client_transport *tp);

#endif
