/*
 * boot_go: one boot, as a sequence of named phases:
 *   1. check the layout the strategy needs;
 *   2. finish a swap a reset interrupted (resume_interrupted_swap);
 *   3. otherwise act on the trailers (start_requested_swap): validate the
 *      secondary and swap it in (test, perm), or swap back (revert);
 *   4. validate the primary and describe what boots (boot_primary).
 * Every flash error is returned unchanged (a power cut is FLASH_ERR_POWER)
 * and leaves flash in a state the next boot_go completes. No malloc, no
 * stdio: log lines are assembled in a bounded buffer.
 *
 * A revert is recorded in the secondary trailer (image_ok + magic, swap_info
 * REVERT) before the primary trailer that asked for it is erased, so the
 * request survives a reset at any point; to the decision table it is then a
 * permanent swap, which moves the same data and leaves the same trailer.
 */
#include "boot/boot_priv.h"

#include <string.h>

/* ---- log lines ---- */

struct line {
    char buf[160];
    size_t len;
};

static void l_str(struct line *l, const char *s)
{
    while (*s && l->len + 1 < sizeof l->buf)
        l->buf[l->len++] = *s++;
    l->buf[l->len] = '\0';
}

static void l_hex(struct line *l, uint32_t v)
{
    char tmp[11] = "0x";
    int n = 2, shift = 28;
    while (shift > 0 && ((v >> shift) & 0xf) == 0)
        shift -= 4;
    for (; shift >= 0; shift -= 4)
        tmp[n++] = "0123456789abcdef"[(v >> shift) & 0xf];
    tmp[n] = '\0';
    l_str(l, tmp);
}

static void l_dec(struct line *l, uint32_t v)
{
    char tmp[11];
    int n = 10;
    tmp[n] = '\0';
    do {
        tmp[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    l_str(l, tmp + n);
}

static void l_ver(struct line *l, const struct image_version *v)
{
    char tmp[32];
    if (image_version_fmt(v, tmp, sizeof tmp) < 0)
        l_str(l, "?");
    else
        l_str(l, tmp);
}

static void emit(const struct boot_config *cfg, const struct line *l)
{
    if (cfg->log)
        cfg->log(cfg->log_ctx, l->buf);
}

static void say(const struct boot_config *cfg, const char *a, const char *b)
{
    struct line l = { .len = 0 };
    l_str(&l, a);
    l_str(&l, b ? b : "");
    emit(cfg, &l);
}

/* The line is also the reason reported in res. */
static void refuse_line(const struct boot_config *cfg, struct boot_result *res,
                        const struct line *l)
{
    emit(cfg, l);
    memcpy(res->reason, l->buf + 3, l->len - 3 + 1); /* without "E: " */
}

static const char *magic_name(uint8_t m)
{
    return m == BOOT_MAGIC_GOOD ? "good" : m == BOOT_MAGIC_BAD ? "bad" : "unset";
}

static void log_state(const struct boot_config *cfg, const char *which,
                      const struct boot_swap_state *st)
{
    struct line l = { .len = 0 };
    l_str(&l, "I: ");
    l_str(&l, which);
    l_str(&l, " image: magic=");
    l_str(&l, magic_name(st->magic));
    l_str(&l, ", swap_type=");
    l_hex(&l, st->swap_type);
    l_str(&l, ", copy_done=");
    l_hex(&l, st->copy_done);
    l_str(&l, ", image_ok=");
    l_hex(&l, st->image_ok);
    emit(cfg, &l);
}

/* ---- reading images ---- */

/* image_read_fn that remembers the flash error, so a power cut while
 * validating is returned as such and never mistaken for a bad image. */
struct slot_reader {
    const struct flash_area *fa;
    int err;
};

static int slot_read(void *ctx, uint32_t off, void *buf, size_t len)
{
    struct slot_reader *r = ctx;
    int rc = fa_read(r->fa, off, buf, len);
    if (rc)
        r->err = rc;
    return rc;
}

/* 0 valid, >0 an IMAGE_ERR_* code negated (invalid), <0 a flash error. */
static int validate_slot(const struct boot_config *cfg, const struct boot_strategy *s,
                         const struct flash_area *fa, struct image_info *info)
{
    struct slot_reader r = { fa, 0 };
    int rc = image_validate(slot_read, &r, s->max_image_size(cfg), cfg->keys,
                            cfg->nkeys, info, NULL);
    if (rc == IMAGE_ERR_IO && r.err)
        return r.err;
    return -rc;
}

/* Bytes the image in a slot occupies, 0 when there is no readable image. */
static int slot_image_size(const struct boot_config *cfg, const struct boot_strategy *s,
                           const struct flash_area *fa, uint32_t *size)
{
    struct slot_reader r = { fa, 0 };
    struct image_info info;
    int rc = image_read_info(slot_read, &r, s->max_image_size(cfg), &info);
    if (rc == IMAGE_ERR_IO && r.err)
        return r.err;
    *size = rc ? 0 : info.total_size;
    return 0;
}

/* ---- swapping ---- */

/* Leaves the trailers of a completed swap: the secondary has none (the old
 * image sits there without a request), the primary says copy done and,
 * unless this was a test, image ok. Idempotent: resumes redo it. */
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

static int start_swap(const struct boot_config *cfg, const struct boot_strategy *s,
                      int swap_type, uint32_t swap_size)
{
    struct line l = { .len = 0 };
    l_str(&l, "I: Starting swap using ");
    l_str(&l, s->algo);
    l_str(&l, " algorithm (");
    l_dec(&l, swap_size);
    l_str(&l, " bytes).");
    emit(cfg, &l);
    /* The primary trailer is rebuilt from erased: until its magic is
     * written no record exists, and the secondary's request still stands. */
    int rc = boot_erase_trailer_sectors(cfg->primary, s->state_count);
    if (!rc)
        rc = boot_write_swap_size(cfg->primary, swap_size);
    if (!rc)
        rc = boot_write_swap_info(cfg->primary, (uint8_t)swap_type, 0);
    if (!rc)
        rc = boot_write_magic(cfg->primary);
    if (!rc)
        rc = boot_swap_run(cfg, s, swap_size, NULL);
    if (!rc)
        rc = finish_swap(cfg, s, swap_type);
    return rc;
}

static int swap_size_of(const struct boot_config *cfg, const struct boot_strategy *s,
                        uint32_t *swap_size)
{
    uint32_t a = 0, b = 0;
    int rc = slot_image_size(cfg, s, cfg->primary, &a);
    if (!rc)
        rc = slot_image_size(cfg, s, cfg->secondary, &b);
    *swap_size = a > b ? a : b;
    return rc;
}

static int resume_overwrite(const struct boot_config *cfg, const struct boot_strategy *s,
                            struct boot_result *res);

/* Phase 2: a swap whose records show it started and did not finish. */
static int resume_interrupted_swap(const struct boot_config *cfg,
                                   const struct boot_strategy *s, struct boot_result *res)
{
    struct boot_swap_state pri;
    bool started;
    if (s->state_count == 0)
        return resume_overwrite(cfg, s, res);
    int rc = boot_read_swap_state(cfg->primary, &pri);
    if (rc || pri.magic != BOOT_MAGIC_GOOD || pri.copy_done != BOOT_FLAG_UNSET)
        return rc;
    /* a padded image flashed by a debugger has magic but no record */
    rc = boot_status_written(cfg, s, 0, &started);
    if (rc || !started)
        return rc;
    uint32_t swap_size;
    rc = boot_read_swap_size(cfg->primary, &swap_size);
    if (rc)
        return rc;
    if (pri.swap_type < BOOT_SWAP_TYPE_TEST || pri.swap_type > BOOT_SWAP_TYPE_REVERT ||
        swap_size == 0 || swap_size > s->max_image_size(cfg)) {
        say(cfg, "E: Swap status is corrupt; not resuming", NULL);
        return BOOT_EBADSTATUS;
    }
    uint32_t first;
    say(cfg, "I: Resuming an interrupted swap, type ", boot_swap_type_name(pri.swap_type));
    rc = boot_swap_run(cfg, s, swap_size, &first);
    if (!rc)
        rc = finish_swap(cfg, s, pri.swap_type);
    if (rc)
        return rc;
    struct line l = { .len = 0 };
    l_str(&l, "I: Swap finished from step ");
    l_dec(&l, first);
    l_str(&l, " of ");
    l_dec(&l, s->record_count(cfg, swap_size));
    emit(cfg, &l);
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

/* A refused secondary is erased so it is never tried again; the primary
 * gets image_ok so that it is not reverted away either (MCUboot does the
 * same: the old image in the secondary is gone). */
static int refuse_secondary(const struct boot_config *cfg, struct boot_result *res)
{
    struct boot_swap_state pri;
    int rc = boot_erase_region(cfg->secondary, 0, cfg->secondary->size);
    if (!rc)
        rc = boot_read_swap_state(cfg->primary, &pri);
    if (!rc && pri.magic == BOOT_MAGIC_GOOD && pri.image_ok == BOOT_FLAG_UNSET)
        rc = boot_write_image_ok(cfg->primary);
    if (rc == BOOT_EBADSTATUS)
        rc = 0; /* foreign bytes in the image_ok unit: leave them */
    res->swap_type = BOOT_SWAP_TYPE_FAIL;
    return rc;
}

/* 0 and *ok when the secondary may be swapped in; the reason otherwise.
 * A revert goes back to an older image on purpose: no downgrade check. */
static int check_secondary(const struct boot_config *cfg, const struct boot_strategy *s,
                           int swap_type, struct boot_result *res, struct image_info *info,
                           bool *ok)
{
    struct line l = { .len = 0 };
    *ok = false;
    int rc = validate_slot(cfg, s, cfg->secondary, info);
    if (rc < 0)
        return rc;
    if (rc > 0) {
        l_str(&l, "E: Image in the secondary slot is not valid: ");
        l_str(&l, image_strerror(-rc));
        refuse_line(cfg, res, &l);
        return 0;
    }
    struct image_info pri;
    struct slot_reader r = { cfg->primary, 0 };
    rc = image_read_info(slot_read, &r, cfg->primary->size, &pri);
    if (rc == IMAGE_ERR_IO && r.err)
        return r.err;
    if (cfg->downgrade_prevention && rc == 0 && swap_type != BOOT_SWAP_TYPE_REVERT) {
        if (image_version_cmp(&info->hdr.ver, &pri.hdr.ver, false) < 0) {
            l_str(&l, "E: Downgrade refused: secondary version ");
            l_ver(&l, &info->hdr.ver);
            l_str(&l, " is older than primary version ");
            l_ver(&l, &pri.hdr.ver);
            refuse_line(cfg, res, &l);
            return 0;
        }
        if (pri.has_sec_cnt && (!info->has_sec_cnt || info->sec_cnt < pri.sec_cnt)) {
            l_str(&l, "E: Downgrade refused: security counter ");
            l_dec(&l, info->has_sec_cnt ? info->sec_cnt : 0);
            l_str(&l, " is below the primary's ");
            l_dec(&l, pri.sec_cnt);
            refuse_line(cfg, res, &l);
            return 0;
        }
    }
    *ok = true;
    return 0;
}

/* Overwrite-only, in an order a reset may interrupt anywhere:
 *   1. copy the image (the secondary and its request stay intact, so a
 *      reset here makes the next boot validate and copy again);
 *   2. rebuild the primary trailer: swap_info PERM, image_ok, magic;
 *   3. erase the secondary trailer: the request is gone (commit point);
 *   4. erase the rest of the secondary image;
 *   5. copy_done in the primary: clean-up finished.
 * A primary with magic, swap_info PERM and no copy_done while the secondary
 * has no request means steps 4-5 were cut: finish_overwrite redoes them. */
static int finish_overwrite(const struct boot_config *cfg, const struct boot_strategy *s,
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

static int overwrite_primary(const struct boot_config *cfg, const struct boot_strategy *s,
                             const struct image_info *info)
{
    struct line l = { .len = 0 };
    l_str(&l, "I: Starting overwrite of the primary slot (");
    l_dec(&l, info->total_size);
    l_str(&l, " bytes).");
    emit(cfg, &l);
    int rc = s->run_step(cfg, info->total_size, 0);
    if (!rc)
        rc = boot_erase_trailer_sectors(cfg->primary, s->state_count);
    if (!rc)
        rc = boot_write_swap_info(cfg->primary, BOOT_SWAP_TYPE_PERM, 0);
    if (!rc)
        rc = boot_write_image_ok(cfg->primary);
    if (!rc)
        rc = boot_write_magic(cfg->primary);
    if (!rc)
        rc = finish_overwrite(cfg, s, info->total_size);
    return rc;
}

/* Phase 2 for overwrite-only: a clean-up of the secondary that was cut. */
static int resume_overwrite(const struct boot_config *cfg, const struct boot_strategy *s,
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
    rc = slot_image_size(cfg, s, cfg->primary, &size);
    if (rc)
        return rc;
    say(cfg, "I: Finishing an interrupted overwrite (erasing the secondary)", NULL);
    rc = finish_overwrite(cfg, s, size);
    if (!rc) {
        res->resumed = true;
        res->swap_type = BOOT_SWAP_TYPE_PERM;
    }
    return rc;
}

static bool revert_pending(const struct boot_swap_state *pri)
{
    return pri->magic == BOOT_MAGIC_GOOD && pri->image_ok == BOOT_FLAG_UNSET &&
           pri->copy_done == BOOT_FLAG_SET;
}

/* The swap type of this boot, with two repairs MCUboot's table lacks: a
 * revert recorded in the secondary (PERM + swap_info REVERT) stays a
 * revert, and a secondary magic torn while recording a revert is wiped. */
static int decide(const struct boot_config *cfg, const struct boot_strategy *s, int *type)
{
    struct boot_swap_state pri, sec;
    int rc = boot_read_swap_state(cfg->primary, &pri);
    if (!rc)
        rc = boot_read_swap_state(cfg->secondary, &sec);
    if (rc)
        return rc;
    log_state(cfg, "Primary", &pri);
    log_state(cfg, "Secondary", &sec);
    *type = boot_swap_type_from_states(&pri, &sec);
    if (s->can_revert && *type == BOOT_SWAP_TYPE_NONE && sec.magic == BOOT_MAGIC_BAD &&
        revert_pending(&pri)) {
        say(cfg, "W: Secondary trailer is corrupt while a revert is pending; repairing", NULL);
        rc = boot_erase_trailer_sectors(cfg->secondary, s->state_count);
        *type = BOOT_SWAP_TYPE_REVERT;
    }
    if (*type == BOOT_SWAP_TYPE_PERM && sec.swap_type == BOOT_SWAP_TYPE_REVERT)
        *type = BOOT_SWAP_TYPE_REVERT;
    return rc;
}

/* Phase 3. */
static int start_requested_swap(const struct boot_config *cfg, const struct boot_strategy *s,
                                struct boot_result *res)
{
    int type, rc = decide(cfg, s, &type);
    if (rc)
        return rc;
    if (type == BOOT_SWAP_TYPE_REVERT && !s->can_revert)
        type = BOOT_SWAP_TYPE_NONE; /* nothing to go back to */
    say(cfg, "I: Swap type: ", boot_swap_type_name(type));
    if (type == BOOT_SWAP_TYPE_NONE)
        return 0;
    /* Whatever is to be swapped in is validated first, the old image of a
     * revert included: the secondary may have been rewritten (an upload)
     * since it last booted, and swapping in an image that cannot boot
     * would leave the device with none. */
    struct image_info info;
    bool ok;
    rc = check_secondary(cfg, s, type, res, &info, &ok);
    if (rc)
        return rc;
    if (!ok)
        return refuse_secondary(cfg, res);
    if (!s->can_revert) {
        res->swap_type = BOOT_SWAP_TYPE_PERM; /* an overwrite is final */
        return overwrite_primary(cfg, s, &info);
    }
    if (type == BOOT_SWAP_TYPE_REVERT)
        rc = record_revert(cfg, s);
    uint32_t swap_size;
    if (!rc)
        rc = swap_size_of(cfg, s, &swap_size);
    if (!rc)
        rc = start_swap(cfg, s, type, swap_size);
    res->swap_type = type;
    return rc;
}

/* Phase 4. */
static int boot_primary(const struct boot_config *cfg, const struct boot_strategy *s,
                        struct boot_result *res)
{
    struct line l = { .len = 0 };
    int rc = validate_slot(cfg, s, cfg->primary, &res->image);
    if (rc < 0)
        return rc;
    int st = boot_read_swap_state(cfg->primary, &res->primary);
    if (!st)
        st = boot_read_swap_state(cfg->secondary, &res->secondary);
    if (st)
        return st;
    if (rc > 0) {
        memset(&res->image, 0, sizeof res->image);
        l_str(&l, "E: Image in the primary slot is not valid: ");
        l_str(&l, rc == -IMAGE_ERR_MAGIC ? "no image (bad or erased header)"
                                         : image_strerror(-rc));
        refuse_line(cfg, res, &l);
        say(cfg, "E: Unable to find bootable image", NULL);
        return BOOT_ENOIMAGE;
    }
    l_str(&l, "I: Booting image version ");
    l_ver(&l, &res->image.hdr.ver);
    l_str(&l, " from the primary slot at ");
    l_hex(&l, cfg->primary->off);
    l_str(&l, res->primary.image_ok == BOOT_FLAG_SET || res->primary.magic != BOOT_MAGIC_GOOD
                  ? " (confirmed)" : " (test, not confirmed)");
    emit(cfg, &l);
    return 0;
}

int boot_go(const struct boot_config *cfg, struct boot_result *res)
{
    if (!cfg || !res)
        return BOOT_EBADARGS;
    memset(res, 0, sizeof *res);
    res->swap_type = BOOT_SWAP_TYPE_NONE;
    const struct boot_strategy *s = boot_strategy_get(cfg->strategy);
    say(cfg, "I: Starting bootloader, ", s ? s->name : "unknown strategy");
    if (!s || s->check_layout(cfg)) {
        struct line l = { .len = 0 };
        l_str(&l, "E: Flash layout not usable by this strategy");
        refuse_line(cfg, res, &l);
        return BOOT_EBADARGS;
    }
    int rc = resume_interrupted_swap(cfg, s, res);
    if (!rc && !res->resumed)
        rc = start_requested_swap(cfg, s, res);
    if (rc < 0 && rc >= FLASH_ERR_NOT_ERASED) {
        /* the flash failed (or power was cut): the next boot continues */
        say(cfg, "E: Flash operation failed: ", flash_strerror(rc));
        return rc;
    }
    if (rc) {
        /* Trailer or status data we did not write: nothing was moved on
         * its account, and a primary that validates is still safe to run. */
        say(cfg, "E: Update not performed: ", boot_strerror(rc));
        res->swap_type = BOOT_SWAP_TYPE_NONE;
    }
    return boot_primary(cfg, s, res);
}
