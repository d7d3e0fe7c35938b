/*
 * Bounded CBOR codec (RFC 8949) for SMP bodies.
 *
 * Writer: appends to a caller buffer; the first item that does not fit sets
 * status to CBOR_ERR_OVERFLOW and every later put is ignored, so callers
 * check once at the end.
 * Reader: decodes one complete item at a time and validates containers
 * completely before returning them, so iterating a returned container can
 * never run past its end. Recursion is bounded by CBOR_MAX_DEPTH and every
 * declared count is checked against the bytes actually left (one byte per
 * item at least), so hostile counts cannot cause long loops.
 * Not here: chunked (indefinite-length) strings, which no SMP peer sends;
 * they are reported as CBOR_ERR_UNSUPPORTED. No floats are produced.
 */
#include "smp/cbor.h"

#include <string.h>

enum {
    MT_UINT = 0, MT_NEGINT = 1, MT_BYTES = 2, MT_TEXT = 3,
    MT_ARRAY = 4, MT_MAP = 5, MT_TAG = 6, MT_SIMPLE = 7,
};
#define AI_INDEF 31
#define CBOR_BREAK 0xff

/* ---- writer ---- */

void cbor_writer_init(struct cbor_writer *w, uint8_t *buf, size_t cap)
{
    w->buf = buf;
    w->cap = cap;
    w->len = 0;
    w->status = CBOR_OK;
}

static void put_raw(struct cbor_writer *w, const void *p, size_t n)
{
    if (w->status != CBOR_OK)
        return;
    if (n > w->cap - w->len) {
        w->status = CBOR_ERR_OVERFLOW;
        return;
    }
    if (n)
        memcpy(w->buf + w->len, p, n);
    w->len += n;
}

/* Shortest head for major type mt and argument v (preferred serialization). */
static void put_head(struct cbor_writer *w, unsigned mt, uint64_t v)
{
    uint8_t h[9];
    size_t n;

    if (v < 24) {
        h[0] = (uint8_t)((mt << 5) | v);
        n = 1;
    } else if (v <= 0xff) {
        h[0] = (uint8_t)((mt << 5) | 24);
        h[1] = (uint8_t)v;
        n = 2;
    } else if (v <= 0xffff) {
        h[0] = (uint8_t)((mt << 5) | 25);
        n = 3;
    } else if (v <= 0xffffffffu) {
        h[0] = (uint8_t)((mt << 5) | 26);
        n = 5;
    } else {
        h[0] = (uint8_t)((mt << 5) | 27);
        n = 9;
    }
    for (size_t i = 1; n > 2 && i < n; i++)
        h[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    put_raw(w, h, n);
}

void cbor_put_uint(struct cbor_writer *w, uint64_t v) { put_head(w, MT_UINT, v); }

void cbor_put_int(struct cbor_writer *w, int64_t v)
{
    if (v >= 0)
        put_head(w, MT_UINT, (uint64_t)v);
    else /* -1 - v without overflow for INT64_MIN */
        put_head(w, MT_NEGINT, (uint64_t)(-(v + 1)));
}

void cbor_put_bytes(struct cbor_writer *w, const void *p, size_t n)
{
    put_head(w, MT_BYTES, n);
    put_raw(w, p, n);
}

void cbor_put_text(struct cbor_writer *w, const char *s, size_t n)
{
    put_head(w, MT_TEXT, n);
    put_raw(w, s, n);
}

void cbor_put_str(struct cbor_writer *w, const char *s) { cbor_put_text(w, s, strlen(s)); }

void cbor_put_bool(struct cbor_writer *w, bool b)
{
    uint8_t c = b ? 0xf5 : 0xf4;
    put_raw(w, &c, 1);
}

void cbor_put_null(struct cbor_writer *w)
{
    uint8_t c = 0xf6;
    put_raw(w, &c, 1);
}

static void open_container(struct cbor_writer *w, unsigned mt, size_t n)
{
    if (n == CBOR_INDEFINITE) {
        uint8_t c = (uint8_t)((mt << 5) | AI_INDEF);
        put_raw(w, &c, 1);
    } else {
        put_head(w, mt, n);
    }
}

void cbor_open_map(struct cbor_writer *w, size_t n) { open_container(w, MT_MAP, n); }
void cbor_open_array(struct cbor_writer *w, size_t n) { open_container(w, MT_ARRAY, n); }

void cbor_close(struct cbor_writer *w)
{
    uint8_t c = CBOR_BREAK;
    put_raw(w, &c, 1);
}

/* ---- reader ---- */

void cbor_reader_init(struct cbor_reader *r, const void *buf, size_t len)
{
    r->buf = buf;
    r->len = len;
    r->pos = 0;
}

static size_t left(const struct cbor_reader *r) { return r->len - r->pos; }

/* Reads the argument that follows an initial byte with additional info ai. */
static int read_arg(struct cbor_reader *r, unsigned ai, uint64_t *arg)
{
    size_t n;

    if (ai < 24) {
        *arg = ai;
        return CBOR_OK;
    }
    if (ai > 27)
        return CBOR_ERR_MALFORMED;
    n = (size_t)1 << (ai - 24);
    if (left(r) < n)
        return CBOR_ERR_TRUNCATED;
    *arg = 0;
    for (size_t i = 0; i < n; i++)
        *arg = (*arg << 8) | r->buf[r->pos + i];
    r->pos += n;
    return CBOR_OK;
}

size_t cbor_float_size(const struct cbor_value *v)
{
    if (v->type != CBOR_TYPE_FLOAT || !v->raw || v->raw_len == 0)
        return 0;
    switch (v->raw[0] & 0x1fu) {
    case 25: return 2;
    case 26: return 4;
    case 27: return 8;
    default: return 0;
    }
}

static int read_simple(struct cbor_reader *r, unsigned ai, struct cbor_value *v)
{
    uint64_t arg;
    int rc;

    switch (ai) {
    case 20: v->type = CBOR_TYPE_FALSE; return CBOR_OK;
    case 21: v->type = CBOR_TYPE_TRUE; return CBOR_OK;
    case 22: v->type = CBOR_TYPE_NULL; return CBOR_OK;
    case 23: v->type = CBOR_TYPE_UNDEFINED; return CBOR_OK;
    case AI_INDEF: return CBOR_ERR_MALFORMED; /* a break outside a container */
    default: break;
    }
    if (ai >= 28)
        return CBOR_ERR_MALFORMED;
    rc = read_arg(r, ai, &arg);
    if (rc)
        return rc;
    if (ai < 24 || ai == 24) {
        /* simple values 24..31 must not use the one-byte form (RFC 8949 3.3) */
        if (ai == 24 && arg < 32)
            return CBOR_ERR_MALFORMED;
        v->type = CBOR_TYPE_SIMPLE;
        v->u = arg;
        return CBOR_OK;
    }
    /* half (25), single (26) or double (27): the bits as they are */
    v->type = CBOR_TYPE_FLOAT;
    v->u = arg;
    return CBOR_OK;
}

static int read_item(struct cbor_reader *r, struct cbor_value *v, int depth);

/* Validates and skips the children of a container whose head was just read. */
static int skip_children(struct cbor_reader *r, uint64_t items, bool indef, int depth)
{
    struct cbor_value child;
    int rc;

    if (depth >= CBOR_MAX_DEPTH)
        return CBOR_ERR_DEPTH;
    if (indef) {
        for (;;) {
            if (left(r) == 0)
                return CBOR_ERR_TRUNCATED;
            if (r->buf[r->pos] == CBOR_BREAK) {
                r->pos++;
                return CBOR_OK;
            }
            rc = read_item(r, &child, depth + 1);
            if (rc)
                return rc;
        }
    }
    /* every item takes at least one byte: reject impossible counts early */
    if (items > left(r))
        return CBOR_ERR_TRUNCATED;
    for (uint64_t i = 0; i < items; i++) {
        rc = read_item(r, &child, depth + 1);
        if (rc)
            return rc;
    }
    return CBOR_OK;
}

static void set_int_fields(struct cbor_value *v)
{
    if (v->type == CBOR_TYPE_UINT)
        v->i = v->u > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v->u;
    else
        v->i = v->u > (uint64_t)INT64_MAX ? INT64_MIN : -1 - (int64_t)v->u;
}

/* Major types 2..5 with ai 31: indefinite containers are fine, chunked
 * strings are not supported. */
static int read_indefinite(struct cbor_reader *r, unsigned mt, struct cbor_value *v, int depth)
{
    if (mt == MT_BYTES || mt == MT_TEXT)
        return CBOR_ERR_UNSUPPORTED;
    if (mt != MT_ARRAY && mt != MT_MAP)
        return CBOR_ERR_MALFORMED;
    v->type = mt == MT_MAP ? CBOR_TYPE_MAP : CBOR_TYPE_ARRAY;
    v->len = CBOR_INDEFINITE;
    v->data = r->buf + r->pos;
    return skip_children(r, 0, true, depth);
}

/* An item whose head carries a definite argument. */
static int read_definite(struct cbor_reader *r, unsigned mt, uint64_t arg, struct cbor_value *v,
                         int depth)
{
    v->data = r->buf + r->pos;
    switch (mt) {
    case MT_UINT:
    case MT_NEGINT:
        v->type = mt == MT_UINT ? CBOR_TYPE_UINT : CBOR_TYPE_NEGINT;
        v->u = arg;
        v->data = NULL;
        set_int_fields(v);
        return CBOR_OK;
    case MT_BYTES:
    case MT_TEXT:
        v->type = mt == MT_BYTES ? CBOR_TYPE_BYTES : CBOR_TYPE_TEXT;
        if (arg > left(r))
            return CBOR_ERR_TRUNCATED;
        v->len = (size_t)arg;
        r->pos += (size_t)arg;
        return CBOR_OK;
    case MT_ARRAY:
        v->type = CBOR_TYPE_ARRAY;
        if (arg > left(r))
            return CBOR_ERR_TRUNCATED;
        v->len = (size_t)arg;
        return skip_children(r, arg, false, depth);
    case MT_MAP:
        v->type = CBOR_TYPE_MAP;
        if (arg > left(r) / 2)
            return CBOR_ERR_TRUNCATED;
        v->len = (size_t)arg;
        return skip_children(r, arg * 2, false, depth);
    default: /* MT_TAG: the tagged item is part of this item */
        v->type = CBOR_TYPE_TAG;
        v->u = arg;
        return skip_children(r, 1, false, depth);
    }
}

/* Reads one complete item; on failure nothing is consumed. */
static int read_item(struct cbor_reader *r, struct cbor_value *v, int depth)
{
    size_t start = r->pos;
    unsigned mt, ai;
    uint64_t arg = 0;
    int rc;

    memset(v, 0, sizeof *v);
    if (left(r) == 0)
        return CBOR_ERR_TRUNCATED;
    mt = r->buf[r->pos] >> 5;
    ai = r->buf[r->pos] & 0x1fu;
    r->pos++;

    if (mt == MT_SIMPLE)
        rc = read_simple(r, ai, v);
    else if (ai == AI_INDEF)
        rc = read_indefinite(r, mt, v, depth);
    else {
        rc = read_arg(r, ai, &arg);
        if (rc == CBOR_OK)
            rc = read_definite(r, mt, arg, v, depth);
    }
    if (rc) {
        r->pos = start;
        return rc;
    }
    v->raw = r->buf + start;
    v->raw_len = r->pos - start;
    return CBOR_OK;
}

int cbor_read(struct cbor_reader *r, struct cbor_value *v)
{
    return read_item(r, v, 0);
}

int cbor_iter_init(struct cbor_iter *it, const struct cbor_value *c)
{
    size_t head;

    if (c->type != CBOR_TYPE_ARRAY && c->type != CBOR_TYPE_MAP)
        return CBOR_ERR_TYPE;
    head = (size_t)(c->data - c->raw);
    cbor_reader_init(&it->r, c->data, c->raw_len - head);
    if (c->len == CBOR_INDEFINITE)
        it->remaining = CBOR_INDEFINITE;
    else
        it->remaining = c->type == CBOR_TYPE_MAP ? c->len * 2 : c->len;
    return CBOR_OK;
}

int cbor_iter_next(struct cbor_iter *it, struct cbor_value *v)
{
    int rc;

    if (it->remaining == 0)
        return 0;
    if (it->remaining == CBOR_INDEFINITE) {
        if (left(&it->r) == 0)
            return CBOR_ERR_TRUNCATED;
        if (it->r.buf[it->r.pos] == CBOR_BREAK)
            return 0;
    }
    rc = cbor_read(&it->r, v);
    if (rc)
        return rc;
    if (it->remaining != CBOR_INDEFINITE)
        it->remaining--;
    return 1;
}

bool cbor_text_eq(const struct cbor_value *v, const char *s)
{
    size_t n = strlen(s);
    return v->type == CBOR_TYPE_TEXT && v->len == n && memcmp(v->data, s, n) == 0;
}

int cbor_map_get(const struct cbor_value *map, const char *key, struct cbor_value *out)
{
    struct cbor_iter it;
    struct cbor_value k;
    int rc;

    if (map->type != CBOR_TYPE_MAP)
        return CBOR_ERR_TYPE;
    rc = cbor_iter_init(&it, map);
    if (rc)
        return rc;
    while ((rc = cbor_iter_next(&it, &k)) == 1) {
        bool match = cbor_text_eq(&k, key);
        rc = cbor_iter_next(&it, out);
        if (rc != 1)
            return rc < 0 ? rc : CBOR_ERR_MALFORMED;
        if (match)
            return 1;
    }
    return rc;
}

int cbor_map_get_uint(const struct cbor_value *map, const char *key, uint64_t *out)
{
    struct cbor_value v;
    int rc = cbor_map_get(map, key, &v);
    if (rc != 1)
        return rc;
    if (v.type != CBOR_TYPE_UINT)
        return CBOR_ERR_TYPE;
    *out = v.u;
    return 1;
}

int cbor_map_get_int(const struct cbor_value *map, const char *key, int64_t *out)
{
    struct cbor_value v;
    int rc = cbor_map_get(map, key, &v);
    if (rc != 1)
        return rc;
    if ((v.type != CBOR_TYPE_UINT && v.type != CBOR_TYPE_NEGINT) || v.u > (uint64_t)INT64_MAX)
        return CBOR_ERR_TYPE;
    *out = v.i;
    return 1;
}

int cbor_map_get_bool(const struct cbor_value *map, const char *key, bool *out)
{
    struct cbor_value v;
    int rc = cbor_map_get(map, key, &v);
    if (rc != 1)
        return rc;
    if (v.type != CBOR_TYPE_TRUE && v.type != CBOR_TYPE_FALSE)
        return CBOR_ERR_TYPE;
    *out = v.type == CBOR_TYPE_TRUE;
    return 1;
}

static int get_string(const struct cbor_value *map, const char *key, enum cbor_type t,
                      const uint8_t **p, size_t *n)
{
    struct cbor_value v;
    int rc = cbor_map_get(map, key, &v);
    if (rc != 1)
        return rc;
    if (v.type != t)
        return CBOR_ERR_TYPE;
    *p = v.data;
    *n = v.len;
    return 1;
}

int cbor_map_get_bytes(const struct cbor_value *map, const char *key, const uint8_t **p, size_t *n)
{
    return get_string(map, key, CBOR_TYPE_BYTES, p, n);
}

int cbor_map_get_text(const struct cbor_value *map, const char *key, const char **p, size_t *n)
{
    return get_string(map, key, CBOR_TYPE_TEXT, (const uint8_t **)p, n);
}
