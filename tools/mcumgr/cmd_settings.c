/* Settings commands: the Go tool's `config <name> [value]` / `config save`,
 * and `settings read|write|delete|commit|load|save` for the whole group 3.
 * Values are bytes; they print as text when every byte is printable and
 * as hex otherwise (or always with --hex). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/mgmt.h"
#include "commands.h"

#define VALUE_MAX 2048

static struct client_rsp g_rsp;

static bool printable(const uint8_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] < 0x20 || v[i] > 0x7e)
            return false;
    return n > 0;
}

static void print_value(struct cli_ctx *cx, const uint8_t *v, size_t n, bool hex)
{
    static char buf[VALUE_MAX * 2 + 1];
    if (!hex && printable(v, n)) {
        out_line(cx, "Value: %.*s", (int)n, (const char *)v);
        return;
    }
    for (size_t i = 0; i < n; i++)
        sprintf(buf + 2 * i, "%02x", v[i]);
    buf[2 * n] = '\0';
    out_line(cx, "Value (hex): %s", buf);
}

static int do_read(struct cli_ctx *cx, const char *name, bool hex)
{
    static uint8_t val[VALUE_MAX];
    size_t len = 0;
    int rc = client_settings_read(&cx->sess, name, val, sizeof val, &len, &g_rsp);

    if (rc)
        return out_client_error(cx, rc);
    if (out_json_answer(cx, &g_rsp.body))
        return EXIT_OK;
    print_value(cx, val, len < sizeof val ? len : sizeof val, hex);
    return EXIT_OK;
}

static int do_write(struct cli_ctx *cx, const char *name, const char *value, bool hex, bool text)
{
    static uint8_t val[VALUE_MAX];
    size_t len = strlen(value);
    char detail[256];
    int rc;

    if (hex) {
        if (*value == '\0')
            len = 0;
        else if (cli_parse_hex(value, val, sizeof val, &len) != 0)
            return out_usage(cx, "invalid hex value \"%.40s\"", value);
    } else {
        if (len > sizeof val)
            return out_fail(cx, "the value is %zu bytes; at most %d are sent", len, VALUE_MAX);
        memcpy(val, value, len);
    }
    rc = client_settings_write(&cx->sess, name, val, len, text);
    snprintf(detail, sizeof detail, "%.120s (%zu bytes)", name, len);
    cli_record_state_change(cx, "settings write", detail, rc);
    return out_done(cx, rc);
}

/* ---- config (Go mcumgr) ---- */

int cmd_config(struct cli_ctx *cx, int argc, char **argv)
{
    int rc;

    if (argc == 1 && strcmp(argv[0], "save") == 0) {
        rc = client_settings_save(&cx->sess, NULL);
        cli_record_state_change(cx, "settings save", "", rc);
        return out_done(cx, rc);
    }
    if (argc == 1)
        return do_read(cx, argv[0], false);
    if (argc == 2)
        return do_write(cx, argv[0], argv[1], false, true); /* Go sends text */
    return out_usage(cx, "config needs <name> to read, <name> <value> to write, or save");
}

/* ---- settings ---- */

static const struct cli_opt read_opts[] = {
    { "hex", 0, NULL, "print the value as hex even when it is printable text" },
    { NULL, 0, NULL, NULL },
};

static const struct cli_opt write_opts[] = {
    { "hex", 0, NULL, "the value is given as hex bytes (e.g. 01ff)" },
    { "text", 0, NULL, "send the value as a CBOR text string (Mynewt) instead of bytes (Zephyr)" },
    { NULL, 0, NULL, NULL },
};

static int settings_read(struct cli_ctx *cx, int argc, char **argv)
{
    if (argc != 1)
        return out_usage(cx, "settings read needs exactly one setting name");
    return do_read(cx, argv[0], cli_opt_set(cx, "hex"));
}

static int settings_write(struct cli_ctx *cx, int argc, char **argv)
{
    if (argc != 2)
        return out_usage(cx, "settings write needs a setting name and a value");
    if (cli_opt_set(cx, "hex") && cli_opt_set(cx, "text"))
        return out_usage(cx, "--hex and --text exclude each other");
    return do_write(cx, argv[0], argv[1], cli_opt_set(cx, "hex"), cli_opt_set(cx, "text"));
}

static int settings_delete(struct cli_ctx *cx, int argc, char **argv)
{
    int rc;
    if (argc != 1)
        return out_usage(cx, "settings delete needs exactly one setting name");
    rc = client_settings_delete(&cx->sess, argv[0]);
    cli_record_state_change(cx, "settings delete", argv[0], rc);
    return out_done(cx, rc);
}

static int settings_commit(struct cli_ctx *cx, int argc, char **argv)
{
    int rc;
    (void)argv;
    if (argc)
        return out_usage(cx, "settings commit takes no arguments");
    rc = client_settings_commit(&cx->sess);
    cli_record_state_change(cx, "settings commit", "", rc);
    return out_done(cx, rc);
}

static int settings_load(struct cli_ctx *cx, int argc, char **argv)
{
    (void)argv;
    if (argc)
        return out_usage(cx, "settings load takes no arguments");
    return out_done(cx, client_settings_load(&cx->sess));
}

static int settings_save(struct cli_ctx *cx, int argc, char **argv)
{
    int rc;
    if (argc > 1)
        return out_usage(cx, "settings save takes at most one subtree name");
    rc = client_settings_save(&cx->sess, argc ? argv[0] : NULL);
    cli_record_state_change(cx, "settings save", argc ? argv[0] : "", rc);
    return out_done(cx, rc);
}

const struct cli_cmd cli_settings_cmds[] = {
    { "read", "<name>", "read a setting", settings_read, CLI_NEEDS_CONN, read_opts, NULL },
    { "write", "<name> <value>", "write a setting", settings_write,
      CLI_NEEDS_CONN | CLI_CHANGES_STATE, write_opts, NULL },
    { "delete", "<name>", "delete a setting", settings_delete, CLI_NEEDS_CONN | CLI_CHANGES_STATE,
      NULL, NULL },
    { "commit", NULL, "apply the written settings", settings_commit,
      CLI_NEEDS_CONN | CLI_CHANGES_STATE, NULL, NULL },
    { "load", NULL, "reload the settings from storage", settings_load, CLI_NEEDS_CONN, NULL, NULL },
    { "save", "[subtree]", "save the settings to storage", settings_save,
      CLI_NEEDS_CONN | CLI_CHANGES_STATE, NULL, NULL },
    { NULL, NULL, NULL, NULL, 0, NULL, NULL },
};
