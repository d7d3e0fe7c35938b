/*
 * Parsing of the MCUboot image format (device side): header, the optional
 * protected TLV block and the unprotected TLV block, all bounds-checked
 * against the area that holds the image. Also version helpers, error names
 * and a memory reader. No malloc, no stdio; every read goes through the
 * caller's image_read_fn.
 *
 * Deliberately not here: hashing and signatures (validate.c), the trailer
 * at the end of the slot (boot/), anything about signing (host side).
 *
 * Layout invariants this parser enforces (cited below):
 *  1. magic == IMAGE_MAGIC and hdr_size >= IMAGE_HEADER_SIZE.
 *  2. hdr_size + img_size + protect_tlv_size + 4 <= area_size, computed
 *     without overflow.
 *  3. protect_tlv_size != 0  <=>  a 0x6908 info sits at hdr_size + img_size,
 *     and its it_tlv_tot equals protect_tlv_size.
 *  4. The 0x6907 info follows immediately; its block ends inside the area.
 *  5. Inside each block, entries tile it exactly: no entry crosses its end.
 */
#include <string.h>

#include "image/image.h"
#include "image/image_crypto.h"

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static int read_at(image_read_fn rd, void *ctx, uint32_t off, void *buf, size_t len)
{
    return rd(ctx, off, buf, len) == 0 ? IMAGE_OK : IMAGE_ERR_IO;
}

void image_header_decode(const uint8_t b[IMAGE_HEADER_SIZE], struct image_header *h)
{
    h->magic = get32(b);
    h->load_addr = get32(b + 4);
    h->hdr_size = get16(b + 8);
    h->protect_tlv_size = get16(b + 10);
    h->img_size = get32(b + 12);
    h->flags = get32(b + 16);
    h->ver.major = b[20];
    h->ver.minor = b[21];
    h->ver.revision = get16(b + 22);
    h->ver.build = get32(b + 24);
}

static int read_header(image_read_fn rd, void *ctx, uint32_t area_size,
                       struct image_header *h)
{
    uint8_t b[IMAGE_HEADER_SIZE];
    if (area_size < IMAGE_HEADER_SIZE)
        return IMAGE_ERR_TOO_LARGE;
    int rc = read_at(rd, ctx, 0, b, sizeof b);
    if (rc)
        return rc;
    image_header_decode(b, h);
    if (h->magic != IMAGE_MAGIC)                 /* invariant 1 */
        return IMAGE_ERR_MAGIC;
    if (h->hdr_size < IMAGE_HEADER_SIZE)
        return IMAGE_ERR_HEADER;
    uint64_t end = (uint64_t)h->hdr_size + h->img_size + h->protect_tlv_size +
                   IMAGE_TLV_INFO_SIZE;          /* invariant 2 */
    if (end > area_size)
        return IMAGE_ERR_TOO_LARGE;
    return IMAGE_OK;
}

int image_tlv_info_read(image_read_fn rd, void *ctx, uint32_t off, uint16_t *magic,
                        uint16_t *tot)
{
    uint8_t b[IMAGE_TLV_INFO_SIZE];
    int rc = read_at(rd, ctx, off, b, sizeof b);
    if (rc)
        return rc;
    *magic = get16(b);
    *tot = get16(b + 2);
    return IMAGE_OK;
}

/* Locates both TLV blocks (invariants 3 and 4). */
static int locate_blocks(image_read_fn rd, void *ctx, uint32_t area_size,
                         struct image_info *info)
{
    const struct image_header *h = &info->hdr;
    uint16_t magic, tot;
    info->prot_tlv_off = (uint32_t)h->hdr_size + h->img_size;
    int rc = image_tlv_info_read(rd, ctx, info->prot_tlv_off, &magic, &tot);
    if (rc)
        return rc;
    if (h->protect_tlv_size != 0) {
        if (magic != IMAGE_TLV_PROT_INFO_MAGIC)
            return IMAGE_ERR_TLV_MAGIC;
        if (tot != h->protect_tlv_size || tot < IMAGE_TLV_INFO_SIZE)
            return IMAGE_ERR_TLV_LENGTH;
    } else if (magic == IMAGE_TLV_PROT_INFO_MAGIC) {
        /* a protected block the header does not cover would be unhashed */
        return IMAGE_ERR_TLV_LENGTH;
    }
    info->tlv_off = info->prot_tlv_off + h->protect_tlv_size;
    rc = image_tlv_info_read(rd, ctx, info->tlv_off, &magic, &tot);
    if (rc)
        return rc;
    if (magic != IMAGE_TLV_INFO_MAGIC)
        return IMAGE_ERR_TLV_MAGIC;
    if (tot < IMAGE_TLV_INFO_SIZE)
        return IMAGE_ERR_TLV_LENGTH;
    if ((uint64_t)info->tlv_off + tot > area_size)
        return IMAGE_ERR_TLV_TRUNCATED;
    info->total_size = info->tlv_off + tot;
    return IMAGE_OK;
}

/* Where a walk may find entry headers and values. The strict walk
 * (invariant 5) has both limits at the block end; the lenient one has
 * headers limited by the readable bytes and values not at all. */
struct walk_limits {
    uint64_t header_end;
    uint64_t value_end;
};

/* The one TLV walker: the entries of blk, in order. Offsets are 64-bit
 * so that no it_tlv_tot or entry length can wrap them. */
static int walk_block(image_read_fn rd, void *ctx, const struct image_tlv_block *blk,
                      struct walk_limits lim, image_tlv_fn fn, void *arg, uint32_t *stop_off)
{
    uint64_t off = (uint64_t)blk->off + IMAGE_TLV_INFO_SIZE, end = (uint64_t)blk->off + blk->tot;
    while (off < end) {
        uint8_t b[4];
        if (stop_off)
            *stop_off = (uint32_t)off;
        if (off + sizeof b > lim.header_end)
            return IMAGE_ERR_TLV_TRUNCATED;
        int rc = read_at(rd, ctx, (uint32_t)off, b, sizeof b);
        if (rc)
            return rc;
        uint16_t type = get16(b), len = get16(b + 2);
        off += sizeof b;
        if (off + len > lim.value_end)
            return IMAGE_ERR_TLV_TRUNCATED;
        rc = fn(arg, blk->protected_area, type, (uint32_t)off, len);
        if (rc)
            return rc;
        off += len;
    }
    return IMAGE_OK;
}

static int walk_strict(image_read_fn rd, void *ctx, uint32_t start, uint32_t end, bool prot,
                       image_tlv_fn fn, void *arg)
{
    /* locate_blocks made both blocks end inside the area: tot fits */
    struct image_tlv_block blk = { start, (uint16_t)(end - start), prot };
    struct walk_limits lim = { end, end };
    return walk_block(rd, ctx, &blk, lim, fn, arg, NULL);
}

int image_tlv_foreach(image_read_fn rd, void *ctx, const struct image_info *info,
                      image_tlv_fn fn, void *arg)
{
    if (!rd || !info || !fn)
        return IMAGE_ERR_BAD_ARG;
    int rc = IMAGE_OK;
    if (info->hdr.protect_tlv_size)
        rc = walk_strict(rd, ctx, info->prot_tlv_off, info->tlv_off, true, fn, arg);
    if (rc == IMAGE_OK)
        rc = walk_strict(rd, ctx, info->tlv_off, info->total_size, false, fn, arg);
    return rc;
}

int image_tlv_walk_lenient(image_read_fn rd, void *ctx, const struct image_tlv_block *blk,
                           uint32_t data_end, image_tlv_fn fn, void *arg, uint32_t *stop_off)
{
    if (!rd || !blk || !fn)
        return IMAGE_ERR_BAD_ARG;
    struct walk_limits lim = { data_end, UINT64_MAX };
    return walk_block(rd, ctx, blk, lim, fn, arg, stop_off);
}

struct collect {
    image_read_fn rd;
    void *ctx;
    struct image_info *info;
};

/* Picks up the hash TLV (exactly one, unprotected) and the protected
 * security counter. */
static int collect_tlv(void *arg, bool prot, uint16_t type, uint32_t off, uint16_t len)
{
    struct collect *c = arg;
    struct image_info *info = c->info;
    size_t hlen = image_hash_len(type);
    if (hlen && !prot) {
        if (info->hash_type != 0)
            return IMAGE_ERR_DUPLICATE_TLV;
        if (len != hlen)
            return IMAGE_ERR_TLV_LENGTH;
        info->hash_type = type;
        info->hash_len = (uint8_t)len;
        return read_at(c->rd, c->ctx, off, info->hash, len);
    }
    if (type == IMAGE_TLV_SEC_CNT && prot) {
        uint8_t b[4];
        if (len != sizeof b)
            return IMAGE_ERR_TLV_LENGTH;
        if (info->has_sec_cnt)
            return IMAGE_ERR_DUPLICATE_TLV;
        int rc = read_at(c->rd, c->ctx, off, b, sizeof b);
        if (rc)
            return rc;
        info->has_sec_cnt = true;
        info->sec_cnt = get32(b);
    }
    return IMAGE_OK;
}

int image_read_info(image_read_fn rd, void *ctx, uint32_t area_size,
                    struct image_info *info)
{
    if (!rd || !info)
        return IMAGE_ERR_BAD_ARG;
    memset(info, 0, sizeof *info);
    int rc = read_header(rd, ctx, area_size, &info->hdr);
    if (rc)
        return rc;
    rc = locate_blocks(rd, ctx, area_size, info);
    if (rc)
        return rc;
    struct collect c = { rd, ctx, info };
    return image_tlv_foreach(rd, ctx, info, collect_tlv, &c);
}

int image_version_cmp(const struct image_version *a,
                      const struct image_version *b, bool use_build)
{
    if (a->major != b->major)
        return a->major < b->major ? -1 : 1;
    if (a->minor != b->minor)
        return a->minor < b->minor ? -1 : 1;
    if (a->revision != b->revision)
        return a->revision < b->revision ? -1 : 1;
    if (use_build && a->build != b->build)
        return a->build < b->build ? -1 : 1;
    return 0;
}

/* Appends the decimal form of v at *pos; no stdio on the device side.
 * Returns false when cap is too small. */
static bool put_dec(char *out, size_t cap, size_t *pos, uint32_t v)
{
    char tmp[10];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (*pos + n >= cap)
        return false;
    while (n)
        out[(*pos)++] = tmp[--n];
    return true;
}

static bool put_char(char *out, size_t cap, size_t *pos, char ch)
{
    if (*pos + 1 >= cap)
        return false;
    out[(*pos)++] = ch;
    return true;
}

int image_version_fmt(const struct image_version *v, char *out, size_t cap)
{
    if (!v || !out || cap == 0)
        return IMAGE_ERR_BAD_ARG;
    size_t pos = 0;
    bool ok = put_dec(out, cap, &pos, v->major) && put_char(out, cap, &pos, '.') &&
              put_dec(out, cap, &pos, v->minor) && put_char(out, cap, &pos, '.') &&
              put_dec(out, cap, &pos, v->revision);
    if (ok && v->build != 0)
        ok = put_char(out, cap, &pos, '.') && put_dec(out, cap, &pos, v->build);
    out[ok ? pos : 0] = '\0';
    return ok ? IMAGE_OK : IMAGE_ERR_BAD_ARG;
}

int image_mem_read(void *ctx, uint32_t off, void *buf, size_t len)
{
    const struct image_mem *m = ctx;
    if (!m || off > m->len || len > m->len - off)
        return IMAGE_ERR_IO;
    memcpy(buf, m->buf + off, len);
    return 0;
}

/* One table for names and messages, indexed by IMAGE_ERR_BASE - code
 * (IMAGE_OK at 0). */
static const struct {
    const char *name, *msg;
} errs[] = {
    [0] = { "IMAGE_OK", "success" },
    [1] = { "IMAGE_ERR_IO", "reading the image failed" },
    [2] = { "IMAGE_ERR_MAGIC", "invalid image magic (not an MCUboot image)" },
    [3] = { "IMAGE_ERR_HEADER", "impossible image header (header size below 32 bytes)" },
    [4] = { "IMAGE_ERR_TOO_LARGE", "image extends past the end of its area" },
    [5] = { "IMAGE_ERR_TLV_MAGIC", "invalid TLV info magic" },
    [6] = { "IMAGE_ERR_TLV_TRUNCATED", "TLV area is truncated" },
    [7] = { "IMAGE_ERR_TLV_LENGTH", "TLV lengths are inconsistent" },
    [8] = { "IMAGE_ERR_NO_HASH", "image has no hash TLV" },
    [9] = { "IMAGE_ERR_HASH", "image hash does not match its contents" },
    [10] = { "IMAGE_ERR_NO_SIGNATURE", "no signature that a trusted key can check" },
    [11] = { "IMAGE_ERR_SIGNATURE", "signature does not verify" },
    [12] = { "IMAGE_ERR_KEY_MISMATCH", "KEYHASH/PUBKEY names no trusted key" },
    [13] = { "IMAGE_ERR_UNSUPPORTED", "algorithm or feature not supported" },
    [14] = { "IMAGE_ERR_BAD_ARG", "invalid argument" },
    [15] = { "IMAGE_ERR_DUPLICATE_TLV", "a TLV that must be unique appears twice" },
    [16] = { "IMAGE_ERR_TLV_UNPROTECTED", "a TLV that must be protected is in the unprotected area" },
    [17] = { "IMAGE_ERR_NO_MEMORY",
             "the crypto port ran out of its static memory (raise IMAGE_CRYPTO_HEAP_SIZE)" },
};

#define NERRS (sizeof errs / sizeof errs[0])

/* The table entry of err, or -1 when err is no image code. */
static int err_index(int err)
{
    if (err == IMAGE_OK)
        return 0;
    if (err >= IMAGE_ERR_BASE || IMAGE_ERR_BASE - err >= (int)NERRS)
        return -1;
    return IMAGE_ERR_BASE - err;
}

const char *image_errname(int err)
{
    int i = err_index(err);
    return i < 0 ? "IMAGE_ERR_UNKNOWN" : errs[i].name;
}

const char *image_strerror(int err)
{
    int i = err_index(err);
    return i < 0 ? "unknown image error" : errs[i].msg;
}
