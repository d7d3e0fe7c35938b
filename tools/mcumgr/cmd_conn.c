/* `conn add|show|delete`: saved connection profiles (no device I/O). The
 * messages are the Go tool's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "commands.h"
#include "profiles.h"

static int load(struct cli_ctx *cx, char *path, size_t cap, struct cli_profile **p, size_t *n)
{
    char err[512];
    if (profiles_load(cli_profile_path(path, cap), p, n, err, sizeof err) != 0)
        return out_fail(cx, "%s", err);
    return EXIT_OK;
}

static int conn_add(struct cli_ctx *cx, int argc, char **argv)
{
    char path[1024], err[512];
    struct cli_profile *p, *np, prof;
    size_t n, i;
    int rc;

    if (argc < 1)
        return out_usage(cx, "Need connection profile name");
    memset(&prof, 0, sizeof prof);
    if (strlen(argv[0]) >= sizeof prof.name)
        return out_usage(cx, "connection profile name too long");
    strcpy(prof.name, argv[0]);
    for (int a = 1; a < argc; a++) {
        const char *eq = strchr(argv[a], '=');
        if (eq && !strncmp(argv[a], "type=", 5))
            snprintf(prof.type, sizeof prof.type, "%s", eq + 1);
        else if (eq && !strncmp(argv[a], "connstring=", 11))
            snprintf(prof.connstring, sizeof prof.connstring, "%s", eq + 1);
        else
            return out_usage(cx, "Unknown variable %s", argv[a]);
    }
    if (prof.type[0] && strcmp(prof.type, "serial") && strcmp(prof.type, "udp") &&
        strcmp(prof.type, "ble"))
        return out_usage(cx, "invalid conntype: \"%s\" (serial, udp or ble)", prof.type);
    rc = load(cx, path, sizeof path, &p, &n);
    if (rc)
        return rc;
    for (i = 0; i < n && strcmp(p[i].name, prof.name); i++)
        ;
    if (i == n) {
        np = realloc(p, (n + 1) * sizeof *p);
        if (!np) {
            free(p);
            return out_fail(cx, "out of memory");
        }
        p = np;
        n++;
    }
    p[i] = prof; /* adding an existing name replaces it, as in Go */
    rc = profiles_save(path, p, n, err, sizeof err);
    free(p);
    if (rc)
        return out_fail(cx, "%s", err);
    if (cx->json)
        out_json_kv(cx, "added", prof.name);
    else
        out_line(cx, "Connection profile %s successfully added", prof.name);
    return EXIT_OK;
}

static int conn_delete(struct cli_ctx *cx, int argc, char **argv)
{
    char path[1024], err[512];
    struct cli_profile *p;
    size_t n, k = 0;
    bool found = false;
    int rc;

    if (argc != 1)
        return out_usage(cx, "Need connection profile name");
    rc = load(cx, path, sizeof path, &p, &n);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(p[i].name, argv[0]))
            found = true;
        else
            p[k++] = p[i];
    }
    if (!found) {
        free(p);
        return out_fail(cx, "connection profile \"%s\" doesn't exist", argv[0]);
    }
    rc = profiles_save(path, p, k, err, sizeof err);
    free(p);
    if (rc)
        return out_fail(cx, "%s", err);
    if (cx->json)
        out_json_kv(cx, "deleted", argv[0]);
    else
        out_line(cx, "Connection profile %s successfully deleted.", argv[0]);
    return EXIT_OK;
}

static int conn_show(struct cli_ctx *cx, int argc, char **argv)
{
    char path[1024];
    struct cli_profile *p;
    size_t n, shown = 0;
    int rc;

    if (argc > 1)
        return out_usage(cx, "conn show takes at most one profile name");
    rc = load(cx, path, sizeof path, &p, &n);
    if (rc)
        return rc;
    if (cx->json) {
        cJSON *arr = cJSON_CreateArray();
        for (size_t i = 0; i < n; i++) {
            if (argc && strcmp(p[i].name, argv[0]))
                continue;
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "name", p[i].name);
            cJSON_AddStringToObject(o, "type", p[i].type);
            cJSON_AddStringToObject(o, "connstring", p[i].connstring);
            cJSON_AddItemToArray(arr, o);
        }
        out_json_doc(cx, arr);
        free(p);
        return EXIT_OK;
    }
    for (size_t i = 0; i < n; i++) {
        if (argc && strcmp(p[i].name, argv[0]))
            continue;
        if (shown++ == 0)
            out_line(cx, "Connection profiles: ");
        out_line(cx, "  %s: type=%s, connstring='%s'", p[i].name, p[i].type, p[i].connstring);
    }
    if (!shown) {
        if (argc)
            out_line(cx, "No connection profiles found matching %s", argv[0]);
        else
            out_line(cx, "No connection profiles found!");
    }
    free(p);
    return EXIT_OK;
}

const struct cli_cmd cli_conn_cmds[] = {
    { "add", "<name> [type=<serial|udp|ble>] [connstring=<str>]", "add or replace a connection profile",
      conn_add, 0, NULL, NULL },
    { "show", "[name]", "show connection profiles", conn_show, 0, NULL, NULL },
    { "delete", "<name>", "delete a connection profile", conn_delete, 0, NULL, NULL },
    { NULL, NULL, NULL, NULL, 0, NULL, NULL },
};
