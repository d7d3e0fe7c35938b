/*
 * Enumeration group (10), smp-protocol §4.11: which groups this server
 * answers. The list is the server's own group table, so it can never
 * disagree with what the dispatcher actually handles.
 */
#include "smpsrv/smpsrv_priv.h"

enum { ENUM_COUNT = 0, ENUM_LIST = 1, ENUM_SINGLE = 2, ENUM_DETAILS = 3 };

static int enum_count(struct smp_ctx *ctx)
{
    cbor_put_str(ctx->rsp, "count");
    cbor_put_uint(ctx->rsp, ctx->srv->ngroups);
    return 0;
}

static int enum_list(struct smp_ctx *ctx)
{
    cbor_put_str(ctx->rsp, "groups");
    cbor_open_array(ctx->rsp, ctx->srv->ngroups);
    for (size_t i = 0; i < ctx->srv->ngroups; i++)
        cbor_put_uint(ctx->rsp, ctx->srv->groups[i]->id);
    return 0;
}

static int enum_single(struct smp_ctx *ctx)
{
    uint64_t index = 0;
    int rc = smpsrv_opt_uint(ctx, "index", &index);

    if (rc > 1)
        return rc;
    if (index >= ctx->srv->ngroups)
        return smp_ctx_group_err(ctx, SMPSRV_ENUM_ERR_INDEX_TOO_LARGE);
    cbor_put_str(ctx->rsp, "group");
    cbor_put_uint(ctx->rsp, ctx->srv->groups[index]->id);
    if (index + 1 == ctx->srv->ngroups) {
        cbor_put_str(ctx->rsp, "end");
        cbor_put_bool(ctx->rsp, true);
    }
    return 0;
}

static size_t handler_count(const struct smp_group *g)
{
    size_t n = 0;
    for (size_t i = 0; i < g->count; i++)
        n += g->handlers[i].read || g->handlers[i].write;
    return n;
}

/* Whether group id is asked for by the optional `groups` filter. */
static int wanted(const struct cbor_value *filter, bool has_filter, uint16_t id)
{
    struct cbor_iter it;
    struct cbor_value v;
    int rc;

    if (!has_filter)
        return 1;
    if (cbor_iter_init(&it, filter) != CBOR_OK)
        return -1;
    while ((rc = cbor_iter_next(&it, &v)) == 1) {
        if (v.type != CBOR_TYPE_UINT)
            return -1;
        if (v.u == id)
            return 1;
    }
    return rc < 0 ? -1 : 0;
}

static int enum_details(struct smp_ctx *ctx)
{
    struct cbor_value filter;
    size_t n = 0;
    int rc = cbor_map_get(&ctx->req, "groups", &filter);
    bool has_filter = rc == 1;

    if (rc < 0 || (has_filter && filter.type != CBOR_TYPE_ARRAY))
        return SMP_ERR_EINVAL;
    for (size_t i = 0; i < ctx->srv->ngroups; i++) {
        rc = wanted(&filter, has_filter, ctx->srv->groups[i]->id);
        if (rc < 0)
            return SMP_ERR_EINVAL;
        n += (size_t)rc;
    }
    cbor_put_str(ctx->rsp, "groups");
    cbor_open_array(ctx->rsp, n);
    for (size_t i = 0; i < ctx->srv->ngroups; i++) {
        const struct smp_group *g = ctx->srv->groups[i];
        if (wanted(&filter, has_filter, g->id) != 1)
            continue;
        cbor_open_map(ctx->rsp, 3);
        cbor_put_str(ctx->rsp, "group");
        cbor_put_uint(ctx->rsp, g->id);
        cbor_put_str(ctx->rsp, "name");
        cbor_put_str(ctx->rsp, g->name ? g->name : "");
        cbor_put_str(ctx->rsp, "handlers");
        cbor_put_uint(ctx->rsp, handler_count(g));
    }
    return 0;
}

static int enum_to_v1(int group_rc)
{
    return group_rc == SMPSRV_ENUM_ERR_INDEX_TOO_LARGE ? SMP_ERR_ENOENT : SMP_ERR_EUNKNOWN;
}

static const struct smp_handler enum_handlers[] = {
    [ENUM_COUNT] = { .read = enum_count },
    [ENUM_LIST] = { .read = enum_list },
    [ENUM_SINGLE] = { .read = enum_single },
    [ENUM_DETAILS] = { .read = enum_details },
};

const struct smp_group smp_group_enum = {
    .id = SMP_GROUP_ENUM,
    .name = "enum",
    .handlers = enum_handlers,
    .count = SMPSRV_ARRAY_LEN(enum_handlers),
    .to_v1_rc = enum_to_v1,
};
