/*
 * The board's event loop: poll(2) over the pty, the UDP socket, the
 * control socket and a self-pipe for signals, with timers for pacing,
 * delayed faults, stalls and replugging. Serves SMP requests and performs
 * the reset a request scheduled once its response has left the board.
 */
#include "sim/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/ble.h"
#include "sim/sim.h"

static int sig_write_fd = -1;

static void on_signal(int sig)
{
    (void)sig;
    if (sig_write_fd >= 0) {
        int saved = errno;
        ssize_t rc = write(sig_write_fd, "x", 1);
        (void)rc;
        errno = saved;
    }
}

static int setup_signals(struct sim_runtime *rt)
{
    if (pipe2(rt->sig_pipe, O_NONBLOCK | O_CLOEXEC) != 0)
        return SIM_EIO;
    sig_write_fd = rt->sig_pipe[1];
    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    return SIM_OK;
}

int sim_ctl_listen(struct sim_runtime *rt);
void sim_ctl_on_readable(struct sim_runtime *rt);

static int open_links(struct sim_runtime *rt)
{
    struct sim_board *b = rt->b;
    snprintf(rt->tty_link, sizeof rt->tty_link, "%s/tty", b->cfg.state_dir);
    if (b->cfg.pty) {
        if (sim_uart_open(rt) != SIM_OK) {
            sim_board_log(b, "E: cannot create the pty");
            return SIM_EIO;
        }
        sim_faults_init(&rt->uart.rx_faults, &b->cfg.uart_faults);
        sim_faults_init(&rt->uart.tx_faults, &b->cfg.uart_faults);
        rt->uart.tx_faults.rng ^= 0x7478; /* independent directions */
    }
    if (b->cfg.udp_port) {
        if (sim_udp_open(rt) != SIM_OK) {
            sim_board_log(b, "E: cannot bind UDP 127.0.0.1:%d: %s",
                          b->cfg.udp_port, strerror(errno));
            return SIM_EIO;
        }
        sim_faults_init(&rt->udp.rx_faults, &b->cfg.udp_faults);
        sim_faults_init(&rt->udp.tx_faults, &b->cfg.udp_faults);
        rt->udp.tx_faults.rng ^= 0x7478;
    }
    if (b->cfg.ble.name && sim_ble_open(rt) != SIM_OK)
        return SIM_EIO;
    return SIM_OK;
}

/* Power-on until an image runs or nothing can: a power cut during the
 * boot (--fail-after) means power comes back and the board boots again. */
static void power_on_boot(struct sim_board *b, enum sim_reset_cause cause)
{
    while (sim_board_reset(b, cause) == SIM_EFLASH) {
        flash_model_power_on(&b->flash);
        cause = SIM_RESET_POWER_ON;
    }
    sim_server_start(b);
}

/* The buffers each link enforces are the configured ones (the
 * transports' figures). A test option then makes the firmware report
 * another buf_size than its links enforce. */
static void setup_link_buffers(struct sim_runtime *rt)
{
    struct sim_board *b = rt->b;
    rt->uart.rx_buf_size = b->uart_tp.buf_size;
    rt->uart.rx_buf_count = b->uart_tp.buf_count;
    rt->uart.rx_line_max = b->cfg.line_buf ? b->cfg.line_buf : SMP_SERIAL_DEVICE_LINE_BUF;
    rt->udp.buf_size = b->udp_tp.buf_size;
    if (b->cfg.report_buf_size)
        b->uart_tp.buf_size = b->udp_tp.buf_size = b->cfg.report_buf_size;
}

void sim_runtime_reboot(struct sim_runtime *rt, enum sim_reset_cause cause)
{
    /* a USB CDC port goes away with the chip's reset when asked to */
    if (rt->uart.master >= 0 && rt->b->cfg.reenumerate_ms)
        sim_uart_unplug(rt, sim_now_ns(), rt->b->cfg.reenumerate_ms);
    sim_ble_on_reset(rt);
    power_on_boot(rt->b, cause);
    /* after the boot: the buffers are the new firmware's (recovery's are
     * other sizes) */
    setup_link_buffers(rt);
    if (rt->uart.master >= 0 && !rt->b->cfg.reenumerate_ms)
        sim_uart_reset_rx(rt);
}

/* One line saying what kind of board this is, before it boots. */
static void log_board_summary(struct sim_runtime *rt)
{
    struct sim_board *b = rt->b;
    const struct sim_config *c = &b->cfg;
    char baud[32] = "unpaced", keys[48] = "no signing key (hash check only)", ble[160];
    if (c->baud)
        snprintf(baud, sizeof baud, "%u baud", c->baud);
    if (c->nkeys)
        snprintf(keys, sizeof keys, "%zu trusted key%s", c->nkeys, c->nkeys == 1 ? "" : "s");
    sim_ble_describe(rt, ble, sizeof ble);
    sim_board_log(b,
                  "board: %s, %s, %s%s%s, uart %ux%u (lines of %u) %s, udp %ux%u%s, flash %s",
                  c->profile->board, boot_strategy_name(c->strategy), keys,
                  c->downgrade_prevention ? ", downgrade prevention" : "",
                  c->dfu_gate ? ", updates only in DFU mode" : "",
                  rt->uart.rx_buf_size, rt->uart.rx_buf_count,
                  rt->uart.rx_line_max, baud,
                  rt->udp.buf_size, b->udp_tp.buf_count, ble,
                  c->flash_timing ? "timed like the nRF52840" : "untimed");
    if (c->report_buf_size)
        sim_board_log(b, "board: test option: params reports buf_size %u",
                      c->report_buf_size);
    if (c->no_params)
        sim_board_log(b, "board: test option: no params command (ENOTSUP)");
}

int sim_runtime_start(struct sim_runtime *rt, struct sim_board *b)
{
    memset(rt, 0, sizeof *rt);
    rt->b = b;
    rt->uart.master = rt->uart.slave = -1;
    rt->udp.fd = rt->ctl_fd = -1;
    rt->sig_pipe[0] = rt->sig_pipe[1] = -1;
    sim_platform_setup(b);
    setup_link_buffers(rt);
    int rc = setup_signals(rt);
    if (rc == SIM_OK)
        rc = open_links(rt);
    if (rc == SIM_OK)
        rc = sim_ctl_listen(rt);
    if (rc != SIM_OK) {
        sim_runtime_stop(rt);
        return rc;
    }
    log_board_summary(rt);
    power_on_boot(b, SIM_RESET_POWER_ON);
    setup_link_buffers(rt); /* the firmware that came up decides them */
    if (rt->uart.master >= 0)
        sim_uart_reset_rx(rt);
    sim_ble_pump(rt, sim_now_ns()); /* the device advertises once the firmware runs */
    /* the ready lines go to stdout even when the console is quiet */
    if (rt->uart.master >= 0)
        printf("uart: %s\n", rt->uart.slave_path);
    if (rt->udp.fd >= 0)
        printf("udp: 127.0.0.1:%u\n", rt->udp.port);
    if (rt->ble)
        printf("ble: %s\n", b->cfg.ble.name);
    fflush(stdout);
    return SIM_OK;
}

void sim_runtime_stop(struct sim_runtime *rt)
{
    sim_uart_close(rt);
    sim_udp_close(rt);
    sim_ble_close(rt);
    sim_bytes_free(&rt->uart.rx_wire);
    sim_bytes_free(&rt->uart.tx_q);
    if (rt->ctl_fd >= 0) {
        close(rt->ctl_fd);
        unlink(rt->ctl_path);
    }
    rt->ctl_fd = -1;
    for (int i = 0; i < 2; i++)
        if (rt->sig_pipe[i] >= 0)
            close(rt->sig_pipe[i]);
    rt->sig_pipe[0] = rt->sig_pipe[1] = -1;
    sig_write_fd = -1;
    if (rt->b)
        flash_model_sync(&rt->b->flash);
}

void sim_runtime_serve(struct sim_runtime *rt, bool uart, const uint8_t *pkt,
                       size_t len, smpsrv_emit_fn emit, void *arg)
{
    struct sim_board *b = rt->b;
    if (b->cfg.trace) {
        struct smp_hdr h;
        if (smp_hdr_decode(pkt, len, &h) == 0)
            sim_board_log(b, "smp: %s rx op=%u ver=%u grp=%u id=%u seq=%u len=%u outstanding=%u",
                          uart ? "uart" : "udp", h.op, h.ver, h.group, h.id, h.seq,
                          h.len, uart ? b->uart_st.outstanding : 1u);
    }
    /* the link's limits go with the packet (serial recovery, which has no
     * network stack, answers on the UART only) */
    smpsrv_process(&b->srv, uart ? &b->uart_tp : &b->udp_tp, pkt, len, emit, arg);
}

/* A power cut while serving (--fail-after): power returns, board reboots. */
static void after_requests(struct sim_runtime *rt)
{
    struct sim_board *b = rt->b;
    if (b->flash.powered_off) {
        sim_board_log(b, "E: power cut (fault injection): rebooting");
        flash_model_power_on(&b->flash);
        sim_runtime_reboot(rt, SIM_RESET_POWER_ON);
        return;
    }
    /* the response must leave first: the host waits for it */
    if (b->reset_pending && sim_uart_tx_idle(rt) && sim_ble_tx_idle(rt))
        sim_runtime_reboot(rt, SIM_RESET_SOFT);
}

static int poll_timeout_ms(struct sim_runtime *rt, uint64_t now)
{
    uint64_t next = sim_uart_next_event(rt, now);
    uint64_t u = sim_udp_next_event(rt);
    if (u < next)
        next = u;
    u = sim_ble_next_event(rt);
    if (u < next)
        next = u;
    if (next == UINT64_MAX)
        return rt->b->reset_pending ? 10 : 1000;
    if (next <= now)
        return 0;
    uint64_t ms = (next - now + 999999) / 1000000;
    return ms > 1000 ? 1000 : (int)ms;
}

static size_t build_pollfds(struct sim_runtime *rt, struct pollfd *p, uint64_t now)
{
    size_t n = 0;
    p[n++] = (struct pollfd){ .fd = rt->sig_pipe[0], .events = POLLIN };
    p[n++] = (struct pollfd){ .fd = rt->ctl_fd, .events = POLLIN };
    short ev = POLLIN;
    /* unpaced: wait for room in the pty; paced: the pacer's timer drives */
    if (rt->uart.tx_q.len && !rt->uart.tx_pace.byte_ns && now >= rt->uart.tx_hold_ns)
        ev |= POLLOUT;
    p[n++] = (struct pollfd){ .fd = rt->uart.master, .events = ev };
    p[n++] = (struct pollfd){ .fd = rt->udp.fd, .events = POLLIN };
    n += (size_t)sim_ble_pollfds(rt, p + n, SIM_BLE_POLLFDS);
    return n;
}

int sim_runtime_run(struct sim_runtime *rt)
{
    while (!rt->stop) {
        struct pollfd p[4 + SIM_BLE_POLLFDS];
        uint64_t now = sim_now_ns();
        size_t n = build_pollfds(rt, p, now);
        int rc = poll(p, n, poll_timeout_ms(rt, now));
        if (rc < 0 && errno != EINTR)
            return SIM_EIO;
        now = sim_now_ns();
        if (rc > 0 && (p[0].revents & POLLIN))
            break;
        if (rc > 0 && (p[1].revents & POLLIN))
            sim_ctl_on_readable(rt);
        if (rc > 0 && p[2].fd >= 0 && (p[2].revents & POLLIN))
            sim_uart_on_readable(rt, now);
        if (rc > 0 && p[3].fd >= 0 && (p[3].revents & POLLIN))
            sim_udp_on_readable(rt, now);
        if (rc > 0)
            sim_ble_on_poll(rt, p + 4, (int)n - 4, now);
        sim_uart_pump(rt, now);
        sim_udp_pump(rt, now);
        sim_ble_pump(rt, now);
        after_requests(rt);
    }
    sim_board_log(rt->b, "board: stopped");
    return SIM_OK;
}
