/*
 * Overwrite-only: the secondary image is copied over the primary and the
 * secondary is erased; there is no revert and no swap status. The order
 * makes a reset anywhere harmless:
 *   1. copy the image (the secondary and its request stay intact, so after
 *      a reset here the next boot validates and copies again);
 *   2. rebuild the primary trailer: swap_info PERM, image_ok, magic;
 *   3. erase the secondary trailer: the request is gone (commit point);
 *   4. erase the rest of the secondary image;
 *   5. copy_done in the primary: clean-up finished.
 * A primary with magic, swap_info PERM and no copy_done while the secondary
 * has no request means steps 4-5 were cut: resume redoes them. An imgtool
 * --pad image flashed by a debugger has no swap_info, so it is left alone.
 */
#include "boot/boot_priv.h"

#include <string.h>

static uint32_t overwrite_max_image_size(const struct boot_config *cfg)
{
    const struct flash_area *p = cfg->primary;
    /* the primary trailer sector is erased when the copy completes */
    return p->size - boot_trailer_sectors_size(p, 0);
}

static int overwrite_check_layout(const struct boot_config *cfg)
{
    return boot_check_slots(cfg);
}

/* Steps 3-5. */
static int clean_secondary(const struct boot_config *cfg, const struct boot_strategy *s,
                           uint32_t image_size)
{
    uint32_t len = boot_sectors_for(cfg->primary, image_size) * fa_sector_size(cfg->primary);
    int rc = boot_erase_trailer_sectors(cfg->secondary, s->state_count);
    if (!rc)
        rc = boot_erase_region(cfg->secondary, 0, len);
    if (!rc)
        rc = boot_write_copy_done(cfg->primary);
    return rc;
}

static int overwrite_resume(const struct boot_config *cfg, const struct boot_strategy *s,
                            struct boot_result *res)
{
    struct boot_swap_state pri, sec;
    int rc = boot_read_swap_state(cfg->primary, &pri);
    if (!rc)
        rc = boot_read_swap_state(cfg->secondary, &sec);
    if (rc || pri.magic != BOOT_MAGIC_GOOD || pri.copy_done != BOOT_FLAG_UNSET ||
        pri.swap_type != BOOT_SWAP_TYPE_PERM || sec.magic != BOOT_MAGIC_UNSET)
        return rc;
    uint32_t size;
    rc = boot_slot_image_size(cfg, s, cfg->primary, &size);
    if (rc)
        return rc;
    boot_say(cfg, "I: Finishing an interrupted overwrite (erasing the secondary)", NULL);
    rc = clean_secondary(cfg, s, size);
    if (!rc) {
        res->resumed = true;
        res->swap_type = BOOT_SWAP_TYPE_PERM;
    }
    return rc;
}

static int overwrite_install(const struct boot_config *cfg, const struct boot_strategy *s,
                             int swap_type, const struct image_info *secondary)
{
    (void)swap_type; /* test or perm: an overwrite is final either way */
    struct boot_line l = { .len = 0 };
    boot_line_str(&l, "I: Starting overwrite of the primary slot (");
    boot_line_dec(&l, secondary->total_size);
    boot_line_str(&l, " bytes).");
    boot_line_emit(cfg, &l);
    uint32_t len = boot_sectors_for(cfg->primary, secondary->total_size) *
                   fa_sector_size(cfg->primary);
    /* An encrypted image is decrypted on the way; its ciphertext and ENC
     * TLV stay in the secondary until step 3, so a cut copy is redone. */
    struct image_body_key key;
    bool enc;
    int rc = boot_enc_load(cfg, cfg->secondary, secondary, &key, &enc);
    if (rc > 0)
        rc = BOOT_EBADIMAGE; /* validated just before: not expected */
    if (!rc)
        rc = boot_copy_region_crypt(cfg->primary, 0, cfg->secondary, 0, len,
                                    enc ? &key : NULL, 0);
    memset(&key, 0, sizeof key);
    if (!rc)
        rc = boot_erase_trailer_sectors(cfg->primary, s->state_count);
    if (!rc)
        rc = boot_write_swap_info(cfg->primary, BOOT_SWAP_TYPE_PERM, 0);
    if (!rc)
        rc = boot_write_image_ok(cfg->primary);
    if (!rc)
        rc = boot_write_magic(cfg->primary);
    if (!rc)
        rc = clean_secondary(cfg, s, secondary->total_size);
    return rc;
}

const struct boot_strategy boot_strategy_overwrite_only = {
    .id = BOOT_STRATEGY_OVERWRITE_ONLY,
    .name = "overwrite-only",
    .algo = "overwrite",
    .mode = 2,
    .state_count = 0,
    .can_revert = false,
    .max_image_size = overwrite_max_image_size,
    .check_layout = overwrite_check_layout,
    .resume = overwrite_resume,
    .install = overwrite_install,
};
