/*
 * Swap using move (the default). No scratch area: the primary keeps one
 * spare sector above the largest image. A swap of N sectors first shifts
 * primary sectors N-1 .. 0 up by one (records 0 .. N-1), then for each
 * sector i: secondary[i] -> primary[i] (record N + 2i), and the shifted old
 * primary[i] (now at primary[i+1]) -> secondary[i] (record N + 2i + 1).
 * What a reset leaves behind at any point is described by the records
 * (swap_common.c invariants); this file only knows the step sequence.
 */
#include "boot/boot_priv.h"

static uint32_t move_max_image_size(const struct boot_config *cfg)
{
    const struct flash_area *p = cfg->primary;
    uint32_t sec = fa_sector_size(p);
    uint32_t max = p->size - sec - boot_trailer_sectors_size(p, 3);
    /* one status record per sector and state: at most 128 sectors */
    if (max > BOOT_MAX_IMG_SECTORS * sec)
        max = BOOT_MAX_IMG_SECTORS * sec;
    return max;
}

static int move_check_layout(const struct boot_config *cfg)
{
    return boot_check_slots(cfg);
}

static uint32_t move_record_count(const struct boot_config *cfg, uint32_t swap_size)
{
    return 3 * boot_sectors_for(cfg->primary, swap_size);
}

static const struct image_body_key *key_of(const struct boot_enc *enc, int which)
{
    return enc && enc->on[which] ? &enc->key[which] : NULL;
}

/* Data moving into the primary is decrypted, into the secondary encrypted
 * (boot_enc.c); the shift inside the primary moves it unchanged. */
static int move_run_step(const struct boot_config *cfg, const struct boot_enc *enc,
                         uint32_t swap_size, uint32_t k)
{
    const struct flash_area *pri = cfg->primary, *sec = cfg->secondary;
    uint32_t n = boot_sectors_for(pri, swap_size);
    uint32_t ss = fa_sector_size(pri);
    if (k < n) {
        uint32_t i = n - 1 - k; /* top down, so nothing is overwritten unread */
        return boot_copy_region(pri, (i + 1) * ss, pri, i * ss, ss);
    }
    uint32_t i = (k - n) / 2;
    if ((k - n) % 2 == 0)
        return boot_copy_region_crypt(pri, i * ss, sec, i * ss, ss, key_of(enc, BOOT_ENC_NEW),
                                      i * ss);
    return boot_copy_region_crypt(sec, i * ss, pri, (i + 1) * ss, ss, key_of(enc, BOOT_ENC_OLD),
                                  i * ss);
}

const struct boot_strategy boot_strategy_swap_move = {
    .id = BOOT_STRATEGY_SWAP_MOVE,
    .name = "swap-using-move",
    .algo = "move",
    .mode = 3,
    .state_count = 3,
    .can_revert = true,
    .max_image_size = move_max_image_size,
    .resume = boot_swap_resume,
    .install = boot_swap_install,
    .check_layout = move_check_layout,
    .record_count = move_record_count,
    .run_step = move_run_step,
};
