/* Enumeration commands (group 10): `enum count|list|single [index]|details
 * [group...]`, and the Zephyr basic group's `basic erase-storage`. Group
 * numbers print with their names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "client/mgmt.h"
#include "commands.h"

static struct client_rsp g_rsp;

static int enum_count(struct cli_ctx *cx, int argc, char **argv)
{
    uint64_t count;
    int rc;

    (void)argv;
    if (argc)
        return out_usage(cx, "enum count takes no arguments");
    rc = client_enum_count(&cx->sess, &count);
    if (rc)
        return out_client_error(cx, rc);
    if (cx->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "count", (double)count);
        out_json_doc(cx, o);
    } else {
        out_line(cx, "groups: %llu", (unsigned long long)count);
    }
    return EXIT_OK;
}

static int enum_list(struct cli_ctx *cx, int argc, char **argv)
{
    uint16_t ids[CLIENT_MAX_ENTRIES];
    size_t n;
    int rc;

    (void)argv;
    if (argc)
        return out_usage(cx, "enum list takes no arguments");
    rc = client_enum_list(&cx->sess, ids, CLIENT_MAX_ENTRIES, &n, &g_rsp);
    if (rc)
        return out_client_error(cx, rc);
    if (out_json_answer(cx, &g_rsp.body))
        return EXIT_OK;
    out_line(cx, "groups:");
    for (size_t i = 0; i < n; i++)
        out_line(cx, "    %3u %s", ids[i], smp_group_name(ids[i]));
    return EXIT_OK;
}

static int enum_single(struct cli_ctx *cx, int argc, char **argv)
{
    unsigned long long index = 0;
    uint16_t id;
    bool end;
    int rc;

    if (argc > 1 || (argc == 1 && cli_parse_uint(argv[0], 0xffffffffULL, &index) != 0))
        return out_usage(cx, "enum single takes an optional index (0, 1, ...)");
    rc = client_enum_single(&cx->sess, index, &id, &end, &g_rsp);
    if (rc)
        return out_client_error(cx, rc);
    if (out_json_answer(cx, &g_rsp.body))
        return EXIT_OK;
    out_line(cx, "group: %u %s%s", id, smp_group_name(id), end ? " (last)" : "");
    return EXIT_OK;
}

static int enum_details(struct cli_ctx *cx, int argc, char **argv)
{
    static struct client_group_info g[CLIENT_MAX_ENTRIES];
    uint16_t filter[CLIENT_MAX_ENTRIES];
    size_t n;
    int rc;

    if (argc > CLIENT_MAX_ENTRIES)
        return out_usage(cx, "too many group numbers");
    for (int i = 0; i < argc; i++) {
        unsigned long long v;
        if (cli_parse_uint(argv[i], 0xffff, &v) != 0)
            return out_usage(cx, "invalid group number \"%s\" (0..65535)", argv[i]);
        filter[i] = (uint16_t)v;
    }
    rc = client_enum_details(&cx->sess, filter, (size_t)argc, g, CLIENT_MAX_ENTRIES, &n, &g_rsp);
    if (rc)
        return out_client_error(cx, rc);
    if (out_json_answer(cx, &g_rsp.body))
        return EXIT_OK;
    out_line(cx, "%5s %-12s %s", "group", "name", "handlers");
    for (size_t i = 0; i < n; i++) {
        char h[24] = "-";
        if (g[i].has_handlers)
            snprintf(h, sizeof h, "%llu", (unsigned long long)g[i].handlers);
        out_line(cx, "%5u %-12s %s", g[i].id, g[i].name[0] ? g[i].name : smp_group_name(g[i].id), h);
    }
    return EXIT_OK;
}

const struct cli_cmd cli_enum_cmds[] = {
    { "count", NULL, "how many management groups the device supports", enum_count, CLI_NEEDS_CONN,
      NULL, NULL },
    { "list", NULL, "list the management groups the device supports", enum_list, CLI_NEEDS_CONN,
      NULL, NULL },
    { "single", "[index]", "show the group at this index of the device's list", enum_single,
      CLI_NEEDS_CONN, NULL, NULL },
    { "details", "[group...]", "show name and command count of every (or the given) group",
      enum_details, CLI_NEEDS_CONN, NULL, NULL },
    { NULL, NULL, NULL, NULL, 0, NULL, NULL },
};

static int basic_erase_storage(struct cli_ctx *cx, int argc, char **argv)
{
    int rc;

    (void)argv;
    if (argc)
        return out_usage(cx, "basic erase-storage takes no arguments");
    rc = client_storage_erase(&cx->sess);
    cli_record_state_change(cx, "basic erase-storage", "settings and files", rc);
    return out_done(cx, rc);
}

const struct cli_cmd cli_basic_cmds[] = {
    { "erase-storage", NULL, "erase the storage partition (all settings and files)",
      basic_erase_storage, CLI_NEEDS_CONN | CLI_CHANGES_STATE, NULL, NULL },
    { NULL, NULL, NULL, NULL, 0, NULL, NULL },
};
