/*
 * The checked update of one device, as a state machine over src/client:
 *
 *   preflight -> upload -> test -> reset -> wait -> verify -> decide
 *
 * preflight: the file is a whole image (signed by --key when given), the
 *   device answers, its running image is known and confirmed, slot 1 is
 *   not pending with another image (with this very one, an earlier run
 *   stopped after its test: upload and test are skipped), the image fits
 *   the slot and is newer (unless forced); upload: with resume; test:
 *   marked for one trial boot; reset and wait: until the device answers
 *   again (a swap takes time) and says what it runs; verify: slot 0 now
 *   runs the new image, by hash; decide: confirm it, revert to the old one
 *   (reset without confirm), leave it on trial, or ask (DFU_ASK).
 *
 * A serial port is checked before it is opened (dfu_port_check); a
 * failure has a kind (enum dfu_problem) and the field guide's hints for
 * it (dfu_hints), so the text view, the JSON stream and the fleet all give
 * the same advice.
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

/* DFU_ASK: the opts' ask callback decides once the new image runs (no
 * callback: trial, the choice that can still be undone). */
enum dfu_decision { DFU_TRIAL, DFU_CONFIRM, DFU_REVERT, DFU_ASK };

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

/* DFU_EV_NOTE: a warning inside a step that goes on (e.g. a forced downgrade). */
enum dfu_event_kind { DFU_EV_BEGIN, DFU_EV_PROGRESS, DFU_EV_END, DFU_EV_FAIL, DFU_EV_NOTE };

/* Why a run failed, in the words of the field guide: each problem has its
 * own hints (dfu_hints), so every view gives the same advice. */
enum dfu_problem {
    DFU_PB_NONE,
    DFU_PB_OTHER,          /* nothing more specific is known */
    DFU_PB_NO_PORT,        /* the serial port does not exist */
    DFU_PB_PORT_ACCESS,    /* ... is not ours to open */
    DFU_PB_PORT_BUSY,      /* ... is held by another program */
    DFU_PB_BAUD,           /* the port cannot take that baud rate */
    DFU_PB_NO_ANSWER,      /* nothing answers on the connection */
    DFU_PB_BAD_IMAGE,      /* the file is no image, or not signed by --key */
    DFU_PB_TOO_LARGE,      /* larger than the slot (--max-size, or the device says) */
    DFU_PB_SAME,           /* the device runs this very image */
    DFU_PB_NOT_NEWER,      /* not newer than the running image, no --force */
    DFU_PB_PENDING_OTHER,  /* slot 1 waits for a reset with another image */
    DFU_PB_ON_TRIAL,       /* the running image is not confirmed yet */
    DFU_PB_NOT_DFU_MODE,   /* the device takes updates only in DFU mode */
    DFU_PB_UNTRUSTED,      /* the device would not boot the image (signature, hash) */
    DFU_PB_DOWNGRADE,      /* the device or its bootloader takes only newer versions */
    DFU_PB_UPLOAD,         /* the upload broke off */
    DFU_PB_TEST,           /* the device refused to mark the image for test */
    DFU_PB_NO_BOOT,        /* the device did not come back after the reset */
    DFU_PB_NOT_BOOTED,     /* it came back running another image */
    DFU_PB_CONFIRM,        /* it refused to confirm */
};

struct dfu_event {
    enum dfu_step step;
    enum dfu_event_kind kind;
    size_t done, total;      /* DFU_EV_PROGRESS (upload bytes) */
    const char *text;        /* what happened, one line, or NULL */
};
typedef void (*dfu_event_fn)(void *ctx, const struct dfu_event *ev);

struct dfu_result;
struct dfu_opts {
    enum dfu_decision decision;
    bool force;              /* accept an image that is not newer */
    const char *key_pem;     /* check the signature against this key first */
    int boot_wait_ms;        /* how long the device may take to come back */
    size_t max_size;         /* largest image the slot takes (0: the device decides) */
    const char *state_key;   /* the connection, for resume notes (may be NULL) */
    /* images shipped earlier (may be NULL): when the device runs one of them
     * and announces deltas, a patch goes instead of the whole image, and the
     * image sent is kept there for the next update */
    const char *image_cache;
    dfu_event_fn event;
    /* DFU_ASK: the decision, asked once the new image runs (r says which) */
    enum dfu_decision (*ask)(void *ctx, const struct dfu_result *r);
    void *event_ctx;         /* the context of event and ask */
};

struct dfu_result {
    enum dfu_decision decision;  /* what was asked for (DFU_ASK: then what was answered) */
    enum dfu_step failed_at;     /* DFU_STEP_DONE on success; the step running, meanwhile */
    int client_rc;               /* the client error behind a failure, or 0 */
    enum dfu_problem problem;    /* what kind of failure, for dfu_hints */
    char reason[320];            /* why it failed, for the user */
    char device_id[160];         /* the device's identity (OS info "ni"), or "" */
    char slot1_version[48];      /* slot 1 before the update (a pending image's version) */
    bool upload_skipped;         /* slot 1 already held this image, pending: no upload, no test */
    char image_version[48];      /* the file's */
    char image_hash[65];
    char before_version[48];     /* running before */
    char before_hash[65];
    char after_version[48];      /* running at the end */
    char after_hash[65];
    char reset_from_version[48]; /* what ran when the latest reset was sent */
    char reset_from_hash[65];
    struct client_upload_stats upload;
};

/* Runs the update of one device over session s (connection c, reopened
 * after the reset when its port went away). Returns 0 when the decision
 * was carried out, CLIENT_ERR_* otherwise (r->failed_at and r->reason
 * say where and why). */
int dfu_run(struct client_session *s, const struct client_conn *c, const uint8_t *img,
            size_t len, const struct dfu_opts *o, struct dfu_result *r);

/* The serial port of c, before it is opened: it exists, is ours to read
 * and write, no other program holds it (the one that does is named), and
 * it takes c's baud rate. 0, or DFU_ERR_REFUSED with r->problem and
 * r->reason set. UDP always passes. */
int dfu_port_check(const struct client_conn *c, struct dfu_result *r);

/* The field guide's advice for r's problem: up to DFU_HINTS_MAX lines in
 * out, naming the port of c and the firmware file. Returns the count. */
#define DFU_HINTS_MAX 4
#define DFU_HINT_LEN 256
size_t dfu_hints(const struct dfu_result *r, const struct client_conn *c, const char *firmware,
                 char out[DFU_HINTS_MAX][DFU_HINT_LEN]);

#endif
