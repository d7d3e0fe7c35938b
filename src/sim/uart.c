/*
 * The board's UART: a pty whose slave side the host opens like a USB CDC
 * port. Bytes cross a simulated wire (optional baud pacing and faults in
 * each direction) and SMP frames are reassembled by smp/serial.
 *
 * The board keeps the slave open itself: without that, the master side
 * reports a hang-up whenever no host has the port open, and the raw
 * termios settings would be lost between host sessions.
 * Not here: SMP processing (runtime.c) and the pacing math (link.c).
 */
#include "sim/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "sim/sim.h"

/* Raw 8N1 at the board's rate (115200 when unpaced, so hosts see a
 * plausible speed). */
static int make_raw(int fd, uint32_t baud)
{
    struct termios t;
    if (tcgetattr(fd, &t) != 0)
        return SIM_EIO;
    cfmakeraw(&t);
    if (tcsetattr(fd, TCSANOW, &t) != 0)
        return SIM_EIO;
    return sim_tty_set_baud(fd, baud ? baud : 115200);
}

static int open_pty(struct sim_uart *u, uint32_t baud)
{
    u->master = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (u->master < 0)
        return SIM_EIO;
    if (grantpt(u->master) != 0 || unlockpt(u->master) != 0 ||
        ptsname_r(u->master, u->slave_path, sizeof u->slave_path) != 0)
        return SIM_EIO;
    u->slave = open(u->slave_path, O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (u->slave < 0)
        return SIM_EIO;
    return make_raw(u->slave, baud);
}

/* The device decodes length prefix, message and CRC into one buffer of
 * buf_size bytes (smp-protocol §5.4), and reads lines into a line buffer
 * of --line-buf bytes. A reset frees every buffer. */
void sim_uart_reset_rx(struct sim_runtime *rt)
{
    struct sim_uart *u = &rt->uart;
    size_t cap = u->rx_buf_size;
    if (cap > sizeof u->rx_pkt)
        cap = sizeof u->rx_pkt;
    smp_serial_rx_init(&u->rx, u->rx_pkt, cap);
    smp_serial_rx_set_line_max(&u->rx, u->rx_line_max);
    memset(&u->rx_seen, 0, sizeof u->rx_seen);
    u->nheld = 0;
}

static void reset_link_state(struct sim_runtime *rt)
{
    struct sim_uart *u = &rt->uart;
    u->rx_wire.len = 0;
    u->tx_q.len = 0;
    u->nrsp = 0;
    u->rx_hold_ns = u->tx_hold_ns = 0;
    u->tx_free_ns = 0;
    u->tx_queued_total = u->tx_written_total = 0;
    sim_uart_reset_rx(rt);
    u->started = u->finished = 0;
    u->prev[0] = u->prev[1] = '\n';
    rt->b->uart_st.inflight = 0;
    rt->b->uart_st.outstanding = 0;
}

int sim_uart_open(struct sim_runtime *rt)
{
    struct sim_uart *u = &rt->uart;
    struct sim_board *b = rt->b;
    u->master = u->slave = -1;
    int rc = open_pty(u, b->cfg.baud);
    if (rc != SIM_OK) {
        sim_uart_close(rt);
        return rc;
    }
    sim_pacer_init(&u->rx_pace, b->cfg.baud);
    sim_pacer_init(&u->tx_pace, b->cfg.baud);
    reset_link_state(rt);
    unlink(rt->tty_link);
    if (symlink(u->slave_path, rt->tty_link) != 0) {
        sim_uart_close(rt);
        return SIM_ESTATE;
    }
    u->replug_ns = 0;
    return SIM_OK;
}

void sim_uart_close(struct sim_runtime *rt)
{
    struct sim_uart *u = &rt->uart;
    if (u->slave >= 0)
        close(u->slave);
    if (u->master >= 0)
        close(u->master);
    u->master = u->slave = -1;
    unlink(rt->tty_link);
}

/* The unplug fault: the port disappears, then comes back as a new pty. */
void sim_uart_unplug(struct sim_runtime *rt, uint64_t now, uint32_t ms)
{
    sim_board_log(rt->b, "uart: unplugged for %u ms", ms);
    sim_uart_close(rt);
    rt->uart.replug_ns = now + (uint64_t)ms * 1000000ull;
    rt->uart.rx_wire.len = rt->uart.tx_q.len = 0;
    rt->uart.nrsp = 0;
    rt->uart.started = rt->uart.finished = 0;
}

static void check_triggers(struct sim_runtime *rt, uint64_t now)
{
    struct sim_uart *u = &rt->uart;
    const struct sim_config *c = &rt->b->cfg;
    if (c->stall_after >= 0 && !u->stall_done &&
        u->rx_total >= (uint64_t)c->stall_after) {
        u->stall_done = true;
        u->stall_ns = now + (uint64_t)c->stall_ms * 1000000ull;
        sim_board_log(rt->b, "uart: stalled for %u ms (fault injection)", c->stall_ms);
    }
    if (c->unplug_after >= 0 && !u->unplug_done &&
        u->rx_total >= (uint64_t)c->unplug_after) {
        u->unplug_done = true;
        sim_uart_unplug(rt, now, c->unplug_ms);
    }
}

/* The host's window as the wire shows it: a request starts with a
 * 06 09 marker at the start of a line, and finishes when its response has
 * left the board or the board dropped it. */
static void note_outstanding(struct sim_runtime *rt)
{
    struct sim_uart *u = &rt->uart;
    struct sim_link_stats *st = &rt->b->uart_st;
    st->outstanding = u->started > u->finished ? (uint32_t)(u->started - u->finished) : 0;
    if (st->outstanding > st->max_outstanding)
        st->max_outstanding = st->outstanding;
}

static void count_starts(struct sim_runtime *rt, const uint8_t *buf, size_t n)
{
    struct sim_uart *u = &rt->uart;
    for (size_t i = 0; i < n; i++) {
        if (u->prev[1] == 0x06 && buf[i] == 0x09 &&
            (u->prev[0] == '\n' || u->prev[0] == '\r'))
            u->started++;
        u->prev[0] = u->prev[1];
        u->prev[1] = buf[i];
    }
    note_outstanding(rt);
}

/* With --baud the line has a rate: a host that opened the port at another
 * rate (it shares the pty's termios) sees garbage, as on a real UART. */
static bool baud_mismatch(struct sim_runtime *rt)
{
    struct sim_uart *u = &rt->uart;
    if (!rt->b->cfg.baud || u->slave < 0)
        return false;
    uint32_t host = sim_tty_out_baud(u->slave);
    bool bad = host != rt->b->cfg.baud;
    if (bad && !u->mismatch_logged)
        sim_board_log(rt->b, "uart: host set %u baud, the board runs at %u: "
                      "bytes are garbled", host, rt->b->cfg.baud);
    u->mismatch_logged = bad;
    return bad;
}

/* What a UART sampling at the wrong rate makes of a byte. Line ends are
 * kept: the receiver's framing-error recovery resynchronises at them, so
 * the first frame sent at the right rate afterwards gets through. */
static void garble(uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (buf[i] != '\n')
            buf[i] = (uint8_t)((buf[i] << 3) ^ 0xa5);
}

void sim_uart_on_readable(struct sim_runtime *rt, uint64_t now)
{
    struct sim_uart *u = &rt->uart;
    uint8_t buf[4096];
    for (;;) {
        if (u->master < 0)
            return;
        ssize_t n = read(u->master, buf, sizeof buf);
        if (n <= 0)
            return;
        if (baud_mismatch(rt))
            garble(buf, (size_t)n);
        if (u->rx_wire.len == 0)
            sim_pacer_start(&u->rx_pace, now);
        if (sim_bytes_append(&u->rx_wire, buf, (size_t)n) != SIM_OK)
            return;
        count_starts(rt, buf, (size_t)n);
        u->rx_total += (uint64_t)n;
        rt->b->uart_st.rx_bytes += (uint64_t)n;
        check_triggers(rt, now);
    }
}

/* The receiver's drops since the last look, into the link stats by
 * cause. Each was a request the host had begun: it is finished, unanswered. */
static void count_drops(struct sim_runtime *rt)
{
    struct sim_uart *u = &rt->uart;
    struct sim_link_stats *st = &rt->b->uart_st;
    const struct smp_serial_rx *rx = &u->rx;
    uint32_t all = rx->dropped - u->rx_seen.dropped;
    uint32_t big = rx->dropped_too_big - u->rx_seen.too_big;
    uint32_t lng = rx->dropped_long_line - u->rx_seen.long_line;
    st->dropped_too_big += big;
    st->dropped_long_line += lng;
    st->dropped_corrupt += all - big - lng;
    u->finished += all;
    u->rx_seen.dropped = rx->dropped;
    u->rx_seen.too_big = rx->dropped_too_big;
    u->rx_seen.long_line = rx->dropped_long_line;
}

/* Buffers held by earlier requests when one completes at wire time c: a
 * request holds its buffer until its answer has left the board.
 * Unpaced, an answer leaves when it is written to the pty, so a burst read
 * at once holds a buffer per request. Paced, it leaves when its last byte
 * has crossed the wire, reckoned in wire time: an event loop that runs
 * late and takes several requests at once does not make the board
 * stricter than the line. */
static size_t buffers_held(struct sim_uart *u, uint64_t c)
{
    if (!u->tx_pace.byte_ns)
        return u->nrsp;
    size_t k = 0;
    for (size_t i = 0; i < u->nheld; i++)
        if (u->held_until[i] > c)
            u->held_until[k++] = u->held_until[i];
    u->nheld = k;
    return k;
}

/* A complete request, at wire time c. The reassembly of the next packet
 * always takes one of the buf_count buffers, so at most buf_count - 1
 * requests can wait for their answers; one more vanishes silently
 * (smp-protocol §5.4.1: a burst of 4 full-size requests gets 3 answers). */
static void take_request(struct sim_runtime *rt, uint64_t c, size_t len)
{
    struct sim_uart *u = &rt->uart;
    struct sim_link_stats *st = &rt->b->uart_st;
    size_t held = buffers_held(u, c);
    if (held + 1 >= u->rx_buf_count) {
        st->dropped_no_buf++;
        u->finished++;
        return;
    }
    if (held + 1 > st->max_inflight)
        st->max_inflight = (uint32_t)(held + 1);
    st->requests++;
    uint64_t answered = st->responses;
    u->serve_ns = c;
    sim_runtime_serve(rt, true, u->rx.pkt, len, sim_uart_emit, rt);
    if (st->responses == answered)
        u->finished++; /* the server had nothing to say: not outstanding */
}

/* Wire time of a byte of the chunk just taken, `after` bytes before its end. */
static uint64_t wire_time(const struct sim_uart *u, uint64_t now, size_t after, size_t n)
{
    if (!u->rx_pace.byte_ns)
        return now;
    return sim_pacer_released_ns(&u->rx_pace, after < n ? after : n - 1);
}

/* Bytes that crossed the wire: through the faults into the receiver, and
 * each complete request to the server at once, in wire order. */
static void receive(struct sim_runtime *rt, uint64_t now, const uint8_t *in, size_t n)
{
    struct sim_uart *u = &rt->uart;
    struct sim_bytes clean = { 0 };
    uint32_t delay_ms = 0;
    if (sim_faults_active(&u->rx_faults.cfg))
        sim_faults_stream(&u->rx_faults, in, n, &clean, &delay_ms);
    else
        sim_bytes_append(&clean, in, n);
    if (delay_ms)
        u->rx_hold_ns = now + (uint64_t)delay_ms * 1000000ull;
    for (size_t i = 0; i < clean.len; i++) {
        size_t len = smp_serial_rx_byte(&u->rx, clean.buf[i]);
        if (len)
            take_request(rt, wire_time(u, now, clean.len - 1 - i, n), len);
    }
    count_drops(rt);
    sim_bytes_free(&clean);
}

/* Paced: the answer (n bytes on the wire) leaves once the board's earlier
 * answers have, at the line rate; its request's buffer is held till then. */
static void hold_until_sent(struct sim_uart *u, size_t n)
{
    if (!u->tx_pace.byte_ns || u->nheld == SIM_RSP_MARKS)
        return;
    uint64_t start = u->serve_ns > u->tx_free_ns ? u->serve_ns : u->tx_free_ns;
    u->tx_free_ns = start + (uint64_t)n * u->tx_pace.byte_ns;
    u->held_until[u->nheld++] = u->tx_free_ns;
}

void sim_uart_emit(void *arg, const uint8_t *msg, size_t len)
{
    struct sim_runtime *rt = arg;
    struct sim_uart *u = &rt->uart;
    size_t cap = smp_serial_encoded_len(len, SMP_SERIAL_LINE_MAX);
    uint8_t *frame = malloc(cap);
    if (!frame || u->master < 0) {
        free(frame);
        return;
    }
    size_t n = smp_serial_encode(msg, len, frame, cap, SMP_SERIAL_LINE_MAX);
    struct sim_bytes out = { 0 };
    uint32_t delay_ms = 0;
    if (sim_faults_active(&u->tx_faults.cfg))
        sim_faults_stream(&u->tx_faults, frame, n, &out, &delay_ms);
    else
        sim_bytes_append(&out, frame, n);
    free(frame);
    if (baud_mismatch(rt))
        garble(out.buf, out.len);
    if (delay_ms)
        u->tx_hold_ns = sim_now_ns() + (uint64_t)delay_ms * 1000000ull;
    if (u->tx_q.len == 0)
        sim_pacer_start(&u->tx_pace, sim_now_ns());
    sim_bytes_append(&u->tx_q, out.buf, out.len);
    u->tx_queued_total += out.len;
    sim_bytes_free(&out);
    rt->b->uart_st.responses++;
    if (u->nrsp < SIM_RSP_MARKS)
        u->rsp_end[u->nrsp++] = u->tx_queued_total;
    hold_until_sent(u, n);
}

static void transmit(struct sim_runtime *rt, uint64_t now)
{
    struct sim_uart *u = &rt->uart;
    if (u->tx_q.len && now >= u->tx_hold_ns) {
        size_t n = sim_pacer_take(&u->tx_pace, now, u->tx_q.len);
        ssize_t w = n ? write(u->master, u->tx_q.buf, n) : 0;
        if (w < 0)
            w = 0;
        /* what the pty did not take goes back on the wire schedule; a full
         * pty (nobody reading) is retried shortly, not in a busy loop */
        sim_pacer_untake(&u->tx_pace, n - (size_t)w);
        if ((size_t)w < n && u->tx_pace.baud)
            u->tx_hold_ns = now + 2000000ull;
        sim_bytes_consume(&u->tx_q, (size_t)w);
        u->tx_written_total += (uint64_t)w;
        rt->b->uart_st.tx_bytes += (uint64_t)w;
    }
    /* a response fully on the wire frees its buffer */
    size_t done = 0;
    while (done < u->nrsp && u->rsp_end[done] <= u->tx_written_total)
        done++;
    u->finished += done;
    note_outstanding(rt);
    if (done) {
        memmove(u->rsp_end, u->rsp_end + done, (u->nrsp - done) * sizeof u->rsp_end[0]);
        u->nrsp -= done;
    }
    rt->b->uart_st.inflight = (uint32_t)buffers_held(u, now);
}

/* When no host has the port open, what the board sent waits in the pty
 * and a host opening it later would read stale answers first. A USB CDC
 * port loses them (the host side is closed), so output that nobody has
 * read for STALE_NS is discarded here too. */
#define STALE_NS 2000000000ull

static void drop_stale_output(struct sim_runtime *rt, uint64_t now)
{
    struct sim_uart *u = &rt->uart;
    int pending = 0;
    if (ioctl(u->slave, FIONREAD, &pending) != 0 || pending <= 0) {
        u->unread_since_ns = 0;
        return;
    }
    if (u->unread_since_ns == 0 || (uint32_t)pending < u->unread_bytes)
        u->unread_since_ns = now; /* someone is reading: restart the clock */
    u->unread_bytes = (uint32_t)pending;
    if (now - u->unread_since_ns < STALE_NS)
        return;
    tcflush(u->slave, TCIFLUSH);
    sim_board_log(rt->b, "uart: no host reading: %d stale bytes discarded", pending);
    u->unread_since_ns = 0;
}

void sim_uart_pump(struct sim_runtime *rt, uint64_t now)
{
    struct sim_uart *u = &rt->uart;
    if (u->master < 0) {
        if (u->replug_ns && now >= u->replug_ns && sim_uart_open(rt) == SIM_OK)
            sim_board_log(rt->b, "uart: %s", u->slave_path);
        return;
    }
    if (now < u->stall_ns)
        return;
    if (u->rx_wire.len && now >= u->rx_hold_ns) {
        size_t n = sim_pacer_take(&u->rx_pace, now, u->rx_wire.len);
        if (n) {
            uint8_t *chunk = malloc(n);
            if (chunk) {
                memcpy(chunk, u->rx_wire.buf, n);
                sim_bytes_consume(&u->rx_wire, n);
                receive(rt, now, chunk, n);
                free(chunk);
            }
        }
    }
    if (u->master >= 0) {
        transmit(rt, now);
        drop_stale_output(rt, now);
    }
}

static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }

uint64_t sim_uart_next_event(const struct sim_runtime *rt, uint64_t now)
{
    const struct sim_uart *u = &rt->uart;
    uint64_t next = UINT64_MAX;
    if (u->master < 0)
        return u->replug_ns ? u->replug_ns : next;
    if (now < u->stall_ns)
        return u->stall_ns;
    if (u->rx_wire.len)
        next = min_u64(next, max_u64(u->rx_hold_ns, sim_pacer_next_ns(&u->rx_pace)));
    if (u->tx_q.len && u->tx_pace.byte_ns)
        next = min_u64(next, max_u64(u->tx_hold_ns, sim_pacer_next_ns(&u->tx_pace)));
    else if (u->tx_q.len && u->tx_hold_ns > now)
        next = min_u64(next, u->tx_hold_ns);
    return next;
}

bool sim_uart_tx_idle(const struct sim_runtime *rt)
{
    return rt->uart.master < 0 || rt->uart.tx_q.len == 0;
}
