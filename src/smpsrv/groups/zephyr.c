/*
 * Zephyr basic group (63), smp-protocol §4.13: erase the storage partition
 * (settings, files). The board does the erase (plat->storage_erase) so it
 * can also drop what it caches of that storage.
 */
#include "smpsrv/smpsrv_priv.h"

enum { ZEPHYR_ERASE_STORAGE = 0 };

static int zephyr_erase_storage(struct smp_ctx *ctx)
{
    const struct smpsrv_platform *p = ctx->srv->plat;

    if (!p->storage_erase)
        return SMP_ERR_ENOTSUP;
    return smpsrv_group_rc(ctx, p->storage_erase(p->ctx));
}

static int zephyr_to_v1(int group_rc)
{
    (void)group_rc;
    return SMP_ERR_EUNKNOWN;
}

static const struct smp_handler zephyr_handlers[] = {
    [ZEPHYR_ERASE_STORAGE] = { .write = zephyr_erase_storage },
};

const struct smp_group smp_group_zephyr = {
    .id = SMP_GROUP_ZEPHYR,
    .name = "zephyr",
    .handlers = zephyr_handlers,
    .count = SMPSRV_ARRAY_LEN(zephyr_handlers),
    .to_v1_rc = zephyr_to_v1,
};
