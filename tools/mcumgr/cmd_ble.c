/* `ble scan [SECONDS]`: the SMP devices an adapter sees (BlueZ over D-Bus). */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "commands.h"

#define SCAN_MAX 64
#define DEFAULT_SCAN_S 3.0

static int parse_seconds(struct cli_ctx *cx, int argc, char **argv, double *s)
{
    char *end;
    *s = DEFAULT_SCAN_S;
    if (argc > 1)
        return out_usage(cx, "ble scan takes at most one argument (seconds)");
    if (argc == 0)
        return EXIT_OK;
    *s = strtod(argv[0], &end);
    if (end == argv[0] || *end || *s < 0.1 || *s > 600)
        return out_usage(cx, "invalid scan time \"%s\" (seconds, 0.1..600)", argv[0]);
    return EXIT_OK;
}

static void print_json(struct cli_ctx *cx, const struct client_ble_device *d, size_t n)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", d[i].name);
        cJSON_AddStringToObject(o, "address", d[i].addr);
        if (d[i].has_rssi)
            cJSON_AddNumberToObject(o, "rssi", d[i].rssi);
        else
            cJSON_AddNullToObject(o, "rssi");
        cJSON_AddItemToArray(arr, o);
    }
    out_json_doc(cx, arr);
}

static int ble_scan(struct cli_ctx *cx, int argc, char **argv)
{
    static struct client_ble_device found[SCAN_MAX];
    char err[768], ctlr[16] = "";
    size_t n = 0;
    double s;
    int rc = parse_seconds(cx, argc, argv, &s);

    if (rc != EXIT_OK)
        return rc;
    if (cx->hci >= 0)
        snprintf(ctlr, sizeof ctlr, "hci%d", cx->hci);
    rc = client_ble_scan(ctlr, (unsigned)(s * 1000), found, SCAN_MAX, &n, err, sizeof err);
    if (rc == CLIENT_ERR_INTERRUPTED)
        return out_fail(cx, "interrupted");
    if (rc)
        return out_fail(cx, "%s", err);
    if (cx->json) {
        print_json(cx, found, n);
        return EXIT_OK;
    }
    if (n == 0) {
        out_line(cx, "No SMP devices found in %.1f s", s);
        return EXIT_OK;
    }
    out_line(cx, "%-30s %-17s %s", "NAME", "ADDRESS", "RSSI");
    for (size_t i = 0; i < n; i++) {
        char rssi[16] = "-";
        if (found[i].has_rssi)
            snprintf(rssi, sizeof rssi, "%d dBm", found[i].rssi);
        out_line(cx, "%-30s %-17s %s%s", found[i].name[0] ? found[i].name : "(no name)",
                 found[i].addr, rssi, found[i].connected ? " (connected)" : "");
    }
    return EXIT_OK;
}

const struct cli_cmd cli_ble_cmds[] = {
    { "scan", "[seconds]", "list the SMP devices in range: name, address, RSSI (-i N: adapter hciN)",
      ble_scan, 0, NULL, NULL },
    { NULL, NULL, NULL, NULL, 0, NULL, NULL },
};
