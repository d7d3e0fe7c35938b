/*
 * Statistics group (2), smp-protocol §4.3: list the board's stat groups and
 * read one group's counters. The board names its groups and fields
 * (plat->stat_group / stat_field); it may publish the server's own
 * request, error and byte counters through smpsrv_stat_field().
 */
#include <string.h>

#include "smpsrv/smpsrv_priv.h"

enum { STAT_READ = 0, STAT_LIST = 1 };

/* Walks stop here even if a board never says "end" (integrator limit,
 * docs/limits.md). */
#ifndef SMPSRV_STAT_MAX_ENTRIES
#define SMPSRV_STAT_MAX_ENTRIES 256
#endif
#define STAT_MAX_ENTRIES SMPSRV_STAT_MAX_ENTRIES

/* Index of the board's stat group called name; -1 when there is none. */
static long find_group(const struct smpsrv_platform *p, const char *name)
{
    const char *g;

    for (size_t i = 0; i < STAT_MAX_ENTRIES && p->stat_group(p->ctx, i, &g) == 0; i++)
        if (g && strcmp(g, name) == 0)
            return (long)i;
    return -1;
}

static int stat_read(struct smp_ctx *ctx)
{
    const struct smpsrv_platform *p = ctx->srv->plat;
    char name[SMPSRV_NAME_MAX + 1];
    const char *field;
    uint64_t value;
    size_t n = 0;
    long g;
    int rc;

    if (!p->stat_group || !p->stat_field)
        return SMP_ERR_ENOTSUP;
    rc = smpsrv_req_name(ctx, "name", name, SMPSRV_STAT_ERR_INVALID_GROUP);
    if (rc != 0)
        return rc;
    g = find_group(p, name);
    if (g < 0) {
        smp_ctx_rsn(ctx, "no such stat group (see stat list)");
        return smp_ctx_group_err(ctx, SMPSRV_STAT_ERR_INVALID_GROUP);
    }
    while (n < STAT_MAX_ENTRIES && p->stat_field(p->ctx, (size_t)g, n, &field, &value) == 0)
        n++;
    cbor_put_str(ctx->rsp, "name");
    cbor_put_str(ctx->rsp, name);
    cbor_put_str(ctx->rsp, "group"); /* Mynewt's key, read by older clients */
    cbor_put_str(ctx->rsp, name);
    cbor_put_str(ctx->rsp, "fields");
    cbor_open_map(ctx->rsp, n);
    for (size_t i = 0; i < n; i++) {
        field = NULL;
        value = 0;
        if (p->stat_field(p->ctx, (size_t)g, i, &field, &value) != 0)
            return SMP_ERR_EUNKNOWN; /* the group changed under us */
        cbor_put_str(ctx->rsp, field ? field : "?");
        cbor_put_uint(ctx->rsp, value);
    }
    return 0;
}

static int stat_list(struct smp_ctx *ctx)
{
    const struct smpsrv_platform *p = ctx->srv->plat;
    const char *g;
    size_t n = 0;

    if (!p->stat_group)
        return SMP_ERR_ENOTSUP;
    while (n < STAT_MAX_ENTRIES && p->stat_group(p->ctx, n, &g) == 0)
        n++;
    cbor_put_str(ctx->rsp, "stat_list");
    cbor_open_array(ctx->rsp, n);
    for (size_t i = 0; i < n; i++) {
        g = NULL;
        if (p->stat_group(p->ctx, i, &g) != 0)
            return SMP_ERR_EUNKNOWN;
        cbor_put_str(ctx->rsp, g ? g : "?");
    }
    return 0;
}

static int stat_to_v1(int group_rc)
{
    switch (group_rc) {
    case SMPSRV_STAT_ERR_INVALID_GROUP:
    case SMPSRV_STAT_ERR_INVALID_STAT_NAME:
        return SMP_ERR_ENOENT;
    default:
        return SMP_ERR_EUNKNOWN;
    }
}

static const struct smp_handler stat_handlers[] = {
    [STAT_READ] = { .read = stat_read },
    [STAT_LIST] = { .read = stat_list },
};

const struct smp_group smp_group_stat = {
    .id = SMP_GROUP_STAT,
    .name = "stat",
    .handlers = stat_handlers,
    .count = SMPSRV_ARRAY_LEN(stat_handlers),
    .to_v1_rc = stat_to_v1,
};
