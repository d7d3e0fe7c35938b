/* Fuzz the serial receiver with arbitrary line noise, in a packet buffer of
 * a device's size, twice: with the lenient line limit (a host) and with a
 * device's 128-byte line buffer. Every delivered message must fit the
 * buffer (prefix and CRC included), every line kept must fit the limit,
 * drops must add up by cause, and what was accepted must be re-encodable
 * into frames a device-limited receiver reads back equal. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "smp/serial.h"

static void round_trip(const uint8_t *msg, size_t n)
{
    static uint8_t wire[1024];
    static uint8_t again[384];
    static struct smp_serial_rx rx2;

    size_t w = smp_serial_encode(msg, n, wire, sizeof wire, 0);
    if (w == 0)
        __builtin_trap();
    smp_serial_rx_init(&rx2, again, sizeof again);
    smp_serial_rx_set_line_max(&rx2, SMP_SERIAL_DEVICE_LINE_BUF);
    size_t got = 0;
    for (size_t k = 0; k < w; k++) {
        size_t r = smp_serial_rx_byte(&rx2, wire[k]);
        if (r)
            got = r;
    }
    if (got != n || memcmp(rx2.pkt, msg, n) != 0)
        __builtin_trap();
}

static void run(const uint8_t *data, size_t size, size_t line_max)
{
    static uint8_t pkt[384];
    static struct smp_serial_rx rx;

    smp_serial_rx_init(&rx, pkt, sizeof pkt);
    smp_serial_rx_set_line_max(&rx, line_max);
    for (size_t i = 0; i < size; i++) {
        size_t n = smp_serial_rx_byte(&rx, data[i]);
        if (rx.line_len >= rx.line_max)
            __builtin_trap();
        if (n == 0)
            continue;
        if (n > sizeof pkt - 4)
            __builtin_trap();
        round_trip(rx.pkt, n);
    }
    if (rx.dropped < (uint64_t)rx.dropped_too_big + rx.dropped_long_line)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run(data, size, 0);
    run(data, size, SMP_SERIAL_DEVICE_LINE_BUF);
    return 0;
}
