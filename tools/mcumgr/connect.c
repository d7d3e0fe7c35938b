/*
 * Resolving the connection the Go way (profile, then --conntype,
 * --connstring, --connextra) and opening it. With nothing given at all the
 * target is the simulated board on UDP 127.0.0.1:1337, mcusim's default.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "profiles.h"

#define DEFAULT_CONNTYPE "udp"
#define DEFAULT_CONNSTRING "127.0.0.1:1337"

const char *cli_profile_path(char *buf, size_t cap)
{
    const char *env = getenv("MCUMGR_CONN_FILE");
    const char *home = getenv("HOME");
    if (env && *env)
        snprintf(buf, cap, "%s", env);
    else
        snprintf(buf, cap, "%s/.mcumgr.cp.json", home && *home ? home : ".");
    return buf;
}

static void log_frame(void *ctx, bool tx, const uint8_t *msg, size_t len)
{
    static int64_t t0 = -1;
    int64_t now = client_now_ms();
    (void)ctx;
    if (t0 < 0)
        t0 = now;
    fprintf(stderr, "%s %zu bytes at +%lld ms:", tx ? "TX" : "RX", len, (long long)(now - t0));
    for (size_t i = 0; i < len; i++)
        fprintf(stderr, "%s%02x", i % 32 == 0 ? "\n  " : " ", msg[i]);
    fputc('\n', stderr);
}

/* A connstring without a type: guess the type from its shape. */
static const char *guess_type(const char *cs)
{
    if (strstr(cs, "dev=") || cs[0] == '/' || !strncmp(cs, "COM", 3))
        return "serial";
    if (strstr(cs, "peer_name=") || strstr(cs, "peer_id="))
        return "ble";
    return "udp";
}

static int resolve(struct cli_ctx *cx, char *type, size_t tcap, char *cs, size_t ccap)
{
    char path[1024], err[512];

    type[0] = cs[0] = '\0';
    if (cx->conn_profile) {
        struct cli_profile *p;
        size_t n;
        bool found = false;
        if (profiles_load(cli_profile_path(path, sizeof path), &p, &n, err, sizeof err) != 0)
            return out_fail(cx, "%s", err);
        for (size_t i = 0; i < n; i++)
            if (!strcmp(p[i].name, cx->conn_profile)) {
                snprintf(type, tcap, "%s", p[i].type);
                snprintf(cs, ccap, "%s", p[i].connstring);
                found = true;
            }
        free(p);
        if (!found)
            return out_fail(cx, "connection profile \"%s\" doesn't exist (see `mcumgr conn show`)",
                            cx->conn_profile);
    }
    if (cx->conntype)
        snprintf(type, tcap, "%s", cx->conntype);
    if (cx->connstring)
        snprintf(cs, ccap, "%s", cx->connstring);
    if (cx->connextra && *cx->connextra) {
        size_t l = strlen(cs);
        snprintf(cs + l, ccap - l, "%s%s", l ? "," : "", cx->connextra);
    }
    /* the Go tool's BLE flags: --name is the peer, -i N the adapter hciN */
    if (!type[0] && !cs[0] && cx->ble_name)
        snprintf(type, tcap, "ble");
    if (!strcmp(type, "ble") && (cx->ble_name || cx->hci >= 0)) {
        size_t l = strlen(cs);
        if (cx->ble_name)
            l += (size_t)snprintf(cs + l, ccap - l, "%speer_name=%s", l ? "," : "", cx->ble_name);
        if (cx->hci >= 0 && l < ccap)
            snprintf(cs + l, ccap - l, "%sctlr_name=hci%d", l ? "," : "", cx->hci);
    }
    if (!type[0] && !cs[0]) {
        snprintf(type, tcap, "%s", DEFAULT_CONNTYPE);
        snprintf(cs, ccap, "%s", DEFAULT_CONNSTRING);
    } else if (!type[0]) {
        snprintf(type, tcap, "%s", guess_type(cs));
    }
    return EXIT_OK;
}

int cli_conn_resolve(struct cli_ctx *cx)
{
    char type[32], cs[1024], err[512];
    int rc = resolve(cx, type, sizeof type, cs, sizeof cs);

    if (rc != EXIT_OK)
        return rc;
    if (client_conn_parse(type, cs, &cx->conn, err, sizeof err) != 0)
        return out_usage(cx, "%s", err);
    if (cx->ble_name)
        cx->conn.peer_id[0] = '\0'; /* --name overrides the profile's peer */
    if (cx->conn.type == CLIENT_CONN_SERIAL)
        snprintf(cx->conn_desc, sizeof cx->conn_desc, "%s", cx->conn.dev);
    else if (cx->conn.type == CLIENT_CONN_BLE)
        snprintf(cx->conn_desc, sizeof cx->conn_desc, "%s", cx->conn.peer_id[0] ? cx->conn.peer_id
                                                                                : cx->conn.peer_name);
    else
        snprintf(cx->conn_desc, sizeof cx->conn_desc, "%s:%s", cx->conn.host, cx->conn.port);
    return EXIT_OK;
}

int cli_connect(struct cli_ctx *cx)
{
    char err[512];
    int rc = cli_conn_resolve(cx);

    if (rc != EXIT_OK)
        return rc;
    rc = client_transport_open(&cx->conn, &cx->tp, err, sizeof err);
    if (rc != 0) {
        if (rc == CLIENT_ERR_CONNSTRING)
            return out_usage(cx, "%s", err);
        /* a USB port is gone while the device it belongs to reboots */
        if (out_explain_after_reset(cx, err))
            return EXIT_FAIL;
        out_fail(cx, "%s", err);
        if (!cx->json && cx->conn.type == CLIENT_CONN_SERIAL)
            fprintf(stderr, "Hint: check the device path (ls -l /dev/ttyACM*), that no other "
                            "program holds it (lsof), and your access rights (dialout group)\n");
        if (!cx->json && cx->conn.type == CLIENT_CONN_BLE && strstr(err, "no BLE device"))
            fprintf(stderr, "Hint: `mcumgr ble scan` lists the SMP devices in range\n");
        return EXIT_FAIL;
    }
    client_session_init(&cx->sess, &cx->tp);
    cx->connected = true;
    cx->sess.timeout_ms = (int)(cx->timeout_s * 1000.0);
    if (cx->sess.timeout_ms < 1)
        cx->sess.timeout_ms = 1;
    cx->sess.tries = cx->tries;
    cx->sess.cancel = &cx->interrupted;
    if (cx->smp_v1)
        cx->sess.smp_ver = 0;
    if (!strcmp(cx->loglevel, "debug") || !strcmp(cx->loglevel, "trace"))
        cx->sess.log = log_frame;
    /* Go's mtu= bounds each request to mtu*3/4-13 bytes; maxmsg= is exact */
    if (cx->conn.max_msg)
        cx->sess.max_msg = cx->conn.max_msg;
    else if (cx->conn.mtu)
        cx->sess.max_msg = cx->conn.mtu * 3 / 4 - 13;
    return EXIT_OK;
}

void cli_disconnect(struct cli_ctx *cx)
{
    if (cx->connected)
        client_transport_close(&cx->tp);
    cx->connected = false;
}
