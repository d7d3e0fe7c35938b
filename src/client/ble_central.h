/*
 * The central's view of BlueZ over D-Bus (sd-bus): the object tree that
 * org.bluez exports (adapters, devices, GATT services and characteristics),
 * kept current from InterfacesAdded / InterfacesRemoved / PropertiesChanged,
 * the adapter the user chose, and discovery. Shared by the BLE transport
 * (transport_ble.c) and `mcumgr ble scan`. Private to src/client.
 */
#ifndef CLIENT_BLE_CENTRAL_H
#define CLIENT_BLE_CENTRAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-bus.h>

#define BLE_SMP_SERVICE "8d53dc1d-1db7-4cd3-868b-8a527460aa84"
#define BLE_SMP_CHAR "da2e7828-fbce-4e01-ae9e-261174997c48"
#define BLE_PATH_MAX 256

enum ble_kind { BLE_NONE, BLE_ADAPTER, BLE_DEVICE, BLE_SERVICE, BLE_CHAR };

struct ble_obj {
    char path[BLE_PATH_MAX];
    enum ble_kind kind;
    char name[64];               /* device: Name (else Alias); adapter: Name */
    char addr[18];
    char uuid[40];               /* service, characteristic */
    char parent[BLE_PATH_MAX];   /* device: Adapter; service: Device; char: Service */
    bool powered, connected, resolved, smp_uuid, has_rssi;
    int16_t rssi;
    uint16_t mtu;                /* characteristic's MTU property (0: none) */
};

/* Called with each notification a characteristic's Value carries. */
typedef void (*ble_value_fn)(void *ctx, const uint8_t *data, size_t len);

struct ble_central {
    sd_bus *bus;
    sd_bus_slot *added, *removed, *changed;
    struct ble_obj *objs;
    size_t nobjs, cap;
    const struct ble_obj *adapter;   /* after ble_central_adapter; index below */
    size_t adapter_idx;
    char watch_path[BLE_PATH_MAX];   /* the characteristic whose Value we follow */
    ble_value_fn on_value;
    void *value_ctx;
    bool started_discovery;
};

/* Opens the system bus (DBUS_SYSTEM_BUS_ADDRESS), checks that org.bluez is
 * there, reads its tree. 0, or CLIENT_ERR_OPEN with a message in err. */
int ble_central_open(struct ble_central *c, char *err, size_t errlen);
void ble_central_close(struct ble_central *c);
/* Re-reads the whole tree (GetManagedObjects). */
int ble_central_refresh(struct ble_central *c, char *err, size_t errlen);
/* The adapter by name ("hci0"), or the first one when name is empty; it
 * must be powered. */
int ble_central_adapter(struct ble_central *c, const char *name, char *err, size_t errlen);
struct ble_obj *ble_central_find(struct ble_central *c, const char *path);
/* Devices of the chosen adapter, one by one (NULL at the end): *i = 0 first. */
struct ble_obj *ble_central_next_device(struct ble_central *c, size_t *i);
/* Runs the bus for at most ms (or until *done becomes true). */
int ble_central_wait(struct ble_central *c, int ms, const bool *done);
/* Starts LE discovery filtered on the SMP service; StopDiscovery when we started it. */
int ble_central_discover(struct ble_central *c, bool on, char *err, size_t errlen);
/* "org.bluez.Error.Failed: reason" for the user. */
void ble_central_errtext(const sd_bus_error *e, int r, char *out, size_t cap);

#endif
