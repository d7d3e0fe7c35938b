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

static uint64_t interval_ns(const struct sim_ble *s)
{
    return (uint64_t)s->cfg->link.interval_us * 1000u;
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
void ble_device_update(struct sim_ble *s)
{
    uint64_t now = sim_now_ns();
    bool advertising = s->b->running && now >= s->advertise_at_ns;
    bool show = s->connected || s->connecting || (advertising && !s->removed);
    if (show && !s->exported)
        sim_board_log(s->b, "ble: %s (%s) advertises", s->name, s->dev_addr);
    ble_bus_show_device(s, show);
}

/* ---- connecting ---- */

int ble_connect_begin(struct sim_ble *s, sd_bus_message *m)
{
    uint64_t now = sim_now_ns();
    if (!s->exported)
        return sd_bus_reply_method_errorf(m, "org.bluez.Error.Failed", "Device not available");
    s->connecting = true;
    s->pending_connect = sd_bus_message_ref(m);
    s->connect_due_ns = now + CONNECT_EVENTS * interval_ns(s);
    return 1; /* answered when the connection is up */
}

static void connected(struct sim_ble *s, uint64_t now)
{
    s->connecting = false;
    s->connected = true;
    s->connect_due_ns = 0;
    s->resolve_due_ns = now + DISCOVERY_EVENTS * interval_ns(s);
    sim_ble_dir_start(&s->up, now);
    sim_ble_dir_start(&s->down, now);
    s->st.connects++;
    sim_board_log(s->b, "ble: connected (ATT MTU %u, interval %.2f ms, %u packets an event)",
                  s->cfg->link.att_mtu, s->cfg->link.interval_us / 1000.0,
                  s->cfg->link.packets_per_event);
    ble_bus_show_gatt(s, true);
    ble_bus_changed(s, s->dev_path, DEVICE_IFACE, "Connected", NULL);
    if (s->pending_connect) {
        sd_bus_reply_method_return(s->pending_connect, "");
        s->pending_connect = sd_bus_message_unref(s->pending_connect);
    }
}

static void release_sockets(struct sim_ble *s)
{
    if (s->write_fd >= 0)
        close(s->write_fd);
    if (s->notify_fd >= 0)
        close(s->notify_fd);
    s->write_fd = s->notify_fd = -1;
    s->write_acquired = s->notify_acquired = false;
}

void ble_link_lost(struct sim_ble *s, const char *why)
{
    bool was_connected = s->connected;
    if (s->pending_connect) {
        sd_bus_reply_method_errorf(s->pending_connect, "org.bluez.Error.Failed",
                                   "Software caused connection abort");
        s->pending_connect = sd_bus_message_unref(s->pending_connect);
    }
    release_sockets(s);
    s->connecting = s->connected = s->resolved = s->notifying = false;
    s->value_writes = 0;
    s->connect_due_ns = s->resolve_due_ns = 0;
    s->in->count = s->out->count = 0;
    s->rx_len = s->rx_discard = 0;
    s->held = 0;
    if (!was_connected)
        return;
    s->st.link_losses++;
    sim_board_log(s->b, "ble: disconnected: %s", why);
    ble_bus_changed(s, s->dev_path, DEVICE_IFACE, "Connected", "ServicesResolved");
    ble_bus_show_gatt(s, false);
}

/* ---- receiving ---- */

int ble_acquire(struct sim_ble *s, bool write, int *peer_fd)
{
    int fds[2];
    /* one packet per ATT PDU, as BlueZ's acquired sockets carry them */
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0)
        return -1;
    if (write) {
        s->write_fd = fds[0];
        s->write_acquired = true;
    } else {
        s->notify_fd = fds[0];
        s->notify_acquired = true;
    }
    *peer_fd = fds[1];
    return 0;
}

int ble_write(struct sim_ble *s, const uint8_t *data, size_t len)
{
    uint64_t now = sim_now_ns();
    struct ble_pdu *p = queue_push(s->in);
    if (!p)
        return -1;
    p->due_ns = sim_ble_dir_schedule(&s->cfg->link, &s->up, now, len);
    p->len = (uint16_t)len;
    p->last = false;
    memcpy(p->data, data, len);
    s->st.writes++;
    return 0;
}

static double next_random(struct sim_ble *s)
{
    s->rng ^= s->rng << 13;
    s->rng ^= s->rng >> 7;
    s->rng ^= s->rng << 17;
    return (double)(s->rng >> 11) / (double)(1ull << 53);
}

/* The server's answer: cut into notifications that follow each other. */
static void emit(void *arg, const uint8_t *msg, size_t len)
{
    struct sim_ble *s = arg;
    size_t unit = sim_ble_att_payload(&s->cfg->link);
    uint64_t now = sim_now_ns();

    s->st.responses++;
    if (s->cfg->drop_rsp > 0 && next_random(s) < s->cfg->drop_rsp) {
        s->st.dropped_rsp++;
        return; /* lost notifications (fault injection) */
    }
    for (size_t off = 0; off < len; off += unit) {
        size_t n = len - off < unit ? len - off : unit;
        struct ble_pdu *p = queue_push(s->out);
        if (!p)
            return;
        p->due_ns = sim_ble_dir_schedule(&s->cfg->link, &s->down, now, n);
        p->len = (uint16_t)n;
        p->last = off + n >= len;
        memcpy(p->data, msg + off, n);
        if (p->last)
            s->held++;
    }
}

static void serve(struct sim_ble *s, const uint8_t *msg, size_t len)
{
    struct sim_board *b = s->b;
    if (s->held + 1 >= s->tp.buf_count) {
        s->st.dropped_no_buf++;
        return;
    }
    s->st.requests++;
    if (b->cfg.trace) {
        struct smp_hdr h;
        if (smp_hdr_decode(msg, len, &h) == 0)
            sim_board_log(b, "smp: ble rx op=%u ver=%u grp=%u id=%u seq=%u len=%u held=%u",
                          h.op, h.ver, h.group, h.id, h.seq, h.len, s->held);
    }
    smpsrv_process(&b->srv, &s->tp, msg, len, emit, s);
}

static size_t msg_len(const uint8_t *hdr)
{
    return SMP_HDR_SIZE + (((size_t)hdr[2] << 8) | hdr[3]);
}

/* One ATT write has crossed: into the request being put together. */
static void take_write(struct sim_ble *s, const uint8_t *data, size_t len)
{
    s->rx_total += len;
    while (len) {
        if (s->rx_discard) {
            size_t n = len < s->rx_discard ? len : s->rx_discard;
            s->rx_discard -= n, data += n, len -= n;
            continue;
        }
        bool have_hdr = s->rx_len >= SMP_HDR_SIZE;
        size_t want = have_hdr ? msg_len(s->rx) : SMP_HDR_SIZE;
        if (have_hdr && want > s->tp.buf_size) {
            /* larger than any buffer: the device skips it */
            s->st.dropped_too_big++;
            s->rx_discard = want - s->rx_len;
            s->rx_len = 0;
            continue;
        }
        size_t n = want - s->rx_len < len ? want - s->rx_len : len;
        memcpy(s->rx + s->rx_len, data, n);
        s->rx_len += n, data += n, len -= n;
        if (s->rx_len >= SMP_HDR_SIZE && s->rx_len == msg_len(s->rx)) {
            s->rx_len = 0;
            serve(s, s->rx, msg_len(s->rx));
        }
    }
}

static void read_write_socket(struct sim_ble *s)
{
    uint8_t buf[SIM_BLE_MTU_MAX + 1];
    for (;;) {
        ssize_t n = recv(s->write_fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0) {
            /* the central closed its end: the write lock is released */
            close(s->write_fd);
            s->write_fd = -1;
            s->write_acquired = false;
            ble_bus_changed(s, s->chr_path, CHAR_IFACE, "WriteAcquired", NULL);
            return;
        }
        if ((size_t)n > sim_ble_att_payload(&s->cfg->link)) {
            sim_board_log(s->b, "ble: a %zd-byte write is longer than MTU - 3: dropped", n);
            continue;
        }
        ble_write(s, buf, (size_t)n);
    }
}

/* ---- sending ---- */

static void notify(struct sim_ble *s, const struct ble_pdu *p)
{
    s->st.notifications++;
    if (s->notify_fd >= 0) {
        if (send(s->notify_fd, p->data, p->len, MSG_NOSIGNAL) < 0 && errno != EAGAIN) {
            close(s->notify_fd);
            s->notify_fd = -1;
            s->notify_acquired = false;
        }
        return;
    }
    if (!s->notifying)
        return; /* nobody listens: the notification is lost */
    memcpy(s->value, p->data, p->len);
    s->value_len = p->len;
    ble_bus_changed(s, s->chr_path, CHAR_IFACE, "Value", NULL);
}

static void pump_in(struct sim_ble *s, uint64_t now)
{
    struct ble_pdu *p;
    while (s->connected && (p = queue_front(s->in)) && p->due_ns <= now) {
        struct ble_pdu pdu = *p;
        queue_pop(s->in);
        take_write(s, pdu.data, pdu.len);
        long after = s->cfg->disconnect_after;
        if (after >= 0 && !s->disconnect_done && s->rx_total >= (uint64_t)after) {
            s->disconnect_done = true;
            ble_link_lost(s, "link lost (fault injection: --ble-disconnect-after)");
        }
    }
}

static void pump_out(struct sim_ble *s, uint64_t now)
{
    struct ble_pdu *p;
    while (s->connected && (p = queue_front(s->out)) && p->due_ns <= now) {
        notify(s, p);
        if (p->last && s->held)
            s->held--;
        queue_pop(s->out);
    }
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
        release_sockets(s);
        s->connected = s->connecting = false;
    }
}

void sim_ble_pump(struct sim_runtime *rt, uint64_t now)
{
    struct sim_ble *s = ble_of(rt);
    if (!s || s->bus_lost)
        return;
    if (s->connecting && now >= s->connect_due_ns)
        connected(s, now);
    if (s->connected && !s->resolved && now >= s->resolve_due_ns) {
        s->resolved = true;
        ble_bus_changed(s, s->dev_path, DEVICE_IFACE, "ServicesResolved", NULL);
    }
    pump_in(s, now);
    pump_out(s, now);
    ble_device_update(s);
    process_bus(s);
}

int sim_ble_pollfds(struct sim_runtime *rt, struct pollfd *p)
{
    struct sim_ble *s = ble_of(rt);
    if (!s || s->bus_lost)
        return 0;
    int ev = sd_bus_get_events(s->bus);
    p[0] = (struct pollfd){ .fd = sd_bus_get_fd(s->bus), .events = (short)(ev > 0 ? ev : POLLIN) };
    p[1] = (struct pollfd){ .fd = s->write_fd, .events = POLLIN };
    return 2;
}

void sim_ble_on_poll(struct sim_runtime *rt, const struct pollfd *p, int n, uint64_t now)
{
    struct sim_ble *s = ble_of(rt);
    (void)now;
    if (!s || n < 2 || s->bus_lost)
        return;
    if (p[0].revents)
        process_bus(s);
    if (s->write_fd >= 0 && p[1].fd == s->write_fd && p[1].revents)
        read_write_socket(s);
}

uint64_t sim_ble_next_event(const struct sim_runtime *rt)
{
    struct sim_ble *s = ble_of(rt);
    uint64_t next = UINT64_MAX, usec;
    if (!s || s->bus_lost)
        return next;
    if (s->connecting)
        next = s->connect_due_ns;
    if (s->connected && !s->resolved && s->resolve_due_ns < next)
        next = s->resolve_due_ns;
    if (s->in->count && s->in->pdu[s->in->head].due_ns < next)
        next = s->in->pdu[s->in->head].due_ns;
    if (s->out->count && s->out->pdu[s->out->head].due_ns < next)
        next = s->out->pdu[s->out->head].due_ns;
    if (!s->exported && s->b->running && !s->removed && s->advertise_at_ns < next)
        next = s->advertise_at_ns;
    /* sd-bus's own timeouts are on the same monotonic clock, in µs */
    if (sd_bus_get_timeout(s->bus, &usec) > 0 && usec != UINT64_MAX && usec * 1000 < next)
        next = usec * 1000;
    return next;
}

bool sim_ble_tx_idle(const struct sim_runtime *rt)
{
    struct sim_ble *s = ble_of(rt);
    return !s || s->out->count == 0;
}

void sim_ble_on_reset(struct sim_runtime *rt)
{
    struct sim_ble *s = ble_of(rt);
    if (!s || s->bus_lost)
        return;
    /* the chip resets: the link drops, the advertising stops until the
     * new firmware runs */
    ble_link_lost(s, "the board resets");
    s->advertise_at_ns = sim_now_ns() + (uint64_t)s->cfg->reappear_ms * 1000000u;
    ble_bus_show_device(s, false);
    process_bus(s);
}

void sim_ble_describe(const struct sim_runtime *rt, char *out, size_t cap)
{
    struct sim_ble *s = ble_of(rt);
    out[0] = '\0';
    if (s)
        snprintf(out, cap, ", ble \"%s\" %ux%u (ATT MTU %u, %.2f ms, %u packets/event)",
                 s->name, s->tp.buf_size, s->tp.buf_count, s->cfg->link.att_mtu,
                 s->cfg->link.interval_us / 1000.0, s->cfg->link.packets_per_event);
}

/* ---- opening ---- */

/* The device's address: a random static address (top bits 11) from the
 * board's hardware id, so a board keeps its address across restarts. */
static void make_addresses(struct sim_ble *s)
{
    uint8_t v[6] = { 0 };
    for (int i = 0; i < 6; i++) {
        unsigned x = 0;
        sscanf(s->b->hwid + 2 * i, "%2x", &x);
        v[i] = (uint8_t)x;
    }
    v[0] |= 0xc0;
    snprintf(s->dev_addr, sizeof s->dev_addr, "%02X:%02X:%02X:%02X:%02X:%02X", v[0], v[1],
             v[2], v[3], v[4], v[5]);
    snprintf(s->adapter_addr, sizeof s->adapter_addr, "00:1A:7D:DA:71:%02X", v[5]);
    snprintf(s->adapter_path, sizeof s->adapter_path, "/org/bluez/%s", s->cfg->adapter);
    char tail[18];
    snprintf(tail, sizeof tail, "%s", s->dev_addr);
    for (char *c = tail; *c; c++)
        if (*c == ':')
            *c = '_';
    snprintf(s->dev_path, sizeof s->dev_path, "%s/dev_%s", s->adapter_path, tail);
    snprintf(s->svc_path, sizeof s->svc_path, "%s/service000a", s->dev_path);
    snprintf(s->chr_path, sizeof s->chr_path, "%s/char000b", s->svc_path);
}

static void set_buffers(struct sim_ble *s)
{
    const struct sim_config *c = &s->b->cfg;
    s->tp = (struct smpsrv_transport){
        .buf_size = c->buf_size ? c->buf_size : SIM_BLE_BUF_SIZE,
        .buf_count = c->buf_count ? c->buf_count : SIM_BLE_BUF_COUNT,
    };
}

static int take_name(struct sim_ble *s)
{
    int r = sd_bus_open_system(&s->bus);
    if (r < 0) {
        sim_board_log(s->b, "E: ble: cannot connect to the system bus (%s): %s",
                      getenv("DBUS_SYSTEM_BUS_ADDRESS") ? getenv("DBUS_SYSTEM_BUS_ADDRESS")
                                                         : "the default",
                      strerror(-r));
        return SIM_EIO;
    }
    r = sd_bus_request_name(s->bus, "org.bluez", 0);
    if (r < 0) {
        sim_board_log(s->b, "E: ble: cannot own org.bluez on the bus: %s%s", strerror(-r),
                      r == -EEXIST ? " (another BlueZ or board has it: give each board its "
                                     "own bus)" : "");
        return SIM_EBUSY;
    }
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
    if (!s || !(s->in = calloc(1, sizeof *s->in)) || !(s->out = calloc(1, sizeof *s->out))) {
        if (s)
            free(s->in);
        free(s);
        return SIM_EIO;
    }
    rt->ble = s;
    s->rt = rt;
    s->b = rt->b;
    s->cfg = cfg;
    s->write_fd = s->notify_fd = -1;
    s->powered = !cfg->powered_off;
    s->rssi = cfg->rssi;
    s->mtu = (uint16_t)cfg->link.att_mtu;
    s->rng = cfg->seed ? cfg->seed : 1;
    snprintf(s->name, sizeof s->name, "%s", cfg->name);
    snprintf(s->adapter_alias, sizeof s->adapter_alias, "mcusim adapter %s", cfg->adapter);
    set_buffers(s);
    make_addresses(s);
    rc = take_name(s);
    if (rc == SIM_OK && ble_bus_export_adapter(s) < 0)
        rc = SIM_EIO;
    if (rc != SIM_OK) {
        sim_ble_close(rt);
        return rc;
    }
    ble_device_update(s);
    process_bus(s);
    return SIM_OK;
}

void sim_ble_close(struct sim_runtime *rt)
{
    struct sim_ble *s = ble_of(rt);
    if (!s)
        return;
    if (s->bus && !s->bus_lost)
        ble_link_lost(s, "the board stops");
    release_sockets(s);
    s->chr_slot = sd_bus_slot_unref(s->chr_slot);
    s->svc_slot = sd_bus_slot_unref(s->svc_slot);
    s->dev_slot = sd_bus_slot_unref(s->dev_slot);
    s->adapter_slot = sd_bus_slot_unref(s->adapter_slot);
    s->om_slot = sd_bus_slot_unref(s->om_slot);
    if (s->bus)
        sd_bus_flush_close_unref(s->bus);
    free(s->in);
    free(s->out);
    free(s);
    rt->ble = NULL;
}
