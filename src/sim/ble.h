/*
 * The board over Bluetooth LE: a BlueZ-shaped D-Bus face (ble_bus.c) and
 * the connection with its data path and link model (ble.c).
 *
 * With --ble NAME the board takes the well-known name org.bluez on the bus
 * that DBUS_SYSTEM_BUS_ADDRESS names (tests start a private dbus-daemon;
 * nothing touches the real system bus) and exports the objects BlueZ
 * exports for an adapter with one LE device in range:
 *
 *   /                                       org.freedesktop.DBus.ObjectManager
 *   /org/bluez/hci0                         org.bluez.Adapter1
 *   /org/bluez/hci0/dev_C0_11_22_33_44_55   org.bluez.Device1
 *   .../service000a                         org.bluez.GattService1 (SMP)
 *   .../service000a/char000b                org.bluez.GattCharacteristic1 (SMP)
 *
 * The GATT objects exist while a central is connected. Requests arrive as
 * writes without response (WriteValue type "command", or the socket that
 * AcquireWrite hands over), answers leave as notifications (PropertiesChanged
 * on Value after StartNotify, or the AcquireNotify socket), each at most
 * MTU - 3 bytes: an SMP message spans as many as it needs and is put back
 * together by the length in its header.
 *
 * Several boards on one bus: the first one owns org.bluez and the adapter;
 * a later one finds the name taken and joins that adapter as one more
 * device in range (ble_guest.c).
 */
#ifndef SIM_BLE_H
#define SIM_BLE_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/ble_link.h"

#define SIM_BLE_NAME_MAX 29   /* what fits a legacy advertisement */
#define SIM_BLE_BUF_SIZE 2475 /* SMP buffers over BLE: a Zephyr build tuned for BLE DFU */
#define SIM_BLE_BUF_COUNT 4
#define SIM_BLE_POLLFDS 40    /* descriptors the BLE face polls at most */

struct sim_ble_cfg {
    const char *name;             /* --ble NAME; NULL: no BLE */
    const char *adapter;          /* the adapter's name, "hci0" */
    struct sim_ble_link_cfg link;
    int16_t rssi;                 /* dBm the adapter reports */
    uint32_t reappear_ms;         /* a reset: advertising again after this */
    long disconnect_after;        /* ATT bytes received before the link drops; -1 never */
    double drop_rsp;              /* probability a response's notifications are lost */
    uint64_t seed;
    /* what a test needs to see the client's errors */
    bool powered_off;             /* the adapter is off */
    bool no_adapter;              /* org.bluez without an adapter */
    bool no_smp;                  /* the device has no SMP service */
    bool no_acquire;              /* no AcquireWrite/AcquireNotify (older BlueZ) */
    /* Zephyr without CONFIG_MCUMGR_TRANSPORT_BT_REASSEMBLY: a request must
     * be one ATT write; one spread over several is lost (smp-protocol §7) */
    bool no_reassembly;
};

void sim_ble_cfg_defaults(struct sim_ble_cfg *c);

struct sim_runtime;
struct pollfd;

/* Connects to the bus, takes org.bluez, exports the tree. */
int sim_ble_open(struct sim_runtime *rt);
void sim_ble_close(struct sim_runtime *rt);
/* Adds its descriptors (the bus, the acquired write socket) to p; the count. */
int sim_ble_pollfds(struct sim_runtime *rt, struct pollfd *p, int cap);
/* After poll: p is what sim_ble_pollfds filled. */
void sim_ble_on_poll(struct sim_runtime *rt, const struct pollfd *p, int n, uint64_t now);
/* Delivers what the link carried by now, runs timers. */
void sim_ble_pump(struct sim_runtime *rt, uint64_t now);
uint64_t sim_ble_next_event(const struct sim_runtime *rt);
/* No answer is still on its way to the central. */
bool sim_ble_tx_idle(const struct sim_runtime *rt);
/* The board resets: the link drops, the device is gone until it advertises again. */
void sim_ble_on_reset(struct sim_runtime *rt);
/* One line for the board summary ("" without BLE). */
void sim_ble_describe(const struct sim_runtime *rt, char *out, size_t cap);

#endif
