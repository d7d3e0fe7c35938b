/* Image group commands: list, test, confirm, erase, upload. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "commands.h"
#include "image/file.h"
#include "progress.h"

/* The largest image number we believe in. Values above it are almost
 * certainly a chunk size typed as -n (the user's guide says so wrongly). */
#define MAX_IMAGE_NUMBER 15

int cli_parse_hex(const char *hex, uint8_t *out, size_t cap, size_t *len)
{
    size_t n = strlen(hex);
    if (n == 0 || n % 2 || n / 2 > cap)
        return -1;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1 || !strchr("0123456789abcdefABCDEF", hex[2 * i]) ||
            !strchr("0123456789abcdefABCDEF", hex[2 * i + 1]))
            return -1;
        out[i] = (uint8_t)v;
    }
    *len = n / 2;
    return 0;
}

static const char *split_text(int64_t s)
{
    switch (s) {
    case 0: return "N/A";
    case 1: return "non-matching";
    case 2: return "matching";
    default: return "Unknown!";
    }
}

static void print_slot(struct cli_ctx *cx, const struct client_image_slot *sl)
{
    char flags[64] = "", hash[129] = "Unavailable";
    if (sl->active) strcat(flags, " active");
    if (sl->confirmed) strcat(flags, " confirmed");
    if (sl->pending) strcat(flags, " pending");
    if (sl->permanent) strcat(flags, " permanent");
    if (sl->hash_len) {
        for (size_t i = 0; i < sl->hash_len; i++)
            sprintf(hash + 2 * i, "%02x", sl->hash[i]);
    }
    out_line(cx, " image=%u slot=%u", sl->image, sl->slot);
    out_line(cx, "    version: %s", sl->version);
    out_line(cx, "    bootable: %s", sl->bootable ? "true" : "false");
    out_line(cx, "    flags: %s", flags[0] ? flags + 1 : "");
    out_line(cx, "    hash: %s", hash);
}

static const struct client_image_slot *find_slot(const struct client_image_state *st,
                                                 uint32_t image, uint32_t slot)
{
    for (size_t i = 0; i < st->count; i++)
        if (st->slots[i].image == image && st->slots[i].slot == slot)
            return &st->slots[i];
    return NULL;
}

/* The state block of `image list/test/confirm`. Every image pair shows both
 * slots; an empty slot says so, as in the user's guide. */
static void print_state(struct cli_ctx *cx, const struct client_image_state *st,
                        const struct client_rsp *rsp)
{
    if (cx->json) {
        out_json_body(cx, &rsp->body);
        return;
    }
    out_line(cx, "Images:");
    for (size_t i = 0; i < st->count; i++) {
        uint32_t img = st->slots[i].image;
        bool dup = false;
        for (size_t k = 0; k < i; k++)
            dup |= st->slots[k].image == img;
        if (dup)
            continue;
        for (uint32_t slot = 0; slot < 2; slot++) {
            const struct client_image_slot *sl = find_slot(st, img, slot);
            if (sl)
                print_slot(cx, sl);
            else {
                out_line(cx, " image=%u slot=%u", img, slot);
                out_line(cx, "    <No image installed>");
            }
        }
        /* slots other than 0 and 1 (devices with more) */
        for (size_t k = 0; k < st->count; k++)
            if (st->slots[k].image == img && st->slots[k].slot > 1)
                print_slot(cx, &st->slots[k]);
    }
    out_line(cx, "Split status: %s (%lld)", split_text(st->split_status),
             (long long)st->split_status);
}

static int image_list(struct cli_ctx *cx, int argc, char **argv)
{
    static struct client_rsp rsp;
    struct client_image_state st;
    int rc;

    (void)argv;
    if (argc)
        return out_usage(cx, "image list takes no arguments");
    rc = client_image_list(&cx->sess, &st, &rsp);
    if (rc)
        return out_client_error(cx, rc);
    print_state(cx, &st, &rsp);
    return EXIT_OK;
}

static int set_state(struct cli_ctx *cx, const char *hex, bool confirm)
{
    static struct client_rsp rsp;
    struct client_image_state st;
    uint8_t hash[64];
    size_t hlen = 0;
    int rc;

    if (hex && cli_parse_hex(hex, hash, sizeof hash, &hlen) != 0)
        return out_usage(cx, "invalid hash \"%s\": expected the hex hash shown by `mcumgr image list`", hex);
    rc = client_image_set_state(&cx->sess, hex ? hash : NULL, hlen, confirm, &st, &rsp);
    cli_record_state_change(cx, confirm ? "image confirm" : "image test", hex ? hex : "(running image)", rc);
    if (rc)
        return out_client_error(cx, rc);
    print_state(cx, &st, &rsp);
    return EXIT_OK;
}

static int image_test(struct cli_ctx *cx, int argc, char **argv)
{
    if (argc != 1)
        return out_usage(cx, "image test needs the hash of the image to test (see `mcumgr image list`)");
    return set_state(cx, argv[0], false);
}

static int image_confirm(struct cli_ctx *cx, int argc, char **argv)
{
    if (argc > 1)
        return out_usage(cx, "image confirm takes at most one hash");
    return set_state(cx, argc ? argv[0] : NULL, true);
}

static int image_erase(struct cli_ctx *cx, int argc, char **argv)
{
    unsigned long long slot = 0;
    char detail[32];
    int rc;

    if (argc > 1 || (argc == 1 && cli_parse_uint(argv[0], 255, &slot) != 0))
        return out_usage(cx, "image erase takes an optional slot number (e.g. `image erase 1`)");
    rc = client_image_erase(&cx->sess, argc ? (int)slot : -1);
    snprintf(detail, sizeof detail, argc ? "slot %llu" : "default slot", slot);
    cli_record_state_change(cx, "image erase", detail, rc);
    return out_done(cx, rc);
}

/* ---- upload ---- */

static const struct cli_opt upload_opts[] = {
    { "image", 'n', "num", "image number (image pair) to upload to (default 0)" },
    { "chunk-size", 0, "bytes", "data bytes per request (default: as large as the device's buffer allows)" },
    { "window", 0, "n", "requests in flight (default: device buf_count - 1, or 1 if unknown)" },
    { "maxwinsize", 'w', "n", "same as --window (Go mcumgr name)" },
    { "upgrade", 'u', NULL, "only accept the image if it is newer than the running one" },
    { "noerase", 'e', NULL, "do not erase the slot first (the default: erasing would lose resume)" },
    { "erase", 0, NULL, "erase the slot before uploading (starts over instead of resuming)" },
    { "reset", 0, NULL, "reset the device after a successful upload" },
    { "test", 0, "hash", "mark this image hash for test after a successful upload" },
    { "no-check", 0, NULL, "send the file even if it does not look like a signed MCUboot image" },
    { "delta-from", 0, "file", "the signed image the device runs: send only a patch from it to the file" },
    { "patch", 0, "file", "send this patch (imgtool delta) that rebuilds the file; the device checks its base" },
    { "image-cache", 0, "dir", "images shipped earlier: send a patch from the running one if smaller; "
                               "keep the file there afterwards" },
    { NULL, 0, NULL, NULL },
};

static int upload_options(struct cli_ctx *cx, struct client_upload_opts *o)
{
    const char *v;
    unsigned long long n;

    memset(o, 0, sizeof *o);
    o->use_params = true;
    if ((v = cli_opt_get(cx, "image"))) {
        if (cli_parse_uint(v, 0xffffffffULL, &n) != 0)
            return out_usage(cx, "invalid image number \"%s\"", v);
        if (n > MAX_IMAGE_NUMBER)
            return out_usage(cx, "-n/--image %s: %s is not an image number (0..%d). -n selects the "
                                 "image pair, not the chunk size; for %s-byte chunks use --chunk-size %s",
                             v, v, MAX_IMAGE_NUMBER, v, v);
        o->image = (uint32_t)n;
    }
    if ((v = cli_opt_get(cx, "chunk-size"))) {
        if (cli_parse_uint(v, CLIENT_MSG_MAX, &n) != 0 || n < 16)
            return out_usage(cx, "invalid --chunk-size \"%s\" (16..%d bytes)", v, CLIENT_MSG_MAX);
        o->chunk_size = n;
    }
    if ((v = cli_opt_get(cx, "window")) || (v = cli_opt_get(cx, "maxwinsize"))) {
        if (cli_parse_uint(v, 32, &n) != 0 || n < 1)
            return out_usage(cx, "invalid window \"%s\" (1..32 requests in flight)", v);
        o->window = (unsigned)n;
    }
    o->upgrade = cli_opt_set(cx, "upgrade");
    return EXIT_OK;
}

static void print_upload_result(struct cli_ctx *cx, const char *path, size_t len,
                                const struct client_upload_stats *st, const uint8_t sha[32])
{
    char hex[65];
    for (int i = 0; i < 32; i++)
        sprintf(hex + 2 * i, "%02x", sha[i]);
    if (cx->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "file", path);
        cJSON_AddNumberToObject(o, "len", (double)len);
        cJSON_AddStringToObject(o, "sha256", hex);
        cJSON_AddNumberToObject(o, "resumed_from", (double)st->resumed_from);
        cJSON_AddNumberToObject(o, "chunk_size", (double)st->chunk_size);
        cJSON_AddNumberToObject(o, "window", st->window);
        cJSON_AddNumberToObject(o, "requests", st->requests);
        cJSON_AddNumberToObject(o, "retransmits", st->retransmits);
        cJSON_AddNumberToObject(o, "rewinds", st->rewinds);
        cJSON_AddNumberToObject(o, "timeouts", st->timeouts);
        cJSON_AddNumberToObject(o, "restarts", st->restarts);
        if (st->delta_asked) {
            cJSON_AddBoolToObject(o, "delta", st->delta);
            cJSON_AddNumberToObject(o, "sent_len", (double)st->sent_len);
            cJSON_AddStringToObject(o, "delta_why", st->delta_why);
        }
        out_json_doc(cx, o);
        return;
    }
    if (cx->verbose)
        out_note(cx, "%u requests, %u retransmitted, %u rewinds, %u timeouts, %u restarts",
                 st->requests, st->retransmits, st->rewinds, st->timeouts, st->restarts);
    if (cx->verbose && st->cache_note[0])
        out_note(cx, "%s", st->cache_note);
    out_line(cx, "Done");
}

static int after_upload(struct cli_ctx *cx)
{
    const char *hex = cli_opt_get(cx, "test");
    int rc;

    if (hex) {
        rc = set_state(cx, hex, false);
        if (rc)
            return rc;
    }
    if (cli_opt_set(cx, "reset")) {
        rc = cli_reset_device(cx, false);
        cli_record_state_change(cx, "reset", "after upload", rc == CLIENT_ERR_IO ? 0 : rc);
        if (rc && rc != CLIENT_ERR_IO)
            return out_client_error(cx, rc);
    }
    return EXIT_OK;
}

/* Reads the file and checks it looks like a signed image; prints why not. */
int cli_load_image(struct cli_ctx *cx, const char *path, uint8_t **data, size_t *len)
{
    char err[512];

    /* a file (or Intel HEX: sized by the image, not the text) */
    if (img_load_image(path, data, len, err, sizeof err) != 0)
        return out_fail(cx, "%s", err);
    /* (a file past any slot, IMG_LOAD_MAX, was refused by the read) */
    if (*len == 0) {
        free(*data);
        *data = NULL;
        return out_fail(cx, "%s: the file is empty", path);
    }
    int rc = cli_opt_set(cx, "no-check") ? 0 : client_image_check_file(*data, *len);
    if (rc == 0)
        return EXIT_OK;
    free(*data);
    *data = NULL;
    if (rc == CLIENT_ERR_TRUNCATED)
        return out_fail(cx, "%s: the image is truncated: its header and TLV area run past the "
                            "end of the file (%zu bytes); copy or download it again "
                            "(`imgtool verify` shows what is missing)", path, *len);
    return out_fail(cx, "%s is not a signed MCUboot image (no valid image header); sign it "
                        "with `imgtool sign`, or pass --no-check to send it anyway", path);
}

/* Whether the device continued, already had, or lost the upload: said as
 * it happened, never assumed. */
static void report_continuity(struct cli_ctx *cx, const struct client_upload_stats *st,
                              size_t len, int rc)
{
    if (rc == 0 && st->resumed_from == len)
        out_note(cx, "the device already holds this image in full (same sha256): nothing sent");
    else if (rc == 0 && st->resumed_from)
        out_note(cx, "resumed at byte %zu of %zu: the device kept the interrupted upload",
                 st->resumed_from, len);
    else if (st->unfinished_before && st->requests > 0)
        out_note(cx, "note: the device no longer holds the interrupted upload (it had %zu of %zu "
                     "bytes; a reset or power cut clears it on most devices): started over",
                 st->unfinished_before, len);
    if (st->restarts && st->kept_after_restart)
        out_note(cx, "note: the device restarted at byte %zu (reset?) and kept %zu bytes of "
                     "the upload: continued from there", st->lost_at, st->kept_after_restart);
    else if (st->restarts)
        out_note(cx, "note: the device lost the upload at byte %zu (reset?): started over",
                 st->lost_at);
    const struct client_dev_err *e = &cx->sess.dev_err;
    if (rc == CLIENT_ERR_DEVICE && st->acked > 0 && e->has_group && e->group == SMP_GROUP_IMAGE &&
        (e->group_rc == IMG_ERR_INVALID_HASH || e->group_rc == IMG_ERR_INVALID_TLV))
        out_note(cx, "Hint: the whole image reached slot 1, but the device will not boot it; "
                     "`imgtool verify -k KEY` checks an image against a key before upload");
    if (rc != 0 && rc != CLIENT_ERR_DEVICE && st->acked > 0 && st->acked < len)
        out_note(cx, "Hint: the device acknowledged %zu of %zu bytes; the same command continues "
                     "from there if the device still holds them (after a reset most devices "
                     "start over)", st->acked, len);
}

/* What the upload settled on; a user's choice the device cannot take is
 * always mentioned, the rest only with -v. */
static void report_setup(struct cli_ctx *cx, const struct client_upload_opts *o,
                         const struct client_upload_stats *st, size_t len, int rc)
{
    if (cx->json)
        return;
    if (o->chunk_size && o->chunk_size > st->chunk_size && st->chunk_size)
        out_note(cx, "note: --chunk-size %zu does not fit the device's buffer; used %zu",
                 o->chunk_size, st->chunk_size);
    if (o->window && o->window > st->window)
        out_note(cx, "note: --window %u is more than the device can hold; used %u", o->window,
                 st->window);
    if (cx->verbose) {
        if (st->params_known)
            out_note(cx, "device buffers: %u bytes x %u", st->params.buf_size, st->params.buf_count);
        else
            out_note(cx, "device buffers: unknown (no answer to `params`)");
        if (cx->sess.sizing.done)
            out_note(cx, "request size %zu bytes: %s (decided in %lld ms)",
                     cx->sess.sizing.max_msg, cx->sess.sizing.why,
                     (long long)cx->sess.sizing.spent_ms);
        out_note(cx, "chunk size %zu bytes, window up to %u", st->chunk_size, st->window);
    }
    report_continuity(cx, st, len, rc);
}

/* --delta-from, --patch, --image-cache into o; the files stay loaded in
 * *base and *patch until the caller frees them. */
static int delta_options(struct cli_ctx *cx, struct client_upload_opts *o, uint8_t **base,
                         uint8_t **patch)
{
    const char *from = cli_opt_get(cx, "delta-from"), *p = cli_opt_get(cx, "patch");
    char err[512];
    int rc;

    *base = *patch = NULL;
    if (from && p)
        return out_usage(cx, "--delta-from and --patch exclude each other (a patch has its base)");
    o->image_cache = cli_opt_get(cx, "image-cache");
    if (from) {
        rc = cli_load_image(cx, from, base, &o->delta_from_len);
        if (rc)
            return rc;
        o->delta_from = *base;
    }
    if (p) {
        if (img_read_file(p, patch, &o->patch_len, err, sizeof err) != 0)
            return out_fail(cx, "%s", err);
        o->patch = *patch;
    }
    return EXIT_OK;
}

/* Which was sent and why: with -v always; without, when the user asked
 * for a patch by name and the whole image went instead. */
static void report_delta(struct cli_ctx *cx, const struct client_upload_stats *st, int rc)
{
    bool named = cli_opt_get(cx, "delta-from") || cli_opt_get(cx, "patch");

    if (cx->json || !st->delta_asked || !st->delta_why[0])
        return;
    if (rc && !st->requests)
        return; /* the error says it */
    if (cx->verbose || (named && !st->delta))
        out_note(cx, "%s", st->delta_why);
}

static int image_upload(struct cli_ctx *cx, int argc, char **argv)
{
    struct client_upload_opts o;
    struct client_upload_stats st;
    struct progress pg;
    uint8_t *data, sha[32], h[64], *base = NULL, *patch = NULL;
    size_t len = 0, hl;
    unsigned md_len = 0;
    char detail[1200];
    int rc;

    if (argc != 1)
        return out_usage(cx, "image upload needs exactly one file");
    rc = upload_options(cx, &o);
    if (rc)
        return rc;
    if (cli_opt_get(cx, "test") && cli_parse_hex(cli_opt_get(cx, "test"), h, sizeof h, &hl) != 0)
        return out_usage(cx, "invalid --test hash \"%s\"", cli_opt_get(cx, "test"));
    rc = delta_options(cx, &o, &base, &patch);
    if (rc == EXIT_OK)
        rc = cli_load_image(cx, argv[0], &data, &len);
    if (rc) {
        free(base);
        free(patch);
        return rc;
    }
    EVP_Digest(data, len, sha, &md_len, EVP_sha256(), NULL);
    if (cli_opt_set(cx, "erase")) {
        rc = client_image_erase(&cx->sess, -1);
        cli_record_state_change(cx, "image erase", "before upload", rc);
        if (rc) {
            free(data);
            free(base);
            free(patch);
            return out_client_error(cx, rc);
        }
    }
    progress_init(&pg);
    if (!cx->json) {
        o.progress = progress_update;
        o.progress_ctx = &pg;
    }
    o.state_key = cx->conn_desc;
    rc = client_image_upload(&cx->sess, data, len, &o, &st);
    progress_end(&pg);
    free(base);
    free(patch);
    report_delta(cx, &st, rc);
    report_setup(cx, &o, &st, st.sent_len ? st.sent_len : len, rc);
    snprintf(detail, sizeof detail, "file=%s len=%zu image=%u%s", argv[0], len, o.image,
             st.delta ? " (as a delta)" : "");
    cli_record_state_change(cx, "image upload", detail, rc);
    free(data);
    /* a patch or base the client refused before sending: its own words */
    if ((rc == CLIENT_ERR_ARG || rc == CLIENT_ERR_NOT_IMAGE) && st.delta_asked && !st.requests)
        return out_fail(cx, "%s", st.delta_why);
    if (rc)
        return out_client_error(cx, rc);
    print_upload_result(cx, argv[0], len, &st, sha);
    return after_upload(cx);
}

const struct cli_cmd cli_image_cmds[] = {
    { "list", NULL, "show the images on the device", image_list, CLI_NEEDS_CONN, NULL, NULL },
    { "upload", "<file>", "upload a signed image to the secondary slot (resumes)", image_upload,
      CLI_NEEDS_CONN | CLI_CHANGES_STATE, upload_opts, NULL },
    { "test", "<hash>", "boot the image with this hash once on the next reset", image_test,
      CLI_NEEDS_CONN | CLI_CHANGES_STATE, NULL, NULL },
    { "confirm", "[hash]", "make the running image (or the one with this hash) permanent",
      image_confirm, CLI_NEEDS_CONN | CLI_CHANGES_STATE, NULL, NULL },
    { "erase", "[slot]", "erase the secondary slot (or the given slot)", image_erase,
      CLI_NEEDS_CONN | CLI_CHANGES_STATE, NULL, NULL },
    { NULL, NULL, NULL, NULL, 0, NULL, NULL },
};
