/*
 * UDP transport: one SMP message per datagram, no framing (smp-protocol §6).
 * The socket is connected, so stray datagrams from other peers never reach
 * us and an ICMP "port unreachable" shows up as ECONNREFUSED.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client/client.h"
#include "client/internal.h"

struct udp_tp {
    int fd;
    char peer[300];
    struct client_transport *tp;
};

static int udp_send(void *ctx, const uint8_t *msg, size_t len)
{
    struct udp_tp *u = ctx;
    for (;;) {
        ssize_t w = send(u->fd, msg, len, 0);
        if (w == (ssize_t)len)
            return 0;
        if (w < 0 && errno == EINTR)
            continue;
        /* a refused earlier datagram may be reported on this send: retry once */
        if (w < 0 && errno == ECONNREFUSED) {
            w = send(u->fd, msg, len, 0);
            if (w == (ssize_t)len)
                return 0;
        }
        snprintf(u->tp->last_error, sizeof u->tp->last_error, "UDP send to %s failed: %s",
                 u->peer, strerror(errno));
        return CLIENT_ERR_IO;
    }
}

static int udp_recv(void *ctx, uint8_t *buf, size_t cap, int timeout_ms)
{
    struct udp_tp *u = ctx;
    int64_t deadline = client_now_ms() + timeout_ms;

    for (;;) {
        int64_t left = deadline - client_now_ms();
        if (left <= 0)
            return 0;
        struct pollfd pfd = { .fd = u->fd, .events = POLLIN };
        int pr = poll(&pfd, 1, (int)left);
        if (pr < 0 && errno == EINTR)
            return CLIENT_ERR_INTERRUPTED;
        if (pr <= 0)
            continue;
        ssize_t r = recv(u->fd, buf, cap, MSG_TRUNC);
        if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (r < 0 && errno == ECONNREFUSED) {
            /* The host says no process has that port: waiting out the
             * timeout would only hide it. */
            snprintf(u->tp->last_error, sizeof u->tp->last_error,
                     "its port refuses the datagrams (ICMP port unreachable: no program has "
                     "it open)");
            return CLIENT_ERR_REFUSED;
        }
        if (r < 0) {
            snprintf(u->tp->last_error, sizeof u->tp->last_error, "UDP receive failed: %s",
                     strerror(errno));
            return CLIENT_ERR_IO;
        }
        if ((size_t)r > cap)
            continue; /* larger than any SMP message we handle: not ours */
        return (int)r;
    }
}

static void udp_close(void *ctx)
{
    struct udp_tp *u = ctx;
    if (u->fd >= 0)
        close(u->fd);
    free(u);
}

int client_udp_open(const struct client_conn *c, struct client_transport *tp,
                    char *err, size_t errlen)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM };
    struct addrinfo *res = NULL, *ai;
    struct udp_tp *u;
    int rc = getaddrinfo(c->host, c->port, &hints, &res);

    if (rc != 0) {
        snprintf(err, errlen, "failed to connect: cannot resolve %s: %s", c->host, gai_strerror(rc));
        return CLIENT_ERR_OPEN;
    }
    u = calloc(1, sizeof *u);
    if (!u) {
        freeaddrinfo(res);
        return CLIENT_ERR_NOMEM;
    }
    u->fd = -1;
    for (ai = res; ai; ai = ai->ai_next) {
        u->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (u->fd < 0)
            continue;
        if (connect(u->fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        close(u->fd);
        u->fd = -1;
    }
    freeaddrinfo(res);
    if (u->fd < 0) {
        snprintf(err, errlen, "failed to connect: cannot reach %s:%s: %s", c->host, c->port,
                 strerror(errno));
        free(u);
        return CLIENT_ERR_OPEN;
    }
    snprintf(u->peer, sizeof u->peer, "%s:%s", c->host, c->port);
    u->tp = tp;
    memset(tp, 0, sizeof *tp);
    tp->ctx = u;
    tp->send = udp_send;
    tp->recv = udp_recv;
    tp->close = udp_close;
    tp->frame_overhead = 0;
    tp->default_max_msg = 1024;
    tp->name = "udp";
    return 0;
}
