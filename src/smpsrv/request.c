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

/* Length of the UTF-8 sequence at p (RFC 3629: shortest form, no
 * surrogates, at most U+10FFFF), or 0 when the bytes are not one. */
static size_t utf8_seq_len(const uint8_t *p, size_t n)
{
    size_t len = p[0] < 0x80 ? 1 : p[0] >= 0xc2 && p[0] <= 0xdf ? 2
               : (p[0] & 0xf0) == 0xe0 ? 3 : p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : 0;
    /* the second byte's range rules out overlongs, surrogates and > U+10FFFF */
    uint8_t lo = p[0] == 0xe0 ? 0xa0 : p[0] == 0xf0 ? 0x90 : 0x80;
    uint8_t hi = p[0] == 0xed ? 0x9f : p[0] == 0xf4 ? 0x8f : 0xbf;

    if (len == 0 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if (p[i] < (i == 1 ? lo : 0x80) || p[i] > (i == 1 ? hi : 0xbf))
            return 0;
    return len;
}

bool smpsrv_text_valid(const char *p, size_t n)
{
    const uint8_t *u = (const uint8_t *)p;

    for (size_t i = 0, k; i < n; i += k)
        if ((k = utf8_seq_len(u + i, n - i)) == 0)
            return false;
    return true;
}

void smpsrv_text_repair(char *p, size_t n)
{
    uint8_t *u = (uint8_t *)p;

    for (size_t i = 0, k; i < n; i += k)
        if ((k = utf8_seq_len(u + i, n - i)) == 0) {
            u[i] = '?';
            k = 1;
        }
}

int smpsrv_opt_text(struct smp_ctx *ctx, const char *key, const char **p, size_t *n)
{
    int rc = opt_result(cbor_map_get_text(&ctx->req, key, p, n));

    if (rc == 1 && !smpsrv_text_valid(*p, *n)) {
        smp_ctx_rsn(ctx, "text is not valid UTF-8");
        return SMP_ERR_EINVAL;
    }
    return rc;
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
