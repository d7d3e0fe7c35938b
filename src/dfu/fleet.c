/* Updating many devices (see fleet.h): inventory and the worker pool. */
#include "dfu/fleet.h"

#include <ctype.h>
#include <glob.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RETRY_PAUSE_S 1

const char *fleet_outcome_name(enum fleet_outcome o)
{
    return o == FLEET_UPDATED ? "updated" : o == FLEET_FAILED ? "failed" : "skipped";
}

/* ---- inventory ---- */

static char *next_word(char **p)
{
    while (**p && isspace((unsigned char)**p))
        (*p)++;
    if (!**p)
        return NULL;
    char *w = *p;
    while (**p && !isspace((unsigned char)**p))
        (*p)++;
    if (**p)
        *(*p)++ = '\0';
    return w;
}

/* One non-empty line into d; -1 with the reason in err. */
static int parse_line(char *line, struct fleet_device *d, char *err, size_t errlen)
{
    char *p = line, *type = next_word(&p), *cs = next_word(&p), *name = next_word(&p);
    char perr[256];

    if (!cs) {
        snprintf(err, errlen, "want `CONNTYPE CONNSTRING [NAME]`, got `%.60s`", type);
        return -1;
    }
    if (next_word(&p)) {
        snprintf(err, errlen, "more than three words (a name has no spaces)");
        return -1;
    }
    memset(d, 0, sizeof *d);
    if (strlen(type) >= sizeof d->conntype || strlen(cs) >= sizeof d->connstring ||
        (name && strlen(name) >= sizeof d->name)) {
        snprintf(err, errlen, "a word is too long");
        return -1;
    }
    if (client_conn_parse(type, cs, &d->conn, perr, sizeof perr) != 0) {
        snprintf(err, errlen, "%s", perr);
        return -1;
    }
    snprintf(d->conntype, sizeof d->conntype, "%s", type);
    snprintf(d->connstring, sizeof d->connstring, "%s", cs);
    if (d->conn.type == CLIENT_CONN_SERIAL)
        snprintf(d->desc, sizeof d->desc, "%s", d->conn.dev);
    else
        snprintf(d->desc, sizeof d->desc, "%s:%s", d->conn.host, d->conn.port);
    snprintf(d->name, sizeof d->name, "%.63s", name ? name : d->desc);
    return 0;
}

int fleet_inventory_parse(const char *text, struct fleet_device **out, size_t *n, char *err,
                          size_t errlen)
{
    char *copy = strdup(text), *save = NULL, why[300];
    struct fleet_device *devs = NULL;
    size_t count = 0, cap = 0, lineno = 0;

    *out = NULL;
    *n = 0;
    if (!copy)
        return snprintf(err, errlen, "out of memory"), -1;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *p = line;
        while (*p && isspace((unsigned char)*p))
            p++;
        if (!*p)
            continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            struct fleet_device *nd = realloc(devs, cap * sizeof *devs);
            if (!nd)
                break;
            devs = nd;
        }
        if (count == cap || parse_line(p, &devs[count], why, sizeof why) != 0) {
            snprintf(err, errlen, "line %zu: %s", lineno, count == cap ? "out of memory" : why);
            free(devs);
            free(copy);
            return -1;
        }
        count++;
    }
    free(copy);
    if (count == 0) {
        free(devs);
        snprintf(err, errlen, "no devices in the inventory");
        return -1;
    }
    *out = devs;
    *n = count;
    return 0;
}

/* ---- scan candidates ---- */

static int add_candidate(struct fleet_device **devs, size_t *n, size_t *cap, const char *type,
                         const char *cs, char *err, size_t errlen)
{
    char line[FLEET_CONNSTRING_MAX + 16];
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        struct fleet_device *nd = realloc(*devs, *cap * sizeof **devs);
        if (!nd)
            return snprintf(err, errlen, "out of memory"), -1;
        *devs = nd;
    }
    snprintf(line, sizeof line, "%s %s", type, cs);
    if (parse_line(line, &(*devs)[*n], err, errlen) != 0)
        return -1;
    (*n)++;
    return 0;
}

/* udp:HOST:FIRST-LAST */
static int scan_udp(const char *spec, struct fleet_device **devs, size_t *n, size_t *cap,
                    char *err, size_t errlen)
{
    char host[256], cs[300];
    unsigned first, last;
    const char *colon = strrchr(spec, ':');

    if (!colon || (size_t)(colon - spec) >= sizeof host ||
        sscanf(colon + 1, "%u-%u", &first, &last) != 2 || first == 0 || last > 65535 ||
        first > last || last - first > 4096)
        return snprintf(err, errlen, "want udp:HOST:FIRST-LAST (at most 4096 ports), got `%.60s`",
                        spec), -1;
    memcpy(host, spec, (size_t)(colon - spec));
    host[colon - spec] = '\0';
    for (unsigned p = first; p <= last; p++) {
        snprintf(cs, sizeof cs, "%s:%u", host, p);
        if (add_candidate(devs, n, cap, "udp", cs, err, errlen) != 0)
            return -1;
    }
    return 0;
}

/* serial:GLOB[,baud=N] */
static int scan_serial(const char *spec, struct fleet_device **devs, size_t *n, size_t *cap,
                       char *err, size_t errlen)
{
    char pattern[256], cs[FLEET_CONNSTRING_MAX];
    const char *opts = strchr(spec, ',');
    size_t plen = opts ? (size_t)(opts - spec) : strlen(spec);
    glob_t g;

    if (plen == 0 || plen >= sizeof pattern)
        return snprintf(err, errlen, "want serial:GLOB[,baud=N], got `%.60s`", spec), -1;
    memcpy(pattern, spec, plen);
    pattern[plen] = '\0';
    if (glob(pattern, 0, NULL, &g) != 0)
        return 0; /* no such port: nothing to scan */
    int rc = 0;
    for (size_t i = 0; i < g.gl_pathc && rc == 0; i++) {
        snprintf(cs, sizeof cs, "dev=%s%s", g.gl_pathv[i], opts ? opts : "");
        rc = add_candidate(devs, n, cap, "serial", cs, err, errlen);
    }
    globfree(&g);
    return rc;
}

int fleet_scan_candidates(const char *specs, struct fleet_device **out, size_t *n, char *err,
                          size_t errlen)
{
    char *copy = strdup(specs), *save = NULL;
    size_t cap = 0;
    int rc = copy ? 0 : -1;

    *out = NULL;
    *n = 0;
    for (char *s = copy ? strtok_r(copy, " ", &save) : NULL; s && rc == 0;
         s = strtok_r(NULL, " ", &save)) {
        if (!strncmp(s, "udp:", 4))
            rc = scan_udp(s + 4, out, n, &cap, err, errlen);
        else if (!strncmp(s, "serial:", 7))
            rc = scan_serial(s + 7, out, n, &cap, err, errlen);
        else {
            snprintf(err, errlen, "unknown scan `%.60s` (udp:HOST:FIRST-LAST or serial:GLOB)", s);
            rc = -1;
        }
    }
    free(copy);
    if (rc != 0) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

/* ---- the worker pool ---- */

enum phase { PHASE_CANARY, PHASE_REST };

struct pool {
    void (*job)(struct pool *p, size_t device); /* what a worker does with one device */
    const struct fleet_device *devs;
    size_t n;
    const uint8_t *img;
    size_t len;
    const struct fleet_opts *o;
    struct fleet_result *res;
    struct fleet_status *status; /* fleet_status: the answers */
    bool confirm;                /* fleet_status: confirm what runs on trial */
    pthread_mutex_t lock;       /* guards next, failures, stop and the event callback */
    size_t next, end;           /* devices [next, end) are yet to start in this phase */
    unsigned failures;
    char stop[200];             /* why no further device starts ("" while going) */
};

struct worker_ctx {
    struct pool *pool;
    size_t device;
};

static void tell(struct pool *p, size_t device, const struct dfu_event *ev,
                 const struct fleet_result *done)
{
    struct fleet_event fe = { device, ev, done };
    if (!p->o->event)
        return;
    pthread_mutex_lock(&p->lock);
    p->o->event(p->o->event_ctx, &fe);
    pthread_mutex_unlock(&p->lock);
}

static void on_dfu_event(void *ctx, const struct dfu_event *ev)
{
    struct worker_ctx *w = ctx;
    tell(w->pool, w->device, ev, NULL);
}

/* Failures of the link before the reset left the device as it was: worth
 * another try. A refusal (the preflight's, or the device's own answer:
 * an untrusted key, not in DFU mode) would only refuse again. */
static bool retryable(int rc, const struct dfu_result *r)
{
    return rc != 0 && rc != DFU_ERR_REFUSED && rc != CLIENT_ERR_DEVICE &&
           r->failed_at < DFU_STEP_RESET && rc != CLIENT_ERR_NOT_IMAGE &&
           rc != CLIENT_ERR_TRUNCATED;
}

/* One attempt on one device: its own connection and session. */
static int attempt(struct pool *p, size_t i, struct dfu_result *r)
{
    const struct fleet_device *d = &p->devs[i];
    struct client_transport tp;
    struct client_session s;
    struct worker_ctx w = { p, i };
    struct dfu_opts o = p->o->dfu;
    char err[512];
    int rc = client_transport_open(&d->conn, &tp, err, sizeof err);

    memset(r, 0, sizeof *r);
    if (rc) {
        r->failed_at = DFU_STEP_PREFLIGHT;
        r->client_rc = rc;
        snprintf(r->reason, sizeof r->reason, "%.300s", err);
        return rc;
    }
    client_session_init(&s, &tp);
    s.timeout_ms = p->o->timeout_ms > 0 ? p->o->timeout_ms : 5000;
    s.tries = p->o->tries > 0 ? p->o->tries : 1;
    s.cancel = p->o->cancel;
    o.event = on_dfu_event;
    o.event_ctx = &w;
    o.state_key = d->desc;
    rc = dfu_run(&s, &d->conn, p->img, p->len, &o, r);
    client_transport_close(&tp);
    return rc;
}

static void run_device(struct pool *p, size_t i)
{
    struct fleet_result *fr = &p->res[i];
    int64_t t0 = client_now_ms();
    int rc;

    for (;;) {
        fr->tries++;
        rc = attempt(p, i, &fr->dfu);
        if (!retryable(rc, &fr->dfu) || fr->tries > p->o->retries ||
            (p->o->cancel && *p->o->cancel))
            break;
        /* a port that went away (unplugged, re-enumerating) needs a moment */
        struct timespec pause = { RETRY_PAUSE_S * fr->tries, 0 };
        nanosleep(&pause, NULL);
    }
    fr->seconds = (double)(client_now_ms() - t0) / 1000.0;
    fr->outcome = rc == 0 ? FLEET_UPDATED : FLEET_FAILED;
    if (rc && p->o->cancel && *p->o->cancel && rc == CLIENT_ERR_INTERRUPTED)
        snprintf(fr->reason, sizeof fr->reason, "interrupted by the operator during %s",
                 dfu_step_name(fr->dfu.failed_at));
    else if (rc)
        snprintf(fr->reason, sizeof fr->reason, "%s: %.300s", dfu_step_name(fr->dfu.failed_at),
                 fr->dfu.reason);
}

/* The next device of this phase to start, or n when there is none. */
static size_t take(struct pool *p)
{
    size_t i = p->n;
    pthread_mutex_lock(&p->lock);
    if (p->o->cancel && *p->o->cancel && !p->stop[0])
        snprintf(p->stop, sizeof p->stop, "interrupted by the operator");
    if (!p->stop[0] && p->next < p->end)
        i = p->next++;
    pthread_mutex_unlock(&p->lock);
    return i;
}

static void finish(struct pool *p, size_t i)
{
    pthread_mutex_lock(&p->lock);
    if (p->res[i].outcome == FLEET_FAILED && ++p->failures >= p->o->max_failures &&
        p->o->max_failures && !p->stop[0])
        snprintf(p->stop, sizeof p->stop, "stopped after %u failed devices (--max-failures)",
                 p->failures);
    pthread_mutex_unlock(&p->lock);
    tell(p, i, NULL, &p->res[i]);
}

static void update_job(struct pool *p, size_t i)
{
    run_device(p, i);
    finish(p, i);
}

static void *worker(void *arg)
{
    struct pool *p = arg;
    for (size_t i = take(p); i < p->n; i = take(p))
        p->job(p, i);
    return NULL;
}

/* Runs devices [from, to) with the pool's workers; returns when all ended. */
static void run_phase(struct pool *p, size_t from, size_t to)
{
    unsigned nthreads = p->o->parallel ? p->o->parallel : 1;
    pthread_t *t = calloc(nthreads, sizeof *t);
    unsigned started = 0;

    p->next = from;
    p->end = to;
    if (nthreads > to - from)
        nthreads = (unsigned)(to - from);
    for (unsigned k = 0; t && k < nthreads; k++)
        if (pthread_create(&t[k], NULL, worker, p) == 0)
            started++;
    if (started == 0)
        worker(p); /* no threads to be had: one at a time, here */
    for (unsigned k = 0; k < started; k++)
        pthread_join(t[k], NULL);
    free(t);
}

static void skip_rest(struct pool *p)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->res[i].tries == 0 && p->res[i].outcome != FLEET_SKIPPED) {
            p->res[i].outcome = FLEET_SKIPPED;
            snprintf(p->res[i].reason, sizeof p->res[i].reason, "%s", p->stop);
            tell(p, i, NULL, &p->res[i]);
        }
}

size_t fleet_update(const struct fleet_device *devs, size_t n, const uint8_t *img, size_t len,
                    const struct fleet_opts *o, struct fleet_result *res)
{
    struct pool p = { .job = update_job, .devs = devs, .n = n, .img = img, .len = len, .o = o,
                      .res = res };
    size_t canary = o->canary < n ? o->canary : n, bad = 0;

    memset(res, 0, n * sizeof *res);
    for (size_t i = 0; i < n; i++)
        res[i].outcome = FLEET_FAILED; /* until it is run */
    pthread_mutex_init(&p.lock, NULL);
    if (canary) {
        run_phase(&p, 0, canary);
        for (size_t i = 0; i < canary && !p.stop[0]; i++)
            if (res[i].outcome != FLEET_UPDATED)
                snprintf(p.stop, sizeof p.stop, "canary %s failed: not started", devs[i].name);
    }
    if (!p.stop[0])
        run_phase(&p, canary, n);
    skip_rest(&p);
    pthread_mutex_destroy(&p.lock);
    for (size_t i = 0; i < n; i++)
        bad += res[i].outcome != FLEET_UPDATED;
    return bad;
}

/* ---- after the soak test: status and confirm ---- */

/* Opens device i's session for a short query; 0 or a client error. */
static int open_session(const struct pool *p, size_t i, struct client_transport *tp,
                        struct client_session *s, char *err, size_t errlen)
{
    int rc = client_transport_open(&p->devs[i].conn, tp, err, errlen);
    if (rc)
        return rc;
    client_session_init(s, tp);
    s->timeout_ms = p->o->timeout_ms > 0 ? p->o->timeout_ms : 5000;
    s->tries = p->o->tries > 0 ? p->o->tries : 1;
    s->cancel = p->o->cancel;
    return 0;
}

static void fill_status(struct fleet_status *st, const struct client_image_state *is)
{
    for (size_t k = 0; k < is->count; k++) {
        const struct client_image_slot *sl = &is->slots[k];
        if (sl->image != 0)
            continue;
        if (sl->slot == 0) {
            st->running = true;
            st->confirmed = sl->confirmed;
            snprintf(st->version, sizeof st->version, "%s", sl->version);
            for (size_t b = 0; b < sl->hash_len && b < 32; b++)
                snprintf(st->hash + 2 * b, 3, "%02x", sl->hash[b]);
        } else if (sl->slot == 1 && sl->pending) {
            st->pending = true;
        }
    }
}

static void status_job(struct pool *p, size_t i)
{
    struct fleet_status *st = &p->status[i];
    struct client_transport tp;
    struct client_session s;
    struct client_image_state is;
    struct client_rsp *rsp = malloc(sizeof *rsp);
    char err[512];
    int rc = rsp ? open_session(p, i, &tp, &s, err, sizeof err) : CLIENT_ERR_NOMEM;

    if (rc == 0) {
        rc = client_image_list(&s, &is, rsp);
        if (rc == 0)
            fill_status(st, &is);
        /* confirm only what runs on trial; a confirmed image stays as it is */
        if (rc == 0 && p->confirm && st->running && !st->confirmed) {
            rc = client_image_set_state(&s, NULL, 0, true, &is, rsp);
            st->confirmed = rc == 0;
            st->changed = rc == 0;
            /* who it is, for the record of the confirm */
            if (rc == 0 && client_os_info(&s, "ni", st->device_id, sizeof st->device_id) != 0)
                st->device_id[0] = '\0';
        }
        if (rc)
            snprintf(err, sizeof err, "%s", client_strerror(rc));
        client_transport_close(&tp);
    }
    st->reached = rc == 0;
    if (rc)
        snprintf(st->reason, sizeof st->reason, "%.300s", err);
    free(rsp);
}

size_t fleet_status(const struct fleet_device *devs, size_t n, bool confirm,
                    const struct fleet_opts *o, struct fleet_status *out)
{
    struct pool p = { .job = status_job, .devs = devs, .n = n, .o = o, .status = out,
                      .confirm = confirm };
    size_t bad = 0;

    memset(out, 0, n * sizeof *out);
    pthread_mutex_init(&p.lock, NULL);
    run_phase(&p, 0, n);
    pthread_mutex_destroy(&p.lock);
    for (size_t i = 0; i < n; i++)
        bad += !out[i].reached || !out[i].confirmed;
    return bad;
}
