/*
 * Reading request keys for the group handlers: one place that decides what
 * a wrongly typed key means (EINVAL) so every group answers alike.
 */
#include <string.h>

#include "smpsrv/smpsrv_priv.h"

static int opt_result(int rc)
{
    if (rc == 1 || rc == 0)
        return rc;
    return SMP_ERR_EINVAL;
}

int smpsrv_opt_uint(struct smp_ctx *ctx, const char *key, uint64_t *out)
{
    return opt_result(cbor_map_get_uint(&ctx->req, key, out));
}

int smpsrv_opt_int(struct smp_ctx *ctx, const char *key, int64_t *out)
{
    return opt_result(cbor_map_get_int(&ctx->req, key, out));
}

int smpsrv_opt_bool(struct smp_ctx *ctx, const char *key, bool *out)
{
    return opt_result(cbor_map_get_bool(&ctx->req, key, out));
}

int smpsrv_opt_bytes(struct smp_ctx *ctx, const char *key, const uint8_t **p, size_t *n)
{
    return opt_result(cbor_map_get_bytes(&ctx->req, key, p, n));
}

int smpsrv_opt_text(struct smp_ctx *ctx, const char *key, const char **p, size_t *n)
{
    return opt_result(cbor_map_get_text(&ctx->req, key, p, n));
}

int smpsrv_req_name(struct smp_ctx *ctx, const char *key, char *out, int too_long_rc)
{
    const char *p;
    size_t n;
    int rc = smpsrv_opt_text(ctx, key, &p, &n);

    if (rc != 1 || n == 0 || memchr(p, '\0', n)) {
        smp_ctx_rsn(ctx, "missing or invalid name");
        return SMP_ERR_EINVAL;
    }
    if (n > SMPSRV_NAME_MAX) {
        smp_ctx_rsn(ctx, "name too long");
        return smp_ctx_group_err(ctx, too_long_rc);
    }
    memcpy(out, p, n);
    out[n] = '\0';
    return 0;
}

int smpsrv_group_rc(struct smp_ctx *ctx, int cb_rc)
{
    if (cb_rc == 0)
        return 0;
    if (cb_rc < 0)
        return SMP_ERR_EUNKNOWN;
    return smp_ctx_group_err(ctx, cb_rc);
}
