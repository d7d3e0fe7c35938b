/* Fuzz target of the delta patch applier. Input: a 2-byte little-endian
 * base length n, n bytes of base, then the patch. The patch is fed in
 * chunks whose size follows from the input length (so one input covers
 * one split); the target goes to a bounded sink. Then the same patch is
 * walked in a dry run. Neither may read or write out of bounds, and a
 * clean finish must have produced exactly the header's target_len. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/delta.h"

#define SINK_CAP (64u * 1024u)

struct sink {
    const uint8_t *base;
    size_t base_len;
    size_t len;
    uint8_t out[SINK_CAP];
};

static int read_base(void *ctx, uint32_t off, uint8_t *buf, size_t len)
{
    struct sink *s = ctx;
    if ((uint64_t)off + len > s->base_len)
        return -1;
    memcpy(buf, s->base + off, len);
    return 0;
}

static int write_out(void *ctx, const uint8_t *buf, size_t len)
{
    struct sink *s = ctx;
    if (s->len + len > SINK_CAP)
        return 1;
    memcpy(s->out + s->len, buf, len);
    s->len += len;
    return 0;
}

static void run(struct delta_apply *d, const uint8_t *p, size_t n, const struct delta_io *io,
                const struct sink *s)
{
    size_t step = n % 61 + 1;
    int rc = DELTA_OK;

    for (size_t at = 0; at < n && rc == DELTA_OK; at += step)
        rc = delta_apply_feed(d, p + at, n - at < step ? n - at : step, io);
    if (rc == DELTA_OK && delta_apply_finish(d) == DELTA_OK) {
        if (d->out != d->hdr.target_len || (s && s->len != d->hdr.target_len))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sink s;
    static struct delta_apply d;
    struct delta_io io = { read_base, write_out, &s };

    if (size < 2)
        return 0;
    size_t n = (size_t)(data[0] | data[1] << 8);
    if (n > size - 2)
        n = size - 2;
    s.base = data + 2;
    s.base_len = n;
    s.len = 0;
    delta_apply_init(&d);
    run(&d, data + 2 + n, size - 2 - n, &io, &s);
    delta_apply_init_dry(&d);
    io.write = NULL;
    run(&d, data + 2 + n, size - 2 - n, &io, NULL);
    return 0;
}
