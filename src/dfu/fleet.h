/*
 * Updating many devices: an inventory, a pool of workers each running the
 * checked update of dfu.h on one device at a time, a staged rollout
 * (canary devices first; stop after too many failures), retries of
 * attempts that failed before the reset, and a report.
 *
 * Each worker owns its device's connection and session; the events of all
 * workers reach one callback, serialised by the runner, so a view needs
 * no locking of its own.
 */
#ifndef DFU_FLEET_H
#define DFU_FLEET_H

#include <stdbool.h>
#include <stddef.h>

#include "dfu/dfu.h"

#define FLEET_NAME_MAX 64
#define FLEET_CONNSTRING_MAX 512

struct fleet_device {
    char name[FLEET_NAME_MAX];
    char conntype[8];                        /* "serial" or "udp" */
    char connstring[FLEET_CONNSTRING_MAX];
    struct client_conn conn;
    char desc[300];                          /* the port or HOST:PORT */
};

/* Parses an inventory: one device a line, `CONNTYPE CONNSTRING [NAME]`,
 * `#` starts a comment, blank lines are skipped. A device without a name
 * is named after its connection. *out is malloc'd. On error returns -1
 * with "line N: why" in err. */
int fleet_inventory_parse(const char *text, struct fleet_device **out, size_t *n, char *err,
                          size_t errlen);

/* Candidates for --scan: space-separated `udp:HOST:FIRST-LAST` (each port
 * of the range) and `serial:GLOB[,baud=N]` (each port the glob finds).
 * Nothing is contacted here: fleet_status tells which answer. */
int fleet_scan_candidates(const char *specs, struct fleet_device **out, size_t *n, char *err,
                          size_t errlen);

enum fleet_outcome { FLEET_UPDATED, FLEET_FAILED, FLEET_SKIPPED };
const char *fleet_outcome_name(enum fleet_outcome o);

struct fleet_result {
    enum fleet_outcome outcome;
    char reason[320];
    unsigned tries;
    double seconds;
    struct dfu_result dfu;
};

struct fleet_event {
    size_t device;                /* index in the inventory */
    const struct dfu_event *dfu;  /* a step of its update, or NULL ... */
    const struct fleet_result *done; /* ... when it has finished (or was skipped) */
};
typedef void (*fleet_event_fn)(void *ctx, const struct fleet_event *ev);

struct fleet_opts {
    struct dfu_opts dfu;      /* decision, force, key, boot wait (event: unused) */
    unsigned parallel;        /* devices at once (>= 1) */
    unsigned canary;          /* these first, all must succeed (0: no canary) */
    unsigned max_failures;    /* stop starting devices after this many (0: never) */
    unsigned retries;         /* further attempts of a device that failed before its reset */
    int timeout_ms, tries;    /* per request, as in a single session */
    volatile int *cancel;     /* set (Ctrl-C): start no device, interrupt waits */
    fleet_event_fn event;
    void *event_ctx;
};

/* Updates every device with the image; res[i] is device i's result.
 * Returns the number of devices not updated (0: all were). */
size_t fleet_update(const struct fleet_device *devs, size_t n, const uint8_t *img, size_t len,
                    const struct fleet_opts *o, struct fleet_result *res);

/* What a device runs, for `fleet status` after a soak test. */
struct fleet_status {
    bool reached;             /* it answered */
    bool running, confirmed;  /* slot 0 holds an image; it is confirmed */
    bool pending;             /* slot 1 waits for a reset */
    bool changed;             /* fleet_status(confirm): this call confirmed it */
    char version[48];
    char hash[65];
    char device_id[160];      /* its identity (OS info "ni"), when this call confirmed it */
    char reason[320];         /* why it was not reached */
};

/* Asks every device what it runs (in parallel, o->parallel at once); with
 * confirm, confirms those that run an image on trial. Returns how many are
 * not reached or still not confirmed. Uses parallel, timeout_ms, tries and
 * cancel of o. */
size_t fleet_status(const struct fleet_device *devs, size_t n, bool confirm,
                    const struct fleet_opts *o, struct fleet_status *out);

/* The report: report.csv, report.json and a self-contained report.html in
 * dir (created when missing). Returns 0, or -1 with a reason in err. */
int fleet_write_report(const char *dir, const struct fleet_device *devs, size_t n,
                       const struct fleet_result *res, const char *firmware, char *err,
                       size_t errlen);

#endif
