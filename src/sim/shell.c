/*
 * The firmware's shell commands. Each is one small function over the
 * board's state; output is plain text lines as Zephyr's shell prints them.
 */
#include "sim/shell.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct out {
    char *buf;
    size_t cap, len;
};

static void put(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
    if (o->len >= o->cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n < o->cap - o->len ? (size_t)n : o->cap - o->len - 1;
}

static int cmd_help(struct sim_board *b, int argc, const char *const argv[], struct out *o)
{
    (void)b, (void)argc, (void)argv;
    put(o, "Available commands:\n"
           "  device   :Device commands (list)\n"
           "  echo     :Print the arguments\n"
           "  flash    :Flash commands (info)\n"
           "  help     :Prints the help message.\n"
           "  hwinfo   :Hardware info (devid)\n"
           "  kernel   :Kernel commands (uptime, version)\n"
           "  mcuboot  :MCUboot state of both slots\n"
           "  stats    :Statistics counters\n");
    return 0;
}

static int cmd_device(struct sim_board *b, int argc, const char *const argv[], struct out *o)
{
    (void)b;
    if (argc < 2 || strcmp(argv[1], "list") != 0) {
        put(o, "device: usage: device list\n");
        return -22;
    }
    put(o, "devices:\n"
           "- clock@40000000 (READY)\n"
           "- gpio@50000000 (READY)\n"
           "- flash-controller@4001e000 (READY)\n"
           "- uart@40002000 (READY)\n"
           "- cdc_acm_uart0 (READY)\n"
           "- leds (READY)\n"
           "- buttons (READY)\n");
    return 0;
}

static int cmd_kernel(struct sim_board *b, int argc, const char *const argv[], struct out *o)
{
    if (argc >= 2 && strcmp(argv[1], "uptime") == 0) {
        put(o, "Uptime: %llu ms\n",
            (unsigned long long)((sim_now_ns() - b->boot_ns) / 1000000u));
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "version") == 0) {
        put(o, "Zephyr version 3.7.0 (mcusim), application v%s\n", b->version);
        return 0;
    }
    put(o, "kernel: usage: kernel uptime|version\n");
    return -22;
}

static int cmd_stats(struct sim_board *b, int argc, const char *const argv[], struct out *o)
{
    (void)argc, (void)argv;
    put(o, "smp: requests %u, errors %u\n", b->srv.stats.requests, b->srv.stats.errors);
    put(o, "board: boot_count %u, reset_cause %s\n", b->boot_count,
        sim_reset_cause_name(b->reset_cause));
    put(o, "flash: erases %llu, writes %llu\n", (unsigned long long)b->flash.stats.erases,
        (unsigned long long)b->flash.stats.progs);
    put(o, "uart: rx %llu B, tx %llu B\n", (unsigned long long)b->uart_st.rx_bytes,
        (unsigned long long)b->uart_st.tx_bytes);
    put(o, "udp: rx %llu B, tx %llu B\n", (unsigned long long)b->udp_st.rx_bytes,
        (unsigned long long)b->udp_st.tx_bytes);
    return 0;
}

static int cmd_flash(struct sim_board *b, int argc, const char *const argv[], struct out *o)
{
    if (argc < 2 || strcmp(argv[1], "info") != 0) {
        put(o, "flash: usage: flash info\n");
        return -22;
    }
    const struct sim_profile *p = b->cfg.profile;
    put(o, "flash: %u KiB, %u-byte pages, write unit %u\n", p->flash_size / 1024,
        p->sector_size, p->write_align);
    for (size_t i = 0; i < p->nparts; i++)
        put(o, "  %-8s 0x%05x %4u KiB\n", p->parts[i].name, p->parts[i].addr,
            p->parts[i].size / 1024);
    return 0;
}

static int cmd_hwinfo(struct sim_board *b, int argc, const char *const argv[], struct out *o)
{
    if (argc < 2 || strcmp(argv[1], "devid") != 0) {
        put(o, "hwinfo: usage: hwinfo devid\n");
        return -22;
    }
    put(o, "Length: 8\nID: 0x%s\n", b->hwid);
    return 0;
}

static int cmd_mcuboot(struct sim_board *b, int argc, const char *const argv[], struct out *o)
{
    (void)argc, (void)argv;
    put(o, "swap type: %s\nprimary: v%s%s\n", boot_swap_type_name(b->boot_res.swap_type),
        b->version, b->running ? " (running)" : "");
    return 0;
}

static int cmd_echo(struct sim_board *b, int argc, const char *const argv[], struct out *o)
{
    (void)b;
    for (int i = 1; i < argc; i++)
        put(o, "%s%s", argv[i], i + 1 < argc ? " " : "");
    put(o, "\n");
    return 0;
}

static const struct {
    const char *name;
    int (*run)(struct sim_board *, int, const char *const[], struct out *);
} commands[] = {
    { "help", cmd_help },     { "device", cmd_device }, { "kernel", cmd_kernel },
    { "stats", cmd_stats },   { "flash", cmd_flash },   { "hwinfo", cmd_hwinfo },
    { "mcuboot", cmd_mcuboot }, { "echo", cmd_echo },
};

int sim_shell_run(struct sim_board *b, int argc, const char *const argv[],
                  char *out, size_t cap, size_t *out_len)
{
    struct out o = { out, cap, 0 };
    int ret = -8; /* -ENOEXEC, as Zephyr's shell answers an unknown command */
    if (cap)
        out[0] = '\0';
    if (argc < 1) {
        *out_len = 0;
        return ret;
    }
    size_t i;
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[0], commands[i].name) == 0)
            break;
    if (i == sizeof commands / sizeof commands[0])
        put(&o, "%s: command not found\n", argv[0]);
    else
        ret = commands[i].run(b, argc, argv, &o);
    *out_len = o.len;
    return ret;
}
