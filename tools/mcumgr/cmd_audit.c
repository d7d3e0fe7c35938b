/*
 * `mcumgr audit`: read, export and verify the audit trail that every
 * state-changing command writes (audit_hook.c), and `audit record` for
 * scripts that record a whole procedure (dfu_update.sh) or an attempt that
 * never reached the device, and `audit push` of a station's trail into a
 * site's central one. No connection is needed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "audit_hook.h"
#include "commands.h"

/* The readers never create a trail: a mistyped path must not look like an
 * empty, intact history. */
static struct audit_db *open_db(struct cli_ctx *cx)
{
    char path[1024], err[512];
    struct audit_db *db;

    if (!cli_audit_path(cx, path, sizeof path)) {
        out_fail(cx, CLI_NO_TRAIL);
        return NULL;
    }
    /* reading never writes: a read-only copy handed to an auditor reads too */
    db = audit_open_as(path, AUDIT_READ_ONLY, err, sizeof err);
    if (!db)
        out_fail(cx, "%s", err);
    return db;
}

static const char *or_dash(const char *s) { return s && *s ? s : "-"; }

/* The list's columns, each as wide as its widest entry (header included):
 * a cut action or device name would read as another one. */
struct list_cols {
    struct cli_ctx *cx;
    int id, operator_name, device, action, versions;
};

static void versions_of(const struct audit_record *r, char *out, size_t cap)
{
    snprintf(out, cap, "%s -> %s", or_dash(r->version_before), or_dash(r->version_after));
}

static int wider(int width, const char *text)
{
    int n = (int)strlen(text);
    return n > width ? n : width;
}

static int measure_row(void *arg, const struct audit_record *r)
{
    struct list_cols *c = arg;
    char id[24], versions[100];
    snprintf(id, sizeof id, "%lld", (long long)r->id);
    versions_of(r, versions, sizeof versions);
    c->id = wider(c->id, id);
    c->operator_name = wider(c->operator_name, or_dash(r->operator_name));
    c->device = wider(c->device, or_dash(r->device));
    c->action = wider(c->action, r->action);
    c->versions = wider(c->versions, versions);
    return 0;
}

static int list_row(void *arg, const struct audit_record *r)
{
    const struct list_cols *c = arg;
    char versions[100];
    versions_of(r, versions, sizeof versions);
    /* the time to the second, without the 'T' and 'Z' (the header says UTC) */
    out_line(c->cx, "%*lld  %-10.10s %-8.8s  %-*s  %-*s  %-*s  %-*s  %s", c->id, (long long)r->id,
             r->time, r->time + (strlen(r->time) > 11 ? 11 : strlen(r->time)), c->operator_name,
             or_dash(r->operator_name), c->device, or_dash(r->device), c->action, r->action,
             c->versions, versions, r->outcome);
    return 0;
}

static int list_text(struct cli_ctx *cx, struct audit_db *db, const char *device, int last)
{
    static const char *const head[] = { "id", "time (UTC)", "operator", "device", "action",
                                        "running before->after", "outcome" };
    struct list_cols c = { cx, (int)strlen(head[0]), (int)strlen(head[2]), (int)strlen(head[3]),
                           (int)strlen(head[4]), (int)strlen(head[5]) };

    if (audit_foreach_device(db, device, last, measure_row, &c) != 0)
        return -1;
    out_line(cx, "%*s  %-19s  %-*s  %-*s  %-*s  %-*s  %s", c.id, head[0], head[1],
             c.operator_name, head[2], c.device, head[3], c.action, head[4], c.versions, head[5],
             head[6]);
    return audit_foreach_device(db, device, last, list_row, &c);
}

static const struct cli_opt list_opts[] = {
    { "last", 0, "n", "only the newest n records" },
    { "device", 0, "id", "one device's history: its whole name, identity or hardware id "
                         "(never a part of one)" },
    { NULL, 0, NULL, NULL },
};

static int audit_list(struct cli_ctx *cx, int argc, char **argv)
{
    const char *v = cli_opt_get(cx, "last");
    long last = 0;
    struct audit_db *db;
    int rc;

    (void)argv;
    if (argc)
        return out_usage(cx, "audit list takes no arguments (see --last)");
    if (v) {
        char *end;
        errno = 0;
        last = strtol(v, &end, 10);
        if (errno || *end || last < 1 || last > 1000000)
            return out_usage(cx, "invalid --last \"%s\" (a number of records)", v);
    }
    if (!(db = open_db(cx)))
        return EXIT_FAIL;
    const char *device = cli_opt_get(cx, "device");
    if (cx->json)
        rc = audit_export_json_device(db, device, (int)last, stdout);
    else
        rc = list_text(cx, db, device, (int)last);
    audit_close(db);
    return rc == 0 ? EXIT_OK : out_fail(cx, "cannot read the audit trail");
}

static int audit_show(struct cli_ctx *cx, int argc, char **argv)
{
    struct audit_record r;
    struct audit_db *db;
    char *end;
    long long id;
    int found;

    if (argc != 1)
        return out_usage(cx, "audit show needs a record id (see `mcumgr audit list`)");
    errno = 0;
    id = strtoll(argv[0], &end, 10);
    if (errno || *end || id < 1)
        return out_usage(cx, "invalid record id \"%s\"", argv[0]);
    if (!(db = open_db(cx)))
        return EXIT_FAIL;
    found = audit_get(db, id, &r);
    audit_close(db);
    if (found < 0)
        return out_fail(cx, "cannot read the audit trail");
    if (found == 0)
        return out_fail(cx, "no audit record %lld", id);
    if (cx->json) {
        out_json_doc(cx, audit_record_json(&r));
        return EXIT_OK;
    }
    out_line(cx, "record:          %lld", (long long)r.id);
    out_line(cx, "time:            %s", r.time);
    out_line(cx, "operator:        %s", r.operator_name);
    out_line(cx, "host:            %s", r.host);
    out_line(cx, "device:          %s", r.device);
    out_line(cx, "connection:      %s", r.connection);
    out_line(cx, "action:          %s", r.action);
    out_line(cx, "image hash:      %s", r.image_hash);
    out_line(cx, "version before:  %s", r.version_before);
    out_line(cx, "hash before:     %s", r.hash_before);
    out_line(cx, "version after:   %s", r.version_after);
    out_line(cx, "hash after:      %s", r.hash_after);
    out_line(cx, "outcome:         %s", r.outcome);
    out_line(cx, "detail:          %s", r.detail);
    out_line(cx, "previous hash:   %s", r.prev_hash);
    out_line(cx, "record hash:     %s", r.record_hash);
    if (r.origin[0]) {
        out_line(cx, "pushed from:     the station trail %s", r.origin);
        out_line(cx, "station record:  %lld", (long long)r.origin_id);
        out_line(cx, "station prev:    %s", r.origin_prev);
        out_line(cx, "station hash:    %s", r.origin_hash);
    }
    return EXIT_OK;
}

static const struct cli_opt export_opts[] = {
    { "csv", 0, NULL, "CSV with a header line (the default)" },
    { NULL, 0, NULL, NULL },
};

static int audit_export(struct cli_ctx *cx, int argc, char **argv)
{
    struct audit_db *db;
    int rc;

    (void)argv;
    if (argc)
        return out_usage(cx, "audit export takes no arguments: --csv or --json, output on stdout");
    if (cli_opt_set(cx, "csv") && cx->json)
        return out_usage(cx, "audit export: choose one of --csv and --json");
    if (!(db = open_db(cx)))
        return EXIT_FAIL;
    rc = cx->json ? audit_export_json(db, stdout) : audit_export_csv(db, stdout);
    audit_close(db);
    return rc == 0 ? EXIT_OK : out_fail(cx, "cannot read the audit trail");
}

static const struct cli_opt verify_opts[] = {
    { "anchor", 0, "hash", "a head hash noted earlier: it must still be in the chain" },
    { NULL, 0, NULL, NULL },
};

static int audit_verify_cmd(struct cli_ctx *cx, int argc, char **argv)
{
    char why[512] = "", url[1024], path[1024], head[AUDIT_HASH_HEX] = "";
    const char *anchor = cli_opt_get(cx, "anchor");
    int64_t bad = 0, anchor_id = 0;
    struct audit_db *db;
    int head_rc;
    long n;

    (void)argv;
    if (argc)
        return out_usage(cx, "audit verify takes no arguments");
    if (anchor && !audit_is_record_hash(anchor))
        return out_usage(cx, "--anchor takes a 64-digit record hash (from `mcumgr audit verify`)");
    if (!(db = open_db(cx)))
        return EXIT_FAIL;
    n = audit_verify_anchored(db, anchor, &bad, &anchor_id, why, sizeof why);
    head_rc = n >= 0 ? audit_head_hash(db, head) : 0;
    audit_close(db);
    if (head_rc != 0)
        return out_fail(cx, "cannot read the audit trail");
    cli_audit_path(cx, url, sizeof url);
    audit_trail_name(url, path, sizeof path);
    if (n < 0) {
        if (cx->json) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddBoolToObject(o, "ok", false);
            cJSON_AddNumberToObject(o, "bad_record", (double)bad);
            cJSON_AddStringToObject(o, "reason", why);
            out_json_doc(cx, o);
        } else {
            fprintf(stderr, "Error: audit trail %s is BROKEN: %s\n", path, why);
            if (bad > 0)
                fprintf(stderr, "Hint: compare with an exported copy (`mcumgr audit export`); "
                                "records from %lld on cannot be trusted\n", (long long)bad);
        }
        return EXIT_FAIL;
    }
    if (cx->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddBoolToObject(o, "ok", true);
        cJSON_AddNumberToObject(o, "records", (double)n);
        cJSON_AddStringToObject(o, "head", head);
        out_json_doc(cx, o);
    } else {
        out_line(cx, "Audit trail OK: %ld record%s, chain intact", n, n == 1 ? "" : "s");
        out_line(cx, "database: %s", path);
        if (anchor)
            out_line(cx, "anchor %s found: record %lld", anchor, (long long)anchor_id);
        if (n)
            out_line(cx, "head hash: %s (note it elsewhere; `audit verify --anchor` checks it later)", head);
    }
    return EXIT_OK;
}

static const struct cli_opt record_opts[] = {
    { "action", 0, "name", "what was done (e.g. dfu-update)" },
    { "outcome", 0, "ok|failed", "the result" },
    { "device", 0, "id", "device identity" },
    { "connection", 0, "desc", "how the device was reached" },
    { "image-hash", 0, "hex", "the image the action is about" },
    { "version-before", 0, "ver", "running version before" },
    { "version-after", 0, "ver", "running version after" },
    { "hash-before", 0, "hex", "running image hash before" },
    { "hash-after", 0, "hex", "running image hash after" },
    { "detail", 0, "text", "free text (what happened, why it failed)" },
    { NULL, 0, NULL, NULL },
};

/* Copies a flag value; refuses (rather than cuts) one that does not fit,
 * because a cut hash or version in an audit record would mislead. */
static int take(struct cli_ctx *cx, const char *flag, char *dst, size_t cap)
{
    const char *v = cli_opt_get(cx, flag);
    if (!v)
        return 0;
    if (strlen(v) >= cap && strcmp(flag, "detail") != 0)
        return out_usage(cx, "--%s is too long (at most %zu characters)", flag, cap - 1);
    snprintf(dst, cap, "%s", v);
    return 0;
}

static int audit_record_cmd(struct cli_ctx *cx, int argc, char **argv)
{
    static struct audit_record r;
    const char *outcome = cli_opt_get(cx, "outcome");

    (void)argv;
    memset(&r, 0, sizeof r);
    if (argc)
        return out_usage(cx, "audit record takes only flags");
    if (!cli_opt_get(cx, "action") || !*cli_opt_get(cx, "action"))
        return out_usage(cx, "audit record needs --action");
    if (!outcome || (strcmp(outcome, "ok") && strcmp(outcome, "failed")))
        return out_usage(cx, "audit record needs --outcome ok or --outcome failed");
    if (take(cx, "action", r.action, sizeof r.action) || take(cx, "outcome", r.outcome, sizeof r.outcome) ||
        take(cx, "device", r.device, sizeof r.device) ||
        take(cx, "connection", r.connection, sizeof r.connection) ||
        take(cx, "image-hash", r.image_hash, sizeof r.image_hash) ||
        take(cx, "version-before", r.version_before, sizeof r.version_before) ||
        take(cx, "version-after", r.version_after, sizeof r.version_after) ||
        take(cx, "hash-before", r.hash_before, sizeof r.hash_before) ||
        take(cx, "hash-after", r.hash_after, sizeof r.hash_after) ||
        take(cx, "detail", r.detail, sizeof r.detail))
        return EXIT_USAGE;
    audit_fill_origin(&r, cx->operator_name);
    if (cli_audit_write(cx, &r) != 0)
        return EXIT_FAIL;
    if (cx->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "id", (double)r.id);
        cJSON_AddStringToObject(o, "record_hash", r.record_hash);
        out_json_doc(cx, o);
    } else {
        out_line(cx, "audit record %lld written", (long long)r.id);
    }
    return EXIT_OK;
}

static const struct cli_opt push_opts[] = {
    { "to", 0, "url", "the central trail (postgresql://...)" },
    { NULL, 0, NULL, NULL },
};

/* Where the trail of this command was named, for a message that blames it
 * (as cli_audit_path chooses). */
static const char *trail_source(const struct cli_ctx *cx)
{
    if (cx->audit_db && *cx->audit_db)
        return "--audit-db";
    return audit_path_is_state_folder() ? "the default trail" : "MCUTOOLS_AUDIT_DB";
}

/* `audit push --to URL`: the station's trail (--audit-db, or the default)
 * into the central one; see audit_push. */
static int audit_push_cmd(struct cli_ctx *cx, int argc, char **argv)
{
    const char *to = cli_opt_get(cx, "to");
    char err[700], from_path[1024], from_name[1024], to_name[1024];
    struct audit_push_result res;
    struct audit_db *from, *central;
    long n;

    (void)argv;
    if (argc)
        return out_usage(cx, "audit push takes no arguments (the trail is --audit-db, the "
                             "central one --to)");
    if (!to || !audit_is_url(to))
        return out_usage(cx, "audit push needs --to postgresql://... (the central trail)");
    if (!cli_audit_path(cx, from_path, sizeof from_path))
        return out_fail(cx, CLI_NO_TRAIL);
    if (audit_is_url(from_path))
        return out_usage(cx, "audit push copies a station's own trail (a file); %s is %s",
                         trail_source(cx),
                         audit_trail_name(from_path, from_name, sizeof from_name));
    audit_trail_name(to, to_name, sizeof to_name);
    if (!(from = open_db(cx)))
        return EXIT_FAIL;
    central = audit_open_as(to, AUDIT_APPEND, err, sizeof err);
    if (!central) {
        audit_close(from);
        return out_fail(cx, "%s; nothing was pushed", err);
    }
    n = audit_push(from, central, &res, err, sizeof err);
    audit_close(central);
    audit_close(from);
    if (n < 0)
        return out_fail(cx, "audit push of %s to %s: %s", from_path, to_name, err);
    if (cx->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "origin", res.origin);
        cJSON_AddNumberToObject(o, "records", (double)res.records);
        cJSON_AddNumberToObject(o, "already", (double)res.already);
        cJSON_AddNumberToObject(o, "pushed", (double)res.pushed);
        out_json_doc(cx, o);
    } else {
        out_line(cx, "pushed %ld record%s of %s to %s (%ld of %ld there already)", res.pushed,
                 res.pushed == 1 ? "" : "s", from_path, to_name, res.already, res.records);
        if (res.origin[0])
            out_line(cx, "station trail %s", res.origin);
    }
    return EXIT_OK;
}

static int audit_path(struct cli_ctx *cx, int argc, char **argv)
{
    char url[1024], path[1024];
    (void)argv;
    if (argc)
        return out_usage(cx, "audit path takes no arguments");
    if (!cli_audit_path(cx, url, sizeof url))
        return out_fail(cx, CLI_NO_TRAIL);
    audit_trail_name(url, path, sizeof path);
    if (cx->json)
        out_json_kv(cx, "path", path);
    else
        out_line(cx, "%s", path);
    return EXIT_OK;
}

/* The identity the trail records for the connected device, for scripts
 * that write their own records (`audit record --device`). */
static int audit_device(struct cli_ctx *cx, int argc, char **argv)
{
    char id[160];
    (void)argv;
    if (argc)
        return out_usage(cx, "audit device takes no arguments");
    cli_device_identity(cx, id, sizeof id);
    if (!id[0])
        return out_fail(cx, "the device at %s did not tell its identity (no OS info)", cx->conn_desc);
    if (cx->json)
        out_json_kv(cx, "device", id);
    else
        out_line(cx, "%s", id);
    return EXIT_OK;
}

const struct cli_cmd cli_audit_cmds[] = {
    { "list", NULL, "list the audit records (oldest first)", audit_list, 0, list_opts, NULL },
    { "show", "<id>", "show every field of one record", audit_show, 0, NULL, NULL },
    { "export", NULL, "print the whole trail as CSV (--csv) or JSON (--json)", audit_export, 0,
      export_opts, NULL },
    { "verify", NULL, "check the hash chain: edited, deleted or reordered records", audit_verify_cmd, 0,
      verify_opts, NULL },
    { "record", NULL, "append a record (for scripts: a whole update, a failed attempt)",
      audit_record_cmd, 0, record_opts, NULL },
    { "push", NULL, "copy this station's trail into a central one (--to postgresql://...)",
      audit_push_cmd, 0, push_opts, NULL },
    { "path", NULL, "print the audit database in use", audit_path, 0, NULL, NULL },
    { "device", NULL, "print the connected device's identity as the trail records it", audit_device,
      CLI_NEEDS_CONN, NULL, NULL },
    { NULL, NULL, NULL, NULL, 0, NULL, NULL },
};
