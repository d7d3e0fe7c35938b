/*
 * The board's Bluetooth LE connection: connecting, the SMP data path over
 * the link model (ble_link.c), faults, and the hooks into the board's
 * event loop. The D-Bus objects are ble_bus.c's.
 *
 * A request arrives as ATT writes of at most MTU - 3 bytes; each crosses
 * the link in a connection event (ble_link.h) and is then appended to the
 * request being put together, whose SMP header says how long it is. A
 * whole request goes to the SMP server if a buffer is free: a request
 * holds one of buf_count buffers until its answer's last notification has
 * crossed, and one stays free for receiving, so a request that finds
 * buf_count - 1 held is dropped, as on a device. The answer is cut into
 * notifications, which cross in the events after it.
 */
#include "sim/ble_priv.h"

#include <errno.h>
#include <stdarg.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sim/runtime.h"
#include "sim/sim.h"
#include "smp/smp.h"

#define DEVICE_IFACE "org.bluez.Device1"
#define CHAR_IFACE "org.bluez.GattCharacteristic1"
/* connection events a connection takes to come up, and the GATT
 * discovery after it (service, characteristic, descriptor, MTU exchange) */
#define CONNECT_EVENTS 3
#define DISCOVERY_EVENTS 4

void sim_ble_cfg_defaults(struct sim_ble_cfg *c)
{
    memset(c, 0, sizeof *c);
    c->adapter = "hci0";
    sim_ble_link_defaults(&c->link);
    c->rssi = -52;
    c->reappear_ms = 500;
    c->disconnect_after = -1;
    c->seed = 1;
}

static struct sim_ble *ble_of(const struct sim_runtime *rt)
{
    return rt->ble;
}

static uint64_t interval_ns(const struct ble_dev *d)
{
    return (uint64_t)d->cfg.link.interval_us * 1000u;
}

void ble_log(struct ble_dev *d, const char *fmt, ...)
{
    char line[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* with several boards under one adapter, say whose line it is */
    if (d->ad->ndev && d != d->ad->dev[0])
        sim_board_log(d->ad->b, "ble: %s: %s", d->name, line);
    else
        sim_board_log(d->ad->b, "ble: %s", line);
}

/* ---- queues ---- */

static struct ble_pdu *queue_push(struct ble_queue *q)
{
    if (q->count == BLE_QUEUE)
        return NULL;
    struct ble_pdu *p = &q->pdu[(q->head + q->count) % BLE_QUEUE];
    q->count++;
    return p;
}

static struct ble_pdu *queue_front(struct ble_queue *q)
{
    return q->count ? &q->pdu[q->head] : NULL;
}

static void queue_pop(struct ble_queue *q)
{
    q->head = (q->head + 1) % BLE_QUEUE;
    q->count--;
}

/* ---- the device's presence ---- */

/* The device's object is on the bus while it advertises or is connected;
 * a device the central removed comes back only through discovery. */
void ble_device_update(struct ble_dev *d)
{
    uint64_t now = sim_now_ns();
    bool advertising = d->running && now >= d->advertise_at_ns;
    bool show = d->connected || d->connecting || (advertising && !d->removed);
    if (show && !d->exported)
        ble_log(d, "%s (%s) advertises", d->name, d->dev_addr);
    ble_bus_show_device(d, show);
}

/* ---- connecting ---- */

int ble_connect_begin(struct ble_dev *d, sd_bus_message *m)
{
    uint64_t now = sim_now_ns();
    if (!d->exported)
        return sd_bus_reply_method_errorf(m, "org.bluez.Error.Failed", "Device not available");
    d->connecting = true;
    d->pending_connect = sd_bus_message_ref(m);
    d->connect_due_ns = now + CONNECT_EVENTS * interval_ns(d);
    return 1; /* answered when the connection is up */
}

static void connected(struct ble_dev *d, uint64_t now)
{
    d->connecting = false;
    d->connected = true;
    d->connect_due_ns = 0;
    d->resolve_due_ns = now + DISCOVERY_EVENTS * interval_ns(d);
    sim_ble_dir_start(&d->up, now);
    sim_ble_dir_start(&d->down, now);
    ble_log(d, "connected (ATT MTU %u, interval %.2f ms, %u packets an event)",
            d->cfg.link.att_mtu, d->cfg.link.interval_us / 1000.0, d->cfg.link.packets_per_event);
    ble_bus_show_gatt(d, true);
    ble_bus_changed(d->ad, d->dev_path, DEVICE_IFACE, "Connected", NULL);
    if (d->pending_connect) {
        sd_bus_reply_method_return(d->pending_connect, "");
        d->pending_connect = sd_bus_message_unref(d->pending_connect);
    }
}

static void release_sockets(struct ble_dev *d)
{
    if (d->write_fd >= 0)
        close(d->write_fd);
    if (d->notify_fd >= 0)
        close(d->notify_fd);
    d->write_fd = d->notify_fd = -1;
    d->write_acquired = d->notify_acquired = false;
}

void ble_link_lost(struct ble_dev *d, const char *why)
{
    bool was_connected = d->connected;
    if (d->pending_connect) {
        sd_bus_reply_method_errorf(d->pending_connect, "org.bluez.Error.Failed",
                                   "Software caused connection abort");
        d->pending_connect = sd_bus_message_unref(d->pending_connect);
    }
    release_sockets(d);
    d->connecting = d->connected = d->resolved = d->notifying = false;
    d->value_writes = 0;
    d->connect_due_ns = d->resolve_due_ns = 0;
    d->in->count = d->out->count = 0;
    smp_reasm_reset(&d->reasm);
    d->held = 0;
    if (!was_connected)
        return;
    ble_log(d, "disconnected: %s", why);
    ble_bus_changed(d->ad, d->dev_path, DEVICE_IFACE, "Connected", "ServicesResolved");
    ble_bus_show_gatt(d, false);
}

/* ---- receiving ---- */

int ble_acquire(struct ble_dev *d, bool write, int *peer_fd)
{
    int fds[2];
    /* one packet per ATT PDU, as BlueZ's acquired sockets carry them */
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0)
        return -1;
    if (write) {
        d->write_fd = fds[0];
        d->write_acquired = true;
    } else {
        d->notify_fd = fds[0];
        d->notify_acquired = true;
    }
    *peer_fd = fds[1];
    return 0;
}

int ble_write(struct ble_dev *d, const uint8_t *data, size_t len)
{
    uint64_t now = sim_now_ns();
    struct ble_pdu *p = queue_push(d->in);
    if (!p)
        return -1;
    p->due_ns = sim_ble_dir_schedule(&d->cfg.link, &d->up, now, len);
    p->len = (uint16_t)len;
    p->last = false;
    memcpy(p->data, data, len);
    return 0;
}

static double next_random(struct ble_dev *d)
{
    d->rng ^= d->rng << 13;
    d->rng ^= d->rng >> 7;
    d->rng ^= d->rng << 17;
    return (double)(d->rng >> 11) / (double)(1ull << 53);
}

/* The server's answer: cut into notifications that follow each other. */
void ble_answer(struct ble_dev *d, const uint8_t *msg, size_t len)
{
    size_t unit = sim_ble_att_payload(&d->cfg.link);
    uint64_t now = sim_now_ns();

    if (!d->connected)
        return;
    if (d->cfg.drop_rsp > 0 && next_random(d) < d->cfg.drop_rsp)
        return; /* lost notifications (fault injection) */
    for (size_t off = 0; off < len; off += unit) {
        size_t n = len - off < unit ? len - off : unit;
        struct ble_pdu *p = queue_push(d->out);
        if (!p)
            return;
        p->due_ns = sim_ble_dir_schedule(&d->cfg.link, &d->down, now, n);
        p->len = (uint16_t)n;
        p->last = off + n >= len;
        memcpy(p->data, msg + off, n);
        if (p->last)
            d->held++;
    }
}

static void emit(void *arg, const uint8_t *msg, size_t len)
{
    ble_answer(arg, msg, len);
}

static void serve(struct ble_dev *d, const uint8_t *msg, size_t len)
{
    struct sim_board *b = d->ad->b;
    if (d->held + 1 >= d->tp.buf_count)
        return; /* no buffer free: dropped, as on a device */
    if (b->cfg.trace) {
        struct smp_hdr h;
        if (smp_hdr_decode(msg, len, &h) == 0)
            ble_log(d, "smp rx op=%u ver=%u grp=%u id=%u seq=%u len=%u held=%u",
                    h.op, h.ver, h.group, h.id, h.seq, h.len, d->held);
    }
    if (d->pipe_fd >= 0)
        ble_pipe_send(d->pipe_fd, PIPE_REQUEST, msg, len); /* a guest board's server */
    else
        smpsrv_process(&b->srv, &d->tp, msg, len, emit, d);
}

static void whole_request(void *ctx, const uint8_t *msg, size_t len)
{
    serve(ctx, msg, len);
}

/* One ATT write has crossed: into the request being put together (a
 * request larger than the buffer is skipped, as the device does). */
static void take_write(struct ble_dev *d, const uint8_t *data, size_t len)
{
    d->rx_total += len;
    if (d->cfg.no_reassembly) {
        struct smp_hdr h;
        if (smp_hdr_decode(data, len, &h) != 0 || SMP_HDR_SIZE + (size_t)h.len != len ||
            len > d->tp.buf_size) {
            ble_log(d, "a %zu-byte write is not one whole request (no reassembly): dropped", len);
            return;
        }
        serve(d, data, len);
        return;
    }
    smp_reasm_feed(&d->reasm, data, len, whole_request, d);
}

static void read_write_socket(struct ble_dev *d)
{
    uint8_t buf[SIM_BLE_MTU_MAX + 1];
    for (;;) {
        ssize_t n = recv(d->write_fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0) {
            /* the central closed its end: the write lock is released */
            close(d->write_fd);
            d->write_fd = -1;
            d->write_acquired = false;
            ble_bus_changed(d->ad, d->chr_path, CHAR_IFACE, "WriteAcquired", NULL);
            return;
        }
        if ((size_t)n > sim_ble_att_payload(&d->cfg.link)) {
            ble_log(d, "a %zd-byte write is longer than MTU - 3: dropped", n);
            continue;
        }
        ble_write(d, buf, (size_t)n);
    }
}

/* ---- sending ---- */

static void notify(struct ble_dev *d, const struct ble_pdu *p)
{
    if (d->notify_fd >= 0) {
        if (send(d->notify_fd, p->data, p->len, MSG_NOSIGNAL) < 0 && errno != EAGAIN) {
            close(d->notify_fd);
            d->notify_fd = -1;
            d->notify_acquired = false;
        }
        return;
    }
    if (!d->notifying)
        return; /* nobody listens: the notification is lost */
    memcpy(d->value, p->data, p->len);
    d->value_len = p->len;
    ble_bus_changed(d->ad, d->chr_path, CHAR_IFACE, "Value", NULL);
}

static void pump_in(struct ble_dev *d, uint64_t now)
{
    struct ble_pdu *p;
    while (d->connected && (p = queue_front(d->in)) && p->due_ns <= now) {
        struct ble_pdu pdu = *p;
        queue_pop(d->in);
        take_write(d, pdu.data, pdu.len);
        long after = d->cfg.disconnect_after;
        if (after >= 0 && !d->disconnect_done && d->rx_total >= (uint64_t)after) {
            d->disconnect_done = true;
            ble_link_lost(d, "link lost (fault injection: --ble-disconnect-after)");
        }
    }
}

static void pump_out(struct ble_dev *d, uint64_t now)
{
    struct ble_pdu *p;
    while (d->connected && (p = queue_front(d->out)) && p->due_ns <= now) {
        notify(d, p);
        if (p->last && d->held)
            d->held--;
        queue_pop(d->out);
    }
}

/* The chip resets: the link drops, the advertising stops until the new
 * firmware runs. */
static void device_reset(struct ble_dev *d)
{
    ble_link_lost(d, "the board resets");
    d->advertise_at_ns = sim_now_ns() + (uint64_t)d->cfg.reappear_ms * 1000000u;
    ble_bus_show_device(d, false);
}

static void pump_device(struct ble_dev *d, uint64_t now)
{
    if (d->pipe_fd < 0)
        d->running = d->ad->b->running;
    if (d->connecting && now >= d->connect_due_ns)
        connected(d, now);
    if (d->connected && !d->resolved && now >= d->resolve_due_ns) {
        d->resolved = true;
        ble_bus_changed(d->ad, d->dev_path, DEVICE_IFACE, "ServicesResolved", NULL);
    }
    pump_in(d, now);
    pump_out(d, now);
    /* a guest's reset waits for its last answer to leave */
    if (d->reset_requested && d->out->count == 0) {
        d->reset_requested = false;
        device_reset(d);
    }
    ble_device_update(d);
}

static uint64_t device_next_event(const struct ble_dev *d)
{
    uint64_t next = UINT64_MAX;
    if (d->connecting)
        next = d->connect_due_ns;
    if (d->connected && !d->resolved && d->resolve_due_ns < next)
        next = d->resolve_due_ns;
    if (d->in->count && d->in->pdu[d->in->head].due_ns < next)
        next = d->in->pdu[d->in->head].due_ns;
    if (d->out->count && d->out->pdu[d->out->head].due_ns < next)
        next = d->out->pdu[d->out->head].due_ns;
    if (!d->exported && d->running && !d->removed && d->advertise_at_ns < next)
        next = d->advertise_at_ns;
    return next;
}

/* ---- the event loop ---- */

static void process_bus(struct sim_ble *s)
{
    int r;
    if (s->bus_lost)
        return;
    while ((r = sd_bus_process(s->bus, NULL)) > 0)
        ;
    if (r < 0) {
        /* the bus daemon went away: the board goes on without BLE */
        sim_board_log(s->b, "E: ble: the bus closed: %s", strerror(-r));
        s->bus_lost = true;
        for (size_t i = 0; i < s->ndev; i++) {
            release_sockets(s->dev[i]);
            s->dev[i]->connected = s->dev[i]->connecting = false;
        }
    }
}

static void remove_device(struct sim_ble *s, size_t i)
{
    struct ble_dev *d = s->dev[i];
    ble_link_lost(d, "the board stopped");
    ble_bus_show_device(d, false);
    ble_log(d, "%s left the adapter", d->name);
    ble_dev_free(d);
    s->dev[i] = s->dev[--s->ndev];
}

void sim_ble_pump(struct sim_runtime *rt, uint64_t now)
{
    struct sim_ble *s = ble_of(rt);
    if (!s || s->bus_lost)
        return;
    if (s->guest) {
        ble_guest_pump(s);
        process_bus(s);
        return;
    }
    for (size_t i = 0; i < s->ndev; i++) {
        if (s->dev[i]->pipe_fd < 0 && i > 0) /* a guest whose pipe closed */
            remove_device(s, i--);
        else
            pump_device(s->dev[i], now);
    }
    process_bus(s);
}

int sim_ble_pollfds(struct sim_runtime *rt, struct pollfd *p, int cap)
{
    struct sim_ble *s = ble_of(rt);
    int n = 0;
    if (!s || s->bus_lost || cap < 2)
        return 0;
    int ev = sd_bus_get_events(s->bus);
    p[n++] = (struct pollfd){ .fd = sd_bus_get_fd(s->bus), .events = (short)(ev > 0 ? ev : POLLIN) };
    if (s->guest) {
        p[n++] = (struct pollfd){ .fd = s->guest_fd, .events = POLLIN };
        return n;
    }
    for (size_t i = 0; i < s->ndev && n + 2 <= cap; i++) {
        p[n++] = (struct pollfd){ .fd = s->dev[i]->write_fd, .events = POLLIN };
        p[n++] = (struct pollfd){ .fd = s->dev[i]->pipe_fd, .events = POLLIN };
    }
    return n;
}

void sim_ble_on_poll(struct sim_runtime *rt, const struct pollfd *p, int n, uint64_t now)
{
    struct sim_ble *s = ble_of(rt);
    (void)now;
    if (!s || n < 1 || s->bus_lost)
        return;
    if (p[0].revents)
        process_bus(s);
    if (s->guest) {
        if (n > 1 && p[1].revents)
            ble_guest_serve(s);
        return;
    }
    /* the devices are the ones polled: none is removed before sim_ble_pump */
    for (size_t i = 0; i < s->ndev && (int)(1 + 2 * i + 1) < n; i++) {
        struct ble_dev *d = s->dev[i];
        if (d->write_fd >= 0 && p[1 + 2 * i].fd == d->write_fd && p[1 + 2 * i].revents)
            read_write_socket(d);
        if (d->pipe_fd >= 0 && p[2 + 2 * i].fd == d->pipe_fd && p[2 + 2 * i].revents)
            ble_pipe_readable(d);
    }
}

uint64_t sim_ble_next_event(const struct sim_runtime *rt)
{
    struct sim_ble *s = ble_of(rt);
    uint64_t next = UINT64_MAX, usec;
    if (!s || s->bus_lost)
        return next;
    for (size_t i = 0; i < s->ndev; i++) {
        uint64_t t = device_next_event(s->dev[i]);
        if (t < next)
            next = t;
    }
    /* sd-bus's own timeouts are on the same monotonic clock, in µs */
    if (sd_bus_get_timeout(s->bus, &usec) > 0 && usec != UINT64_MAX && usec * 1000 < next)
        next = usec * 1000;
    return next;
}

bool sim_ble_tx_idle(const struct sim_runtime *rt)
{
    struct sim_ble *s = ble_of(rt);
    return !s || s->guest || s->ndev == 0 || s->dev[0]->out->count == 0;
}

void sim_ble_on_reset(struct sim_runtime *rt)
{
    struct sim_ble *s = ble_of(rt);
    if (!s || s->bus_lost)
        return;
    if (s->guest) {
        ble_guest_reset(s);
        return;
    }
    if (s->ndev) {
        device_reset(s->dev[0]);
        s->dev[0]->running = false;
    }
    process_bus(s);
}

void sim_ble_describe(const struct sim_runtime *rt, char *out, size_t cap)
{
    struct sim_ble *s = ble_of(rt);
    const struct sim_ble_cfg *c = &rt->b->cfg.ble;
    out[0] = '\0';
    if (c->name)
        snprintf(out, cap, ", ble \"%s\" %ux%u (ATT MTU %u, %.2f ms, %u packets/event)%s",
                 c->name, rt->b->cfg.buf_size ? rt->b->cfg.buf_size : SIM_BLE_BUF_SIZE,
                 rt->b->cfg.buf_count ? rt->b->cfg.buf_count : SIM_BLE_BUF_COUNT,
                 c->link.att_mtu, c->link.interval_us / 1000.0, c->link.packets_per_event,
                 s && s->guest ? " under another board's adapter" : "");
}

/* ---- devices ---- */

/* A random static address (top bits 11) from the board's hardware id, so
 * a board keeps its address across restarts. */
void ble_make_address(const struct sim_board *b, char *out, size_t cap)
{
    uint8_t v[6] = { 0 };
    for (int i = 0; i < 6; i++) {
        unsigned x = 0;
        sscanf(b->hwid + 2 * i, "%2x", &x);
        v[i] = (uint8_t)x;
    }
    v[0] |= 0xc0;
    snprintf(out, cap, "%02X:%02X:%02X:%02X:%02X:%02X", v[0], v[1], v[2], v[3], v[4], v[5]);
}

struct ble_dev *ble_dev_new(struct sim_ble *s, const struct sim_ble_cfg *cfg, const char *addr,
                            uint32_t buf_size, uint32_t buf_count, int pipe_fd)
{
    struct ble_dev *d = calloc(1, sizeof *d);
    if (!d || !(d->in = calloc(1, sizeof *d->in)) || !(d->out = calloc(1, sizeof *d->out))) {
        if (d)
            free(d->in);
        free(d);
        return NULL;
    }
    d->ad = s;
    d->cfg = *cfg;
    d->pipe_fd = pipe_fd;
    d->write_fd = d->notify_fd = -1;
    d->rssi = cfg->rssi;
    d->mtu = (uint16_t)cfg->link.att_mtu;
    d->rng = cfg->seed ? cfg->seed : 1;
    d->tp = (struct smpsrv_transport){ .buf_size = buf_size, .buf_count = buf_count };
    smp_reasm_init(&d->reasm, d->rx, buf_size < sizeof d->rx ? buf_size : sizeof d->rx);
    snprintf(d->name, sizeof d->name, "%s", cfg->name);
    snprintf(d->dev_addr, sizeof d->dev_addr, "%s", addr);
    snprintf(d->adapter_path, sizeof d->adapter_path, "%s", s->adapter_path);
    char tail[18];
    snprintf(tail, sizeof tail, "%s", addr);
    for (char *c = tail; *c; c++)
        if (*c == ':')
            *c = '_';
    snprintf(d->dev_path, sizeof d->dev_path, "%s/dev_%s", s->adapter_path, tail);
    snprintf(d->svc_path, sizeof d->svc_path, "%s/service000a", d->dev_path);
    snprintf(d->chr_path, sizeof d->chr_path, "%s/char000b", d->svc_path);
    return d;
}

void ble_dev_free(struct ble_dev *d)
{
    release_sockets(d);
    if (d->pending_connect)
        sd_bus_message_unref(d->pending_connect);
    d->chr_slot = sd_bus_slot_unref(d->chr_slot);
    d->svc_slot = sd_bus_slot_unref(d->svc_slot);
    d->dev_slot = sd_bus_slot_unref(d->dev_slot);
    if (d->pipe_fd >= 0)
        close(d->pipe_fd);
    free(d->in);
    free(d->out);
    free(d);
}

/* ---- opening ---- */

static int open_bus(struct sim_ble *s)
{
    int r = sd_bus_open_system(&s->bus);
    if (r < 0) {
        const char *a = getenv("DBUS_SYSTEM_BUS_ADDRESS");
        sim_board_log(s->b, "E: ble: cannot connect to the system bus (%s): %s",
                      a ? a : "the default", strerror(-r));
        s->bus = NULL;
        return SIM_EIO;
    }
    return SIM_OK;
}

/* org.bluez: ours (the adapter), or another board's (we join it). */
static int take_name(struct sim_ble *s)
{
    char why[300];
    int r = sd_bus_request_name(s->bus, "org.bluez", 0);
    if (r >= 0)
        return SIM_OK;
    if (r == -EEXIST && ble_guest_attach(s, why, sizeof why) == 0)
        return SIM_OK;
    sim_board_log(s->b, "E: ble: cannot own org.bluez on the bus: %s%s%s", strerror(-r),
                  r == -EEXIST ? "; and joining its adapter failed: " : "",
                  r == -EEXIST ? why : "");
    return SIM_EBUSY;
}

static uint32_t buf_size_of(const struct sim_board *b)
{
    return b->cfg.buf_size ? b->cfg.buf_size : SIM_BLE_BUF_SIZE;
}

static uint32_t buf_count_of(const struct sim_board *b)
{
    return b->cfg.buf_count ? b->cfg.buf_count : SIM_BLE_BUF_COUNT;
}

static int start_adapter(struct sim_ble *s)
{
    char addr[18];
    ble_make_address(s->b, addr, sizeof addr);
    s->dev[0] = ble_dev_new(s, s->cfg, addr, buf_size_of(s->b), buf_count_of(s->b), -1);
    if (!s->dev[0])
        return SIM_EIO;
    s->ndev = 1;
    if (ble_bus_export_adapter(s) < 0 || ble_board_export(s) < 0)
        return SIM_EIO;
    return SIM_OK;
}

int sim_ble_open(struct sim_runtime *rt)
{
    const struct sim_ble_cfg *cfg = &rt->b->cfg.ble;
    struct sim_ble *s;
    int rc;

    if (!cfg->name)
        return SIM_OK;
    s = calloc(1, sizeof *s);
    if (!s)
        return SIM_EIO;
    rt->ble = s;
    s->rt = rt;
    s->b = rt->b;
    s->cfg = cfg;
    s->guest_fd = -1;
    s->guest_sent_running = -1;
    s->powered = !cfg->powered_off;
    snprintf(s->adapter_path, sizeof s->adapter_path, "/org/bluez/%s", cfg->adapter);
    snprintf(s->adapter_alias, sizeof s->adapter_alias, "mcusim adapter %s", cfg->adapter);
    ble_make_address(s->b, s->adapter_addr, sizeof s->adapter_addr);
    memcpy(s->adapter_addr, "00:1A:7D", 8); /* the adapter: another address than the device */
    rc = open_bus(s);
    if (rc == SIM_OK)
        rc = take_name(s);
    if (rc == SIM_OK && !s->guest)
        rc = start_adapter(s);
    if (rc != SIM_OK) {
        sim_ble_close(rt);
        return rc;
    }
    process_bus(s);
    return SIM_OK;
}

void sim_ble_close(struct sim_runtime *rt)
{
    struct sim_ble *s = ble_of(rt);
    if (!s)
        return;
    for (size_t i = 0; i < s->ndev; i++) {
        if (s->bus && !s->bus_lost)
            ble_link_lost(s->dev[i], "the board stops");
        ble_dev_free(s->dev[i]);
    }
    s->board_slot = sd_bus_slot_unref(s->board_slot);
    s->adapter_slot = sd_bus_slot_unref(s->adapter_slot);
    s->om_slot = sd_bus_slot_unref(s->om_slot);
    if (s->guest_fd >= 0)
        close(s->guest_fd);
    if (s->bus)
        sd_bus_flush_close_unref(s->bus);
    free(s);
    rt->ble = NULL;
}
