/*
 * The application's services behind the SMP groups: one task (main),
 * statistics (the server's own counters and the board's), and a small
 * shell. Callbacks return 0 or the group's positive error code
 * (smpsrv.h).
 */
#include "services.h"

#include <string.h>

#include "board.h"

static struct app_state *state_of(void *ctx) { return ctx; }

/* One thread: the main loop (a bare-metal firmware has no other). */
static int task_info(void *ctx, size_t index, struct smpsrv_task *t)
{
    (void)ctx;
    if (index > 0)
        return 1;
    memset(t, 0, sizeof *t);
    t->name = "main";
    t->stksiz = 16384 / 4;
    t->runtime = board_uptime_ms();
    t->state = 1;
    return 0;
}

static const char *const stat_groups[] = { "smp", "board" };

static int stat_group(void *ctx, size_t index, const char **name)
{
    (void)ctx;
    if (index >= sizeof stat_groups / sizeof stat_groups[0])
        return 1;
    *name = stat_groups[index];
    return 0;
}

static int board_field(const struct app_state *s, size_t field, const char **name,
                       uint64_t *value)
{
    switch (field) {
    case 0: *name = "uptime_ms"; *value = board_uptime_ms(); return 0;
    case 1: *name = "led_toggles"; *value = s->led_toggles; return 0;
    case 2: *name = "uart_rx_bytes"; *value = s->rx_bytes; return 0;
    case 3: *name = "uart_tx_bytes"; *value = s->tx_bytes; return 0;
    case 4: *name = "frames_dropped"; *value = s->frames_dropped; return 0;
    default: return 1;
    }
}

static int stat_field(void *ctx, size_t group, size_t field, const char **name,
                      uint64_t *value)
{
    struct app_state *s = state_of(ctx);
    if (group == 0)
        return smpsrv_stat_field(&s->srv, field, name, value);
    if (group == 1)
        return board_field(s, field, name, value);
    return 1;
}

/* ---- shell: echo, led, uptime, help ---- */

static size_t out_str(char *out, size_t cap, size_t n, const char *s)
{
    while (*s && n < cap)
        out[n++] = *s++;
    return n;
}

static size_t out_dec(char *out, size_t cap, size_t n, uint32_t v)
{
    char tmp[11];
    size_t k = sizeof tmp - 1;
    tmp[k] = '\0';
    do {
        tmp[--k] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return out_str(out, cap, n, tmp + k);
}

static int shell_exec(void *ctx, int argc, const char *const argv[], char *out,
                      size_t cap, size_t *out_len, int *ret)
{
    struct app_state *s = state_of(ctx);
    size_t n = 0;
    *ret = 0;
    if (strcmp(argv[0], "echo") == 0) {
        for (int i = 1; i < argc; i++) {
            n = out_str(out, cap, n, argv[i]);
            if (i + 1 < argc)
                n = out_str(out, cap, n, " ");
        }
    } else if (strcmp(argv[0], "led") == 0) {
        n = out_str(out, cap, n, s->led_on ? "led: on" : "led: off");
    } else if (strcmp(argv[0], "uptime") == 0) {
        n = out_dec(out, cap, n, board_uptime_ms());
        n = out_str(out, cap, n, " ms");
    } else if (strcmp(argv[0], "help") == 0) {
        n = out_str(out, cap, n, "echo TEXT, led, uptime, help");
    } else {
        n = out_str(out, cap, n, argv[0]);
        n = out_str(out, cap, n, ": command not found");
        *ret = 127;
    }
    n = out_str(out, cap, n, "\n");
    *out_len = n;
    return 0;
}

void app_services_fill(struct smpsrv_platform *p)
{
    p->task_info = task_info;
    p->stat_group = stat_group;
    p->stat_field = stat_field;
    p->shell_exec = shell_exec;
}
