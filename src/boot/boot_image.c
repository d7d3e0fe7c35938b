/*
 * Reading the images in the slots for the bootloader: validation against
 * the configured keys and the size a slot's image occupies. The image
 * format itself is image/'s business; this file only makes sure a flash
 * failure while reading (a power cut) is reported as such and never
 * mistaken for a bad image, which would get the slot erased.
 */
#include "boot/boot_priv.h"

struct slot_reader {
    const struct flash_area *fa;
    int err;  /* last flash error, 0 if none */
};

static int slot_read(void *ctx, uint32_t off, void *buf, size_t len)
{
    struct slot_reader *r = ctx;
    int rc = fa_read(r->fa, off, buf, len);
    if (rc)
        r->err = rc;
    return rc;
}

int boot_validate_slot(const struct boot_config *cfg, const struct boot_strategy *s,
                       const struct flash_area *fa, struct image_info *info)
{
    struct slot_reader r = { fa, 0 };
    int rc = image_validate(slot_read, &r, s->max_image_size(cfg), cfg->keys,
                            cfg->nkeys, info, NULL);
    if (rc == IMAGE_ERR_IO && r.err)
        return r.err;
    return -rc;
}

int boot_read_slot_info(const struct flash_area *fa, uint32_t area_size,
                        struct image_info *info, bool *present)
{
    struct slot_reader r = { fa, 0 };
    int rc = image_read_info(slot_read, &r, area_size, info);
    if (rc == IMAGE_ERR_IO && r.err)
        return r.err;
    *present = rc == IMAGE_OK;
    return 0;
}

int boot_slot_image_size(const struct boot_config *cfg, const struct boot_strategy *s,
                         const struct flash_area *fa, uint32_t *size)
{
    struct image_info info;
    bool present;
    int rc = boot_read_slot_info(fa, s->max_image_size(cfg), &info, &present);
    *size = !rc && present ? info.total_size : 0;
    return rc;
}
