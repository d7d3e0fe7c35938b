/*
 * Serial transport: SMP over a tty or pty with termios (raw, 8N1, no flow
 * control), framed by smp/serial. Console lines from the device are skipped
 * by the receiver. Bytes that arrive after a complete message stay buffered
 * for the next recv, so several responses in one read() are not lost.
 * Not here: request matching and retries (session.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "client/client.h"
#include "client/internal.h"
#include "smp/serial.h"

struct serial_tp {
    int fd;
    size_t line_max;
    unsigned line_delay_ms;
    struct smp_serial_rx rx;
    uint8_t pkt[CLIENT_MSG_MAX + 4];
    uint8_t in[4096];
    size_t in_pos, in_len;
    uint8_t out[CLIENT_MSG_MAX * 2 + 256];
    struct client_transport *tp;
};

static const struct { unsigned baud; speed_t speed; } bauds[] = {
    { 1200, B1200 }, { 2400, B2400 }, { 4800, B4800 }, { 9600, B9600 },
    { 19200, B19200 }, { 38400, B38400 }, { 57600, B57600 }, { 115200, B115200 },
    { 230400, B230400 }, { 460800, B460800 }, { 500000, B500000 }, { 576000, B576000 },
    { 921600, B921600 }, { 1000000, B1000000 }, { 1500000, B1500000 },
    { 2000000, B2000000 }, { 3000000, B3000000 }, { 4000000, B4000000 },
};

static int speed_of(unsigned baud, speed_t *sp)
{
    for (size_t i = 0; i < sizeof bauds / sizeof bauds[0]; i++)
        if (bauds[i].baud == baud) {
            *sp = bauds[i].speed;
            return 0;
        }
    return -1;
}

bool client_serial_baud_ok(unsigned baud)
{
    speed_t sp;
    return speed_of(baud, &sp) == 0;
}

static int write_all(struct serial_tp *t, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = write(t->fd, p, n);
        if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
            struct pollfd pfd = { .fd = t->fd, .events = POLLOUT };
            if (poll(&pfd, 1, 1000) < 0 && errno != EINTR)
                return -1;
            continue;
        }
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int serial_send(void *ctx, const uint8_t *msg, size_t len)
{
    struct serial_tp *t = ctx;
    size_t n = smp_serial_encode(msg, len, t->out, sizeof t->out, t->line_max);

    if (n == 0)
        return CLIENT_ERR_TOO_BIG;
    if (t->line_delay_ms == 0) {
        if (write_all(t, t->out, n) == 0)
            return 0;
    } else {
        /* some receivers need a pause between lines (the Go tool's 20 ms) */
        size_t start = 0;
        for (size_t i = 0; i < n; i++) {
            if (t->out[i] != '\n')
                continue;
            if (start)
                usleep(t->line_delay_ms * 1000u);
            if (write_all(t, t->out + start, i + 1 - start) != 0)
                goto fail;
            start = i + 1;
        }
        return 0;
    }
fail:
    snprintf(t->tp->last_error, sizeof t->tp->last_error, "write to the serial port failed: %s",
             strerror(errno));
    return CLIENT_ERR_IO;
}

static int serial_recv(void *ctx, uint8_t *buf, size_t cap, int timeout_ms)
{
    struct serial_tp *t = ctx;
    int64_t deadline = client_now_ms() + timeout_ms;

    for (;;) {
        while (t->in_pos < t->in_len) {
            size_t n = smp_serial_rx_byte(&t->rx, t->in[t->in_pos++]);
            if (n == 0)
                continue;
            if (n > cap)
                return CLIENT_ERR_PROTO;
            memcpy(buf, t->rx.pkt, n);
            return (int)n;
        }
        int64_t left = deadline - client_now_ms();
        if (left <= 0)
            return 0;
        struct pollfd pfd = { .fd = t->fd, .events = POLLIN };
        int pr = poll(&pfd, 1, (int)left);
        if (pr < 0 && errno == EINTR)
            return CLIENT_ERR_INTERRUPTED;
        if (pr <= 0)
            continue;
        ssize_t r = read(t->fd, t->in, sizeof t->in);
        if (r < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        /* raw mode with VMIN=0 reads 0 when nothing is there: only a
         * hang-up means the other end went away */
        if (r == 0 && !(pfd.revents & (POLLHUP | POLLERR))) {
            t->in_pos = t->in_len = 0;
            continue;
        }
        if (r <= 0) {
            /* a pty whose other end closed reads EIO; a USB port that
             * vanished reads 0 or ENODEV */
            snprintf(t->tp->last_error, sizeof t->tp->last_error,
                     "the serial port closed (%s)", r == 0 ? "end of file" : strerror(errno));
            return CLIENT_ERR_IO;
        }
        t->in_pos = 0;
        t->in_len = (size_t)r;
    }
}

static void serial_close(void *ctx)
{
    struct serial_tp *t = ctx;
    if (t->fd >= 0)
        close(t->fd);
    free(t);
}

int client_serial_open(const struct client_conn *c, struct client_transport *tp,
                       char *err, size_t errlen)
{
    struct termios tio;
    speed_t sp;
    struct serial_tp *t;

    if (speed_of(c->baud, &sp) != 0) {
        snprintf(err, errlen, "Invalid baud: %u is not a rate this port supports", c->baud);
        return CLIENT_ERR_CONNSTRING;
    }
    t = calloc(1, sizeof *t);
    if (!t)
        return CLIENT_ERR_NOMEM;
    t->fd = open(c->dev, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (t->fd < 0) {
        snprintf(err, errlen, "failed to connect: cannot open %s: %s", c->dev, strerror(errno));
        free(t);
        return CLIENT_ERR_OPEN;
    }
    /* Two clients on one port interleave their frames and each sees the
     * other's answers: refuse a port another client holds. */
    if (flock(t->fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
        snprintf(err, errlen, "failed to connect: %s is in use by another program "
                              "(is another mcumgr running?)", c->dev);
        serial_close(t);
        return CLIENT_ERR_OPEN;
    }
    if (tcgetattr(t->fd, &tio) != 0) {
        snprintf(err, errlen, "failed to connect: %s is not a serial port: %s", c->dev, strerror(errno));
        serial_close(t);
        return CLIENT_ERR_OPEN;
    }
    cfmakeraw(&tio);
    tio.c_cflag |= CLOCAL | CREAD;
    tio.c_cflag &= ~(tcflag_t)(CSTOPB | CRTSCTS | PARENB);
    tio.c_cc[VMIN] = 0;
    tio.c_cc[VTIME] = 0;
    cfsetispeed(&tio, sp);
    cfsetospeed(&tio, sp);
    if (tcsetattr(t->fd, TCSANOW, &tio) != 0) {
        snprintf(err, errlen, "failed to connect: cannot configure %s: %s", c->dev, strerror(errno));
        serial_close(t);
        return CLIENT_ERR_OPEN;
    }
    tcflush(t->fd, TCIFLUSH); /* stale bytes are never our responses */
    t->line_max = c->line_max ? c->line_max : SMP_SERIAL_LINE_MAX;
    t->line_delay_ms = c->line_delay_ms;
    smp_serial_rx_init(&t->rx, t->pkt, sizeof t->pkt);
    t->tp = tp;
    memset(tp, 0, sizeof *tp);
    tp->ctx = t;
    tp->send = serial_send;
    tp->recv = serial_recv;
    tp->close = serial_close;
    /* Zephyr decodes the length prefix, the message and the CRC into one
     * buf_size buffer: a request may be at most buf_size - 4 (§5.4) */
    tp->frame_overhead = 4;
    tp->baud = c->baud;
    tp->default_max_msg = 256; /* smp-protocol §5.4: safe when buf_size is unknown */
    tp->name = "serial";
    return 0;
}
