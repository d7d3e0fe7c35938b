/*
 * The Bluetooth LE link model of the simulated board: how long an ATT
 * packet takes to cross a connection, so an upload over the simulated
 * link takes the time it would over a real one.
 *
 * A connection has events every `interval_us` (7.5 ms to 4 s). In each
 * event at most `packets_per_event` link-layer packets cross in each
 * direction, each carrying at most `ll_octets` bytes (27 without the Data
 * Length Extension, up to 251 with it). One ATT PDU (a write without
 * response or a notification) is its payload plus the 3-byte ATT header
 * plus the 4-byte L2CAP header, cut into as many link-layer packets as it
 * needs; it arrives in the event that carries its last packet. The ATT
 * MTU (23 to 517) bounds an ATT PDU, so a payload is at most MTU - 3.
 *
 * Pure logic: the clock is passed in, no file descriptors.
 */
#ifndef SIM_BLE_LINK_H
#define SIM_BLE_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_BLE_MTU_MIN 23
#define SIM_BLE_MTU_MAX 517
#define SIM_BLE_INTERVAL_MIN_US 7500
#define SIM_BLE_INTERVAL_MAX_US 4000000
#define SIM_BLE_ATT_HDR 3     /* opcode and handle */
#define SIM_BLE_L2CAP_HDR 4
#define SIM_BLE_LL_OCTETS_MIN 27
#define SIM_BLE_LL_OCTETS_MAX 251

struct sim_ble_link_cfg {
    uint32_t att_mtu;            /* the MTU both sides agreed */
    uint32_t interval_us;        /* connection interval */
    uint32_t packets_per_event;  /* link-layer packets per event, each way */
    uint32_t ll_octets;          /* link-layer payload per packet */
};

/* One direction of a connection: the events it has filled so far. */
struct sim_ble_dir {
    uint64_t anchor_ns;   /* the first connection event */
    uint64_t event;       /* the last event that carries packets ... */
    uint32_t used;        /* ... and how many it carries */
};

void sim_ble_link_defaults(struct sim_ble_link_cfg *c);
/* NULL when valid, else what is wrong (for a usage message). */
const char *sim_ble_link_check(const struct sim_ble_link_cfg *c);
/* The largest ATT payload: MTU - 3. */
size_t sim_ble_att_payload(const struct sim_ble_link_cfg *c);
/* Link-layer packets one ATT PDU with this payload needs. */
uint32_t sim_ble_ll_packets(const struct sim_ble_link_cfg *c, size_t att_payload);
/* A connection is up at anchor_ns: its first event. */
void sim_ble_dir_start(struct sim_ble_dir *d, uint64_t anchor_ns);
/* An ATT PDU with this payload is handed to the link at now_ns: when it
 * has crossed. Later PDUs queue behind it. */
uint64_t sim_ble_dir_schedule(const struct sim_ble_link_cfg *c, struct sim_ble_dir *d,
                              uint64_t now_ns, size_t att_payload);
/* The time of connection event n. */
uint64_t sim_ble_event_ns(const struct sim_ble_link_cfg *c, const struct sim_ble_dir *d,
                          uint64_t n);
/* The most ATT payload bytes per second one direction carries when every
 * PDU is full: the ceiling of an upload over this link. */
double sim_ble_ceiling_bps(const struct sim_ble_link_cfg *c);

#endif
