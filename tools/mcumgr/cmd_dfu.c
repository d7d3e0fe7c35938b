/* `mcumgr dfu FIRMWARE`: the checked update of src/dfu, shown as lines (or
 * a progress bar) on a terminal and as a stream of JSON events with --json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "audit/device.h"
#include "audit_hook.h"
#include "commands.h"
#include "dfu/dfu.h"
#include "progress.h"

const struct cli_opt cli_dfu_opts[] = {
    CLI_DFU_OPTS,
    { "device-name", 0, "name", "the device's name in the audit trail (default: its connection)" },
    { NULL, 0, NULL, NULL },
};

struct view {
    struct cli_ctx *cx;
    struct progress pg;
    const struct dfu_result *r;  /* filled by the engine as the run goes */
    const char *name;            /* the device as the records name it */
    char connection[200];        /* how it was reached, for the records */
    char decided[320];           /* what the decision step did */
};

/* The steps that change the device: each gets a record of its own. The
 * reset's is written once the device is back (the end of the wait), so it
 * names the image it booted. */
static const char *step_action(const struct dfu_event *ev, const struct dfu_result *r, char *buf,
                               size_t cap)
{
    static const char *const decision[] = { "trial", "confirm", "revert", "trial" };
    switch (ev->step) {
    case DFU_STEP_UPLOAD:
    case DFU_STEP_TEST:
        if (r->upload_skipped)
            return NULL; /* an earlier run did them */
        snprintf(buf, cap, "dfu %s", dfu_step_name(ev->step));
        return buf;
    case DFU_STEP_WAIT:
        snprintf(buf, cap, "dfu reset");
        return buf;
    case DFU_STEP_DECIDE:
        snprintf(buf, cap, "dfu %s", decision[r->decision]);
        return buf;
    default:
        return NULL;
    }
}

/* `name (identity)`, or the name alone when the device told none. */
static void device_label(const char *name, const char *id, char *out, size_t cap)
{
    if (id[0] && strcmp(name, id) != 0)
        snprintf(out, cap, "%.60s (%.90s)", name, id);
    else
        snprintf(out, cap, "%s", name);
}

static void write_record(struct cli_ctx *cx, const char *name, const char *connection,
                         const char *action, const struct dfu_result *r, bool ok,
                         const char *detail, bool reset)
{
    struct audit_record rec;
    /* a reset's record: from what ran when it was sent to what answered
     * after it; any other: until the device has booted again, what runs
     * is what ran before */
    const char *vb = reset ? r->reset_from_version : r->before_version;
    const char *hb = reset ? r->reset_from_hash : r->before_hash;
    bool booted = (reset ? ok : r->failed_at > DFU_STEP_WAIT) && r->after_hash[0];

    memset(&rec, 0, sizeof rec);
    audit_fill_origin(&rec, cx->operator_name);
    device_label(name, r->device_id, rec.device, sizeof rec.device);
    snprintf(rec.connection, sizeof rec.connection, "%.150s", connection);
    snprintf(rec.action, sizeof rec.action, "%s", action);
    snprintf(rec.image_hash, sizeof rec.image_hash, "%s", r->image_hash);
    snprintf(rec.version_before, sizeof rec.version_before, "%s", vb);
    snprintf(rec.hash_before, sizeof rec.hash_before, "%s", hb);
    snprintf(rec.version_after, sizeof rec.version_after, "%s", booted ? r->after_version : vb);
    snprintf(rec.hash_after, sizeof rec.hash_after, "%s", booted ? r->after_hash : hb);
    snprintf(rec.outcome, sizeof rec.outcome, "%s", ok ? "ok" : "failed");
    snprintf(rec.detail, sizeof rec.detail, "%.500s", detail ? detail : "");
    cli_audit_write(cx, &rec);
}

void cli_record_dfu(struct cli_ctx *cx, const char *device, const char *connection,
                    const char *action, const struct dfu_result *r, bool ok, const char *detail)
{
    write_record(cx, device, connection, action, r, ok, detail, false);
}

void cli_record_dfu_step(struct cli_ctx *cx, const char *device, const char *connection,
                         const struct dfu_event *ev, const struct dfu_result *r)
{
    char action[32];
    if ((ev->kind == DFU_EV_END || ev->kind == DFU_EV_FAIL) &&
        step_action(ev, r, action, sizeof action))
        write_record(cx, device, connection, action, r, ev->kind == DFU_EV_END, ev->text,
                     ev->step == DFU_STEP_WAIT);
}

static void json_event(struct cli_ctx *cx, const struct dfu_event *ev)
{
    static const char *const kinds[] = { "begin", "progress", "end", "fail", "note" };
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "event", kinds[ev->kind]);
    cJSON_AddStringToObject(o, "step", dfu_step_name(ev->step));
    if (ev->kind == DFU_EV_PROGRESS) {
        cJSON_AddNumberToObject(o, "done", (double)ev->done);
        cJSON_AddNumberToObject(o, "total", (double)ev->total);
    }
    if (ev->text)
        cJSON_AddStringToObject(o, "text", ev->text);
    out_json_doc(cx, o);
    fflush(stdout); /* one event a line, as it happens */
}

static void on_event(void *ctx, const struct dfu_event *ev)
{
    struct view *v = ctx;

    cli_record_dfu_step(v->cx, v->name, v->connection, ev, v->r);
    if (ev->step == DFU_STEP_DECIDE && ev->kind == DFU_EV_END && ev->text)
        snprintf(v->decided, sizeof v->decided, "%s", ev->text);
    if (v->cx->json) {
        if (ev->kind != DFU_EV_PROGRESS || ev->done == ev->total)
            json_event(v->cx, ev);
        return;
    }
    if (ev->kind == DFU_EV_PROGRESS) {
        progress_update(&v->pg, ev->done, ev->total);
        return;
    }
    if (ev->step == DFU_STEP_UPLOAD && ev->kind != DFU_EV_BEGIN)
        progress_end(&v->pg);
    if (ev->kind == DFU_EV_NOTE)
        out_note(v->cx, "Warning: %s", ev->text);
    else if ((ev->kind == DFU_EV_END || ev->kind == DFU_EV_BEGIN) && ev->text)
        out_line(v->cx, "%-9s %s", dfu_step_name(ev->step), ev->text);
}

/* No decision flag: the operator decides once the new image runs, when
 * there is a terminal to ask on; otherwise trial, the choice that a reset
 * still undoes. An unknown answer asks again; no answer (end of input,
 * Ctrl-C) is trial too. */
static enum dfu_decision ask(void *ctx, const struct dfu_result *r)
{
    char line[64];
    (void)ctx;

    if (!isatty(STDIN_FILENO)) {
        fprintf(stderr, "Warning: no terminal to ask on and no --confirm/--revert: leaving %s "
                        "on trial\n", r->after_version);
        return DFU_TRIAL;
    }
    fprintf(stderr, "  Test the new firmware now: features, sensors, no crashes, LEDs.\n");
    for (;;) {
        fflush(stdout);
        fprintf(stderr, "  Keep v%s? [c]onfirm / [r]evert / [t]rial (decide later): ",
                r->after_version);
        if (!fgets(line, sizeof line, stdin))
            return DFU_TRIAL;
        line[strcspn(line, "\r\n")] = '\0';
        if (!strcmp(line, "c") || !strcmp(line, "C") || !strcmp(line, "confirm"))
            return DFU_CONFIRM;
        if (!strcmp(line, "r") || !strcmp(line, "R") || !strcmp(line, "revert"))
            return DFU_REVERT;
        if (!strcmp(line, "t") || !strcmp(line, "T") || !strcmp(line, "trial") ||
            !strcmp(line, "later"))
            return DFU_TRIAL;
    }
}

int cli_dfu_opts_parse(struct cli_ctx *cx, struct dfu_opts *o)
{
    int decisions = cli_opt_set(cx, "confirm") + cli_opt_set(cx, "yes") +
                    cli_opt_set(cx, "revert") + cli_opt_set(cx, "trial");
    const char *v = cli_opt_get(cx, "boot-wait"), *max = cli_opt_get(cx, "max-size");
    unsigned long long secs = 60, bytes = 0;

    if (decisions > 1 && !(decisions == 2 && cli_opt_set(cx, "confirm") && cli_opt_set(cx, "yes")))
        return out_usage(cx, "choose one of --confirm, --revert, --trial");
    if (v && (cli_parse_uint(v, 3600, &secs) != 0 || secs == 0))
        return out_usage(cx, "invalid --boot-wait \"%s\" (1..3600 seconds)", v);
    if (max && (cli_parse_uint(max, UINT32_MAX, &bytes) != 0 || bytes == 0))
        return out_usage(cx, "invalid --max-size \"%s\" (bytes, decimal or 0x hex)", max);
    o->decision = cli_opt_set(cx, "confirm") || cli_opt_set(cx, "yes") ? DFU_CONFIRM
                  : cli_opt_set(cx, "revert")                          ? DFU_REVERT
                                                                       : DFU_TRIAL;
    o->force = cli_opt_set(cx, "force");
    o->key_pem = cli_opt_get(cx, "key");
    o->boot_wait_ms = (int)secs * 1000;
    o->max_size = (size_t)bytes;
    o->image_cache = cli_opt_get(cx, "image-cache");
    return EXIT_OK;
}

/* The connection flags that reach this device again, for the hints. */
static void conn_flags(const struct client_conn *c, char *out, size_t cap)
{
    if (c->type == CLIENT_CONN_SERIAL)
        snprintf(out, cap, "--conntype serial --connstring \"dev=%.200s,baud=%u\"", c->dev, c->baud);
    else
        snprintf(out, cap, "--conntype udp --connstring %.200s:%.15s", c->host, c->port);
}

static void print_success(struct cli_ctx *cx, const struct dfu_result *r, const char *device)
{
    char flags[300];

    switch (r->decision) {
    case DFU_CONFIRM:
        out_line(cx, "SUCCESS: %s now runs v%s (confirmed).", device, r->after_version);
        return;
    case DFU_REVERT:
        out_line(cx, "REVERTED: %s runs v%s again; v%s was not kept.", device, r->after_version,
                 r->image_version);
        return;
    default:
        conn_flags(&cx->conn, flags, sizeof flags);
        out_line(cx, "ON TRIAL: v%s runs but is NOT confirmed. After the soak test:",
                 r->after_version);
        out_line(cx, "  confirm: mcumgr %s image confirm", flags);
        out_line(cx, "  revert:  mcumgr %s reset   (the bootloader restores v%s)", flags,
                 r->before_version);
    }
}

/* said: the failure was printed already (the file or the connection). */
static void print_result(struct cli_ctx *cx, const char *path, const struct dfu_result *r, int rc,
                         const char *device, bool said, bool recorded)
{
    char hints[DFU_HINTS_MAX][DFU_HINT_LEN];
    size_t nh = rc == 0 ? 0 : dfu_hints(r, &cx->conn, path, hints);

    if (cx->json) {
        cJSON *o = cJSON_CreateObject(), *h;
        cJSON_AddStringToObject(o, "file", path);
        cJSON_AddStringToObject(o, "device", device);
        cJSON_AddStringToObject(o, "outcome", rc == 0 ? "updated" : "failed");
        cJSON_AddStringToObject(o, "failed_step", rc == 0 ? "" : dfu_step_name(r->failed_at));
        cJSON_AddStringToObject(o, "reason", r->reason);
        h = cJSON_AddArrayToObject(o, "hints");
        for (size_t i = 0; i < nh; i++)
            cJSON_AddItemToArray(h, cJSON_CreateString(hints[i]));
        cJSON_AddStringToObject(o, "image_version", r->image_version);
        cJSON_AddStringToObject(o, "image_hash", r->image_hash);
        cJSON_AddStringToObject(o, "version_before", r->before_version);
        cJSON_AddStringToObject(o, "hash_before", r->before_hash);
        cJSON_AddStringToObject(o, "version_after", r->after_version);
        cJSON_AddStringToObject(o, "hash_after", r->after_hash);
        out_json_doc(cx, o);
        return;
    }
    if (rc == 0) {
        print_success(cx, r, device);
        return;
    }
    if (!said)
        out_fail(cx, "%s: %s", dfu_step_name(r->failed_at), r->reason);
    for (size_t i = 0; i < nh; i++)
        out_note(cx, "  Hint: %s", hints[i]);
    if (r->after_version[0])
        out_note(cx, "The device runs %s.", r->after_version);
    if (recorded)
        out_note(cx, "This failed attempt is recorded in the audit trail (mcumgr audit list).");
}

/* Everything before the engine runs: the file, the port, the connection.
 * 0, or a failure with r->reason; *said when it was printed already. */
static int prepare(struct cli_ctx *cx, const char *path, uint8_t **data, size_t *len,
                   struct dfu_result *r, bool *said)
{
    *said = true;
    if (cli_load_image(cx, path, data, len) != EXIT_OK) {
        snprintf(r->reason, sizeof r->reason, "%.200s cannot be used as an image", path);
        return CLIENT_ERR_FILE;
    }
    *said = false;
    int rc = dfu_port_check(&cx->conn, r);
    if (rc)
        return rc;
    *said = true;
    if (cli_connect(cx) != EXIT_OK) {
        snprintf(r->reason, sizeof r->reason, "cannot open %.200s", cx->conn_desc);
        return CLIENT_ERR_OPEN;
    }
    return 0;
}

int cmd_dfu(struct cli_ctx *cx, int argc, char **argv)
{
    struct dfu_opts o = { 0 };
    struct dfu_result *r;
    struct view v = { .cx = cx };
    uint8_t *data = NULL;
    size_t len = 0;
    char detail[1200], device[160];
    bool ask_later, said = false;
    int rc;

    if (argc != 1)
        return out_usage(cx, "dfu needs exactly one firmware file");
    rc = cli_dfu_opts_parse(cx, &o);
    if (rc)
        return rc;
    if (cli_conn_resolve(cx) != EXIT_OK) {
        cli_record_unreached(cx);
        return EXIT_USAGE;
    }
    r = calloc(1, sizeof *r);
    if (!r)
        return out_fail(cx, "out of memory");
    ask_later = !cli_opt_set(cx, "confirm") && !cli_opt_set(cx, "yes") &&
                !cli_opt_set(cx, "revert") && !cli_opt_set(cx, "trial");
    v.name = cli_opt_get(cx, "device-name") ? cli_opt_get(cx, "device-name") : cx->conn_desc;
    audit_describe_connection(&cx->conn, cx->conn_desc, v.connection, sizeof v.connection);
    rc = prepare(cx, argv[0], &data, &len, r, &said);
    if (rc == 0) {
        said = false;
        progress_init(&v.pg);
        v.r = r;
        o.state_key = cx->conn_desc;
        o.decision = ask_later ? DFU_ASK : o.decision;
        o.ask = ask;
        o.event = on_event;
        o.event_ctx = &v;
        rc = dfu_run(&cx->sess, &cx->conn, data, len, &o, r);
    }
    free(data);
    snprintf(detail, sizeof detail, "file=%.500s version=%s; %s%s%.330s", argv[0],
             r->image_version[0] ? r->image_version : "?",
             rc == 0 ? "" : dfu_step_name(r->failed_at), rc == 0 ? "" : ": ",
             rc == 0 ? v.decided : r->reason);
    cli_record_dfu(cx, v.name, v.connection, "dfu", r, rc == 0, detail);
    device_label(v.name, r->device_id, device, sizeof device);
    print_result(cx, argv[0], r, rc, device, said, !cx->no_audit && !cx->audit_failed);
    free(r);
    return rc == 0 ? EXIT_OK : EXIT_FAIL;
}
