/*
 * The board's UDP link on 127.0.0.1: one SMP message per datagram, the
 * response goes back to the sender (smp-protocol §6). Faults act on whole
 * datagrams; a delayed one is held and delivered late, possibly out of
 * order, as on a real network.
 */
#include "sim/runtime.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sim/sim.h"

int sim_udp_open(struct sim_runtime *rt)
{
    struct sim_udp *u = &rt->udp;
    u->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (u->fd < 0)
        return SIM_EIO;
    struct sockaddr_in a = { .sin_family = AF_INET,
                             .sin_port = htons((uint16_t)rt->b->cfg.udp_port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(u->fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(u->fd);
        u->fd = -1;
        return SIM_EIO;
    }
    u->port = (uint16_t)rt->b->cfg.udp_port;
    return SIM_OK;
}

void sim_udp_close(struct sim_runtime *rt)
{
    struct sim_udp *u = &rt->udp;
    for (size_t i = 0; i < u->ndelayed; i++)
        free(u->delayed[i].data);
    u->ndelayed = 0;
    if (u->fd >= 0)
        close(u->fd);
    u->fd = -1;
}

static void hold(struct sim_udp *u, bool inbound, const struct sockaddr_in *peer,
                 const uint8_t *data, size_t len, uint64_t due)
{
    if (u->ndelayed == SIM_DELAYED_MAX)
        return; /* the network lost it */
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return;
    memcpy(copy, data, len);
    u->delayed[u->ndelayed++] = (struct sim_datagram){
        .due_ns = due, .inbound = inbound, .peer = *peer, .len = len, .data = copy,
    };
}

struct udp_reply {
    struct sim_runtime *rt;
    struct sockaddr_in peer;
};

static void send_now(struct sim_runtime *rt, const struct sockaddr_in *peer,
                     const uint8_t *msg, size_t len)
{
    if (sendto(rt->udp.fd, msg, len, 0, (const struct sockaddr *)peer,
               sizeof *peer) == (ssize_t)len)
        rt->b->udp_st.tx_bytes += len;
}

static void udp_emit(void *arg, const uint8_t *msg, size_t len)
{
    struct udp_reply *r = arg;
    struct sim_udp *u = &r->rt->udp;
    uint8_t buf[SIM_RSP_CAP];
    if (len > sizeof buf)
        return;
    memcpy(buf, msg, len);
    r->rt->b->udp_st.responses++;
    switch (sim_faults_datagram(&u->tx_faults, buf, len)) {
    case SIM_FAULT_DROP:
        return;
    case SIM_FAULT_DUP:
        send_now(r->rt, &r->peer, buf, len);
        break;
    case SIM_FAULT_DELAY:
        hold(u, false, &r->peer, buf, len,
             sim_now_ns() + (uint64_t)u->tx_faults.cfg.delay_ms * 1000000ull);
        return;
    default:
        break;
    }
    send_now(r->rt, &r->peer, buf, len);
}

static void deliver(struct sim_runtime *rt, const struct sockaddr_in *peer,
                    const uint8_t *data, size_t len)
{
    struct sim_board *b = rt->b;
    if (len > rt->udp.buf_size) {
        b->udp_st.dropped_too_big++;
        return;
    }
    struct udp_reply r = { rt, *peer };
    b->udp_st.requests++;
    sim_runtime_serve(rt, false, data, len, udp_emit, &r);
}

/* One received datagram through the inbound faults. */
static void inbound(struct sim_runtime *rt, const struct sockaddr_in *peer,
                    uint8_t *data, size_t len, uint64_t now)
{
    struct sim_udp *u = &rt->udp;
    switch (sim_faults_datagram(&u->rx_faults, data, len)) {
    case SIM_FAULT_DROP:
        return;
    case SIM_FAULT_DUP:
        deliver(rt, peer, data, len);
        break;
    case SIM_FAULT_DELAY:
        hold(u, true, peer, data, len,
             now + (uint64_t)u->rx_faults.cfg.delay_ms * 1000000ull);
        return;
    default:
        break;
    }
    deliver(rt, peer, data, len);
}

/* Datagrams waiting in the socket are taken as one burst: each holds a
 * buffer until served, and a burst larger than buf_count loses its tail,
 * as a device with that many network buffers would. */
#define UDP_BURST 16

struct udp_rx {
    struct sockaddr_in peer;
    size_t len;
    uint8_t *data;
};

void sim_udp_on_readable(struct sim_runtime *rt, uint64_t now)
{
    struct sim_board *b = rt->b;
    struct udp_rx burst[UDP_BURST];
    size_t n = 0;
    uint8_t buf[65536];
    while (n < UDP_BURST) {
        socklen_t plen = sizeof burst[n].peer;
        ssize_t got = recvfrom(rt->udp.fd, buf, sizeof buf, 0,
                               (struct sockaddr *)&burst[n].peer, &plen);
        if (got < 0)
            break;
        b->udp_st.rx_bytes += (uint64_t)got;
        if (n >= b->udp_tp.buf_count) {
            b->udp_st.dropped_no_buf++;
            continue;
        }
        burst[n].data = malloc((size_t)got + 1);
        if (!burst[n].data)
            break;
        memcpy(burst[n].data, buf, (size_t)got);
        burst[n].len = (size_t)got;
        n++;
    }
    if (n > b->udp_st.max_inflight)
        b->udp_st.max_inflight = (uint32_t)n;
    /* a datagram is answered as soon as it is served: the burst is the window */
    if (n > b->udp_st.max_outstanding)
        b->udp_st.max_outstanding = (uint32_t)n;
    for (size_t i = 0; i < n; i++) {
        inbound(rt, &burst[i].peer, burst[i].data, burst[i].len, now);
        free(burst[i].data);
    }
}

void sim_udp_pump(struct sim_runtime *rt, uint64_t now)
{
    struct sim_udp *u = &rt->udp;
    for (size_t i = 0; i < u->ndelayed;) {
        struct sim_datagram d = u->delayed[i];
        if (d.due_ns > now) {
            i++;
            continue;
        }
        u->delayed[i] = u->delayed[--u->ndelayed];
        if (d.inbound)
            deliver(rt, &d.peer, d.data, d.len);
        else
            send_now(rt, &d.peer, d.data, d.len);
        free(d.data);
    }
}

uint64_t sim_udp_next_event(const struct sim_runtime *rt)
{
    uint64_t next = UINT64_MAX;
    for (size_t i = 0; i < rt->udp.ndelayed; i++)
        if (rt->udp.delayed[i].due_ns < next)
            next = rt->udp.delayed[i].due_ns;
    return next;
}
