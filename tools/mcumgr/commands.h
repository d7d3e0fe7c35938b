/* Entry points of the command families, referenced by the table in commands.c. */
#ifndef MCUMGR_COMMANDS_H
#define MCUMGR_COMMANDS_H

#include "cli.h"

extern const struct cli_cmd cli_conn_cmds[];
extern const struct cli_cmd cli_image_cmds[];
extern const struct cli_cmd cli_audit_cmds[];
extern const struct cli_opt cli_reset_opts[];

int cmd_echo(struct cli_ctx *cx, int argc, char **argv);
int cmd_reset(struct cli_ctx *cx, int argc, char **argv);
int cmd_params(struct cli_ctx *cx, int argc, char **argv);

#endif
