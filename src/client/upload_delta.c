/*
 * Delta uploads, the client's side (src/image/DELTA.md): what to send, and
 * the image cache.
 *
 * A patch goes only to a device whose image state announces `delta`
 * (a Zephyr device never does), and only when it is smaller than the
 * image. Its base is, in this order: a ready patch (--patch: sent as it
 * is, the device checks its base), the image given as --delta-from (used
 * only when the device runs it), or the running image found in the image
 * cache by its hash. Anything else sends the image itself, and so does a
 * patch that saves less than a tenth of the image.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/client.h"
#include "client/internal.h"
#include "image/delta.h"
#include "image/delta_make.h"
#include "image/file.h"
#include "image/image.h"

#define HASH_HEX 65
/* A patch must save at least 1/DELTA_MIN_SAVING of the image to be sent:
 * unrelated images still share their header padding, and a patch a few
 * hundred bytes smaller gains nothing but a dependency on the base. */
#define DELTA_MIN_SAVING 10

static void to_hex(const uint8_t *h, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
}

/* The SHA-256 TLV of a signed image; -1 without one. */
static int image_sha_tlv(const uint8_t *img, size_t len, uint8_t out[32])
{
    struct image_mem mem = { img, len };
    struct image_info info;

    if (len > UINT32_MAX ||
        image_read_info(image_mem_read, &mem, (uint32_t)len, &info) != IMAGE_OK ||
        info.hash_type != IMAGE_TLV_SHA256)
        return -1;
    memcpy(out, info.hash, 32);
    return 0;
}

static uint8_t *load_if_hash(const char *path, const uint8_t hash[32], size_t *len)
{
    uint8_t *b, h[32];
    char err[256];

    if (img_read_file(path, &b, len, err, sizeof err) != 0)
        return NULL;
    if (image_sha_tlv(b, *len, h) == 0 && memcmp(h, hash, 32) == 0)
        return b;
    free(b);
    return NULL;
}

static bool ends_with_bin(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcmp(name + n - 4, ".bin") == 0;
}

uint8_t *client_image_cache_find(const char *dir, const uint8_t hash[32], size_t *len)
{
    char own[HASH_HEX + 4], path[4096];
    uint8_t *b;
    struct dirent *e;
    DIR *d;

    to_hex(hash, 32, own);
    strcat(own, ".bin");
    snprintf(path, sizeof path, "%s/%s", dir, own);
    if ((b = load_if_hash(path, hash, len)))
        return b;
    d = opendir(dir);
    if (!d)
        return NULL;
    while (!b && (e = readdir(d))) {
        if (!ends_with_bin(e->d_name) || strcmp(e->d_name, own) == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        b = load_if_hash(path, hash, len);
    }
    closedir(d);
    return b;
}

int client_image_cache_store(const char *dir, const uint8_t *img, size_t len, char *err,
                             size_t errcap)
{
    uint8_t hash[32];
    char hex[HASH_HEX], path[4096], tmp[4200];
    FILE *f;

    if (image_sha_tlv(img, len, hash) != 0) {
        snprintf(err, errcap, "the image has no SHA-256 TLV: not cached");
        return CLIENT_ERR_NOT_IMAGE;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        snprintf(err, errcap, "cannot create the image cache %s: %s", dir, strerror(errno));
        return CLIENT_ERR_FILE;
    }
    to_hex(hash, 32, hex);
    snprintf(path, sizeof path, "%s/%s.bin", dir, hex);
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    /* written aside, then renamed: a reader never sees half an image */
    f = fopen(tmp, "wb");
    if (!f || fwrite(img, 1, len, f) != len || fclose(f) != 0 || rename(tmp, path) != 0) {
        snprintf(err, errcap, "cannot write %s: %s", path, strerror(errno));
        if (f)
            unlink(tmp);
        return CLIENT_ERR_FILE;
    }
    snprintf(err, errcap, "stored the image in the image cache as %s", path);
    return 0;
}

void client_delta_cache_after(const char *dir, const uint8_t *img, size_t len,
                              struct client_upload_stats *st)
{
    client_image_cache_store(dir, img, len, st->cache_note, sizeof st->cache_note);
}

/* The image the device runs in pair `image`: its hash, when it has one. */
static const struct client_image_slot *running_slot(const struct client_image_state *st,
                                                    uint32_t image)
{
    const struct client_image_slot *slot0 = NULL;

    for (size_t i = 0; i < st->count; i++) {
        const struct client_image_slot *sl = &st->slots[i];
        if (sl->image != image || sl->hash_len != 32)
            continue;
        if (sl->active)
            return sl;
        if (sl->slot == 0)
            slot0 = sl;
    }
    return slot0;
}

/* A ready patch must rebuild this very image. */
static int use_given_patch(const uint8_t sha[32], const struct client_upload_opts *o,
                           struct client_upload_stats *st, struct client_delta_plan *plan)
{
    struct delta_header h;

    if (o->patch_len > UINT32_MAX ||
        delta_header_parse(o->patch, o->patch_len, &h) != DELTA_OK || h.patch_len != o->patch_len) {
        snprintf(st->delta_why, sizeof st->delta_why,
                 "the patch is not a delta patch (see `imgtool dumpinfo`)");
        return CLIENT_ERR_ARG;
    }
    if (memcmp(h.target_sha, sha, 32) != 0) {
        snprintf(st->delta_why, sizeof st->delta_why,
                 "the patch does not rebuild this image (its target sha256 differs)");
        return CLIENT_ERR_ARG;
    }
    plan->patch = o->patch;
    plan->patch_len = o->patch_len;
    return 0;
}

/* Makes the patch from base; 0, or an error said in st->delta_why. */
static int make_patch(const uint8_t *base, size_t base_len, const uint8_t *img, size_t len,
                      struct client_upload_stats *st, struct client_delta_plan *plan)
{
    char err[200];

    if (delta_make(base, base_len, img, len, &plan->owned, &plan->patch_len, err, sizeof err)) {
        snprintf(st->delta_why, sizeof st->delta_why, "no delta: %s", err);
        return CLIENT_ERR_NOT_IMAGE;
    }
    plan->patch = plan->owned;
    return 0;
}

/* Where the base comes from; 1 = a patch is ready in plan, 0 = send the
 * image (st->delta_why says why), < 0 = error. */
static int choose_base(const uint8_t *img, size_t len, const uint8_t sha[32],
                       const struct client_upload_opts *o, const uint8_t running[32],
                       struct client_upload_stats *st, struct client_delta_plan *plan)
{
    char hex[HASH_HEX];
    uint8_t base_hash[32];
    size_t base_len;

    to_hex(running, 4, hex);
    if (o->patch) {
        int rc = use_given_patch(sha, o, st, plan);
        return rc ? rc : 1;
    }
    if (o->delta_from) {
        if (image_sha_tlv(o->delta_from, o->delta_from_len, base_hash) != 0 ||
            memcmp(base_hash, running, 32) != 0) {
            snprintf(st->delta_why, sizeof st->delta_why,
                     "the device runs image %s..., not the --delta-from image: sent the whole "
                     "image", hex);
            return 0;
        }
        int rc = make_patch(o->delta_from, o->delta_from_len, img, len, st, plan);
        return rc ? rc : 1;
    }
    uint8_t *base = client_image_cache_find(o->image_cache, running, &base_len);
    if (!base) {
        snprintf(st->delta_why, sizeof st->delta_why,
                 "the running image %s... is not in the image cache %s: sent the whole image",
                 hex, o->image_cache);
        return 0;
    }
    int rc = make_patch(base, base_len, img, len, st, plan);
    free(base);
    return rc ? rc : 1;
}

/* How far the device's rebuild gets with each prefix of the patch (a dry
 * run of the device's own applier), so the upload can wait for the flash
 * work a chunk sets off. */
static uint32_t *work_map(const uint8_t *patch, size_t len)
{
    static struct delta_apply d;
    const struct delta_io io = { NULL, NULL, NULL };
    uint32_t *out_at = malloc((len + 1) * sizeof *out_at);

    if (!out_at)
        return NULL;
    delta_apply_init_dry(&d);
    out_at[0] = 0;
    for (size_t i = 0; i < len; i++) {
        if (delta_apply_feed(&d, patch + i, 1, &io) != DELTA_OK) {
            /* a bad patch: the device refuses it at this byte */
            for (; i < len; i++)
                out_at[i + 1] = d.out;
            break;
        }
        out_at[i + 1] = d.out;
    }
    return out_at;
}

int client_delta_plan(struct client_session *s, const uint8_t *img, size_t len,
                      const uint8_t sha[32], const struct client_upload_opts *o,
                      struct client_upload_stats *st, struct client_delta_plan *plan)
{
    struct client_image_state state;
    struct client_rsp *rsp;
    const struct client_image_slot *run;
    int rc;

    memset(plan, 0, sizeof *plan);
    if (!o->delta_from && !o->patch && !o->image_cache)
        return 0;
    st->delta_asked = true;
    rsp = malloc(sizeof *rsp);
    if (!rsp)
        return CLIENT_ERR_NOMEM;
    rc = client_image_list(s, &state, rsp);
    free(rsp);
    if (rc) {
        snprintf(st->delta_why, sizeof st->delta_why,
                 "the device's image state could not be read: sent the whole image");
        return 0;
    }
    if (state.delta < DELTA_VERSION) {
        snprintf(st->delta_why, sizeof st->delta_why,
                 "the device does not announce delta uploads: sent the whole image");
        return 0;
    }
    if (!(run = running_slot(&state, o->image))) {
        snprintf(st->delta_why, sizeof st->delta_why,
                 "the device runs no image with a SHA-256 hash: sent the whole image");
        return 0;
    }
    rc = choose_base(img, len, sha, o, run->hash, st, plan);
    if (rc <= 0)
        return rc;
    if (plan->patch_len > len - len / DELTA_MIN_SAVING) {
        snprintf(st->delta_why, sizeof st->delta_why,
                 "the patch (%zu bytes) is not smaller than the image (%zu bytes) by a tenth: "
                 "sent the whole image", plan->patch_len, len);
        client_delta_plan_free(plan);
        return 0;
    }
    if (!(plan->out_at = work_map(plan->patch, plan->patch_len))) {
        client_delta_plan_free(plan);
        return CLIENT_ERR_NOMEM;
    }
    plan->use = true;
    snprintf(st->delta_why, sizeof st->delta_why,
             "sent a delta against the running image: %zu bytes instead of %zu (%.1f %%)",
             plan->patch_len, len, 100.0 * (double)plan->patch_len / (double)len);
    return 0;
}

void client_delta_plan_free(struct client_delta_plan *plan)
{
    free(plan->owned);
    free(plan->out_at);
    memset(plan, 0, sizeof *plan);
}
