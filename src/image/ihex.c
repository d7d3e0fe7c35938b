/*
 * Intel HEX reader and writer (see ihex.h). Record types 00 data, 01 end,
 * 02 extended segment address, 03/05 start address (accepted, ignored),
 * 04 extended linear address. Every checksum is checked; data records
 * that overlap with different bytes are refused.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "image/ihex.h"

struct rec {
    uint32_t addr;
    uint16_t len;
    size_t data_off; /* into the byte pool */
};

struct parse {
    struct rec *recs;
    size_t nrecs, caprecs;
    uint8_t *pool;
    size_t npool, cappool;
    char *err;
    size_t errcap;
};

static int fail(struct parse *p, size_t line, const char *fmt, ...)
{
    if (p->err && p->errcap) {
        int n = snprintf(p->err, p->errcap, "hex line %zu: ", line);
        va_list ap;
        va_start(ap, fmt);
        if (n >= 0 && (size_t)n < p->errcap)
            vsnprintf(p->err + n, p->errcap - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return IMAGE_ERR_BAD_ARG;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes the hex digits of one record (after ':') into bytes. */
static int decode_line(const char *s, size_t n, uint8_t *out, size_t *out_len)
{
    if (n % 2 || n / 2 > 5 + 255)
        return -1;
    for (size_t i = 0; i < n; i += 2) {
        int hi = hexval(s[i]), lo = hexval(s[i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    *out_len = n / 2;
    return 0;
}

static int add_rec(struct parse *p, uint32_t addr, const uint8_t *data, uint16_t len)
{
    if (p->nrecs == p->caprecs) {
        size_t cap = p->caprecs ? p->caprecs * 2 : 256;
        struct rec *r = realloc(p->recs, cap * sizeof *r);
        if (!r)
            return IMAGE_ERR_IO;
        p->recs = r;
        p->caprecs = cap;
    }
    if (p->npool + len > p->cappool) {
        size_t cap = p->cappool ? p->cappool * 2 : 4096;
        while (cap < p->npool + len)
            cap *= 2;
        uint8_t *b = realloc(p->pool, cap);
        if (!b)
            return IMAGE_ERR_IO;
        p->pool = b;
        p->cappool = cap;
    }
    memcpy(p->pool + p->npool, data, len);
    p->recs[p->nrecs++] = (struct rec){ addr, len, p->npool };
    p->npool += len;
    return 0;
}

/* Handles one decoded record; *done is set by the end-of-file record. */
static int apply_record(struct parse *p, size_t line, const uint8_t *b, size_t n,
                        uint32_t *upper, bool *done)
{
    if (n < 5 || b[0] != n - 5)
        return fail(p, line, "record length does not match its byte count");
    uint8_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum = (uint8_t)(sum + b[i]);
    if (sum != 0)
        return fail(p, line, "bad checksum");
    uint16_t off = (uint16_t)(b[1] << 8 | b[2]);
    const uint8_t *d = b + 4;
    switch (b[3]) {
    case 0x00: {
        uint64_t addr = (uint64_t)*upper + off;
        if (addr + b[0] > 0x100000000ull)
            return fail(p, line, "data beyond the 4 GiB address space");
        return b[0] ? add_rec(p, (uint32_t)addr, d, b[0]) : 0;
    }
    case 0x01:
        *done = true;
        return 0;
    case 0x02:
    case 0x04:
        if (b[0] != 2)
            return fail(p, line, "extended address record must hold 2 bytes");
        *upper = b[3] == 0x04 ? (uint32_t)(d[0] << 8 | d[1]) << 16
                              : (uint32_t)(d[0] << 8 | d[1]) << 4;
        return 0;
    case 0x03:
    case 0x05:
        if (b[0] != 4)
            return fail(p, line, "start address record must hold 4 bytes");
        return 0;
    default:
        return fail(p, line, "unknown record type 0x%02x", b[3]);
    }
}

static int parse_records(struct parse *p, const char *text, size_t text_len)
{
    uint32_t upper = 0;
    bool done = false;
    size_t line = 0, i = 0;
    while (i < text_len) {
        size_t end = i;
        while (end < text_len && text[end] != '\n')
            end++;
        size_t stop = end;
        while (stop > i && (text[stop - 1] == '\r' || text[stop - 1] == ' ' ||
                            text[stop - 1] == '\t'))
            stop--;
        line++;
        if (stop > i) {
            uint8_t b[5 + 255];
            size_t n;
            if (done)
                return fail(p, line, "data after the end-of-file record");
            if (text[i] != ':')
                return fail(p, line, "record does not start with ':'");
            if (decode_line(text + i + 1, stop - i - 1, b, &n))
                return fail(p, line, "not a valid record (odd length or non-hex digit)");
            int rc = apply_record(p, line, b, n, &upper, &done);
            if (rc)
                return rc;
        }
        i = end + 1;
    }
    if (!done)
        return fail(p, line, "missing end-of-file record");
    if (p->nrecs == 0)
        return fail(p, line, "no data records");
    return 0;
}

/* Lays the records into one span and finds overlaps and the first hole. */
static int build_span(struct parse *p, uint8_t fill, struct ihex *out)
{
    uint64_t lo = UINT64_MAX, hi = 0;
    for (size_t i = 0; i < p->nrecs; i++) {
        if (p->recs[i].addr < lo)
            lo = p->recs[i].addr;
        if ((uint64_t)p->recs[i].addr + p->recs[i].len > hi)
            hi = (uint64_t)p->recs[i].addr + p->recs[i].len;
    }
    if (hi - lo > IHEX_MAX_SPAN)
        return fail(p, 0, "data spans 0x%llx bytes, more than %u MiB",
                    (unsigned long long)(hi - lo), IHEX_MAX_SPAN >> 20);
    size_t span = (size_t)(hi - lo);
    uint8_t *data = malloc(span);
    uint8_t *seen = calloc((span + 7) / 8, 1);
    if (!data || !seen) {
        free(data);
        free(seen);
        return IMAGE_ERR_IO;
    }
    memset(data, fill, span);
    for (size_t i = 0; i < p->nrecs; i++) {
        const struct rec *r = &p->recs[i];
        size_t base = r->addr - (uint32_t)lo;
        for (size_t j = 0; j < r->len; j++) {
            size_t k = base + j;
            uint8_t v = p->pool[r->data_off + j];
            if ((seen[k / 8] >> (k % 8) & 1) && data[k] != v) {
                free(data);
                free(seen);
                return fail(p, 0, "address 0x%08llx is written twice with different data",
                            (unsigned long long)(lo + k));
            }
            seen[k / 8] |= (uint8_t)(1u << (k % 8));
            data[k] = v;
        }
    }
    out->base = (uint32_t)lo;
    out->len = span;
    out->data = data;
    out->has_gap = false;
    for (size_t k = 0; k < span; k++) {
        if (seen[k / 8] >> (k % 8) & 1)
            continue;
        size_t e = k;
        while (e < span && !(seen[e / 8] >> (e % 8) & 1))
            e++;
        out->has_gap = true;
        out->gap_addr = (uint32_t)(lo + k);
        out->gap_len = (uint32_t)(e - k);
        break;
    }
    free(seen);
    return 0;
}

int ihex_read(const char *text, size_t text_len, uint8_t fill, struct ihex *out,
              char *err, size_t errcap)
{
    if (!text || !out)
        return IMAGE_ERR_BAD_ARG;
    memset(out, 0, sizeof *out);
    if (err && errcap)
        err[0] = '\0';
    struct parse p = { .err = err, .errcap = errcap };
    int rc = parse_records(&p, text, text_len);
    if (rc == 0)
        rc = build_span(&p, fill, out);
    free(p.recs);
    free(p.pool);
    return rc;
}

void ihex_free(struct ihex *h)
{
    if (h) {
        free(h->data);
        h->data = NULL;
        h->len = 0;
    }
}

static int put_record(FILE *f, uint8_t type, uint16_t off, const uint8_t *d, size_t n)
{
    uint8_t sum = (uint8_t)(n + (off >> 8) + (off & 0xff) + type);
    if (fprintf(f, ":%02X%04X%02X", (unsigned)n, off, type) < 0)
        return IMAGE_ERR_IO;
    for (size_t i = 0; i < n; i++) {
        sum = (uint8_t)(sum + d[i]);
        if (fprintf(f, "%02X", d[i]) < 0)
            return IMAGE_ERR_IO;
    }
    return fprintf(f, "%02X\n", (uint8_t)(0x100 - sum) & 0xff) < 0 ? IMAGE_ERR_IO : 0;
}

int ihex_write(FILE *f, const struct ihex_seg *segs, size_t nsegs)
{
    /* Files that stay below 64 KiB carry no extended address records at
     * all (what imgtool's HEX writer produces); above, one opens the file. */
    bool have_upper = true;
    uint32_t upper = 0;
    for (size_t s = 0; s < nsegs; s++)
        if (segs[s].len && (uint64_t)segs[s].addr + segs[s].len - 1 > 0xffff)
            have_upper = false;
    for (size_t s = 0; s < nsegs; s++) {
        uint64_t addr = segs[s].addr;
        size_t left = segs[s].len;
        const uint8_t *d = segs[s].data;
        while (left) {
            uint32_t hi = (uint32_t)(addr >> 16);
            if (!have_upper || hi != upper) {
                uint8_t ub[2] = { (uint8_t)(hi >> 8), (uint8_t)hi };
                if (put_record(f, 0x04, 0, ub, 2))
                    return IMAGE_ERR_IO;
                have_upper = true;
                upper = hi;
            }
            /* a record never crosses a 64 KiB boundary */
            size_t room = 0x10000 - (size_t)(addr & 0xffff);
            size_t n = left < 16 ? left : 16;
            if (n > room)
                n = room;
            if (put_record(f, 0x00, (uint16_t)(addr & 0xffff), d, n))
                return IMAGE_ERR_IO;
            addr += n;
            d += n;
            left -= n;
        }
    }
    return put_record(f, 0x01, 0, NULL, 0);
}
