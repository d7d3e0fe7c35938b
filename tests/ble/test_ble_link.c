/* The BLE link model (sim/ble_link.c) and the SMP reassembly of packet
 * links (smp/reasm.c): when ATT PDUs cross, and which messages come out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/ble_link.h"
#include "smp/reasm.h"

#define MS 1000000ull

static struct sim_ble_link_cfg cfg(uint32_t mtu, uint32_t interval_us, uint32_t ppe)
{
    struct sim_ble_link_cfg c;
    sim_ble_link_defaults(&c);
    c.att_mtu = mtu;
    c.interval_us = interval_us;
    c.packets_per_event = ppe;
    return c;
}

static void pdus_fill_events(void **state)
{
    (void)state;
    struct sim_ble_link_cfg c = cfg(247, 15000, 4);
    struct sim_ble_dir d;
    sim_ble_dir_start(&d, 100 * MS);
    /* four full PDUs go in the first event, the fifth in the next */
    for (int i = 0; i < 4; i++)
        assert_int_equal(sim_ble_dir_schedule(&c, &d, 100 * MS, 244), 100 * MS);
    assert_int_equal(sim_ble_dir_schedule(&c, &d, 100 * MS, 244), 115 * MS);
    /* handed over later than the queue reaches: the next event after it */
    assert_int_equal(sim_ble_dir_schedule(&c, &d, 150 * MS, 10), 160 * MS);
    /* while earlier PDUs still wait, a new one queues behind them */
    sim_ble_dir_start(&d, 0);
    for (int i = 0; i < 9; i++)
        sim_ble_dir_schedule(&c, &d, 0, 244);
    assert_int_equal(sim_ble_dir_schedule(&c, &d, 1 * MS, 244), 30 * MS);
}

static void large_mtu_takes_two_packets(void **state)
{
    (void)state;
    struct sim_ble_link_cfg c = cfg(498, 7500, 3);
    struct sim_ble_dir d;
    assert_int_equal(sim_ble_ll_packets(&c, 495), 2);   /* 495 + 3 + 4 > 251 */
    assert_int_equal(sim_ble_ll_packets(&c, 244), 1);
    sim_ble_dir_start(&d, 0);
    assert_int_equal(sim_ble_dir_schedule(&c, &d, 0, 495), 0);
    /* its second packet spills into the next event */
    assert_int_equal(sim_ble_dir_schedule(&c, &d, 0, 495), 7500000);
    c.ll_octets = 27; /* no Data Length Extension: 27-byte packets */
    assert_int_equal(sim_ble_ll_packets(&c, 20), 1);
    assert_int_equal(sim_ble_ll_packets(&c, 21), 2);
}

static void ceiling_and_limits(void **state)
{
    (void)state;
    struct sim_ble_link_cfg c = cfg(247, 7500, 4);
    assert_true(sim_ble_ceiling_bps(&c) > 130133 && sim_ble_ceiling_bps(&c) < 130134);
    assert_null(sim_ble_link_check(&c));
    c.interval_us = 7000;
    assert_non_null(sim_ble_link_check(&c));
    c.interval_us = 8000; /* not a multiple of 1.25 ms */
    assert_non_null(sim_ble_link_check(&c));
    c = cfg(22, 7500, 4);
    assert_non_null(sim_ble_link_check(&c));
    c = cfg(518, 7500, 4);
    assert_non_null(sim_ble_link_check(&c));
    c = cfg(517, 4000000, 1);
    assert_null(sim_ble_link_check(&c));
}

struct got {
    size_t n;
    size_t len[8];
    uint8_t seq[8];
};

static void on_msg(void *ctx, const uint8_t *msg, size_t len)
{
    struct got *g = ctx;
    g->len[g->n] = len;
    g->seq[g->n++] = msg[6];
}

static void put_msg(uint8_t *p, uint16_t body, uint8_t seq)
{
    memset(p, 0, 8u + body);
    p[0] = 3;
    p[2] = (uint8_t)(body >> 8);
    p[3] = (uint8_t)body;
    p[6] = seq;
}

static void reassembly_by_header_length(void **state)
{
    (void)state;
    uint8_t stream[400], buf[64];
    struct smp_reasm r;
    struct got g = { 0 };
    put_msg(stream, 20, 1);           /* 28 bytes */
    put_msg(stream + 28, 100, 2);     /* 108 bytes: larger than the buffer */
    put_msg(stream + 136, 0, 3);      /* 8 bytes */
    smp_reasm_init(&r, buf, sizeof buf);
    /* in 20-byte packets, as MTU 23 carries them */
    for (size_t off = 0; off < 144; off += 20)
        smp_reasm_feed(&r, stream + off, 144 - off < 20 ? 144 - off : 20, on_msg, &g);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.len[0], 28);
    assert_int_equal(g.seq[0], 1);
    assert_int_equal(g.len[1], 8);
    assert_int_equal(g.seq[1], 3);
    assert_int_equal(r.skipped, 1);
    /* a link that drops forgets half a message */
    smp_reasm_feed(&r, stream, 10, on_msg, &g);
    smp_reasm_reset(&r);
    smp_reasm_feed(&r, stream + 136, 8, on_msg, &g);
    assert_int_equal(g.n, 3);
    assert_int_equal(g.seq[2], 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pdus_fill_events),
        cmocka_unit_test(large_mtu_takes_two_packets),
        cmocka_unit_test(ceiling_and_limits),
        cmocka_unit_test(reassembly_by_header_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
