/* The audit side of mcumgr, shared by the hook (audit_hook.c) and the
 * `audit` commands (cmd_audit.c). */
#ifndef MCUMGR_AUDIT_HOOK_H
#define MCUMGR_AUDIT_HOOK_H

#include "audit/audit.h"
#include "cli.h"

/* --operator, else $MCUTOOLS_OPERATOR, else the login name. */
const char *cli_audit_operator(const struct cli_ctx *cx, char *buf, size_t cap);
/* --audit-db, else $MCUTOOLS_AUDIT_DB, else the user's state folder. */
const char *cli_audit_path(const struct cli_ctx *cx, char *buf, size_t cap);
/* Fills the operator and host of a record. */
void cli_audit_common(const struct cli_ctx *cx, struct audit_record *rec);
/* Appends rec to the trail; on failure warns on stderr and returns -1. */
int cli_audit_write(const struct cli_ctx *cx, struct audit_record *rec);

#endif
