/*
 * Fuzz target: the Intel HEX reader imgtool uses for .hex inputs. Anything
 * it accepts must write back out and read again to the same bytes.
 */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/ihex.h"

static void roundtrip(const struct ihex *h)
{
    char *text = NULL;
    size_t text_len = 0;
    FILE *f = open_memstream(&text, &text_len);
    if (!f)
        return;
    struct ihex_seg seg = { h->base, h->data, h->len };
    int rc = ihex_write(f, &seg, 1);
    fclose(f);
    struct ihex back;
    char err[128];
    if (rc == 0) {
        if (ihex_read(text, text_len, 0xff, &back, err, sizeof err) != 0)
            abort(); /* we could not read our own output */
        if (back.base != h->base || back.len != h->len ||
            memcmp(back.data, h->data, h->len) != 0)
            abort();
        ihex_free(&back);
    }
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ihex h;
    char err[128];
    memset(&h, 0, sizeof h);
    if (ihex_read((const char *)data, size, 0xff, &h, err, sizeof err) != 0)
        return 0;
    if (h.len > IHEX_MAX_SPAN)
        abort();
    if (h.len && !h.has_gap)
        roundtrip(&h);
    ihex_free(&h);
    return 0;
}
