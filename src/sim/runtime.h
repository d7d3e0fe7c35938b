/*
 * The running board: its two links (UART on a pty, UDP on 127.0.0.1), the
 * control socket, and the event loop that feeds requests to the SMP server
 * and performs resets. One thread, poll(2), no busy waiting.
 *
 * Request buffers follow Zephyr's netbuf model: a received request holds
 * one of buf_count buffers until its response has left the board, and the
 * reassembly of the next packet always takes one, so a request that finds
 * buf_count - 1 held is dropped silently, as a device does (smp-protocol
 * §5.4.1). The number of requests held ("in flight at the board") is
 * counted and its maximum kept.
 *
 * The pty keeps its path across SMP resets (the board's USB never goes
 * away); an unplug fault closes it and opens a new one, whose path the
 * DIR/tty symlink and a new `uart:` line announce.
 */
#ifndef SIM_RUNTIME_H
#define SIM_RUNTIME_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/board.h"
#include "sim/link.h"
#include "smp/serial.h"

#define SIM_RSP_MARKS 64
#define SIM_DELAYED_MAX 64

struct sim_uart {
    int master, slave;            /* -1 when closed (unplugged or --no-pty) */
    char slave_path[64];
    struct sim_pacer rx_pace, tx_pace;
    struct sim_faults rx_faults, tx_faults;
    struct sim_bytes rx_wire;     /* read from the pty, still crossing the wire */
    struct sim_bytes tx_q;        /* responses not yet written */
    uint64_t rx_hold_ns, tx_hold_ns; /* delay faults hold a direction */
    struct smp_serial_rx rx;
    uint8_t rx_pkt[SIM_UDP_BUF_SIZE];
    uint32_t rx_buf_size, rx_buf_count; /* what the receiver enforces */
    uint32_t rx_line_max;         /* its line buffer, marker and '\n' included */
    struct { uint32_t dropped, too_big, long_line; } rx_seen; /* drops counted */
    uint64_t tx_queued_total, tx_written_total;
    uint64_t rsp_end[SIM_RSP_MARKS]; /* tx_queued_total after each response */
    size_t nrsp;
    /* paced line: when each held buffer's answer has left the wire, in
     * wire time (see buffers_held in uart.c) */
    uint64_t held_until[SIM_RSP_MARKS];
    size_t nheld;
    uint64_t serve_ns;            /* wire time of the request being served */
    uint64_t tx_free_ns;          /* wire time the board's sending ends */
    uint64_t rx_total;            /* bytes received since start (faults trigger) */
    uint64_t started, finished;   /* requests begun on the wire / answered or lost */
    uint8_t prev[2];              /* last two raw bytes (frame start detection) */
    uint64_t replug_ns;           /* unplugged until then; 0 = plugged */
    uint64_t stall_ns;            /* stalled until then */
    bool unplug_done, stall_done;
    uint64_t unread_since_ns;     /* output waiting for a reader since then */
    uint32_t unread_bytes;
    bool mismatch_logged;         /* host baud differs from --baud (logged once) */
};

struct sim_datagram {
    uint64_t due_ns;
    bool inbound;
    struct sockaddr_in peer;
    size_t len;
    uint8_t *data;
};

struct sim_udp {
    int fd;
    uint16_t port;
    uint32_t buf_size;            /* largest datagram served */
    struct sim_faults rx_faults, tx_faults;
    struct sim_datagram delayed[SIM_DELAYED_MAX];
    size_t ndelayed;
};

struct sim_ble;

struct sim_runtime {
    struct sim_board *b;
    struct sim_ble *ble;          /* NULL without --ble (ble.h) */
    struct sim_uart uart;
    struct sim_udp udp;
    int ctl_fd;
    char ctl_path[600];
    char tty_link[600];
    int sig_pipe[2];
    bool stop;
};

/* Opens the links and the control socket, runs the first boot, prints the
 * ready lines. */
int sim_runtime_start(struct sim_runtime *rt, struct sim_board *b);
/* Runs until SIGTERM/SIGINT (or rt->stop). */
int sim_runtime_run(struct sim_runtime *rt);
void sim_runtime_stop(struct sim_runtime *rt);

/* Control commands (one line in, text out), for the ctl socket and tests:
 * "press N", "hold N", "release N", "status", "unplug [MS]", "stall MS",
 * "reset" (reset pin), "power-cycle", "watchdog" (a watchdog reset),
 * "reset-stats" (link and flash
 * counters back to zero). */
int sim_runtime_control(struct sim_runtime *rt, const char *cmd, char **reply);

/* Board status plus link fault counters and the current pty, as JSON.
 * Caller frees. */
char *sim_runtime_status_json(const struct sim_runtime *rt);

/* Client side: sends one control command to the board running in
 * state_dir and returns its reply. */
int sim_ctl_send(const char *state_dir, const char *cmd, char **reply);

/* pty link pieces (uart.c) */
int sim_uart_open(struct sim_runtime *rt);
void sim_uart_close(struct sim_runtime *rt);
void sim_uart_on_readable(struct sim_runtime *rt, uint64_t now);
void sim_uart_pump(struct sim_runtime *rt, uint64_t now);
void sim_uart_emit(void *arg, const uint8_t *msg, size_t len);
uint64_t sim_uart_next_event(const struct sim_runtime *rt, uint64_t now);
bool sim_uart_tx_idle(const struct sim_runtime *rt);
/* Line speed of a tty through termios2 (uart_speed.c): set (a standard
 * rate as its B-code, any other as BOTHER) and read (the output speed in
 * baud, 0 when unknown), so a host that set BOTHER is read right. */
int sim_tty_set_baud(int fd, uint32_t baud);
uint32_t sim_tty_out_baud(int fd);
/* A reset loses any half-received frame, as the device's RAM does. */
void sim_uart_reset_rx(struct sim_runtime *rt);
/* The cable is pulled for ms: the pty closes, a new one opens after. */
void sim_uart_unplug(struct sim_runtime *rt, uint64_t now, uint32_t ms);

/* Reset of the running board (SMP, pin, watchdog, power): the bootloader
 * runs (again after a power cut during it), then the firmware starts. */
void sim_runtime_reboot(struct sim_runtime *rt, enum sim_reset_cause cause);

/* UDP link pieces (udp.c) */
int sim_udp_open(struct sim_runtime *rt);
void sim_udp_close(struct sim_runtime *rt);
void sim_udp_on_readable(struct sim_runtime *rt, uint64_t now);
void sim_udp_pump(struct sim_runtime *rt, uint64_t now);
uint64_t sim_udp_next_event(const struct sim_runtime *rt);

/* Hands one request to the SMP server with the link's platform. */
void sim_runtime_serve(struct sim_runtime *rt, bool uart, const uint8_t *pkt,
                       size_t len, smpsrv_emit_fn emit, void *arg);
/* Platform callbacks and server setup (platform.c). */
void sim_platform_setup(struct sim_board *b);
void sim_server_start(struct sim_board *b);

#endif
