/*
 * What the board gives the SMP server: flash areas (the slots and the
 * durable upload record), the bootloader's trusted keys, identity
 * strings, uptime, the reset and DFU-gate actions, and the services of
 * the other groups (services.c); and what each link gives its packets
 * (struct smpsrv_transport: the buffer figures, the UART being serial).
 *
 * When nothing boots, the server is MCUboot's serial recovery
 * (plat->recovery): the subset of commands it answers, uploads into slot
 * 0, on the UART only (a bootloader has no network stack: the server
 * leaves UDP packets unanswered), with the receive buffer of a Zephyr
 * MCUboot build: CONFIG_BOOT_SERIAL_MAX_RECEIVE_SIZE 1024 bytes, one
 * command at a time.
 */
#include "sim/runtime.h"

#include <string.h>

#include "sim/services.h"
#include "sim/sim.h"

static int plat_reset(void *ctx, bool force)
{
    struct sim_board *b = ctx;
    (void)force;
    b->reset_pending = true;
    sim_board_log(b, "board: reset requested over SMP");
    return 0;
}

/* DFU gate: with --dfu-gate, image upload/test/erase need button 1. */
static int plat_image_gate(void *ctx, const char **rsn)
{
    struct sim_board *b = ctx;
    if (!b->cfg.dfu_gate || b->dfu_mode)
        return 0;
    *rsn = "device not in DFU mode: press button 1, then retry";
    sim_board_log(b, "img: refused: not in DFU mode (press button 1)");
    return SMP_ERR_EACCESSDENIED;
}

/* Milliseconds since the last reset (the firmware's uptime). */
static uint32_t plat_uptime_ms(void *ctx)
{
    struct sim_board *b = ctx;
    return (uint32_t)((sim_now_ns() - b->boot_ns) / 1000000u);
}

static void fill_platform(struct sim_board *b, struct smpsrv_platform *p)
{
    const struct sim_profile *prof = b->cfg.profile;
    p->slot0 = &b->areas[FA_ID_SLOT0];
    p->slot1 = &b->areas[FA_ID_SLOT1];
    p->boot_mode = boot_strategy_mode(b->cfg.strategy);
    p->no_downgrade = b->cfg.downgrade_prevention;
    p->max_image_size = boot_max_image_size(&b->boot);
    p->keys = b->cfg.nkeys ? b->cfg.keys : NULL;
    p->nkeys = b->cfg.nkeys;
    p->upload_record = b->upload_rec.dev ? &b->upload_rec : NULL;
    p->uptime_ms = plat_uptime_ms;
    p->no_params = b->cfg.no_params;
    p->kernel_name = "Zephyr";
    p->node_name = b->hwid;
    p->kernel_release = b->version;
    p->kernel_version = "mcusim";
    p->build_time = __DATE__ " " __TIME__;
    p->machine = prof->machine;
    p->processor = prof->processor;
    p->hw_platform = prof->board;
    p->os_name = "Zephyr";
    p->ctx = b;
    p->reset = plat_reset;
    p->image_gate = plat_image_gate;
    sim_services_fill(b, p);
}

/* The firmware's SMP buffers (--buf-size/--buf-count or Zephyr's
 * defaults), or MCUboot's serial recovery receive buffer. */
static void set_buffers(struct sim_board *b, bool recovery)
{
    const struct sim_config *c = &b->cfg;
    b->uart_tp = (struct smpsrv_transport){
        .buf_size = c->buf_size ? c->buf_size : SIM_UART_BUF_SIZE,
        .buf_count = c->buf_count ? c->buf_count : SIM_UART_BUF_COUNT,
        .serial = true,
    };
    b->udp_tp = (struct smpsrv_transport){
        .buf_size = c->buf_size ? c->buf_size : SIM_UDP_BUF_SIZE,
        .buf_count = c->buf_count ? c->buf_count : SIM_UDP_BUF_COUNT,
    };
    if (recovery) {
        /* one packet being received while one is handled: the receiver
         * keeps a buffer for the next packet (uart.c take_request) */
        b->uart_tp.buf_size = SIM_RECOVERY_BUF_SIZE;
        b->uart_tp.buf_count = 2;
    }
}

void sim_platform_setup(struct sim_board *b)
{
    fill_platform(b, &b->plat);
    set_buffers(b, false);
}

void sim_server_start(struct sim_board *b)
{
    size_t n;
    const struct smp_group *const *groups = sim_services_groups(&n);
    bool recovery = !b->running;
    b->plat.recovery = recovery;
    set_buffers(b, recovery);
    if (recovery)
        sim_board_log(b, "I: no image runs: serving MCUboot serial recovery on the UART "
                         "(echo, reset, image list, image upload into slot 0)");
    smpsrv_init(&b->srv, groups, n, &b->plat, b->rsp_buf, sizeof b->rsp_buf);
}
