/* The audit side of mcumgr, shared by the hook (audit_hook.c) and the
 * `audit` commands (cmd_audit.c). */
#ifndef MCUMGR_AUDIT_HOOK_H
#define MCUMGR_AUDIT_HOOK_H

#include "audit/audit.h"
#include "audit/policy.h"
#include "cli.h"

/* --audit-db, else $MCUTOOLS_AUDIT_DB, else the user's state folder. */
const char *cli_audit_path(const struct cli_ctx *cx, char *buf, size_t cap);
/* Appends rec to the trail; on failure warns on stderr and returns -1. */
int cli_audit_write(const struct cli_ctx *cx, struct audit_record *rec);

#endif
