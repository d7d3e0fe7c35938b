/*
 * Fuzz target: the parsers of imgtool's option values (version,
 * dependency list, UUID or name, custom TLV value, numbers). They read
 * whatever a build script passes on the command line.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/sign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char s[512];
    if (size >= sizeof s)
        size = sizeof s - 1;
    memcpy(s, data, size);
    s[size] = '\0';

    struct image_version v, back;
    if (img_parse_version(s, &v) == 0) {
        /* what we accepted prints and parses back to the same version */
        char txt[64];
        snprintf(txt, sizeof txt, "%u.%u.%u+%u", v.major, v.minor, v.revision, v.build);
        if (img_parse_version(txt, &back) != 0 || memcmp(&v, &back, sizeof v) != 0)
            abort();
    }
    struct img_dependency deps[IMG_SIGN_MAX_DEPS];
    size_t n = 0;
    char err[512];
    if (img_parse_dependencies(s, deps, IMG_SIGN_MAX_DEPS, &n, err, sizeof err) == 0 &&
        (n == 0 || n > IMG_SIGN_MAX_DEPS))
        abort();
    uint8_t uuid[16];
    (void)img_parse_uuid(s, img_uuid_ns_dns, uuid);
    uint8_t *val = NULL;
    size_t len = 0;
    if (img_parse_custom_value(s, &val, &len, err, sizeof err) == 0)
        free(val);
    uint32_t u;
    if (img_parse_u32(s, &u) == 0)
        (void)img_check_custom_tag(u, err, sizeof err);
    return 0;
}
