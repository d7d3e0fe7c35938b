/*
 * The delta encoder, host side (delta_make.h, DELTA.md). A greedy LZ77
 * parse of the target over two sources: the whole base (every position
 * indexed by a hash of its next 4 bytes) and the last DELTA_WINDOW bytes
 * of the target itself. At each target position the candidate that saves
 * the most patch bytes wins (a longer match, or a shorter base offset
 * delta); positions no candidate pays for become literal bytes.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "image/delta.h"
#include "image/delta_make.h"
#include "image/image.h"
#include "image/image_crypto.h"

#define HASH_BITS 16
#define HASH_SIZE (1u << HASH_BITS)
#define MIN_MATCH 4
#define BASE_CHAIN 64   /* base candidates looked at per position */
#define WIN_CHAIN 32    /* window candidates looked at per position */
#define NO_POS UINT32_MAX

struct outbuf {
    uint8_t *p;
    size_t len, cap;
    bool failed;
};

struct chains {
    uint32_t head[HASH_SIZE];
    uint32_t *prev; /* by position: the previous one with the same hash */
};

struct encoder {
    const uint8_t *base, *tgt;
    size_t base_len, tgt_len;
    struct chains b, t;
    uint64_t cursor;
    size_t lit_start; /* literal bytes wait in [lit_start, pos) */
    struct outbuf out;
};

struct match {
    uint32_t len;
    enum delta_op kind;
    uint64_t arg; /* WIN: dist - 1; BASE: zigzag offset delta */
};

static void put(struct outbuf *o, const uint8_t *p, size_t n)
{
    if (o->failed)
        return;
    if (o->len + n > o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 4096;
        while (cap < o->len + n)
            cap *= 2;
        uint8_t *np = realloc(o->p, cap);
        if (!np) {
            o->failed = true;
            return;
        }
        o->p = np;
        o->cap = cap;
    }
    memcpy(o->p + o->len, p, n);
    o->len += n;
}

static size_t varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static void put_varint(struct outbuf *o, uint64_t v)
{
    uint8_t b[10];
    size_t n = 0;
    do {
        b[n] = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v)
            b[n] |= 0x80;
        n++;
    } while (v);
    put(o, b, n);
}

/* Bytes a tag with length len takes. */
static size_t tag_len(uint32_t len)
{
    return len <= 63 ? 1 : 1 + varint_len(len - 64);
}

static void put_tag(struct outbuf *o, enum delta_op kind, uint32_t len)
{
    uint8_t t = (uint8_t)(kind << 6);
    if (len <= 63) {
        t |= (uint8_t)(len - 1);
        put(o, &t, 1);
        return;
    }
    t |= 0x3f;
    put(o, &t, 1);
    put_varint(o, len - 64);
}

static uint32_t hash4(const uint8_t *p)
{
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return (v * 2654435761u) >> (32 - HASH_BITS);
}

static int chains_init(struct chains *c, size_t len)
{
    for (size_t i = 0; i < HASH_SIZE; i++)
        c->head[i] = NO_POS;
    c->prev = malloc((len ? len : 1) * sizeof *c->prev);
    return c->prev ? 0 : -1;
}

static void chains_insert(struct chains *c, const uint8_t *data, size_t len, size_t pos)
{
    if (pos + MIN_MATCH > len)
        return;
    uint32_t h = hash4(data + pos);
    c->prev[pos] = c->head[h];
    c->head[h] = (uint32_t)pos;
}

static uint32_t common(const uint8_t *a, size_t a_left, const uint8_t *b, size_t b_left)
{
    size_t max = a_left < b_left ? a_left : b_left, n = 0;
    if (max > DELTA_MAX_OP_LEN)
        max = DELTA_MAX_OP_LEN;
    while (n < max && a[n] == b[n])
        n++;
    return (uint32_t)n;
}

static uint64_t zigzag(int64_t v)
{
    return v < 0 ? ((uint64_t)(-(v + 1)) << 1) | 1 : (uint64_t)v << 1;
}

/* Patch bytes saved by m over sending its bytes as literals. */
static long gain(const struct match *m)
{
    return (long)m->len - (long)(tag_len(m->len) + varint_len(m->arg));
}

static void consider(struct match *best, uint32_t len, enum delta_op kind, uint64_t arg)
{
    struct match m = { len, kind, arg };
    if (len >= MIN_MATCH && gain(&m) > gain(best))
        *best = m;
}

static void best_base(const struct encoder *e, size_t pos, struct match *best)
{
    const uint8_t *t = e->tgt + pos;
    size_t left = e->tgt_len - pos;
    /* the cursor once the waiting literals are out */
    uint64_t cur = e->cursor + (pos - e->lit_start);

    /* where the base would continue anyway: the cheapest offset */
    if (cur < e->base_len)
        consider(best, common(e->base + cur, e->base_len - cur, t, left), DELTA_OP_BASE, 0);
    if (left < MIN_MATCH)
        return;
    uint32_t p = e->b.head[hash4(t)];
    for (int i = 0; i < BASE_CHAIN && p != NO_POS; i++, p = e->b.prev[p])
        consider(best, common(e->base + p, e->base_len - p, t, left), DELTA_OP_BASE,
                 zigzag((int64_t)p - (int64_t)cur));
}

static void best_window(const struct encoder *e, size_t pos, struct match *best)
{
    size_t left = e->tgt_len - pos;

    if (left < MIN_MATCH)
        return;
    uint32_t p = e->t.head[hash4(e->tgt + pos)];
    for (int i = 0; i < WIN_CHAIN && p != NO_POS && pos - p <= DELTA_WINDOW; i++,
             p = e->t.prev[p])
        consider(best, common(e->tgt + p, e->tgt_len - p, e->tgt + pos, left), DELTA_OP_WIN,
                 pos - p - 1);
}

static void flush_literals(struct encoder *e, size_t pos)
{
    while (e->lit_start < pos) {
        size_t n = pos - e->lit_start;
        if (n > DELTA_MAX_OP_LEN)
            n = DELTA_MAX_OP_LEN;
        put_tag(&e->out, DELTA_OP_LIT, (uint32_t)n);
        put(&e->out, e->tgt + e->lit_start, n);
        e->lit_start += n;
        e->cursor += n;
    }
}

static void emit_match(struct encoder *e, size_t pos, const struct match *m)
{
    flush_literals(e, pos);
    put_tag(&e->out, m->kind, m->len);
    put_varint(&e->out, m->arg);
    if (m->kind == DELTA_OP_BASE) {
        int64_t rel = (int64_t)(m->arg >> 1) ^ -(int64_t)(m->arg & 1);
        e->cursor = (uint64_t)((int64_t)e->cursor + rel);
    }
    e->cursor += m->len;
    e->lit_start = pos + m->len;
}

static void encode_ops(struct encoder *e)
{
    size_t pos = 0;

    while (pos < e->tgt_len) {
        struct match best = { 0, DELTA_OP_LIT, 0 };
        best_base(e, pos, &best);
        best_window(e, pos, &best);
        size_t step = 1;
        if (gain(&best) > 0) {
            emit_match(e, pos, &best);
            step = best.len;
        }
        for (size_t i = 0; i < step; i++)
            chains_insert(&e->t, e->tgt, e->tgt_len, pos + i);
        pos += step;
    }
    flush_literals(e, pos);
}

/* The image facts the header needs; -1 with a message when unusable. */
static int image_facts(const char *what, const uint8_t *b, size_t len, struct image_info *info,
                       char *err, size_t errcap)
{
    struct image_mem mem = { b, len };
    int rc = len > UINT32_MAX ? IMAGE_ERR_TOO_LARGE
                              : image_read_info(image_mem_read, &mem, (uint32_t)len, info);

    if (rc != IMAGE_OK) {
        snprintf(err, errcap, "%s is not a signed MCUboot image: %s", what, image_strerror(rc));
        return -1;
    }
    if (info->hdr.flags & (IMAGE_F_ENCRYPTED_AES128 | IMAGE_F_ENCRYPTED_AES256)) {
        snprintf(err, errcap, "%s is encrypted: a delta works on plain images only", what);
        return -1;
    }
    return 0;
}

static int make_header(const uint8_t *base, size_t base_len, const uint8_t *target,
                       size_t target_len, struct delta_header *h, char *err, size_t errcap)
{
    struct image_info bi, ti;
    size_t n;

    if (image_facts("OLD", base, base_len, &bi, err, errcap) ||
        image_facts("NEW", target, target_len, &ti, err, errcap))
        return -1;
    if (bi.hash_type != IMAGE_TLV_SHA256) {
        snprintf(err, errcap, "OLD has no SHA-256 hash TLV (a device names its image by it)");
        return -1;
    }
    memset(h, 0, sizeof *h);
    h->base_len = bi.total_size;
    h->target_len = (uint32_t)target_len;
    memcpy(h->base_hash, bi.hash, DELTA_HASH_LEN);
    memcpy(h->target_hdr, target, sizeof h->target_hdr);
    if (image_hash_buf(IMAGE_TLV_SHA256, target, target_len, h->target_sha, DELTA_HASH_LEN,
                       &n) != IMAGE_OK) {
        snprintf(err, errcap, "cannot hash NEW");
        return -1;
    }
    return 0;
}

static void encoder_free(struct encoder *e)
{
    free(e->b.prev);
    free(e->t.prev);
    free(e->out.p);
}

int delta_make(const uint8_t *base, size_t base_len, const uint8_t *target, size_t target_len,
               uint8_t **patch, size_t *patch_len, char *err, size_t errcap)
{
    struct delta_header h;
    uint8_t hb[DELTA_HEADER_SIZE] = { 0 }; /* a placeholder: the header is written last */
    struct encoder *e;

    if (make_header(base, base_len, target, target_len, &h, err, errcap))
        return -1;
    e = calloc(1, sizeof *e);
    if (!e || chains_init(&e->b, h.base_len) || chains_init(&e->t, target_len)) {
        if (e)
            encoder_free(e);
        free(e);
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    e->base = base;
    e->base_len = h.base_len;
    e->tgt = target;
    e->tgt_len = target_len;
    /* inserted last to first: each chain then starts at the lowest offset */
    for (size_t i = e->base_len; i-- > 0;)
        chains_insert(&e->b, e->base, e->base_len, i);
    put(&e->out, hb, sizeof hb);
    encode_ops(e);
    if (e->out.failed || e->out.len > UINT32_MAX) {
        encoder_free(e);
        free(e);
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    h.patch_len = (uint32_t)e->out.len;
    delta_header_write(&h, e->out.p);
    *patch = e->out.p;
    *patch_len = e->out.len;
    e->out.p = NULL;
    encoder_free(e);
    free(e);
    return 0;
}

int delta_is_patch(const uint8_t *b, size_t len)
{
    return len >= 4 && ((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                        (uint32_t)b[3] << 24) == DELTA_MAGIC;
}

static void hex(const uint8_t *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static void describe_json(const char *name, const struct delta_apply *d, size_t len, FILE *out)
{
    char bh[2 * DELTA_HASH_LEN + 1], ts[2 * DELTA_HASH_LEN + 1];
    static const char *const kinds[3] = { "literal", "window", "base" };
    cJSON *o = cJSON_CreateObject(), *ops = cJSON_CreateObject();

    hex(d->hdr.base_hash, DELTA_HASH_LEN, bh);
    hex(d->hdr.target_sha, DELTA_HASH_LEN, ts);
    cJSON_AddStringToObject(o, "name", name);
    cJSON_AddStringToObject(o, "type", "delta patch");
    cJSON_AddNumberToObject(o, "version", DELTA_VERSION);
    cJSON_AddNumberToObject(o, "patch_len", (double)len);
    cJSON_AddStringToObject(o, "base_hash", bh);
    cJSON_AddNumberToObject(o, "base_len", d->hdr.base_len);
    cJSON_AddStringToObject(o, "target_sha256", ts);
    cJSON_AddNumberToObject(o, "target_len", d->hdr.target_len);
    for (int k = 0; k < 3; k++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddNumberToObject(x, "ops", d->ops[k]);
        cJSON_AddNumberToObject(x, "bytes", d->op_bytes[k]);
        cJSON_AddItemToObject(ops, kinds[k], x);
    }
    cJSON_AddItemToObject(o, "ops", ops);
    char *s = cJSON_Print(o);
    if (s)
        fprintf(out, "%s\n", s);
    free(s);
    cJSON_Delete(o);
}

int delta_describe(const uint8_t *b, size_t len, const char *name, int json, FILE *out,
                   char *err, size_t errcap)
{
    static struct delta_apply d;
    const struct delta_io io = { NULL, NULL, NULL };
    char bh[2 * DELTA_HASH_LEN + 1], ts[2 * DELTA_HASH_LEN + 1];
    struct image_header th;

    delta_apply_init_dry(&d);
    int rc = delta_apply_feed(&d, b, len, &io);
    if (rc == DELTA_OK)
        rc = delta_apply_finish(&d);
    if (rc == DELTA_OK && d.hdr.patch_len != len)
        rc = DELTA_ERR_HEADER;
    if (rc != DELTA_OK) {
        snprintf(err, errcap, "%s: %s (%s)", name, delta_strerror(rc),
                 d.in < DELTA_HEADER_SIZE ? "in the header" : "in the ops");
        return -1;
    }
    if (json) {
        describe_json(name, &d, len, out);
        return 0;
    }
    hex(d.hdr.base_hash, DELTA_HASH_LEN, bh);
    hex(d.hdr.target_sha, DELTA_HASH_LEN, ts);
    image_header_decode(d.hdr.target_hdr, &th);
    fprintf(out, "Printing delta patch: %s\n", name);
    fprintf(out, "patch_len: %zu\nformat_version: %d\n", len, DELTA_VERSION);
    fprintf(out, "base_hash: %s\nbase_len: %u\n", bh, d.hdr.base_len);
    fprintf(out, "target_sha256: %s\ntarget_len: %u\n", ts, d.hdr.target_len);
    fprintf(out, "target_version: %u.%u.%u+%u\n", th.ver.major, th.ver.minor, th.ver.revision,
            th.ver.build);
    fprintf(out, "ops:\n");
    fprintf(out, "  base:    %u ops, %u bytes\n", d.ops[DELTA_OP_BASE], d.op_bytes[DELTA_OP_BASE]);
    fprintf(out, "  window:  %u ops, %u bytes\n", d.ops[DELTA_OP_WIN], d.op_bytes[DELTA_OP_WIN]);
    fprintf(out, "  literal: %u ops, %u bytes\n", d.ops[DELTA_OP_LIT], d.op_bytes[DELTA_OP_LIT]);
    return 0;
}
