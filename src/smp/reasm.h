/*
 * Putting SMP messages back together from a packet transport (Bluetooth
 * LE: ATT writes and notifications of at most MTU - 3 bytes). Nothing but
 * the SMP header frames a message there: its length field says how many
 * body bytes follow, so the bytes are collected until the header and then
 * the whole message are in. A message larger than the buffer is skipped
 * whole (by the same length), as a device skips what it cannot hold, and
 * the next message is taken from where it starts.
 *
 * Device-grade: no malloc, the caller owns the buffer.
 */
#ifndef SMP_REASM_H
#define SMP_REASM_H

#include <stddef.h>
#include <stdint.h>

struct smp_reasm {
    uint8_t *buf;
    size_t cap;
    size_t len;       /* bytes of the message being collected */
    size_t skip;      /* bytes still to skip of one too large */
    uint32_t skipped; /* messages skipped for their size */
};

typedef void (*smp_reasm_fn)(void *ctx, const uint8_t *msg, size_t len);

void smp_reasm_init(struct smp_reasm *r, uint8_t *buf, size_t cap);
/* Forgets a message half collected (the link dropped). */
void smp_reasm_reset(struct smp_reasm *r);
/* Takes n bytes; calls fn for each whole message they complete. */
void smp_reasm_feed(struct smp_reasm *r, const uint8_t *data, size_t n, smp_reasm_fn fn,
                    void *ctx);

#endif
