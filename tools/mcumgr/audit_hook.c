/*
 * The one place where every state-changing command (upload, test, confirm,
 * erase, reset) reports what it did, so the audit trail plugs in here and
 * nowhere else.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

void cli_device_identity(struct cli_ctx *cx, char *out, size_t cap)
{
    /* OS/application info is one short request; devices without it answer
     * ENOTSUP at once, and then the identity is just unknown. */
    if (cap == 0)
        return;
    out[0] = '\0';
    if (!cx->connected || client_os_info(&cx->sess, "a", out, cap) != 0)
        out[0] = '\0';
}

void cli_record_state_change(struct cli_ctx *cx, const char *action, const char *detail, int result)
{
    /* TODO(issue 6): append a hash-chained record to the audit trail (who,
     * when, device identity from cli_device_identity, action, detail,
     * result). Until then this is deliberately a no-op. */
    (void)cx;
    (void)action;
    (void)detail;
    (void)result;
}
