/*
 * Image management group (1), smp-protocol §4.2: state read and write
 * (test / confirm), upload into the secondary slot, slot erase and slot
 * info, for one image pair (slot 0 runs, slot 1 receives).
 *
 * Test and confirm go through boot/bootutil.h, the very trailer code the
 * bootloader reads. The upload erases slot 1 progressively, one sector
 * just before data first lands in it, so the first chunk answers at once
 * instead of after a whole-slot erase (the "timeout on the first chunk"
 * of other servers). Each chunk is answered only after it is written.
 *
 * Upload session invariants (srv->upload, kept between chunks):
 *  1. Bytes [0, off - tail_len) of the image are programmed in slot 1;
 *     off - tail_len is a multiple of the write alignment; the tail_len
 *     bytes after them are held in tail[] until an aligned unit is full
 *     or the image ends.
 *  2. Every sector below erased_to was erased (or found erased) during
 *     this session before anything was programmed into it.
 *  3. A flash failure ends the session (active = false): the client
 *     restarts at offset 0 rather than trusting half-known flash.
 *
 * Not here: multi-image pairs, direct-XIP, core dumps (Mynewt only).
 */
#include <string.h>

#include "boot/bootutil.h"
#include "image/image.h"
#include "image/image_crypto.h"
#include "smpsrv/smpsrv_priv.h"

enum {
    IMG_STATE = 0,
    IMG_UPLOAD = 1,
    IMG_ERASE = 5,
    IMG_SLOT_INFO = 6,
};

#define SHA256_LEN 32

static const struct flash_area *slot_area(const struct smpsrv *srv, uint64_t slot)
{
    if (slot == 0)
        return srv->plat->slot0;
    if (slot == 1)
        return srv->plat->slot1;
    return NULL;
}

static int read_slot(const struct flash_area *fa, struct image_info *info)
{
    if (!fa)
        return IMAGE_ERR_BAD_ARG;
    return image_read_info(fa_image_read, (void *)fa, fa->size, info);
}

/* Upload, test and erase may be refused by the board (DFU mode). */
static int gate(struct smp_ctx *ctx)
{
    const struct smpsrv_platform *p = ctx->srv->plat;
    const char *rsn = NULL;
    int rc;

    if (!p->image_gate)
        return 0;
    rc = p->image_gate(p->ctx, &rsn);
    if (rc != 0)
        smp_ctx_rsn(ctx, rsn ? rsn : "refused by the device (enter DFU mode first)");
    return rc;
}

/* ---- state read ---- */

struct slot_flags {
    bool pending, confirmed, active, permanent;
};

/* smp-protocol §4.2.1: flags from the swap the next boot would do. The
 * application always runs from slot 0 in swap modes. */
static struct slot_flags state_flags(int swap_type, int slot)
{
    struct slot_flags f = { .active = slot == 0 };

    switch (swap_type) {
    case BOOT_SWAP_TYPE_TEST:
        f.confirmed = slot == 0;
        f.pending = slot == 1;
        break;
    case BOOT_SWAP_TYPE_PERM:
        f.confirmed = slot == 0;
        f.pending = f.permanent = slot == 1;
        break;
    case BOOT_SWAP_TYPE_REVERT:
        f.confirmed = slot == 1;
        break;
    default:
        f.confirmed = slot == 0;
        break;
    }
    return f;
}

static void put_flag(struct cbor_writer *w, const char *key, bool on)
{
    if (!on) /* booleans are omitted when false (§4.2.1) */
        return;
    cbor_put_str(w, key);
    cbor_put_bool(w, true);
}

static void put_slot_entry(struct cbor_writer *w, int slot, const struct image_info *info,
                           struct slot_flags f)
{
    bool bootable = !(info->hdr.flags & IMAGE_F_NON_BOOTABLE);
    char ver[32];
    size_t n = 3 + (info->hash_len ? 1 : 0) + bootable + f.pending + f.confirmed +
               f.active + f.permanent;

    if (image_version_fmt(&info->hdr.ver, ver, sizeof ver) < 0)
        ver[0] = '\0';
    cbor_open_map(w, n);
    cbor_put_str(w, "image");
    cbor_put_uint(w, 0);
    cbor_put_str(w, "slot");
    cbor_put_uint(w, (uint64_t)slot);
    cbor_put_str(w, "version");
    cbor_put_str(w, ver);
    if (info->hash_len) {
        cbor_put_str(w, "hash");
        cbor_put_bytes(w, info->hash, info->hash_len);
    }
    put_flag(w, "bootable", bootable);
    put_flag(w, "pending", f.pending);
    put_flag(w, "confirmed", f.confirmed);
    put_flag(w, "active", f.active);
    put_flag(w, "permanent", f.permanent);
}

static int swap_type(const struct smpsrv *srv)
{
    int t = boot_swap_type_peek(srv->plat->slot0, srv->plat->slot1);
    return t < 0 ? BOOT_SWAP_TYPE_NONE : t;
}

/* The `images` array and `splitStatus`: the body of state read and write. */
static int put_images(struct smp_ctx *ctx)
{
    struct image_info info[2];
    bool valid[2];
    int type = swap_type(ctx->srv);

    for (int s = 0; s < 2; s++)
        valid[s] = read_slot(slot_area(ctx->srv, (uint64_t)s), &info[s]) == IMAGE_OK;
    cbor_put_str(ctx->rsp, "images");
    cbor_open_array(ctx->rsp, (size_t)valid[0] + valid[1]);
    for (int s = 0; s < 2; s++)
        if (valid[s])
            put_slot_entry(ctx->rsp, s, &info[s], state_flags(type, s));
    cbor_put_str(ctx->rsp, "splitStatus");
    cbor_put_uint(ctx->rsp, 0);
    return 0;
}

static int img_state_read(struct smp_ctx *ctx)
{
    return put_images(ctx);
}

/* ---- state write: test and confirm (§4.2.3) ---- */

static int confirm_running(struct smp_ctx *ctx)
{
    int rc = boot_set_confirmed(ctx->srv->plat->slot0);

    if (rc == BOOT_EBADVECT) {
        smp_ctx_rsn(ctx, "the trailer of slot 0 is corrupt");
        return smp_ctx_group_err(ctx, IMG_ERR_IMAGE_CONFIRMATION_DENIED);
    }
    if (rc != 0)
        return smp_ctx_group_err(ctx, IMG_ERR_FLASH_WRITE_FAILED);
    return put_images(ctx);
}

/* Slot 1 holds a whole, intact image that the bootloader will accept as an
 * upgrade: checked here because a refused swap at boot is silent. */
static int check_testable(struct smp_ctx *ctx, const struct image_info *running, bool has_running)
{
    const struct flash_area *fa = ctx->srv->plat->slot1;
    struct image_info info;
    int rc = image_read_info(fa_image_read, (void *)fa, fa->size, &info);

    if (rc != IMAGE_OK) {
        smp_ctx_rsn(ctx, "the image in slot 1 is incomplete or corrupt (bad header or TLVs)");
        return smp_ctx_group_err(ctx, IMG_ERR_INVALID_TLV);
    }
    /* The hash of an encrypted image covers its plaintext, and only the
     * bootloader holds the decryption key: for those the layout check
     * above is all the application can do, and the bootloader validates. */
    bool encrypted = info.hdr.flags & (IMAGE_F_ENCRYPTED_AES128 | IMAGE_F_ENCRYPTED_AES256);
    if (!encrypted &&
        image_validate(fa_image_read, (void *)fa, fa->size, NULL, 0, &info, NULL) != IMAGE_OK) {
        smp_ctx_rsn(ctx, "the image in slot 1 is incomplete or corrupt (hash check failed)");
        return smp_ctx_group_err(ctx, IMG_ERR_INVALID_HASH);
    }
    if (ctx->srv->plat->no_downgrade && has_running &&
        image_version_cmp(&info.hdr.ver, &running->hdr.ver, false) < 0) {
        smp_ctx_rsn(ctx, "the bootloader refuses downgrades: slot 1 is older than the running image");
        return smp_ctx_group_err(ctx, IMG_ERR_CURRENT_VERSION_IS_NEWER);
    }
    return 0;
}

static int mark_pending(struct smp_ctx *ctx, bool permanent, const struct image_info *running,
                        bool has_running)
{
    int type = swap_type(ctx->srv);
    int rc = gate(ctx);

    if (rc != 0)
        return rc;
    if (type == BOOT_SWAP_TYPE_TEST || type == BOOT_SWAP_TYPE_PERM) {
        if ((type == BOOT_SWAP_TYPE_PERM) == permanent)
            return put_images(ctx); /* asked again for what is already set */
        smp_ctx_rsn(ctx, "slot 1 is already pending with the other mode; reset first");
        return smp_ctx_group_err(ctx, IMG_ERR_IMAGE_ALREADY_PENDING);
    }
    rc = check_testable(ctx, running, has_running);
    if (rc != 0)
        return rc;
    if (boot_set_pending(ctx->srv->plat->slot1, permanent) != 0)
        return smp_ctx_group_err(ctx, IMG_ERR_FLASH_WRITE_FAILED);
    return put_images(ctx);
}

/* `hash` may be absent, null (the Go client's confirm) or a byte string. */
static int get_hash(struct smp_ctx *ctx, const uint8_t **hash, size_t *n)
{
    struct cbor_value v;
    int rc = cbor_map_get(&ctx->req, "hash", &v);

    *hash = NULL;
    *n = 0;
    if (rc != 1 || v.type == CBOR_TYPE_NULL)
        return rc < 0 ? SMP_ERR_EINVAL : 0;
    if (v.type != CBOR_TYPE_BYTES)
        return SMP_ERR_EINVAL;
    *hash = v.data;
    *n = v.len;
    return 0;
}

static int img_state_write(struct smp_ctx *ctx)
{
    struct image_info info[2];
    const uint8_t *hash;
    size_t hash_len;
    bool confirm = false, valid[2];
    int rc = get_hash(ctx, &hash, &hash_len);

    if (rc == 0 && smpsrv_opt_bool(ctx, "confirm", &confirm) > 1)
        rc = SMP_ERR_EINVAL;
    if (rc != 0)
        return rc;
    if (!hash) {
        if (confirm)
            return confirm_running(ctx);
        smp_ctx_rsn(ctx, "a hash is required to test an image");
        return SMP_ERR_EINVAL;
    }
    for (int s = 0; s < 2; s++)
        valid[s] = read_slot(slot_area(ctx->srv, (uint64_t)s), &info[s]) == IMAGE_OK;
    for (int s = 0; s < 2; s++) {
        if (!valid[s] || info[s].hash_len != hash_len || memcmp(info[s].hash, hash, hash_len))
            continue;
        if (s == 1)
            return mark_pending(ctx, confirm, &info[0], valid[0]);
        if (confirm)
            return confirm_running(ctx);
        smp_ctx_rsn(ctx, "this image is already running; it cannot be tested");
        return smp_ctx_group_err(ctx, IMG_ERR_IMAGE_SETTING_TEST_TO_ACTIVE_DENIED);
    }
    smp_ctx_rsn(ctx, "no image with this hash on the device");
    return smp_ctx_group_err(ctx, IMG_ERR_HASH_NOT_FOUND);
}

/* ---- upload ---- */

struct upload_req {
    uint64_t off, len, image;
    bool has_len, upgrade;
    const uint8_t *data, *sha;
    size_t data_len, sha_len;
};

static int parse_upload(struct smp_ctx *ctx, struct upload_req *rq)
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
        smpsrv_opt_bool(ctx, "upgrade", &rq->upgrade) > 1)
        return SMP_ERR_EINVAL;
    if (rq->off > UINT32_MAX || rq->len > UINT32_MAX || rq->sha_len > SHA256_LEN)
        return SMP_ERR_EINVAL;
    return 0;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* §4.2.2 rule 5: what the first chunk alone can tell about the image. */
static int check_first_chunk(struct smp_ctx *ctx, const struct upload_req *rq)
{
    const struct smpsrv_platform *p = ctx->srv->plat;
    uint32_t limit = p->max_image_size ? p->max_image_size : p->slot1->size;
    struct image_version ver;
    struct image_info running;

    if (rq->data_len < IMAGE_HEADER_SIZE) {
        smp_ctx_rsn(ctx, "the first chunk must hold the 32-byte image header");
        return smp_ctx_group_err(ctx, IMG_ERR_INVALID_IMAGE_HEADER);
    }
    if (le32(rq->data) != IMAGE_MAGIC) {
        smp_ctx_rsn(ctx, "not an MCUboot image (bad header magic); sign it first");
        return smp_ctx_group_err(ctx, IMG_ERR_INVALID_IMAGE_HEADER_MAGIC);
    }
    if (rq->len > limit) {
        smp_ctx_rsn(ctx, "the image is larger than the slot");
        return smp_ctx_group_err(ctx, IMG_ERR_INVALID_IMAGE_TOO_LARGE);
    }
    uint32_t hdr_size = (uint32_t)rq->data[8] | (uint32_t)rq->data[9] << 8;
    uint32_t prot_size = (uint32_t)rq->data[10] | (uint32_t)rq->data[11] << 8;
    if (hdr_size < IMAGE_HEADER_SIZE ||
        (uint64_t)hdr_size + le32(rq->data + 12) + prot_size > rq->len) {
        smp_ctx_rsn(ctx, "the image header does not fit the upload length");
        return smp_ctx_group_err(ctx, IMG_ERR_INVALID_IMAGE_HEADER);
    }
    ver.major = rq->data[20];
    ver.minor = rq->data[21];
    ver.revision = (uint16_t)(rq->data[22] | rq->data[23] << 8);
    ver.build = le32(rq->data + 24);
    /* Build numbers count here, as in Zephyr's check: 1.2.3+5 upgrades 1.2.3+4. */
    if (rq->upgrade && read_slot(p->slot0, &running) == IMAGE_OK &&
        image_version_cmp(&running.hdr.ver, &ver, true) >= 0) {
        smp_ctx_rsn(ctx, "upgrade only: the running image is the same or newer");
        return smp_ctx_group_err(ctx, IMG_ERR_CURRENT_VERSION_IS_NEWER);
    }
    return 0;
}

/* Slot 1 may not be overwritten while the next boot depends on it. */
static int check_slot1_free(struct smp_ctx *ctx)
{
    int type = swap_type(ctx->srv);

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

/* An already blank sector is left alone: an erase costs ~85 ms on an
 * nRF52840, and a blank sector programs like a freshly erased one. */
static int erase_sector(const struct flash_area *fa, uint32_t off)
{
    int blank = fa_is_erased(fa, off, fa_sector_size(fa));

    if (blank < 0)
        return IMG_ERR_FLASH_READ_FAILED;
    if (!blank && fa_erase(fa, off, fa_sector_size(fa)) != 0)
        return IMG_ERR_FLASH_ERASE_FAILED;
    return 0;
}

/* Invariant 2: erase the sectors below `end` not yet erased this session. */
static int erase_up_to(struct smpsrv_upload *u, const struct flash_area *fa, uint32_t end)
{
    while (u->erased_to < end && u->erased_to < fa->size) {
        int rc = erase_sector(fa, u->erased_to);
        if (rc != 0)
            return rc;
        u->erased_to += fa_sector_size(fa);
    }
    return 0;
}

static int program(struct smpsrv_upload *u, const struct flash_area *fa, uint32_t at,
                   const uint8_t *p, size_t n)
{
    int rc = erase_up_to(u, fa, at + (uint32_t)n);

    if (rc == 0 && fa_write(fa, at, p, n) != 0)
        rc = IMG_ERR_FLASH_WRITE_FAILED;
    return rc;
}

/* Appends a chunk at u->off, keeping invariant 1. Returns 0 or an img code. */
static int append(struct smpsrv_upload *u, const struct flash_area *fa,
                  const uint8_t *data, size_t n)
{
    uint32_t align = fa_align(fa) ? fa_align(fa) : 1;
    uint32_t written = u->off - u->tail_len;
    size_t pos = 0;
    int rc = 0;

    if (u->tail_len) {
        size_t take = align - u->tail_len < n ? align - u->tail_len : n;
        memcpy(u->tail + u->tail_len, data, take);
        u->tail_len = (uint8_t)(u->tail_len + take);
        pos = take;
        if (u->tail_len == align) {
            rc = program(u, fa, written, u->tail, align);
            written += align;
            u->tail_len = 0;
        }
    }
    size_t bulk = (n - pos) / align * align;
    if (rc == 0 && bulk) {
        rc = program(u, fa, written, data + pos, bulk);
        pos += bulk;
    }
    if (rc == 0 && pos < n) { /* fewer than align bytes left, tail is empty */
        memcpy(u->tail, data + pos, n - pos);
        u->tail_len = (uint8_t)(n - pos);
    }
    u->off += (uint32_t)n;
    return rc;
}

/* SHA-256 of the uploaded bytes as they read back from flash. */
static int hash_slot(struct smpsrv *srv, uint32_t len, uint8_t out[SHA256_LEN])
{
    const struct flash_area *fa = srv->plat->slot1;
    struct image_hash h;
    size_t out_len;
    int rc = image_hash_init(&h, IMAGE_TLV_SHA256);

    for (uint32_t off = 0; rc == IMAGE_OK && off < len;) {
        uint32_t n = len - off < sizeof srv->scratch ? len - off : (uint32_t)sizeof srv->scratch;
        rc = fa_read(fa, off, srv->scratch, n) == 0 ? image_hash_update(&h, srv->scratch, n)
                                                    : IMAGE_ERR_IO;
        off += n;
    }
    if (rc != IMAGE_OK) {
        image_hash_abort(&h);
        return rc;
    }
    return image_hash_final(&h, out, SHA256_LEN, &out_len);
}

/* Last chunk: flush the padded tail, clear stale trailer sectors so no old
 * magic or flag survives past the new image, and check the file hash. */
static int finish(struct smpsrv *srv)
{
    struct smpsrv_upload *u = &srv->upload;
    const struct flash_area *fa = srv->plat->slot1;
    uint32_t align = fa_align(fa) ? fa_align(fa) : 1;
    uint32_t sec = fa_sector_size(fa);
    uint8_t digest[SHA256_LEN];
    int rc = 0;

    if (u->tail_len) {
        memset(u->tail + u->tail_len, fa_erased_val(fa), align - u->tail_len);
        rc = program(u, fa, u->off - u->tail_len, u->tail, align);
        u->tail_len = 0;
    }
    /* Sectors between the image end and the trailer keep old bytes: the
     * bootloader never reads them. Image sectors (below erased_to) are
     * never touched here. */
    uint32_t from = boot_status_off(fa, 3) / sec * sec;
    if (from < u->erased_to)
        from = u->erased_to;
    for (uint32_t s = from; rc == 0 && s < fa->size; s += sec)
        rc = erase_sector(fa, s);
    if (rc == 0 && u->sha_len == SHA256_LEN) {
        if (hash_slot(srv, u->len, digest) != IMAGE_OK)
            return IMG_ERR_FLASH_READ_FAILED;
        u->has_match = true;
        u->match = memcmp(digest, u->sha, SHA256_LEN) == 0;
    }
    return rc;
}

static void put_upload_rsp(struct smp_ctx *ctx)
{
    const struct smpsrv_upload *u = &ctx->srv->upload;

    cbor_put_str(ctx->rsp, "off");
    cbor_put_uint(ctx->rsp, u->off);
    if (u->active && u->off == u->len && u->has_match) {
        cbor_put_str(ctx->rsp, "match");
        cbor_put_bool(ctx->rsp, u->match);
    }
}

/* Offset 0: resume the session when the same file comes again (§4.2.2
 * rule 2), otherwise check the header and start a new session. */
static int upload_begin(struct smp_ctx *ctx, const struct upload_req *rq, bool *resumed)
{
    struct smpsrv_upload *u = &ctx->srv->upload;
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
    if (u->active && u->off > 0 && rq->sha_len > 0 && rq->sha_len == u->sha_len &&
        memcmp(rq->sha, u->sha, rq->sha_len) == 0 && rq->has_len && rq->len == u->len) {
        *resumed = true;
        return 0;
    }
    if (!rq->has_len || rq->len == 0) {
        smp_ctx_rsn(ctx, "the first chunk needs the image length `len`");
        return smp_ctx_group_err(ctx, IMG_ERR_INVALID_LENGTH);
    }
    if (fa_align(ctx->srv->plat->slot1) > sizeof u->tail)
        return smp_ctx_group_err(ctx, IMG_ERR_FLASH_CONFIG_QUERY_FAIL);
    rc = check_first_chunk(ctx, rq);
    if (rc != 0)
        return rc;
    memset(u, 0, sizeof *u);
    u->active = true;
    u->len = (uint32_t)rq->len;
    u->sha_len = (uint8_t)rq->sha_len;
    if (rq->sha_len)
        memcpy(u->sha, rq->sha, rq->sha_len);
    return 0;
}

static int img_upload(struct smp_ctx *ctx)
{
    struct smpsrv_upload *u = &ctx->srv->upload;
    struct upload_req rq;
    bool resumed = false;
    int rc = parse_upload(ctx, &rq);

    if (rc == 0)
        rc = gate(ctx);
    if (rc == 0 && rq.off == 0)
        rc = upload_begin(ctx, &rq, &resumed);
    if (rc != 0)
        return rc;
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
    rc = append(u, ctx->srv->plat->slot1, rq.data, rq.data_len);
    if (rc == 0 && u->off == u->len)
        rc = finish(ctx->srv);
    if (rc != 0) {
        u->active = false; /* invariant 3 */
        u->off = 0;
        return smp_ctx_group_err(ctx, rc);
    }
    put_upload_rsp(ctx);
    return 0;
}

/* ---- erase and slot info ---- */

static int img_erase(struct smp_ctx *ctx)
{
    uint64_t slot = 1;
    const struct flash_area *fa;
    int rc = smpsrv_opt_uint(ctx, "slot", &slot);

    if (rc > 1)
        return rc;
    rc = gate(ctx);
    if (rc != 0)
        return rc;
    if (slot == 0) {
        smp_ctx_rsn(ctx, "slot 0 holds the running image");
        return SMP_ERR_EBADSTATE;
    }
    fa = slot_area(ctx->srv, slot);
    if (!fa) {
        smp_ctx_rsn(ctx, "no such slot");
        return smp_ctx_group_err(ctx, IMG_ERR_INVALID_SLOT);
    }
    if (swap_type(ctx->srv) != BOOT_SWAP_TYPE_NONE) {
        smp_ctx_rsn(ctx, "slot 1 is pending or holds the image a revert needs");
        return SMP_ERR_EBADSTATE;
    }
    ctx->srv->upload.active = false; /* whatever was uploaded is gone */
    ctx->srv->upload.off = 0;
    for (uint32_t s = 0; s < fa->size; s += fa_sector_size(fa)) {
        rc = erase_sector(fa, s);
        if (rc != 0)
            return smp_ctx_group_err(ctx, rc);
    }
    return 0;
}

static int img_slot_info(struct smp_ctx *ctx)
{
    const struct smpsrv_platform *p = ctx->srv->plat;
    struct cbor_writer *w = ctx->rsp;

    cbor_put_str(w, "images");
    cbor_open_array(w, 1);
    cbor_open_map(w, p->max_image_size ? 3 : 2);
    cbor_put_str(w, "image");
    cbor_put_uint(w, 0);
    cbor_put_str(w, "slots");
    cbor_open_array(w, 2);
    cbor_open_map(w, 2);
    cbor_put_str(w, "slot");
    cbor_put_uint(w, 0);
    cbor_put_str(w, "size");
    cbor_put_uint(w, p->slot0->size);
    cbor_open_map(w, 3);
    cbor_put_str(w, "slot");
    cbor_put_uint(w, 1);
    cbor_put_str(w, "size");
    cbor_put_uint(w, p->slot1->size);
    cbor_put_str(w, "upload_image_id");
    cbor_put_uint(w, 0);
    if (p->max_image_size) {
        cbor_put_str(w, "max_image_size");
        cbor_put_uint(w, p->max_image_size);
    }
    return 0;
}

/* What a v1 (version 0) client sees instead of an image group code. */
static int img_to_v1(int group_rc)
{
    switch (group_rc) {
    case IMG_ERR_HASH_NOT_FOUND:
    case IMG_ERR_INVALID_SLOT:
    case IMG_ERR_INVALID_OFFSET:
    case IMG_ERR_INVALID_LENGTH:
    case IMG_ERR_INVALID_IMAGE_HEADER:
    case IMG_ERR_INVALID_IMAGE_HEADER_MAGIC:
    case IMG_ERR_INVALID_HASH:
    case IMG_ERR_INVALID_IMAGE_TOO_LARGE:
    case IMG_ERR_INVALID_IMAGE_DATA_OVERRUN:
        return SMP_ERR_EINVAL;
    case IMG_ERR_NO_IMAGE:
        return SMP_ERR_ENOENT;
    case IMG_ERR_NO_FREE_SLOT:
    case IMG_ERR_IMAGE_ALREADY_PENDING:
    case IMG_ERR_CURRENT_VERSION_IS_NEWER:
        return SMP_ERR_EBADSTATE;
    case IMG_ERR_NO_FREE_MEMORY:
        return SMP_ERR_ENOMEM;
    default:
        return SMP_ERR_EUNKNOWN;
    }
}

static const struct smp_handler img_handlers[] = {
    [IMG_STATE] = { .read = img_state_read, .write = img_state_write },
    [IMG_UPLOAD] = { .write = img_upload },
    [IMG_ERASE] = { .write = img_erase },
    [IMG_SLOT_INFO] = { .read = img_slot_info },
};

const struct smp_group smp_group_img = {
    .id = SMP_GROUP_IMAGE,
    .name = "img",
    .handlers = img_handlers,
    .count = SMPSRV_ARRAY_LEN(img_handlers),
    .to_v1_rc = img_to_v1,
};
