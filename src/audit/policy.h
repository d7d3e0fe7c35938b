/*
 * The audit policy: what one record says about a command that changed a
 * device (issue 6, issue 10). The rules, apart from any device I/O (see
 * audit/device.h for the queries that feed them):
 *
 * - Only a reset (or a dfu run, which resets) changes the running image,
 *   so only its record needs the running image from before the action:
 *   the caller snapshots it before the reset. For every other action the image running before is,
 *   by construction, the one running after.
 * - The image a record is about: the hash the command names (a detail that
 *   looks like a hash), else what the action implies (an upload: slot 1;
 *   a confirm without a hash: the running image; a reset: the image that
 *   runs after it, when that is another one).
 * - A state-changing command that never reached the device still leaves a
 *   failed record.
 */
#ifndef AUDIT_POLICY_H
#define AUDIT_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "audit/audit.h"
#include "client/client.h"

/* How long a reset's record waits for the device to come back, so that it
 * can name the image that runs after the reboot. */
#define AUDIT_RESET_WAIT_MS 5000

/* The image a device runs, and the one in its slot 1, as an image-state
 * answer shows them. */
struct audit_running {
    bool known;
    char version[48];
    char hash[AUDIT_HASH_HEX];
    char slot1_hash[AUDIT_HASH_HEX];
};

/* The running image of pair 0 in st: the active slot; without an active
 * flag (older servers), slot 0. */
void audit_running_of(const struct client_image_state *st, struct audit_running *r);

/* Whether the action reboots the device (reset, dfu): the actions that may
 * change the running image, so their records need a snapshot from before. */
bool audit_action_resets(const char *action);

/* Whether a command's detail is an image hash (8 to 64 hex digits): image
 * test and confirm name the image they are about this way. */
bool audit_detail_is_hash(const char *detail);

/* What a command did, as it reports it after acting. */
struct audit_change {
    const char *action;                /* "image upload", "reset", ... */
    const char *detail;                /* the command's own words, or NULL */
    int result;                        /* 0, or the client error */
    const char *error;                 /* the error as text; "" or NULL when none */
    const struct audit_running *before_reset; /* a reset's snapshot; NULL: none taken */
    const struct audit_running *after; /* the running image after the action */
};

/* Fills action, outcome, the running image before and after, the image
 * hash and the detail (the command's words, then its error; cut to the
 * field) of rec. Who, where and how the device was reached are the
 * caller's. */
void audit_describe_change(struct audit_record *rec, const struct audit_change *c);

/* Fills action, outcome and detail of the record of a state-changing
 * command whose connection could not be opened. */
void audit_describe_unreached(struct audit_record *rec, const char *action);

/* Fills operator (op when given, else $MCUTOOLS_OPERATOR, else the login
 * name) and host of rec. */
void audit_fill_origin(struct audit_record *rec, const char *op);

#endif
