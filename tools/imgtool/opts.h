/*
 * A small option parser for imgtool's click-style command lines: short
 * and long names, "--name=value", options taking two values (--custom-tlv
 * TAG VALUE), repeated options, and positionals in any order.
 */
#ifndef IMGTOOL_OPTS_H
#define IMGTOOL_OPTS_H

#include <stdbool.h>

#define OPT_MAX_VALUES 32
#define OPT_MAX_POS 4

struct opt_spec {
    const char *shrt, *lng;  /* "-k", "--key" (either may be NULL) */
    int nargs;               /* 0 (flag), 1 or 2 */
    const char *help;
};

struct opt_seen {
    int count;
    const char *val[OPT_MAX_VALUES][2];
};

struct opt_result {
    struct opt_seen seen[64];  /* parallel to the spec table */
    const char *pos[OPT_MAX_POS];
    int npos;
    bool help;
};

/* 0 on success; on a usage error writes a message to err and returns -1. */
int opt_parse(const struct opt_spec *specs, int nspecs, int argc, char **argv,
              struct opt_result *r, char *err, int errcap);

/* Index of an option by long name in the table (programmer error: abort). */
int opt_index(const struct opt_spec *specs, int nspecs, const char *lng);

#endif
