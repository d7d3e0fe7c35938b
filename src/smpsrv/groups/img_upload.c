/*
 * Image upload (img cmd 1, smp-protocol §4.2.2) as the application serves
 * it: into slot 1, one upload at a time, resumable after a reset or a
 * power cut, and checked against the bootloader's own rules when the last
 * chunk lands.
 *
 * The first chunk (off 0) decides what the upload is:
 *  - the same upload as the session in RAM (same len, same non-empty sha):
 *    answered with the session's offset (resume, §4.2.2 rule 2);
 *  - a different upload while the session is in progress (incomplete, and
 *    a chunk less than SMPSRV_UPLOAD_IDLE_MS ago; needs plat->uptime_ms):
 *    EBUSY, "busy: another upload is in progress";
 *  - the same upload as the durable record (upload_record.c): the session
 *    is rebuilt from it, the sector after the last whole one is erased
 *    again, and the answer is that sector's offset (len when the record
 *    says the upload finished);
 *  - anything else is a new upload: header checks, then a new record.
 * With `delta: true` the upload's bytes are a patch (img_delta.c,
 * src/image/DELTA.md) that rebuilds the image into slot 1 as it streams:
 * the same rules, with the patch's length and the target's sha.
 * Each chunk is answered only after it is written (img_write.c). A flash
 * failure ends the session and its record: the client restarts at 0
 * rather than trusting half-known flash.
 *
 * The last chunk (the user's CONFIG_IMG_ENABLE_IMAGE_CHECK): with a full
 * sha, the SHA-256 of the slot's bytes is compared first and answered as
 * Zephyr answers it, off = len and `match` true or false (false ends the
 * session and its record). Then the image itself, as the bootloader will
 * see it (img_check.c): a refusal is an error answer to the last chunk
 * (INVALID_HASH or INVALID_TLV, with the reason), the session and record
 * end, and the bytes stay in slot 1 as Zephyr leaves a mismatching upload;
 * `image test` of it is refused for the same reason.
 */
#include <string.h>

#include "boot/bootutil.h"
#include "smpsrv/groups/img_priv.h"

int img_parse_upload(struct smp_ctx *ctx, struct upload_req *rq)
{
    int rc;

    memset(rq, 0, sizeof *rq);
    if (smpsrv_opt_uint(ctx, "off", &rq->off) != 1 ||
        smpsrv_opt_bytes(ctx, "data", &rq->data, &rq->data_len) != 1) {
        smp_ctx_rsn(ctx, "upload needs `off` and `data`");
        return SMP_ERR_EINVAL;
    }
    rc = smpsrv_opt_uint(ctx, "len", &rq->len);
    rq->has_len = rc == 1;
    if (rc > 1 || smpsrv_opt_uint(ctx, "image", &rq->image) > 1 ||
        smpsrv_opt_bytes(ctx, "sha", &rq->sha, &rq->sha_len) > 1 ||
        smpsrv_opt_bool(ctx, "upgrade", &rq->upgrade) > 1 ||
        smpsrv_opt_bool(ctx, "delta", &rq->delta) > 1)
        return SMP_ERR_EINVAL;
    if (rq->off > UINT32_MAX || rq->len > UINT32_MAX || rq->sha_len > SHA256_LEN)
        return SMP_ERR_EINVAL;
    return 0;
}
/* §4.2.2 rule 5: what the first chunk alone can tell about the image. */
int img_check_first(struct smp_ctx *ctx, const uint8_t *hdr, size_t avail, uint64_t len,
                    bool upgrade)
{
    const struct smpsrv_platform *p = ctx->srv->plat;
    uint32_t limit = p->max_image_size ? p->max_image_size : p->slot1->size;
    struct image_version ver;
    struct image_info running;

    if (avail < IMAGE_HEADER_SIZE) {
        smp_ctx_rsn(ctx, "the first chunk must hold the 32-byte image header");
        return smp_ctx_group_err(ctx, IMG_ERR_INVALID_IMAGE_HEADER);
    }
    if (le32_of(hdr) != IMAGE_MAGIC) {
        smp_ctx_rsn(ctx, "not an MCUboot image (bad header magic); sign it first");
        return smp_ctx_group_err(ctx, IMG_ERR_INVALID_IMAGE_HEADER_MAGIC);
    }
    if (len > limit) {
        smp_ctx_rsn(ctx, "the image is larger than the slot");
        return smp_ctx_group_err(ctx, IMG_ERR_INVALID_IMAGE_TOO_LARGE);
    }
    uint32_t hdr_size = (uint32_t)hdr[8] | (uint32_t)hdr[9] << 8;
    uint32_t prot_size = (uint32_t)hdr[10] | (uint32_t)hdr[11] << 8;
    if (hdr_size < IMAGE_HEADER_SIZE || (uint64_t)hdr_size + le32_of(hdr + 12) + prot_size > len) {
        smp_ctx_rsn(ctx, "the image header does not fit the upload length");
        return smp_ctx_group_err(ctx, IMG_ERR_INVALID_IMAGE_HEADER);
    }
    ver.major = hdr[20];
    ver.minor = hdr[21];
    ver.revision = (uint16_t)(hdr[22] | hdr[23] << 8);
    ver.build = le32_of(hdr + 24);
    /* Build numbers count here, as in Zephyr's check: 1.2.3+5 upgrades 1.2.3+4. */
    if (upgrade && img_read_slot(p->slot0, &running) == IMAGE_OK &&
        image_version_cmp(&running.hdr.ver, &ver, true) >= 0) {
        smp_ctx_rsn(ctx, "upgrade only: the running image is the same or newer");
        return smp_ctx_group_err(ctx, IMG_ERR_CURRENT_VERSION_IS_NEWER);
    }
    return 0;
}
/* Slot 1 may not be overwritten while the next boot depends on it. */
static int check_slot1_free(struct smp_ctx *ctx)
{
    int type = img_swap_type(ctx->srv);

    if (type == BOOT_SWAP_TYPE_TEST || type == BOOT_SWAP_TYPE_PERM) {
        smp_ctx_rsn(ctx, "slot 1 is pending; reset to run it first");
        return smp_ctx_group_err(ctx, IMG_ERR_IMAGE_ALREADY_PENDING);
    }
    if (type == BOOT_SWAP_TYPE_REVERT) {
        smp_ctx_rsn(ctx, "slot 1 holds the previous image for a revert; confirm the running image first");
        return smp_ctx_group_err(ctx, IMG_ERR_NO_FREE_SLOT);
    }
    return 0;
}

static bool same_upload(const struct img_session *u, const struct upload_req *rq)
{
    return rq->has_len && rq->len == u->len && rq->delta == u->delta &&
           rq->sha_len == u->sha_len &&
           (rq->sha_len == 0 || memcmp(rq->sha, u->sha, rq->sha_len) == 0);
}

static uint32_t now_ms(const struct smpsrv *srv)
{
    const struct smpsrv_platform *p = srv->plat;

    return p->uptime_ms ? p->uptime_ms(p->ctx) : 0;
}

/* Incomplete and fed recently: another client must not replace it. */
static bool in_progress(const struct smp_ctx *ctx)
{
    const struct img_session *u = img_session(ctx);

    return ctx->srv->plat->uptime_ms && u->active && u->off < u->len &&
           (uint32_t)(now_ms(ctx->srv) - u->last_ms) < SMPSRV_UPLOAD_IDLE_MS;
}

bool img_upload_incomplete(const struct smp_ctx *ctx)
{
    const struct img_session *u = img_session(ctx);
    const struct flash_area *slot1 = ctx->srv->plat->slot1;
    struct upload_record r;
    int rc;

    if (u->active && u->fa == slot1 && u->off < u->len)
        return true;
    rc = upload_record_read(ctx->srv->plat->upload_record, fa_sector_size(slot1), &r);
    return rc < 0 || (rc == 1 && !r.complete);
}

/* Ends the session and its record; false when the record stays. */
static bool forget(struct smp_ctx *ctx)
{
    memset(img_session(ctx), 0, sizeof(struct img_session));
    return upload_record_clear(ctx->srv->plat->upload_record) == 0;
}

int img_upload_forget(struct smp_ctx *ctx)
{
    return forget(ctx) ? 0 : smp_ctx_group_err(ctx, IMG_ERR_FLASH_ERASE_FAILED);
}

/* The durable record names this very upload: rebuild the session from it.
 * Its sector `done` may be half written (record invariant 3): erased now. */
static int resume_from_record(struct smp_ctx *ctx, const struct upload_req *rq, bool *resumed)
{
    struct img_session *u = img_session(ctx);
    const struct flash_area *fa = ctx->srv->plat->slot1;
    uint32_t sec = fa_sector_size(fa);
    struct upload_record r;
    int rc = upload_record_read(ctx->srv->plat->upload_record, sec, &r);

    if (rc < 0)
        return smp_ctx_group_err(ctx, IMG_ERR_FLASH_READ_FAILED);
    if (rc == 0 || rq->sha_len == 0 || r.sha_len != rq->sha_len || r.len != rq->len ||
        r.delta != rq->delta || memcmp(r.sha, rq->sha, rq->sha_len) != 0 ||
        (uint64_t)r.done * sec >= r.len || (!r.complete && r.done == 0))
        return 0;
    img_session_start(u, fa, r.len);
    u->delta = r.delta;
    memcpy(u->sha, r.sha, SHA256_LEN);
    u->sha_len = r.sha_len;
    u->durable = true;
    u->rec_next = r.next_unit;
    *resumed = true;
    if (r.complete) {
        u->off = r.len;
        u->has_match = u->match = r.sha_len == SHA256_LEN;
        return 0;
    }
    u->off = u->wr = u->erased_to = r.done * sec;
    if (fa_erase(fa, u->off, sec) != 0) {
        u->active = false;
        return smp_ctx_group_err(ctx, IMG_ERR_FLASH_ERASE_FAILED);
    }
    u->erased_to += sec;
    return 0;
}

/* A new upload: the header must make sense, then the record is begun
 * before anything of it reaches slot 1 (record invariant 1). */
static int start_upload(struct smp_ctx *ctx, const struct upload_req *rq)
{
    struct img_session *u = img_session(ctx);
    const struct flash_area *fa = ctx->srv->plat->slot1, *rec = ctx->srv->plat->upload_record;
    uint32_t target_len = 0;
    int rc = rq->delta ? img_delta_check(ctx, rq, &target_len)
                       : img_check_first(ctx, rq->data, rq->data_len, rq->len, rq->upgrade);

    if (rc != 0)
        return rc;
    img_session_start(u, fa, (uint32_t)rq->len);
    u->sha_len = (uint8_t)rq->sha_len;
    if (rq->sha_len)
        memcpy(u->sha, rq->sha, rq->sha_len);
    if (rq->delta)
        img_delta_start(u, target_len);
    u->durable = upload_record_usable(rec);
    if (u->durable && upload_record_begin(rec, fa_sector_size(fa), u->len, u->sha, u->sha_len,
                                          u->delta, &u->rec_next)) {
        u->active = false;
        return smp_ctx_group_err(ctx, IMG_ERR_FLASH_WRITE_FAILED);
    }
    return 0;
}

/* Offset 0: see the top of the file. */
static int upload_begin(struct smp_ctx *ctx, const struct upload_req *rq, bool *resumed)
{
    struct img_session *u = img_session(ctx);
    int rc = check_slot1_free(ctx);

    *resumed = false;
    if (rc != 0)
        return rc;
    if (rq->image > 1) {
        /* One image pair. `image: 1` is accepted as well: the Rust client
         * sends its slot number (default 1) in this key. */
        smp_ctx_rsn(ctx, "this device has one image (0)");
        return smp_ctx_group_err(ctx, IMG_ERR_INVALID_SLOT);
    }
    if (!rq->has_len || rq->len == 0) {
        smp_ctx_rsn(ctx, "the first chunk needs the image length `len`");
        return smp_ctx_group_err(ctx, IMG_ERR_INVALID_LENGTH);
    }
    bool same = u->active && same_upload(u, rq);
    if (same && u->off > 0 && rq->sha_len > 0) {
        *resumed = true;
        return 0;
    }
    if (!same && in_progress(ctx)) {
        smp_ctx_rsn(ctx, "busy: another upload is in progress");
        return SMP_ERR_EBUSY;
    }
    if (fa_align(ctx->srv->plat->slot1) > sizeof u->tail)
        return smp_ctx_group_err(ctx, IMG_ERR_FLASH_CONFIG_QUERY_FAIL);
    rc = resume_from_record(ctx, rq, resumed);
    return rc != 0 || *resumed ? rc : start_upload(ctx, rq);
}

static void put_upload_rsp(struct smp_ctx *ctx)
{
    const struct img_session *u = img_session(ctx);

    cbor_put_str(ctx->rsp, "off");
    cbor_put_uint(ctx->rsp, u->off);
    if (u->active && u->off == u->len && u->has_match) {
        cbor_put_str(ctx->rsp, "match");
        cbor_put_bool(ctx->rsp, u->match);
    }
}

/* A flash failure: the session and its record end (the top of the file). */
static int upload_failed(struct smp_ctx *ctx, int img_rc)
{
    forget(ctx);
    return smp_ctx_group_err(ctx, img_rc);
}

/* The whole file is in: its SHA-256, then the image (top of the file). */
static int upload_done(struct smp_ctx *ctx)
{
    struct img_session *u = img_session(ctx);
    struct image_info info;
    uint8_t digest[SHA256_LEN];
    int rc;

    if (u->sha_len == SHA256_LEN) {
        if (img_hash_slot(ctx->srv, u->fa, u->img_len, digest) != IMAGE_OK)
            return upload_failed(ctx, IMG_ERR_FLASH_READ_FAILED);
        u->has_match = true;
        u->match = memcmp(digest, u->sha, SHA256_LEN) == 0;
    }
    if (u->has_match && !u->match) {
        put_upload_rsp(ctx);
        forget(ctx);
        return 0;
    }
    rc = img_check_image(ctx, u->fa, &info);
    if (rc != 0) {
        forget(ctx);
        return rc;
    }
    if (u->durable && upload_record_mark(ctx->srv->plat->upload_record, &u->rec_next,
                                         UPLOAD_RECORD_COMPLETE) != 0)
        return upload_failed(ctx, IMG_ERR_FLASH_WRITE_FAILED);
    put_upload_rsp(ctx);
    return 0;
}

int img_upload(struct smp_ctx *ctx)
{
    struct img_session *u = img_session(ctx);
    struct upload_req rq;
    bool resumed = false;
    int rc = img_parse_upload(ctx, &rq);

    if (rc == 0)
        rc = img_gate(ctx);
    if (rc == 0 && rq.off == 0)
        rc = upload_begin(ctx, &rq, &resumed);
    if (rc != 0)
        return rc;
    if (u->active)
        u->last_ms = now_ms(ctx->srv);
    /* §4.2.2 rule 4: a chunk anywhere but at the expected offset is not
     * written; the reply says where to continue (0 = start over). */
    if (resumed || !u->active || rq.off != u->off) {
        if (!u->active)
            u->off = 0;
        put_upload_rsp(ctx);
        return 0;
    }
    if (rq.data_len > u->len - u->off) {
        smp_ctx_rsn(ctx, "data goes past the image length");
        return smp_ctx_group_err(ctx, IMG_ERR_INVALID_IMAGE_DATA_OVERRUN);
    }
    if (u->delta) {
        rc = img_delta_feed(ctx, rq.data, rq.data_len);
        if (rc != 0)
            return rc;
    } else {
        rc = img_append(ctx, rq.data, rq.data_len);
        u->off = u->wr;
    }
    if (rc == 0 && u->off == u->len)
        rc = img_write_finish(ctx);
    if (rc != 0)
        return upload_failed(ctx, rc);
    if (u->off == u->len)
        return upload_done(ctx);
    put_upload_rsp(ctx);
    return 0;
}
