/*
 * The central's view of BlueZ (see ble_central.h). Everything goes through
 * sd-bus: method calls to org.bluez, and matches on its ObjectManager and
 * Properties signals that keep the tree current while we wait.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client/ble_central.h"
#include "client/client.h"
#include "client/internal.h"

#define BLUEZ "org.bluez"
#define OM_IFACE "org.freedesktop.DBus.ObjectManager"
#define PROPS_IFACE "org.freedesktop.DBus.Properties"

void ble_central_errtext(const sd_bus_error *e, int r, char *out, size_t cap)
{
    if (e && sd_bus_error_is_set(e))
        snprintf(out, cap, "%s%s%s", e->name, e->message ? ": " : "", e->message ? e->message : "");
    else
        snprintf(out, cap, "%s", strerror(r < 0 ? -r : r));
}

struct ble_obj *ble_central_find(struct ble_central *c, const char *path)
{
    for (size_t i = 0; i < c->nobjs; i++)
        if (!strcmp(c->objs[i].path, path))
            return &c->objs[i];
    return NULL;
}

static struct ble_obj *obj_get(struct ble_central *c, const char *path)
{
    struct ble_obj *o = ble_central_find(c, path);
    if (o)
        return o;
    if (c->nobjs == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        struct ble_obj *n = realloc(c->objs, cap * sizeof *n);
        if (!n)
            return NULL;
        c->objs = n;
        c->cap = cap;
        if (c->adapter)
            c->adapter = &c->objs[c->adapter_idx];
    }
    o = &c->objs[c->nobjs++];
    memset(o, 0, sizeof *o);
    snprintf(o->path, sizeof o->path, "%s", path);
    return o;
}

/* ---- reading properties out of a{sv} ---- */

static int read_str(sd_bus_message *m, const char *sig, char *out, size_t cap)
{
    const char *s;
    int r = sd_bus_message_read(m, "v", sig, &s);
    if (r >= 0)
        snprintf(out, cap, "%s", s);
    return r;
}

static int read_bool(sd_bus_message *m, bool *out)
{
    int v = 0, r = sd_bus_message_read(m, "v", "b", &v);
    if (r >= 0)
        *out = v;
    return r;
}

/* UUIDs: only whether the SMP service is among them matters. */
static int read_uuids(sd_bus_message *m, bool *smp)
{
    const char *u;
    int r = sd_bus_message_enter_container(m, 'v', "as");
    if (r < 0 || (r = sd_bus_message_enter_container(m, 'a', "s")) < 0)
        return r;
    *smp = false;
    while ((r = sd_bus_message_read(m, "s", &u)) > 0)
        *smp |= strcasecmp(u, BLE_SMP_SERVICE) == 0;
    if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
        return r;
    return sd_bus_message_exit_container(m);
}

static int read_value(struct ble_central *c, sd_bus_message *m, const struct ble_obj *o)
{
    const void *data;
    size_t len;
    int r = sd_bus_message_enter_container(m, 'v', "ay");
    if (r < 0 || (r = sd_bus_message_read_array(m, 'y', &data, &len)) < 0)
        return r;
    if (c->on_value && o && !strcmp(o->path, c->watch_path))
        c->on_value(c->value_ctx, data, len);
    return sd_bus_message_exit_container(m);
}

/* One property whose name and type we know; anything else is skipped. */
static int read_prop(struct ble_central *c, sd_bus_message *m, struct ble_obj *o, const char *key,
                     bool signal)
{
    const char *sig = NULL;
    int r = sd_bus_message_peek_type(m, NULL, &sig);
    if (r < 0 || !sig)
        return r < 0 ? r : -EBADMSG;
#define IS(k, s) (!strcmp(key, k) && !strcmp(sig, s))
    if (IS("Address", "s"))
        return read_str(m, "s", o->addr, sizeof o->addr);
    if (IS("Name", "s"))
        return read_str(m, "s", o->name, sizeof o->name);
    if (IS("Alias", "s") && !o->name[0])
        return read_str(m, "s", o->name, sizeof o->name);
    if (IS("UUID", "s"))
        return read_str(m, "s", o->uuid, sizeof o->uuid);
    if (IS("Adapter", "o") || IS("Device", "o") || IS("Service", "o"))
        return read_str(m, "o", o->parent, sizeof o->parent);
    if (IS("Powered", "b"))
        return read_bool(m, &o->powered);
    if (IS("Connected", "b"))
        return read_bool(m, &o->connected);
    if (IS("ServicesResolved", "b"))
        return read_bool(m, &o->resolved);
    if (IS("UUIDs", "as"))
        return read_uuids(m, &o->smp_uuid);
    if (IS("RSSI", "n")) {
        o->has_rssi = true;
        return sd_bus_message_read(m, "v", "n", &o->rssi);
    }
    if (IS("MTU", "q"))
        return sd_bus_message_read(m, "v", "q", &o->mtu);
    if (IS("Value", "ay") && signal)
        return read_value(c, m, o);
#undef IS
    return sd_bus_message_skip(m, "v");
}

static int read_props(struct ble_central *c, sd_bus_message *m, struct ble_obj *o, bool signal)
{
    const char *key;
    int r = sd_bus_message_enter_container(m, 'a', "{sv}");
    if (r < 0)
        return r;
    while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
        if ((r = sd_bus_message_read(m, "s", &key)) < 0 ||
            (r = read_prop(c, m, o, key, signal)) < 0 ||
            (r = sd_bus_message_exit_container(m)) < 0)
            return r;
    }
    return r < 0 ? r : sd_bus_message_exit_container(m);
}

static enum ble_kind kind_of(const char *iface)
{
    if (!strcmp(iface, "org.bluez.Adapter1"))
        return BLE_ADAPTER;
    if (!strcmp(iface, "org.bluez.Device1"))
        return BLE_DEVICE;
    if (!strcmp(iface, "org.bluez.GattService1"))
        return BLE_SERVICE;
    if (!strcmp(iface, "org.bluez.GattCharacteristic1"))
        return BLE_CHAR;
    return BLE_NONE;
}

/* o a{sa{sv}}: one object and its interfaces. */
static int read_object(struct ble_central *c, sd_bus_message *m)
{
    const char *path, *iface;
    struct ble_obj *o = NULL;
    int r = sd_bus_message_read(m, "o", &path);
    if (r < 0 || (r = sd_bus_message_enter_container(m, 'a', "{sa{sv}}")) < 0)
        return r;
    while ((r = sd_bus_message_enter_container(m, 'e', "sa{sv}")) > 0) {
        if ((r = sd_bus_message_read(m, "s", &iface)) < 0)
            return r;
        enum ble_kind k = kind_of(iface);
        if (k != BLE_NONE && !o && !(o = obj_get(c, path)))
            return -ENOMEM;
        if (k != BLE_NONE) {
            o->kind = k;
            r = read_props(c, m, o, false);
        } else {
            r = sd_bus_message_skip(m, "a{sv}");
        }
        if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
            return r;
    }
    return r < 0 ? r : sd_bus_message_exit_container(m);
}

/* ---- signals ---- */

static int on_added(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)err;
    read_object(userdata, m);
    return 0;
}

static void forget(struct ble_central *c, const char *path)
{
    struct ble_obj *o = ble_central_find(c, path);
    if (!o || (c->adapter && o == c->adapter))
        return;
    *o = c->objs[--c->nobjs];
    if (c->adapter && c->adapter_idx == c->nobjs) {
        c->adapter_idx = (size_t)(o - c->objs);
        c->adapter = o;
    }
}

static int on_removed(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    struct ble_central *c = userdata;
    const char *path, *iface;
    (void)err;
    if (sd_bus_message_read(m, "o", &path) < 0 || sd_bus_message_enter_container(m, 'a', "s") < 0)
        return 0;
    while (sd_bus_message_read(m, "s", &iface) > 0)
        if (kind_of(iface) != BLE_NONE) {
            forget(c, path);
            break;
        }
    return 0;
}

static int on_changed(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    struct ble_central *c = userdata;
    const char *iface, *path = sd_bus_message_get_path(m);
    struct ble_obj *o;
    (void)err;
    if (!path || sd_bus_message_read(m, "s", &iface) < 0 || kind_of(iface) == BLE_NONE)
        return 0;
    o = ble_central_find(c, path);
    if (o)
        read_props(c, m, o, true);
    return 0;
}

/* ---- opening ---- */

static int bluez_present(struct ble_central *c, char *err, size_t errlen)
{
    sd_bus_error e = SD_BUS_ERROR_NULL;
    sd_bus_message *reply = NULL;
    int has = 0;
    int r = sd_bus_call_method(c->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                               "org.freedesktop.DBus", "NameHasOwner", &e, &reply, "s", BLUEZ);
    if (r >= 0)
        r = sd_bus_message_read(reply, "b", &has);
    sd_bus_message_unref(reply);
    if (r < 0) {
        char why[300];
        ble_central_errtext(&e, r, why, sizeof why);
        sd_bus_error_free(&e);
        snprintf(err, errlen, "failed to connect: the system bus does not answer: %s", why);
        return CLIENT_ERR_OPEN;
    }
    if (!has) {
        snprintf(err, errlen, "failed to connect: BlueZ is not running (nobody owns org.bluez on "
                              "the system bus; start it: systemctl start bluetooth)");
        return CLIENT_ERR_OPEN;
    }
    return 0;
}

int ble_central_refresh(struct ble_central *c, char *err, size_t errlen)
{
    sd_bus_error e = SD_BUS_ERROR_NULL;
    sd_bus_message *reply = NULL;
    int r = sd_bus_call_method(c->bus, BLUEZ, "/", OM_IFACE, "GetManagedObjects", &e, &reply, "");
    if (r >= 0 && (r = sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}")) >= 0) {
        while ((r = sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}")) > 0)
            if ((r = read_object(c, reply)) < 0 || (r = sd_bus_message_exit_container(reply)) < 0)
                break;
    }
    sd_bus_message_unref(reply);
    if (r < 0) {
        char why[300];
        ble_central_errtext(&e, r, why, sizeof why);
        sd_bus_error_free(&e);
        snprintf(err, errlen, "failed to connect: BlueZ's object tree cannot be read: %s", why);
        return CLIENT_ERR_OPEN;
    }
    return 0;
}

int ble_central_open(struct ble_central *c, char *err, size_t errlen)
{
    const char *addr = getenv("DBUS_SYSTEM_BUS_ADDRESS");
    int r;

    memset(c, 0, sizeof *c);
    r = sd_bus_open_system(&c->bus);
    if (r < 0) {
        snprintf(err, errlen, "failed to connect: cannot reach the system D-Bus (%s): %s",
                 addr && *addr ? addr : "unix:path=/run/dbus/system_bus_socket", strerror(-r));
        c->bus = NULL;
        return CLIENT_ERR_OPEN;
    }
    r = bluez_present(c, err, errlen);
    /* the matches come before the first read, so no change is missed */
    if (r == 0 &&
        (sd_bus_match_signal(c->bus, &c->added, BLUEZ, NULL, OM_IFACE, "InterfacesAdded",
                             on_added, c) < 0 ||
         sd_bus_match_signal(c->bus, &c->removed, BLUEZ, NULL, OM_IFACE, "InterfacesRemoved",
                             on_removed, c) < 0 ||
         sd_bus_match_signal(c->bus, &c->changed, BLUEZ, NULL, PROPS_IFACE, "PropertiesChanged",
                             on_changed, c) < 0)) {
        snprintf(err, errlen, "failed to connect: cannot watch BlueZ's signals");
        r = CLIENT_ERR_OPEN;
    }
    if (r == 0)
        r = ble_central_refresh(c, err, errlen);
    if (r)
        ble_central_close(c);
    return r;
}

void ble_central_close(struct ble_central *c)
{
    c->added = sd_bus_slot_unref(c->added);
    c->removed = sd_bus_slot_unref(c->removed);
    c->changed = sd_bus_slot_unref(c->changed);
    if (c->bus)
        sd_bus_flush_close_unref(c->bus);
    c->bus = NULL;
    free(c->objs);
    c->objs = NULL;
    c->nobjs = c->cap = 0;
    c->adapter = NULL;
}

/* ---- adapter, devices ---- */

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static void list_adapters(struct ble_central *c, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < c->nobjs && n + 1 < cap; i++)
        if (c->objs[i].kind == BLE_ADAPTER) {
            int w = snprintf(out + n, cap - n, "%s%s", n ? ", " : "", base_name(c->objs[i].path));
            n += w > 0 ? (size_t)w : 0;
        }
}

int ble_central_adapter(struct ble_central *c, const char *name, char *err, size_t errlen)
{
    char found[256];
    for (size_t i = 0; i < c->nobjs; i++) {
        const struct ble_obj *o = &c->objs[i];
        if (o->kind != BLE_ADAPTER || (name && *name && strcmp(base_name(o->path), name)))
            continue;
        if (!o->powered) {
            snprintf(err, errlen, "failed to connect: adapter %s is powered off (bluetoothctl "
                                  "power on)", base_name(o->path));
            return CLIENT_ERR_OPEN;
        }
        c->adapter = o;
        c->adapter_idx = i;
        return 0;
    }
    list_adapters(c, found, sizeof found);
    if (found[0])
        snprintf(err, errlen, "failed to connect: no Bluetooth adapter %s (found: %s)", name, found);
    else
        snprintf(err, errlen, "failed to connect: no Bluetooth adapter (BlueZ has none: is one "
                              "plugged in and not blocked? rfkill list; bluetoothctl list)");
    return CLIENT_ERR_OPEN;
}

struct ble_obj *ble_central_next_device(struct ble_central *c, size_t *i)
{
    for (; *i < c->nobjs; (*i)++) {
        struct ble_obj *o = &c->objs[*i];
        if (o->kind == BLE_DEVICE && c->adapter && !strcmp(o->parent, c->adapter->path)) {
            (*i)++;
            return o;
        }
    }
    return NULL;
}

int ble_central_wait(struct ble_central *c, int ms, const bool *done)
{
    int64_t deadline = client_now_ms() + ms;
    for (;;) {
        int r;
        while ((r = sd_bus_process(c->bus, NULL)) > 0)
            if (done && *done)
                return 0;
        if (r < 0)
            return CLIENT_ERR_IO;
        if (done && *done)
            return 0;
        int64_t left = deadline - client_now_ms();
        if (left <= 0)
            return CLIENT_ERR_TIMEOUT;
        r = sd_bus_wait(c->bus, (uint64_t)left * 1000);
        if (r < 0 && r != -EINTR)
            return CLIENT_ERR_IO;
        if (r == -EINTR)
            return CLIENT_ERR_INTERRUPTED;
    }
}

static int call_adapter(struct ble_central *c, const char *method, sd_bus_error *e)
{
    return sd_bus_call_method(c->bus, BLUEZ, c->adapter->path, "org.bluez.Adapter1", method, e,
                              NULL, "");
}

int ble_central_discover(struct ble_central *c, bool on, char *err, size_t errlen)
{
    sd_bus_error e = SD_BUS_ERROR_NULL;
    char why[300];
    int r;

    if (!on) {
        if (c->started_discovery)
            call_adapter(c, "StopDiscovery", &e);
        c->started_discovery = false;
        sd_bus_error_free(&e);
        return 0;
    }
    /* LE only, and only devices that advertise the SMP service */
    r = sd_bus_call_method(c->bus, BLUEZ, c->adapter->path, "org.bluez.Adapter1",
                           "SetDiscoveryFilter", &e, NULL, "a{sv}", 2, "UUIDs", "as", 1,
                           BLE_SMP_SERVICE, "Transport", "s", "le");
    sd_bus_error_free(&e);
    r = call_adapter(c, "StartDiscovery", &e);
    /* another program scanning already is as good */
    if (r < 0 && !sd_bus_error_has_name(&e, "org.bluez.Error.InProgress")) {
        ble_central_errtext(&e, r, why, sizeof why);
        snprintf(err, errlen, "failed to connect: cannot scan on %s: %s",
                 base_name(c->adapter->path), why);
        sd_bus_error_free(&e);
        return CLIENT_ERR_OPEN;
    }
    c->started_discovery = r >= 0;
    sd_bus_error_free(&e);
    return 0;
}

/* ---- `mcumgr ble scan` ---- */

static void collect(struct ble_central *c, struct client_ble_device *out, size_t cap, size_t *n)
{
    size_t i = 0;
    struct ble_obj *d;
    *n = 0;
    while ((d = ble_central_next_device(c, &i)) && *n < cap) {
        if (!d->smp_uuid)
            continue;
        struct client_ble_device *o = &out[(*n)++];
        snprintf(o->name, sizeof o->name, "%s", d->name);
        snprintf(o->addr, sizeof o->addr, "%s", d->addr);
        o->rssi = d->rssi;
        o->has_rssi = d->has_rssi;
        o->connected = d->connected;
    }
}

int client_ble_scan(const char *ctlr_name, unsigned ms, struct client_ble_device *out, size_t cap,
                    size_t *n, char *err, size_t errlen)
{
    struct ble_central c;
    int rc = ble_central_open(&c, err, errlen);
    if (rc)
        return rc;
    rc = ble_central_adapter(&c, ctlr_name, err, errlen);
    if (rc == 0)
        rc = ble_central_discover(&c, true, err, errlen);
    if (rc == 0) {
        int w = ble_central_wait(&c, (int)ms, NULL);
        /* before StopDiscovery: BlueZ may drop the RSSI of what it no longer sees */
        collect(&c, out, cap, n);
        ble_central_discover(&c, false, NULL, 0);
        if (w == CLIENT_ERR_INTERRUPTED)
            rc = w;
    }
    ble_central_close(&c);
    return rc;
}
