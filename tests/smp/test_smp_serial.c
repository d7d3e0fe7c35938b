/* Serial framing against the byte sequences of real peers (issue 3,
 * smp-protocol §5.3), and the receiver's device-like dropping rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "smp/serial.h"

static size_t feed(struct smp_serial_rx *rx, const void *bytes, size_t n, int *count)
{
    const uint8_t *p = bytes;
    size_t got = 0;
    *count = 0;
    for (size_t i = 0; i < n; i++) {
        size_t r = smp_serial_rx_byte(rx, p[i]);
        if (r) {
            got = r;
            (*count)++;
        }
    }
    return got;
}

static void crc_check_value(void **state)
{
    (void)state;
    assert_int_equal(crc16_xmodem(0, "123456789", 9), 0x31c3);
    /* incremental use gives the same result */
    assert_int_equal(crc16_xmodem(crc16_xmodem(0, "1234", 4), "56789", 5), 0x31c3);
}

static void base64_round_trip_and_rejects(void **state)
{
    (void)state;
    char out[16];
    uint8_t dec[16];
    assert_int_equal(base64_encode((const uint8_t *)"hi", 2, out, sizeof out), 4);
    assert_memory_equal(out, "aGk=", 4);
    assert_int_equal(base64_decode("aGk=", 4, dec, sizeof dec), 2);
    assert_memory_equal(dec, "hi", 2);
    assert_int_equal(base64_decode("aGk", 3, dec, sizeof dec), -1);      /* not a multiple of 4 */
    assert_int_equal(base64_decode("a=k=", 4, dec, sizeof dec), -1);     /* padding inside */
    assert_int_equal(base64_decode("aGk=aGk=", 8, dec, sizeof dec), -1); /* padding mid-text */
    assert_int_equal(base64_decode("aG*=", 4, dec, sizeof dec), -1);     /* bad character */
    assert_int_equal(base64_decode("aGlh", 4, dec, 2), -1);              /* output too small */
    assert_int_equal(base64_encode((const uint8_t *)"hia", 3, out, 3), 0);
    assert_int_equal(base64_encoded_len(0), 0);
    assert_int_equal(base64_encoded_len(4), 8);
}

/* smp-protocol §5.3: v2 echo {"d":"hi"}, seq 0 */
static void worked_example_encodes_exactly(void **state)
{
    (void)state;
    const uint8_t msg[] = { 0x0a, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00,
                            0xa1, 0x61, 0x64, 0x62, 0x68, 0x69 };
    const char want[] = "\x06\x09" "ABAKAAAGAAAAAKFhZGJoaeJ8" "\n";
    uint8_t out[64];
    assert_int_equal(crc16_xmodem(0, msg, sizeof msg), 0xe27c);
    assert_int_equal(smp_serial_encoded_len(sizeof msg, 0), 27);
    size_t n = smp_serial_encode(msg, sizeof msg, out, sizeof out, 0);
    assert_int_equal(n, 27);
    assert_memory_equal(out, want, 27);
    /* too small an output buffer is refused, not overrun */
    assert_int_equal(smp_serial_encode(msg, sizeof msg, out, 26, 0), 0);
}

static void go_echo_line_encodes_exactly(void **state)
{
    (void)state;
    const uint8_t msg[] = { 0x02, 0x00, 0x00, 0x09, 0x00, 0x00, 0x42, 0x00,
                            0xa1, 0x61, 0x64, 0x65, 0x68, 0x65, 0x6c, 0x6c, 0x6f };
    const char want[] = "\x06\x09" "ABMCAAAJAABCAKFhZGVoZWxsb8EJ" "\n";
    uint8_t out[64];
    size_t n = smp_serial_encode(msg, sizeof msg, out, sizeof out, 0);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(out, want, n);
}

static void receiver_decodes_response_and_zephyr_vector(void **state)
{
    (void)state;
    uint8_t pkt[512];
    struct smp_serial_rx rx;
    int count;
    smp_serial_rx_init(&rx, pkt, sizeof pkt);

    const char rsp[] = "\x06\x09" "ABALAAAGAAAAAKFhcmJoaaUj" "\n";
    const uint8_t rsp_msg[] = { 0x0b, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00,
                                0xa1, 0x61, 0x72, 0x62, 0x68, 0x69 };
    assert_int_equal(feed(&rx, rsp, strlen(rsp), &count), sizeof rsp_msg);
    assert_int_equal(count, 1);
    assert_memory_equal(rx.pkt, rsp_msg, sizeof rsp_msg);

    /* real Zephyr device: upload error, indefinite map {"rc": 3}; with \r\n */
    const char zep[] = "\x06\x09" "ABADAAAGAAGjAb9icmMD/yT8" "\r\n";
    const uint8_t zep_msg[] = { 0x03, 0x00, 0x00, 0x06, 0x00, 0x01, 0xa3, 0x01,
                                0xbf, 0x62, 0x72, 0x63, 0x03, 0xff };
    assert_int_equal(feed(&rx, zep, strlen(zep), &count), sizeof zep_msg);
    assert_memory_equal(rx.pkt, zep_msg, sizeof zep_msg);
    assert_int_equal(rx.dropped, 0);
}

static void console_lines_are_skipped(void **state)
{
    (void)state;
    uint8_t pkt[512];
    struct smp_serial_rx rx;
    int count;
    smp_serial_rx_init(&rx, pkt, sizeof pkt);
    const char mixed[] = "*** Booting Zephyr ***\r\n"
                         "\x06\x09" "ABAKAAAGAAAAAKFhZGJoaeJ8" "\n"
                         "uart:~$ \n";
    assert_int_equal(feed(&rx, mixed, strlen(mixed), &count), 14);
    assert_int_equal(count, 1);
    assert_int_equal(rx.non_frame_lines, 2);
}

static void corrupt_packets_are_dropped_silently(void **state)
{
    (void)state;
    uint8_t pkt[512];
    struct smp_serial_rx rx;
    int count;
    smp_serial_rx_init(&rx, pkt, sizeof pkt);

    /* one base64 character changed: CRC fails */
    const char bad_crc[] = "\x06\x09" "ABAKAAAGAAAAAKFhZGJoaeJ9" "\n";
    assert_int_equal(feed(&rx, bad_crc, strlen(bad_crc), &count), 0);
    assert_int_equal(rx.dropped, 1);
    /* not base64 */
    const char bad_b64[] = "\x06\x09" "AB*KAAAGAAAAAKFhZGJoaeJ8" "\n";
    assert_int_equal(feed(&rx, bad_b64, strlen(bad_b64), &count), 0);
    assert_int_equal(rx.dropped, 2);
    /* continuation lines with no packet in progress: a packet whose first
     * line was lost, counted once however many lines it had */
    const char cont[] = "\x06\x09" "ABAKAAAGAAAAAKFhZGJoaeJ8" "\n"
                        "\x04\x14" "ABAKAAAGAAAAAKFhZGJoaeJ8" "\n"
                        "\x04\x14" "ABAKAAAGAAAAAKFhZGJoaeJ8" "\n";
    assert_int_equal(feed(&rx, cont, strlen(cont), &count), 14);
    assert_int_equal(count, 1); /* the good packet before them */
    assert_int_equal(rx.dropped, 3);
    assert_int_equal(rx.dropped_too_big + rx.dropped_long_line, 0);
    /* the receiver still works afterwards */
    const char good[] = "\x06\x09" "ABAKAAAGAAAAAKFhZGJoaeJ8" "\n";
    assert_int_equal(feed(&rx, good, strlen(good), &count), 14);
}

static void oversized_packet_is_dropped(void **state)
{
    (void)state;
    uint8_t msg[300], wire[1024], pkt[128];
    struct smp_serial_rx rx;
    int count;
    memset(msg, 0x5a, sizeof msg);
    size_t n = smp_serial_encode(msg, sizeof msg, wire, sizeof wire, 0);
    assert_true(n > 0);
    smp_serial_rx_init(&rx, pkt, sizeof pkt);
    assert_int_equal(feed(&rx, wire, n, &count), 0);
    /* one packet, dropped once: its continuation lines are not counted again */
    assert_int_equal(rx.dropped, 1);
    assert_int_equal(rx.dropped_too_big, 1);
    /* an over-long line (longer than the receiver's line buffer) is dropped too */
    static uint8_t huge[SMP_SERIAL_RX_LINE_CAP + 64];
    uint8_t big[2048];
    huge[0] = 0x06;
    huge[1] = 0x09;
    memset(huge + 2, 'A', sizeof huge - 3);
    huge[sizeof huge - 1] = '\n';
    smp_serial_rx_init(&rx, big, sizeof big);
    assert_int_equal(feed(&rx, huge, sizeof huge, &count), 0);
    assert_int_equal(rx.dropped, 1);
    assert_int_equal(rx.dropped_long_line, 1);
}

/* Echo-like message of exactly len bytes (header + filler). */
static void make_msg(uint8_t *msg, size_t len)
{
    memset(msg, 0, 8);
    msg[2] = (uint8_t)((len - 8) >> 8);
    msg[3] = (uint8_t)(len - 8);
    for (size_t i = 8; i < len; i++)
        msg[i] = (uint8_t)(i * 13);
}

/* smp-protocol §5.4: length prefix, message and CRC share the buffer, so a
 * buffer of 384 takes messages of up to 380 bytes. Oversized packets are
 * told apart from corrupt ones. */
static void buffer_holds_prefix_message_and_crc(void **state)
{
    (void)state;
    static const size_t caps[] = { 256, 384, 1024, 2048 };
    static uint8_t msg[2100], wire[4096], pkt[2048];
    struct smp_serial_rx rx;
    int count;
    for (size_t k = 0; k < sizeof caps / sizeof caps[0]; k++) {
        smp_serial_rx_init(&rx, pkt, caps[k]);
        for (size_t len = caps[k] - 6; len <= caps[k] - 2; len++) {
            make_msg(msg, len);
            size_t n = smp_serial_encode(msg, len, wire, sizeof wire, 0);
            assert_true(n > 0);
            size_t got = feed(&rx, wire, n, &count);
            if (len + 4 <= caps[k]) {
                assert_int_equal(got, len);
                assert_memory_equal(rx.pkt, msg, len);
            } else {
                assert_int_equal(got, 0);
            }
        }
        assert_int_equal(rx.dropped, 2);          /* buf_size - 3 and - 2 */
        assert_int_equal(rx.dropped_too_big, 2);
        assert_int_equal(rx.dropped_long_line, 0);
    }
}

/* A first line larger than the whole buffer is too big as well (its
 * prefix never fits). */
static void first_line_larger_than_buffer_is_too_big(void **state)
{
    (void)state;
    uint8_t msg[200], wire[512], pkt[64];
    struct smp_serial_rx rx;
    int count;
    make_msg(msg, sizeof msg);
    size_t n = smp_serial_encode(msg, sizeof msg, wire, sizeof wire, 0);
    smp_serial_rx_init(&rx, pkt, sizeof pkt);
    assert_int_equal(feed(&rx, wire, n, &count), 0);
    assert_int_equal(rx.dropped, 1);
    assert_int_equal(rx.dropped_too_big, 1);
}

/* A device's line buffer (128 bytes, marker and '\n' included): a longer
 * line is ignored, its whole packet lost and counted once; the next
 * packet gets through. A 128-byte line still fits. */
static void device_line_limit(void **state)
{
    (void)state;
    static uint8_t msg[300], wire[1024], pkt[384];
    struct smp_serial_rx rx;
    int count;
    make_msg(msg, sizeof msg);
    smp_serial_rx_init(&rx, pkt, sizeof pkt);
    smp_serial_rx_set_line_max(&rx, SMP_SERIAL_DEVICE_LINE_BUF);

    /* lines of 131 bytes: the first and every continuation overflow */
    size_t n = smp_serial_encode(msg, sizeof msg, wire, sizeof wire, 131);
    assert_int_equal(wire[130], '\n');
    assert_int_equal(feed(&rx, wire, n, &count), 0);
    assert_int_equal(rx.dropped, 1);
    assert_int_equal(rx.dropped_long_line, 1);

    /* only a continuation line too long: the packet in progress is lost */
    n = smp_serial_encode(msg, sizeof msg, wire, sizeof wire, 0);
    size_t first_end = 0;
    while (wire[first_end] != '\n')
        first_end++;
    static uint8_t mixed[1200];
    memcpy(mixed, wire, first_end + 1);                  /* a good first line */
    size_t m = first_end + 1;
    mixed[m++] = 0x04;
    mixed[m++] = 0x14;
    memset(mixed + m, 'A', 140);
    m += 140;
    mixed[m++] = '\n';
    memcpy(mixed + m, wire + first_end + 1, n - first_end - 1); /* the rest */
    m += n - first_end - 1;
    assert_int_equal(feed(&rx, mixed, m, &count), 0);
    assert_int_equal(rx.dropped, 2);
    assert_int_equal(rx.dropped_long_line, 2);

    /* lines of exactly 128 bytes fit the buffer: 127-byte frames with a
     * '\r' before each '\n' (the '\r' takes buffer room too) */
    n = smp_serial_encode(msg, sizeof msg, wire, sizeof wire, 0);
    m = 0;
    for (size_t i = 0; i < n; i++) {
        if (wire[i] == '\n')
            mixed[m++] = '\r';
        mixed[m++] = wire[i];
    }
    assert_int_equal(mixed[127], '\n');
    assert_int_equal(feed(&rx, mixed, m, &count), sizeof msg);
    assert_memory_equal(rx.pkt, msg, sizeof msg);
    assert_int_equal(rx.dropped, 2);
    /* one more '\r' on the first line: 129 bytes, the packet is lost */
    memmove(mixed + 1, mixed, m++);
    mixed[0] = '\r';
    assert_int_equal(feed(&rx, mixed, m, &count), 0);
    assert_int_equal(rx.dropped_long_line, 3);

    /* the lenient default takes the 131-byte lines */
    smp_serial_rx_set_line_max(&rx, 0);
    n = smp_serial_encode(msg, sizeof msg, wire, sizeof wire, 131);
    assert_int_equal(feed(&rx, wire, n, &count), sizeof msg);
}

/* A long message: lines of at most line_max bytes, each decodable alone,
 * first with 06 09 and the rest with 04 14; the receiver reassembles it. */
static void multi_line_round_trip(void **state)
{
    (void)state;
    static const size_t line_maxes[] = { 0, 127, 64, 7, 200 };
    uint8_t msg[1000], wire[4096], pkt[1100], dec[1024];
    struct smp_serial_rx rx;
    int count;
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 7 + 3);

    for (size_t k = 0; k < sizeof line_maxes / sizeof line_maxes[0]; k++) {
        size_t lm = line_maxes[k] ? line_maxes[k] : SMP_SERIAL_LINE_MAX;
        size_t n = smp_serial_encode(msg, sizeof msg, wire, sizeof wire, line_maxes[k]);
        assert_int_equal(n, smp_serial_encoded_len(sizeof msg, line_maxes[k]));
        size_t start = 0, lines = 0, decoded = 0;
        for (size_t i = 0; i < n; i++) {
            if (wire[i] != '\n')
                continue;
            size_t len = i + 1 - start;
            assert_true(len <= lm);
            assert_int_equal(wire[start], lines == 0 ? 0x06 : 0x04);
            assert_int_equal(wire[start + 1], lines == 0 ? 0x09 : 0x14);
            int d = base64_decode((const char *)wire + start + 2, len - 3, dec, sizeof dec);
            assert_true(d > 0);
            decoded += (size_t)d;
            lines++;
            start = i + 1;
        }
        assert_int_equal(start, n);
        assert_int_equal(decoded, sizeof msg + 4);
        smp_serial_rx_init(&rx, pkt, sizeof pkt);
        assert_int_equal(feed(&rx, wire, n, &count), sizeof msg);
        assert_int_equal(count, 1);
        assert_memory_equal(rx.pkt, msg, sizeof msg);
    }
    /* line_max too small to carry any base64 */
    assert_int_equal(smp_serial_encode(msg, 10, wire, sizeof wire, 6), 0);
}

/* A Zephyr-style encoder encodes each line on its own, so a non-final line
 * may end in padding: the receiver must still reassemble it. */
static void per_line_padding_is_accepted(void **state)
{
    (void)state;
    const uint8_t pkt_bytes[] = { 0x00, 0x10, 0x0a, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00,
                                  0xa1, 0x61, 0x64, 0x62, 0x68, 0x69, 0xe2, 0x7c };
    char l1[32], l2[32];
    uint8_t wire[80], pkt[64];
    size_t n1 = base64_encode(pkt_bytes, 7, l1, sizeof l1);
    size_t n2 = base64_encode(pkt_bytes + 7, sizeof pkt_bytes - 7, l2, sizeof l2);
    size_t o = 0;
    wire[o++] = 0x06; wire[o++] = 0x09;
    memcpy(wire + o, l1, n1); o += n1; wire[o++] = '\n';
    wire[o++] = 0x04; wire[o++] = 0x14;
    memcpy(wire + o, l2, n2); o += n2; wire[o++] = '\n';
    struct smp_serial_rx rx;
    int count;
    smp_serial_rx_init(&rx, pkt, sizeof pkt);
    assert_int_equal(feed(&rx, wire, o, &count), 14);
    assert_memory_equal(rx.pkt, pkt_bytes + 2, 14);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crc_check_value),
        cmocka_unit_test(base64_round_trip_and_rejects),
        cmocka_unit_test(worked_example_encodes_exactly),
        cmocka_unit_test(go_echo_line_encodes_exactly),
        cmocka_unit_test(receiver_decodes_response_and_zephyr_vector),
        cmocka_unit_test(console_lines_are_skipped),
        cmocka_unit_test(corrupt_packets_are_dropped_silently),
        cmocka_unit_test(oversized_packet_is_dropped),
        cmocka_unit_test(buffer_holds_prefix_message_and_crc),
        cmocka_unit_test(first_line_larger_than_buffer_is_too_big),
        cmocka_unit_test(device_line_limit),
        cmocka_unit_test(multi_line_round_trip),
        cmocka_unit_test(per_line_padding_is_accepted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
