/* The libcbor half of test_smp_cbor_libcbor: libcbor's names clash with
 * ours (both are "cbor_*"), so each codec lives in its own translation unit
 * and they exchange only bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <cbor.h>
#include <stdlib.h>
#include <string.h>

#include "libcbor_side.h"

static cbor_item_t *lc_get(cbor_item_t *map, const char *key)
{
    struct cbor_pair *pairs = cbor_map_handle(map);
    for (size_t i = 0; i < cbor_map_size(map); i++) {
        cbor_item_t *k = pairs[i].key;
        if (cbor_isa_string(k) && cbor_string_length(k) == strlen(key) &&
            memcmp(cbor_string_handle(k), key, strlen(key)) == 0)
            return pairs[i].value;
    }
    fail_msg("key %s missing", key);
    return NULL;
}

static size_t width_of(cbor_item_t *e, uint64_t v)
{
    switch (cbor_int_get_width(e)) {
    case CBOR_INT_8: return v < 24 ? 0 : 1;
    case CBOR_INT_16: return 2;
    case CBOR_INT_32: return 4;
    default: return 8;
    }
}

void lc_check_sample(const uint8_t *buf, size_t len, const uint64_t *uints, size_t nuints,
                     const uint8_t *bytes, size_t nbytes)
{
    struct cbor_load_result res;
    cbor_item_t *root = cbor_load(buf, len, &res);
    assert_non_null(root);
    assert_int_equal(res.error.code, CBOR_ERR_NONE);
    assert_int_equal(res.read, len);
    assert_true(cbor_isa_map(root));
    cbor_item_t *u = lc_get(root, "u");
    assert_int_equal(cbor_array_size(u), nuints);
    for (size_t i = 0; i < nuints; i++) {
        cbor_item_t *e = cbor_array_get(u, i);
        assert_true(cbor_get_int(e) == uints[i]);
        /* preferred (shortest) serialization */
        size_t want = uints[i] < 24 ? 0 : uints[i] <= 0xff ? 1 : uints[i] <= 0xffff ? 2
                      : uints[i] <= 0xffffffffu ? 4 : 8;
        assert_int_equal(width_of(e, uints[i]), want);
        cbor_decref(&e);
    }
    cbor_item_t *neg = lc_get(root, "neg");
    assert_true(cbor_isa_negint(neg));
    assert_int_equal(cbor_get_int(neg), 99999); /* -1 - 99999 */
    cbor_item_t *data = lc_get(root, "data");
    assert_true(cbor_isa_bytestring(data));
    assert_int_equal(cbor_bytestring_length(data), nbytes);
    assert_memory_equal(cbor_bytestring_handle(data), bytes, nbytes);
    assert_true(cbor_get_bool(lc_get(root, "confirm")));
    assert_true(cbor_is_null(lc_get(root, "hash")));
    cbor_item_t *inner = lc_get(root, "inner");
    assert_true(cbor_map_is_indefinite(inner));
    cbor_item_t *d = lc_get(inner, "d");
    assert_int_equal(cbor_string_length(d), 5);
    assert_memory_equal(cbor_string_handle(d), "hello", 5);
    cbor_decref(&root);
}

size_t lc_build_sample(uint8_t **out)
{
    cbor_item_t *root = cbor_new_indefinite_map();
    cbor_item_t *arr = cbor_new_definite_array(3);
    assert_true(cbor_array_push(arr, cbor_move(cbor_build_uint8(7))));
    assert_true(cbor_array_push(arr, cbor_move(cbor_build_uint32(70000))));
    assert_true(cbor_array_push(arr, cbor_move(cbor_build_uint64(0x123456789ull))));
    assert_true(cbor_map_add(root, (struct cbor_pair){ cbor_move(cbor_build_string("arr")), cbor_move(arr) }));
    assert_true(cbor_map_add(root, (struct cbor_pair){ cbor_move(cbor_build_string("off")),
                                                        cbor_move(cbor_build_uint16(4096)) }));
    assert_true(cbor_map_add(root, (struct cbor_pair){ cbor_move(cbor_build_string("n")),
                                                        cbor_move(cbor_build_negint32(41)) }));
    const uint8_t sha[4] = { 1, 2, 3, 4 };
    assert_true(cbor_map_add(root, (struct cbor_pair){ cbor_move(cbor_build_string("sha")),
                                                        cbor_move(cbor_build_bytestring(sha, 4)) }));
    assert_true(cbor_map_add(root, (struct cbor_pair){ cbor_move(cbor_build_string("ok")),
                                                        cbor_move(cbor_build_bool(false)) }));
    unsigned char *buf = NULL;
    size_t cap = 0;
    size_t len = cbor_serialize_alloc(root, &buf, &cap);
    cbor_decref(&root);
    *out = buf;
    return len;
}

size_t lc_item_len(const uint8_t *buf, size_t len)
{
    struct cbor_load_result res;
    cbor_item_t *it = cbor_load(buf, len, &res);
    if (!it)
        return 0;
    cbor_decref(&it);
    return res.read;
}
