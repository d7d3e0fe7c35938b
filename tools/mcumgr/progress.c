/* Progress bar (see progress.h). */
#include <stdio.h>
#include <unistd.h>

#include "client/client.h"
#include "progress.h"

#define BAR_WIDTH 40

static void fmt_size(char *out, size_t cap, size_t n)
{
    if (n < 1024)
        snprintf(out, cap, "%zu B", n);
    else if (n < 1024 * 1024)
        snprintf(out, cap, "%.2f KiB", n / 1024.0);
    else
        snprintf(out, cap, "%.2f MiB", n / (1024.0 * 1024.0));
}

void progress_init(struct progress *p)
{
    p->tty = isatty(STDOUT_FILENO);
    p->started = false;
    p->last_decile = -1;
    p->last_done = 0;
}

void progress_update(void *ctx, size_t done, size_t total)
{
    struct progress *p = ctx;
    char a[32], b[32], bar[BAR_WIDTH + 1];
    int64_t t = client_now_ms();
    double pct = total ? 100.0 * (double)done / (double)total : 100.0;
    int fill = (int)(pct * BAR_WIDTH / 100.0);
    int decile = (int)(pct / 10.0);

    if (!p->started) {
        p->started = true;
        p->t0_ms = t;
        p->first_done = done;
    }
    p->last_done = done;
    double secs = (t - p->t0_ms) / 1000.0;
    double rate = secs > 0 ? (double)(done - p->first_done) / 1024.0 / secs : 0.0;
    int eta = rate > 0 ? (int)((double)(total - done) / 1024.0 / rate + 0.5) : 0;

    if (!p->tty && decile == p->last_decile && done != total)
        return;
    p->last_decile = decile;
    for (int i = 0; i < BAR_WIDTH; i++)
        bar[i] = i < fill ? '=' : (i == fill ? '>' : '-');
    if (fill >= BAR_WIDTH)
        bar[BAR_WIDTH - 1] = '=';
    bar[BAR_WIDTH] = '\0';
    fmt_size(a, sizeof a, done);
    fmt_size(b, sizeof b, total);
    printf("%s%s / %s [%s] %6.2f%% %.2f KiB/s %02dm%02ds%s", p->tty ? "\r" : "", a, b, bar, pct,
           rate, eta / 60, eta % 60, p->tty ? "" : "\n");
    fflush(stdout);
}

void progress_end(struct progress *p)
{
    if (p->tty && p->started)
        putchar('\n');
    fflush(stdout);
}
