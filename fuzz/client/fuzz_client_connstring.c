/* Fuzz connection-string parsing (user input and saved profile files): the
 * first byte picks the type, the rest is the string. It must never crash,
 * and an accepted string must yield bounded, terminated fields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *types[] = { "serial", "udp", "ble", "", "oic_serial", "tcp" };
    struct client_conn c;
    char err[256];
    char *cs;

    if (size == 0)
        return 0;
    cs = malloc(size);
    if (!cs)
        return 0;
    memcpy(cs, data + 1, size - 1);
    cs[size - 1] = '\0';
    if (client_conn_parse(types[data[0] % 6], cs, &c, err, sizeof err) == 0) {
        if (!memchr(c.dev, 0, sizeof c.dev) || !memchr(c.host, 0, sizeof c.host) ||
            !memchr(c.port, 0, sizeof c.port) || !memchr(c.peer_name, 0, sizeof c.peer_name) ||
            !memchr(c.peer_id, 0, sizeof c.peer_id) || !memchr(c.ctlr_name, 0, sizeof c.ctlr_name))
            __builtin_trap();
    } else if (!memchr(err, 0, sizeof err)) {
        __builtin_trap();
    }
    free(cs);
    return 0;
}
