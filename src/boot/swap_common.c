/*
 * What the swap strategies share: sector copies, the swap-status records,
 * and the two phases of boot_go that are the same for swap-using-move and
 * swap-using-scratch (resume an interrupted swap, run a new one). Each
 * strategy file only describes its step sequence (record_count, run_step).
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
 *  4. A swap in progress is: primary magic GOOD, copy_done unset, record 0
 *     written. swap_size and swap_info are written before the magic, so
 *     they are there whenever a record is.
 *  5. The request that started a swap (the secondary's trailer) is erased
 *     only after the last record: until then a reset that finds no record
 *     simply starts the swap again.
 *
 * A revert is first recorded in the secondary trailer (swap_info REVERT,
 * image_ok, magic) before the primary trailer that asked for it is erased,
 * so the request survives a reset at any point (invariant 5 then holds for
 * reverts too). To MCUboot's table that is a permanent request, which
 * moves the same data and leaves the same trailer as a revert.
 */
#include "boot/boot_priv.h"

#include <string.h>

/* Copy unit (integrator limit, docs/limits.md): one program call per 1 KiB
 * keeps the buffer small and gives the power-loss tests a cut point inside
 * every sector copy. */
#ifndef BOOT_COPY_CHUNK
#define BOOT_COPY_CHUNK 1024u
#endif
_Static_assert(BOOT_COPY_CHUNK >= BOOT_MAX_ALIGN && BOOT_COPY_CHUNK % BOOT_MAX_ALIGN == 0,
               "BOOT_COPY_CHUNK: whole write units");
#define COPY_CHUNK ((uint32_t)BOOT_COPY_CHUNK)
static uint8_t copy_buf[COPY_CHUNK];

/* ---- sectors ---- */

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
    if (sec == 0)
        return FLASH_ERR_GEOMETRY;
    /* sector by sector, like a real part: each erase is its own cut point
     * (and the watchdog is fed before each one) */
    for (uint32_t done = 0; done < len; done += sec) {
        boot_watchdog_feed();
        int rc = fa_erase(fa, off + done, sec);
        if (rc)
            return rc;
    }
    return 0;
}

int boot_copy_region_crypt(const struct flash_area *dst, uint32_t dst_off,
                           const struct flash_area *src, uint32_t src_off, uint32_t len,
                           const struct image_body_key *k, uint32_t img_off)
{
    int rc = boot_erase_region(dst, dst_off, len);
    for (uint32_t done = 0; !rc && done < len; done += COPY_CHUNK) {
        uint32_t n = len - done < COPY_CHUNK ? len - done : COPY_CHUNK;
        boot_watchdog_feed();
        rc = fa_read(src, src_off + done, copy_buf, n);
        if (!rc && k && image_body_crypt(k, img_off + done, copy_buf, n) != IMAGE_OK)
            rc = BOOT_EBADIMAGE;
        if (!rc)
            rc = fa_write(dst, dst_off + done, copy_buf, n);
    }
    return rc;
}

int boot_copy_region(const struct flash_area *dst, uint32_t dst_off,
                     const struct flash_area *src, uint32_t src_off, uint32_t len)
{
    return boot_copy_region_crypt(dst, dst_off, src, src_off, len, NULL, 0);
}

/* ---- records (invariants 1-3) ---- */

static uint32_t record_off(const struct boot_config *cfg, const struct boot_strategy *s,
                           uint32_t k)
{
    return boot_status_off(cfg->primary, s->state_count) + k * fa_align(cfg->primary);
}

static int record_written(const struct boot_config *cfg, const struct boot_strategy *s,
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
            *written = true;
    return 0;
}

/* Runs every step from the first whose record is unwritten. */
static int run_steps(const struct boot_config *cfg, const struct boot_strategy *s,
                     const struct boot_enc *enc, uint32_t swap_size, uint32_t *first_step)
{
    uint32_t n = s->record_count(cfg, swap_size), k = 0;
    for (; k < n; k++) {
        bool written;
        int rc = record_written(cfg, s, k, &written);
        if (rc)
            return rc;
        if (!written)
            break;
    }
    *first_step = k;
    for (; k < n; k++) {
        int rc = s->run_step(cfg, enc, swap_size, k);
        if (!rc)
            rc = boot_write_unit_once(cfg->primary, record_off(cfg, s, k), BOOT_FLAG_SET_VAL);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- the swap phases ---- */

/* Leaves the trailers of a completed swap: the secondary has none (the old
 * image sits there without a request), the primary says copy done and,
 * unless this was a test, image ok. Idempotent: a resume redoes it. */
static int finish_swap(const struct boot_config *cfg, const struct boot_strategy *s,
                       int swap_type)
{
    int rc = boot_erase_trailer_sectors(cfg->secondary, s->state_count);
    if (!rc && swap_type != BOOT_SWAP_TYPE_TEST)
        rc = boot_write_image_ok(cfg->primary);
    if (!rc)
        rc = boot_write_copy_done(cfg->primary);
    return rc;
}

int boot_swap_resume(const struct boot_config *cfg, const struct boot_strategy *s,
                     struct boot_result *res)
{
    struct boot_swap_state pri;
    bool started;
    int rc = boot_read_swap_state(cfg->primary, &pri);
    if (rc || pri.magic != BOOT_MAGIC_GOOD || pri.copy_done != BOOT_FLAG_UNSET)
        return rc;
    /* invariant 4; a padded image flashed by a debugger has no record */
    rc = record_written(cfg, s, 0, &started);
    if (rc || !started)
        return rc;
    uint32_t swap_size, first;
    rc = boot_read_swap_size(cfg->primary, &swap_size);
    if (rc)
        return rc;
    if (pri.swap_type < BOOT_SWAP_TYPE_TEST || pri.swap_type > BOOT_SWAP_TYPE_REVERT ||
        swap_size == 0 || swap_size > s->max_image_size(cfg)) {
        boot_say(cfg, "E: Swap status is corrupt; not resuming", NULL);
        return BOOT_EBADSTATUS;
    }
    boot_say(cfg, "I: Resuming an interrupted swap, type ", boot_swap_type_name(pri.swap_type));
    struct boot_enc enc;
    rc = boot_enc_restore(cfg, s, &enc);
    if (!rc)
        rc = run_steps(cfg, s, &enc, swap_size, &first);
    memset(&enc, 0, sizeof enc);
    if (!rc)
        rc = finish_swap(cfg, s, pri.swap_type);
    if (rc)
        return rc;
    struct boot_line l = { .len = 0 };
    boot_line_str(&l, "I: Swap finished from step ");
    boot_line_dec(&l, first);
    boot_line_str(&l, " of ");
    boot_line_dec(&l, s->record_count(cfg, swap_size));
    boot_line_emit(cfg, &l);
    res->resumed = true;
    res->swap_type = pri.swap_type;
    return 0;
}

/* Records the revert in the secondary trailer (see the file comment). */
static int record_revert(const struct boot_config *cfg, const struct boot_strategy *s)
{
    struct boot_swap_state sec;
    int rc = boot_read_swap_state(cfg->secondary, &sec);
    if (rc || sec.magic == BOOT_MAGIC_GOOD)
        return rc;
    for (int attempt = 0; attempt < 2; attempt++) {
        /* a torn magic, or left-overs of a cut attempt: start clean */
        if (sec.magic == BOOT_MAGIC_BAD || attempt == 1)
            rc = boot_erase_trailer_sectors(cfg->secondary, s->state_count);
        if (!rc)
            rc = boot_write_swap_info(cfg->secondary, BOOT_SWAP_TYPE_REVERT, 0);
        if (!rc)
            rc = boot_write_image_ok(cfg->secondary);
        if (!rc)
            rc = boot_write_magic(cfg->secondary);
        if (rc != BOOT_EBADSTATUS && rc != BOOT_EBADVECT)
            return rc; /* done, or a flash error */
    }
    return rc;
}

int boot_swap_install(const struct boot_config *cfg, const struct boot_strategy *s,
                      int swap_type, const struct image_info *secondary)
{
    uint32_t swap_size = 0;
    struct boot_enc enc;
    int rc = swap_type == BOOT_SWAP_TYPE_REVERT ? record_revert(cfg, s) : 0;
    if (!rc)
        rc = boot_slot_image_size(cfg, s, cfg->primary, &swap_size);
    if (!rc)
        rc = boot_enc_prepare(cfg, s, secondary, &enc);
    if (!rc && secondary->total_size > swap_size)
        swap_size = secondary->total_size;
    if (rc)
        return rc;
    struct boot_line l = { .len = 0 };
    boot_line_str(&l, "I: Starting swap using ");
    boot_line_str(&l, s->algo);
    boot_line_str(&l, " algorithm (");
    boot_line_dec(&l, swap_size);
    boot_line_str(&l, " bytes).");
    boot_line_emit(cfg, &l);
    /* Rebuild the primary trailer from erased; until its magic is written
     * no record exists and the request still stands (invariants 4, 5). */
    rc = boot_erase_trailer_sectors(cfg->primary, s->state_count);
    if (!rc)
        rc = boot_write_swap_size(cfg->primary, swap_size);
    if (!rc)
        rc = boot_write_swap_info(cfg->primary, (uint8_t)swap_type, 0);
    if (!rc)
        rc = boot_enc_save(cfg, s, &enc); /* boot_enc.c invariant 3 */
    if (!rc)
        rc = boot_write_magic(cfg->primary);
    uint32_t first;
    if (!rc)
        rc = run_steps(cfg, s, &enc, swap_size, &first);
    if (!rc)
        rc = finish_swap(cfg, s, swap_type);
    memset(&enc, 0, sizeof enc);
    return rc;
}

/* ---- strategy table and facts ---- */

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

static bool overlap(const struct flash_area *a, const struct flash_area *b)
{
    return a->dev == b->dev && a->off < b->off + b->size && b->off < a->off + a->size;
}

bool boot_areas_overlap(const struct flash_area *a, const struct flash_area *b)
{
    return overlap(a, b);
}

int boot_check_slots(const struct boot_config *cfg)
{
    const struct flash_area *p = cfg->primary, *s = cfg->secondary;
    if (!p || !s || !p->dev || !s->dev || p->size != s->size || overlap(p, s))
        return BOOT_EBADARGS;
    /* the status area for 128 sectors must fit below the trailer fields */
    uint64_t status = (uint64_t)BOOT_MAX_IMG_SECTORS * 3 * fa_align(p);
    if ((uint64_t)p->size < status + 4 * BOOT_MAX_ALIGN + BOOT_MAGIC_SZ)
        return BOOT_EBADARGS;
    if (fa_sector_size(p) != fa_sector_size(s) || fa_align(p) > BOOT_MAX_ALIGN ||
        fa_align(s) > BOOT_MAX_ALIGN || fa_align(p) == 0 || fa_align(s) == 0 ||
        fa_sector_size(p) == 0 ||
        p->size % fa_sector_size(p) || p->off % fa_sector_size(p) ||
        s->off % fa_sector_size(s))
        return BOOT_EBADARGS;
    /* the trailer must leave room for at least one sector of image */
    if (boot_trailer_sectors_size(p, 3) + 2 * fa_sector_size(p) > p->size)
        return BOOT_EBADARGS;
    /* a board that decrypts keeps the swap's keys in the trailer sectors */
    if (cfg->enc_key && !boot_enc_room(p, 3))
        return BOOT_EBADARGS;
    return 0;
}
