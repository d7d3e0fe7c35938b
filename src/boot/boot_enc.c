/*
 * Encrypted images in the bootloader. Rule: an image whose header says
 * encrypted is ciphertext in the secondary slot and plaintext in the
 * primary, always. So a swap decrypts what it moves into the primary and
 * encrypts again (same key, from the image's own ENC TLV) what it moves
 * into the secondary, and a revert simply decrypts it once more. An
 * overwrite decrypts while copying. A board without the key moves every
 * image unchanged (see boot_validate_slot for what it accepts).
 *
 * Power safety: once a swap has overwritten the secondary's TLVs, an ENC
 * TLV can no longer be read back, so both keys (and the body range they
 * apply to) are kept in the primary slot while the swap runs:
 *  1. The records sit at the start of the primary's trailer sector(s),
 *     below the swap-status area, where no image ever reaches (images stop
 *     before the trailer sectors) and no other trailer field lies: the
 *     MCUboot field offsets of a plain trailer do not move.
 *  2. Record i (BOOT_ENC_OLD, BOOT_ENC_NEW) = a 32-byte key unit, then an
 *     8-byte unit: keylen, hdr_size (LE16), img_size (LE32), 0x01. A
 *     record without that last 0x01 (erased: no key) means "not
 *     encrypted".
 *  3. They are written after the trailer sectors were erased and before
 *     the primary magic, so they exist whenever a swap-status record does
 *     (swap_common.c invariant 4), and a torn write of them is thrown away
 *     with the restarted swap. They stay until the next swap erases the
 *     trailer, as MCUboot keeps its key fields.
 */
#include "boot/boot_priv.h"

#include <string.h>

#define ENC_KEY_UNIT IMAGE_AES_KEY_MAX
#define ENC_META_UNIT BOOT_MAX_ALIGN
#define ENC_RECORD (ENC_KEY_UNIT + ENC_META_UNIT)
#define ENC_META_VALID 0x01

struct enc_slot_reader {
    const struct flash_area *fa;
    int err;
};

static int enc_slot_read(void *ctx, uint32_t off, void *buf, size_t len)
{
    struct enc_slot_reader *r = ctx;
    int rc = fa_read(r->fa, off, buf, len);
    if (rc)
        r->err = rc;
    return rc;
}

int boot_enc_load(const struct boot_config *cfg, const struct flash_area *fa,
                  const struct image_info *info, struct image_body_key *k, bool *on)
{
    memset(k, 0, sizeof *k);
    /* Without a key nothing is decrypted: the only flagged images that
     * validate on such a board are imgtool --clear ones (plaintext). */
    *on = image_is_encrypted(&info->hdr) && cfg->enc_key;
    if (!*on)
        return 0;
    struct enc_slot_reader r = { fa, 0 };
    int rc = image_body_key_load(enc_slot_read, &r, info, cfg->enc_key, k);
    if (rc == IMAGE_ERR_IO && r.err)
        return r.err;
    return rc ? BOOT_INVALID_ENC_KEY : 0;
}

int boot_enc_prepare(const struct boot_config *cfg, const struct boot_strategy *s,
                     const struct image_info *secondary, struct boot_enc *enc)
{
    memset(enc, 0, sizeof *enc);
    int rc = boot_enc_load(cfg, cfg->secondary, secondary, &enc->key[BOOT_ENC_NEW],
                           &enc->on[BOOT_ENC_NEW]);
    if (rc)
        return rc > 0 ? BOOT_EBADIMAGE : rc; /* validated just before: not expected */
    struct image_info pri;
    bool present;
    rc = boot_read_slot_info(cfg->primary, s->max_image_size(cfg), &pri, &present);
    if (rc || !present)
        return rc;
    rc = boot_enc_load(cfg, cfg->primary, &pri, &enc->key[BOOT_ENC_OLD], &enc->on[BOOT_ENC_OLD]);
    if (rc > 0) {
        /* It then reaches the secondary as plaintext, which does not
         * validate: a revert to it is refused and the new image kept. */
        boot_say(cfg, "W: The primary image's encryption key cannot be recovered; "
                      "it moves to the secondary unencrypted", NULL);
        enc->on[BOOT_ENC_OLD] = false;
        rc = 0;
    }
    return rc;
}

bool boot_enc_room(const struct flash_area *fa, unsigned state_count)
{
    uint32_t base = fa->size - boot_trailer_sectors_size(fa, state_count);
    return (uint64_t)base + 2 * ENC_RECORD <= boot_trailer_start(fa, state_count);
}

static uint32_t record_base(const struct flash_area *fa, unsigned state_count, int i)
{
    return fa->size - boot_trailer_sectors_size(fa, state_count) + (uint32_t)i * ENC_RECORD;
}

int boot_enc_save(const struct boot_config *cfg, const struct boot_strategy *s,
                  const struct boot_enc *enc)
{
    const struct flash_area *fa = cfg->primary;
    for (int i = 0; i < 2; i++) {
        if (!enc->on[i])
            continue;
        if (!boot_enc_room(fa, s->state_count))
            return BOOT_EBADARGS;
        const struct image_body_key *k = &enc->key[i];
        uint8_t unit[ENC_KEY_UNIT], meta[ENC_META_UNIT];
        memset(unit, fa_erased_val(fa), sizeof unit);
        memcpy(unit, k->key, k->keylen);
        meta[0] = k->keylen;
        meta[1] = (uint8_t)k->body_off;
        meta[2] = (uint8_t)(k->body_off >> 8);
        for (int b = 0; b < 4; b++)
            meta[3 + b] = (uint8_t)(k->body_len >> (8 * b));
        meta[7] = ENC_META_VALID;
        uint32_t off = record_base(fa, s->state_count, i);
        int rc = fa_write(fa, off, unit, sizeof unit);
        if (!rc)
            rc = fa_write(fa, off + ENC_KEY_UNIT, meta, sizeof meta);
        memset(unit, 0, sizeof unit);
        if (rc)
            return rc;
    }
    return 0;
}

int boot_enc_restore(const struct boot_config *cfg, const struct boot_strategy *s,
                     struct boot_enc *enc)
{
    const struct flash_area *fa = cfg->primary;
    memset(enc, 0, sizeof *enc);
    if (!boot_enc_room(fa, s->state_count))
        return 0; /* no room: never written */
    for (int i = 0; i < 2; i++) {
        uint8_t meta[ENC_META_UNIT];
        uint32_t off = record_base(fa, s->state_count, i);
        int rc = fa_read(fa, off + ENC_KEY_UNIT, meta, sizeof meta);
        if (rc)
            return rc;
        if (meta[7] != ENC_META_VALID || (meta[0] != 16 && meta[0] != 32))
            continue;
        struct image_body_key *k = &enc->key[i];
        rc = fa_read(fa, off, k->key, meta[0]);
        if (rc)
            return rc;
        k->keylen = meta[0];
        k->body_off = (uint32_t)meta[1] | (uint32_t)meta[2] << 8;
        k->body_len = (uint32_t)meta[3] | (uint32_t)meta[4] << 8 | (uint32_t)meta[5] << 16 |
                      (uint32_t)meta[6] << 24;
        enc->on[i] = true;
    }
    return 0;
}
