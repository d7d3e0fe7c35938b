/*
 * Will the bootloader boot this image? The same checks it makes, run by
 * the application before it asks for a swap, because a swap the
 * bootloader refuses is silent: it erases the slot and keeps the old image.
 *
 * img_check_image: layout, hash TLV against the contents, signature by one
 * of the keys the bootloader trusts (plat->keys). Run when the last chunk
 * of an upload lands (the user's CONFIG_IMG_ENABLE_IMAGE_CHECK) and by
 * `image test`, which also checks the downgrade rules (img_check_upgrade).
 *
 * Every refusal names its reason (rsn) and a group code:
 *   INVALID_TLV   header or TLVs malformed; not signed although the board
 *                 requires it; signed by a key it does not trust; a
 *                 signature that does not verify
 *   INVALID_HASH  the hash TLV does not match the contents
 *   CURRENT_VERSION_IS_NEWER  older version or security counter than the
 *                 running image, with downgrade prevention
 * The hash of an encrypted image covers its plaintext, and only the
 * bootloader holds the decryption key: for those the layout is all the
 * application can check.
 */
#include "smpsrv/groups/img_priv.h"

#include "image/image_crypto.h"

static int find_signature(void *arg, bool protected_area, uint16_t type, uint32_t off,
                          uint16_t len)
{
    (void)arg;
    (void)protected_area;
    (void)off;
    (void)len;
    return image_tlv_is_signature(type) ? 1 : 0;
}

static bool has_signature(const struct flash_area *fa, const struct image_info *info)
{
    return image_tlv_foreach(fa_image_read, (void *)fa, info, find_signature, NULL) == 1;
}

/* The reason for a failed image_validate, as the user needs to hear it. */
static int refuse(struct smp_ctx *ctx, const struct flash_area *fa,
                  const struct image_info *info, int rc)
{
    switch (rc) {
    case IMAGE_ERR_HASH:
    case IMAGE_ERR_NO_HASH:
        smp_ctx_rsn(ctx, "the image is corrupt: its hash TLV does not match its contents");
        return smp_ctx_group_err(ctx, IMG_ERR_INVALID_HASH);
    case IMAGE_ERR_KEY_MISMATCH:
    case IMAGE_ERR_NO_SIGNATURE:
        smp_ctx_rsn(ctx, has_signature(fa, info)
                             ? "signed by a key this device does not trust"
                             : "not signed: this device boots only signed images");
        return smp_ctx_group_err(ctx, IMG_ERR_INVALID_TLV);
    case IMAGE_ERR_SIGNATURE:
        smp_ctx_rsn(ctx, "the image's signature does not verify");
        return smp_ctx_group_err(ctx, IMG_ERR_INVALID_TLV);
    /* not the image's fault: say so, or the user re-signs in vain */
    case IMAGE_ERR_UNSUPPORTED:
        smp_ctx_rsn(ctx, "signed with an algorithm this device's crypto does not support");
        return smp_ctx_group_err(ctx, IMG_ERR_INVALID_TLV);
    case IMAGE_ERR_NO_MEMORY:
        smp_ctx_rsn(ctx, "the device's crypto ran out of memory checking the signature");
        return smp_ctx_group_err(ctx, IMG_ERR_INVALID_TLV);
    case IMAGE_ERR_IO:
        return smp_ctx_group_err(ctx, IMG_ERR_FLASH_READ_FAILED);
    default:
        smp_ctx_rsn(ctx, "the image is incomplete or corrupt (bad header or TLVs)");
        return smp_ctx_group_err(ctx, IMG_ERR_INVALID_TLV);
    }
}

static uint32_t image_area(const struct smpsrv_platform *p, const struct flash_area *fa)
{
    return p->max_image_size && p->max_image_size < fa->size ? p->max_image_size : fa->size;
}

int img_check_image(struct smp_ctx *ctx, const struct flash_area *fa, struct image_info *info)
{
    const struct smpsrv_platform *p = ctx->srv->plat;
    uint32_t area = image_area(p, fa);
    int rc = image_read_info(fa_image_read, (void *)fa, area, info);

    if (rc != IMAGE_OK)
        return refuse(ctx, fa, info, rc);
    if (info->hdr.flags & (IMAGE_F_ENCRYPTED_AES128 | IMAGE_F_ENCRYPTED_AES256))
        return 0;
    rc = image_validate(fa_image_read, (void *)fa, area, p->keys, p->keys ? p->nkeys : 0,
                        info, NULL);
    return rc == IMAGE_OK ? 0 : refuse(ctx, fa, info, rc);
}

/* The bootloader's downgrade prevention: version, then security counter. */
int img_check_upgrade(struct smp_ctx *ctx, const struct image_info *next,
                      const struct image_info *running)
{
    if (!ctx->srv->plat->no_downgrade || !running)
        return 0;
    if (image_version_cmp(&next->hdr.ver, &running->hdr.ver, false) < 0) {
        smp_ctx_rsn(ctx, "the bootloader refuses downgrades: slot 1 is older than the running image");
        return smp_ctx_group_err(ctx, IMG_ERR_CURRENT_VERSION_IS_NEWER);
    }
    if (running->has_sec_cnt && (!next->has_sec_cnt || next->sec_cnt < running->sec_cnt)) {
        smp_ctx_rsn(ctx, "the bootloader refuses downgrades: slot 1's security counter is below the running image's");
        return smp_ctx_group_err(ctx, IMG_ERR_CURRENT_VERSION_IS_NEWER);
    }
    return 0;
}
