/* Shared between ble.c (connection, data path) and ble_bus.c (D-Bus face). */
#ifndef SIM_BLE_PRIV_H
#define SIM_BLE_PRIV_H

#include <systemd/sd-bus.h>

#include "sim/ble.h"
#include "sim/board.h"
#include "smpsrv/smpsrv.h"

#define BLE_QUEUE 1024        /* ATT PDUs on the air, each way */
#define BLE_SMP_SERVICE_UUID "8d53dc1d-1db7-4cd3-868b-8a527460aa84"
#define BLE_SMP_CHAR_UUID "da2e7828-fbce-4e01-ae9e-261174997c48"

struct ble_pdu {
    uint64_t due_ns;          /* when it has crossed the link */
    uint16_t len;
    bool last;                /* the last notification of a response */
    uint8_t data[SIM_BLE_MTU_MAX];
};

struct ble_queue {
    struct ble_pdu pdu[BLE_QUEUE];
    size_t head, count;
};

struct ble_stats {
    uint64_t writes, notifications, requests, responses;
    uint64_t dropped_no_buf, dropped_too_big, dropped_rsp, link_losses, connects;
};

struct sim_ble {
    struct sim_runtime *rt;
    struct sim_board *b;
    const struct sim_ble_cfg *cfg;
    sd_bus *bus;
    bool bus_lost;            /* the bus closed under us: BLE is off */
    sd_bus_slot *om_slot, *adapter_slot, *dev_slot, *svc_slot, *chr_slot;
    char adapter_path[64], dev_path[128], svc_path[160], chr_path[192];
    char adapter_addr[18], dev_addr[18];
    char adapter_alias[64], name[SIM_BLE_NAME_MAX + 1];
    /* adapter */
    bool powered, discovering;
    /* device */
    bool exported;            /* its object is on the bus */
    bool removed;             /* RemoveDevice: back when discovery sees it */
    uint64_t advertise_at_ns; /* advertising again after a reset (0: now) */
    bool connecting, connected, resolved;
    int16_t rssi;
    uint64_t connect_due_ns, resolve_due_ns;
    sd_bus_message *pending_connect;
    /* the SMP characteristic */
    bool notifying, write_acquired, notify_acquired;
    uint16_t mtu;
    uint8_t value[SIM_BLE_MTU_MAX];
    size_t value_len;
    int write_fd, notify_fd;  /* our ends of the acquired sockets, -1 */
    uint64_t value_writes;    /* WriteValue calls this connection */
    /* the link */
    struct sim_ble_dir up, down;   /* central to board, board to central */
    struct ble_queue *in, *out;
    uint8_t rx[SIM_RSP_CAP];       /* the request being put together */
    size_t rx_len, rx_discard;     /* ... or the bytes of one too big to keep */
    uint32_t held;                 /* requests whose answer is still on the air */
    uint64_t rx_total;             /* ATT bytes received (the disconnect fault) */
    bool disconnect_done;
    uint64_t rng;
    struct smpsrv_transport tp;
    struct ble_stats st;
};

/* ble_bus.c */
int ble_bus_export_adapter(struct sim_ble *s);
void ble_bus_show_device(struct sim_ble *s, bool show);
void ble_bus_show_gatt(struct sim_ble *s, bool show);
void ble_bus_changed(struct sim_ble *s, const char *path, const char *iface,
                     const char *prop, const char *prop2);

/* ble.c, for the methods of ble_bus.c */
int ble_connect_begin(struct sim_ble *s, sd_bus_message *m);
void ble_link_lost(struct sim_ble *s, const char *why);
int ble_acquire(struct sim_ble *s, bool write, int *peer_fd);
int ble_write(struct sim_ble *s, const uint8_t *data, size_t len);
void ble_device_update(struct sim_ble *s);

#endif
