/* Shared between ble.c (devices, data path), ble_bus.c (D-Bus face) and
 * ble_guest.c (boards that share another board's adapter). */
#ifndef SIM_BLE_PRIV_H
#define SIM_BLE_PRIV_H

#include <systemd/sd-bus.h>

#include "sim/ble.h"
#include "sim/board.h"
#include "smp/reasm.h"
#include "smpsrv/smpsrv.h"

#define BLE_QUEUE 1024        /* ATT PDUs on the air, each way */
#define BLE_MAX_DEVICES 16    /* boards under one adapter */
#define BLE_SMP_SERVICE_UUID "8d53dc1d-1db7-4cd3-868b-8a527460aa84"
#define BLE_SMP_CHAR_UUID "da2e7828-fbce-4e01-ae9e-261174997c48"
#define BLE_BOARD_IFACE "org.mcutools.SimBoard1" /* how a board joins another's adapter */

/* Packets on the pipe between a guest board and the adapter's board: a
 * type byte, then the payload. */
enum { PIPE_REQUEST = 'Q', PIPE_ANSWER = 'A', PIPE_RESET = 'R', PIPE_STATE = 'S' };

struct ble_pdu {
    uint64_t due_ns;          /* when it has crossed the link */
    uint16_t len;
    bool last;                /* the last notification of an answer */
    uint8_t data[SIM_BLE_MTU_MAX];
};

struct ble_queue {
    struct ble_pdu pdu[BLE_QUEUE];
    size_t head, count;
};

struct sim_ble;

/* One LE device in range of the adapter: this board, or a guest board
 * whose SMP server answers through its pipe. */
struct ble_dev {
    struct sim_ble *ad;
    struct sim_ble_cfg cfg;   /* its link and variants (a guest's come with it) */
    int pipe_fd;              /* a guest's pipe; -1 for this board's own device */
    bool running;             /* its firmware runs: it advertises */
    bool reset_requested;     /* a guest resets once its last answer has left */
    sd_bus_slot *dev_slot, *svc_slot, *chr_slot;
    char adapter_path[64], dev_path[128], svc_path[160], chr_path[192];
    char dev_addr[18], name[SIM_BLE_NAME_MAX + 1];
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
    struct smp_reasm reasm;
    uint32_t held;                 /* requests whose answer is still on the air */
    uint64_t rx_total;             /* ATT bytes received (the disconnect fault) */
    bool disconnect_done;
    uint64_t rng;
    struct smpsrv_transport tp;
};

/* The adapter (on the board that holds org.bluez), or a guest's link to it. */
struct sim_ble {
    struct sim_runtime *rt;
    struct sim_board *b;
    const struct sim_ble_cfg *cfg;
    sd_bus *bus;
    bool bus_lost;            /* the bus (or the adapter's board) went away: BLE is off */
    /* a guest: its SMP server answers the adapter's board through this */
    bool guest;
    int guest_fd;
    int guest_sent_running;   /* last state told (-1: none yet) */
    struct smpsrv_transport guest_tp;
    /* the adapter */
    sd_bus_slot *om_slot, *adapter_slot, *board_slot;
    char adapter_path[64], adapter_addr[18], adapter_alias[64];
    bool powered, discovering;
    struct ble_dev *dev[BLE_MAX_DEVICES]; /* [0]: this board's own */
    size_t ndev;
};

/* ble_bus.c */
int ble_bus_export_adapter(struct sim_ble *s);
void ble_bus_show_device(struct ble_dev *d, bool show);
void ble_bus_show_gatt(struct ble_dev *d, bool show);
void ble_bus_changed(struct sim_ble *s, const char *path, const char *iface,
                     const char *prop, const char *prop2);

/* ble.c, for the methods of ble_bus.c and the guests of ble_guest.c */
struct ble_dev *ble_dev_new(struct sim_ble *s, const struct sim_ble_cfg *cfg, const char *addr,
                            uint32_t buf_size, uint32_t buf_count, int pipe_fd);
void ble_dev_free(struct ble_dev *d);
int ble_connect_begin(struct ble_dev *d, sd_bus_message *m);
void ble_link_lost(struct ble_dev *d, const char *why);
int ble_acquire(struct ble_dev *d, bool write, int *peer_fd);
int ble_write(struct ble_dev *d, const uint8_t *data, size_t len);
void ble_device_update(struct ble_dev *d);
void ble_answer(struct ble_dev *d, const uint8_t *msg, size_t len);
void ble_make_address(const struct sim_board *b, char *out, size_t cap);
void ble_log(struct ble_dev *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ble_guest.c */
int ble_guest_attach(struct sim_ble *s, char *why, size_t cap);
int ble_board_export(struct sim_ble *s);
void ble_guest_serve(struct sim_ble *s);
void ble_guest_pump(struct sim_ble *s);
void ble_guest_reset(struct sim_ble *s);
void ble_pipe_readable(struct ble_dev *d);
int ble_pipe_send(int fd, uint8_t type, const void *data, size_t len);

#endif
