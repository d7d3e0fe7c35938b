/* `mcumgr dfu FIRMWARE`: the checked update of src/dfu, shown as lines (or
 * a progress bar) on a terminal and as a stream of JSON events with --json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

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
};

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
