/*
 * The firmware's shell, reached through the shell management group:
 * `help`, `device list`, `kernel uptime|version|reboot`, `stats`,
 * `flash info`, `hwinfo devid`, `mcuboot`, `echo`. Unknown commands print
 * "<cmd>: command not found" and fail, as Zephyr's shell does.
 */
#ifndef SIM_SHELL_H
#define SIM_SHELL_H

#include <stddef.h>

#include "sim/board.h"

/* Runs argv; writes at most cap bytes of output. Returns the exit status
 * (0 success, negative errno-style on failure). */
int sim_shell_run(struct sim_board *b, int argc, const char *const argv[],
                  char *out, size_t cap, size_t *out_len);

#endif
