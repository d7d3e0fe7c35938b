/* Shared between the client's own files; not part of the public API. */
#ifndef CLIENT_INTERNAL_H
#define CLIENT_INTERNAL_H

#include <stdint.h>

#include "client/client.h"

int64_t client_now_ms(void);
int client_serial_open(const struct client_conn *c, struct client_transport *tp,
                       char *err, size_t errlen);
int client_udp_open(const struct client_conn *c, struct client_transport *tp,
                    char *err, size_t errlen);

#endif
