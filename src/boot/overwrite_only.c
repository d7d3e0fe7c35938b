/*
 * Overwrite-only: the secondary image is copied over the primary and the
 * secondary is erased; there is no revert and no swap status. A reset
 * during the copy is harmless because the source and its trailer (magic
 * GOOD) stay intact until the copy and the primary trailer are complete:
 * the next boot validates the secondary again and redoes the whole copy.
 * The copy itself is the single step of boot_go's overwrite phase.
 */
#include "boot/boot_priv.h"

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

static uint32_t overwrite_record_count(const struct boot_config *cfg, uint32_t swap_size)
{
    (void)cfg;
    (void)swap_size;
    return 0;
}

static int overwrite_run_step(const struct boot_config *cfg, uint32_t swap_size, uint32_t k)
{
    (void)k;
    uint32_t len = boot_sectors_for(cfg->primary, swap_size) * fa_sector_size(cfg->primary);
    return boot_copy_region(cfg->primary, 0, cfg->secondary, 0, len);
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
    .record_count = overwrite_record_count,
    .run_step = overwrite_run_step,
};
