/* `mcumgr fleet update --inventory FILE FIRMWARE`: the checked update of
 * src/dfu on many devices (src/dfu/fleet.c), one line per step of each
 * device, a summary, a report folder and one audit record per device. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "audit_hook.h"
#include "commands.h"
#include "dfu/fleet.h"
#include "image/file.h"

#define INVENTORY_MAX (4 * 1024 * 1024)

static const struct cli_opt update_opts[] = {
    { "inventory", 0, "file", "the devices: one a line, `CONNTYPE CONNSTRING [NAME]`, # comments" },
    { "scan", 0, "specs", "or the devices that answer: 'udp:HOST:FIRST-LAST serial:/dev/ttyACM*'" },
    CLI_DFU_OPTS,
    { "parallel", 0, "n", "devices updated at once (default 4)" },
    { "canary", 0, "k", "update the first K devices first; stop if any of them fails" },
    { "max-failures", 0, "m", "start no further device after M failures" },
    { "retries", 0, "n", "further attempts of a device that failed before its reset (default 1)" },
    { "report", 0, "dir", "write report.csv, report.json and report.html there" },
    { NULL, 0, NULL, NULL },
};

/* One device's line of the live table. */
struct row {
    enum dfu_step step;
    size_t done, total;
    int64_t upload_t0, upload_t1; /* client_now_ms(); t1: when the last byte was acknowledged */
    char outcome[40];
};

struct fleet_view {
    struct cli_ctx *cx;
    const struct fleet_device *devs;
    const struct fleet_result *res;
    size_t n;
    bool table;          /* a terminal: one line a device, redrawn in place */
    struct row *rows;
    int64_t last_draw;           /* client_now_ms() */
    bool drawn;
};

static void draw_row(const struct fleet_view *v, size_t i, int64_t now)
{
    const struct row *r = &v->rows[i];
    char pct[8] = "", rate[24] = "", eta[16] = "";

    if (r->total) {
        double secs = (double)((r->upload_t1 ? r->upload_t1 : now) - r->upload_t0) / 1000.0;
        double kib = (double)r->done / 1024.0;
        snprintf(pct, sizeof pct, "%3zu%%", r->done * 100 / r->total);
        if (secs > 0.2 && r->done) {
            snprintf(rate, sizeof rate, "%.1f KiB/s", kib / secs);
            snprintf(eta, sizeof eta, "%.0f s", (double)(r->total - r->done) / 1024.0 / (kib / secs));
        }
    }
    printf("\033[K%-20.20s %-9s %5s %12s %7s %s\n", v->devs[i].name,
           r->outcome[0] ? "" : dfu_step_name(r->step), pct, rate, eta, r->outcome);
}

/* Redraws the table in place, at most five times a second. */
static void draw(struct fleet_view *v, bool force)
{
    int64_t now = client_now_ms();
    if (!force && now - v->last_draw < 200)
        return;
    if (v->drawn)
        printf("\033[%zuA", v->n + 1);
    printf("\033[K%-20s %-9s %5s %12s %7s %s\n", "device", "step", "", "rate", "ETA", "outcome");
    for (size_t i = 0; i < v->n; i++)
        draw_row(v, i, now);
    fflush(stdout);
    v->last_draw = now;
    v->drawn = true;
}

static void table_event(struct fleet_view *v, const struct fleet_event *ev)
{
    struct row *r = &v->rows[ev->device];
    if (ev->done) {
        snprintf(r->outcome, sizeof r->outcome, "%s", fleet_outcome_name(ev->done->outcome));
        draw(v, true);
        return;
    }
    r->step = ev->dfu->step;
    if (ev->dfu->kind == DFU_EV_PROGRESS) {
        if (!r->total)
            r->upload_t0 = client_now_ms();
        r->done = ev->dfu->done;
        r->total = ev->dfu->total;
        if (r->done == r->total)
            r->upload_t1 = client_now_ms();
    }
    draw(v, false);
}

static void on_event(void *ctx, const struct fleet_event *ev)
{
    struct fleet_view *v = ctx;
    const struct fleet_device *d = &v->devs[ev->device];
    const char *name = d->name;
    char conn[FLEET_CONNSTRING_MAX + 16];

    /* each step that changes a device is recorded as it ends (under the
     * runner's lock: one writer at a time) */
    if (ev->dfu) {
        snprintf(conn, sizeof conn, "%s %s", d->conntype, d->connstring);
        cli_record_dfu_step(v->cx, name, conn, ev->dfu, &v->res[ev->device].dfu);
    }
    if (v->cx->json)
        return; /* the JSON document at the end says it all */
    if (v->table) {
        table_event(v, ev);
        return;
    }
    if (ev->done) {
        if (ev->done->outcome == FLEET_UPDATED)
            out_line(v->cx, "%s: updated %s -> %s in %.1f s", name, ev->done->dfu.before_version,
                     ev->done->dfu.after_version, ev->done->seconds);
        else
            out_line(v->cx, "%s: %s: %s", name, fleet_outcome_name(ev->done->outcome),
                     ev->done->reason);
        return;
    }
    const struct dfu_event *e = ev->dfu;
    if (e->kind == DFU_EV_PROGRESS && e->total && e->done * 4 / e->total != (e->done - 1) * 4 / e->total)
        out_line(v->cx, "%s: upload %3zu %%", name, e->done * 100 / e->total);
    else if ((e->kind == DFU_EV_END || e->kind == DFU_EV_NOTE) && e->text)
        out_line(v->cx, "%s: %s %s", name, dfu_step_name(e->step), e->text);
}

static int read_inventory(struct cli_ctx *cx, const char *path, struct fleet_device **devs,
                          size_t *n)
{
    char err[400];
    uint8_t *text;
    size_t len;

    if (img_read_file_max(path, INVENTORY_MAX, &text, &len, err, sizeof err) != 0)
        return out_fail(cx, "cannot read the inventory: %s", err);
    int rc = fleet_inventory_parse((const char *)text, devs, n, err, sizeof err);
    free(text);
    if (rc)
        return out_fail(cx, "inventory %s: %s", path, err);
    return EXIT_OK;
}

#define SCAN_TIMEOUT_MS 500
#define SCAN_PARALLEL 32

/* --scan: the candidates that answer a short query become the inventory. */
static int scan(struct cli_ctx *cx, const char *specs, struct fleet_device **devs, size_t *n)
{
    struct fleet_opts o = { .parallel = SCAN_PARALLEL, .timeout_ms = SCAN_TIMEOUT_MS, .tries = 1,
                            .cancel = &cx->interrupted };
    struct fleet_device *cand;
    struct fleet_status *st;
    size_t ncand, kept = 0;
    char err[400];

    if (fleet_scan_candidates(specs, &cand, &ncand, err, sizeof err) != 0)
        return out_usage(cx, "--scan: %s", err);
    st = ncand ? calloc(ncand, sizeof *st) : NULL;
    if (ncand && !st) {
        free(cand);
        return out_fail(cx, "out of memory");
    }
    if (ncand)
        fleet_status(cand, ncand, false, &o, st);
    for (size_t i = 0; i < ncand; i++)
        if (st[i].reached)
            cand[kept++] = cand[i];
    free(st);
    if (kept == 0) {
        free(cand);
        return out_fail(cx, "no device answered the scan (%zu candidates): %s", ncand, specs);
    }
    if (!cx->json)
        out_note(cx, "scan: %zu of %zu candidates answer", kept, ncand);
    *devs = cand;
    *n = kept;
    return EXIT_OK;
}

/* The devices: --inventory FILE, or --scan SPECS. */
static int devices(struct cli_ctx *cx, struct fleet_device **devs, size_t *n)
{
    const char *inv = cli_opt_get(cx, "inventory"), *specs = cli_opt_get(cx, "scan");
    if (!inv == !specs)
        return out_usage(cx, "give the devices with --inventory FILE or --scan SPECS (one of them)");
    return inv ? read_inventory(cx, inv, devs, n) : scan(cx, specs, devs, n);
}

static int number(struct cli_ctx *cx, const char *opt, unsigned long long max, unsigned def,
                  unsigned *out)
{
    const char *v = cli_opt_get(cx, opt);
    unsigned long long n = def;
    if (v && cli_parse_uint(v, max, &n) != 0)
        return out_usage(cx, "invalid --%s \"%s\" (0..%llu)", opt, v, max);
    *out = (unsigned)n;
    return EXIT_OK;
}

static int parse_opts(struct cli_ctx *cx, struct fleet_opts *o)
{
    int rc = cli_dfu_opts_parse(cx, &o->dfu);

    if (rc)
        return rc;
    if (number(cx, "parallel", 256, 4, &o->parallel) || number(cx, "canary", 100000, 0, &o->canary) ||
        number(cx, "max-failures", 100000, 0, &o->max_failures) ||
        number(cx, "retries", 10, 1, &o->retries))
        return EXIT_USAGE;
    if (o->parallel == 0)
        return out_usage(cx, "--parallel must be at least 1");
    o->timeout_ms = (int)(cx->timeout_s * 1000.0);
    o->tries = cx->tries;
    o->cancel = &cx->interrupted;
    return EXIT_OK;
}

/* One audit record per device, from its result (the runner's thread). */
static void record_device(struct cli_ctx *cx, const struct fleet_device *d,
                          const struct fleet_result *r, const char *action)
{
    char conn[FLEET_CONNSTRING_MAX + 16], detail[400];

    snprintf(conn, sizeof conn, "%s %s", d->conntype, d->connstring);
    snprintf(detail, sizeof detail, "%s%s%.300s", fleet_outcome_name(r->outcome),
             r->reason[0] ? ": " : "", r->reason);
    cli_record_dfu(cx, d->name, conn, action, &r->dfu, r->outcome == FLEET_UPDATED, detail);
}

static void print_json(struct cli_ctx *cx, const struct fleet_device *devs, size_t n,
                       const struct fleet_result *res)
{
    cJSON *doc = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(doc, "devices");
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", devs[i].name);
        cJSON_AddStringToObject(o, "outcome", fleet_outcome_name(res[i].outcome));
        cJSON_AddStringToObject(o, "reason", res[i].reason);
        cJSON_AddStringToObject(o, "version_before", res[i].dfu.before_version);
        cJSON_AddStringToObject(o, "version_after", res[i].dfu.after_version);
        cJSON_AddStringToObject(o, "hash_after", res[i].dfu.after_hash);
        cJSON_AddItemToArray(list, o);
    }
    out_json_doc(cx, doc);
}

static int fleet_update_cmd(struct cli_ctx *cx, int argc, char **argv)
{
    struct fleet_opts o = { 0 };
    struct fleet_device *devs = NULL;
    struct fleet_result *res;
    struct fleet_view v = { .cx = cx };
    const char *dir = cli_opt_get(cx, "report");
    uint8_t *data;
    size_t n = 0, len = 0, bad;
    char err[400];
    int rc;

    if (argc != 1)
        return out_usage(cx, "fleet update needs one firmware file");
    if ((rc = parse_opts(cx, &o)) || (rc = cli_load_image(cx, argv[0], &data, &len)))
        return rc;
    if ((rc = devices(cx, &devs, &n))) {
        free(data);
        return rc;
    }
    res = calloc(n, sizeof *res);
    if (!res) {
        free(data);
        free(devs);
        return out_fail(cx, "out of memory");
    }
    v.devs = devs;
    v.res = res;
    v.n = n;
    v.table = !cx->json && isatty(STDOUT_FILENO);
    v.rows = v.table ? calloc(n, sizeof *v.rows) : NULL;
    v.table = v.rows != NULL;
    o.event = on_event;
    o.event_ctx = &v;
    bad = fleet_update(devs, n, data, len, &o, res);
    free(v.rows);
    if (v.table) /* the reasons the table has no room for */
        for (size_t i = 0; i < n; i++)
            if (res[i].outcome != FLEET_UPDATED)
                out_line(cx, "%s: %s: %s", devs[i].name, fleet_outcome_name(res[i].outcome),
                         res[i].reason);
    for (size_t i = 0; i < n; i++)
        if (res[i].outcome != FLEET_SKIPPED)
            record_device(cx, &devs[i], &res[i], "fleet-update");
    rc = bad ? EXIT_FAIL : EXIT_OK;
    if (dir && fleet_write_report(dir, devs, n, res, argv[0], err, sizeof err) != 0)
        rc = out_fail(cx, "report: %s", err);
    if (cx->json)
        print_json(cx, devs, n, res);
    else
        out_line(cx, "%zu of %zu devices updated%s", n - bad, n, dir ? "; report in " : "");
    if (!cx->json && dir)
        out_line(cx, "%s", dir);
    free(res);
    free(devs);
    free(data);
    return rc;
}

static const struct cli_opt status_opts[] = {
    { "inventory", 0, "file", "the devices: one a line, `CONNTYPE CONNSTRING [NAME]`, # comments" },
    { "scan", 0, "specs", "or the devices that answer: 'udp:HOST:FIRST-LAST serial:/dev/ttyACM*'" },
    { "parallel", 0, "n", "devices asked at once (default 8)" },
    { NULL, 0, NULL, NULL },
};

static const char *state_word(const struct fleet_status *st)
{
    if (!st->reached)
        return "unreachable";
    if (!st->running)
        return "no image runs";
    if (st->pending)
        return "pending reset";
    return st->confirmed ? "confirmed" : "ON TRIAL";
}

static void print_status(struct cli_ctx *cx, const struct fleet_device *devs, size_t n,
                         const struct fleet_status *st)
{
    if (cx->json) {
        cJSON *doc = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(doc, "devices");
        for (size_t i = 0; i < n; i++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "name", devs[i].name);
            cJSON_AddStringToObject(o, "state", state_word(&st[i]));
            cJSON_AddStringToObject(o, "version", st[i].version);
            cJSON_AddStringToObject(o, "hash", st[i].hash);
            cJSON_AddBoolToObject(o, "confirmed_now", st[i].changed);
            cJSON_AddStringToObject(o, "reason", st[i].reason);
            cJSON_AddItemToArray(list, o);
        }
        out_json_doc(cx, doc);
        return;
    }
    for (size_t i = 0; i < n; i++)
        out_line(cx, "%-20s %-10s %s%s%s", devs[i].name, st[i].version, state_word(&st[i]),
                 st[i].changed ? " (confirmed now)" : "", st[i].reason[0] ? ": " : "");
    for (size_t i = 0; i < n; i++)
        if (st[i].reason[0])
            out_note(cx, "%s: %s", devs[i].name, st[i].reason);
}

/* `fleet status` and `fleet confirm`: what runs where, and settling the
 * devices that still run an update on trial after the soak test. */
static int status_or_confirm(struct cli_ctx *cx, int argc, bool confirm)
{
    struct fleet_opts o = { 0 };
    struct fleet_device *devs = NULL;
    struct fleet_status *st;
    size_t n = 0, left;
    int rc;

    if (argc != 0)
        return out_usage(cx, "fleet %s takes no arguments", confirm ? "confirm" : "status");
    if ((rc = number(cx, "parallel", 256, 8, &o.parallel)) || (rc = devices(cx, &devs, &n)))
        return rc;
    if (o.parallel == 0)
        o.parallel = 1;
    o.timeout_ms = (int)(cx->timeout_s * 1000.0);
    o.tries = cx->tries;
    o.cancel = &cx->interrupted;
    st = calloc(n, sizeof *st);
    if (!st) {
        free(devs);
        return out_fail(cx, "out of memory");
    }
    left = fleet_status(devs, n, confirm, &o, st);
    for (size_t i = 0; confirm && i < n; i++)
        if (st[i].changed) {
            struct fleet_result r = { .outcome = FLEET_UPDATED };
            snprintf(r.dfu.after_version, sizeof r.dfu.after_version, "%s", st[i].version);
            snprintf(r.dfu.after_hash, sizeof r.dfu.after_hash, "%s", st[i].hash);
            snprintf(r.dfu.device_id, sizeof r.dfu.device_id, "%s", st[i].device_id);
            snprintf(r.reason, sizeof r.reason, "confirmed after the soak test");
            record_device(cx, &devs[i], &r, "fleet-confirm");
        }
    print_status(cx, devs, n, st);
    if (!cx->json)
        out_line(cx, "%zu of %zu devices confirmed", n - left, n);
    free(st);
    free(devs);
    return left ? EXIT_FAIL : EXIT_OK;
}

static int fleet_status_cmd(struct cli_ctx *cx, int argc, char **argv)
{
    (void)argv;
    return status_or_confirm(cx, argc, false);
}

static int fleet_confirm_cmd(struct cli_ctx *cx, int argc, char **argv)
{
    (void)argv;
    return status_or_confirm(cx, argc, true);
}

const struct cli_cmd cli_fleet_cmds[] = {
    { "status", NULL, "what every device of an inventory runs, and which are still on trial",
      fleet_status_cmd, 0, status_opts, NULL },
    { "confirm", NULL, "confirm the devices that run an update on trial (after the soak test)",
      fleet_confirm_cmd, CLI_CHANGES_STATE, status_opts, NULL },
    { "update", "<firmware>", "update every device of an inventory (staged, in parallel)",
      fleet_update_cmd, CLI_CHANGES_STATE, update_opts, NULL },
    { NULL, NULL, NULL, NULL, 0, NULL, NULL },
};
