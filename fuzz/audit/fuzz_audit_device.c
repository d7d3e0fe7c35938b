/* Fuzz the device rule of `audit list --device` (audit_device_matches):
 * any record's device field (a trail file may be hostile) against any id.
 * It must never crash or overrun; a field always names itself; an id
 * matches only what contains it (never more than the old substring rule);
 * and a field "NAME (IDENTITY)" made of the input's two halves is found by
 * each half. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the input: DEVICE NUL ID (no NUL: the id is empty) */
    char *s = malloc(size + 2);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = s[size + 1] = '\0';
    const char *device = s, *id = s + strlen(s) + 1;
    if (id > s + size)
        id = s + size;

    if (!audit_device_matches(device, device))
        __builtin_trap();
    if (audit_device_matches(device, id) && !strstr(device, id))
        __builtin_trap();

    size_t nlen = strlen(device), ilen = strlen(id);
    char *both = malloc(nlen + ilen + 4);
    if (both) {
        memcpy(both, device, nlen);
        memcpy(both + nlen, " (", 2);
        memcpy(both + nlen + 2, id, ilen);
        memcpy(both + nlen + 2 + ilen, ")", 2);
        /* a NAME with no " (" of its own splits where it was joined */
        if (nlen && !strstr(device, " (") &&
            (!audit_device_matches(both, device) || !audit_device_matches(both, id)))
            __builtin_trap();
        free(both);
    }
    free(s);
    return 0;
}
