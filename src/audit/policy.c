/* The audit policy (see policy.h): pure rules over what the device said. */
#include "audit/policy.h"

#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void hash_hex(const uint8_t *h, size_t n, char out[AUDIT_HASH_HEX])
{
    out[0] = '\0';
    for (size_t i = 0; i < n && 2 * i + 2 < AUDIT_HASH_HEX; i++)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
}

void audit_running_of(const struct client_image_state *st, struct audit_running *r)
{
    memset(r, 0, sizeof *r);
    for (size_t i = 0; i < st->count; i++) {
        const struct client_image_slot *sl = &st->slots[i];
        if (sl->image != 0)
            continue;
        if (sl->slot == 1 && sl->hash_len)
            hash_hex(sl->hash, sl->hash_len, r->slot1_hash);
        /* the active image runs; without an active flag, slot 0 does */
        if (sl->active || (sl->slot == 0 && !r->known)) {
            r->known = true;
            snprintf(r->version, sizeof r->version, "%s", sl->version);
            hash_hex(sl->hash, sl->hash_len, r->hash);
        }
    }
}

bool audit_detail_is_hash(const char *detail)
{
    size_t n = detail ? strlen(detail) : 0;
    if (n < 8 || n >= AUDIT_HASH_HEX)
        return false;
    return strspn(detail, "0123456789abcdefABCDEF") == n;
}

bool audit_action_resets(const char *action)
{
    /* dfu resets the device inside its run (src/dfu) */
    return action && (strcmp(action, "reset") == 0 || strcmp(action, "dfu") == 0);
}

static bool is_reset(const struct audit_change *c)
{
    return audit_action_resets(c->action);
}

static void fill_running(struct audit_record *rec, const struct audit_change *c)
{
    static const struct audit_running unknown;
    const struct audit_running *before = c->after;

    if (is_reset(c))
        before = c->before_reset ? c->before_reset : &unknown;
    if (before->known) {
        snprintf(rec->version_before, sizeof rec->version_before, "%s", before->version);
        snprintf(rec->hash_before, sizeof rec->hash_before, "%s", before->hash);
    }
    if (c->after->known) {
        snprintf(rec->version_after, sizeof rec->version_after, "%s", c->after->version);
        snprintf(rec->hash_after, sizeof rec->hash_after, "%s", c->after->hash);
    }
}

/* Needs the running image before and after in rec already. */
static void fill_image_hash(struct audit_record *rec, const struct audit_change *c)
{
    const struct audit_running *after = c->after;
    const char *hash = "";

    if (audit_detail_is_hash(c->detail))
        hash = c->detail;
    else if (!strcmp(c->action, "image upload") && c->result == 0)
        hash = after->slot1_hash;
    else if (!strcmp(c->action, "image confirm") && after->known)
        hash = after->hash; /* confirm without a hash makes the running image permanent */
    else if (is_reset(c) && after->known && strcmp(after->hash, rec->hash_before) != 0)
        hash = after->hash;
    snprintf(rec->image_hash, sizeof rec->image_hash, "%s", hash);
}

/* The command's detail, then its error; a reset the device did not come
 * back from says so. A long text is cut to the record's field. */
static void fill_detail(struct audit_record *rec, const struct audit_change *c)
{
    const char *detail = c->detail ? c->detail : "", *err = c->error ? c->error : "";
    bool silent_after_reset = is_reset(c) && c->result == 0 && !c->after->known;
    char text[1400];
    int n = snprintf(text, sizeof text, "%s%s%s%s", detail, err[0] && detail[0] ? "; " : "",
                     err[0] ? "error: " : "", err);

    if (silent_after_reset && n >= 0 && (size_t)n < sizeof text)
        snprintf(text + n, sizeof text - (size_t)n,
                 "%sthe device did not answer within %d s after the reset", n ? "; " : "",
                 AUDIT_RESET_WAIT_MS / 1000);
    size_t len = strnlen(text, sizeof rec->detail - 1);
    memcpy(rec->detail, text, len);
    rec->detail[len] = '\0';
}

void audit_describe_change(struct audit_record *rec, const struct audit_change *c)
{
    snprintf(rec->action, sizeof rec->action, "%s", c->action);
    snprintf(rec->outcome, sizeof rec->outcome, "%s", c->result == 0 ? "ok" : "failed");
    fill_running(rec, c);
    fill_image_hash(rec, c);
    fill_detail(rec, c);
}

void audit_describe_unreached(struct audit_record *rec, const char *action)
{
    snprintf(rec->action, sizeof rec->action, "%s", action);
    snprintf(rec->outcome, sizeof rec->outcome, "failed");
    snprintf(rec->detail, sizeof rec->detail,
             "the connection could not be opened; the device was not reached");
}

static const char *operator_of(const char *op)
{
    const char *v = op;
    if (!v || !*v)
        v = getenv("MCUTOOLS_OPERATOR");
    if (!v || !*v)
        v = getlogin();
    if (!v || !*v)
        v = getenv("LOGNAME");
    if (!v || !*v)
        v = getenv("USER");
    if (!v || !*v) {
        struct passwd *pw = getpwuid(getuid());
        v = pw ? pw->pw_name : "unknown";
    }
    return v;
}

void audit_fill_origin(struct audit_record *rec, const char *op)
{
    char host[HOST_NAME_MAX + 1] = "";

    snprintf(rec->operator_name, sizeof rec->operator_name, "%s", operator_of(op));
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "unknown");
    host[sizeof host - 1] = '\0';
    snprintf(rec->host, sizeof rec->host, "%s", host);
}
