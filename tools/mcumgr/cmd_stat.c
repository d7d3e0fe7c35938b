/* Statistics commands: `stat list`, `stat <group>` (Go mcumgr) and
 * `stat show [group]` (every group when none is named, as the user's
 * guide uses it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "client/mgmt.h"
#include "commands.h"

static char g_names[CLIENT_MAX_ENTRIES][CLIENT_NAME_MAX];
static struct client_stat_field g_fields[CLIENT_MAX_ENTRIES];
static struct client_rsp g_rsp;

static void print_group(struct cli_ctx *cx, const char *name, const struct client_stat_field *f,
                        size_t n)
{
    out_line(cx, "stat group: %s", name);
    if (n == 0)
        out_line(cx, "    (empty)");
    for (size_t i = 0; i < n; i++)
        out_line(cx, "%10llu %s", (unsigned long long)f[i].value, f[i].name);
}

/* The group name the device answered with (`name`, Mynewt's `group`), or
 * the one asked for. */
static void answered_name(const struct client_rsp *rsp, const char *asked, char *out, size_t cap)
{
    const char *t;
    size_t n;
    if (cbor_map_get_text(&rsp->body, "name", &t, &n) != 1 &&
        cbor_map_get_text(&rsp->body, "group", &t, &n) != 1) {
        t = asked;
        n = strlen(asked);
    }
    if (n >= cap)
        n = cap - 1;
    memcpy(out, t, n);
    out[n] = '\0';
}

static int read_one(struct cli_ctx *cx, const char *group)
{
    char name[CLIENT_NAME_MAX];
    size_t n;
    int rc = client_stat_read(&cx->sess, group, g_fields, CLIENT_MAX_ENTRIES, &n, &g_rsp);

    if (rc)
        return out_client_error(cx, rc);
    if (out_json_answer(cx, &g_rsp.body))
        return EXIT_OK;
    answered_name(&g_rsp, group, name, sizeof name);
    print_group(cx, name, g_fields, n);
    return EXIT_OK;
}

static int stat_list(struct cli_ctx *cx, int argc, char **argv)
{
    size_t n;
    int rc;

    (void)argv;
    if (argc)
        return out_usage(cx, "stat list takes no arguments");
    rc = client_stat_list(&cx->sess, g_names, CLIENT_MAX_ENTRIES, &n, &g_rsp);
    if (rc)
        return out_client_error(cx, rc);
    if (out_json_answer(cx, &g_rsp.body))
        return EXIT_OK;
    if (n == 0) {
        out_line(cx, "stat groups: none");
        return EXIT_OK;
    }
    out_line(cx, "stat groups:");
    for (size_t i = 0; i < n; i++)
        out_line(cx, "    %s", g_names[i]);
    return EXIT_OK;
}

/* Every group: JSON mode gathers {group: response body, ...}. */
static int show_all(struct cli_ctx *cx)
{
    cJSON *all = cx->json ? cJSON_CreateObject() : NULL;
    size_t n, nf;
    int rc = client_stat_list(&cx->sess, g_names, CLIENT_MAX_ENTRIES, &n, &g_rsp);

    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = client_stat_read(&cx->sess, g_names[i], g_fields, CLIENT_MAX_ENTRIES, &nf, &g_rsp);
        if (rc)
            break;
        if (all) {
            char *s = client_cbor_to_json(&g_rsp.body, false);
            cJSON_AddItemToObject(all, g_names[i], s ? cJSON_Parse(s) : cJSON_CreateNull());
            free(s);
        } else {
            char name[CLIENT_NAME_MAX];
            answered_name(&g_rsp, g_names[i], name, sizeof name);
            print_group(cx, name, g_fields, nf);
        }
    }
    if (rc == 0 && all)
        out_json_doc(cx, all); /* frees it */
    else
        cJSON_Delete(all);
    if (rc)
        return out_client_error(cx, rc);
    if (n == 0 && !cx->json)
        out_line(cx, "stat groups: none");
    return EXIT_OK;
}

static int stat_show(struct cli_ctx *cx, int argc, char **argv)
{
    if (argc > 1)
        return out_usage(cx, "stat show takes at most one group name (see `mcumgr stat list`)");
    return argc ? read_one(cx, argv[0]) : show_all(cx);
}

int cmd_stat(struct cli_ctx *cx, int argc, char **argv)
{
    if (argc != 1)
        return out_usage(cx, "stat needs a group name, or list / show [group] "
                             "(see `mcumgr stat list`)");
    return read_one(cx, argv[0]);
}

const struct cli_cmd cli_stat_cmds[] = {
    { "list", NULL, "list the device's statistics groups", stat_list, CLI_NEEDS_CONN, NULL, NULL },
    { "show", "[group]", "show the counters of one group, or of every group", stat_show,
      CLI_NEEDS_CONN, NULL, NULL },
    { NULL, NULL, NULL, NULL, 0, NULL, NULL },
};
