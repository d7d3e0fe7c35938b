/*
 * Stand-ins for the parts of boot/ and smpsrv/ that are still being
 * written, as weak symbols in a library linked after them: the real ones
 * win as soon as they exist. Until boot_go lands, a reset simply boots
 * what slot 0 holds (header and TLVs parsed, no swap, no signature check).
 * Delete this file once both libraries are complete.
 */
#include <string.h>

#include "boot/bootutil.h"
#include "smpsrv/smpsrv.h"

__attribute__((weak)) int boot_go(const struct boot_config *cfg,
                                  struct boot_result *res)
{
    memset(res, 0, sizeof *res);
    res->swap_type = BOOT_SWAP_TYPE_NONE;
    int rc = image_read_info(fa_image_read, (void *)cfg->primary,
                             cfg->primary->size, &res->image);
    if (rc != IMAGE_OK) {
        strcpy(res->reason, "primary slot holds no valid image header");
        return BOOT_ENOIMAGE;
    }
    if (cfg->log)
        cfg->log(cfg->log_ctx, "I: Swap type: none");
    return 0;
}

__attribute__((weak)) int boot_strategy_mode(enum boot_strategy_id s)
{
    return s == BOOT_STRATEGY_SWAP_SCRATCH ? 1 : s == BOOT_STRATEGY_OVERWRITE_ONLY ? 2 : 3;
}

__attribute__((weak)) const char *boot_strategy_name(enum boot_strategy_id s)
{
    return s == BOOT_STRATEGY_SWAP_SCRATCH ? "swap-scratch"
           : s == BOOT_STRATEGY_OVERWRITE_ONLY ? "overwrite-only" : "swap-move";
}

__attribute__((weak)) uint32_t boot_max_image_size(const struct boot_config *cfg)
{
    return cfg->primary->size - 0x2000;
}

__attribute__((weak)) void smpsrv_init(struct smpsrv *srv,
                                       const struct smp_group *const *groups,
                                       size_t ngroups,
                                       const struct smpsrv_platform *plat,
                                       uint8_t *rsp_buf, size_t rsp_cap)
{
    memset(srv, 0, sizeof *srv);
    srv->groups = groups;
    srv->ngroups = ngroups;
    srv->plat = plat;
    srv->rsp_buf = rsp_buf;
    srv->rsp_cap = rsp_cap;
}

__attribute__((weak)) int smpsrv_process(struct smpsrv *srv, const uint8_t *pkt,
                                         size_t len, smpsrv_emit_fn emit, void *arg)
{
    (void)srv, (void)pkt, (void)len, (void)emit, (void)arg;
    return 0;
}

__attribute__((weak)) const struct smp_group smp_group_os = { .id = SMP_GROUP_OS };
__attribute__((weak)) const struct smp_group smp_group_img = { .id = SMP_GROUP_IMAGE };
