/*
 * What the board gives the SMP server: flash areas, buffer figures per
 * transport, identity strings, the reset and DFU-gate actions, and the
 * services of the other groups (services.c). Also picks the groups the
 * firmware serves: everything when an image runs, only what MCUboot's
 * serial recovery offers (os, img) when nothing boots.
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

static void fill_common(struct sim_board *b, struct smpsrv_platform *p)
{
    const struct sim_profile *prof = b->cfg.profile;
    p->slot0 = &b->areas[FA_ID_SLOT0];
    p->slot1 = &b->areas[FA_ID_SLOT1];
    p->boot_mode = boot_strategy_mode(b->cfg.strategy);
    p->no_downgrade = b->cfg.downgrade_prevention;
    p->max_image_size = boot_max_image_size(&b->boot);
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

void sim_platform_setup(struct sim_board *b)
{
    fill_common(b, &b->plat_uart);
    fill_common(b, &b->plat_udp);
    const struct sim_config *c = &b->cfg;
    b->plat_uart.buf_size = c->buf_size ? c->buf_size : SIM_UART_BUF_SIZE;
    b->plat_uart.buf_count = c->buf_count ? c->buf_count : SIM_UART_BUF_COUNT;
    b->plat_udp.buf_size = c->buf_size ? c->buf_size : SIM_UDP_BUF_SIZE;
    b->plat_udp.buf_count = c->buf_count ? c->buf_count : SIM_UDP_BUF_COUNT;
}

void sim_server_start(struct sim_board *b)
{
    static const struct smp_group *const recovery[] = {
        &smp_group_os, &smp_group_img,
    };
    const struct smp_group *const *groups = recovery;
    size_t n = sizeof recovery / sizeof recovery[0];
    if (b->running)
        groups = sim_services_groups(&n);
    else
        sim_board_log(b, "I: no image runs: serving MCUboot serial recovery (os, img)");
    smpsrv_init(&b->srv, groups, n, &b->plat_uart, b->rsp_buf, sizeof b->rsp_buf);
}
