/* Fuzz the serial receiver with arbitrary line noise, in a packet buffer of
 * a device's size: every delivered message must fit the buffer and be
 * re-encodable into the same frames. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "smp/serial.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t pkt[384];
    static uint8_t wire[1024];
    static uint8_t again[384];
    static struct smp_serial_rx rx, rx2;

    smp_serial_rx_init(&rx, pkt, sizeof pkt);
    for (size_t i = 0; i < size; i++) {
        size_t n = smp_serial_rx_byte(&rx, data[i]);
        if (n == 0)
            continue;
        if (n > sizeof pkt - 4)
            __builtin_trap();
        /* round trip: what we accepted, we can frame, and read back equal */
        size_t w = smp_serial_encode(rx.pkt, n, wire, sizeof wire, 0);
        if (w == 0)
            __builtin_trap();
        smp_serial_rx_init(&rx2, again, sizeof again);
        size_t got = 0;
        for (size_t k = 0; k < w; k++) {
            size_t r = smp_serial_rx_byte(&rx2, wire[k]);
            if (r)
                got = r;
        }
        if (got != n || memcmp(rx2.pkt, rx.pkt, n) != 0)
            __builtin_trap();
    }
    return 0;
}
