/*
 * Bluetooth LE transport over BlueZ's D-Bus API (org.bluez), through
 * sd-bus. SMP over BLE: one GATT characteristic of the SMP service takes
 * requests as writes without response and gives answers as notifications,
 * each at most ATT MTU - 3 bytes, so one SMP message spans several of
 * them and is put back together by the length in its header.
 *
 * Opening: the adapter (ctlr_name=, else the first), powered; the device
 * by peer_name= or peer_id= among those BlueZ knows, else found by a scan
 * filtered on the SMP service; Connect, wait for ServicesResolved, find
 * the characteristic. Data goes through the sockets AcquireWrite and
 * AcquireNotify hand over when BlueZ offers them (one packet per ATT PDU),
 * else through WriteValue(type "command") and StartNotify with
 * PropertiesChanged on Value.
 * Not here: request matching and retries (session.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client/ble_central.h"
#include "client/client.h"
#include "client/internal.h"
#include "smp/reasm.h"
#include "smp/smp.h"

#define BLUEZ "org.bluez"
#define DEVICE_IFACE "org.bluez.Device1"
#define CHAR_IFACE "org.bluez.GattCharacteristic1"
#define DEFAULT_SCAN_MS 5000
#define RESOLVE_MS 15000
#define ATT_HDR 3
#define ATT_MTU_MIN 23
#define DONE_MAX 8

struct ble_tp {
    struct ble_central c;
    struct client_transport *tp;
    char dev[BLE_PATH_MAX], chr[BLE_PATH_MAX];
    char label[120];              /* "NAME (ADDRESS)" for messages */
    uint16_t mtu;
    int wfd, nfd;                 /* acquired sockets, -1 when not acquired */
    bool notify_started, gone;
    /* notifications put back together; whole answers wait in done[] */
    struct smp_reasm reasm;
    uint8_t rx[CLIENT_MSG_MAX];
    struct { uint8_t msg[CLIENT_MSG_MAX]; size_t len; } done[DONE_MAX];
    size_t done_head, done_count;
};

/* ---- receiving ---- */

static void whole_answer(void *ctx, const uint8_t *msg, size_t len)
{
    struct ble_tp *t = ctx;
    if (t->done_count == DONE_MAX) {
        /* nobody reads them: the oldest is lost, as a stray would be */
        t->done_head = (t->done_head + 1) % DONE_MAX;
        t->done_count--;
    }
    size_t at = (t->done_head + t->done_count++) % DONE_MAX;
    memcpy(t->done[at].msg, msg, len);
    t->done[at].len = len;
}

static void append_rx(struct ble_tp *t, const uint8_t *data, size_t len)
{
    smp_reasm_feed(&t->reasm, data, len, whole_answer, t);
}

static void on_value(void *ctx, const uint8_t *data, size_t len)
{
    append_rx(ctx, data, len);
}

static bool still_connected(struct ble_tp *t)
{
    const struct ble_obj *d = ble_central_find(&t->c, t->dev);
    if (!t->gone && (!d || !d->connected)) {
        t->gone = true;
        snprintf(t->tp->last_error, sizeof t->tp->last_error, "%s disconnected", t->label);
    }
    return !t->gone;
}

static void read_notify_socket(struct ble_tp *t)
{
    uint8_t buf[600];
    for (;;) {
        ssize_t n = recv(t->nfd, buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0) {
            /* BlueZ hangs the socket up when the link drops */
            t->gone = true;
            snprintf(t->tp->last_error, sizeof t->tp->last_error, "%s disconnected", t->label);
            return;
        }
        append_rx(t, buf, (size_t)n);
    }
}

static int pump_bus(struct ble_tp *t)
{
    int r;
    while ((r = sd_bus_process(t->c.bus, NULL)) > 0)
        ;
    if (r < 0) {
        snprintf(t->tp->last_error, sizeof t->tp->last_error, "the system bus closed: %s",
                 strerror(-r));
        return CLIENT_ERR_IO;
    }
    return 0;
}

static int take_message(struct ble_tp *t, uint8_t *buf, size_t cap)
{
    if (!t->done_count)
        return 0;
    size_t n = t->done[t->done_head].len;
    if (n > cap)
        return CLIENT_ERR_PROTO;
    memcpy(buf, t->done[t->done_head].msg, n);
    t->done_head = (t->done_head + 1) % DONE_MAX;
    t->done_count--;
    return (int)n;
}

static int ble_recv(void *ctx, uint8_t *buf, size_t cap, int timeout_ms)
{
    struct ble_tp *t = ctx;
    int64_t deadline = client_now_ms() + timeout_ms;

    for (;;) {
        int n = take_message(t, buf, cap);
        if (n)
            return n;
        if (pump_bus(t))
            return CLIENT_ERR_IO;
        if ((n = take_message(t, buf, cap)) != 0)
            return n;
        if (!still_connected(t))
            return CLIENT_ERR_IO;
        int64_t left = deadline - client_now_ms();
        if (left <= 0)
            return 0;
        struct pollfd p[2] = {
            { .fd = sd_bus_get_fd(t->c.bus), .events = (short)sd_bus_get_events(t->c.bus) },
            { .fd = t->nfd, .events = POLLIN },
        };
        uint64_t usec;
        if (sd_bus_get_timeout(t->c.bus, &usec) > 0 && usec != UINT64_MAX) {
            int64_t bus_ms = (int64_t)(usec / 1000) - client_now_ms();
            if (bus_ms < left)
                left = bus_ms < 0 ? 0 : bus_ms;
        }
        int pr = poll(p, 2, (int)left);
        if (pr < 0 && errno == EINTR)
            return CLIENT_ERR_INTERRUPTED;
        if (pr > 0 && t->nfd >= 0 && p[1].revents)
            read_notify_socket(t);
    }
}

/* ---- sending ---- */

static int write_socket(struct ble_tp *t, const uint8_t *p, size_t n)
{
    for (;;) {
        if (send(t->wfd, p, n, MSG_NOSIGNAL) == (ssize_t)n)
            return 0;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN) {
            /* the controller's queue is full: wait for room */
            struct pollfd pfd = { .fd = t->wfd, .events = POLLOUT };
            if (poll(&pfd, 1, 5000) > 0)
                continue;
        }
        t->gone = true;
        snprintf(t->tp->last_error, sizeof t->tp->last_error, "%s disconnected (%s)", t->label,
                 strerror(errno));
        return CLIENT_ERR_IO;
    }
}

static int write_value(struct ble_tp *t, const uint8_t *p, size_t n)
{
    sd_bus_message *m = NULL;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    int r = sd_bus_message_new_method_call(t->c.bus, &m, BLUEZ, t->chr, CHAR_IFACE, "WriteValue");
    if (r >= 0)
        r = sd_bus_message_append_array(m, 'y', p, n);
    /* "command": ATT write without response, as SMP over BLE specifies */
    if (r >= 0)
        r = sd_bus_message_append(m, "a{sv}", 1, "type", "s", "command");
    if (r >= 0)
        r = sd_bus_call(t->c.bus, m, 0, &e, NULL);
    sd_bus_message_unref(m);
    if (r < 0) {
        char why[300];
        ble_central_errtext(&e, r, why, sizeof why);
        snprintf(t->tp->last_error, sizeof t->tp->last_error, "write to %s failed: %s", t->label,
                 why);
        sd_bus_error_free(&e);
        return CLIENT_ERR_IO;
    }
    return 0;
}

static int ble_send(void *ctx, const uint8_t *msg, size_t len)
{
    struct ble_tp *t = ctx;
    size_t unit = (size_t)t->mtu - ATT_HDR;

    if (pump_bus(t) || !still_connected(t))
        return CLIENT_ERR_IO;
    for (size_t off = 0; off < len; off += unit) {
        size_t n = len - off < unit ? len - off : unit;
        int rc = t->wfd >= 0 ? write_socket(t, msg + off, n) : write_value(t, msg + off, n);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- closing ---- */

static void call_simple(struct ble_tp *t, const char *path, const char *iface, const char *method)
{
    sd_bus_error e = SD_BUS_ERROR_NULL;
    sd_bus_call_method(t->c.bus, BLUEZ, path, iface, method, &e, NULL, "");
    sd_bus_error_free(&e);
}

static void ble_close(void *ctx)
{
    struct ble_tp *t = ctx;
    if (t->wfd >= 0)
        close(t->wfd);
    if (t->nfd >= 0)
        close(t->nfd);
    if (t->c.bus && !t->gone) {
        if (t->notify_started)
            call_simple(t, t->chr, CHAR_IFACE, "StopNotify");
        /* as the Go tool does: the link is the command's, not kept */
        call_simple(t, t->dev, DEVICE_IFACE, "Disconnect");
    }
    ble_central_close(&t->c);
    free(t);
}

/* ---- opening ---- */

static bool matches(const struct client_conn *c, const struct ble_obj *d)
{
    if (c->peer_id[0])
        return strcasecmp(d->addr, c->peer_id) == 0;
    return d->name[0] && strcmp(d->name, c->peer_name) == 0;
}

static const struct ble_obj *find_peer(struct ble_tp *t, const struct client_conn *c)
{
    size_t i = 0;
    struct ble_obj *d;
    while ((d = ble_central_next_device(&t->c, &i)))
        if (matches(c, d))
            return d;
    return NULL;
}

/* What the scan found, for the message that the peer is not among them. */
static void list_found(struct ble_tp *t, char *out, size_t cap)
{
    size_t i = 0, n = 0;
    struct ble_obj *d;
    out[0] = '\0';
    while ((d = ble_central_next_device(&t->c, &i)) && n + 1 < cap) {
        int w = snprintf(out + n, cap - n, "%s\"%s\" %s%s", n ? ", " : "",
                         d->name[0] ? d->name : "(no name)", d->addr,
                         d->smp_uuid ? "" : " (no SMP service)");
        n += w > 0 ? (size_t)w : 0;
    }
}

static int scan_for(struct ble_tp *t, const struct client_conn *c, char *err, size_t errlen)
{
    unsigned ms = c->scan_ms ? c->scan_ms : DEFAULT_SCAN_MS;
    int64_t deadline = client_now_ms() + ms;
    int rc = ble_central_discover(&t->c, true, err, errlen);
    if (rc)
        return rc;
    while (!find_peer(t, c)) {
        int64_t left = deadline - client_now_ms();
        if (left <= 0)
            break;
        rc = ble_central_wait(&t->c, left > 100 ? 100 : (int)left, NULL);
        if (rc == CLIENT_ERR_INTERRUPTED || rc == CLIENT_ERR_IO)
            break;
    }
    ble_central_discover(&t->c, false, NULL, 0);
    if (find_peer(t, c))
        return 0;
    char found[700];
    list_found(t, found, sizeof found);
    snprintf(err, errlen, "failed to connect: no BLE device %s \"%s\" found on %s in %.1f s; "
                          "found: %s", c->peer_id[0] ? "with address" : "named",
             c->peer_id[0] ? c->peer_id : c->peer_name, strrchr(t->c.adapter->path, '/') + 1,
             ms / 1000.0, found[0] ? found : "none");
    return CLIENT_ERR_OPEN;
}

static bool resolved(struct ble_tp *t)
{
    const struct ble_obj *d = ble_central_find(&t->c, t->dev);
    return !d || !d->connected || d->resolved;
}

static int connect_device(struct ble_tp *t, char *err, size_t errlen)
{
    sd_bus_error e = SD_BUS_ERROR_NULL;
    const struct ble_obj *d = ble_central_find(&t->c, t->dev);
    int r = 0;

    if (!d->connected)
        r = sd_bus_call_method(t->c.bus, BLUEZ, t->dev, DEVICE_IFACE, "Connect", &e, NULL, "");
    if (r < 0 && !sd_bus_error_has_name(&e, "org.bluez.Error.AlreadyConnected")) {
        char why[300];
        ble_central_errtext(&e, r, why, sizeof why);
        snprintf(err, errlen, "failed to connect: cannot connect to %s: %s", t->label, why);
        sd_bus_error_free(&e);
        return CLIENT_ERR_OPEN;
    }
    sd_bus_error_free(&e);
    /* the state as it is now, not as the signals queued during the call say */
    if ((r = ble_central_refresh(&t->c, err, errlen)) != 0)
        return r;
    int64_t deadline = client_now_ms() + RESOLVE_MS;
    while (!resolved(t) && client_now_ms() < deadline)
        if (ble_central_wait(&t->c, 50, NULL) == CLIENT_ERR_INTERRUPTED)
            break;
    d = ble_central_find(&t->c, t->dev);
    if (!d || !d->connected || !d->resolved) {
        snprintf(err, errlen, "failed to connect: %s %s", t->label,
                 d && d->connected ? "did not resolve its services" : "dropped the connection");
        return CLIENT_ERR_OPEN;
    }
    return 0;
}

/* The SMP characteristic under the device's SMP service. */
static int find_smp_char(struct ble_tp *t, char *err, size_t errlen)
{
    for (size_t i = 0; i < t->c.nobjs; i++) {
        const struct ble_obj *ch = &t->c.objs[i];
        if (ch->kind != BLE_CHAR || strcasecmp(ch->uuid, BLE_SMP_CHAR))
            continue;
        const struct ble_obj *svc = ble_central_find(&t->c, ch->parent);
        if (svc && !strcmp(svc->parent, t->dev) && !strcasecmp(svc->uuid, BLE_SMP_SERVICE)) {
            snprintf(t->chr, sizeof t->chr, "%s", ch->path);
            t->mtu = ch->mtu >= ATT_MTU_MIN ? ch->mtu : ATT_MTU_MIN;
            return 0;
        }
    }
    snprintf(err, errlen, "failed to connect: %s has no SMP service (8D53DC1D-1DB7-4CD3-868B-"
                          "8A527460AA84 with characteristic DA2E7828-FBCE-4E01-AE9E-261174997C48): "
                          "not an MCUmgr device, or its firmware lacks SMP over Bluetooth",
             t->label);
    return CLIENT_ERR_OPEN;
}

/* AcquireWrite / AcquireNotify: a socket and the ATT MTU; -1 when not offered. */
static int acquire(struct ble_tp *t, const char *method, uint16_t *mtu)
{
    sd_bus_error e = SD_BUS_ERROR_NULL;
    sd_bus_message *reply = NULL;
    int fd = -1, got;
    int r = sd_bus_call_method(t->c.bus, BLUEZ, t->chr, CHAR_IFACE, method, &e, &reply, "a{sv}", 0);
    if (r >= 0 && sd_bus_message_read(reply, "hq", &got, mtu) >= 0)
        fd = fcntl(got, F_DUPFD_CLOEXEC, 3); /* the reply owns its descriptor */
    sd_bus_message_unref(reply);
    sd_bus_error_free(&e);
    return fd;
}

static int open_data_path(struct ble_tp *t, char *err, size_t errlen)
{
    uint16_t mtu = 0;
    t->wfd = acquire(t, "AcquireWrite", &mtu);
    if (t->wfd >= 0 && mtu >= ATT_MTU_MIN)
        t->mtu = mtu;
    t->nfd = acquire(t, "AcquireNotify", &mtu);
    if (t->nfd >= 0)
        return 0;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    snprintf(t->c.watch_path, sizeof t->c.watch_path, "%s", t->chr);
    t->c.on_value = on_value;
    t->c.value_ctx = t;
    int r = sd_bus_call_method(t->c.bus, BLUEZ, t->chr, CHAR_IFACE, "StartNotify", &e, NULL, "");
    if (r < 0) {
        char why[300];
        ble_central_errtext(&e, r, why, sizeof why);
        snprintf(err, errlen, "failed to connect: %s refuses notifications: %s", t->label, why);
        sd_bus_error_free(&e);
        return CLIENT_ERR_OPEN;
    }
    t->notify_started = true;
    return 0;
}

static int fail_gone(const struct client_conn *c, char *err, size_t errlen)
{
    snprintf(err, errlen, "failed to connect: %s went away while being found",
             c->peer_id[0] ? c->peer_id : c->peer_name);
    return CLIENT_ERR_OPEN;
}

static int open_peer(struct ble_tp *t, const struct client_conn *c, char *err, size_t errlen)
{
    int rc = ble_central_open(&t->c, err, errlen);
    if (rc == 0)
        rc = ble_central_adapter(&t->c, c->ctlr_name, err, errlen);
    if (rc == 0 && !find_peer(t, c))
        rc = scan_for(t, c, err, errlen);
    if (rc)
        return rc;
    const struct ble_obj *d = find_peer(t, c);
    if (!d) /* scan_for found it; it is gone again */
        return fail_gone(c, err, errlen);
    snprintf(t->dev, sizeof t->dev, "%s", d->path);
    snprintf(t->label, sizeof t->label, "%s (%s)", d->name[0] ? d->name : "BLE device", d->addr);
    rc = connect_device(t, err, errlen);
    if (rc == 0)
        rc = ble_central_refresh(&t->c, err, errlen);
    if (rc == 0)
        rc = find_smp_char(t, err, errlen);
    if (rc == 0)
        rc = open_data_path(t, err, errlen);
    d = ble_central_find(&t->c, t->dev);
    if (rc && d && d->connected)
        call_simple(t, t->dev, DEVICE_IFACE, "Disconnect");
    return rc;
}

int client_ble_open(const struct client_conn *c, struct client_transport *tp,
                    char *err, size_t errlen)
{
    struct ble_tp *t = calloc(1, sizeof *t);
    if (!t)
        return CLIENT_ERR_NOMEM;
    t->wfd = t->nfd = -1;
    t->tp = tp;
    smp_reasm_init(&t->reasm, t->rx, sizeof t->rx);
    int rc = open_peer(t, c, err, errlen);
    if (rc) {
        t->gone = true; /* nothing to stop or disconnect any more */
        ble_close(t);
        return rc;
    }
    memset(tp, 0, sizeof *tp);
    tp->ctx = t;
    tp->send = ble_send;
    tp->recv = ble_recv;
    tp->close = ble_close;
    /* the device reassembles a request in one buffer: nothing else in it */
    tp->frame_overhead = 0;
    tp->default_max_msg = 256;
    tp->packet_payload = (size_t)t->mtu - ATT_HDR;
    tp->probe_ms = 2000; /* several connection events each way */
    tp->name = "ble";
    return 0;
}
