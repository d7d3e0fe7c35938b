/* The checked update of one device (see dfu.h). */
#include "dfu/dfu.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "image/keys.h"
#include "smp/smp.h"

#define DEFAULT_BOOT_WAIT_MS 60000
#define KEY_DER_MAX 2048

struct run {
    struct client_session *s;
    const struct client_conn *c;
    const uint8_t *img;
    size_t len;
    const struct dfu_opts *o;
    struct dfu_result *r;
    enum dfu_step step;
    struct image_info info;
    struct client_image_state st;
    struct client_rsp rsp;
};

static const char *const step_names[] = {
    [DFU_STEP_PREFLIGHT] = "preflight", [DFU_STEP_UPLOAD] = "upload",
    [DFU_STEP_TEST] = "test",           [DFU_STEP_RESET] = "reset",
    [DFU_STEP_WAIT] = "wait",           [DFU_STEP_VERIFY] = "verify",
    [DFU_STEP_DECIDE] = "decide",       [DFU_STEP_DONE] = "done",
};

const char *dfu_step_name(enum dfu_step step)
{
    return step <= DFU_STEP_DONE ? step_names[step] : "?";
}

static void emit(struct run *u, enum dfu_event_kind kind, const char *text)
{
    struct dfu_event ev = { .step = u->step, .kind = kind, .text = text };
    if (u->o->event)
        u->o->event(u->o->event_ctx, &ev);
}

/* Starts a step; text (or NULL) says what it is about to do. */
static void begin(struct run *u, enum dfu_step step, const char *text)
{
    u->step = step;
    u->r->failed_at = step; /* where the run is, for whoever reads r meanwhile */
    emit(u, DFU_EV_BEGIN, text);
}

/* An event with a formatted text. */
static void emit_v(struct run *u, enum dfu_event_kind kind, const char *fmt, va_list ap)
{
    char text[320];
    vsnprintf(text, sizeof text, fmt, ap);
    emit(u, kind, text);
}

/* Ends the current step successfully, with what it found. */
static void end(struct run *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void end(struct run *u, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit_v(u, DFU_EV_END, fmt, ap);
    va_end(ap);
}

/* A warning inside the current step, which goes on. */
static void note(struct run *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct run *u, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit_v(u, DFU_EV_NOTE, fmt, ap);
    va_end(ap);
}

/* The run fails in the current step with problem pb: records why, tells,
 * returns rc. */
static int fail(struct run *u, int rc, enum dfu_problem pb, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(struct run *u, int rc, enum dfu_problem pb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(u->r->reason, sizeof u->r->reason, fmt, ap);
    va_end(ap);
    u->r->failed_at = u->step;
    u->r->client_rc = rc;
    u->r->problem = pb;
    emit(u, DFU_EV_FAIL, u->r->reason);
    return rc;
}


/* Nothing answered: the connection, not the device, is the problem. */
static bool silent(int rc)
{
    return rc == CLIENT_ERR_TIMEOUT || rc == CLIENT_ERR_IO || rc == CLIENT_ERR_REFUSED;
}

/* What a device's refusal of an image change means, by its error code:
 * the DFU gate answers EACCESSDENIED; the image group names a signature
 * or hash it would not boot, a size, or a version it does not take. */
static enum dfu_problem refusal(const struct client_dev_err *e, enum dfu_problem otherwise)
{
    if (!e->has_group && e->rc == SMP_ERR_EACCESSDENIED)
        return DFU_PB_NOT_DFU_MODE;
    if (!e->has_group || e->group != SMP_GROUP_IMAGE)
        return otherwise;
    switch (e->group_rc) {
    case IMG_ERR_INVALID_TLV:
    case IMG_ERR_INVALID_HASH:
        return DFU_PB_UNTRUSTED;
    case IMG_ERR_INVALID_IMAGE_TOO_LARGE:
        return DFU_PB_TOO_LARGE;
    case IMG_ERR_CURRENT_VERSION_IS_NEWER:
        return DFU_PB_DOWNGRADE;
    default:
        return otherwise;
    }
}

/* A client failure, in words: the device's own reason when it gave one.
 * pb: the problem when it is neither silence nor a known refusal. */
static int fail_client(struct run *u, int rc, enum dfu_problem pb, const char *what)
{
    char detail[256];
    if (rc == CLIENT_ERR_DEVICE) {
        client_dev_err_format(&u->s->dev_err, detail, sizeof detail);
        pb = refusal(&u->s->dev_err, pb);
    } else {
        snprintf(detail, sizeof detail, "%s", client_strerror(rc));
    }
    if (pb == DFU_PB_NOT_DFU_MODE)
        what = "the device is not in DFU mode";
    else if (pb == DFU_PB_UNTRUSTED)
        what = "the device refused the image the bootloader would not boot";
    /* the transport's own words, cut to what the reason holds */
    if (rc != CLIENT_ERR_DEVICE && u->s->tp->last_error[0])
        return fail(u, rc, pb, "%s: %s: %.150s", what, detail, u->s->tp->last_error);
    return fail(u, rc, pb, "%s: %s", what, detail);
}

static void hex_of(const uint8_t *p, size_t n, char *out, size_t cap)
{
    size_t i;
    for (i = 0; i < n && 2 * i + 2 < cap; i++)
        snprintf(out + 2 * i, 3, "%02x", p[i]);
    out[2 * i] = '\0';
}

/* "1.2.3" or "1.2.3.4" as devices print versions. */
static int parse_version(const char *s, struct image_version *v)
{
    unsigned a = 0, b = 0, c = 0, d = 0;
    int n = sscanf(s, "%u.%u.%u.%u", &a, &b, &c, &d);
    if (n < 3 || a > 255 || b > 255 || c > 65535)
        return -1;
    *v = (struct image_version){ .major = (uint8_t)a, .minor = (uint8_t)b,
                                 .revision = (uint16_t)c, .build = d };
    return 0;
}

static const struct client_image_slot *slot_of(const struct client_image_state *st, uint32_t n)
{
    for (size_t i = 0; i < st->count; i++)
        if (st->slots[i].image == 0 && st->slots[i].slot == n)
            return &st->slots[i];
    return NULL;
}

/* The file: a whole image, signed by the given key when there is one. */
static int check_file(struct run *u)
{
    struct image_mem mem = { u->img, u->len };
    int rc = client_image_check_file(u->img, u->len);

    if (rc == CLIENT_ERR_TRUNCATED)
        return fail(u, rc, DFU_PB_BAD_IMAGE, "Image invalid: truncated, its header and TLV area "
                                             "run past the end of the file");
    if (rc != 0 || image_read_info(image_mem_read, &mem, (uint32_t)u->len, &u->info) != 0)
        return fail(u, CLIENT_ERR_NOT_IMAGE, DFU_PB_BAD_IMAGE,
                    "Image invalid: not a signed MCUboot image (no valid image header)");
    image_version_fmt(&u->info.hdr.ver, u->r->image_version, sizeof u->r->image_version);
    hex_of(u->info.hash, u->info.hash_len, u->r->image_hash, sizeof u->r->image_hash);
    if (!u->o->key_pem)
        return 0;
    uint8_t der[KEY_DER_MAX];
    size_t der_len = 0;
    if (image_key_load_public_der(u->o->key_pem, der, sizeof der, &der_len) != 0)
        return fail(u, CLIENT_ERR_FILE, DFU_PB_OTHER, "cannot read a key from %s", u->o->key_pem);
    struct image_key key = { der, der_len };
    rc = image_validate(image_mem_read, &mem, (uint32_t)u->len, &key, 1, &u->info, NULL);
    if (rc != 0)
        return fail(u, DFU_ERR_REFUSED, DFU_PB_BAD_IMAGE,
                    "Image invalid or failed to verify: the image is not signed by %s (%s): the "
                    "device would not boot it", u->o->key_pem, image_strerror(rc));
    return 0;
}

/* Slot 1 waits for a reset: with this image, an earlier run stopped after
 * its test and this one carries on from the reset; with another, the
 * device refuses uploads until that one ran. */
static int check_pending(struct run *u, const struct client_image_slot *next)
{
    char hash[65];

    if (!next || !next->pending)
        return 0;
    hex_of(next->hash, next->hash_len, hash, sizeof hash);
    if (strcmp(hash, u->r->image_hash) == 0) {
        u->r->upload_skipped = true;
        return 0;
    }
    return fail(u, DFU_ERR_REFUSED, DFU_PB_PENDING_OTHER,
                "slot 1 holds %s marked pending by an unfinished update; the device refuses a "
                "new upload until it ran", next->version);
}

/* Newer than what runs, or --force (said as a note). */
static int check_newer(struct run *u, const char *running)
{
    struct image_version have;

    if (parse_version(running, &have) != 0 ||
        image_version_cmp(&u->info.hdr.ver, &have, true) > 0)
        return 0;
    if (!u->o->force)
        return fail(u, DFU_ERR_REFUSED, DFU_PB_NOT_NEWER,
                    "the image (%s) is not newer than the running %s (--force accepts it)",
                    u->r->image_version, running);
    note(u, "%s is not newer than %s: continuing because of --force", u->r->image_version,
         running);
    return 0;
}

/* What the device runs, and whether it can take this update now. */
static int check_device(struct run *u)
{
    int rc = client_image_list(u->s, &u->st, &u->rsp);
    const struct client_image_slot *run, *next;

    if (silent(rc))
        return fail_client(u, rc, DFU_PB_NO_ANSWER, "failed to connect: the device does not answer");
    if (rc)
        return fail_client(u, rc, DFU_PB_OTHER, "the device does not list its images");
    /* who it is, for the records; a device without OS info has no name */
    if (client_os_info(u->s, "ni", u->r->device_id, sizeof u->r->device_id) != 0)
        u->r->device_id[0] = '\0';
    run = slot_of(&u->st, 0);
    next = slot_of(&u->st, 1);
    if (!run)
        return fail(u, DFU_ERR_REFUSED, DFU_PB_OTHER, "the device lists no running image (serial "
                                                      "recovery? use `mcumgr image upload` there)");
    snprintf(u->r->before_version, sizeof u->r->before_version, "%s", run->version);
    hex_of(run->hash, run->hash_len, u->r->before_hash, sizeof u->r->before_hash);
    if (next)
        snprintf(u->r->slot1_version, sizeof u->r->slot1_version, "%s", next->version);
    if (u->o->max_size && u->len > u->o->max_size)
        return fail(u, DFU_ERR_REFUSED, DFU_PB_TOO_LARGE,
                    "image too large: %zu bytes, the slot takes at most %zu bytes (%zu KiB)",
                    u->len, u->o->max_size, u->o->max_size / 1024);
    if (strcmp(u->r->before_hash, u->r->image_hash) == 0)
        return fail(u, DFU_ERR_REFUSED, DFU_PB_SAME, "the device already runs this image (%s)",
                    run->version);
    if (!run->confirmed)
        return fail(u, DFU_ERR_REFUSED, DFU_PB_ON_TRIAL,
                    "the device runs %s on trial (not confirmed); slot 1 keeps the backup a "
                    "revert needs", run->version);
    rc = check_pending(u, next);
    return rc ? rc : check_newer(u, run->version);
}

static int preflight(struct run *u)
{
    begin(u, DFU_STEP_PREFLIGHT, NULL);
    int rc = check_file(u);
    if (rc == 0)
        rc = check_device(u);
    if (rc == 0)
        end(u, "device runs %s; image %s (%.16s...), %zu bytes", u->r->before_version,
            u->r->image_version, u->r->image_hash, u->len);
    return rc;
}

static void on_progress(void *ctx, size_t done, size_t total)
{
    struct run *u = ctx;
    struct dfu_event ev = { .step = DFU_STEP_UPLOAD, .kind = DFU_EV_PROGRESS,
                            .done = done, .total = total };
    if (u->o->event)
        u->o->event(u->o->event_ctx, &ev);
}

static int upload(struct run *u)
{
    struct client_upload_opts o = { .use_params = true, .state_key = u->o->state_key,
                                    .image_cache = u->o->image_cache,
                                    .progress = on_progress, .progress_ctx = u };
    char what[96];

    if (u->r->upload_skipped) {
        begin(u, DFU_STEP_UPLOAD, NULL);
        end(u, "already in slot 1 and marked for test by an earlier run: no upload needed");
        return 0;
    }
    snprintf(what, sizeof what, "Uploading %s to slot 1", u->r->image_version);
    begin(u, DFU_STEP_UPLOAD, what);
    int rc = client_image_upload(u->s, u->img, u->len, &o, &u->r->upload);
    if (rc)
        return fail_client(u, rc, DFU_PB_UPLOAD, "Upload failed");
    /* with a cache the user wants to know whether a patch went, and why not */
    if (u->o->image_cache && u->r->upload.delta_why[0])
        end(u, "%zu bytes: %s", u->len, u->r->upload.delta_why);
    else if (u->r->upload.resumed_from)
        end(u, "%zu bytes (resumed at %zu)", u->len, u->r->upload.resumed_from);
    else
        end(u, "%zu bytes", u->len);
    return 0;
}

static int mark_test(struct run *u)
{
    begin(u, DFU_STEP_TEST, NULL);
    if (u->r->upload_skipped) {
        end(u, "already pending for one trial boot");
        return 0;
    }
    int rc = client_image_set_state(u->s, u->info.hash, u->info.hash_len, false, &u->st, &u->rsp);
    if (rc)
        return fail_client(u, rc, DFU_PB_TEST, "the device refused to test the image");
    end(u, "pending for one trial boot");
    return 0;
}

/* Reads what runs now into r->after_*. */
static int read_running(struct run *u)
{
    int rc = client_image_list(u->s, &u->st, &u->rsp);
    const struct client_image_slot *run = slot_of(&u->st, 0);

    if (rc)
        return fail_client(u, rc, DFU_PB_NO_BOOT, "the device does not list its images");
    if (!run)
        return fail(u, DFU_ERR_NOT_BOOTED, DFU_PB_NOT_BOOTED, "the device lists no running image");
    snprintf(u->r->after_version, sizeof u->r->after_version, "%s", run->version);
    hex_of(run->hash, run->hash_len, u->r->after_hash, sizeof u->r->after_hash);
    return 0;
}

/* Reset, then wait until the device answers again and says what it runs
 * (so the reset's record names the image before and after it). */
static int reboot(struct run *u)
{
    int waited = 0, rc;
    int max = u->o->boot_wait_ms > 0 ? u->o->boot_wait_ms : DEFAULT_BOOT_WAIT_MS;
    struct dfu_result *r = u->r;
    bool booted_before = r->after_hash[0] != '\0';

    begin(u, DFU_STEP_RESET, NULL);
    snprintf(r->reset_from_version, sizeof r->reset_from_version, "%s",
             booted_before ? r->after_version : r->before_version);
    snprintf(r->reset_from_hash, sizeof r->reset_from_hash, "%s",
             booted_before ? r->after_hash : r->before_hash);
    rc = client_reset(u->s, false);
    /* a USB port that vanishes right after the request: the reset is on */
    if (rc && rc != CLIENT_ERR_IO)
        return fail_client(u, rc, DFU_PB_OTHER, "the device refused to reset");
    if (u->o->state_key)
        client_note_reset(u->o->state_key);
    end(u, "reset");
    begin(u, DFU_STEP_WAIT, NULL);
    r->after_version[0] = r->after_hash[0] = '\0';
    rc = client_wait_ready(u->s, u->c, max, &waited);
    if (rc)
        return fail(u, rc, DFU_PB_NO_BOOT, "the device did not come back within %d s after the "
                                           "reset", max / 1000);
    if (u->o->state_key)
        client_forget_reset(u->o->state_key);
    rc = read_running(u);
    if (rc)
        return rc;
    end(u, "answers again after %.1f s, runs %s", waited / 1000.0, r->after_version);
    return 0;
}

static int verify(struct run *u)
{
    struct dfu_result *r = u->r;
    struct image_version had;

    begin(u, DFU_STEP_VERIFY, NULL);
    if (strcmp(r->after_hash, r->image_hash) == 0) {
        end(u, "runs %s", r->after_version);
        return 0;
    }
    /* an image not newer than the one it replaced: downgrade prevention */
    bool older = parse_version(r->before_version, &had) == 0 &&
                 image_version_cmp(&u->info.hdr.ver, &had, true) <= 0;
    return fail(u, DFU_ERR_NOT_BOOTED, older ? DFU_PB_DOWNGRADE : DFU_PB_NOT_BOOTED,
                "the device did not boot %s: it still runs %s (the bootloader refused or "
                "reverted it)", r->image_version, r->after_version);
}

static enum dfu_decision decision_of(struct run *u)
{
    if (u->o->decision != DFU_ASK)
        return u->o->decision;
    return u->o->ask ? u->o->ask(u->o->event_ctx, u->r) : DFU_TRIAL;
}

static int decide(struct run *u)
{
    int rc;

    begin(u, DFU_STEP_DECIDE, NULL);
    u->r->decision = decision_of(u);
    switch (u->r->decision) {
    case DFU_CONFIRM:
        rc = client_image_set_state(u->s, NULL, 0, true, &u->st, &u->rsp);
        if (rc)
            return fail_client(u, rc, DFU_PB_CONFIRM, "the device refused to confirm the image");
        end(u, "confirmed: %s stays across resets", u->r->after_version);
        return 0;
    case DFU_REVERT:
        rc = reboot(u);
        u->step = DFU_STEP_DECIDE;
        if (rc)
            return rc;
        if (strcmp(u->r->after_hash, u->r->before_hash) != 0)
            return fail(u, DFU_ERR_NOT_BOOTED, DFU_PB_NOT_BOOTED,
                        "the revert did not bring %s back (runs %s)", u->r->before_version,
                        u->r->after_version);
        end(u, "reverted: %s runs again; %s was not kept", u->r->after_version,
            u->r->image_version);
        return 0;
    default:
        end(u, "on trial: %s runs unconfirmed; the next reset reverts unless it is confirmed",
            u->r->after_version);
        return 0;
    }
}

int dfu_run(struct client_session *s, const struct client_conn *c, const uint8_t *img,
            size_t len, const struct dfu_opts *o, struct dfu_result *r)
{
    struct run *u;
    int rc;

    if (!s || !c || !img || !len || !o || !r || len > UINT32_MAX)
        return CLIENT_ERR_ARG;
    memset(r, 0, sizeof *r);
    r->decision = o->decision;
    u = calloc(1, sizeof *u);
    if (!u)
        return CLIENT_ERR_NOMEM;
    *u = (struct run){ .s = s, .c = c, .img = img, .len = len, .o = o, .r = r };
    rc = preflight(u);
    if (rc == 0)
        rc = upload(u);
    if (rc == 0)
        rc = mark_test(u);
    if (rc == 0)
        rc = reboot(u);
    if (rc == 0)
        rc = verify(u);
    if (rc == 0)
        rc = decide(u);
    if (rc == 0) {
        u->step = r->failed_at = DFU_STEP_DONE;
        emit(u, DFU_EV_END, NULL);
    }
    if (r->failed_at < DFU_STEP_RESET) { /* no reset yet: the old image runs */
        snprintf(r->after_version, sizeof r->after_version, "%s", r->before_version);
        snprintf(r->after_hash, sizeof r->after_hash, "%s", r->before_hash);
    }
    free(u);
    return rc;
}
