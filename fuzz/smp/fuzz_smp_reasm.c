/* Fuzz the SMP reassembly of packet links (BLE notifications and writes):
 * byte 0 picks the buffer size, byte 1 the packet sizes, the rest is the
 * stream. Every message handed over must be whole (8 + its header's
 * length, within the buffer), and how the stream is cut into packets must
 * not change which messages come out. */
#include <stdint.h>
#include <string.h>

#include "smp/reasm.h"
#include "smp/smp.h"

#define MAX_MSGS 512

struct seen {
    size_t cap, n;
    size_t len[MAX_MSGS];
    uint32_t sum[MAX_MSGS];
};

static void on_msg(void *ctx, const uint8_t *msg, size_t len)
{
    struct seen *s = ctx;
    if (len < SMP_HDR_SIZE || len != SMP_HDR_SIZE + (((size_t)msg[2] << 8) | msg[3]) ||
        len > s->cap)
        __builtin_trap();
    if (s->n == MAX_MSGS)
        return;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ msg[i]) * 16777619u;
    s->len[s->n] = len;
    s->sum[s->n++] = h;
}

static void run(const uint8_t *data, size_t size, size_t cap, unsigned cut, struct seen *s)
{
    static uint8_t buf[1024];
    struct smp_reasm r;
    memset(s, 0, sizeof *s);
    s->cap = cap;
    smp_reasm_init(&r, buf, cap);
    for (size_t off = 0; off < size;) {
        /* packets of 1..cut bytes, varying with the data */
        size_t n = cut ? 1 + (data[off] + off) % cut : size - off;
        if (n > size - off)
            n = size - off;
        smp_reasm_feed(&r, data + off, n, on_msg, s);
        off += n;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct seen whole, cut;
    if (size < 2)
        return 0;
    size_t cap = 8 + data[0] * 4u; /* 8..1028 bytes, within buf */
    if (cap > 1024)
        cap = 1024;
    unsigned cut_at = 1 + data[1] % 64;
    run(data + 2, size - 2, cap, 0, &whole);
    run(data + 2, size - 2, cap, cut_at, &cut);
    if (whole.n != cut.n || memcmp(whole.len, cut.len, whole.n * sizeof whole.len[0]) ||
        memcmp(whole.sum, cut.sum, whole.n * sizeof whole.sum[0]))
        __builtin_trap();
    return 0;
}
