/*
 * serial_probe: a small SMP-over-serial test client for the board's
 * end-to-end tests, framing with src/smp. It sends SMP v2 echo requests of
 * an exact whole-message length (header + CBOR), several back to back in
 * one write if asked, and reports which came back with the right text.
 *
 *   serial_probe TTY [--baud N] [--line-max N] [--wait MS] LEN[xCOUNT]...
 *
 *   --baud N      set N baud the way the Rust `serialport` crate does:
 *                 termios2 with BOTHER (default: keep the port's speed)
 *   --line-max N  frame lines of at most N bytes (default 127)
 *   --wait MS     how long to wait for the answers (default 1000); returns
 *                 as soon as every request is answered
 *
 * Prints one line per answer, "seq=S len=L ok" (the echoed text matches)
 * or "seq=S len=L bad", then "answers=K". Exit 0, 1 on an I/O error,
 * 2 on bad usage.
 *
 * termios2 comes from <asm/termbits.h>, which clashes with <termios.h>:
 * this file uses only the former.
 */
#include <asm/termbits.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "smp/serial.h"
#include "smp/smp.h"

#define MSG_MAX 4096
#define MAX_REQS 64

struct probe {
    int fd;
    unsigned baud;        /* 0 = keep the port's speed */
    size_t line_max;
    int wait_ms;
    size_t nreq;
    size_t len[MAX_REQS]; /* whole message length of request i (seq i) */
};

/* Raw 8N1 as cfmakeraw does, and with --baud the speed as BOTHER. */
static int setup_tty(const struct probe *p)
{
    struct termios2 t;
    if (ioctl(p->fd, TCGETS2, &t) != 0)
        return -1;
    t.c_iflag &= ~(unsigned)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    t.c_oflag &= ~(unsigned)OPOST;
    t.c_lflag &= ~(unsigned)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    t.c_cflag &= ~(unsigned)(CSIZE | PARENB);
    t.c_cflag |= CS8 | CREAD | CLOCAL;
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    if (p->baud) {
        t.c_cflag &= ~(unsigned)(CBAUD | (CBAUD << IBSHIFT));
        t.c_cflag |= BOTHER | (BOTHER << IBSHIFT);
        t.c_ispeed = t.c_ospeed = p->baud;
    }
    if (ioctl(p->fd, TCSETS2, &t) != 0)
        return -1;
    return ioctl(p->fd, TCFLSH, TCIOFLUSH);
}

/* The echo text of request seq: printable, different per request. */
static char text_byte(size_t seq, size_t i)
{
    return (char)('a' + (seq * 7 + i) % 26);
}

/* CBOR {"d" or "r": text} whose text fills a message of exactly len bytes.
 * Returns the body length, or 0 when len cannot be hit exactly. */
static size_t echo_body(uint8_t *b, char key, size_t seq, size_t len)
{
    size_t n, o = 0;
    if (len < SMP_HDR_SIZE + 3 + 2 + 24)
        return 0;
    b[o++] = 0xa1;
    b[o++] = 0x61;
    b[o++] = (uint8_t)key;
    n = len - SMP_HDR_SIZE - 3 - 2; /* text head 0x78 n */
    if (n < 256) {
        b[o++] = 0x78;
        b[o++] = (uint8_t)n;
    } else {
        n--; /* head 0x79 hi lo */
        if (n < 256)
            return 0;
        b[o++] = 0x79;
        b[o++] = (uint8_t)(n >> 8);
        b[o++] = (uint8_t)n;
    }
    for (size_t i = 0; i < n; i++)
        b[o++] = (uint8_t)text_byte(seq, i);
    return o;
}

static size_t echo_msg(uint8_t *m, uint8_t op, char key, size_t seq, size_t len)
{
    size_t body = echo_body(m + SMP_HDR_SIZE, key, seq, len);
    struct smp_hdr h = { .op = op, .ver = 1, .len = (uint16_t)body,
                         .group = SMP_GROUP_OS, .seq = (uint8_t)seq, .id = 0 };
    if (body == 0)
        return 0;
    smp_hdr_encode(&h, m);
    return SMP_HDR_SIZE + body;
}

static int write_all(int fd, const uint8_t *b, size_t n)
{
    while (n) {
        ssize_t w = write(fd, b, n);
        if (w < 0 && (errno == EINTR || errno == EAGAIN)) {
            struct pollfd pfd = { .fd = fd, .events = POLLOUT };
            poll(&pfd, 1, 100);
            continue;
        }
        if (w <= 0)
            return -1;
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

/* All requests framed into one buffer and written in one go. */
static int send_burst(const struct probe *p)
{
    static uint8_t wire[MAX_REQS * (MSG_MAX * 2)];
    static uint8_t msg[MSG_MAX];
    size_t o = 0;
    for (size_t i = 0; i < p->nreq; i++) {
        size_t m = echo_msg(msg, SMP_OP_WRITE, 'd', i, p->len[i]);
        size_t w = m ? smp_serial_encode(msg, m, wire + o, sizeof wire - o, p->line_max) : 0;
        if (w == 0) {
            fprintf(stderr, "serial_probe: cannot build a request of %zu bytes\n", p->len[i]);
            return -1;
        }
        o += w;
    }
    return write_all(p->fd, wire, o);
}

/* An answer is good when it is the echo response of a request we sent,
 * with its text byte for byte. */
static bool answer_ok(const struct probe *p, const uint8_t *m, size_t n, struct smp_hdr *h)
{
    static uint8_t want[MSG_MAX];
    if (smp_hdr_decode(m, n, h) != 0 || h->seq >= p->nreq)
        return false;
    size_t w = echo_msg(want, SMP_OP_WRITE_RSP, 'r', h->seq, p->len[h->seq]);
    return w == n && memcmp(want, m, n) == 0;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads answers until each request has one or the wait is over. */
static int collect(const struct probe *p)
{
    static uint8_t pkt[MSG_MAX + 4];
    struct smp_serial_rx rx;
    size_t answers = 0;
    int64_t end = now_ms() + p->wait_ms;
    smp_serial_rx_init(&rx, pkt, sizeof pkt);
    while (answers < p->nreq && now_ms() < end) {
        uint8_t buf[4096];
        struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
        if (poll(&pfd, 1, (int)(end - now_ms())) <= 0)
            continue;
        ssize_t r = read(p->fd, buf, sizeof buf);
        for (ssize_t i = 0; i < r; i++) {
            size_t n = smp_serial_rx_byte(&rx, buf[i]);
            struct smp_hdr h = { 0 };
            if (n == 0)
                continue;
            bool ok = answer_ok(p, rx.pkt, n, &h);
            printf("seq=%u len=%zu %s\n", h.seq, n, ok ? "ok" : "bad");
            answers++;
        }
    }
    printf("answers=%zu\n", answers);
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: serial_probe TTY [--baud N] [--line-max N] [--wait MS] LEN[xCOUNT]...\n");
    return 2;
}

/* "LEN" or "LENxCOUNT" */
static int add_requests(struct probe *p, const char *spec)
{
    char *end;
    unsigned long len = strtoul(spec, &end, 10), count = 1;
    if (*end == 'x')
        count = strtoul(end + 1, &end, 10);
    if (*end || len == 0 || len > MSG_MAX || count == 0 || p->nreq + count > MAX_REQS)
        return -1;
    while (count--)
        p->len[p->nreq++] = len;
    return 0;
}

static int parse(struct probe *p, int argc, char **argv)
{
    for (int i = 2; i < argc; i++) {
        bool has_val = i + 1 < argc;
        if (!strcmp(argv[i], "--baud") && has_val)
            p->baud = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--line-max") && has_val)
            p->line_max = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--wait") && has_val)
            p->wait_ms = atoi(argv[++i]);
        else if (add_requests(p, argv[i]) != 0)
            return -1;
    }
    return p->nreq ? 0 : -1;
}

int main(int argc, char **argv)
{
    static struct probe p = { .line_max = SMP_SERIAL_LINE_MAX, .wait_ms = 1000 };
    if (argc < 3 || parse(&p, argc, argv) != 0)
        return usage();
    p.fd = open(argv[1], O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (p.fd < 0 || setup_tty(&p) != 0) {
        fprintf(stderr, "serial_probe: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    int rc = send_burst(&p) == 0 ? collect(&p) : 1;
    close(p.fd);
    return rc;
}
