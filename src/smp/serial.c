/*
 * SMP over a serial line (smp-protocol §5): CRC-16/XMODEM, base64, the
 * framing encoder and a byte-fed receiver.
 *
 * The encoder base64-encodes the whole packet once and cuts the text into
 * pieces whose length is a multiple of 4, so every line decodes on its own
 * (peers that decode line by line depend on this).
 * The receiver behaves like a device: non-frame lines (console output) are
 * skipped; a corrupt packet, one larger than the buffer (length prefix and
 * CRC included) and one with a line longer than the line limit are dropped
 * silently, counted by cause, never answered.
 * Not here: reading from or writing to a tty (client/ and sim/ do that).
 */
#include "smp/serial.h"

#include <string.h>

#define MARK_FIRST_0 0x06
#define MARK_FIRST_1 0x09
#define MARK_CONT_0 0x04
#define MARK_CONT_1 0x14
#define LINE_OVERHEAD 3 /* two marker bytes and '\n' */

uint16_t crc16_xmodem(uint16_t crc, const void *data, size_t len)
{
    const uint8_t *p = data;

    while (len--) {
        crc ^= (uint16_t)(*p++ << 8);
        for (int i = 0; i < 8; i++)
            crc = (crc & 0x8000u) ? (uint16_t)((crc << 1) ^ 0x1021u) : (uint16_t)(crc << 1);
    }
    return crc;
}

/* ---- base64 (RFC 4648 standard alphabet, '=' padding) ---- */

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t base64_encoded_len(size_t n) { return (n + 2) / 3 * 4; }

size_t base64_encode(const uint8_t *in, size_t n, char *out, size_t cap)
{
    size_t o = 0;

    if (base64_encoded_len(n) > cap)
        return 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        size_t rest = n - i;
        if (rest > 1)
            v |= (uint32_t)in[i + 1] << 8;
        if (rest > 2)
            v |= in[i + 2];
        out[o++] = b64_alphabet[(v >> 18) & 0x3f];
        out[o++] = b64_alphabet[(v >> 12) & 0x3f];
        out[o++] = rest > 1 ? b64_alphabet[(v >> 6) & 0x3f] : '=';
        out[o++] = rest > 2 ? b64_alphabet[v & 0x3f] : '=';
    }
    return o;
}

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

int base64_decode(const char *in, size_t n, uint8_t *out, size_t cap)
{
    size_t o = 0;

    if (n % 4 != 0)
        return -1;
    for (size_t i = 0; i < n; i += 4) {
        int v[4];
        int pad = 0;
        bool last = i + 4 == n;
        for (int k = 0; k < 4; k++) {
            char c = in[i + k];
            /* '=' only in the last two positions of the last quantum */
            if (c == '=' && last && k >= 2) {
                v[k] = 0;
                pad++;
                continue;
            }
            if (pad)
                return -1;
            v[k] = b64_value(c);
            if (v[k] < 0)
                return -1;
        }
        uint32_t q = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        size_t nbytes = 3 - (size_t)pad;
        if (nbytes > cap - o)
            return -1;
        out[o++] = (uint8_t)(q >> 16);
        if (nbytes > 1)
            out[o++] = (uint8_t)(q >> 8);
        if (nbytes > 2)
            out[o++] = (uint8_t)q;
    }
    return (int)o;
}

/* ---- encoder ---- */

/* base64 characters per line: a multiple of 4 so each line decodes alone */
static size_t text_per_line(size_t line_max)
{
    if (line_max == 0)
        line_max = SMP_SERIAL_LINE_MAX;
    if (line_max < LINE_OVERHEAD + 4)
        return 0;
    return (line_max - LINE_OVERHEAD) / 4 * 4;
}

size_t smp_serial_encoded_len(size_t msg_len, size_t line_max)
{
    size_t per = text_per_line(line_max);
    size_t text = base64_encoded_len(msg_len + 4);

    if (per == 0)
        return 0;
    return text + (text + per - 1) / per * LINE_OVERHEAD;
}

size_t smp_serial_encode(const uint8_t *msg, size_t msg_len, uint8_t *out,
                         size_t cap, size_t line_max)
{
    size_t per = text_per_line(line_max);
    size_t total = smp_serial_encoded_len(msg_len, line_max);
    size_t text_len, o = 0, t = 0;
    uint8_t three[3];
    uint16_t crc;

    /* the length prefix is 16 bits and counts msg + crc */
    if (per == 0 || msg_len > 0xffff - 2 || total > cap)
        return 0;
    crc = crc16_xmodem(0, msg, msg_len);

    /* Encode in place at the end of out, then move the text into lines.
     * The text starts at out + cap - text_len, which is never before the
     * line it is copied into, so memmove front-to-back is safe. */
    text_len = base64_encoded_len(msg_len + 4);
    char *text = (char *)out + cap - text_len;
    size_t pos = 0;
    /* the packet is prefix || msg || crc; encode it in 3-byte groups */
    for (size_t i = 0; i < msg_len + 4; i += 3) {
        size_t k;
        for (k = 0; k < 3 && i + k < msg_len + 4; k++) {
            size_t j = i + k;
            if (j == 0) three[k] = (uint8_t)((msg_len + 2) >> 8);
            else if (j == 1) three[k] = (uint8_t)(msg_len + 2);
            else if (j < msg_len + 2) three[k] = msg[j - 2];
            else if (j == msg_len + 2) three[k] = (uint8_t)(crc >> 8);
            else three[k] = (uint8_t)crc;
        }
        pos += base64_encode(three, k, text + pos, text_len - pos);
    }
    while (t < text_len) {
        size_t n = text_len - t < per ? text_len - t : per;
        out[o++] = t == 0 ? MARK_FIRST_0 : MARK_CONT_0;
        out[o++] = t == 0 ? MARK_FIRST_1 : MARK_CONT_1;
        memmove(out + o, text + t, n);
        o += n;
        t += n;
        out[o++] = '\n';
    }
    return o;
}

/* ---- receiver ---- */

void smp_serial_rx_init(struct smp_serial_rx *rx, uint8_t *pkt_buf, size_t cap)
{
    memset(rx, 0, sizeof *rx);
    rx->pkt = pkt_buf;
    rx->pkt_cap = cap;
    rx->line_max = SMP_SERIAL_RX_LINE_CAP;
}

void smp_serial_rx_set_line_max(struct smp_serial_rx *rx, size_t line_max)
{
    if (line_max == 0 || line_max > SMP_SERIAL_RX_LINE_CAP)
        line_max = SMP_SERIAL_RX_LINE_CAP;
    if (line_max < LINE_OVERHEAD + 1)
        line_max = LINE_OVERHEAD + 1;
    rx->line_max = line_max;
}

enum drop_cause { DROP_CORRUPT, DROP_TOO_BIG, DROP_LONG_LINE };

/* The packet in progress (or the one a lost line belonged to) is lost:
 * counted once, and its remaining continuation lines are ignored. */
static void drop_packet(struct smp_serial_rx *rx, enum drop_cause why)
{
    rx->dropped++;
    if (why == DROP_TOO_BIG)
        rx->dropped_too_big++;
    else if (why == DROP_LONG_LINE)
        rx->dropped_long_line++;
    rx->expect = 0;
    rx->pkt_len = 0;
    rx->skipping = true;
}

/* A first frame line starts a new packet; one still in progress never
 * completed and is lost. */
static void start_packet(struct smp_serial_rx *rx)
{
    if (rx->expect != 0)
        drop_packet(rx, DROP_CORRUPT);
    rx->expect = 0;
    rx->pkt_len = 0;
    rx->skipping = false;
}

/* A continuation line belongs to a packet in progress, or to one already
 * dropped (ignored). With neither, the packet's first line was lost: that
 * packet counts as dropped, once. */
static bool continues_packet(struct smp_serial_rx *rx)
{
    if (rx->expect != 0)
        return true;
    if (!rx->skipping)
        drop_packet(rx, DROP_CORRUPT);
    return false;
}

/* Bytes n characters of base64 text decode to (0 if n is no multiple of 4). */
static size_t decoded_len(const char *text, size_t n)
{
    size_t pad = 0;

    if (n % 4 != 0 || n == 0)
        return 0;
    while (pad < 2 && text[n - 1 - pad] == '=')
        pad++;
    return n / 4 * 3 - pad;
}

/* Reads the length prefix of a packet's first line. It counts the message
 * and its CRC; prefix, message and CRC must all fit the buffer. */
static bool take_length(struct smp_serial_rx *rx)
{
    if (rx->pkt_len < 2) {
        drop_packet(rx, DROP_CORRUPT);
        return false;
    }
    rx->expect = (size_t)rx->pkt[0] << 8 | rx->pkt[1];
    if (rx->expect < 3) { /* at least one message byte plus the CRC */
        drop_packet(rx, DROP_CORRUPT);
        return false;
    }
    if (rx->expect + 2 > rx->pkt_cap) {
        drop_packet(rx, DROP_TOO_BIG);
        return false;
    }
    return true;
}

/* Decodes one frame line's text and appends it; returns the message length
 * when the packet is complete and its CRC is good, else 0. */
static size_t take_frame(struct smp_serial_rx *rx, bool first, const char *text, size_t n)
{
    int got;
    size_t body;

    if (first)
        start_packet(rx);
    else if (!continues_packet(rx))
        return 0;
    /* A first line can overflow the buffer before its prefix is read: the
     * packet is too big. Later lines only can if they carry more than the
     * prefix said: corrupt. */
    if (first && decoded_len(text, n) > rx->pkt_cap) {
        drop_packet(rx, DROP_TOO_BIG);
        return 0;
    }
    got = base64_decode(text, n, rx->pkt + rx->pkt_len, rx->pkt_cap - rx->pkt_len);
    if (got < 0) {
        drop_packet(rx, DROP_CORRUPT);
        return 0;
    }
    rx->pkt_len += (size_t)got;
    if (first && !take_length(rx))
        return 0;
    body = rx->pkt_len - 2;
    if (body < rx->expect)
        return 0;
    if (body > rx->expect || crc16_xmodem(0, rx->pkt + 2, rx->expect) != 0) {
        drop_packet(rx, DROP_CORRUPT);
        return 0;
    }
    body = rx->expect - 2;
    memmove(rx->pkt, rx->pkt + 2, body);
    rx->expect = 0;
    rx->pkt_len = 0;
    rx->skipping = false;
    return body;
}

/* A frame line longer than the line buffer was ignored up to its '\n', as
 * a device does: the packet it belongs to is lost. */
static void lost_line(struct smp_serial_rx *rx, bool first)
{
    if (first)
        start_packet(rx);
    else if (rx->expect == 0 && rx->skipping)
        return; /* its packet was already dropped */
    drop_packet(rx, DROP_LONG_LINE);
}

static size_t end_of_line(struct smp_serial_rx *rx)
{
    const char *l = rx->line;
    size_t n = rx->line_len;
    bool overflow = rx->line_overflow;
    bool first;

    rx->line_len = 0;
    rx->line_overflow = false;
    while (n && l[0] == '\r') {
        l++;
        n--;
    }
    while (n && l[n - 1] == '\r')
        n--;
    if (n < 2 || !((l[0] == MARK_FIRST_0 && l[1] == MARK_FIRST_1) ||
                   (l[0] == MARK_CONT_0 && l[1] == MARK_CONT_1))) {
        rx->non_frame_lines++;
        return 0;
    }
    first = l[0] == MARK_FIRST_0;
    if (overflow) {
        lost_line(rx, first);
        return 0;
    }
    return take_frame(rx, first, l + 2, n - 2);
}

size_t smp_serial_rx_byte(struct smp_serial_rx *rx, uint8_t c)
{
    if (c == '\n')
        return end_of_line(rx);
    /* the line buffer holds the '\n' too: line_max - 1 bytes before it */
    if (rx->line_len < rx->line_max - 1)
        rx->line[rx->line_len++] = (char)c;
    else
        rx->line_overflow = true;
    return 0;
}
