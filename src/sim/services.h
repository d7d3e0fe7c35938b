/*
 * The simulated firmware's services behind the management groups beyond
 * os/img: its threads and buffer pools, a clock, statistics, settings kept
 * in DIR/settings, files in DIR/fs (confined), a small shell, storage erase.
 */
#ifndef SIM_SERVICES_H
#define SIM_SERVICES_H

#include <stddef.h>

#include "sim/board.h"

/* Sets the service callbacks of one platform. */
void sim_services_fill(struct sim_board *b, struct smpsrv_platform *p);
/* The groups a running firmware serves. */
const struct smp_group *const *sim_services_groups(size_t *n);

#endif
