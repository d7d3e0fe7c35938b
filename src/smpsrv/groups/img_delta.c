/*
 * Delta uploads (src/image/DELTA.md): the upload's bytes are a patch that
 * rebuilds the target image from the running one, into slot 1 through the
 * same slot writer as a full upload (img_write.c), strictly in order.
 *
 * Nothing is written before the patch's header names the running image as
 * its base and the target's header passes a full upload's first-chunk
 * checks. A patch that turns out corrupt ends the session but keeps the
 * upload record: slot 1 stays marked as holding part of an upload, so it
 * is never tested, and the running image stays.
 */
#include <string.h>

#include "smpsrv/groups/img_priv.h"

/* Reasons are built here without stdio: text appended at `at`, bounded. */
#define RSN_CAP 96
static char rsn_buf[RSN_CAP]; /* a handler runs to completion before the next request */

static size_t rsn_cat(size_t at, const char *s)
{
    while (*s && at + 1 < RSN_CAP)
        rsn_buf[at++] = *s++;
    rsn_buf[at] = '\0';
    return at;
}

/* The first 4 bytes of a hash, as `image list` prints them. */
static size_t rsn_hash(size_t at, const uint8_t *h)
{
    static const char digits[] = "0123456789abcdef";
    char x[9];
    for (int i = 0; i < 4; i++) {
        x[2 * i] = digits[h[i] >> 4];
        x[2 * i + 1] = digits[h[i] & 15];
    }
    x[8] = '\0';
    return rsn_cat(at, x);
}

static size_t rsn_uint(size_t at, uint32_t v)
{
    char num[11];
    int n = 0;
    do {
        num[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    num[n] = '\0';
    for (int i = 0; i < n / 2; i++) {
        char t = num[i];
        num[i] = num[n - 1 - i];
        num[n - 1 - i] = t;
    }
    return rsn_cat(at, num);
}

/* The running image must be the patch's base. */
static int check_base(struct smp_ctx *ctx, const struct delta_header *h)
{
    struct image_info running;
    int rc = img_read_slot(ctx->srv->plat->slot0, &running);
    size_t at;

    if (rc == IMAGE_OK && running.hash_type == IMAGE_TLV_SHA256 &&
        memcmp(running.hash, h->base_hash, DELTA_HASH_LEN) == 0 &&
        running.total_size >= h->base_len)
        return 0;
    at = rsn_cat(0, "wrong delta base: the device runs image ");
    at = rc == IMAGE_OK && running.hash_len >= 4 ? rsn_hash(at, running.hash) : rsn_cat(at, "(none)");
    at = rsn_cat(at, "..., the patch is for ");
    rsn_cat(rsn_hash(at, h->base_hash), "...");
    smp_ctx_rsn(ctx, rsn_buf);
    return smp_ctx_group_err(ctx, IMG_ERR_INVALID_HASH);
}

int img_delta_check(struct smp_ctx *ctx, const struct upload_req *rq, uint32_t *target_len)
{
    struct delta_header h;

    if (delta_header_parse(rq->data, rq->data_len, &h) != DELTA_OK) {
        smp_ctx_rsn(ctx, rq->data_len < DELTA_HEADER_SIZE
                             ? "the first chunk of a delta must hold the 128-byte patch header"
                             : "not a delta patch this device applies (bad patch header)");
        return smp_ctx_group_err(ctx, IMG_ERR_INVALID_IMAGE_HEADER);
    }
    if (h.patch_len != rq->len ||
        (rq->sha_len && (rq->sha_len != DELTA_HASH_LEN ||
                         memcmp(rq->sha, h.target_sha, DELTA_HASH_LEN) != 0))) {
        smp_ctx_rsn(ctx, "the delta patch does not match the upload's len and sha");
        return smp_ctx_group_err(ctx, IMG_ERR_INVALID_IMAGE_HEADER);
    }
    if (le32_of(h.target_hdr + 16) & (IMAGE_F_ENCRYPTED_AES128 | IMAGE_F_ENCRYPTED_AES256)) {
        smp_ctx_rsn(ctx, "a delta cannot rebuild an encrypted image; send the image itself");
        return smp_ctx_group_err(ctx, IMG_ERR_INVALID_IMAGE_HEADER);
    }
    int rc = check_base(ctx, &h);
    if (rc == 0)
        rc = img_check_first(ctx, h.target_hdr, sizeof h.target_hdr, h.target_len, rq->upgrade);
    *target_len = h.target_len;
    return rc;
}

void img_delta_start(struct img_session *u, uint32_t target_len)
{
    u->delta = true;
    u->img_len = target_len;
    delta_apply_init(&u->patch);
}

static int read_base(void *ctx, uint32_t off, uint8_t *buf, size_t len)
{
    struct smp_ctx *c = ctx;
    return fa_read(c->srv->plat->slot0, off, buf, len);
}

static int write_target(void *ctx, const uint8_t *buf, size_t len)
{
    return img_append(ctx, buf, len);
}

/* The patch is bad: the session ends, the record (slot 1 incomplete) stays. */
static int refuse(struct smp_ctx *ctx, uint32_t at_byte)
{
    rsn_uint(rsn_cat(0, "corrupt delta patch at byte "), at_byte);
    memset(img_session(ctx), 0, sizeof(struct img_session));
    smp_ctx_rsn(ctx, rsn_buf);
    return smp_ctx_group_err(ctx, IMG_ERR_INVALID_LENGTH);
}

int img_delta_feed(struct smp_ctx *ctx, const uint8_t *data, size_t n)
{
    struct img_session *u = img_session(ctx);
    const struct delta_io io = { read_base, write_target, ctx };
    int rc = delta_apply_feed(&u->patch, data, n, &io);

    u->off += (uint32_t)n;
    if (rc == DELTA_OK && u->off == u->len)
        rc = delta_apply_finish(&u->patch);
    if (rc == DELTA_OK)
        return 0;
    if (rc == DELTA_ERR_WRITE || rc == IMAGE_ERR_IO) {
        int img_rc = rc == IMAGE_ERR_IO ? IMG_ERR_FLASH_READ_FAILED : u->patch.io_rc;
        img_upload_forget(ctx);
        return smp_ctx_group_err(ctx, img_rc);
    }
    return refuse(ctx, u->patch.in);
}
