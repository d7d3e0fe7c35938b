/*
 * OS management group (0), smp-protocol §4.1: echo, task and memory pool
 * statistics, date/time, reset, SMP buffer parameters, OS/application info
 * and bootloader info. The figures come from the board (srv->plat), the
 * buffers from the transport the request came on; this file only shapes
 * them into the keys clients expect.
 *
 * Not here: console echo control (Mynewt only; answered ENOTSUP by the
 * dispatcher because the table leaves it empty).
 *
 * MCUboot's serial recovery (plat->recovery) answers only echo (with
 * CONFIG_BOOT_MGMT_ECHO, which our board enables), console echo control
 * (rc 0, whatever it asks) and reset ({rc: 0}, then the reset); not
 * parameters (CONFIG_BOOT_MGMT_MCUMGR_PARAMS is off by default), nor OS
 * info or bootloader info: those answer ENOTSUP, as MCUboot does.
 */
#include <string.h>

#include "smpsrv/smpsrv_priv.h"

enum {
    OS_ECHO = 0,
    OS_CONSOLE_ECHO = 1,
    OS_TASKSTAT = 2,
    OS_MPSTAT = 3,
    OS_DATETIME = 4,
    OS_RESET = 5,
    OS_PARAMS = 6,
    OS_INFO = 7,
    OS_BOOTLOADER_INFO = 8,
};

/* Walking a board list stops here even if the board never says "end"
 * (integrator limit, docs/limits.md). */
#ifndef SMPSRV_OS_MAX_ENTRIES
#define SMPSRV_OS_MAX_ENTRIES 64
#endif
#define OS_MAX_ENTRIES SMPSRV_OS_MAX_ENTRIES

static int os_echo(struct smp_ctx *ctx)
{
    const char *d;
    size_t n;

    if (smpsrv_opt_text(ctx, "d", &d, &n) != 1)
        return SMP_ERR_EINVAL;
    cbor_put_str(ctx->rsp, "r");
    cbor_put_text(ctx->rsp, d, n);
    return 0;
}

static void put_u32(struct cbor_writer *w, const char *key, uint32_t v)
{
    cbor_put_str(w, key);
    cbor_put_uint(w, v);
}

static int os_taskstat(struct smp_ctx *ctx)
{
    const struct smpsrv_platform *p = ctx->srv->plat;
    struct smpsrv_task t;
    size_t n = 0;

    if (!p->task_info)
        return SMP_ERR_ENOTSUP;
    while (n < OS_MAX_ENTRIES && p->task_info(p->ctx, n, &t) == 0)
        n++;
    cbor_put_str(ctx->rsp, "tasks");
    cbor_open_map(ctx->rsp, n);
    for (size_t i = 0; i < n; i++) {
        memset(&t, 0, sizeof t);
        if (p->task_info(p->ctx, i, &t) != 0)
            return SMP_ERR_EUNKNOWN; /* the list changed under us */
        cbor_put_str(ctx->rsp, t.name ? t.name : "?");
        cbor_open_map(ctx->rsp, 9);
        put_u32(ctx->rsp, "prio", t.prio);
        put_u32(ctx->rsp, "tid", t.tid);
        put_u32(ctx->rsp, "state", t.state);
        put_u32(ctx->rsp, "stkuse", t.stkuse);
        put_u32(ctx->rsp, "stksiz", t.stksiz);
        put_u32(ctx->rsp, "cswcnt", t.cswcnt);
        put_u32(ctx->rsp, "runtime", t.runtime);
        put_u32(ctx->rsp, "last_checkin", t.last_checkin);
        put_u32(ctx->rsp, "next_checkin", t.next_checkin);
    }
    return 0;
}

/* Pools are wrapped in `mpools`: what deployed servers and the Go client
 * use, although one documentation page shows them at the top level. */
static int os_mpstat(struct smp_ctx *ctx)
{
    const struct smpsrv_platform *p = ctx->srv->plat;
    struct smpsrv_pool m;
    size_t n = 0;

    if (!p->pool_info)
        return SMP_ERR_ENOTSUP;
    while (n < OS_MAX_ENTRIES && p->pool_info(p->ctx, n, &m) == 0)
        n++;
    cbor_put_str(ctx->rsp, "mpools");
    cbor_open_map(ctx->rsp, n);
    for (size_t i = 0; i < n; i++) {
        memset(&m, 0, sizeof m);
        if (p->pool_info(p->ctx, i, &m) != 0)
            return SMP_ERR_EUNKNOWN;
        cbor_put_str(ctx->rsp, m.name ? m.name : "?");
        cbor_open_map(ctx->rsp, 4);
        put_u32(ctx->rsp, "blksiz", m.blksiz);
        put_u32(ctx->rsp, "nblks", m.nblks);
        put_u32(ctx->rsp, "nfree", m.nfree);
        put_u32(ctx->rsp, "min", m.min);
    }
    return 0;
}

static int os_datetime_get(struct smp_ctx *ctx)
{
    const struct smpsrv_platform *p = ctx->srv->plat;
    char text[SMPSRV_DATETIME_MAX];
    int64_t us;
    int rc;

    if (!p->clock_get)
        return SMP_ERR_ENOTSUP;
    rc = p->clock_get(p->ctx, &us);
    if (rc != 0)
        return smpsrv_group_rc(ctx, rc);
    if (smpsrv_datetime_fmt(us, text, sizeof text) != 0)
        return smp_ctx_group_err(ctx, SMPSRV_OS_ERR_QUERY_RESPONSE_VALUE_NOT_VALID);
    cbor_put_str(ctx->rsp, "datetime");
    cbor_put_str(ctx->rsp, text);
    return 0;
}

static int os_datetime_set(struct smp_ctx *ctx)
{
    const struct smpsrv_platform *p = ctx->srv->plat;
    const char *text;
    size_t n;
    int64_t us;

    if (!p->clock_set)
        return SMP_ERR_ENOTSUP;
    if (smpsrv_opt_text(ctx, "datetime", &text, &n) != 1)
        return SMP_ERR_EINVAL;
    if (smpsrv_datetime_parse(text, n, &us) != 0) {
        smp_ctx_rsn(ctx, "expected yyyy-MM-ddTHH:mm:ss[.ffffff][Z|+hh:mm]");
        return smp_ctx_group_err(ctx, SMPSRV_OS_ERR_INVALID_FORMAT);
    }
    return smpsrv_group_rc(ctx, p->clock_set(p->ctx, us));
}

/* `force` is an int on the wire (Zephyr); a bool is taken as well. */
static int os_reset(struct smp_ctx *ctx)
{
    const struct smpsrv_platform *p = ctx->srv->plat;
    struct cbor_value v;
    bool force = false;

    if (!p->reset)
        return SMP_ERR_ENOTSUP;
    if (cbor_map_get(&ctx->req, "force", &v) == 1)
        force = (v.type == CBOR_TYPE_UINT && v.u > 0) || v.type == CBOR_TYPE_TRUE;
    return p->reset(p->ctx, force);
}

static int os_params(struct smp_ctx *ctx)
{
    const struct smpsrv_platform *p = ctx->srv->plat;

    if (p->no_params)
        return SMP_ERR_ENOTSUP;
    /* the buffers of the transport asking: a client sizes its requests
     * for the link it is on */
    put_u32(ctx->rsp, "buf_size", ctx->transport->buf_size);
    put_u32(ctx->rsp, "buf_count", ctx->transport->buf_count);
    return 0;
}

/* Format letters in output order (uname-like); `a` selects all. */
static const char info_letters[] = "snrvbmpio";

static const char *info_field(const struct smpsrv_platform *p, char letter)
{
    const char *v = NULL;

    switch (letter) {
    case 's': v = p->kernel_name; break;
    case 'n': v = p->node_name; break;
    case 'r': v = p->kernel_release; break;
    case 'v': v = p->kernel_version; break;
    case 'b': v = p->build_time; break;
    case 'm': v = p->machine; break;
    case 'p': v = p->processor; break;
    case 'i': v = p->hw_platform; break;
    case 'o': v = p->os_name; break;
    default: break;
    }
    return v ? v : "unknown";
}

/* Which letters the format asks for, as a bit per info_letters entry;
 * -1 on a letter that is not a specifier. */
static int info_mask(const char *fmt, size_t n)
{
    int mask = 0;

    for (size_t i = 0; i < n; i++) {
        const char *at = fmt[i] ? strchr(info_letters, fmt[i]) : NULL;
        if (fmt[i] == 'a')
            mask |= (1 << (sizeof info_letters - 1)) - 1;
        else if (at)
            mask |= 1 << (at - info_letters);
        else
            return -1;
    }
    return mask ? mask : 1; /* empty format: the kernel name, like `s` */
}

static int os_info(struct smp_ctx *ctx)
{
    char *out = (char *)ctx->srv->scratch;
    const char *fmt = "s";
    size_t n = 1, len = 0;
    int rc = smpsrv_opt_text(ctx, "format", &fmt, &n);
    int mask;

    if (rc < 0 || rc > 1)
        return rc;
    mask = info_mask(fmt, n);
    if (mask < 0) {
        smp_ctx_rsn(ctx, "format letters are s n r v b m p i o or a");
        return smp_ctx_group_err(ctx, SMPSRV_OS_ERR_INVALID_FORMAT);
    }
    for (size_t i = 0; info_letters[i]; i++) {
        if (!(mask & (1 << i)))
            continue;
        const char *v = info_field(ctx->srv->plat, info_letters[i]);
        size_t vl = strlen(v);
        if (len + vl + 1 > SMPSRV_SCRATCH_SIZE)
            return SMP_ERR_EMSGSIZE;
        if (len)
            out[len++] = ' ';
        memcpy(out + len, v, vl);
        len += vl;
    }
    cbor_put_str(ctx->rsp, "output");
    cbor_put_text(ctx->rsp, out, len);
    return 0;
}

static int os_bootloader_info(struct smp_ctx *ctx)
{
    const struct smpsrv_platform *p = ctx->srv->plat;
    const char *q;
    size_t n;
    int rc = smpsrv_opt_text(ctx, "query", &q, &n);

    if (rc < 0 || rc > 1)
        return rc;
    if (rc == 0) {
        cbor_put_str(ctx->rsp, "bootloader");
        cbor_put_str(ctx->rsp, "MCUboot");
        return 0;
    }
    if (n == 4 && memcmp(q, "mode", 4) == 0) {
        cbor_put_str(ctx->rsp, "mode");
        cbor_put_int(ctx->rsp, p->boot_mode);
        if (p->no_downgrade) {
            cbor_put_str(ctx->rsp, "no-downgrade");
            cbor_put_bool(ctx->rsp, true);
        }
        return 0;
    }
    smp_ctx_rsn(ctx, "known queries: mode");
    return smp_ctx_group_err(ctx, SMPSRV_OS_ERR_QUERY_YIELDS_NO_ANSWER);
}

/* ---- MCUboot's serial recovery ---- */

static int put_rc0(struct smp_ctx *ctx)
{
    cbor_put_str(ctx->rsp, "rc");
    cbor_put_int(ctx->rsp, 0);
    return 0;
}

static int recovery_reset(struct smp_ctx *ctx)
{
    int rc = os_reset(ctx);

    return rc != 0 ? rc : put_rc0(ctx);
}

static const struct smp_handler os_recovery_handlers[] = {
    [OS_ECHO] = { .read = os_echo, .write = os_echo },
    [OS_CONSOLE_ECHO] = { .read = put_rc0, .write = put_rc0 },
    [OS_RESET] = { .write = recovery_reset },
};

static int os_to_v1(int group_rc)
{
    switch (group_rc) {
    case SMPSRV_OS_ERR_INVALID_FORMAT: return SMP_ERR_EINVAL;
    case SMPSRV_OS_ERR_QUERY_YIELDS_NO_ANSWER:
    case SMPSRV_OS_ERR_RTC_NOT_SET:
    case SMPSRV_OS_ERR_QUERY_RESPONSE_VALUE_NOT_VALID: return SMP_ERR_ENOENT;
    default: return SMP_ERR_EUNKNOWN;
    }
}

static const struct smp_handler os_handlers[] = {
    [OS_ECHO] = { .read = os_echo, .write = os_echo },
    [OS_TASKSTAT] = { .read = os_taskstat },
    [OS_MPSTAT] = { .read = os_mpstat },
    [OS_DATETIME] = { .read = os_datetime_get, .write = os_datetime_set },
    [OS_RESET] = { .write = os_reset },
    [OS_PARAMS] = { .read = os_params },
    [OS_INFO] = { .read = os_info },
    [OS_BOOTLOADER_INFO] = { .read = os_bootloader_info },
};

const struct smp_group smp_group_os = {
    .id = SMP_GROUP_OS,
    .name = "os",
    .handlers = os_handlers,
    .count = SMPSRV_ARRAY_LEN(os_handlers),
    .to_v1_rc = os_to_v1,
    .recovery_handlers = os_recovery_handlers,
    .recovery_count = SMPSRV_ARRAY_LEN(os_recovery_handlers),
};
