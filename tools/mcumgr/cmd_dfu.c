/* `mcumgr dfu FIRMWARE`: the checked update of src/dfu, shown as lines (or
 * a progress bar) on a terminal and as a stream of JSON events with --json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "audit_hook.h"
#include "commands.h"
#include "dfu/dfu.h"
#include "progress.h"

const struct cli_opt cli_dfu_opts[] = {
    CLI_DFU_OPTS,
    { NULL, 0, NULL, NULL },
};

struct view {
    struct cli_ctx *cx;
    struct progress pg;
    const struct dfu_result *r;  /* filled by the engine as the run goes */
    char device[160];            /* the device's identity, asked once */
};

/* The steps that change the device: each gets a record of its own. */
static const char *step_action(const struct dfu_event *ev, const struct dfu_result *r, char *buf,
                               size_t cap)
{
    static const char *const decision[] = { "trial", "confirm", "revert" };
    switch (ev->step) {
    case DFU_STEP_UPLOAD:
    case DFU_STEP_TEST:
    case DFU_STEP_RESET:
        snprintf(buf, cap, "dfu %s", dfu_step_name(ev->step));
        return buf;
    case DFU_STEP_DECIDE:
        snprintf(buf, cap, "dfu %s", decision[r->decision]);
        return buf;
    default:
        return NULL;
    }
}

void cli_record_dfu(struct cli_ctx *cx, const char *device, const char *connection,
                    const char *action, const struct dfu_result *r, bool ok, const char *detail)
{
    struct audit_record rec;
    /* until the device has booted again, what runs is what ran before */
    bool after = r->failed_at > DFU_STEP_WAIT && r->after_hash[0];

    memset(&rec, 0, sizeof rec);
    audit_fill_origin(&rec, cx->operator_name);
    snprintf(rec.device, sizeof rec.device, "%s", device);
    snprintf(rec.connection, sizeof rec.connection, "%.150s", connection);
    snprintf(rec.action, sizeof rec.action, "%s", action);
    snprintf(rec.image_hash, sizeof rec.image_hash, "%s", r->image_hash);
    snprintf(rec.version_before, sizeof rec.version_before, "%s", r->before_version);
    snprintf(rec.hash_before, sizeof rec.hash_before, "%s", r->before_hash);
    snprintf(rec.version_after, sizeof rec.version_after, "%s",
             after ? r->after_version : r->before_version);
    snprintf(rec.hash_after, sizeof rec.hash_after, "%s", after ? r->after_hash : r->before_hash);
    snprintf(rec.outcome, sizeof rec.outcome, "%s", ok ? "ok" : "failed");
    snprintf(rec.detail, sizeof rec.detail, "%.500s", detail ? detail : "");
    cli_audit_write(cx, &rec);
}

void cli_record_dfu_step(struct cli_ctx *cx, const char *device, const char *connection,
                         const struct dfu_event *ev, const struct dfu_result *r)
{
    char action[32];
    if ((ev->kind == DFU_EV_END || ev->kind == DFU_EV_FAIL) &&
        step_action(ev, r, action, sizeof action))
        cli_record_dfu(cx, device, connection, action, r, ev->kind == DFU_EV_END, ev->text);
}

static void record_step(struct view *v, const struct dfu_event *ev)
{
    char conn[200];
    if (!v->device[0])
        cli_device_identity(v->cx, v->device, sizeof v->device);
    snprintf(conn, sizeof conn, "%s %.150s", v->cx->conn.type == CLIENT_CONN_SERIAL ? "serial" : "udp",
             v->cx->conn_desc);
    cli_record_dfu_step(v->cx, v->device[0] ? v->device : v->cx->conn_desc, conn, ev, v->r);
}

/* dfu resets the device inside src/dfu, not through cli_reset_device():
 * the record's running image before is the one dfu found. */
static void note_running_before(struct cli_ctx *cx, const struct dfu_result *r)
{
    struct audit_running *b = &cx->before_reset;

    memset(b, 0, sizeof *b);
    b->known = r->before_version[0] != '\0';
    snprintf(b->version, sizeof b->version, "%s", r->before_version);
    snprintf(b->hash, sizeof b->hash, "%s", r->before_hash);
}

static void json_event(struct cli_ctx *cx, const struct dfu_event *ev)
{
    static const char *const kinds[] = { "begin", "progress", "end", "fail" };
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

    record_step(v, ev);
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
    if (ev->kind == DFU_EV_END && ev->text)
        out_line(v->cx, "%-9s %s", dfu_step_name(ev->step), ev->text);
}

int cli_dfu_opts_parse(struct cli_ctx *cx, struct dfu_opts *o)
{
    int decisions = cli_opt_set(cx, "confirm") + cli_opt_set(cx, "yes") +
                    cli_opt_set(cx, "revert") + cli_opt_set(cx, "trial");
    const char *v = cli_opt_get(cx, "boot-wait");
    unsigned long long secs = 60;

    if (decisions > 1 && !(decisions == 2 && cli_opt_set(cx, "confirm") && cli_opt_set(cx, "yes")))
        return out_usage(cx, "choose one of --confirm, --revert, --trial");
    if (v && (cli_parse_uint(v, 3600, &secs) != 0 || secs == 0))
        return out_usage(cx, "invalid --boot-wait \"%s\" (1..3600 seconds)", v);
    o->decision = cli_opt_set(cx, "confirm") || cli_opt_set(cx, "yes") ? DFU_CONFIRM
                  : cli_opt_set(cx, "revert")                          ? DFU_REVERT
                                                                       : DFU_TRIAL;
    o->force = cli_opt_set(cx, "force");
    o->key_pem = cli_opt_get(cx, "key");
    o->boot_wait_ms = (int)secs * 1000;
    return EXIT_OK;
}

static void print_result(struct cli_ctx *cx, const char *path, const struct dfu_result *r, int rc)
{
    if (cx->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "file", path);
        cJSON_AddStringToObject(o, "outcome", rc == 0 ? "updated" : "failed");
        cJSON_AddStringToObject(o, "failed_step", rc == 0 ? "" : dfu_step_name(r->failed_at));
        cJSON_AddStringToObject(o, "reason", r->reason);
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
        out_line(cx, "Updated: %s -> %s", r->before_version, r->after_version);
        return;
    }
    out_fail(cx, "%s: %s", dfu_step_name(r->failed_at), r->reason);
    if (r->after_version[0])
        out_note(cx, "The device runs %s.", r->after_version);
}

int cmd_dfu(struct cli_ctx *cx, int argc, char **argv)
{
    struct dfu_opts o = { 0 };
    struct dfu_result *r;
    struct view v = { .cx = cx };
    uint8_t *data;
    size_t len = 0;
    char detail[1200];
    int rc;

    if (argc != 1)
        return out_usage(cx, "dfu needs exactly one firmware file");
    rc = cli_dfu_opts_parse(cx, &o);
    if (rc)
        return rc;
    o.state_key = cx->conn_desc;
    rc = cli_load_image(cx, argv[0], &data, &len);
    if (rc)
        return rc;
    r = calloc(1, sizeof *r);
    if (!r) {
        free(data);
        return out_fail(cx, "out of memory");
    }
    progress_init(&v.pg);
    v.r = r;
    o.event = on_event;
    o.event_ctx = &v;
    rc = dfu_run(&cx->sess, &cx->conn, data, len, &o, r);
    free(data);
    note_running_before(cx, r);
    snprintf(detail, sizeof detail, "file=%.500s version=%s; %s%s%s", argv[0], r->image_version,
             rc == 0 ? "updated" : dfu_step_name(r->failed_at), rc == 0 ? "" : ": ",
             rc == 0 ? "" : r->reason);
    cli_record_state_change(cx, "dfu", detail, rc == DFU_ERR_REFUSED || rc == DFU_ERR_NOT_BOOTED
                                                  ? CLIENT_ERR_DEVICE : rc);
    print_result(cx, argv[0], r, rc);
    free(r);
    return rc == 0 ? EXIT_OK : EXIT_FAIL;
}
