/* Our CBOR codec checked against libcbor, an independent implementation:
 * what we write, libcbor must read as the same values; what libcbor writes
 * (definite and indefinite), we must read as the same values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "smp/cbor.h"
#include "libcbor_side.h"

static void ours_read_by_libcbor(void **state)
{
    (void)state;
    static const uint64_t uints[] = { 0, 23, 24, 255, 256, 65535, 65536, 0xffffffffu,
                                      0x100000000ull, UINT64_MAX };
    uint8_t buf[512], bytes[300];
    memset(bytes, 0xc3, sizeof bytes);
    struct cbor_writer w;
    cbor_writer_init(&w, buf, sizeof buf);
    cbor_open_map(&w, 6);
    cbor_put_str(&w, "u");
    cbor_open_array(&w, sizeof uints / sizeof uints[0]);
    for (size_t i = 0; i < sizeof uints / sizeof uints[0]; i++)
        cbor_put_uint(&w, uints[i]);
    cbor_put_str(&w, "neg"); cbor_put_int(&w, -100000);
    cbor_put_str(&w, "data"); cbor_put_bytes(&w, bytes, sizeof bytes);
    cbor_put_str(&w, "confirm"); cbor_put_bool(&w, true);
    cbor_put_str(&w, "hash"); cbor_put_null(&w);
    cbor_put_str(&w, "inner");
    cbor_open_map(&w, CBOR_INDEFINITE);
    cbor_put_str(&w, "d"); cbor_put_str(&w, "hello");
    cbor_close(&w);
    assert_int_equal(w.status, CBOR_OK);

    lc_check_sample(buf, w.len, uints, sizeof uints / sizeof uints[0], bytes, sizeof bytes);
}

static void libcbor_read_by_ours(void **state)
{
    (void)state;
    uint8_t *buf = NULL;
    size_t len = lc_build_sample(&buf);
    assert_true(len > 0);
    const uint8_t sha[4] = { 1, 2, 3, 4 };

    struct cbor_reader r;
    struct cbor_value map, a, e;
    cbor_reader_init(&r, buf, len);
    assert_int_equal(cbor_read(&r, &map), CBOR_OK);
    assert_int_equal(r.pos, len);
    assert_true(map.len == CBOR_INDEFINITE);
    uint64_t u;
    int64_t i;
    bool b;
    const uint8_t *p;
    size_t pn;
    assert_int_equal(cbor_map_get_uint(&map, "off", &u), 1);
    assert_int_equal(u, 4096);
    assert_int_equal(cbor_map_get_int(&map, "n", &i), 1);
    assert_int_equal(i, -42);
    assert_int_equal(cbor_map_get_bool(&map, "ok", &b), 1);
    assert_false(b);
    assert_int_equal(cbor_map_get_bytes(&map, "sha", &p, &pn), 1);
    assert_int_equal(pn, 4);
    assert_memory_equal(p, sha, 4);
    assert_int_equal(cbor_map_get(&map, "arr", &a), 1);
    struct cbor_iter it;
    assert_int_equal(cbor_iter_init(&it, &a), CBOR_OK);
    const uint64_t want[] = { 7, 70000, 0x123456789ull };
    for (size_t k = 0; k < 3; k++) {
        assert_int_equal(cbor_iter_next(&it, &e), 1);
        assert_true(e.u == want[k]);
    }
    assert_int_equal(cbor_iter_next(&it, &e), 0);
    free(buf);
}

/* Items libcbor accepts and we accept agree on the total length consumed. */
static void both_agree_on_item_boundaries(void **state)
{
    (void)state;
    static const uint8_t samples[][12] = {
        { 0xa1, 0x61, 0x64, 0x65, 0x68, 0x65, 0x6c, 0x6c, 0x6f },
        { 0xbf, 0x62, 0x72, 0x63, 0x03, 0xff },
        { 0x9f, 0x01, 0x82, 0x02, 0x03, 0x9f, 0x04, 0xff, 0xff },
        { 0xc2, 0x42, 0x01, 0x00 },
        { 0xa0 },
        { 0xf9, 0x7c, 0x00 },
    };
    static const size_t lens[] = { 9, 6, 9, 4, 1, 3 };
    for (size_t s = 0; s < sizeof lens / sizeof lens[0]; s++) {
        assert_int_equal(lc_item_len(samples[s], lens[s]), lens[s]);
        struct cbor_reader r;
        struct cbor_value v;
        cbor_reader_init(&r, samples[s], lens[s]);
        assert_int_equal(cbor_read(&r, &v), CBOR_OK);
        assert_int_equal(v.raw_len, lens[s]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ours_read_by_libcbor),
        cmocka_unit_test(libcbor_read_by_ours),
        cmocka_unit_test(both_agree_on_item_boundaries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
