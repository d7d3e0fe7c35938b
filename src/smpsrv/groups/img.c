/*
 * Image management group (1), smp-protocol §4.2, as the application
 * serves it: state read and write (test / confirm), upload into the
 * secondary slot (img_upload.c), slot erase and slot info, for one image
 * pair (slot 0 runs, slot 1 receives). MCUboot's serial recovery subset
 * of the same group is img_recovery.c.
 *
 * Test and confirm go through boot/bootutil.h, the very trailer code the
 * bootloader reads; a test is refused with the bootloader's own reasons
 * (img_check.c) rather than left to a silent refusal at boot. Slot 1 is
 * never listed (nor testable) while it holds part of an upload.
 *
 * Not here: multi-image pairs, direct-XIP, core dumps (Mynewt only).
 */
#include <string.h>

#include "boot/bootutil.h"
#include "smpsrv/groups/img_priv.h"

static const struct flash_area *slot_area(const struct smpsrv *srv, uint64_t slot)
{
    if (slot == 0)
        return srv->plat->slot0;
    if (slot == 1)
        return srv->plat->slot1;
    return NULL;
}

int img_read_slot(const struct flash_area *fa, struct image_info *info)
{
    if (!fa)
        return IMAGE_ERR_BAD_ARG;
    return image_read_info(fa_image_read, (void *)fa, fa->size, info);
}

int img_gate(struct smp_ctx *ctx)
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

int img_swap_type(const struct smpsrv *srv)
{
    int t = boot_swap_type_peek(srv->plat->slot0, srv->plat->slot1);
    return t < 0 ? BOOT_SWAP_TYPE_NONE : t;
}

/* The images the slots hold; slot 1 not while an upload is incomplete
 * there: its header may be new and its TLVs an older image's. */
static void read_slots(const struct smp_ctx *ctx, struct image_info info[2], bool valid[2])
{
    for (int s = 0; s < 2; s++)
        valid[s] = img_read_slot(slot_area(ctx->srv, (uint64_t)s), &info[s]) == IMAGE_OK;
    if (valid[1] && img_upload_incomplete(ctx))
        valid[1] = false;
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

/* The `images` array and `splitStatus`: the body of state read and write. */
static int put_images(struct smp_ctx *ctx)
{
    struct image_info info[2];
    bool valid[2];
    int type = img_swap_type(ctx->srv);

    read_slots(ctx, info, valid);
    cbor_put_str(ctx->rsp, "images");
    cbor_open_array(ctx->rsp, (size_t)valid[0] + valid[1]);
    for (int s = 0; s < 2; s++)
        if (valid[s])
            put_slot_entry(ctx->rsp, s, &info[s], state_flags(type, s));
    cbor_put_str(ctx->rsp, "splitStatus");
    cbor_put_uint(ctx->rsp, 0);
    return 0;
}

/* `delta`: the patch format version this device applies to uploads
 * (src/image/DELTA.md); a client sends a patch only to a device that says
 * so. Serial recovery (img_recovery.c) never does. */
static int img_state_read(struct smp_ctx *ctx)
{
    int rc = put_images(ctx);

    cbor_put_str(ctx->rsp, "delta");
    cbor_put_uint(ctx->rsp, DELTA_VERSION);
    return rc;
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

/* Slot 1 holds a whole image that the bootloader will accept as an
 * upgrade: checked here because a refused swap at boot is silent. */
static int check_testable(struct smp_ctx *ctx, const struct image_info *running, bool has_running)
{
    struct image_info info;
    int rc = img_check_image(ctx, ctx->srv->plat->slot1, &info);

    return rc != 0 ? rc : img_check_upgrade(ctx, &info, has_running ? running : NULL);
}

static int mark_pending(struct smp_ctx *ctx, bool permanent, const struct image_info *running,
                        bool has_running)
{
    int type = img_swap_type(ctx->srv);
    int rc = img_gate(ctx);

    if (rc != 0)
        return rc;
    if (type == BOOT_SWAP_TYPE_TEST || type == BOOT_SWAP_TYPE_PERM) {
        if ((type == BOOT_SWAP_TYPE_PERM) == permanent)
            return put_images(ctx); /* asked again for what is already set */
        smp_ctx_rsn(ctx, "slot 1 is already pending with the other mode; reset first");
        return smp_ctx_group_err(ctx, IMG_ERR_IMAGE_ALREADY_PENDING);
    }
    rc = check_testable(ctx, running, has_running);
    if (rc == 0)
        rc = img_upload_forget(ctx); /* the swap will move slot 1 */
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
    read_slots(ctx, info, valid);
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
    smp_ctx_rsn(ctx, img_upload_incomplete(ctx)
                         ? "slot 1 holds an unfinished upload: run the same upload again to finish it, or erase slot 1"
                         : "no image with this hash on the device");
    return smp_ctx_group_err(ctx, IMG_ERR_HASH_NOT_FOUND);
}

/* ---- erase and slot info ---- */

static int img_erase(struct smp_ctx *ctx)
{
    uint64_t slot = 1;
    const struct flash_area *fa;
    int rc = smpsrv_opt_uint(ctx, "slot", &slot);

    if (rc > 1)
        return rc;
    rc = img_gate(ctx);
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
    if (img_swap_type(ctx->srv) != BOOT_SWAP_TYPE_NONE) {
        smp_ctx_rsn(ctx, "slot 1 is pending or holds the image a revert needs");
        return SMP_ERR_EBADSTATE;
    }
    rc = img_upload_forget(ctx); /* whatever was uploaded is gone */
    if (rc != 0)
        return rc;
    for (uint32_t s = 0; s < fa->size; s += fa_sector_size(fa)) {
        rc = img_erase_sector(fa, s);
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
int img_to_v1(int group_rc)
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

/* The upload session, shared by both personalities (img_upload.c,
 * img_recovery.c); a reset forgets it (the durable record stays). */
static struct img_session img_session_state;

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
    .recovery_handlers = img_recovery_handlers,
    .recovery_count = IMG_RECOVERY_COUNT,
    .state = &img_session_state,
    .state_size = sizeof img_session_state,
};
