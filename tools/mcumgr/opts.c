/*
 * The argument parser. Global flags are known up front; a command's own
 * flags are looked up in the union of every command's table while the
 * command words are still being collected, then checked against the chosen
 * command, so `mcumgr -c p image upload -n 0 f` and
 * `mcumgr image upload f -n 0 -c p` mean the same.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"

static const struct cli_opt global_opts[] = {
    { "conn", 'c', "name", "use a saved connection profile (see `mcumgr conn`)" },
    { "conntype", 0, "type", "connection type: serial, udp or ble" },
    { "connstring", 0, "str", "serial: dev=/dev/ttyACM0,baud=115200,mtu=512; udp: host:port; "
                              "ble: peer_name=NAME or peer_id=ADDRESS[,ctlr_name=hci0]" },
    { "connextra", 0, "str", "appended to the connection string" },
    { "timeout", 't', "sec", "per-request timeout in seconds, fractions allowed (default 10)" },
    { "tries", 'r', "n", "attempts per request on timeout (default 1)" },
    { "loglevel", 'l', "level", "error, warn, info (default) or debug (hex dump of every frame)" },
    { "verbose", 'v', NULL, "verbose: device parameters, chunk size, window, statistics" },
    { "json", 0, NULL, "print the device's response (or the error) as JSON" },
    { "output", 'o', "format", "text (default) or json" },
    { "smp-v1", 0, NULL, "speak only the original SMP version (default: SMP v2, falling back)" },
    { "help", 'h', NULL, "help for mcumgr or a command" },
    { "audit-db", 0, "path", "audit trail database (default $MCUTOOLS_AUDIT_DB, else ~/.local/state/mcutools/audit.db)" },
    { "operator", 0, "name", "operator recorded in the audit trail (default $MCUTOOLS_OPERATOR, else the login name)" },
    { "no-audit", 0, NULL, "run a state-changing command although it cannot be recorded (says so)" },
    { "name", 0, "ble-name", "name of the BLE device (conntype ble; overrides the profile's peer)" },
    { "write-rsp", 0, NULL, "BLE write with response (not supported: SMP writes without response)" },
    { "hci", 'i', "index", "BLE adapter index: 0 is hci0 (default: the first adapter)" },
    { "ompres", 0, "path", "OIC resource (not supported)" },
    { NULL, 0, NULL, NULL },
};

const struct cli_opt *cli_global_opts(void) { return global_opts; }

static const struct cli_opt *find_in(const struct cli_opt *t, const char *lng, char shrt)
{
    for (; t && (t->lng || t->shrt); t++)
        if ((lng && t->lng && strcmp(t->lng, lng) == 0) || (!lng && shrt && t->shrt == shrt))
            return t;
    return NULL;
}

/* Any command's flag with this name: only to know whether it takes a value. */
static const struct cli_opt *find_any_cmd(const struct cli_cmd *t, const char *lng, char shrt)
{
    for (; t && t->name; t++) {
        const struct cli_opt *o = find_in(t->opts, lng, shrt);
        if (o)
            return o;
        o = find_any_cmd(t->sub, lng, shrt);
        if (o)
            return o;
    }
    return NULL;
}

struct pending_opt {
    const struct cli_opt *opt;
    bool global;
    const char *val;
    char shown[2 + 64]; /* as the user wrote it ("--" + a name[64]), for messages */
};

struct parse_state {
    struct pending_opt opts[64];
    int nopts;
    char **pos;
    int npos;
};

static int add_opt(struct cli_ctx *cx, struct parse_state *ps, const char *lng, char shrt,
                   const char *inline_val, int *i, int argc, char **argv)
{
    const struct cli_opt *o = find_in(global_opts, lng, shrt);
    bool global = o != NULL;
    struct pending_opt *p;
    char shown[sizeof p->shown];

    if (lng)
        snprintf(shown, sizeof shown, "--%s", lng);
    else
        snprintf(shown, sizeof shown, "-%c", shrt);
    if (!o)
        o = find_any_cmd(cli_root, lng, shrt);
    if (!o)
        return out_usage(cx, "unknown flag: %s", shown);
    if (ps->nopts == (int)(sizeof ps->opts / sizeof ps->opts[0]))
        return out_usage(cx, "too many flags");
    p = &ps->opts[ps->nopts++];
    p->opt = o;
    p->global = global;
    snprintf(p->shown, sizeof p->shown, "%s", shown);
    if (!o->argname) {
        if (inline_val)
            return out_usage(cx, "flag %s takes no value", shown);
        p->val = "1";
        return EXIT_OK;
    }
    if (inline_val) {
        p->val = inline_val;
        return EXIT_OK;
    }
    if (*i + 1 >= argc)
        return out_usage(cx, "flag needs an argument: %s", shown);
    p->val = argv[++*i];
    return EXIT_OK;
}

static int scan(struct cli_ctx *cx, int argc, char **argv, struct parse_state *ps)
{
    for (int i = 1; i < argc; i++) {
        char *arg = argv[i];
        int rc = EXIT_OK;

        if (strcmp(arg, "--") == 0) {
            while (++i < argc)
                ps->pos[ps->npos++] = argv[i];
            break;
        }
        if (arg[0] != '-' || arg[1] == '\0') {
            ps->pos[ps->npos++] = arg;
            continue;
        }
        if (arg[1] == '-') {
            char name[64];
            const char *eq = strchr(arg + 2, '=');
            size_t n = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
            if (n >= sizeof name)
                return out_usage(cx, "unknown flag: %s", arg);
            memcpy(name, arg + 2, n);
            name[n] = '\0';
            rc = add_opt(cx, ps, name, 0, eq ? eq + 1 : NULL, &i, argc, argv);
        } else {
            /* -abc: bundled booleans; the first flag with a value takes the rest */
            for (const char *c = arg + 1; *c && rc == EXIT_OK; c++) {
                const struct cli_opt *o = find_in(global_opts, NULL, *c);
                if (!o)
                    o = find_any_cmd(cli_root, NULL, *c);
                if (o && o->argname && c[1]) {
                    rc = add_opt(cx, ps, NULL, *c, c + 1, &i, argc, argv);
                    break;
                }
                rc = add_opt(cx, ps, NULL, *c, NULL, &i, argc, argv);
            }
        }
        if (rc != EXIT_OK)
            return rc;
    }
    return EXIT_OK;
}

/* 0, or -1 when the value is not a number of that kind: the caller's
 * message names the flag's range, so this one prints nothing. */
static int parse_number(const struct pending_opt *p, double *out, bool integer)
{
    char *end;
    double v = strtod(p->val, &end);
    if (*p->val == '\0' || *end || v < 0 || (integer && v != (double)(long)v))
        return -1;
    *out = v;
    return 0;
}

static int apply_global(struct cli_ctx *cx, const struct pending_opt *p, struct cli_args *a)
{
    const char *n = p->opt->lng;
    double v;

    if (!strcmp(n, "conn")) cx->conn_profile = p->val;
    else if (!strcmp(n, "conntype")) cx->conntype = p->val;
    else if (!strcmp(n, "connstring")) cx->connstring = p->val;
    else if (!strcmp(n, "connextra")) cx->connextra = p->val;
    else if (!strcmp(n, "verbose")) cx->verbose = true;
    else if (!strcmp(n, "json")) cx->json = true;
    else if (!strcmp(n, "smp-v1")) cx->smp_v1 = true;
    else if (!strcmp(n, "help")) a->help = true;
    else if (!strcmp(n, "audit-db")) cx->audit_db = p->val;
    else if (!strcmp(n, "operator")) cx->operator_name = p->val;
    else if (!strcmp(n, "no-audit")) cx->no_audit = true;
    else if (!strcmp(n, "name")) cx->ble_name = p->val;
    else if (!strcmp(n, "hci")) {
        if (parse_number(p, &v, true) || v > 255)
            return out_usage(cx, "invalid hci index \"%s\" (0..255)", p->val);
        cx->hci = (int)v;
    }
    else if (!strcmp(n, "output")) {
        if (strcmp(p->val, "json") && strcmp(p->val, "text"))
            return out_usage(cx, "invalid output format \"%s\" (text or json)", p->val);
        cx->json = !strcmp(p->val, "json");
    } else if (!strcmp(n, "timeout")) {
        if (parse_number(p, &v, false) || v <= 0 || v > 3600)
            return out_usage(cx, "invalid timeout \"%s\" (seconds, > 0)", p->val);
        cx->timeout_s = v;
    } else if (!strcmp(n, "tries")) {
        if (parse_number(p, &v, true) || v < 1 || v > 16)
            return out_usage(cx, "invalid tries \"%s\" (1..16)", p->val);
        cx->tries = (int)v;
    } else if (!strcmp(n, "loglevel")) {
        static const char *levels[] = { "panic", "fatal", "error", "warn", "warning",
                                        "info", "debug", "trace" };
        bool ok = false;
        for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
            ok |= strcmp(p->val, levels[i]) == 0;
        if (!ok)
            return out_usage(cx, "invalid log level \"%s\"", p->val);
        cx->loglevel = p->val;
    }
    /* --write-rsp and --ompres are accepted and ignored, as unused elsewhere */
    return EXIT_OK;
}

/* Walks the command words through the table. */
static int resolve(struct cli_ctx *cx, struct parse_state *ps, struct cli_args *a)
{
    const struct cli_cmd *t = cli_root;
    int i = 0;

    cx->cmd = NULL;
    cx->cmd_path[0] = '\0';
    while (i < ps->npos && t) {
        const struct cli_cmd *c = t;
        while (c->name && strcmp(c->name, ps->pos[i]))
            c++;
        if (!c->name) {
            if (a->help)
                break;
            if (!cx->cmd)
                return out_usage(cx, "unknown command \"%s\" for \"mcumgr\"", ps->pos[i]);
            if (cx->cmd->run)
                break; /* a command with arguments */
            return out_usage(cx, "unknown command \"%s\" for \"mcumgr %s\"", ps->pos[i], cx->cmd_path);
        }
        cx->cmd = c;
        size_t l = strlen(cx->cmd_path);
        snprintf(cx->cmd_path + l, sizeof cx->cmd_path - l, "%s%s", l ? " " : "", c->name);
        i++;
        t = c->sub;
    }
    a->argc = ps->npos - i;
    a->argv = ps->pos + i;
    return EXIT_OK;
}

int cli_parse_args(struct cli_ctx *cx, int argc, char **argv, struct cli_args *a)
{
    static struct parse_state ps;
    int rc;

    memset(a, 0, sizeof *a);
    ps.pos = calloc((size_t)argc + 1, sizeof *ps.pos);
    if (!ps.pos)
        return EXIT_FAIL;
    rc = scan(cx, argc, argv, &ps);
    for (int k = 0; rc == EXIT_OK && k < ps.nopts; k++)
        if (ps.opts[k].global)
            rc = apply_global(cx, &ps.opts[k], a);
    if (rc == EXIT_OK)
        rc = resolve(cx, &ps, a);
    for (int k = 0; rc == EXIT_OK && k < ps.nopts; k++) {
        const struct pending_opt *p = &ps.opts[k];
        const struct cli_opt *mine;
        if (p->global)
            continue;
        mine = cx->cmd ? find_in(cx->cmd->opts, p->opt->lng, p->opt->lng ? 0 : p->opt->shrt) : NULL;
        if (!mine && cx->cmd && p->opt->shrt && !strchr(p->shown + 1, '-'))
            mine = find_in(cx->cmd->opts, NULL, p->opt->shrt);
        if (!mine)
            rc = out_usage(cx, "unknown flag: %s%s%s", p->shown, cx->cmd ? " for command " : "",
                           cx->cmd ? cx->cmd_path : "");
        else if (cx->ncmd_opts < CLI_MAX_OPTS)
            cx->cmd_opts[cx->ncmd_opts++] = (struct cli_optval){ mine, p->val };
    }
    return rc;
}

const char *cli_opt_get(const struct cli_ctx *cx, const char *lng)
{
    const char *v = NULL;
    for (int i = 0; i < cx->ncmd_opts; i++)
        if (cx->cmd_opts[i].opt->lng && strcmp(cx->cmd_opts[i].opt->lng, lng) == 0)
            v = cx->cmd_opts[i].val; /* the last one wins, as in pflag */
    return v;
}

bool cli_opt_set(const struct cli_ctx *cx, const char *lng)
{
    return cli_opt_get(cx, lng) != NULL;
}

int cli_parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
    char *end;
    /* strtoull would take a sign or leading blanks: a count never has them */
    if (!s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    *out = strtoull(s, &end, 0);
    return errno || *end || *out > max ? -1 : 0;
}
