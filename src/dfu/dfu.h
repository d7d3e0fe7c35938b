/*
 * The checked update of one device, as a state machine over src/client:
 *
 *   preflight -> upload -> test -> reset -> wait -> verify -> decide
 *
 * preflight: the file is a whole image (signed by --key when given), the
 *   device answers, its running image is known, slot 1 is not busy with
 *   an earlier update, the image fits the slot and is newer (unless
 *   forced); upload: with resume; test: marked for one trial boot;
 *   reset and wait: until the device answers again (a swap takes time);
 *   verify: slot 0 now runs the new image, by hash; decide: confirm it,
 *   revert to the old one (reset without confirm), or leave it on trial.
 *
 * Every step reports through one event callback (a text view, a JSON
 * stream and a fleet table all consume the same events); nothing here
 * prints. The device is never left worse than found: a failure before the
 * reset leaves the old image running, one after it leaves the bootloader's
 * revert to do its work on the next reset.
 */
#ifndef DFU_DFU_H
#define DFU_DFU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/client.h"

enum dfu_decision { DFU_TRIAL, DFU_CONFIRM, DFU_REVERT };

/* The engine's own failures, beside the client's (enum client_err). */
enum dfu_err {
    DFU_ERR_REFUSED = -140,    /* preflight: the update would be unsafe or pointless */
    DFU_ERR_NOT_BOOTED = -141, /* the device did not run (or revert to) the expected image */
};

enum dfu_step {
    DFU_STEP_PREFLIGHT,
    DFU_STEP_UPLOAD,
    DFU_STEP_TEST,
    DFU_STEP_RESET,
    DFU_STEP_WAIT,
    DFU_STEP_VERIFY,
    DFU_STEP_DECIDE,
    DFU_STEP_DONE,
};
const char *dfu_step_name(enum dfu_step step);

enum dfu_event_kind { DFU_EV_BEGIN, DFU_EV_PROGRESS, DFU_EV_END, DFU_EV_FAIL };

struct dfu_event {
    enum dfu_step step;
    enum dfu_event_kind kind;
    size_t done, total;      /* DFU_EV_PROGRESS (upload bytes) */
    const char *text;        /* what happened, one line, or NULL */
};
typedef void (*dfu_event_fn)(void *ctx, const struct dfu_event *ev);

struct dfu_opts {
    enum dfu_decision decision;
    bool force;              /* accept an image that is not newer */
    const char *key_pem;     /* check the signature against this key first */
    int boot_wait_ms;        /* how long the device may take to come back */
    const char *state_key;   /* the connection, for resume notes (may be NULL) */
    dfu_event_fn event;
    void *event_ctx;
};

struct dfu_result {
    enum dfu_decision decision;  /* what was asked for */
    enum dfu_step failed_at;     /* DFU_STEP_DONE on success; the step running, meanwhile */
    int client_rc;               /* the client error behind a failure, or 0 */
    char reason[320];            /* why it failed, for the user */
    char image_version[48];      /* the file's */
    char image_hash[65];
    char before_version[48];     /* running before */
    char before_hash[65];
    char after_version[48];      /* running at the end */
    char after_hash[65];
    struct client_upload_stats upload;
};

/* Runs the update of one device over session s (connection c, reopened
 * after the reset when its port went away). Returns 0 when the decision
 * was carried out, CLIENT_ERR_* otherwise (r->failed_at and r->reason
 * say where and why). */
int dfu_run(struct client_session *s, const struct client_conn *c, const uint8_t *img,
            size_t len, const struct dfu_opts *o, struct dfu_result *r);

#endif
