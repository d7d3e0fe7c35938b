/* SMP messages from packets (see reasm.h). */
#include "smp/reasm.h"

#include <string.h>

#include "smp/smp.h"

void smp_reasm_init(struct smp_reasm *r, uint8_t *buf, size_t cap)
{
    r->buf = buf;
    r->cap = cap;
    r->len = r->skip = 0;
    r->skipped = 0;
}

void smp_reasm_reset(struct smp_reasm *r)
{
    r->len = r->skip = 0;
}

/* The whole message's length once its header is in, else the header's. */
static size_t wanted(const struct smp_reasm *r)
{
    if (r->len < SMP_HDR_SIZE)
        return SMP_HDR_SIZE;
    return SMP_HDR_SIZE + (((size_t)r->buf[2] << 8) | r->buf[3]);
}

void smp_reasm_feed(struct smp_reasm *r, const uint8_t *data, size_t n, smp_reasm_fn fn,
                    void *ctx)
{
    while (n) {
        if (r->skip) {
            size_t k = n < r->skip ? n : r->skip;
            r->skip -= k, data += k, n -= k;
            continue;
        }
        size_t want = wanted(r);
        if (want > r->cap) {
            /* too large to hold: skip the rest of it */
            r->skip = want - r->len;
            r->len = 0;
            r->skipped++;
            continue;
        }
        size_t k = want - r->len < n ? want - r->len : n;
        memcpy(r->buf + r->len, data, k);
        r->len += k, data += k, n -= k;
        if (r->len == want && want >= SMP_HDR_SIZE && wanted(r) == want) {
            r->len = 0;
            fn(ctx, r->buf, want);
        }
    }
}
