/*
 * mcumgr's side of the audit trail (issue 6): every state-changing command
 * reports here after it acted, and a reset goes through cli_reset_device(),
 * which first snapshots the running image for the reset's record. What a
 * record says is src/audit's policy (audit/policy.h) fed by its device
 * queries (audit/device.h); this file adds who ran the command
 * (--operator), where the trail is (--audit-db), and a warning when the
 * record cannot be written. main() calls cli_record_unreached() when the
 * connection cannot be opened: a command flagged CLI_CHANGES_STATE in its
 * table then still leaves a failed record.
 */
#include <stdio.h>
#include <string.h>

#include "audit/device.h"
#include "audit_hook.h"

static struct client_session *session_of(struct cli_ctx *cx)
{
    return cx->connected ? &cx->sess : NULL;
}

int cli_reset_device(struct cli_ctx *cx, bool force)
{
    audit_snapshot(session_of(cx), &cx->before_reset, AUDIT_QUERY_TIMEOUT_MS);
    int rc = client_reset(&cx->sess, force);
    /* IO: the port vanished right after the request, the reset is on */
    if (rc == 0 || rc == CLIENT_ERR_IO) {
        client_note_reset(cx->conn_desc);
        cx->reset_sent = true;
        cx->answers_at_reset = cx->sess.received;
    }
    return rc;
}

void cli_record_unreached(struct cli_ctx *cx)
{
    static struct audit_record rec;

    if (!cx->cmd || !(cx->cmd->flags & CLI_CHANGES_STATE))
        return;
    memset(&rec, 0, sizeof rec);
    audit_fill_origin(&rec, cx->operator_name);
    if (cx->conn_desc[0])
        audit_describe_connection(&cx->conn, cx->conn_desc, rec.connection, sizeof rec.connection);
    else
        snprintf(rec.connection, sizeof rec.connection, "%.150s",
                 cx->connstring ? cx->connstring : "(no valid connection)");
    audit_describe_unreached(&rec, cx->cmd_path);
    cli_audit_write(cx, &rec);
}

void cli_device_identity(struct cli_ctx *cx, char *out, size_t cap)
{
    audit_device_identity(session_of(cx), out, cap);
}

const char *cli_audit_path(const struct cli_ctx *cx, char *buf, size_t cap)
{
    if (cx && cx->audit_db && *cx->audit_db) {
        snprintf(buf, cap, "%s", cx->audit_db);
        return buf;
    }
    return audit_default_path(buf, cap);
}

/* The trail this command appends to, opened for writing; NULL with why. */
static struct audit_db *open_for_append(const struct cli_ctx *cx, char *err, size_t errlen)
{
    char path[1024];
    bool state_folder = !(cx->audit_db && *cx->audit_db) && audit_path_is_state_folder();

    if (!cli_audit_path(cx, path, sizeof path)) {
        snprintf(err, errlen, CLI_NO_TRAIL);
        return NULL;
    }
    /* the user's own state folder is ours to create; any other is theirs */
    if (state_folder)
        audit_make_default_folder(path);
    return audit_open_as(path, AUDIT_APPEND, err, errlen);
}

int cli_audit_check(struct cli_ctx *cx)
{
    char err[700];
    struct audit_db *db;

    if (cx->no_audit) {
        fprintf(stderr, "Warning: --no-audit: this %s is NOT recorded in the audit trail\n",
                cx->cmd_path);
        return 0;
    }
    db = open_for_append(cx, err, sizeof err);
    if (db) {
        audit_close(db);
        return 0;
    }
    out_fail(cx, "%s; nothing was done (fix the trail, give another with --audit-db PATH, or "
                 "run unrecorded with --no-audit)", err);
    return -1;
}

int cli_audit_write(struct cli_ctx *cx, struct audit_record *rec)
{
    char err[700];
    struct audit_db *db;
    int rc = -1;

    if (cx->no_audit)
        return 0;
    db = open_for_append(cx, err, sizeof err);
    if (db) {
        rc = audit_append(db, rec, err, sizeof err);
        audit_close(db);
    }
    if (rc != 0) {
        /* the action happened; the command fails so nobody takes it as recorded */
        fprintf(stderr, "Error: the audit record of this %s was NOT written: %s\n",
                rec->action, err);
        cx->audit_failed = true;
    }
    return rc;
}

void cli_record_state_change(struct cli_ctx *cx, const char *action, const char *detail, int result)
{
    static struct audit_record rec;

    memset(&rec, 0, sizeof rec);
    audit_fill_origin(&rec, cx->operator_name);
    audit_describe_connection(&cx->conn, cx->conn_desc, rec.connection, sizeof rec.connection);
    audit_describe_outcome(session_of(cx), &cx->before_reset, action, detail, result, &rec);
    cli_audit_write(cx, &rec);
}
