/*
 * The image group as MCUboot's serial recovery serves it (plat->recovery:
 * nothing boots), with the Kconfig defaults of a Zephyr MCUboot build:
 * image list and upload only (no image state write, no erase, no slot
 * info: those answer ENOTSUP, like every command the dispatcher finds no
 * handler for).
 *
 * List: each slot whose image validates as the bootloader validates it
 * (hash, and signature by a trusted key), as {slot, hash, version}: no
 * flags, no `image` (one image pair), no splitStatus.
 *
 * Upload writes the PRIMARY slot (slot 0) directly, and a reset makes the
 * bootloader validate and boot it. As in MCUboot:
 *  - off 0 always starts over (no resume, no sha, no header checks); the
 *    only check is len against the slot size;
 *  - a chunk is written up to a multiple of the write alignment, except
 *    the last one (padded): the answer's `off` then stops short of the
 *    chunk's end and the client sends the rest again;
 *  - every answer is {rc: 0, off}; failures are a bare rc (EINVAL).
 * The slot is erased progressively, the trailer sectors at the end
 * (img_write.c).
 */
#include "smpsrv/groups/img_priv.h"

static int recovery_list(struct smp_ctx *ctx)
{
    const struct smpsrv_platform *p = ctx->srv->plat;
    const struct flash_area *slots[2] = { p->slot0, p->slot1 };
    struct image_info info[2];
    bool valid[2];
    char ver[32];

    for (int s = 0; s < 2; s++)
        valid[s] = slots[s] &&
                   image_validate(fa_image_read, (void *)slots[s], slots[s]->size, p->keys,
                                  p->keys ? p->nkeys : 0, &info[s], NULL) == IMAGE_OK;
    cbor_put_str(ctx->rsp, "images");
    cbor_open_array(ctx->rsp, (size_t)valid[0] + valid[1]);
    for (int s = 0; s < 2; s++) {
        if (!valid[s])
            continue;
        if (image_version_fmt(&info[s].hdr.ver, ver, sizeof ver) < 0)
            ver[0] = '\0';
        cbor_open_map(ctx->rsp, 3);
        cbor_put_str(ctx->rsp, "slot");
        cbor_put_uint(ctx->rsp, (uint64_t)s);
        cbor_put_str(ctx->rsp, "hash");
        cbor_put_bytes(ctx->rsp, info[s].hash, info[s].hash_len);
        cbor_put_str(ctx->rsp, "version");
        cbor_put_str(ctx->rsp, ver);
    }
    return 0;
}

static void put_rc0_off(struct smp_ctx *ctx, uint32_t off)
{
    cbor_put_str(ctx->rsp, "rc");
    cbor_put_int(ctx->rsp, 0);
    cbor_put_str(ctx->rsp, "off");
    cbor_put_uint(ctx->rsp, off);
}

/* Off 0: a new upload into slot 0, whatever was going on. MCUboot maps
 * `image` 1 to a flash area a one-pair build lacks (EINVAL) and larger
 * numbers to ENOENT. */
static int recovery_begin(struct smp_ctx *ctx, const struct upload_req *rq)
{
    const struct flash_area *fa = ctx->srv->plat->slot0;

    if (rq->image > 1)
        return SMP_ERR_ENOENT;
    /* a delta patch written as it is would be no image at all */
    if (rq->image == 1 || !rq->has_len || rq->len > fa->size || rq->delta ||
        fa_align(fa) > sizeof img_session(ctx)->tail)
        return SMP_ERR_EINVAL;
    img_session_start(img_session(ctx), fa, (uint32_t)rq->len);
    return 0;
}

/* The aligned part of the chunk, or all of it when it ends the image. */
static size_t writable(const struct img_session *u, size_t n)
{
    uint32_t align = fa_align(u->fa) ? fa_align(u->fa) : 1;

    return u->off + n == u->len ? n : n - n % align;
}

static int recovery_upload(struct smp_ctx *ctx)
{
    struct img_session *u = img_session(ctx);
    struct upload_req rq;
    int rc = img_parse_upload(ctx, &rq);

    if (rc == 0 && rq.off == 0)
        rc = recovery_begin(ctx, &rq);
    if (rc != 0)
        return rc;
    if (!u->active || rq.off != u->off) {
        put_rc0_off(ctx, u->active ? u->off : 0);
        return 0;
    }
    if (rq.data_len > u->len - u->off)
        return SMP_ERR_EINVAL;
    rc = img_append(ctx, rq.data, writable(u, rq.data_len));
    u->off = u->wr;
    if (rc == 0 && u->off == u->len)
        rc = img_write_finish(ctx);
    if (rc != 0) {
        u->active = false;
        return SMP_ERR_EINVAL;
    }
    put_rc0_off(ctx, u->off);
    return 0;
}

const struct smp_handler img_recovery_handlers[IMG_RECOVERY_COUNT] = {
    [IMG_STATE] = { .read = recovery_list },
    [IMG_UPLOAD] = { .write = recovery_upload },
};
