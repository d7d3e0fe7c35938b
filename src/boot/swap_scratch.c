/*
 * Swap using scratch. The image region is exchanged in chunks as large as
 * the scratch area (whole sectors), highest chunk first; each chunk takes
 * three steps: secondary -> scratch, primary -> secondary, scratch ->
 * primary (records 3c, 3c+1, 3c+2 for the c-th chunk processed).
 *
 * Deliberately simpler than MCUboot: images never reach into the sector
 * that holds the primary trailer, so the swap status always stays in the
 * primary trailer and the scratch area never carries a trailer. The cost
 * is the largest image: slot size minus the trailer sector(s).
 */
#include "boot/boot_priv.h"

static uint32_t scratch_max_image_size(const struct boot_config *cfg)
{
    const struct flash_area *p = cfg->primary;
    uint32_t sec = fa_sector_size(p);
    uint32_t max = p->size - boot_trailer_sectors_size(p, 3);
    if (max > BOOT_MAX_IMG_SECTORS * sec)
        max = BOOT_MAX_IMG_SECTORS * sec;
    return max;
}

static int scratch_check_layout(const struct boot_config *cfg)
{
    int rc = boot_check_slots(cfg);
    if (rc)
        return rc;
    const struct flash_area *s = cfg->scratch;
    uint32_t sec = fa_sector_size(cfg->primary);
    if (!s || !s->dev || fa_sector_size(s) != sec || s->size < sec || s->size % sec ||
        s->off % sec || boot_areas_overlap(s, cfg->primary) ||
        boot_areas_overlap(s, cfg->secondary))
        return BOOT_EBADARGS;
    return 0;
}

static uint32_t chunk_sectors(const struct boot_config *cfg)
{
    return cfg->scratch->size / fa_sector_size(cfg->scratch);
}

static uint32_t chunk_count(const struct boot_config *cfg, uint32_t swap_size)
{
    uint32_t n = boot_sectors_for(cfg->primary, swap_size), c = chunk_sectors(cfg);
    return (n + c - 1) / c;
}

static uint32_t scratch_record_count(const struct boot_config *cfg, uint32_t swap_size)
{
    return 3 * chunk_count(cfg, swap_size);
}

static const struct image_body_key *key_of(const struct boot_enc *enc, int which)
{
    return enc && enc->on[which] ? &enc->key[which] : NULL;
}

/* Data moving into the primary is decrypted, into the secondary encrypted
 * (boot_enc.c); the scratch holds the secondary's bytes unchanged. */
static int scratch_run_step(const struct boot_config *cfg, const struct boot_enc *enc,
                            uint32_t swap_size, uint32_t k)
{
    const struct flash_area *pri = cfg->primary, *sec = cfg->secondary, *scr = cfg->scratch;
    uint32_t n = boot_sectors_for(pri, swap_size), per = chunk_sectors(cfg);
    uint32_t ss = fa_sector_size(pri);
    uint32_t c = chunk_count(cfg, swap_size) - 1 - k / 3; /* highest first */
    uint32_t first = c * per;
    uint32_t len = (n - first < per ? n - first : per) * ss;
    switch (k % 3) {
    case 0: return boot_copy_region(scr, 0, sec, first * ss, len);
    case 1:
        return boot_copy_region_crypt(sec, first * ss, pri, first * ss, len,
                                      key_of(enc, BOOT_ENC_OLD), first * ss);
    default:
        return boot_copy_region_crypt(pri, first * ss, scr, 0, len, key_of(enc, BOOT_ENC_NEW),
                                      first * ss);
    }
}

const struct boot_strategy boot_strategy_swap_scratch = {
    .id = BOOT_STRATEGY_SWAP_SCRATCH,
    .name = "swap-using-scratch",
    .algo = "scratch",
    .mode = 1,
    .state_count = 3,
    .can_revert = true,
    .max_image_size = scratch_max_image_size,
    .resume = boot_swap_resume,
    .install = boot_swap_install,
    .check_layout = scratch_check_layout,
    .record_count = scratch_record_count,
    .run_step = scratch_run_step,
};
