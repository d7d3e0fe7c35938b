/*
 * mcusim: the simulated nRF52840 board. Argument parsing and printing
 * only; the board lives in src/sim.
 *
 *   mcusim --state DIR [board options]       run until SIGTERM/SIGINT
 *   mcusim --state DIR --provision IMAGE     factory-program slot 0, exit
 *   mcusim --state DIR --boot-once [--json]  run the bootloader once, exit
 *   mcusim --state DIR --press-button 1      control a running board
 *
 * Exit codes: 0 success, 1 failure (no bootable image for --boot-once),
 * 2 usage, 3 power cut by --fail-after during --boot-once.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/board.h"
#include "sim/runtime.h"
#include "sim/sim.h"

enum mode { MODE_RUN, MODE_PROVISION, MODE_BOOT_ONCE, MODE_CTL };

struct args {
    struct sim_config cfg;
    enum mode mode;
    const char *provision;
    bool json;
    char ctl[128];
};

static const char usage[] =
    "usage: mcusim --state DIR [options]\n"
    "board:\n"
    "  --profile NAME           board profile (nrf52840)\n"
    "  --udp PORT               UDP port on 127.0.0.1 (default 1337, 0 = off)\n"
    "  --no-pty                 no UART pty\n"
    "  --key PEM                trusted signing key (repeatable); unsigned images refused\n"
    "  --enc-key PEM            image-encryption private key: encrypted images are\n"
    "                           decrypted on install (without it they are refused)\n"
    "  --strategy NAME          swap-move (default), swap-scratch, overwrite-only\n"
    "  --downgrade-prevention   refuse updates older than the running image\n"
    "  --fail-after N           cut power after N flash erase/write operations\n"
    "  --torn                   the operation the cut interrupts is left half done\n"
    "  --baud N                 pace the pty at N baud (10 bit times per byte)\n"
    "  --flash-timing nrf52840  real erase/write times (page 85 ms, word 41 us)\n"
    "  --buf-size N, --buf-count N  SMP buffers (default uart 384x4, udp 2048x2)\n"
    "  --line-buf N             UART line buffer, marker and newline included (default 128)\n"
    "  --dfu                    button 1 held at power-on: start in DFU mode\n"
    "  --reenumerate MS         every reset takes the USB port away for MS (new pty)\n"
    "  --dfu-gate               image upload/test/erase only in DFU mode\n"
    "  --serial ID              hardware id of a new board (default random)\n"
    "  --trace                  log every SMP request on the console\n"
    "  --quiet                  console to DIR/console.log only\n"
    "Bluetooth LE (BlueZ's D-Bus API on the bus DBUS_SYSTEM_BUS_ADDRESS names):\n"
    "  --ble NAME               advertise as NAME: take org.bluez and export an adapter\n"
    "                           with this board as an LE device with the SMP service\n"
    "  --ble-adapter NAME       the adapter's name (default hci0)\n"
    "  --ble-mtu N              ATT MTU 23..517 (default 247)\n"
    "  --ble-interval MS        connection interval 7.5..4000 ms, steps of 1.25 (default 15)\n"
    "  --ble-packets N          link-layer packets per connection event each way (default 4)\n"
    "  --ble-ll-octets N        link-layer payload 27..251 (default 251: Data Length Extension)\n"
    "  --ble-rssi DBM           the RSSI the adapter reports (default -52)\n"
    "  --ble-reappear MS        after a reset the board advertises again after MS (default 500)\n"
    "  --ble-disconnect-after BYTES  the link drops once, after BYTES of ATT writes\n"
    "  --ble-drop-notify R      a response's notifications are lost with probability R\n"
    "  --ble-seed N             seed of --ble-drop-notify\n"
    "  --ble-powered-off, --ble-no-adapter, --ble-no-smp, --ble-no-acquire\n"
    "                           an adapter that is off, org.bluez without an adapter, a device\n"
    "                           without the SMP service, no AcquireWrite/AcquireNotify\n"
    "  --ble-no-reassembly      a request must fit one ATT write (Zephyr without SMP\n"
    "                           reassembly); longer ones are lost\n"
    "link faults (tests):\n"
    "  --link-faults SPEC       both links; SPEC = drop=R,corrupt=R,dup=R,delay=R[:MS],\n"
    "                           unit=line|byte,seed=N (R per line/byte/datagram)\n"
    "  --uart-faults SPEC, --udp-faults SPEC\n"
    "  --unplug-after BYTES[:MS]  close the pty after BYTES received (back after MS)\n"
    "  --stall-after BYTES[:MS]   stop serving the pty for MS after BYTES received\n"
    "firmware variants (client tests):\n"
    "  --report-buf-size N      params reports buf_size N; the links still enforce --buf-size\n"
    "  --no-params              firmware without the params command (answers rc 8, ENOTSUP)\n"
    "one-shot commands:\n"
    "  --provision IMAGE        write IMAGE into slot 0 (factory programmer), exit\n"
    "  --boot-once [--json]     run the bootloader once, print its decision, exit\n"
    "control of a running board (DIR/ctl.sock):\n"
    "  --press-button N, --hold-button N, --release-button N\n"
    "  --status                 board status as JSON\n"
    "  --ctl 'CMD'              unplug [MS] | stall MS | reset | power-cycle | watchdog |\n"
    "                           reset-stats\n";

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "mcusim: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(see mcusim --help)\n");
    return 2;
}

static bool parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 0);
    if (errno || end == s || *end || v > max || s[0] == '-')
        return false;
    *out = v;
    return true;
}

/* "BYTES[:MS]" */
static bool parse_after(const char *s, long *after, uint32_t *ms)
{
    char buf[64];
    unsigned long a, m;
    snprintf(buf, sizeof buf, "%s", s);
    char *colon = strchr(buf, ':');
    if (colon) {
        *colon = '\0';
        if (!parse_ulong(colon + 1, 600000, &m))
            return false;
        *ms = (uint32_t)m;
    }
    if (!parse_ulong(buf, 1ul << 30, &a))
        return false;
    *after = (long)a;
    return true;
}

static bool parse_strategy(const char *s, enum boot_strategy_id *out)
{
    if (!strcmp(s, "swap-move") || !strcmp(s, "move"))
        *out = BOOT_STRATEGY_SWAP_MOVE;
    else if (!strcmp(s, "swap-scratch") || !strcmp(s, "scratch"))
        *out = BOOT_STRATEGY_SWAP_SCRATCH;
    else if (!strcmp(s, "overwrite-only") || !strcmp(s, "overwrite"))
        *out = BOOT_STRATEGY_OVERWRITE_ONLY;
    else
        return false;
    return true;
}

enum {
    OPT_STATE = 256, OPT_PROFILE, OPT_UDP, OPT_NO_PTY, OPT_KEY, OPT_ENC_KEY, OPT_STRATEGY,
    OPT_DOWNGRADE, OPT_FAIL_AFTER, OPT_BAUD, OPT_FLASH_TIMING, OPT_BUF_SIZE,
    OPT_BUF_COUNT, OPT_DFU, OPT_DFU_GATE, OPT_SERIAL, OPT_TRACE, OPT_QUIET,
    OPT_LINK_FAULTS, OPT_UART_FAULTS, OPT_UDP_FAULTS, OPT_UNPLUG_AFTER,
    OPT_STALL_AFTER, OPT_TORN, OPT_REENUMERATE, OPT_PROVISION, OPT_BOOT_ONCE, OPT_JSON, OPT_PRESS,
    OPT_HOLD, OPT_RELEASE, OPT_STATUS, OPT_CTL, OPT_HELP, OPT_LINE_BUF, OPT_REPORT_BUF_SIZE,
    OPT_NO_PARAMS, OPT_BLE, OPT_BLE_ADAPTER, OPT_BLE_MTU, OPT_BLE_INTERVAL, OPT_BLE_PACKETS,
    OPT_BLE_LL_OCTETS, OPT_BLE_RSSI, OPT_BLE_REAPPEAR, OPT_BLE_DISCONNECT_AFTER,
    OPT_BLE_DROP_NOTIFY, OPT_BLE_SEED, OPT_BLE_POWERED_OFF, OPT_BLE_NO_ADAPTER, OPT_BLE_NO_SMP,
    OPT_BLE_NO_ACQUIRE, OPT_BLE_NO_REASSEMBLY,
};

static const struct option options[] = {
    { "state", required_argument, 0, OPT_STATE },
    { "profile", required_argument, 0, OPT_PROFILE },
    { "udp", required_argument, 0, OPT_UDP },
    { "no-pty", no_argument, 0, OPT_NO_PTY },
    { "key", required_argument, 0, OPT_KEY },
    { "enc-key", required_argument, 0, OPT_ENC_KEY },
    { "strategy", required_argument, 0, OPT_STRATEGY },
    { "downgrade-prevention", no_argument, 0, OPT_DOWNGRADE },
    { "no-downgrade", no_argument, 0, OPT_DOWNGRADE },
    { "fail-after", required_argument, 0, OPT_FAIL_AFTER },
    { "torn", no_argument, 0, OPT_TORN },
    { "reenumerate", required_argument, 0, OPT_REENUMERATE },
    { "baud", required_argument, 0, OPT_BAUD },
    { "flash-timing", required_argument, 0, OPT_FLASH_TIMING },
    { "buf-size", required_argument, 0, OPT_BUF_SIZE },
    { "buf-count", required_argument, 0, OPT_BUF_COUNT },
    { "line-buf", required_argument, 0, OPT_LINE_BUF },
    { "report-buf-size", required_argument, 0, OPT_REPORT_BUF_SIZE },
    { "no-params", no_argument, 0, OPT_NO_PARAMS },
    { "dfu", no_argument, 0, OPT_DFU },
    { "dfu-gate", no_argument, 0, OPT_DFU_GATE },
    { "serial", required_argument, 0, OPT_SERIAL },
    { "trace", no_argument, 0, OPT_TRACE },
    { "quiet", no_argument, 0, OPT_QUIET },
    { "link-faults", required_argument, 0, OPT_LINK_FAULTS },
    { "uart-faults", required_argument, 0, OPT_UART_FAULTS },
    { "udp-faults", required_argument, 0, OPT_UDP_FAULTS },
    { "unplug-after", required_argument, 0, OPT_UNPLUG_AFTER },
    { "stall-after", required_argument, 0, OPT_STALL_AFTER },
    { "provision", required_argument, 0, OPT_PROVISION },
    { "boot-once", no_argument, 0, OPT_BOOT_ONCE },
    { "json", no_argument, 0, OPT_JSON },
    { "press-button", required_argument, 0, OPT_PRESS },
    { "hold-button", required_argument, 0, OPT_HOLD },
    { "release-button", required_argument, 0, OPT_RELEASE },
    { "status", no_argument, 0, OPT_STATUS },
    { "ctl", required_argument, 0, OPT_CTL },
    { "ble", required_argument, 0, OPT_BLE },
    { "ble-adapter", required_argument, 0, OPT_BLE_ADAPTER },
    { "ble-mtu", required_argument, 0, OPT_BLE_MTU },
    { "ble-interval", required_argument, 0, OPT_BLE_INTERVAL },
    { "ble-packets", required_argument, 0, OPT_BLE_PACKETS },
    { "ble-ll-octets", required_argument, 0, OPT_BLE_LL_OCTETS },
    { "ble-rssi", required_argument, 0, OPT_BLE_RSSI },
    { "ble-reappear", required_argument, 0, OPT_BLE_REAPPEAR },
    { "ble-disconnect-after", required_argument, 0, OPT_BLE_DISCONNECT_AFTER },
    { "ble-drop-notify", required_argument, 0, OPT_BLE_DROP_NOTIFY },
    { "ble-seed", required_argument, 0, OPT_BLE_SEED },
    { "ble-powered-off", no_argument, 0, OPT_BLE_POWERED_OFF },
    { "ble-no-adapter", no_argument, 0, OPT_BLE_NO_ADAPTER },
    { "ble-no-smp", no_argument, 0, OPT_BLE_NO_SMP },
    { "ble-no-acquire", no_argument, 0, OPT_BLE_NO_ACQUIRE },
    { "ble-no-reassembly", no_argument, 0, OPT_BLE_NO_REASSEMBLY },
    { "help", no_argument, 0, OPT_HELP },
    { 0, 0, 0, 0 },
};

static int board_option(struct args *a, int opt, const char *v)
{
    struct sim_config *c = &a->cfg;
    unsigned long n;
    switch (opt) {
    case OPT_STATE: c->state_dir = v; return 0;
    case OPT_PROFILE:
        c->profile = sim_profile_find(v);
        return c->profile ? 0 : usage_error("unknown profile '%s' (known: nrf52840)", v);
    case OPT_UDP:
        if (!parse_ulong(v, 65535, &n))
            return usage_error("--udp needs a port number 0..65535, not '%s'", v);
        c->udp_port = (int)n;
        return 0;
    case OPT_NO_PTY: c->pty = false; return 0;
    case OPT_KEY:
        switch (sim_config_add_key(c, v)) {
        case SIM_OK:
            return 0;
        case SIM_EUNSUPPORTED:
            return fprintf(stderr, "mcusim: '%s': this build's crypto port cannot verify keys of "
                                   "that algorithm (mbedTLS 2.28 has no Ed25519): use an RSA or "
                                   "ECDSA key\n", v), 1;
        default:
            return fprintf(stderr, "mcusim: cannot load a public key from '%s'\n", v), 1;
        }
    case OPT_ENC_KEY:
        if (sim_config_set_enc_key(c, v) != SIM_OK)
            return fprintf(stderr, "mcusim: cannot load a private key from '%s'\n", v), 1;
        return 0;
    case OPT_STRATEGY:
        return parse_strategy(v, &c->strategy) ? 0
               : usage_error("unknown strategy '%s' (swap-move, swap-scratch, overwrite-only)", v);
    case OPT_DOWNGRADE: c->downgrade_prevention = true; return 0;
    case OPT_FAIL_AFTER:
        if (!parse_ulong(v, 1ul << 30, &n))
            return usage_error("--fail-after needs a count of flash operations, not '%s'", v);
        c->fail_after = (long)n;
        return 0;
    case OPT_BAUD:
        if (!parse_ulong(v, 4000000, &n) || n < 300)
            return usage_error("--baud needs a rate between 300 and 4000000, not '%s'", v);
        c->baud = (uint32_t)n;
        return 0;
    case OPT_FLASH_TIMING:
        if (strcmp(v, "nrf52840") && strcmp(v, "off"))
            return usage_error("--flash-timing takes nrf52840 or off, not '%s'", v);
        c->flash_timing = strcmp(v, "off") != 0;
        return 0;
    }
    return -1;
}

static int more_option(struct args *a, int opt, const char *v)
{
    struct sim_config *c = &a->cfg;
    unsigned long n;
    switch (opt) {
    case OPT_BUF_SIZE:
        if (!parse_ulong(v, SIM_UDP_BUF_SIZE, &n) || n < 64)
            return usage_error("--buf-size needs 64..2048 bytes, not '%s'", v);
        c->buf_size = (uint32_t)n;
        return 0;
    case OPT_BUF_COUNT:
        /* a request and its answer each take a buffer: 1 would never answer */
        if (!parse_ulong(v, 16, &n) || n < 2)
            return usage_error("--buf-count needs 2..16, not '%s'", v);
        c->buf_count = (uint32_t)n;
        return 0;
    case OPT_LINE_BUF:
        if (!parse_ulong(v, SMP_SERIAL_RX_LINE_CAP, &n) || n < 8)
            return usage_error("--line-buf needs 8..1024 bytes, not '%s'", v);
        c->line_buf = (uint32_t)n;
        return 0;
    case OPT_REPORT_BUF_SIZE:
        if (!parse_ulong(v, 65535, &n) || n < 1)
            return usage_error("--report-buf-size needs 1..65535 bytes, not '%s'", v);
        c->report_buf_size = (uint32_t)n;
        return 0;
    case OPT_NO_PARAMS: c->no_params = true; return 0;
    case OPT_DFU: c->dfu_at_start = true; return 0;
    case OPT_TORN: c->torn = true; return 0;
    case OPT_REENUMERATE:
        if (!parse_ulong(v, 60000, &n) || n < 1)
            return usage_error("--reenumerate needs 1..60000 ms, not '%s'", v);
        c->reenumerate_ms = (uint32_t)n;
        return 0;
    case OPT_DFU_GATE: c->dfu_gate = true; return 0;
    case OPT_SERIAL:
        if (strlen(v) == 0 || strlen(v) > 16 || strspn(v, "0123456789abcdefABCDEF-_") != strlen(v))
            return usage_error("--serial takes up to 16 hex digits, not '%s'", v);
        c->serial = v;
        return 0;
    case OPT_TRACE: c->trace = true; return 0;
    case OPT_QUIET: c->quiet = true; return 0;
    case OPT_LINK_FAULTS:
    case OPT_UART_FAULTS:
    case OPT_UDP_FAULTS:
        if ((opt != OPT_UDP_FAULTS && sim_fault_cfg_parse(&c->uart_faults, v)) ||
            (opt != OPT_UART_FAULTS && sim_fault_cfg_parse(&c->udp_faults, v)))
            return usage_error("bad fault spec '%s' (drop=R,corrupt=R,dup=R,delay=R[:MS],"
                               "unit=line|byte,seed=N; rates 0..1, sum <= 1)", v);
        return 0;
    case OPT_UNPLUG_AFTER:
        return parse_after(v, &c->unplug_after, &c->unplug_ms) ? 0
               : usage_error("--unplug-after takes BYTES[:MS], not '%s'", v);
    case OPT_STALL_AFTER:
        return parse_after(v, &c->stall_after, &c->stall_ms) ? 0
               : usage_error("--stall-after takes BYTES[:MS], not '%s'", v);
    }
    return -1;
}

/* A BLE name: printable, no more than an advertisement holds. */
static bool ble_name_ok(const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n > SIM_BLE_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
            return false;
    return true;
}

static int ble_link_option(struct sim_ble_cfg *c, int opt, const char *v)
{
    unsigned long n;
    char *end;
    double ms;
    switch (opt) {
    case OPT_BLE_MTU:
        if (!parse_ulong(v, SIM_BLE_MTU_MAX, &n) || n < SIM_BLE_MTU_MIN)
            return usage_error("--ble-mtu needs an ATT MTU of 23..517, not '%s'", v);
        c->link.att_mtu = (uint32_t)n;
        return 0;
    case OPT_BLE_INTERVAL:
        ms = strtod(v, &end);
        if (end == v || *end || ms < 7.5 || ms > 4000)
            return usage_error("--ble-interval needs 7.5..4000 ms, not '%s'", v);
        c->link.interval_us = (uint32_t)(ms * 1000 + 0.5);
        if (c->link.interval_us % 1250)
            return usage_error("--ble-interval goes in steps of 1.25 ms (7.5, 8.75, 10 ...), "
                               "not '%s'", v);
        return 0;
    case OPT_BLE_PACKETS:
        if (!parse_ulong(v, 64, &n) || n < 1)
            return usage_error("--ble-packets needs 1..64, not '%s'", v);
        c->link.packets_per_event = (uint32_t)n;
        return 0;
    case OPT_BLE_LL_OCTETS:
        if (!parse_ulong(v, SIM_BLE_LL_OCTETS_MAX, &n) || n < SIM_BLE_LL_OCTETS_MIN)
            return usage_error("--ble-ll-octets needs 27..251, not '%s'", v);
        c->link.ll_octets = (uint32_t)n;
        return 0;
    }
    return -1;
}

static int ble_option(struct args *a, int opt, const char *v)
{
    struct sim_ble_cfg *c = &a->cfg.ble;
    unsigned long n;
    char *end;
    int rc = ble_link_option(c, opt, v);
    if (rc >= 0)
        return rc;
    switch (opt) {
    case OPT_BLE:
        if (!ble_name_ok(v))
            return usage_error("--ble needs a name of 1..29 printable characters, not '%s'", v);
        c->name = v;
        return 0;
    case OPT_BLE_ADAPTER:
        if (strncmp(v, "hci", 3) || !parse_ulong(v + 3, 255, &n))
            return usage_error("--ble-adapter takes hciN, not '%s'", v);
        c->adapter = v;
        return 0;
    case OPT_BLE_RSSI: {
        long d = strtol(v, &end, 10);
        if (end == v || *end || d < -127 || d > 20)
            return usage_error("--ble-rssi needs -127..20 dBm, not '%s'", v);
        c->rssi = (int16_t)d;
        return 0;
    }
    case OPT_BLE_REAPPEAR:
        if (!parse_ulong(v, 600000, &n))
            return usage_error("--ble-reappear needs 0..600000 ms, not '%s'", v);
        c->reappear_ms = (uint32_t)n;
        return 0;
    case OPT_BLE_DISCONNECT_AFTER:
        if (!parse_ulong(v, 1ul << 30, &n))
            return usage_error("--ble-disconnect-after needs a byte count, not '%s'", v);
        c->disconnect_after = (long)n;
        return 0;
    case OPT_BLE_DROP_NOTIFY:
        c->drop_rsp = strtod(v, &end);
        if (end == v || *end || c->drop_rsp < 0 || c->drop_rsp > 1)
            return usage_error("--ble-drop-notify needs a probability 0..1, not '%s'", v);
        return 0;
    case OPT_BLE_SEED:
        if (!parse_ulong(v, ~0ul, &n))
            return usage_error("--ble-seed needs a number, not '%s'", v);
        c->seed = n;
        return 0;
    case OPT_BLE_POWERED_OFF: c->powered_off = true; return 0;
    case OPT_BLE_NO_ADAPTER: c->no_adapter = true; return 0;
    case OPT_BLE_NO_SMP: c->no_smp = true; return 0;
    case OPT_BLE_NO_ACQUIRE: c->no_acquire = true; return 0;
    case OPT_BLE_NO_REASSEMBLY: c->no_reassembly = true; return 0;
    }
    return -1;
}

static int mode_option(struct args *a, int opt, const char *v)
{
    unsigned long n;
    switch (opt) {
    case OPT_PROVISION: a->mode = MODE_PROVISION; a->provision = v; return 0;
    case OPT_BOOT_ONCE: a->mode = MODE_BOOT_ONCE; return 0;
    case OPT_JSON: a->json = true; return 0;
    case OPT_PRESS:
    case OPT_HOLD:
    case OPT_RELEASE:
        if (!parse_ulong(v, 2, &n) || n < 1)
            return usage_error("the board has buttons 1 and 2, not '%s'", v);
        snprintf(a->ctl, sizeof a->ctl, "%s %lu",
                 opt == OPT_PRESS ? "press" : opt == OPT_HOLD ? "hold" : "release", n);
        a->mode = MODE_CTL;
        return 0;
    case OPT_STATUS: snprintf(a->ctl, sizeof a->ctl, "status"); a->mode = MODE_CTL; return 0;
    case OPT_CTL: snprintf(a->ctl, sizeof a->ctl, "%s", v); a->mode = MODE_CTL; return 0;
    case OPT_HELP: fputs(usage, stdout); exit(0);
    }
    return usage_error("unknown option%s", "");
}

static int parse_args(struct args *a, int argc, char **argv)
{
    int opt;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        if (opt == 'h')
            opt = OPT_HELP;
        if (opt == '?')
            return 2;
        int rc = board_option(a, opt, optarg);
        if (rc < 0)
            rc = more_option(a, opt, optarg);
        if (rc < 0)
            rc = ble_option(a, opt, optarg);
        if (rc < 0)
            rc = mode_option(a, opt, optarg);
        if (rc)
            return rc;
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    if (!a->cfg.state_dir)
        return usage_error("%s--state DIR is required", "");
    const char *why = sim_ble_link_check(&a->cfg.ble.link);
    if (why)
        return usage_error("bad BLE link: %s", why);
    return 0;
}

static int run_ctl(const struct args *a)
{
    char *reply = NULL;
    int rc = sim_ctl_send(a->cfg.state_dir, a->ctl, &reply);
    if (rc != SIM_OK) {
        fprintf(stderr, "mcusim: no board running in %s (%s)\n", a->cfg.state_dir,
                sim_strerror(rc));
        return 1;
    }
    fputs(reply, stdout);
    int failed = strncmp(reply, "error", 5) == 0;
    free(reply);
    return failed ? 1 : 0;
}

static int run_boot_once(struct sim_board *b, bool json)
{
    int rc = sim_board_reset(b, SIM_RESET_POWER_ON);
    if (json) {
        char *s = sim_board_boot_json(b, rc);
        printf("%s\n", s ? s : "{}");
        free(s);
    } else if (rc == SIM_OK) {
        printf("boot: swap %s, slot 0 runs v%s (hash %s)\n",
               boot_swap_type_name(b->boot_res.swap_type), b->version, b->hash_hex);
    }
    flash_model_sync(&b->flash);
    return rc == SIM_OK ? 0 : rc == SIM_EFLASH ? 3 : 1;
}

static int run_board(struct sim_board *b)
{
    struct sim_runtime rt;
    if (b->cfg.dfu_at_start)
        b->button[0] = true;
    int rc = sim_runtime_start(&rt, b);
    if (rc != SIM_OK) {
        fprintf(stderr, "mcusim: cannot start the board: %s\n", sim_strerror(rc));
        return 1;
    }
    b->button[0] = false; /* the button is let go once the board is up */
    rc = sim_runtime_run(&rt);
    sim_runtime_stop(&rt);
    return rc == SIM_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    static struct args a;
    static struct sim_board board;
    sim_config_defaults(&a.cfg);
    int rc = parse_args(&a, argc, argv);
    if (rc)
        return rc;
    if (a.mode == MODE_CTL)
        return run_ctl(&a);
    if (a.mode != MODE_RUN)
        a.cfg.quiet = a.mode == MODE_BOOT_ONCE && a.json;
    rc = sim_board_open(&board, &a.cfg);
    if (rc != SIM_OK) {
        fprintf(stderr, "mcusim: cannot open board state in %s: %s\n",
                a.cfg.state_dir, sim_strerror(rc));
        return 1;
    }
    if (a.mode == MODE_PROVISION) {
        rc = sim_board_provision(&board, a.provision);
        if (rc != SIM_OK)
            fprintf(stderr, "mcusim: cannot provision %s: %s\n", a.provision, sim_strerror(rc));
        rc = rc == SIM_OK ? 0 : 1;
    } else if (a.mode == MODE_BOOT_ONCE) {
        rc = run_boot_once(&board, a.json);
    } else {
        rc = run_board(&board);
    }
    sim_board_close(&board);
    return rc;
}
