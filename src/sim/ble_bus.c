/*
 * The board's BlueZ-shaped D-Bus objects: the adapter, the device and its
 * SMP GATT service and characteristic, with the properties, methods and
 * error names of BlueZ's D-Bus API (org.bluez.Adapter1, Device1,
 * GattService1, GattCharacteristic1). What the methods do to the
 * connection is ble.c's.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "sim/ble_priv.h"
#include "sim/runtime.h"

#define ADAPTER_IFACE "org.bluez.Adapter1"
#define DEVICE_IFACE "org.bluez.Device1"
#define SERVICE_IFACE "org.bluez.GattService1"
#define CHAR_IFACE "org.bluez.GattCharacteristic1"

/* ---- property getters: userdata points at the field (vtable offset) ---- */

static int get_str(sd_bus *bus, const char *path, const char *iface, const char *prop,
                   sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    (void)bus, (void)path, (void)iface, (void)prop, (void)err;
    return sd_bus_message_append(reply, "s", (const char *)userdata);
}

static int get_obj(sd_bus *bus, const char *path, const char *iface, const char *prop,
                   sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    (void)bus, (void)path, (void)iface, (void)prop, (void)err;
    return sd_bus_message_append(reply, "o", (const char *)userdata);
}

static int get_bool(sd_bus *bus, const char *path, const char *iface, const char *prop,
                    sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    (void)bus, (void)path, (void)iface, (void)prop, (void)err;
    return sd_bus_message_append(reply, "b", (int)*(const bool *)userdata);
}

static int get_i16(sd_bus *bus, const char *path, const char *iface, const char *prop,
                   sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    (void)bus, (void)path, (void)iface, (void)prop, (void)err;
    return sd_bus_message_append(reply, "n", *(const int16_t *)userdata);
}

static int get_u16(sd_bus *bus, const char *path, const char *iface, const char *prop,
                   sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    (void)bus, (void)path, (void)iface, (void)prop, (void)err;
    return sd_bus_message_append(reply, "q", *(const uint16_t *)userdata);
}

static int get_false(sd_bus *bus, const char *path, const char *iface, const char *prop,
                     sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    (void)bus, (void)path, (void)iface, (void)prop, (void)err, (void)userdata;
    return sd_bus_message_append(reply, "b", 0);
}

static int get_public(sd_bus *bus, const char *path, const char *iface, const char *prop,
                      sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    (void)bus, (void)path, (void)iface, (void)prop, (void)err, (void)userdata;
    return sd_bus_message_append(reply, "s", "public");
}

static int get_random(sd_bus *bus, const char *path, const char *iface, const char *prop,
                      sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    (void)bus, (void)path, (void)iface, (void)prop, (void)err, (void)userdata;
    return sd_bus_message_append(reply, "s", "random");
}

static int get_primary(sd_bus *bus, const char *path, const char *iface, const char *prop,
                       sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    (void)bus, (void)path, (void)iface, (void)prop, (void)err, (void)userdata;
    return sd_bus_message_append(reply, "b", 1);
}

static int get_svc_uuid(sd_bus *bus, const char *path, const char *iface, const char *prop,
                        sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    (void)bus, (void)path, (void)iface, (void)prop, (void)err, (void)userdata;
    return sd_bus_message_append(reply, "s", BLE_SMP_SERVICE_UUID);
}

static int get_chr_uuid(sd_bus *bus, const char *path, const char *iface, const char *prop,
                        sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    (void)bus, (void)path, (void)iface, (void)prop, (void)err, (void)userdata;
    return sd_bus_message_append(reply, "s", BLE_SMP_CHAR_UUID);
}

/* The device advertises the SMP service (unless a test took it away). */
static int get_dev_uuids(sd_bus *bus, const char *path, const char *iface, const char *prop,
                         sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    struct ble_dev *d = userdata;
    (void)bus, (void)path, (void)iface, (void)prop, (void)err;
    if (d->cfg.no_smp)
        return sd_bus_message_append(reply, "as", 1, "0000180a-0000-1000-8000-00805f9b34fb");
    return sd_bus_message_append(reply, "as", 1, BLE_SMP_SERVICE_UUID);
}

static int get_no_uuids(sd_bus *bus, const char *path, const char *iface, const char *prop,
                        sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    (void)bus, (void)path, (void)iface, (void)prop, (void)err, (void)userdata;
    return sd_bus_message_append(reply, "as", 0);
}

static int get_flags(sd_bus *bus, const char *path, const char *iface, const char *prop,
                     sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    (void)bus, (void)path, (void)iface, (void)prop, (void)err, (void)userdata;
    return sd_bus_message_append(reply, "as", 2, "write-without-response", "notify");
}

static int get_value(sd_bus *bus, const char *path, const char *iface, const char *prop,
                     sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    struct ble_dev *d = userdata;
    (void)bus, (void)path, (void)iface, (void)prop, (void)err;
    return sd_bus_message_append_array(reply, 'y', d->value, d->value_len);
}

/* ---- adapter methods ---- */

static int not_ready(sd_bus_error *err)
{
    return sd_bus_error_set(err, "org.bluez.Error.NotReady", "Resource Not Ready");
}

static int m_start_discovery(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    struct sim_ble *s = userdata;
    if (!s->powered)
        return not_ready(err);
    if (s->discovering)
        return sd_bus_error_set(err, "org.bluez.Error.InProgress", "Operation already in progress");
    s->discovering = true;
    ble_bus_changed(s, s->adapter_path, ADAPTER_IFACE, "Discovering", NULL);
    for (size_t i = 0; i < s->ndev; i++) {
        struct ble_dev *d = s->dev[i];
        d->removed = false;
        ble_device_update(d);
        /* a fresh advertisement: the device's RSSI is reported again */
        if (d->exported)
            ble_bus_changed(s, d->dev_path, DEVICE_IFACE, "RSSI", NULL);
    }
    return sd_bus_reply_method_return(m, "");
}

static int m_stop_discovery(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    struct sim_ble *s = userdata;
    if (!s->powered)
        return not_ready(err);
    if (!s->discovering)
        return sd_bus_error_set(err, "org.bluez.Error.Failed", "No discovery started");
    s->discovering = false;
    ble_bus_changed(s, s->adapter_path, ADAPTER_IFACE, "Discovering", NULL);
    return sd_bus_reply_method_return(m, "");
}

/* The filter's keys are checked as BlueZ checks them; the board is the
 * only device in range, so what it keeps is never narrower. */
static int m_set_filter(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    static const char *const keys[] = { "UUIDs", "RSSI", "Pathloss", "Transport",
                                         "DuplicateData", "Discoverable", "Pattern" };
    struct sim_ble *s = userdata;
    const char *key;
    int r;

    if (!s->powered)
        return not_ready(err);
    r = sd_bus_message_enter_container(m, 'a', "{sv}");
    if (r < 0)
        return r;
    while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
        bool known = false;
        if ((r = sd_bus_message_read(m, "s", &key)) < 0)
            return r;
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            known |= strcmp(key, keys[i]) == 0;
        if (!known)
            return sd_bus_error_set(err, "org.bluez.Error.InvalidArguments", "Invalid arguments in method call");
        if ((r = sd_bus_message_skip(m, "v")) < 0 || (r = sd_bus_message_exit_container(m)) < 0)
            return r;
    }
    if (r < 0)
        return r;
    return sd_bus_reply_method_return(m, "");
}

static int m_get_filters(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)userdata, (void)err;
    return sd_bus_reply_method_return(m, "as", 5, "UUIDs", "RSSI", "Pathloss", "Transport",
                                      "DuplicateData");
}

static int m_remove_device(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    struct sim_ble *s = userdata;
    const char *path;
    int r = sd_bus_message_read(m, "o", &path);
    if (r < 0)
        return r;
    for (size_t i = 0; i < s->ndev; i++) {
        struct ble_dev *d = s->dev[i];
        if (!d->exported || strcmp(path, d->dev_path))
            continue;
        if (d->connected || d->connecting)
            ble_link_lost(d, "the device was removed");
        d->removed = true;
        ble_device_update(d);
        return sd_bus_reply_method_return(m, "");
    }
    return sd_bus_error_set(err, "org.bluez.Error.DoesNotExist", "Does Not Exist");
}

static int get_powered(sd_bus *bus, const char *path, const char *iface, const char *prop,
                       sd_bus_message *reply, void *userdata, sd_bus_error *err)
{
    struct sim_ble *s = userdata;
    (void)bus, (void)path, (void)iface, (void)prop, (void)err;
    return sd_bus_message_append(reply, "b", (int)s->powered);
}

/* bluetoothctl's `power on|off` */
static int set_powered(sd_bus *bus, const char *path, const char *iface, const char *prop,
                       sd_bus_message *value, void *userdata, sd_bus_error *err)
{
    struct sim_ble *s = userdata;
    int on, r = sd_bus_message_read(value, "b", &on);
    (void)bus, (void)path, (void)iface, (void)prop, (void)err;
    if (r < 0)
        return r;
    s->powered = on;
    for (size_t i = 0; !on && i < s->ndev; i++)
        if (s->dev[i]->connected || s->dev[i]->connecting)
            ble_link_lost(s->dev[i], "the adapter was powered off");
    if (!on)
        s->discovering = false;
    ble_bus_changed(s, s->adapter_path, ADAPTER_IFACE, "Powered", "Discovering");
    return 0;
}

static const sd_bus_vtable adapter_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Address", "s", get_str, offsetof(struct sim_ble, adapter_addr),
                    SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("AddressType", "s", get_public, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Name", "s", get_str, offsetof(struct sim_ble, adapter_alias),
                    SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Alias", "s", get_str, offsetof(struct sim_ble, adapter_alias),
                    SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_WRITABLE_PROPERTY("Powered", "b", get_powered, set_powered, 0,
                             SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("Discovering", "b", get_bool, offsetof(struct sim_ble, discovering),
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("UUIDs", "as", get_no_uuids, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_METHOD("StartDiscovery", "", "", m_start_discovery, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("StopDiscovery", "", "", m_stop_discovery, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("SetDiscoveryFilter", "a{sv}", "", m_set_filter, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("GetDiscoveryFilters", "", "as", m_get_filters, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("RemoveDevice", "o", "", m_remove_device, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

/* ---- device methods ---- */

static int m_connect(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    struct ble_dev *s = userdata;
    if (!s->ad->powered)
        return not_ready(err);
    if (s->connected)
        return sd_bus_error_set(err, "org.bluez.Error.AlreadyConnected", "Already Connected");
    if (s->connecting)
        return sd_bus_error_set(err, "org.bluez.Error.InProgress", "In Progress");
    return ble_connect_begin(s, m);
}

static int m_disconnect(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    struct ble_dev *s = userdata;
    if (!s->connected && !s->connecting)
        return sd_bus_error_set(err, "org.bluez.Error.NotConnected", "Not Connected");
    ble_link_lost(s, "the central disconnected");
    return sd_bus_reply_method_return(m, "");
}

static const sd_bus_vtable device_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Address", "s", get_str, offsetof(struct ble_dev, dev_addr),
                    SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("AddressType", "s", get_random, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Name", "s", get_str, offsetof(struct ble_dev, name), SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Alias", "s", get_str, offsetof(struct ble_dev, name), SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Adapter", "o", get_obj, offsetof(struct ble_dev, adapter_path),
                    SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("RSSI", "n", get_i16, offsetof(struct ble_dev, rssi),
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("UUIDs", "as", get_dev_uuids, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Paired", "b", get_false, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Trusted", "b", get_false, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Blocked", "b", get_false, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Connected", "b", get_bool, offsetof(struct ble_dev, connected),
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("ServicesResolved", "b", get_bool, offsetof(struct ble_dev, resolved),
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_METHOD("Connect", "", "", m_connect, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("Disconnect", "", "", m_disconnect, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

static const sd_bus_vtable service_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("UUID", "s", get_svc_uuid, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Primary", "b", get_primary, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Device", "o", get_obj, offsetof(struct ble_dev, dev_path),
                    SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_VTABLE_END,
};

/* ---- characteristic methods ---- */

static int not_connected(sd_bus_error *err)
{
    return sd_bus_error_set(err, "org.bluez.Error.Failed", "Not connected");
}

/* The options dict: only "type" matters here; the rest is skipped. */
static int read_write_type(sd_bus_message *m, const char **type)
{
    const char *key;
    int r = sd_bus_message_enter_container(m, 'a', "{sv}");
    *type = "request";
    if (r < 0)
        return r;
    while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
        if ((r = sd_bus_message_read(m, "s", &key)) < 0)
            return r;
        if (!strcmp(key, "type"))
            r = sd_bus_message_read(m, "v", "s", type);
        else
            r = sd_bus_message_skip(m, "v");
        if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
            return r;
    }
    return r < 0 ? r : sd_bus_message_exit_container(m);
}

static int m_write_value(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    struct ble_dev *s = userdata;
    const void *data;
    size_t len;
    const char *type;
    int r = sd_bus_message_read_array(m, 'y', &data, &len);
    if (r < 0 || (r = read_write_type(m, &type)) < 0)
        return r;
    if (!s->connected)
        return not_connected(err);
    if (s->write_acquired)
        return sd_bus_error_set(err, "org.bluez.Error.NotPermitted", "Write acquired");
    if (strcmp(type, "command") && strcmp(type, "request"))
        return sd_bus_error_set(err, "org.bluez.Error.NotSupported", "Operation is not supported");
    if (len > sim_ble_att_payload(&s->cfg.link))
        return sd_bus_error_set(err, "org.bluez.Error.InvalidValueLength", "Invalid Length");
    if (!s->value_writes++)
        ble_log(s, "requests as WriteValue (type %s)", type);
    if (ble_write(s, data, len) != 0)
        return sd_bus_error_set(err, "org.bluez.Error.Failed", "Queue full");
    return sd_bus_reply_method_return(m, "");
}

static int m_read_value(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    (void)userdata;
    (void)m;
    /* the SMP characteristic is write-without-response and notify only */
    return sd_bus_error_set(err, "org.bluez.Error.NotPermitted", "Read not permitted");
}

static int m_start_notify(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    struct ble_dev *s = userdata;
    if (!s->connected)
        return not_connected(err);
    if (s->notify_acquired)
        return sd_bus_error_set(err, "org.bluez.Error.NotPermitted", "Notify acquired");
    if (!s->notifying) {
        ble_log(s, "notifications as PropertiesChanged on Value (StartNotify)");
        s->notifying = true;
        ble_bus_changed(s->ad, s->chr_path, CHAR_IFACE, "Notifying", NULL);
    }
    return sd_bus_reply_method_return(m, "");
}

static int m_stop_notify(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    struct ble_dev *s = userdata;
    if (!s->notifying)
        return sd_bus_error_set(err, "org.bluez.Error.Failed", "No notify session started");
    s->notifying = false;
    ble_bus_changed(s->ad, s->chr_path, CHAR_IFACE, "Notifying", NULL);
    return sd_bus_reply_method_return(m, "");
}

static int acquire(sd_bus_message *m, struct ble_dev *s, bool write, sd_bus_error *err)
{
    int peer, r = sd_bus_message_skip(m, "a{sv}");
    if (r < 0)
        return r;
    if (!s->connected)
        return not_connected(err);
    if (write ? s->write_acquired : s->notify_acquired || s->notifying)
        return sd_bus_error_set(err, "org.bluez.Error.NotPermitted", "Already acquired");
    if (ble_acquire(s, write, &peer) != 0)
        return sd_bus_error_set(err, "org.bluez.Error.Failed", "socketpair failed");
    ble_log(s, "%s: a socket, MTU %u", write ? "AcquireWrite" : "AcquireNotify", s->mtu);
    /* the reply holds its own copy of the descriptor */
    r = sd_bus_reply_method_return(m, "hq", peer, s->mtu);
    close(peer);
    ble_bus_changed(s->ad, s->chr_path, CHAR_IFACE, write ? "WriteAcquired" : "NotifyAcquired", NULL);
    return r;
}

static int m_acquire_write(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    return acquire(m, userdata, true, err);
}

static int m_acquire_notify(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
    return acquire(m, userdata, false, err);
}

#define CHAR_PROPERTIES                                                                        \
    SD_BUS_PROPERTY("UUID", "s", get_chr_uuid, 0, SD_BUS_VTABLE_PROPERTY_CONST),               \
    SD_BUS_PROPERTY("Service", "o", get_obj, offsetof(struct ble_dev, svc_path),               \
                    SD_BUS_VTABLE_PROPERTY_CONST),                                             \
    SD_BUS_PROPERTY("Flags", "as", get_flags, 0, SD_BUS_VTABLE_PROPERTY_CONST),                \
    SD_BUS_PROPERTY("Value", "ay", get_value, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),         \
    SD_BUS_PROPERTY("Notifying", "b", get_bool, offsetof(struct ble_dev, notifying),           \
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),                                      \
    SD_BUS_PROPERTY("MTU", "q", get_u16, offsetof(struct ble_dev, mtu),                        \
                    SD_BUS_VTABLE_PROPERTY_CONST),                                             \
    SD_BUS_METHOD("ReadValue", "a{sv}", "ay", m_read_value, SD_BUS_VTABLE_UNPRIVILEGED),       \
    SD_BUS_METHOD("WriteValue", "aya{sv}", "", m_write_value, SD_BUS_VTABLE_UNPRIVILEGED),     \
    SD_BUS_METHOD("StartNotify", "", "", m_start_notify, SD_BUS_VTABLE_UNPRIVILEGED),          \
    SD_BUS_METHOD("StopNotify", "", "", m_stop_notify, SD_BUS_VTABLE_UNPRIVILEGED)

static const sd_bus_vtable char_vtable[] = {
    SD_BUS_VTABLE_START(0),
    CHAR_PROPERTIES,
    SD_BUS_PROPERTY("WriteAcquired", "b", get_bool, offsetof(struct ble_dev, write_acquired),
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("NotifyAcquired", "b", get_bool, offsetof(struct ble_dev, notify_acquired),
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_METHOD("AcquireWrite", "a{sv}", "hq", m_acquire_write, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("AcquireNotify", "a{sv}", "hq", m_acquire_notify, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

/* A BlueZ older than AcquireWrite/AcquireNotify (5.46): --ble-no-acquire */
static const sd_bus_vtable char_vtable_plain[] = {
    SD_BUS_VTABLE_START(0),
    CHAR_PROPERTIES,
    SD_BUS_VTABLE_END,
};

/* ---- the tree ---- */

void ble_bus_changed(struct sim_ble *s, const char *path, const char *iface,
                     const char *prop, const char *prop2)
{
    sd_bus_emit_properties_changed(s->bus, path, iface, prop, prop2, NULL);
}

int ble_bus_export_adapter(struct sim_ble *s)
{
    int r = sd_bus_add_object_manager(s->bus, &s->om_slot, "/");
    if (r >= 0 && !s->cfg->no_adapter)
        r = sd_bus_add_object_vtable(s->bus, &s->adapter_slot, s->adapter_path, ADAPTER_IFACE,
                                     adapter_vtable, s);
    return r;
}

void ble_bus_show_device(struct ble_dev *d, bool show)
{
    sd_bus *bus = d->ad->bus;
    if (show == d->exported || d->ad->cfg->no_adapter)
        return;
    if (show) {
        if (sd_bus_add_object_vtable(bus, &d->dev_slot, d->dev_path, DEVICE_IFACE,
                                     device_vtable, d) < 0)
            return;
        d->exported = true;
        sd_bus_emit_interfaces_added(bus, d->dev_path, DEVICE_IFACE, NULL);
        return;
    }
    sd_bus_emit_interfaces_removed(bus, d->dev_path, DEVICE_IFACE, NULL);
    d->dev_slot = sd_bus_slot_unref(d->dev_slot);
    d->exported = false;
}

/* The SMP service and characteristic, while connected (none with --ble-no-smp). */
void ble_bus_show_gatt(struct ble_dev *s, bool show)
{
    bool shown = s->svc_slot != NULL;
    sd_bus *bus = s->ad->bus;
    if (show == shown || s->cfg.no_smp)
        return;
    if (!show) {
        sd_bus_emit_interfaces_removed(bus, s->chr_path, CHAR_IFACE, NULL);
        sd_bus_emit_interfaces_removed(bus, s->svc_path, SERVICE_IFACE, NULL);
        s->chr_slot = sd_bus_slot_unref(s->chr_slot);
        s->svc_slot = sd_bus_slot_unref(s->svc_slot);
        return;
    }
    if (sd_bus_add_object_vtable(bus, &s->svc_slot, s->svc_path, SERVICE_IFACE,
                                 service_vtable, s) < 0)
        return;
    if (sd_bus_add_object_vtable(bus, &s->chr_slot, s->chr_path, CHAR_IFACE,
                                 s->cfg.no_acquire ? char_vtable_plain : char_vtable, s) < 0) {
        s->svc_slot = sd_bus_slot_unref(s->svc_slot);
        return;
    }
    sd_bus_emit_interfaces_added(bus, s->svc_path, SERVICE_IFACE, NULL);
    sd_bus_emit_interfaces_added(bus, s->chr_path, CHAR_IFACE, NULL);
}
