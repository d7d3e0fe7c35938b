/*
 * Client operations of the OS (tasks, pools, clock, bootloader), stat,
 * settings, shell, enum and Zephyr basic groups (smp-protocol §4). Each
 * builds its small request, checks the answer's shape and copies what it
 * needs into the caller's structs. Not here: the file system transfers
 * (ops_fs.c) and printing (the CLI).
 */
/* pread/pwrite, ftruncate, O_CLOEXEC, clock_gettime, gmtime_r: also when built as strict C11 */
#define _POSIX_C_SOURCE 200809L

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/internal.h"
#include "client/mgmt.h"

enum { OS_TASKSTAT = 2, OS_MPSTAT = 3, OS_DATETIME = 4, OS_BOOTLOADER = 8 };
enum { STAT_READ = 0, STAT_LIST = 1 };
enum { SET_VALUE = 0, SET_DELETE = 1, SET_COMMIT = 2, SET_LOAD_SAVE = 3 };
enum { SHELL_EXEC = 0 };
enum { ENUM_COUNT = 0, ENUM_LIST = 1, ENUM_SINGLE = 2, ENUM_DETAILS = 3 };
enum { ZEPHYR_ERASE_STORAGE = 0 };

/* A storage erase takes a while on real flash (32 KiB at 85 ms a page is
 * under a second, bigger partitions take longer): never give up sooner. */
#define STORAGE_ERASE_MIN_TIMEOUT_MS 30000

/* Copies a CBOR text or byte string into a NUL-terminated name. */
static void copy_name(char *out, size_t cap, const struct cbor_value *v)
{
    size_t n = v->len < cap ? v->len : cap - 1;
    if (v->type != CBOR_TYPE_TEXT && v->type != CBOR_TYPE_BYTES)
        n = 0;
    if (n)
        memcpy(out, v->data, n);
    out[n] = '\0';
}

/* Every list the Go tool prints sorted holds entries that start with their
 * NUL-terminated name (tasks, pools, stat groups and fields), so one
 * comparison sorts them all; the asserts keep it that way. */
_Static_assert(offsetof(struct client_task, name) == 0, "name first");
_Static_assert(offsetof(struct client_pool, name) == 0, "name first");
_Static_assert(offsetof(struct client_stat_field, name) == 0, "name first");

static int by_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

static uint64_t get_u(const struct cbor_value *m, const char *key)
{
    uint64_t v = 0;
    return cbor_map_get_uint(m, key, &v) == 1 ? v : 0;
}

/* Walks the map body[key] of name -> map entries, calling fill for each
 * (at most cap); returns the count through *n. key NULL walks the body
 * itself and skips what is not a named map (`rc`, `err`). */
static int walk_named_maps(const struct cbor_value *body, const char *key, size_t cap, size_t *n,
                           void (*fill)(void *arr, size_t i, const struct cbor_value *name,
                                        const struct cbor_value *m),
                           void *arr)
{
    struct cbor_value map = *body, k, v;
    struct cbor_iter it;
    int rc;

    *n = 0;
    if ((key && cbor_map_get(body, key, &map) != 1) || map.type != CBOR_TYPE_MAP ||
        cbor_iter_init(&it, &map) != CBOR_OK)
        return CLIENT_ERR_PROTO;
    while ((rc = cbor_iter_next(&it, &k)) == 1) {
        if (cbor_iter_next(&it, &v) != 1)
            return CLIENT_ERR_PROTO;
        if (!key && (v.type != CBOR_TYPE_MAP || k.type != CBOR_TYPE_TEXT || cbor_text_eq(&k, "err")))
            continue;
        if (v.type != CBOR_TYPE_MAP)
            return CLIENT_ERR_PROTO;
        if (*n < cap)
            fill(arr, (*n)++, &k, &v);
    }
    return rc < 0 ? CLIENT_ERR_PROTO : 0;
}

/* ---- OS ---- */

static void fill_task(void *arr, size_t i, const struct cbor_value *name, const struct cbor_value *m)
{
    struct client_task *t = &((struct client_task *)arr)[i];
    copy_name(t->name, sizeof t->name, name);
    t->prio = get_u(m, "prio");
    t->tid = get_u(m, "tid");
    t->state = get_u(m, "state");
    t->stkuse = get_u(m, "stkuse");
    t->stksiz = get_u(m, "stksiz");
    t->cswcnt = get_u(m, "cswcnt");
    t->runtime = get_u(m, "runtime");
    t->last_checkin = get_u(m, "last_checkin");
    t->next_checkin = get_u(m, "next_checkin");
}

int client_taskstat(struct client_session *s, struct client_task *t, size_t cap, size_t *n,
                    struct client_rsp *rsp)
{
    int rc = client_call_empty(s, SMP_OP_READ, SMP_GROUP_OS, OS_TASKSTAT, rsp);
    if (rc)
        return rc;
    rc = walk_named_maps(&rsp->body, "tasks", cap, n, fill_task, t);
    if (rc == 0)
        qsort(t, *n, sizeof *t, by_name);
    return rc;
}

static void fill_pool(void *arr, size_t i, const struct cbor_value *name, const struct cbor_value *m)
{
    struct client_pool *p = &((struct client_pool *)arr)[i];
    copy_name(p->name, sizeof p->name, name);
    p->blksiz = get_u(m, "blksiz");
    p->nblks = get_u(m, "nblks");
    p->nfree = get_u(m, "nfree");
    p->min = get_u(m, "min");
}

int client_mpstat(struct client_session *s, struct client_pool *p, size_t cap, size_t *n,
                  struct client_rsp *rsp)
{
    int rc = client_call_empty(s, SMP_OP_READ, SMP_GROUP_OS, OS_MPSTAT, rsp);
    if (rc)
        return rc;
    /* deployed servers wrap the pools in `mpools`; one documented layout
     * has them at the top level: take both */
    struct cbor_value wrapped;
    bool has_wrapper = cbor_map_get(&rsp->body, "mpools", &wrapped) == 1;
    rc = walk_named_maps(&rsp->body, has_wrapper ? "mpools" : NULL, cap, n, fill_pool, p);
    if (rc == 0)
        qsort(p, *n, sizeof *p, by_name);
    return rc;
}

int client_datetime_get(struct client_session *s, char *out, size_t cap)
{
    struct client_rsp *rsp = malloc(sizeof *rsp);
    const char *t;
    size_t n;
    int rc;

    if (!rsp)
        return CLIENT_ERR_NOMEM;
    rc = client_call_empty(s, SMP_OP_READ, SMP_GROUP_OS, OS_DATETIME, rsp);
    if (rc == 0 && cbor_map_get_text(&rsp->body, "datetime", &t, &n) != 1)
        rc = CLIENT_ERR_PROTO;
    if (rc == 0)
        client_copy_text(out, cap, t, n);
    free(rsp);
    return rc;
}

int client_datetime_set(struct client_session *s, const char *rfc3339)
{
    uint8_t body[128];
    size_t len;

    if (client_datetime_check(rfc3339) != 0 ||
        client_encode_text_map(body, sizeof body, "datetime", rfc3339, &len) != 0)
        return CLIENT_ERR_ARG;
    return client_call_status(s, SMP_OP_WRITE, SMP_GROUP_OS, OS_DATETIME, body, len);
}

/* Reads exactly width digits; -1 when they are not there. */
static long digits(const char **p, int width)
{
    long v = 0;
    for (int i = 0; i < width; i++, (*p)++) {
        if (**p < '0' || **p > '9')
            return -1;
        v = v * 10 + (**p - '0');
    }
    return v;
}

static int expect_char(const char **p, const char *any)
{
    if (**p && strchr(any, **p)) {
        (*p)++;
        return 0;
    }
    return -1;
}

int client_datetime_check(const char *text)
{
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    const char *p = text;
    long y, mo, d, h, mi, sec;

    if (!text)
        return CLIENT_ERR_ARG;
    if ((y = digits(&p, 4)) < 0 || expect_char(&p, "-") || (mo = digits(&p, 2)) < 1 || mo > 12 ||
        expect_char(&p, "-") || (d = digits(&p, 2)) < 1 || d > mdays[mo - 1] ||
        expect_char(&p, "Tt ") || (h = digits(&p, 2)) < 0 || h > 23 || expect_char(&p, ":") ||
        (mi = digits(&p, 2)) < 0 || mi > 59 || expect_char(&p, ":") ||
        (sec = digits(&p, 2)) < 0 || sec > 60 || y < 1970)
        return CLIENT_ERR_ARG;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return CLIENT_ERR_ARG;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'Z' || *p == 'z')
        p++;
    else if (*p == '+' || *p == '-') {
        long zh, zm;
        p++;
        if ((zh = digits(&p, 2)) < 0 || zh > 23 || expect_char(&p, ":") ||
            (zm = digits(&p, 2)) < 0 || zm > 59)
            return CLIENT_ERR_ARG;
    }
    return *p ? CLIENT_ERR_ARG : 0;
}

int client_datetime_now(char *out, size_t cap)
{
    struct timespec ts;
    struct tm tm;

    if (cap == 0 || clock_gettime(CLOCK_REALTIME, &ts) != 0 || !gmtime_r(&ts.tv_sec, &tm) ||
        strftime(out, cap, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
        return CLIENT_ERR_ARG;
    return 0;
}

int client_bootloader_info(struct client_session *s, const char *query,
                           struct client_bootloader *b, struct client_rsp *rsp)
{
    uint8_t body[128];
    size_t len, n;
    const char *t;
    bool nd = false;
    int rc;

    memset(b, 0, sizeof *b);
    if (client_encode_text_map(body, sizeof body, "query", query, &len) != 0)
        return CLIENT_ERR_ARG;
    rc = client_call(s, SMP_OP_READ, SMP_GROUP_OS, OS_BOOTLOADER, body, len, rsp);
    if (rc)
        return rc;
    if (cbor_map_get_text(&rsp->body, "bootloader", &t, &n) == 1)
        client_copy_text(b->name, sizeof b->name, t, n);
    b->has_mode = cbor_map_get_int(&rsp->body, "mode", &b->mode) == 1;
    b->no_downgrade = cbor_map_get_bool(&rsp->body, "no-downgrade", &nd) == 1 && nd;
    if (!query && !b->name[0])
        return CLIENT_ERR_PROTO;
    return 0;
}

const char *client_boot_mode_name(int64_t mode)
{
    switch (mode) {
    case -1: return "unknown";
    case 0: return "single application";
    case 1: return "swap using scratch";
    case 2: return "overwrite-only";
    case 3: return "swap without scratch (move)";
    case 4: return "direct-XIP without revert";
    case 5: return "direct-XIP with revert";
    case 6: return "RAM load";
    default: return NULL;
    }
}

/* ---- statistics ---- */

int client_stat_list(struct client_session *s, char (*names)[CLIENT_NAME_MAX], size_t cap,
                     size_t *n, struct client_rsp *rsp)
{
    struct cbor_value v;
    struct cbor_iter it;
    int rc = client_call_empty(s, SMP_OP_READ, SMP_GROUP_STAT, STAT_LIST, rsp);

    *n = 0;
    if (rc == 0)
        rc = client_member_iter(&rsp->body, "stat_list", CBOR_TYPE_ARRAY, &it);
    if (rc)
        return rc;
    while ((rc = cbor_iter_next(&it, &v)) == 1) {
        if (v.type != CBOR_TYPE_TEXT)
            return CLIENT_ERR_PROTO;
        if (*n < cap)
            copy_name(names[(*n)++], CLIENT_NAME_MAX, &v);
    }
    if (rc < 0)
        return CLIENT_ERR_PROTO;
    qsort(names, *n, CLIENT_NAME_MAX, by_name);
    return 0;
}

int client_stat_read(struct client_session *s, const char *group, struct client_stat_field *f,
                     size_t cap, size_t *n, struct client_rsp *rsp)
{
    uint8_t body[256];
    struct cbor_value k, v;
    struct cbor_iter it;
    size_t len;
    int rc;

    *n = 0;
    if (client_encode_text_map(body, sizeof body, "name", group, &len) != 0)
        return CLIENT_ERR_ARG;
    rc = client_call(s, SMP_OP_READ, SMP_GROUP_STAT, STAT_READ, body, len, rsp);
    if (rc == 0)
        rc = client_member_iter(&rsp->body, "fields", CBOR_TYPE_MAP, &it);
    if (rc)
        return rc;
    while ((rc = cbor_iter_next(&it, &k)) == 1) {
        if (cbor_iter_next(&it, &v) != 1 || v.type != CBOR_TYPE_UINT)
            return CLIENT_ERR_PROTO;
        if (*n < cap) {
            copy_name(f[*n].name, sizeof f[*n].name, &k);
            f[(*n)++].value = v.u;
        }
    }
    if (rc < 0)
        return CLIENT_ERR_PROTO;
    qsort(f, *n, sizeof *f, by_name);
    return 0;
}

/* ---- settings ---- */

/* A request of {name} or {} (name NULL), for delete and save. */
static int call_named(struct client_session *s, uint8_t op, uint16_t group, uint8_t id,
                      const char *name)
{
    uint8_t body[512];
    size_t len;
    int rc = client_encode_text_map(body, sizeof body, "name", name, &len);

    return rc ? rc : client_call_status(s, op, group, id, body, len);
}

int client_settings_read(struct client_session *s, const char *name, uint8_t *val, size_t cap,
                         size_t *len, struct client_rsp *rsp)
{
    uint8_t body[512];
    struct cbor_value v;
    size_t blen;
    int rc = client_encode_text_map(body, sizeof body, "name", name, &blen);

    if (rc)
        return rc;
    rc = client_call(s, SMP_OP_READ, SMP_GROUP_SETTINGS, SET_VALUE, body, blen, rsp);
    if (rc)
        return rc;
    if (cbor_map_get(&rsp->body, "val", &v) != 1 ||
        (v.type != CBOR_TYPE_BYTES && v.type != CBOR_TYPE_TEXT))
        return CLIENT_ERR_PROTO;
    *len = v.len;
    memcpy(val, v.data, v.len < cap ? v.len : cap);
    return 0;
}

int client_settings_write(struct client_session *s, const char *name, const uint8_t *val,
                          size_t len, bool as_text)
{
    uint8_t body[CLIENT_MSG_MAX];
    struct cbor_writer w;

    cbor_writer_init(&w, body, sizeof body);
    cbor_open_map(&w, 2);
    cbor_put_str(&w, "name");
    cbor_put_str(&w, name);
    cbor_put_str(&w, "val");
    if (as_text)
        cbor_put_text(&w, (const char *)val, len);
    else
        cbor_put_bytes(&w, val, len);
    if (w.status || (s->max_msg && w.len + SMP_HDR_SIZE > s->max_msg))
        return CLIENT_ERR_TOO_BIG;
    return client_call_status(s, SMP_OP_WRITE, SMP_GROUP_SETTINGS, SET_VALUE, body, w.len);
}

int client_settings_delete(struct client_session *s, const char *name)
{
    return call_named(s, SMP_OP_WRITE, SMP_GROUP_SETTINGS, SET_DELETE, name);
}

int client_settings_commit(struct client_session *s)
{
    return call_named(s, SMP_OP_WRITE, SMP_GROUP_SETTINGS, SET_COMMIT, NULL);
}

int client_settings_load(struct client_session *s)
{
    return call_named(s, SMP_OP_READ, SMP_GROUP_SETTINGS, SET_LOAD_SAVE, NULL);
}

int client_settings_save(struct client_session *s, const char *subtree)
{
    static const uint8_t save_true[] = { 0xa1, 0x64, 's', 'a', 'v', 'e', 0xf5 };
    int rc = call_named(s, SMP_OP_WRITE, SMP_GROUP_SETTINGS, SET_LOAD_SAVE, subtree);

    /* Mynewt has no save command; it saves on a value write of {save:true} */
    if (rc != CLIENT_ERR_DEVICE || s->dev_err.rc != SMP_ERR_ENOTSUP || subtree)
        return rc;
    return client_call_status(s, SMP_OP_WRITE, SMP_GROUP_SETTINGS, SET_VALUE, save_true,
                              sizeof save_true);
}

/* ---- shell ---- */

int client_shell_exec(struct client_session *s, int argc, const char *const argv[], char *out,
                      size_t cap, int *ret, struct client_rsp *rsp)
{
    uint8_t body[CLIENT_MSG_MAX];
    struct cbor_writer w;
    const char *t;
    size_t n;
    int64_t v;
    int rc;

    if (argc < 1 || cap == 0)
        return CLIENT_ERR_ARG;
    cbor_writer_init(&w, body, sizeof body);
    cbor_open_map(&w, 1);
    cbor_put_str(&w, "argv");
    cbor_open_array(&w, (size_t)argc);
    for (int i = 0; i < argc; i++)
        cbor_put_str(&w, argv[i]);
    if (w.status || (s->max_msg && w.len + SMP_HDR_SIZE > s->max_msg))
        return CLIENT_ERR_TOO_BIG;
    rc = client_call(s, SMP_OP_WRITE, SMP_GROUP_SHELL, SHELL_EXEC, body, w.len, rsp);
    /* A legacy server puts the command's status in `rc` beside the output:
     * with `o` present, that rc is the command's, not an SMP error. */
    bool has_out = (rc == 0 || rc == CLIENT_ERR_DEVICE) &&
                   cbor_map_get_text(&rsp->body, "o", &t, &n) == 1;
    if (rc == CLIENT_ERR_DEVICE && !(has_out && !s->dev_err.has_group))
        return rc;
    if (rc != 0 && rc != CLIENT_ERR_DEVICE)
        return rc;
    if (!has_out)
        return CLIENT_ERR_PROTO;
    client_copy_text(out, cap, t, n);
    *ret = 0;
    if (cbor_map_get_int(&rsp->body, "ret", &v) == 1 || cbor_map_get_int(&rsp->body, "rc", &v) == 1)
        *ret = (int)v;
    memset(&s->dev_err, 0, sizeof s->dev_err);
    return 0;
}

/* ---- enumeration ---- */

int client_enum_count(struct client_session *s, uint64_t *count)
{
    struct client_rsp *rsp = malloc(sizeof *rsp);
    int rc;

    if (!rsp)
        return CLIENT_ERR_NOMEM;
    rc = client_call_empty(s, SMP_OP_READ, SMP_GROUP_ENUM, ENUM_COUNT, rsp);
    if (rc == 0 && cbor_map_get_uint(&rsp->body, "count", count) != 1)
        rc = CLIENT_ERR_PROTO;
    free(rsp);
    return rc;
}

int client_enum_list(struct client_session *s, uint16_t *ids, size_t cap, size_t *n,
                     struct client_rsp *rsp)
{
    struct cbor_value v;
    struct cbor_iter it;
    int rc = client_call_empty(s, SMP_OP_READ, SMP_GROUP_ENUM, ENUM_LIST, rsp);

    *n = 0;
    if (rc == 0)
        rc = client_member_iter(&rsp->body, "groups", CBOR_TYPE_ARRAY, &it);
    if (rc)
        return rc;
    while ((rc = cbor_iter_next(&it, &v)) == 1) {
        if (v.type != CBOR_TYPE_UINT || v.u > 0xffff)
            return CLIENT_ERR_PROTO;
        if (*n < cap)
            ids[(*n)++] = (uint16_t)v.u;
    }
    return rc < 0 ? CLIENT_ERR_PROTO : 0;
}

int client_enum_single(struct client_session *s, uint64_t index, uint16_t *id, bool *end,
                       struct client_rsp *rsp)
{
    uint8_t body[32];
    struct cbor_writer w;
    uint64_t g;
    int rc;

    cbor_writer_init(&w, body, sizeof body);
    cbor_open_map(&w, 1);
    cbor_put_str(&w, "index");
    cbor_put_uint(&w, index);
    rc = client_call(s, SMP_OP_READ, SMP_GROUP_ENUM, ENUM_SINGLE, body, w.len, rsp);
    if (rc)
        return rc;
    if (cbor_map_get_uint(&rsp->body, "group", &g) != 1 || g > 0xffff)
        return CLIENT_ERR_PROTO;
    *id = (uint16_t)g;
    *end = false;
    (void)cbor_map_get_bool(&rsp->body, "end", end);
    return 0;
}

static int parse_group_info(const struct cbor_value *m, struct client_group_info *g)
{
    const char *t;
    size_t n;
    uint64_t id;

    memset(g, 0, sizeof *g);
    if (m->type != CBOR_TYPE_MAP || cbor_map_get_uint(m, "group", &id) != 1 || id > 0xffff)
        return CLIENT_ERR_PROTO;
    g->id = (uint16_t)id;
    if (cbor_map_get_text(m, "name", &t, &n) == 1)
        client_copy_text(g->name, sizeof g->name, t, n);
    g->has_handlers = cbor_map_get_uint(m, "handlers", &g->handlers) == 1;
    return 0;
}

int client_enum_details(struct client_session *s, const uint16_t *filter, size_t nfilter,
                        struct client_group_info *g, size_t cap, size_t *n,
                        struct client_rsp *rsp)
{
    uint8_t body[1024];
    struct cbor_writer w;
    struct cbor_value v;
    struct cbor_iter it;
    int rc;

    *n = 0;
    cbor_writer_init(&w, body, sizeof body);
    cbor_open_map(&w, nfilter ? 1 : 0);
    if (nfilter) {
        cbor_put_str(&w, "groups");
        cbor_open_array(&w, nfilter);
        for (size_t i = 0; i < nfilter; i++)
            cbor_put_uint(&w, filter[i]);
    }
    if (w.status)
        return CLIENT_ERR_TOO_BIG;
    rc = client_call(s, SMP_OP_READ, SMP_GROUP_ENUM, ENUM_DETAILS, body, w.len, rsp);
    if (rc == 0)
        rc = client_member_iter(&rsp->body, "groups", CBOR_TYPE_ARRAY, &it);
    if (rc)
        return rc;
    while ((rc = cbor_iter_next(&it, &v)) == 1) {
        if (*n == cap)
            continue;
        if (parse_group_info(&v, &g[*n]) != 0)
            return CLIENT_ERR_PROTO;
        (*n)++;
    }
    return rc < 0 ? CLIENT_ERR_PROTO : 0;
}

/* ---- Zephyr basic ---- */

int client_storage_erase(struct client_session *s)
{
    static const uint8_t empty_map[] = { 0xa0 };
    int tmo = s->timeout_ms > STORAGE_ERASE_MIN_TIMEOUT_MS ? s->timeout_ms
                                                          : STORAGE_ERASE_MIN_TIMEOUT_MS;

    return client_call_status_tmo(s, SMP_OP_WRITE, SMP_GROUP_ZEPHYR, ZEPHYR_ERASE_STORAGE,
                                  empty_map, sizeof empty_map, tmo);
}
