/* The Bluetooth LE link model (see ble_link.h). */
#include "sim/ble_link.h"

void sim_ble_link_defaults(struct sim_ble_link_cfg *c)
{
    /* a laptop or phone of today: MTU 247 with the Data Length Extension
     * (one ATT PDU in one 251-byte packet), 15 ms, 4 packets an event */
    c->att_mtu = 247;
    c->interval_us = 15000;
    c->packets_per_event = 4;
    c->ll_octets = SIM_BLE_LL_OCTETS_MAX;
}

const char *sim_ble_link_check(const struct sim_ble_link_cfg *c)
{
    if (c->att_mtu < SIM_BLE_MTU_MIN || c->att_mtu > SIM_BLE_MTU_MAX)
        return "the ATT MTU is 23..517";
    /* the interval is a multiple of 1.25 ms (the spec's unit) */
    if (c->interval_us < SIM_BLE_INTERVAL_MIN_US || c->interval_us > SIM_BLE_INTERVAL_MAX_US ||
        c->interval_us % 1250)
        return "the connection interval is 7.5 ms .. 4 s in steps of 1.25 ms";
    if (c->packets_per_event < 1 || c->packets_per_event > 64)
        return "packets per connection event are 1..64";
    if (c->ll_octets < SIM_BLE_LL_OCTETS_MIN || c->ll_octets > SIM_BLE_LL_OCTETS_MAX)
        return "link-layer packets carry 27..251 bytes";
    return NULL;
}

size_t sim_ble_att_payload(const struct sim_ble_link_cfg *c)
{
    return c->att_mtu - SIM_BLE_ATT_HDR;
}

uint32_t sim_ble_ll_packets(const struct sim_ble_link_cfg *c, size_t att_payload)
{
    size_t l2cap = att_payload + SIM_BLE_ATT_HDR + SIM_BLE_L2CAP_HDR;
    return (uint32_t)((l2cap + c->ll_octets - 1) / c->ll_octets);
}

void sim_ble_dir_start(struct sim_ble_dir *d, uint64_t anchor_ns)
{
    d->anchor_ns = anchor_ns;
    d->event = 0;
    d->used = 0;
}

uint64_t sim_ble_event_ns(const struct sim_ble_link_cfg *c, const struct sim_ble_dir *d,
                          uint64_t n)
{
    return d->anchor_ns + n * (uint64_t)c->interval_us * 1000u;
}

/* The first event at or after now. */
static uint64_t event_at(const struct sim_ble_link_cfg *c, const struct sim_ble_dir *d,
                         uint64_t now_ns)
{
    uint64_t step = (uint64_t)c->interval_us * 1000u;
    if (now_ns <= d->anchor_ns)
        return 0;
    return (now_ns - d->anchor_ns + step - 1) / step;
}

uint64_t sim_ble_dir_schedule(const struct sim_ble_link_cfg *c, struct sim_ble_dir *d,
                              uint64_t now_ns, size_t att_payload)
{
    uint64_t first = event_at(c, d, now_ns);
    uint32_t need = sim_ble_ll_packets(c, att_payload);

    /* the queue has moved past what was scheduled: start a new event */
    if (first > d->event || (first == d->event && d->used == 0)) {
        d->event = first;
        d->used = 0;
    }
    while (need) {
        if (d->used == c->packets_per_event) {
            d->event++;
            d->used = 0;
        }
        uint32_t room = c->packets_per_event - d->used;
        uint32_t take = need < room ? need : room;
        d->used += take;
        need -= take;
    }
    return sim_ble_event_ns(c, d, d->event);
}

double sim_ble_ceiling_bps(const struct sim_ble_link_cfg *c)
{
    size_t full = sim_ble_att_payload(c);
    double per_event = (double)c->packets_per_event / sim_ble_ll_packets(c, full) * (double)full;
    return per_event * 1e6 / c->interval_us;
}
