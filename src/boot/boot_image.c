/*
 * Reading the images in the slots for the bootloader: validation against
 * the configured keys and the size a slot's image occupies. The image
 * format itself is image/'s business; this file only makes sure a flash
 * failure while reading (a power cut) is reported as such and never
 * mistaken for a bad image, which would get the slot erased.
 */
#include "boot/boot_priv.h"

#include <string.h>

struct slot_reader {
    const struct flash_area *fa;
    int err;  /* last flash error, 0 if none */
};

static int slot_read(void *ctx, uint32_t off, void *buf, size_t len)
{
    struct slot_reader *r = ctx;
    /* hashing a whole slot is a long loop of these reads */
    boot_watchdog_feed();
    int rc = fa_read(r->fa, off, buf, len);
    if (rc)
        r->err = rc;
    return rc;
}

const char *boot_invalid_str(int invalid)
{
    switch (invalid) {
    case BOOT_INVALID_NO_ENC_KEY:
        return "image is encrypted and this board holds no decryption key";
    case BOOT_INVALID_ENC_KEY:
        return "image is encrypted for another key (its ENC TLV does not unwrap "
               "with this board's decryption key)";
    default:
        return image_strerror(-invalid);
    }
}

/* The secondary holds encrypted images as ciphertext (boot_enc.c): on a
 * board with the key they are validated through a reader that decrypts
 * the body (so an imgtool --clear image is refused there, as MCUboot
 * refuses it). */
int boot_validate_slot(const struct boot_config *cfg, const struct boot_strategy *s,
                       const struct flash_area *fa, struct image_info *info)
{
    struct slot_reader r = { fa, 0 };
    struct image_body_key key;
    struct image_decrypt_reader dec = { slot_read, &r, &key };
    image_read_fn rd = slot_read;
    void *ctx = &r;
    bool encrypted = false;
    int rc = 0;
    if (fa == cfg->secondary) {
        bool present;
        rc = boot_read_slot_info(fa, s->max_image_size(cfg), info, &present);
        if (!rc && present)
            rc = boot_enc_load(cfg, fa, info, &key, &encrypted);
        if (rc)
            return rc;
    }
    if (encrypted) {
        rd = image_decrypt_read;
        ctx = &dec;
    }
    rc = image_validate(rd, ctx, s->max_image_size(cfg), cfg->keys, cfg->nkeys, info, NULL);
    memset(&key, 0, sizeof key);
    if (rc == IMAGE_ERR_IO && r.err)
        return r.err;
    /* A board without the key validates a flagged image as it is: an
     * imgtool --clear image (plaintext body) passes, a really encrypted
     * one fails, and the console should say why rather than "bad hash". */
    if (rc && fa == cfg->secondary && !cfg->enc_key && image_is_encrypted(&info->hdr))
        return BOOT_INVALID_NO_ENC_KEY;
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
