/* The upload progress bar in the Go tool's shape:
 *  71.50 KiB / 109.36 KiB [=========>------]  65.38% 4.02 KiB/s 00m09s
 * redrawn on one line on a terminal, one line per 10 % otherwise. */
#ifndef MCUMGR_PROGRESS_H
#define MCUMGR_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct progress {
    bool tty;
    bool started;
    int64_t t0_ms;
    size_t first_done;   /* resumed bytes do not count toward the rate */
    int last_decile;
    size_t last_done;
};

void progress_init(struct progress *p);
void progress_update(void *ctx, size_t done, size_t total);
void progress_end(struct progress *p);

#endif
