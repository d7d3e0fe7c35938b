/*
 * boot_go: one boot, as a sequence of named phases:
 *   1. check the layout the strategy needs;
 *   2. finish what a reset interrupted (the strategy's resume);
 *   3. otherwise act on the trailers (act_on_request): validate the image
 *      to be swapped in, refuse it (erased) or let the strategy install it;
 *   4. validate the primary and describe what boots (boot_primary).
 * Flash errors are returned unchanged (a power cut is FLASH_ERR_POWER) and
 * leave flash in a state the next boot_go completes; the strategies own
 * that guarantee (swap_common.c, overwrite_only.c). No malloc, no stdio.
 */
#include "boot/boot_priv.h"

#include <string.h>

static const char *magic_name(uint8_t m)
{
    return m == BOOT_MAGIC_GOOD ? "good" : m == BOOT_MAGIC_BAD ? "bad" : "unset";
}

static void log_state(const struct boot_config *cfg, const char *which,
                      const struct boot_swap_state *st)
{
    struct boot_line l = { .len = 0 };
    boot_line_str(&l, "I: ");
    boot_line_str(&l, which);
    boot_line_str(&l, " image: magic=");
    boot_line_str(&l, magic_name(st->magic));
    boot_line_str(&l, ", swap_type=");
    boot_line_hex(&l, st->swap_type);
    boot_line_str(&l, ", copy_done=");
    boot_line_hex(&l, st->copy_done);
    boot_line_str(&l, ", image_ok=");
    boot_line_hex(&l, st->image_ok);
    boot_line_emit(cfg, &l);
}

static bool revert_pending(const struct boot_swap_state *pri)
{
    return pri->magic == BOOT_MAGIC_GOOD && pri->image_ok == BOOT_FLAG_UNSET &&
           pri->copy_done == BOOT_FLAG_SET;
}

/* The swap type of this boot: MCUboot's table, plus two repairs it lacks.
 * A revert already recorded in the secondary (PERM with swap_info REVERT)
 * stays a revert; a secondary magic torn while recording a revert is wiped
 * and the revert redone. */
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
        boot_say(cfg, "W: Secondary trailer is corrupt while a revert is pending; repairing",
                 NULL);
        rc = boot_erase_trailer_sectors(cfg->secondary, s->state_count);
        *type = BOOT_SWAP_TYPE_REVERT;
    }
    if (*type == BOOT_SWAP_TYPE_PERM && sec.swap_type == BOOT_SWAP_TYPE_REVERT)
        *type = BOOT_SWAP_TYPE_REVERT;
    if (*type == BOOT_SWAP_TYPE_REVERT && !s->can_revert)
        *type = BOOT_SWAP_TYPE_NONE; /* nothing to go back to */
    return rc;
}

/* Downgrade prevention against the primary's header: version, then the
 * security counter. *ok false with the reason logged when refused. */
static int check_downgrade(const struct boot_config *cfg, struct boot_result *res,
                           const struct image_info *sec, bool *ok)
{
    struct image_info pri;
    bool present;
    struct boot_line l = { .len = 0 };
    int rc = boot_read_slot_info(cfg->primary, cfg->primary->size, &pri, &present);
    *ok = true;
    if (rc || !present)
        return rc; /* nothing to compare with: e.g. a first install */
    if (image_version_cmp(&sec->hdr.ver, &pri.hdr.ver, false) < 0) {
        boot_line_str(&l, "E: Downgrade refused: secondary version ");
        boot_line_ver(&l, &sec->hdr.ver);
        boot_line_str(&l, " is older than primary version ");
        boot_line_ver(&l, &pri.hdr.ver);
        *ok = false;
    } else if (pri.has_sec_cnt && (!sec->has_sec_cnt || sec->sec_cnt < pri.sec_cnt)) {
        boot_line_str(&l, "E: Downgrade refused: security counter ");
        boot_line_dec(&l, sec->has_sec_cnt ? sec->sec_cnt : 0);
        boot_line_str(&l, " is below the primary's ");
        boot_line_dec(&l, pri.sec_cnt);
        *ok = false;
    }
    if (!*ok)
        boot_refuse(cfg, res, &l);
    return 0;
}

/* 0 and *ok when the secondary may be swapped in; the reason otherwise.
 * A revert goes back to an older image on purpose: no downgrade check. */
static int check_secondary(const struct boot_config *cfg, const struct boot_strategy *s,
                           int swap_type, struct boot_result *res, struct image_info *info,
                           bool *ok)
{
    *ok = false;
    int rc = boot_validate_slot(cfg, s, cfg->secondary, info);
    if (rc < 0)
        return rc;
    if (rc > 0) {
        struct boot_line l = { .len = 0 };
        boot_line_str(&l, "E: Image in the secondary slot is not valid: ");
        boot_line_str(&l, boot_invalid_str(rc));
        boot_refuse(cfg, res, &l);
        return 0;
    }
    if (cfg->downgrade_prevention && swap_type != BOOT_SWAP_TYPE_REVERT)
        return check_downgrade(cfg, res, info, ok);
    *ok = true;
    return 0;
}

/* A refused secondary is erased so it is never tried again; the primary
 * gets image_ok so that it is not reverted away either (as MCUboot does:
 * whatever old image the secondary held is gone). */
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

/* Phase 3. Whatever is to be swapped in is validated first, the old image
 * of a revert included: the secondary may have been rewritten (an upload)
 * since it last booted, and installing an image that cannot boot would
 * leave the device with none. */
static int act_on_request(const struct boot_config *cfg, const struct boot_strategy *s,
                          struct boot_result *res)
{
    int type, rc = decide(cfg, s, &type);
    if (rc)
        return rc;
    boot_say(cfg, "I: Swap type: ", boot_swap_type_name(type));
    if (type == BOOT_SWAP_TYPE_NONE)
        return 0;
    struct image_info info;
    bool ok;
    rc = check_secondary(cfg, s, type, res, &info, &ok);
    if (rc)
        return rc;
    if (!ok)
        return refuse_secondary(cfg, res);
    /* an overwrite cannot be undone: it is permanent whatever was asked */
    res->swap_type = s->can_revert ? type : BOOT_SWAP_TYPE_PERM;
    return s->install(cfg, s, type, &info);
}

/* Phase 4. */
static int boot_primary(const struct boot_config *cfg, const struct boot_strategy *s,
                        struct boot_result *res)
{
    struct boot_line l = { .len = 0 };
    int rc = boot_validate_slot(cfg, s, cfg->primary, &res->image);
    if (rc < 0)
        return rc;
    int st = boot_read_swap_state(cfg->primary, &res->primary);
    if (!st)
        st = boot_read_swap_state(cfg->secondary, &res->secondary);
    if (st)
        return st;
    if (rc > 0) {
        memset(&res->image, 0, sizeof res->image);
        boot_line_str(&l, "E: Image in the primary slot is not valid: ");
        boot_line_str(&l, rc == -IMAGE_ERR_MAGIC ? "no image (bad or erased header)"
                                                 : image_strerror(-rc));
        boot_refuse(cfg, res, &l);
        boot_say(cfg, "E: Unable to find bootable image", NULL);
        return BOOT_ENOIMAGE;
    }
    bool trial = res->primary.magic == BOOT_MAGIC_GOOD && res->primary.image_ok != BOOT_FLAG_SET;
    boot_line_str(&l, "I: Booting image version ");
    boot_line_ver(&l, &res->image.hdr.ver);
    boot_line_str(&l, " from the primary slot at ");
    boot_line_hex(&l, cfg->primary->off);
    boot_line_str(&l, trial ? " (test, not confirmed)" : " (confirmed)");
    boot_line_emit(cfg, &l);
    return 0;
}

int boot_go(const struct boot_config *cfg, struct boot_result *res)
{
    if (!cfg || !res)
        return BOOT_EBADARGS;
    memset(res, 0, sizeof *res);
    res->swap_type = BOOT_SWAP_TYPE_NONE;
    const struct boot_strategy *s = boot_strategy_get(cfg->strategy);
    boot_say(cfg, "I: Starting bootloader, ", s ? s->name : "unknown strategy");
    if (!s || s->check_layout(cfg)) {
        struct boot_line l = { .len = 0 };
        boot_line_str(&l, "E: Flash layout not usable by this strategy");
        boot_refuse(cfg, res, &l);
        return BOOT_EBADARGS;
    }
    int rc = s->resume(cfg, s, res);
    if (!rc && !res->resumed)
        rc = act_on_request(cfg, s, res);
    if (rc < 0 && rc >= FLASH_ERR_LAST) {
        /* the flash failed (or power was cut): the next boot continues */
        boot_say(cfg, "E: Flash operation failed: ", flash_strerror(rc));
        return rc;
    }
    if (rc) {
        /* Trailer or status data we did not write: nothing was moved on
         * its account, and a primary that validates is still safe to run. */
        boot_say(cfg, "E: Update not performed: ", boot_strerror(rc));
        res->swap_type = BOOT_SWAP_TYPE_NONE;
    }
    return boot_primary(cfg, s, res);
}
