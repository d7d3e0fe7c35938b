/*
 * The mcumgr CLI: shared types of the command table, the option parser and
 * the output helpers. Commands live one family per file (cmd_*.c) and are
 * plain table entries, so a new management group plugs in as a new file and
 * one line in commands.c.
 */
#ifndef MCUMGR_CLI_H
#define MCUMGR_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "audit/policy.h"
#include "client/client.h"

/* EXIT_READER_GONE: the program reading stdout closed it early; the status
 * a shell reports for a tool that SIGPIPE ended (128 + 13), so pipelines
 * and `set -o pipefail` treat mcumgr like cat or grep. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_READER_GONE = 141 };

/* ---- options ---- */

struct cli_opt {
    const char *lng;      /* long name without dashes, or NULL */
    char shrt;            /* short letter, or 0 */
    const char *argname;  /* NULL for a boolean flag */
    const char *help;
};

#define CLI_MAX_OPTS 32
struct cli_optval {
    const struct cli_opt *opt;
    const char *val;      /* "1" for booleans */
};

/* ---- commands ---- */

struct cli_ctx;
struct cli_cmd {
    const char *name;
    const char *args;             /* usage of positional arguments */
    const char *summary;
    int (*run)(struct cli_ctx *cx, int argc, char **argv);
    unsigned flags;
    const struct cli_opt *opts;   /* command flags, NULL-terminated by lng==NULL&&shrt==0 */
    const struct cli_cmd *sub;    /* child table, terminated by name == NULL */
};
#define CLI_NEEDS_CONN 1u
/* The command always changes the device (its own report names it by its
 * path, e.g. "image upload"): an attempt that never reaches the device is
 * recorded in the audit trail too. Commands that change it only with a
 * value (config, datetime) are not flagged. */
#define CLI_CHANGES_STATE 2u

extern const struct cli_cmd cli_root[];

/* ---- the run-time context ---- */

struct cli_ctx {
    const char *prog;
    /* global options */
    const char *conn_profile, *conntype, *connstring, *connextra;
    const char *ble_name;         /* --name: the BLE peer */
    int hci;                      /* -i/--hci: the adapter index; -1 = not given */
    double timeout_s;
    int tries;
    const char *loglevel;
    bool verbose, json, smp_v1;
    const char *audit_db;         /* --audit-db: the audit trail (issue 6) */
    const char *operator_name;    /* --operator: who runs the command */
    bool no_audit;                /* --no-audit: run unrecorded (said on stderr) */
    bool audit_failed;            /* a record of this command could not be written */
    /* the leaf command's own flags */
    struct cli_optval cmd_opts[CLI_MAX_OPTS];
    int ncmd_opts;
    const struct cli_cmd *cmd;
    char cmd_path[64];
    /* the connection, opened by the runner when the command needs it */
    struct client_conn conn;
    struct client_transport tp;
    struct client_session sess;
    bool connected;
    struct audit_running before_reset; /* what ran before this command reset the device (reset, dfu) */
    bool reset_sent;              /* this command reset the device ... */
    uint32_t answers_at_reset;    /* ... when the session had this many answers */
    char conn_desc[300];
    volatile int interrupted;
};

/* Value of a command flag by long name (or NULL); flag presence. */
const char *cli_opt_get(const struct cli_ctx *cx, const char *lng);
bool cli_opt_set(const struct cli_ctx *cx, const char *lng);

/* ---- connection (connect.c) ---- */
/* Resolves the connection flags into cx->conn and cx->conn_desc, opening
 * nothing (a command that checks the port first); EXIT_OK or the error
 * printed. cli_connect() resolves, then opens. */
int cli_conn_resolve(struct cli_ctx *cx);
int cli_connect(struct cli_ctx *cx);
void cli_disconnect(struct cli_ctx *cx);
/* The profile file: $MCUMGR_CONN_FILE, else ~/.mcumgr.cp.json. */
const char *cli_profile_path(char *buf, size_t cap);

/* ---- output (out.c): every command prints through these ---- */
void out_line(struct cli_ctx *cx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* JSON mode: prints the decoded response body. */
void out_json_body(struct cli_ctx *cx, const struct cbor_value *body);
/* JSON mode: prints a cJSON document, then frees it. Every JSON document
 * mcumgr prints is built with cJSON, so every value is escaped. */
struct cJSON;
void out_json_doc(struct cli_ctx *cx, struct cJSON *doc);
/* JSON mode: {"key": "value"}, the value escaped (it may come from the device). */
void out_json_kv(struct cli_ctx *cx, const char *key, const char *value);
/* In JSON mode prints the device's decoded answer and returns true: the
 * command has nothing else to print. False in text mode. */
bool out_json_answer(struct cli_ctx *cx, const struct cbor_value *body);
/* The end of a command whose answer has nothing to show: the client error
 * (see out_client_error), else {} in JSON mode or "Done". The exit code. */
int out_done(struct cli_ctx *cx, int rc);
/* Usage error on stderr with a hint; returns EXIT_USAGE. */
int out_usage(struct cli_ctx *cx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Maps a client error to a message and an exit code (device errors show
 * rc, name, meaning and rsn). */
int out_client_error(struct cli_ctx *cx, int err);
int out_fail(struct cli_ctx *cx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* When this host reset the device moments ago: prints that it is still
 * rebooting (what: the symptom) and returns true; else prints nothing. */
bool out_explain_after_reset(struct cli_ctx *cx, const char *what);
void out_note(struct cli_ctx *cx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void out_help(const struct cli_cmd *cmd, const char *path);
/* Flushes stdout: OUT_FINISH_OK, OUT_FINISH_READER_GONE (quietly: the
 * reader closed the pipe), or OUT_FINISH_FAILED (said on stderr). */
enum { OUT_FINISH_OK, OUT_FINISH_READER_GONE, OUT_FINISH_FAILED };
int out_finish(void);

/* ---- audit (audit_hook.c) ---- */
/* The single place every state-changing command reports to (issue 6). */
void cli_record_state_change(struct cli_ctx *cx, const char *action, const char *detail, int result);
/* client_reset(), after noting the running image for the reset's record. */
int cli_reset_device(struct cli_ctx *cx, bool force);
/* After cli_connect() failed: a failed record when the command would have
 * changed the device; nothing for a read-only command. */
void cli_record_unreached(struct cli_ctx *cx);
/* Cheap device identity for the audit trail ("" when the device has none). */
void cli_device_identity(struct cli_ctx *cx, char *out, size_t cap);

/* ---- helpers ---- */
int cli_parse_hex(const char *hex, uint8_t *out, size_t cap, size_t *len);
/* A number argument (decimal, 0x hex) of at most max: 0, else -1. */
int cli_parse_uint(const char *s, unsigned long long max, unsigned long long *out);

#endif
