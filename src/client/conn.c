/*
 * Connection strings, Go mcumgr syntax (mcumgr-cli-surface §3):
 * serial "dev=/dev/ttyACM0,baud=115200,mtu=256" (a bare token is the
 * device), udp "host:port" or "[v6addr]:port".
 * Extensions for serial: linelen=, maxmsg=, linedelay= (milliseconds).
 * ble "peer_name=NAME" or "peer_id=AA:BB:CC:DD:EE:FF", with ctlr_name=hci0;
 * extension scan=SECONDS (how long to look for the peer).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client.h"
#include "smp/serial.h"

static int parse_uint(const char *s, unsigned *out)
{
    char *end;
    unsigned long v;

    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno || *end || v > 0xffffffffu)
        return -1;
    *out = (unsigned)v;
    return 0;
}

static int fail(char *err, size_t errlen, const char *msg, const char *arg)
{
    snprintf(err, errlen, msg, arg);
    return CLIENT_ERR_CONNSTRING;
}

static int set_serial_key(struct client_conn *c, const char *k, const char *v,
                          char *err, size_t errlen)
{
    unsigned u;

    if (strcmp(k, "dev") == 0) {
        if (strlen(v) >= sizeof c->dev)
            return fail(err, errlen, "Invalid serial connstring; device path too long", "");
        strcpy(c->dev, v);
        return 0;
    }
    if (parse_uint(v, &u) != 0) {
        if (strcmp(k, "baud") == 0)
            return fail(err, errlen, "Invalid baud: \"%s\"", v);
        if (strcmp(k, "mtu") == 0)
            return fail(err, errlen, "Invalid mtu: \"%s\"", v);
        if (strcmp(k, "linelen") && strcmp(k, "maxmsg") && strcmp(k, "linedelay"))
            return fail(err, errlen, "Invalid serial connstring; Unrecognized key: %s", k);
        return fail(err, errlen, "Invalid value for %s", k);
    }
    if (strcmp(k, "baud") == 0)
        c->baud = u;
    else if (strcmp(k, "mtu") == 0) {
        /* the Go formula mtu*3/4-13 must leave room for a header and a chunk */
        if (u < 64)
            return fail(err, errlen, "Invalid mtu: \"%s\" (at least 64)", v);
        c->mtu = u;
    } else if (strcmp(k, "linelen") == 0) {
        if (u < 8 || u > SMP_SERIAL_RX_LINE_CAP)
            return fail(err, errlen, "Invalid linelen: \"%s\" (8..1024)", v);
        c->line_max = u;
    } else if (strcmp(k, "maxmsg") == 0) {
        if (u < 32 || u > CLIENT_MSG_MAX)
            return fail(err, errlen, "Invalid maxmsg: \"%s\" (32..4096)", v);
        c->max_msg = u;
    } else if (strcmp(k, "linedelay") == 0) {
        c->line_delay_ms = u;
    } else
        return fail(err, errlen, "Invalid serial connstring; Unrecognized key: %s", k);
    return 0;
}

static int parse_serial(const char *cs, struct client_conn *c, char *err, size_t errlen)
{
    char buf[1024];
    char *save = NULL;

    if (strlen(cs) >= sizeof buf)
        return fail(err, errlen, "Invalid serial connstring; too long", "");
    strcpy(buf, cs);
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        int rc;
        if (!eq) /* old style: a bare device path */
            rc = set_serial_key(c, "dev", tok, err, errlen);
        else {
            *eq = '\0';
            rc = set_serial_key(c, tok, eq + 1, err, errlen);
        }
        if (rc)
            return rc;
    }
    if (!c->dev[0])
        return fail(err, errlen, "Invalid serial connstring; no device given (dev=...)", "");
    return 0;
}

static int parse_udp(const char *cs, struct client_conn *c, char *err, size_t errlen)
{
    const char *colon, *host = cs;
    size_t hlen;
    unsigned port;

    if (cs[0] == '[') {
        const char *close = strchr(cs, ']');
        if (!close || close[1] != ':')
            return fail(err, errlen, "Invalid udp connstring \"%s\"; expected [addr]:port", cs);
        host = cs + 1;
        hlen = (size_t)(close - host);
        colon = close + 1;
    } else {
        colon = strrchr(cs, ':');
        if (!colon)
            return fail(err, errlen, "Invalid udp connstring \"%s\"; expected host:port", cs);
        hlen = (size_t)(colon - cs);
    }
    if (hlen == 0 || hlen >= sizeof c->host || parse_uint(colon + 1, &port) || port == 0 ||
        port > 65535)
        return fail(err, errlen, "Invalid udp connstring \"%s\"; expected host:port", cs);
    memcpy(c->host, host, hlen);
    c->host[hlen] = '\0';
    snprintf(c->port, sizeof c->port, "%u", port);
    return 0;
}

static bool is_address(const char *v)
{
    if (strlen(v) != 17)
        return false;
    for (int i = 0; i < 17; i++)
        if (i % 3 == 2 ? v[i] != ':' : !strchr("0123456789abcdefABCDEF", v[i]))
            return false;
    return true;
}

static int set_ble_key(struct client_conn *c, const char *k, const char *v, char *err, size_t errlen)
{
    if (!strcmp(k, "peer_name")) {
        if (!*v || strlen(v) >= sizeof c->peer_name)
            return fail(err, errlen, "Invalid peer_name: \"%s\" (1..63 characters)", v);
        snprintf(c->peer_name, sizeof c->peer_name, "%s", v);
    } else if (!strcmp(k, "peer_id")) {
        if (!is_address(v))
            return fail(err, errlen, "Invalid peer_id: \"%s\" (an address AA:BB:CC:DD:EE:FF)", v);
        snprintf(c->peer_id, sizeof c->peer_id, "%s", v);
    } else if (!strcmp(k, "ctlr_name")) {
        unsigned u;
        if (strncmp(v, "hci", 3) || parse_uint(v + 3, &u) || u > 255)
            return fail(err, errlen, "Invalid ctlr_name: \"%s\" (hci0, hci1, ...)", v);
        snprintf(c->ctlr_name, sizeof c->ctlr_name, "%s", v);
    } else if (!strcmp(k, "scan")) {
        char *end;
        double s = strtod(v, &end);
        if (end == v || *end || s < 0.1 || s > 600)
            return fail(err, errlen, "Invalid scan: \"%s\" (seconds, 0.1..600)", v);
        c->scan_ms = (unsigned)(s * 1000);
    } else {
        return fail(err, errlen, "Invalid ble connstring; Unrecognized key: %s", k);
    }
    return 0;
}

static int parse_ble(const char *cs, struct client_conn *c, char *err, size_t errlen)
{
    char buf[1024];
    char *save = NULL;

    if (strlen(cs) >= sizeof buf)
        return fail(err, errlen, "Invalid ble connstring; too long", "");
    strcpy(buf, cs);
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        int rc;
        if (!eq) /* a bare token is the peer's name */
            rc = set_ble_key(c, "peer_name", tok, err, errlen);
        else {
            *eq = '\0';
            rc = set_ble_key(c, tok, eq + 1, err, errlen);
        }
        if (rc)
            return rc;
    }
    if (!c->peer_name[0] && !c->peer_id[0])
        return fail(err, errlen, "Invalid ble connstring; no peer given (peer_name=NAME or "
                                 "peer_id=ADDRESS)", "");
    return 0;
}

int client_conn_parse(const char *type, const char *cs, struct client_conn *c,
                      char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    c->baud = 115200;
    if (!type || !*type)
        return fail(err, errlen, "No connection type specified", "");
    if (!cs)
        cs = "";
    if (strcmp(type, "serial") == 0) {
        c->type = CLIENT_CONN_SERIAL;
        return parse_serial(cs, c, err, errlen);
    }
    if (strcmp(type, "udp") == 0) {
        c->type = CLIENT_CONN_UDP;
        return parse_udp(cs, c, err, errlen);
    }
    if (strcmp(type, "ble") == 0) {
        c->type = CLIENT_CONN_BLE;
        return parse_ble(cs, c, err, errlen);
    }
    if (!strncmp(type, "oic_", 4) || !strcmp(type, "bhd") || !strcmp(type, "tcp"))
        return fail(err, errlen, "Unsupported connection type: \"%s\" (this mcumgr speaks serial, udp and ble)", type);
    return fail(err, errlen, "invalid conntype: \"%s\"", type);
}
