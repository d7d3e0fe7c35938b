/* Command-line parsing in the Go (cobra/pflag) manner: flags before or
 * after the command words, --flag=value, -t5, bundled short booleans, "--". */
#ifndef MCUMGR_OPTS_H
#define MCUMGR_OPTS_H

#include "cli.h"

struct cli_args {
    int argc;          /* positional arguments after the command words */
    char **argv;
    bool help;
};

int cli_parse_args(struct cli_ctx *cx, int argc, char **argv, struct cli_args *a);

#endif
