/*
 * The delta patch applier, device side (delta.h, DELTA.md): a byte-driven
 * parser of the op stream that executes each op as soon as its arguments
 * are known, so patch bytes may arrive in chunks of any size and the
 * target leaves strictly in order. Every op is checked against the
 * header's sizes before it produces anything.
 */
#include <string.h>

#include "image/delta.h"
#include "image/image.h"

/* Where the parser is inside an op. */
enum step { STEP_HEADER, STEP_TAG, STEP_LEN, STEP_ARG, STEP_LIT };

#define TAG_LEN_MASK 0x3fu
#define TAG_LEN_EXT 0x3fu /* the length continues as a varint */
#define VARINT_MAX_SHIFT 35u

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

const char *delta_strerror(int err)
{
    switch (err) {
    case DELTA_OK: return "ok";
    case DELTA_ERR_HEADER: return "not a delta patch this device can apply (bad header)";
    case DELTA_ERR_CORRUPT: return "the delta patch is corrupt";
    case DELTA_ERR_WRITE: return "writing the rebuilt image failed";
    default: return image_strerror(err);
    }
}

int delta_header_parse(const uint8_t *b, size_t len, struct delta_header *h)
{
    if (len < DELTA_HEADER_SIZE || get_le32(b) != DELTA_MAGIC || b[4] != DELTA_VERSION ||
        (b[6] | b[7] << 8) != DELTA_HEADER_SIZE || get_le32(b + 20) != 0)
        return DELTA_ERR_HEADER;
    h->patch_len = get_le32(b + 8);
    h->base_len = get_le32(b + 12);
    h->target_len = get_le32(b + 16);
    memcpy(h->base_hash, b + 24, DELTA_HASH_LEN);
    memcpy(h->target_sha, b + 56, DELTA_HASH_LEN);
    memcpy(h->target_hdr, b + 88, sizeof h->target_hdr);
    /* the target is an MCUboot image: its header comes first */
    if (h->patch_len < DELTA_HEADER_SIZE || h->target_len < IMAGE_HEADER_SIZE ||
        get_le32(h->target_hdr) != IMAGE_MAGIC)
        return DELTA_ERR_HEADER;
    return DELTA_OK;
}

void delta_header_write(const struct delta_header *h, uint8_t out[DELTA_HEADER_SIZE])
{
    memset(out, 0, DELTA_HEADER_SIZE);
    put_le32(out, DELTA_MAGIC);
    out[4] = DELTA_VERSION;
    out[6] = DELTA_HEADER_SIZE & 0xff;
    out[7] = DELTA_HEADER_SIZE >> 8;
    put_le32(out + 8, h->patch_len);
    put_le32(out + 12, h->base_len);
    put_le32(out + 16, h->target_len);
    memcpy(out + 24, h->base_hash, DELTA_HASH_LEN);
    memcpy(out + 56, h->target_sha, DELTA_HASH_LEN);
    memcpy(out + 88, h->target_hdr, sizeof h->target_hdr);
}

void delta_apply_init(struct delta_apply *d)
{
    memset(d, 0, sizeof *d);
    d->step = STEP_HEADER;
}

void delta_apply_init_dry(struct delta_apply *d)
{
    delta_apply_init(d);
    d->dry = true;
}

const struct delta_header *delta_apply_header(const struct delta_apply *d)
{
    return d->step == STEP_HEADER ? NULL : &d->hdr;
}

/* n produced bytes at buf: into the window (when not there already), then
 * out. The first 32 must be the header the patch announced, so what the
 * device checked in the first chunk is what it writes. */
static int produce(struct delta_apply *d, const uint8_t *buf, size_t n, bool in_window,
                   const struct delta_io *io)
{
    for (size_t i = 0; !d->dry && i < n && d->out + i < IMAGE_HEADER_SIZE; i++)
        if (buf[i] != d->hdr.target_hdr[d->out + i])
            return DELTA_ERR_CORRUPT;
    for (size_t i = 0; !in_window && i < n; i++)
        d->window[(d->out + i) % DELTA_WINDOW] = buf[i];
    d->out += (uint32_t)n;
    d->op_bytes[d->kind] += (uint32_t)n;
    d->io_rc = io->write ? io->write(io->ctx, buf, n) : 0;
    return d->io_rc == 0 ? DELTA_OK : DELTA_ERR_WRITE;
}

/* WIN: len bytes from dist back in the target; they may overlap what
 * they produce (a run), so the window is updated byte by byte. */
static int copy_window(struct delta_apply *d, uint32_t dist, const struct delta_io *io)
{
    uint32_t left = d->op_len;

    if (dist == 0 || dist > DELTA_WINDOW || dist > d->out)
        return DELTA_ERR_CORRUPT;
    while (left) {
        uint32_t n = left < DELTA_BUF ? left : DELTA_BUF;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t at = d->out + i;
            d->buf[i] = d->window[(at - dist) % DELTA_WINDOW];
            d->window[at % DELTA_WINDOW] = d->buf[i];
        }
        int rc = produce(d, d->buf, n, true, io);
        if (rc != DELTA_OK)
            return rc;
        left -= n;
    }
    d->cursor += d->op_len;
    return DELTA_OK;
}

/* BASE: len bytes of the base at cursor + the zigzag-coded delta. */
static int copy_base(struct delta_apply *d, uint64_t zz, const struct delta_io *io)
{
    int64_t rel = (int64_t)(zz >> 1) ^ -(int64_t)(zz & 1);
    int64_t src = (int64_t)d->cursor + rel;
    uint32_t left = d->op_len;

    if (src < 0 || (uint64_t)src + d->op_len > d->hdr.base_len)
        return DELTA_ERR_CORRUPT;
    d->cursor = (uint64_t)src;
    while (left) {
        uint32_t n = left < DELTA_BUF ? left : DELTA_BUF;
        if (d->dry)
            memset(d->buf, 0, n);
        else if (io->read_base(io->ctx, (uint32_t)d->cursor, d->buf, n) != 0)
            return IMAGE_ERR_IO;
        int rc = produce(d, d->buf, n, false, io);
        if (rc != DELTA_OK)
            return rc;
        d->cursor += n;
        left -= n;
    }
    return DELTA_OK;
}

/* The op's length is known: it must fit in the target. */
static int begin_op(struct delta_apply *d, uint32_t len)
{
    if (len > DELTA_MAX_OP_LEN || (uint64_t)d->out + len > d->hdr.target_len)
        return DELTA_ERR_CORRUPT;
    d->op_len = len;
    d->ops[d->kind]++;
    d->var = 0;
    d->var_shift = 0;
    d->step = d->kind == DELTA_OP_LIT ? STEP_LIT : STEP_ARG;
    return DELTA_OK;
}

static int on_tag(struct delta_apply *d, uint8_t t)
{
    d->kind = t >> 6;
    if (d->kind > DELTA_OP_BASE)
        return DELTA_ERR_CORRUPT;
    if ((t & TAG_LEN_MASK) == TAG_LEN_EXT) {
        d->var = 0;
        d->var_shift = 0;
        d->step = STEP_LEN;
        return DELTA_OK;
    }
    return begin_op(d, (t & TAG_LEN_MASK) + 1u);
}

/* One byte of a LEB128 varint; 1 when it was the last one. */
static int varint_byte(struct delta_apply *d, uint8_t b, uint64_t *value)
{
    if (d->var_shift >= VARINT_MAX_SHIFT)
        return DELTA_ERR_CORRUPT;
    uint64_t acc = d->var | (uint64_t)(b & 0x7f) << d->var_shift;
    d->var_shift = (uint8_t)(d->var_shift + 7);
    if (b & 0x80) {
        if (acc > UINT32_MAX)
            return DELTA_ERR_CORRUPT;
        d->var = (uint32_t)acc;
        return 0;
    }
    *value = acc;
    return 1;
}

static int on_varint(struct delta_apply *d, uint8_t b, const struct delta_io *io)
{
    uint64_t v;
    int rc = varint_byte(d, b, &v);

    if (rc != 1)
        return rc;
    if (d->step == STEP_LEN)
        return v > DELTA_MAX_OP_LEN ? DELTA_ERR_CORRUPT
                                    : begin_op(d, (uint32_t)v + TAG_LEN_EXT + 1u);
    d->step = STEP_TAG;
    if (d->kind == DELTA_OP_WIN)
        return v >= DELTA_WINDOW ? DELTA_ERR_CORRUPT : copy_window(d, (uint32_t)v + 1u, io);
    return copy_base(d, v, io);
}

/* Collects the header; the ops start after it. */
static size_t take_header(struct delta_apply *d, const uint8_t *p, size_t n, int *rc)
{
    size_t take = DELTA_HEADER_SIZE - d->in < n ? DELTA_HEADER_SIZE - d->in : n;

    memcpy(d->hdr_buf + d->in, p, take);
    d->in += (uint32_t)take;
    *rc = DELTA_OK;
    if (d->in == DELTA_HEADER_SIZE) {
        *rc = delta_header_parse(d->hdr_buf, DELTA_HEADER_SIZE, &d->hdr);
        d->step = STEP_TAG;
    }
    return take;
}

int delta_apply_feed(struct delta_apply *d, const uint8_t *p, size_t n, const struct delta_io *io)
{
    int rc = DELTA_OK;

    if (d->step == STEP_HEADER) {
        size_t used = take_header(d, p, n, &rc);
        p += used;
        n -= used;
        if (rc != DELTA_OK)
            return rc;
    }
    if (n && (uint64_t)d->in + n > d->hdr.patch_len)
        return DELTA_ERR_CORRUPT;
    while (n && rc == DELTA_OK) {
        size_t used = 1;
        if (d->step == STEP_LIT) {
            used = d->op_len < n ? d->op_len : n;
            rc = produce(d, p, used, false, io);
            d->op_len -= (uint32_t)used;
            d->cursor += used;
            if (d->op_len == 0)
                d->step = STEP_TAG;
        } else if (d->step == STEP_TAG) {
            rc = d->out == d->hdr.target_len ? DELTA_ERR_CORRUPT : on_tag(d, *p);
        } else {
            rc = on_varint(d, *p, io);
        }
        if (rc != DELTA_OK)
            break; /* in stays at the byte that was refused */
        d->in += (uint32_t)used;
        p += used;
        n -= used;
    }
    return rc;
}

int delta_apply_finish(const struct delta_apply *d)
{
    return d->step == STEP_TAG && d->in == d->hdr.patch_len && d->out == d->hdr.target_len
               ? DELTA_OK
               : DELTA_ERR_CORRUPT;
}
