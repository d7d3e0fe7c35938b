/* Fuzz the masking of a trail URL's password (audit_trail_name): any
 * --audit-db string. It must never crash or overrun, always terminate
 * within the buffer, leave a file path as it is, and put *** in place of
 * the password of user:PASSWORD@. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"

/* Where the password of scheme://user:PASSWORD@host... starts (the
 * length of what comes before it), or 0 when the URL has none. */
static size_t password_at(const char *url)
{
    const char *auth = strstr(url, "://");
    if (!auth)
        return 0;
    auth += 3;
    size_t len = strcspn(auth, "/?");
    const char *at = memchr(auth, '@', len);
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    return colon ? (size_t)(colon + 1 - url) : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char small[16], big[2048];
    char *s = malloc(size + 1);

    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    audit_trail_name(s, small, sizeof small);
    audit_trail_name(s, big, sizeof big);
    if (!memchr(small, 0, sizeof small) || !memchr(big, 0, sizeof big))
        __builtin_trap();
    if (!audit_is_url(s) && strlen(s) < sizeof big && strcmp(s, big) != 0)
        __builtin_trap();
    size_t pre = audit_is_url(s) ? password_at(s) : 0;
    if (pre && pre + 4 < sizeof big &&
        (strncmp(big, s, pre) != 0 || strncmp(big + pre, "***@", 4) != 0))
        __builtin_trap();
    free(s);
    return 0;
}
