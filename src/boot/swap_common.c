/*
 * Helpers every strategy shares: sector copies, the swap-status records
 * and the loop that runs or resumes a swap. No strategy-specific layout
 * lives here.
 *
 * Swap-status invariants (the "records"):
 *  1. Record k occupies one write unit at status_off + k * align in the
 *     PRIMARY trailer; byte 0 = 0x01 when written. A unit with any
 *     non-erased byte counts as written (a torn record write only happens
 *     after its step completed, so the step is done either way).
 *  2. Records are written strictly in order k = 0, 1, 2, ..., each right
 *     after its step finished, and nothing erases the status area while a
 *     swap is in progress: the first unwritten record is the step to redo.
 *  3. A step erases its destination first and its source is not touched
 *     before a later step, so redoing a step cut at any point is correct
 *     and never programs a byte twice.
 */
#include "boot/boot_priv.h"

#include <string.h>

/* Copy unit: one program call per 1 KiB keeps the buffer small and gives
 * the power-loss tests a cut point inside every sector copy. */
#define COPY_CHUNK 1024u
static uint8_t copy_buf[COPY_CHUNK];

uint32_t boot_sectors_for(const struct flash_area *fa, uint32_t len)
{
    uint32_t sec = fa_sector_size(fa);
    return (uint32_t)(((uint64_t)len + sec - 1) / sec);
}

uint32_t boot_trailer_sectors_size(const struct flash_area *fa, unsigned state_count)
{
    return boot_sectors_for(fa, fa->size - boot_trailer_start(fa, state_count)) *
           fa_sector_size(fa);
}

int boot_erase_region(const struct flash_area *fa, uint32_t off, uint32_t len)
{
    uint32_t sec = fa_sector_size(fa);
    /* sector by sector, like a real part: each erase is its own cut point */
    for (uint32_t done = 0; done < len; done += sec) {
        int rc = fa_erase(fa, off + done, sec);
        if (rc)
            return rc;
    }
    return 0;
}

int boot_copy_region(const struct flash_area *dst, uint32_t dst_off,
                     const struct flash_area *src, uint32_t src_off, uint32_t len)
{
    int rc = boot_erase_region(dst, dst_off, len);
    for (uint32_t done = 0; !rc && done < len; done += COPY_CHUNK) {
        uint32_t n = len - done < COPY_CHUNK ? len - done : COPY_CHUNK;
        rc = fa_read(src, src_off + done, copy_buf, n);
        if (!rc)
            rc = fa_write(dst, dst_off + done, copy_buf, n);
    }
    return rc;
}

static uint32_t record_off(const struct boot_config *cfg, const struct boot_strategy *s,
                           uint32_t k)
{
    return boot_status_off(cfg->primary, s->state_count) + k * fa_align(cfg->primary);
}

int boot_status_written(const struct boot_config *cfg, const struct boot_strategy *s,
                        uint32_t k, bool *written)
{
    uint32_t align = fa_align(cfg->primary);
    uint8_t unit[BOOT_MAX_ALIGN];
    int rc = fa_read(cfg->primary, record_off(cfg, s, k), unit, align);
    if (rc)
        return rc;
    *written = false;
    for (uint32_t i = 0; i < align; i++)
        if (unit[i] != fa_erased_val(cfg->primary))
            *written = true; /* invariant 1 */
    return 0;
}

int boot_swap_run(const struct boot_config *cfg, const struct boot_strategy *s,
                  uint32_t swap_size, uint32_t *first_step)
{
    uint32_t n = s->record_count(cfg, swap_size);
    uint32_t k = 0;
    for (; k < n; k++) { /* invariant 2: find the first step not done */
        bool written;
        int rc = boot_status_written(cfg, s, k, &written);
        if (rc)
            return rc;
        if (!written)
            break;
    }
    if (first_step)
        *first_step = k;
    for (; k < n; k++) {
        int rc = s->run_step(cfg, swap_size, k);
        if (!rc)
            rc = boot_write_unit_once(cfg->primary, record_off(cfg, s, k), BOOT_FLAG_SET_VAL);
        if (rc)
            return rc;
    }
    return 0;
}

const struct boot_strategy *boot_strategy_get(enum boot_strategy_id id)
{
    switch (id) {
    case BOOT_STRATEGY_SWAP_MOVE: return &boot_strategy_swap_move;
    case BOOT_STRATEGY_SWAP_SCRATCH: return &boot_strategy_swap_scratch;
    case BOOT_STRATEGY_OVERWRITE_ONLY: return &boot_strategy_overwrite_only;
    default: return NULL;
    }
}

int boot_strategy_mode(enum boot_strategy_id id)
{
    const struct boot_strategy *s = boot_strategy_get(id);
    return s ? s->mode : -1;
}

const char *boot_strategy_name(enum boot_strategy_id id)
{
    const struct boot_strategy *s = boot_strategy_get(id);
    return s ? s->name : "unknown";
}

uint32_t boot_max_image_size(const struct boot_config *cfg)
{
    const struct boot_strategy *s = boot_strategy_get(cfg->strategy);
    if (!s || !cfg->primary || !cfg->secondary || s->check_layout(cfg))
        return 0;
    return s->max_image_size(cfg);
}

/* Slots of equal size and sector size on aligned devices: every strategy
 * needs that much. */
int boot_check_slots(const struct boot_config *cfg)
{
    const struct flash_area *p = cfg->primary, *s = cfg->secondary;
    if (!p || !s || !p->dev || !s->dev || p->size != s->size)
        return BOOT_EBADARGS;
    if (fa_sector_size(p) != fa_sector_size(s) || fa_align(p) > BOOT_MAX_ALIGN ||
        fa_align(s) > BOOT_MAX_ALIGN || fa_sector_size(p) == 0 ||
        p->size % fa_sector_size(p) || p->off % fa_sector_size(p) ||
        s->off % fa_sector_size(s))
        return BOOT_EBADARGS;
    /* the trailer must leave room for at least one sector of image */
    if (boot_trailer_sectors_size(p, 3) + 2 * fa_sector_size(p) > p->size)
        return BOOT_EBADARGS;
    return 0;
}
