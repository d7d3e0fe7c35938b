/*
 * Several boards on one bus. The first board with --ble owns org.bluez
 * and the adapter; a board that finds the name taken joins that adapter:
 * it calls Attach on the adapter's object (interface org.mcutools.SimBoard1)
 * with its name, address, link and variants, and a socket. The adapter's
 * board then shows it as one more device in range, runs its connection
 * and link model, and hands each whole request through the socket; the
 * guest's SMP server answers through it. A guest's reset and its
 * firmware's state (advertising or not) go the same way.
 *
 * Packets on the socket (SOCK_SEQPACKET): a type byte, then the payload:
 *   'Q' request (adapter to guest), 'A' answer (guest to adapter),
 *   'R' the guest resets, 'S' + 1 byte: its firmware runs (1) or not (0).
 * When the adapter's board stops, its guests lose BLE (they say so); when
 * a guest stops, its device leaves the adapter.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sim/ble_priv.h"
#include "sim/runtime.h"
#include "sim/sim.h"

int ble_pipe_send(int fd, uint8_t type, const void *data, size_t len)
{
    uint8_t pkt[1 + SIM_RSP_CAP];
    if (len > SIM_RSP_CAP)
        return -1;
    pkt[0] = type;
    if (len)
        memcpy(pkt + 1, data, len);
    for (int tries = 0; tries < 100; tries++) {
        if (send(fd, pkt, len + 1, MSG_NOSIGNAL) == (ssize_t)(len + 1))
            return 0;
        if (errno != EAGAIN && errno != EINTR)
            return -1;
        struct pollfd p = { .fd = fd, .events = POLLOUT };
        poll(&p, 1, 10);
    }
    return -1;
}

/* ---- the adapter's side ---- */

struct attach_args {
    const char *name, *addr;
    int16_t rssi;
    uint32_t mtu, interval_us, packets, ll_octets, reappear_ms, buf_size, buf_count;
    int64_t disconnect_after;
    double drop_rsp;
    uint64_t seed;
    int no_smp, no_acquire, fd;
};

static const char *attach_refusal(const struct sim_ble *s, const struct attach_args *a,
                                  const struct sim_ble_cfg *c)
{
    if (s->ndev == BLE_MAX_DEVICES)
        return "the adapter has as many devices as it takes";
    if (sim_ble_link_check(&c->link))
        return sim_ble_link_check(&c->link);
    if (!a->buf_count || a->buf_size < 64 || a->buf_size > SIM_RSP_CAP)
        return "bad SMP buffers";
    for (size_t i = 0; i < s->ndev; i++)
        if (!strcmp(s->dev[i]->name, a->name) || !strcmp(s->dev[i]->dev_addr, a->addr))
            return "a device with that name or address is already here";
    return NULL;
}

static int m_attach(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    struct sim_ble *s = userdata;
    struct attach_args a;
    struct sim_ble_cfg c;
    int r = sd_bus_message_read(m, "ssnuuuuuxdtbbuuh", &a.name, &a.addr, &a.rssi, &a.mtu,
                                &a.interval_us, &a.packets, &a.ll_octets, &a.reappear_ms,
                                &a.disconnect_after, &a.drop_rsp, &a.seed, &a.no_smp,
                                &a.no_acquire, &a.buf_size, &a.buf_count, &a.fd);
    if (r < 0)
        return r;
    sim_ble_cfg_defaults(&c);
    c.name = a.name;
    c.adapter = s->cfg->adapter;
    c.link = (struct sim_ble_link_cfg){ a.mtu, a.interval_us, a.packets, a.ll_octets };
    c.rssi = a.rssi;
    c.reappear_ms = a.reappear_ms;
    c.disconnect_after = (long)a.disconnect_after;
    c.drop_rsp = a.drop_rsp;
    c.seed = a.seed;
    c.no_smp = a.no_smp;
    c.no_acquire = a.no_acquire;
    const char *no = attach_refusal(s, &a, &c);
    if (no)
        return sd_bus_error_set(err, "org.bluez.Error.AlreadyExists", no);
    int fd = fcntl(a.fd, F_DUPFD_CLOEXEC, 3); /* the message owns its descriptor */
    struct ble_dev *d = fd >= 0 ? ble_dev_new(s, &c, a.addr, a.buf_size, a.buf_count, fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return sd_bus_error_set(err, "org.bluez.Error.Failed", "out of memory");
    }
    d->cfg.name = d->name; /* the message's strings go with it */
    s->dev[s->ndev++] = d;
    ble_log(d, "%s (%s) joins %s (another board)", d->name, d->dev_addr, s->cfg->adapter);
    return sd_bus_reply_method_return(m, "");
}

static const sd_bus_vtable board_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("Attach", "ssnuuuuuxdtbbuuh", "", m_attach, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

int ble_board_export(struct sim_ble *s)
{
    if (s->cfg->no_adapter)
        return 0;
    return sd_bus_add_object_vtable(s->bus, &s->board_slot, s->adapter_path, BLE_BOARD_IFACE,
                                    board_vtable, s);
}

/* A guest's packet. */
void ble_pipe_readable(struct ble_dev *d)
{
    uint8_t pkt[1 + SIM_RSP_CAP];
    for (;;) {
        ssize_t n = recv(d->pipe_fd, pkt, sizeof pkt, MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0) {
            close(d->pipe_fd); /* the guest stopped: sim_ble_pump removes it */
            d->pipe_fd = -1;
            return;
        }
        if (pkt[0] == PIPE_ANSWER)
            ble_answer(d, pkt + 1, (size_t)n - 1);
        else if (pkt[0] == PIPE_RESET)
            d->reset_requested = true;
        else if (pkt[0] == PIPE_STATE && n == 2)
            d->running = pkt[1] != 0;
    }
}

/* ---- the guest's side ---- */

int ble_guest_attach(struct sim_ble *s, char *why, size_t cap)
{
    const struct sim_ble_cfg *c = s->cfg;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    char addr[18];
    int fds[2];

    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) {
        snprintf(why, cap, "socketpair: %s", strerror(errno));
        return -1;
    }
    ble_make_address(s->b, addr, sizeof addr);
    s->guest_tp = (struct smpsrv_transport){
        .buf_size = s->b->cfg.buf_size ? s->b->cfg.buf_size : SIM_BLE_BUF_SIZE,
        .buf_count = s->b->cfg.buf_count ? s->b->cfg.buf_count : SIM_BLE_BUF_COUNT,
    };
    int r = sd_bus_call_method(s->bus, "org.bluez", s->adapter_path, BLE_BOARD_IFACE, "Attach", &e,
                               NULL, "ssnuuuuuxdtbbuuh", c->name, addr, c->rssi, c->link.att_mtu,
                               c->link.interval_us, c->link.packets_per_event, c->link.ll_octets,
                               c->reappear_ms, (int64_t)c->disconnect_after, c->drop_rsp, c->seed,
                               (int)c->no_smp, (int)c->no_acquire, s->guest_tp.buf_size,
                               s->guest_tp.buf_count, fds[1]);
    close(fds[1]);
    if (r < 0) {
        snprintf(why, cap, "%s (is org.bluez a real bluetoothd, or is its adapter not %s?)",
                 sd_bus_error_is_set(&e) ? e.message : strerror(-r), c->adapter);
        sd_bus_error_free(&e);
        close(fds[0]);
        return -1;
    }
    s->guest = true;
    s->guest_fd = fds[0];
    sim_board_log(s->b, "ble: %s (%s) joins %s of the board that holds org.bluez", c->name, addr,
                  c->adapter);
    return 0;
}

static void guest_emit(void *arg, const uint8_t *msg, size_t len)
{
    struct sim_ble *s = arg;
    ble_pipe_send(s->guest_fd, PIPE_ANSWER, msg, len);
}

static void guest_lost(struct sim_ble *s)
{
    sim_board_log(s->b, "E: ble: the board that holds org.bluez stopped: BLE is off");
    close(s->guest_fd);
    s->guest_fd = -1;
    s->bus_lost = true;
}

void ble_guest_serve(struct sim_ble *s)
{
    uint8_t pkt[1 + SIM_RSP_CAP];
    for (;;) {
        ssize_t n = recv(s->guest_fd, pkt, sizeof pkt, MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0) {
            guest_lost(s);
            return;
        }
        if (pkt[0] == PIPE_REQUEST && s->b->running)
            smpsrv_process(&s->b->srv, &s->guest_tp, pkt + 1, (size_t)n - 1, guest_emit, s);
    }
}

void ble_guest_pump(struct sim_ble *s)
{
    int running = s->b->running;
    if (running == s->guest_sent_running)
        return;
    uint8_t b = (uint8_t)running;
    if (ble_pipe_send(s->guest_fd, PIPE_STATE, &b, 1) == 0)
        s->guest_sent_running = running;
}

void ble_guest_reset(struct sim_ble *s)
{
    ble_pipe_send(s->guest_fd, PIPE_RESET, NULL, 0);
    s->guest_sent_running = -1; /* told again once the new firmware runs */
}
