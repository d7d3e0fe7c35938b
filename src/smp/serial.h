/*
 * SMP over a serial line ("SMP over console"): a packet is
 * len16_be(msg + crc) || msg || crc16_be, base64-encoded and cut into lines
 * of at most line_max bytes (127 by default) that start with 06 09 (first)
 * or 04 14 (continuation) and end with '\n'. Every line is valid base64 on
 * its own. CRC is CRC-16/XMODEM over the message only.
 */
#ifndef SMP_SERIAL_H
#define SMP_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SMP_SERIAL_LINE_MAX 127
/* Largest line a receiver can accept, '\n' included (a peer may raise its
 * line length); smp_serial_rx_set_line_max lowers it to a device's.
 * Integrator limit (docs/limits.md): the size of struct smp_serial_rx's
 * line buffer. */
#ifndef SMP_SERIAL_RX_LINE_CAP
#define SMP_SERIAL_RX_LINE_CAP 1024
#endif
/* A device's UART line buffer (Zephyr CONFIG_UART_MCUMGR_RX_BUF_SIZE). */
#ifndef SMP_SERIAL_DEVICE_LINE_BUF
#define SMP_SERIAL_DEVICE_LINE_BUF 128
#endif
_Static_assert(SMP_SERIAL_RX_LINE_CAP >= SMP_SERIAL_LINE_MAX + 1,
               "SMP_SERIAL_RX_LINE_CAP: at least one protocol line");

uint16_t crc16_xmodem(uint16_t crc, const void *data, size_t len);

size_t base64_encoded_len(size_t n);
/* Returns bytes written (no NUL), or 0 if out is too small. */
size_t base64_encode(const uint8_t *in, size_t n, char *out, size_t cap);
/* Returns decoded length, or -1 on bad input / small output. n must be a
 * multiple of 4. */
int base64_decode(const char *in, size_t n, uint8_t *out, size_t cap);

/* Bytes smp_serial_encode needs for a message of msg_len bytes. */
size_t smp_serial_encoded_len(size_t msg_len, size_t line_max);
/* Frames one SMP message. line_max 0 means SMP_SERIAL_LINE_MAX. Returns the
 * number of bytes written to out, or 0 if it does not fit. */
size_t smp_serial_encode(const uint8_t *msg, size_t msg_len, uint8_t *out,
                         size_t cap, size_t line_max);

/* Receiver: feed bytes as they arrive. Lines that are not frames (console
 * output) are skipped; a packet that cannot be delivered is dropped
 * silently, as a device does, and counted once, by cause.
 *
 * Two limits make it as strict as a device (smp-protocol §5.4, §5.4.1):
 *  - pkt_cap bounds the decoded packet, length prefix and CRC included
 *    (a Zephyr device decodes all three into one buffer of buf_size, so its
 *    largest request message is buf_size - 4);
 *  - line_max bounds one line, marker and '\n' included (a device's UART
 *    line buffer, 128 bytes by default): a longer line is ignored up to its
 *    '\n', so its whole packet is lost. */
struct smp_serial_rx {
    uint8_t *pkt;      /* caller buffer for the reassembled message */
    size_t pkt_cap;
    size_t pkt_len;    /* decoded bytes so far, length prefix included */
    size_t expect;     /* from the length prefix; 0 = no packet in progress */
    bool skipping;     /* the packet was dropped: its continuation lines are ignored */
    char line[SMP_SERIAL_RX_LINE_CAP];
    size_t line_max;   /* longest line accepted, '\n' included */
    size_t line_len;
    bool line_overflow;
    uint32_t dropped;           /* packets dropped, all causes */
    uint32_t dropped_too_big;   /* of which: larger than pkt_cap */
    uint32_t dropped_long_line; /* of which: a line longer than line_max */
    uint32_t non_frame_lines;
};

/* Lines of up to SMP_SERIAL_RX_LINE_CAP bytes ('\n' included). */
void smp_serial_rx_init(struct smp_serial_rx *rx, uint8_t *pkt_buf, size_t cap);
/* Sets the longest line accepted ('\n' included), clamped to
 * 4..SMP_SERIAL_RX_LINE_CAP; 0 means SMP_SERIAL_RX_LINE_CAP. */
void smp_serial_rx_set_line_max(struct smp_serial_rx *rx, size_t line_max);
/* Feeds one byte. Returns the length of a complete, CRC-checked message
 * (now at rx->pkt, valid until the next call), or 0. */
size_t smp_serial_rx_byte(struct smp_serial_rx *rx, uint8_t c);

#endif
