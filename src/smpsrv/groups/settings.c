/*
 * Settings group (3), smp-protocol §4.4: read, write, delete, commit, load
 * and save of the board's key/value settings. Values are opaque bytes; a
 * write takes `val` as a byte string (Zephyr) or a text string (the Go
 * client's `config` command), and Mynewt's `{save: true}` alone saves.
 * Where the values live, and that they survive a reset, is the board's
 * business (plat->settings_*).
 */
#include "smpsrv/smpsrv_priv.h"

enum { SET_VALUE = 0, SET_DELETE = 1, SET_COMMIT = 2, SET_LOAD_SAVE = 3 };

static int get_name(struct smp_ctx *ctx, char *name)
{
    return smpsrv_req_name(ctx, "name", name, SMPSRV_SETTINGS_ERR_KEY_TOO_LONG);
}

static int settings_read(struct smp_ctx *ctx)
{
    const struct smpsrv_platform *p = ctx->srv->plat;
    char name[SMPSRV_NAME_MAX + 1];
    uint64_t max_size = SMPSRV_SCRATCH_SIZE;
    size_t len = 0;
    int rc;

    if (!p->settings_read)
        return SMP_ERR_ENOTSUP;
    rc = get_name(ctx, name);
    if (rc == 0 && smpsrv_opt_uint(ctx, "max_size", &max_size) > 1)
        rc = SMP_ERR_EINVAL;
    if (rc != 0)
        return rc;
    size_t cap = max_size < SMPSRV_SCRATCH_SIZE ? (size_t)max_size : SMPSRV_SCRATCH_SIZE;
    rc = p->settings_read(p->ctx, name, ctx->srv->scratch, cap, &len);
    if (rc != 0)
        return smpsrv_group_rc(ctx, rc);
    cbor_put_str(ctx->rsp, "val");
    cbor_put_bytes(ctx->rsp, ctx->srv->scratch, len < cap ? len : cap);
    if (len > cap) { /* cut short: say how much was sent */
        cbor_put_str(ctx->rsp, "max_size");
        cbor_put_uint(ctx->rsp, cap);
    }
    return 0;
}

static int settings_save_all(struct smp_ctx *ctx, const char *subtree)
{
    const struct smpsrv_platform *p = ctx->srv->plat;

    if (!p->settings_save)
        return smp_ctx_group_err(ctx, SMPSRV_SETTINGS_ERR_SAVE_NOT_SUPPORTED);
    return smpsrv_group_rc(ctx, p->settings_save(p->ctx, subtree));
}

static int settings_write(struct smp_ctx *ctx)
{
    const struct smpsrv_platform *p = ctx->srv->plat;
    char name[SMPSRV_NAME_MAX + 1];
    struct cbor_value val;
    bool save = false;
    int rc;

    if (smpsrv_opt_bool(ctx, "save", &save) == 1 && save &&
        cbor_map_get(&ctx->req, "name", &val) != 1)
        return settings_save_all(ctx, NULL);
    if (!p->settings_write)
        return smp_ctx_group_err(ctx, SMPSRV_SETTINGS_ERR_WRITE_NOT_SUPPORTED);
    rc = get_name(ctx, name);
    if (rc != 0)
        return rc;
    if (cbor_map_get(&ctx->req, "val", &val) != 1 ||
        (val.type != CBOR_TYPE_BYTES && val.type != CBOR_TYPE_TEXT)) {
        smp_ctx_rsn(ctx, "`val` (bytes or text) is required");
        return SMP_ERR_EINVAL;
    }
    rc = smpsrv_group_rc(ctx, p->settings_write(p->ctx, name, val.data, val.len));
    if (rc == 0 && save)
        rc = settings_save_all(ctx, NULL);
    return rc;
}

static int settings_delete(struct smp_ctx *ctx)
{
    const struct smpsrv_platform *p = ctx->srv->plat;
    char name[SMPSRV_NAME_MAX + 1];
    int rc;

    if (!p->settings_delete)
        return smp_ctx_group_err(ctx, SMPSRV_SETTINGS_ERR_DELETE_NOT_SUPPORTED);
    rc = get_name(ctx, name);
    if (rc != 0)
        return rc;
    return smpsrv_group_rc(ctx, p->settings_delete(p->ctx, name));
}

static int settings_commit(struct smp_ctx *ctx)
{
    const struct smpsrv_platform *p = ctx->srv->plat;

    if (!p->settings_commit)
        return SMP_ERR_ENOTSUP;
    return smpsrv_group_rc(ctx, p->settings_commit(p->ctx));
}

static int settings_load(struct smp_ctx *ctx)
{
    const struct smpsrv_platform *p = ctx->srv->plat;

    if (!p->settings_load)
        return SMP_ERR_ENOTSUP;
    return smpsrv_group_rc(ctx, p->settings_load(p->ctx));
}

static int settings_save(struct smp_ctx *ctx)
{
    char name[SMPSRV_NAME_MAX + 1];
    struct cbor_value v;
    int rc;

    if (cbor_map_get(&ctx->req, "name", &v) != 1)
        return settings_save_all(ctx, NULL);
    rc = get_name(ctx, name);
    if (rc != 0)
        return rc;
    return settings_save_all(ctx, name);
}

static int settings_to_v1(int group_rc)
{
    switch (group_rc) {
    case SMPSRV_SETTINGS_ERR_KEY_TOO_LONG: return SMP_ERR_EINVAL;
    case SMPSRV_SETTINGS_ERR_KEY_NOT_FOUND:
    case SMPSRV_SETTINGS_ERR_ROOT_KEY_NOT_FOUND: return SMP_ERR_ENOENT;
    case SMPSRV_SETTINGS_ERR_READ_NOT_SUPPORTED:
    case SMPSRV_SETTINGS_ERR_WRITE_NOT_SUPPORTED:
    case SMPSRV_SETTINGS_ERR_DELETE_NOT_SUPPORTED:
    case SMPSRV_SETTINGS_ERR_SAVE_NOT_SUPPORTED: return SMP_ERR_ENOTSUP;
    default: return SMP_ERR_EUNKNOWN;
    }
}

static const struct smp_handler settings_handlers[] = {
    [SET_VALUE] = { .read = settings_read, .write = settings_write },
    [SET_DELETE] = { .write = settings_delete },
    [SET_COMMIT] = { .write = settings_commit },
    [SET_LOAD_SAVE] = { .read = settings_load, .write = settings_save },
};

const struct smp_group smp_group_settings = {
    .id = SMP_GROUP_SETTINGS,
    .name = "settings",
    .handlers = settings_handlers,
    .count = SMPSRV_ARRAY_LEN(settings_handlers),
    .to_v1_rc = settings_to_v1,
};
