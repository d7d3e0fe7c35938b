/*
 * Shell group (9), smp-protocol §4.10: run one command line on the board's
 * shell and return its output (`o`) and exit status (`ret`, Zephyr's key;
 * never `rc`, which clients read as an SMP error).
 *
 * argv is copied NUL-terminated into the server's scratch buffer, whose
 * rest takes the output: bounded, and no big buffer on the stack.
 */
#include <string.h>

#include "smpsrv/smpsrv_priv.h"

enum { SHELL_EXEC = 0 };

/* Bytes of the scratch buffer for the argument strings; the rest (at least
 * SMPSRV_SCRATCH_SIZE - SHELL_ARGS_MAX) is for the output. */
#define SHELL_ARGS_MAX SMPSRV_SHELL_ARGS_MAX
#define SHELL_RSP_OVERHEAD 32

/* Copies the argv array into buf; returns 0, EINVAL, or a shell code. */
static int copy_argv(struct smp_ctx *ctx, char *buf, const char *argv[], int *argc)
{
    struct cbor_value arr, item;
    struct cbor_iter it;
    size_t used = 0;
    int rc;

    *argc = 0;
    if (cbor_map_get(&ctx->req, "argv", &arr) != 1 || arr.type != CBOR_TYPE_ARRAY ||
        cbor_iter_init(&it, &arr) != CBOR_OK)
        return SMP_ERR_EINVAL;
    while ((rc = cbor_iter_next(&it, &item)) == 1) {
        if (item.type != CBOR_TYPE_TEXT || memchr(item.data, '\0', item.len) ||
            !smpsrv_text_valid((const char *)item.data, item.len))
            return SMP_ERR_EINVAL;
        if (*argc == SMPSRV_SHELL_ARGC_MAX || used + item.len + 1 > SHELL_ARGS_MAX) {
            smp_ctx_rsn(ctx, "command line too long");
            return smp_ctx_group_err(ctx, SMPSRV_SHELL_ERR_COMMAND_TOO_LONG);
        }
        memcpy(buf + used, item.data, item.len);
        buf[used + item.len] = '\0';
        argv[(*argc)++] = buf + used;
        used += item.len + 1;
    }
    if (rc < 0)
        return SMP_ERR_EINVAL;
    if (*argc == 0 || argv[0][0] == '\0')
        return smp_ctx_group_err(ctx, SMPSRV_SHELL_ERR_EMPTY_COMMAND);
    return 0;
}

static int shell_exec(struct smp_ctx *ctx)
{
    const struct smpsrv_platform *p = ctx->srv->plat;
    char *scratch = (char *)ctx->srv->scratch;
    const char *argv[SMPSRV_SHELL_ARGC_MAX];
    char *out = scratch + SHELL_ARGS_MAX;
    size_t cap = SMPSRV_SCRATCH_SIZE - SHELL_ARGS_MAX, out_len = 0;
    int argc, ret = 0;
    int rc;

    if (!p->shell_exec)
        return SMP_ERR_ENOTSUP;
    rc = copy_argv(ctx, scratch, argv, &argc);
    if (rc != 0)
        return rc;
    if (ctx->srv->rsp_cap < SMP_HDR_SIZE + SHELL_RSP_OVERHEAD + 1)
        return SMP_ERR_EMSGSIZE;
    if (cap > ctx->srv->rsp_cap - SMP_HDR_SIZE - SHELL_RSP_OVERHEAD)
        cap = ctx->srv->rsp_cap - SMP_HDR_SIZE - SHELL_RSP_OVERHEAD;
    rc = p->shell_exec(p->ctx, argc, argv, out, cap, &out_len, &ret);
    if (rc != 0)
        return smpsrv_group_rc(ctx, rc);
    if (out_len > cap)
        out_len = cap;
    /* a command may print any bytes; `o` is a text string, which a strict
     * client rejects (the whole answer with it) unless it is UTF-8 */
    smpsrv_text_repair(out, out_len);
    cbor_put_str(ctx->rsp, "o");
    cbor_put_text(ctx->rsp, out, out_len);
    cbor_put_str(ctx->rsp, "ret");
    cbor_put_int(ctx->rsp, ret);
    return 0;
}

static int shell_to_v1(int group_rc)
{
    switch (group_rc) {
    case SMPSRV_SHELL_ERR_COMMAND_TOO_LONG:
    case SMPSRV_SHELL_ERR_EMPTY_COMMAND: return SMP_ERR_EINVAL;
    default: return SMP_ERR_EUNKNOWN;
    }
}

static const struct smp_handler shell_handlers[] = {
    [SHELL_EXEC] = { .write = shell_exec },
};

const struct smp_group smp_group_shell = {
    .id = SMP_GROUP_SHELL,
    .name = "shell",
    .handlers = shell_handlers,
    .count = SMPSRV_ARRAY_LEN(shell_handlers),
    .to_v1_rc = shell_to_v1,
};
