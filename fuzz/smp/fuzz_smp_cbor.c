/* Fuzz the CBOR reader the way both sides use it: read one item, walk every
 * container recursively through the iterator, and look up the keys SMP
 * handlers ask for. Any crash, hang or out-of-bounds read is a bug. */
#include <stddef.h>
#include <stdint.h>

#include "smp/cbor.h"

static void walk(const struct cbor_value *v, int depth)
{
    struct cbor_iter it;
    struct cbor_value child;
    size_t n = 0;

    if (depth > CBOR_MAX_DEPTH + 1)
        __builtin_trap(); /* the reader must have refused this nesting */
    if (v->type == CBOR_TYPE_TEXT || v->type == CBOR_TYPE_BYTES) {
        volatile uint8_t sink = 0;
        for (size_t i = 0; i < v->len; i++)
            sink ^= v->data[i];
        (void)sink;
    }
    if (v->type != CBOR_TYPE_ARRAY && v->type != CBOR_TYPE_MAP)
        return;
    if (cbor_iter_init(&it, v) != CBOR_OK)
        __builtin_trap();
    while (cbor_iter_next(&it, &child) == 1) {
        walk(&child, depth + 1);
        n++;
    }
    if (v->len != CBOR_INDEFINITE && n != (v->type == CBOR_TYPE_MAP ? 2 * v->len : v->len))
        __builtin_trap(); /* a validated container yields exactly its count */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cbor_reader r;
    struct cbor_value v, out;
    static const char *keys[] = { "rc", "off", "len", "sha", "data", "image", "hash",
                                  "confirm", "err", "images", "d", "r" };

    cbor_reader_init(&r, data, size);
    while (cbor_read(&r, &v) == CBOR_OK) {
        if (v.raw_len == 0 || v.raw + v.raw_len > data + size)
            __builtin_trap();
        walk(&v, 0);
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            uint64_t u;
            int64_t i;
            bool b;
            const uint8_t *p;
            const char *t;
            size_t n;
            (void)cbor_map_get(&v, keys[k], &out);
            (void)cbor_map_get_uint(&v, keys[k], &u);
            (void)cbor_map_get_int(&v, keys[k], &i);
            (void)cbor_map_get_bool(&v, keys[k], &b);
            (void)cbor_map_get_bytes(&v, keys[k], &p, &n);
            (void)cbor_map_get_text(&v, keys[k], &t, &n);
        }
    }
    return 0;
}
