/*
 * JSON reports of the board, for scripts and tests: the live status
 * (`mcusim --status`) and the bootloader's decision (`--boot-once --json`).
 */
#include <cjson/cJSON.h>
#include <stdlib.h>

#include "sim/runtime.h"

static const char *magic_name(uint8_t m)
{
    return m == BOOT_MAGIC_GOOD ? "good" : m == BOOT_MAGIC_BAD ? "bad" : "unset";
}

static const char *flag_name(uint8_t f)
{
    return f == BOOT_FLAG_SET ? "set" : f == BOOT_FLAG_BAD ? "bad" : "unset";
}

static cJSON *trailer_json(const struct boot_swap_state *st)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "magic", magic_name(st->magic));
    cJSON_AddStringToObject(o, "swap_type", boot_swap_type_name(st->swap_type));
    cJSON_AddStringToObject(o, "copy_done", flag_name(st->copy_done));
    cJSON_AddStringToObject(o, "image_ok", flag_name(st->image_ok));
    return o;
}

static cJSON *link_json(const struct sim_link_stats *s, const struct smpsrv_transport *p)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "rx_bytes", (double)s->rx_bytes);
    cJSON_AddNumberToObject(o, "tx_bytes", (double)s->tx_bytes);
    cJSON_AddNumberToObject(o, "requests", (double)s->requests);
    cJSON_AddNumberToObject(o, "responses", (double)s->responses);
    cJSON_AddNumberToObject(o, "dropped_no_buf", (double)s->dropped_no_buf);
    cJSON_AddNumberToObject(o, "dropped_too_big", (double)s->dropped_too_big);
    cJSON_AddNumberToObject(o, "dropped_long_line", (double)s->dropped_long_line);
    cJSON_AddNumberToObject(o, "dropped_corrupt", (double)s->dropped_corrupt);
    cJSON_AddNumberToObject(o, "inflight", s->inflight);
    cJSON_AddNumberToObject(o, "max_inflight", s->max_inflight);
    cJSON_AddNumberToObject(o, "outstanding", s->outstanding);
    cJSON_AddNumberToObject(o, "max_outstanding", s->max_outstanding);
    cJSON_AddNumberToObject(o, "buf_size", p->buf_size);
    cJSON_AddNumberToObject(o, "buf_count", p->buf_count);
    return o;
}

static cJSON *flash_json(const struct flash_stats *s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "erases", (double)s->erases);
    cJSON_AddNumberToObject(o, "sectors_erased", (double)s->sectors_erased);
    cJSON_AddNumberToObject(o, "progs", (double)s->progs);
    cJSON_AddNumberToObject(o, "bytes_programmed", (double)s->bytes_programmed);
    cJSON_AddNumberToObject(o, "violations", (double)s->violations);
    return o;
}

static char *finish(cJSON *o)
{
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

static cJSON *board_status(const struct sim_board *b)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "running", b->running);
    cJSON_AddStringToObject(o, "version", b->version);
    cJSON_AddStringToObject(o, "hash", b->hash_hex);
    cJSON_AddStringToObject(o, "hwid", b->hwid);
    cJSON_AddStringToObject(o, "profile", b->cfg.profile->name);
    cJSON_AddBoolToObject(o, "dfu_mode", b->dfu_mode);
    cJSON_AddStringToObject(o, "status_led", sim_led_mode_name(b->status_led));
    cJSON_AddStringToObject(o, "error_led", sim_led_mode_name(b->error_led));
    cJSON_AddNumberToObject(o, "boot_count", b->boot_count);
    cJSON_AddStringToObject(o, "reset_cause", sim_reset_cause_name(b->reset_cause));
    cJSON_AddStringToObject(o, "swap_type", boot_swap_type_name(b->boot_res.swap_type));
    cJSON_AddItemToObject(o, "uart", link_json(&b->uart_st, &b->uart_tp));
    cJSON_AddItemToObject(o, "udp", link_json(&b->udp_st, &b->udp_tp));
    cJSON_AddItemToObject(o, "flash", flash_json(&b->flash.stats));
    cJSON_AddNumberToObject(o, "smp_requests", b->srv.stats.requests);
    cJSON_AddNumberToObject(o, "smp_errors", b->srv.stats.errors);
    return o;
}

char *sim_board_status_json(const struct sim_board *b)
{
    return finish(board_status(b));
}

static cJSON *faults_json(const struct sim_fault_stats *s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "units", (double)s->units);
    cJSON_AddNumberToObject(o, "dropped", (double)s->dropped);
    cJSON_AddNumberToObject(o, "corrupted", (double)s->corrupted);
    cJSON_AddNumberToObject(o, "duplicated", (double)s->duplicated);
    cJSON_AddNumberToObject(o, "delayed", (double)s->delayed);
    return o;
}

/* A running board's links enforce their own buf_size; what the firmware
 * reports (OS cmd 6) may differ under --report-buf-size, and is 0 with
 * --no-params. */
static void link_buffers(cJSON *link, uint32_t enforced, const struct smpsrv_transport *tp,
                         bool no_params)
{
    cJSON_ReplaceItemInObject(link, "buf_size", cJSON_CreateNumber(enforced));
    cJSON_AddNumberToObject(link, "reported_buf_size", no_params ? 0 : tp->buf_size);
}

char *sim_runtime_status_json(const struct sim_runtime *rt)
{
    cJSON *o = board_status(rt->b);
    bool no_params = rt->b->plat.no_params;
    link_buffers(cJSON_GetObjectItem(o, "uart"), rt->uart.rx_buf_size, &rt->b->uart_tp, no_params);
    link_buffers(cJSON_GetObjectItem(o, "udp"), rt->udp.buf_size, &rt->b->udp_tp, no_params);
    cJSON *f = cJSON_CreateObject();
    cJSON_AddItemToObject(f, "uart_rx", faults_json(&rt->uart.rx_faults.st));
    cJSON_AddItemToObject(f, "uart_tx", faults_json(&rt->uart.tx_faults.st));
    cJSON_AddItemToObject(f, "udp_rx", faults_json(&rt->udp.rx_faults.st));
    cJSON_AddItemToObject(f, "udp_tx", faults_json(&rt->udp.tx_faults.st));
    cJSON_AddItemToObject(o, "faults", f);
    cJSON_AddStringToObject(o, "tty", rt->uart.master >= 0 ? rt->uart.slave_path : "");
    return finish(o);
}

char *sim_board_boot_json(const struct sim_board *b, int boot_rc)
{
    const struct boot_result *r = &b->boot_res;
    cJSON *o = cJSON_CreateObject();
    bool cut = b->flash.powered_off;
    cJSON_AddBoolToObject(o, "booted", boot_rc == 0 && !cut);
    cJSON_AddBoolToObject(o, "power_cut", cut);
    cJSON_AddStringToObject(o, "swap_type", boot_swap_type_name(r->swap_type));
    cJSON_AddBoolToObject(o, "resumed", r->resumed);
    if (boot_rc == 0 && !cut) {
        cJSON_AddNumberToObject(o, "slot", 0);
        cJSON_AddStringToObject(o, "version", b->version);
        cJSON_AddStringToObject(o, "hash", b->hash_hex);
    } else {
        cJSON_AddNullToObject(o, "slot");
    }
    cJSON_AddStringToObject(o, "reason", r->reason);
    cJSON_AddStringToObject(o, "strategy", boot_strategy_name(b->cfg.strategy));
    cJSON_AddItemToObject(o, "primary", trailer_json(&r->primary));
    cJSON_AddItemToObject(o, "secondary", trailer_json(&r->secondary));
    cJSON_AddItemToObject(o, "flash", flash_json(&b->flash.stats));
    return finish(o);
}
