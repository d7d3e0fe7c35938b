/* The audit side of mcumgr, shared by the hook (audit_hook.c) and the
 * `audit` commands (cmd_audit.c). */
#ifndef MCUMGR_AUDIT_HOOK_H
#define MCUMGR_AUDIT_HOOK_H

#include "audit/audit.h"
#include "audit/policy.h"
#include "cli.h"

/* --audit-db, else $MCUTOOLS_AUDIT_DB, else the user's state folder;
 * NULL when there is none (no HOME). */
const char *cli_audit_path(const struct cli_ctx *cx, char *buf, size_t cap);
/* What every command says when cli_audit_path has none. */
#define CLI_NO_TRAIL "no audit trail: HOME is not set; give --audit-db PATH or set MCUTOOLS_AUDIT_DB"
/* Appends rec to the trail (nothing with --no-audit). On failure says so
 * on stderr, marks the command failed (cx->audit_failed) and returns -1. */
int cli_audit_write(struct cli_ctx *cx, struct audit_record *rec);
/* Before a state-changing command runs: the trail can be written (or
 * --no-audit, which is said). 0, or -1 with the error printed: the command
 * must not run. */
int cli_audit_check(struct cli_ctx *cx);

#endif
