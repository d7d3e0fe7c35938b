/* Entry points of the command families, referenced by the table in commands.c. */
#ifndef MCUMGR_COMMANDS_H
#define MCUMGR_COMMANDS_H

#include "cli.h"

extern const struct cli_cmd cli_conn_cmds[];
extern const struct cli_cmd cli_image_cmds[];
extern const struct cli_cmd cli_audit_cmds[];
extern const struct cli_opt cli_reset_opts[];
extern const struct cli_cmd cli_os_cmds[];       /* cmd_osinfo.c */
extern const struct cli_cmd cli_stat_cmds[];     /* cmd_stat.c */
extern const struct cli_cmd cli_settings_cmds[]; /* cmd_settings.c */
extern const struct cli_cmd cli_fs_cmds[];       /* cmd_fs.c */
extern const struct cli_cmd cli_shell_cmds[];    /* cmd_shell.c */
extern const struct cli_cmd cli_enum_cmds[];     /* cmd_enum.c */
extern const struct cli_cmd cli_basic_cmds[];    /* cmd_enum.c */
extern const struct cli_cmd cli_ble_cmds[];      /* cmd_ble.c */

int cmd_echo(struct cli_ctx *cx, int argc, char **argv);
int cmd_reset(struct cli_ctx *cx, int argc, char **argv);
int cmd_params(struct cli_ctx *cx, int argc, char **argv);
int cmd_taskstat(struct cli_ctx *cx, int argc, char **argv);
int cmd_mpstat(struct cli_ctx *cx, int argc, char **argv);
int cmd_datetime(struct cli_ctx *cx, int argc, char **argv);
int cmd_bootloader(struct cli_ctx *cx, int argc, char **argv);
int cmd_stat(struct cli_ctx *cx, int argc, char **argv);
int cmd_config(struct cli_ctx *cx, int argc, char **argv);
int cmd_dfu(struct cli_ctx *cx, int argc, char **argv);
extern const struct cli_opt cli_dfu_opts[];

/* The decision and checks of a checked update, shared by `dfu` and
 * `fleet update`: the option entries, and their parser (EXIT_OK or a usage
 * error printed). */
#define CLI_DFU_OPTS                                                                          \
    { "confirm", 0, NULL, "confirm the new image once it runs (stays across resets)" },         \
    { "yes", 'y', NULL, "same as --confirm" },                                                 \
    { "revert", 0, NULL, "reset again without confirming: the previous image comes back" },     \
    { "trial", 0, NULL, "leave the new image running unconfirmed (the default; the next "       \
                        "reset reverts)" },                                                    \
    { "force", 0, NULL, "accept an image that is not newer than the running one" },            \
    { "key", 0, "pem", "check the image's signature against this key before anything is sent" }, \
    { "boot-wait", 0, "seconds", "how long a device may take to come back after a reset "      \
                                 "(default 60)" },                                             \
    { "max-size", 0, "bytes", "refuse an image larger than this before anything is sent "       \
                              "(decimal or 0x hex; default: the device decides)" },            \
    { "image-cache", 0, "dir", "images shipped earlier: send a patch from the running one "     \
                               "when the device takes deltas and it is smaller; keep this one" }
struct dfu_opts;
int cli_dfu_opts_parse(struct cli_ctx *cx, struct dfu_opts *o);
/* Audit records of a checked update: one for a run (action, ok, detail),
 * and one for each step that changes the device (upload, test, reset and
 * the decision), from the engine's event and its result so far. The
 * record's device is `name (identity)`: the name the user knows it by
 * (inventory name, --name, else its connection) and the identity it told
 * (r->device_id), so either finds it in `audit list --device`. */
struct dfu_result;
struct dfu_event;
void cli_record_dfu(struct cli_ctx *cx, const char *device, const char *connection,
                    const char *action, const struct dfu_result *r, bool ok, const char *detail);
void cli_record_dfu_step(struct cli_ctx *cx, const char *device, const char *connection,
                         const struct dfu_event *ev, const struct dfu_result *r);
extern const struct cli_cmd cli_fleet_cmds[];   /* cmd_fleet.c */

/* Reads an image file (image upload, dfu) and checks that it is a whole
 * signed image, honouring --no-check; prints why not and returns EXIT_FAIL. */
int cli_load_image(struct cli_ctx *cx, const char *path, uint8_t **data, size_t *len);

#endif
