/* The bounded CBOR codec on known encodings (RFC 8949 appendix A values),
 * SMP bodies as peers send them, and hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "smp/cbor.h"
#include "smp/cbor_float.h"

static void expect_uint_encoding(uint64_t v, const uint8_t *want, size_t n)
{
    uint8_t buf[16];
    struct cbor_writer w;
    cbor_writer_init(&w, buf, sizeof buf);
    cbor_put_uint(&w, v);
    assert_int_equal(w.status, CBOR_OK);
    assert_int_equal(w.len, n);
    assert_memory_equal(buf, want, n);

    struct cbor_reader r;
    struct cbor_value val;
    cbor_reader_init(&r, buf, w.len);
    assert_int_equal(cbor_read(&r, &val), CBOR_OK);
    assert_int_equal(val.type, CBOR_TYPE_UINT);
    assert_true(val.u == v);
    assert_int_equal(val.raw_len, n);
}

static void integer_widths(void **state)
{
    (void)state;
    expect_uint_encoding(0, (const uint8_t[]){ 0x00 }, 1);
    expect_uint_encoding(23, (const uint8_t[]){ 0x17 }, 1);
    expect_uint_encoding(24, (const uint8_t[]){ 0x18, 0x18 }, 2);
    expect_uint_encoding(255, (const uint8_t[]){ 0x18, 0xff }, 2);
    expect_uint_encoding(256, (const uint8_t[]){ 0x19, 0x01, 0x00 }, 3);
    expect_uint_encoding(1000000, (const uint8_t[]){ 0x1a, 0x00, 0x0f, 0x42, 0x40 }, 5);
    expect_uint_encoding(1000000000000ull,
                         (const uint8_t[]){ 0x1b, 0x00, 0x00, 0x00, 0xe8, 0xd4, 0xa5, 0x10, 0x00 }, 9);
    expect_uint_encoding(UINT64_MAX,
                         (const uint8_t[]){ 0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, 9);

    uint8_t buf[32];
    struct cbor_writer w;
    cbor_writer_init(&w, buf, sizeof buf);
    cbor_put_int(&w, -1);
    cbor_put_int(&w, -1000);
    cbor_put_int(&w, INT64_MIN);
    const uint8_t want[] = { 0x20, 0x39, 0x03, 0xe7, 0x3b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    assert_int_equal(w.len, sizeof want);
    assert_memory_equal(buf, want, sizeof want);
    struct cbor_reader r;
    struct cbor_value v;
    cbor_reader_init(&r, buf, w.len);
    assert_int_equal(cbor_read(&r, &v), CBOR_OK);
    assert_int_equal(v.type, CBOR_TYPE_NEGINT);
    assert_int_equal(v.i, -1);
    assert_int_equal(cbor_read(&r, &v), CBOR_OK);
    assert_int_equal(v.i, -1000);
    assert_int_equal(cbor_read(&r, &v), CBOR_OK);
    assert_true(v.i == INT64_MIN);
    assert_int_equal(cbor_read(&r, &v), CBOR_ERR_TRUNCATED);
    /* -2^64 clamps to INT64_MIN */
    const uint8_t huge_neg[] = { 0x3b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    cbor_reader_init(&r, huge_neg, sizeof huge_neg);
    assert_int_equal(cbor_read(&r, &v), CBOR_OK);
    assert_true(v.i == INT64_MIN);
    assert_true(v.u == UINT64_MAX);
}

static void upload_request_round_trip(void **state)
{
    (void)state;
    uint8_t buf[128], sha[32], data[40];
    memset(sha, 0xab, sizeof sha);
    memset(data, 0x11, sizeof data);
    struct cbor_writer w;
    cbor_writer_init(&w, buf, sizeof buf);
    cbor_open_map(&w, 5);
    cbor_put_str(&w, "image"); cbor_put_uint(&w, 0);
    cbor_put_str(&w, "off"); cbor_put_uint(&w, 0);
    cbor_put_str(&w, "len"); cbor_put_uint(&w, 110780);
    cbor_put_str(&w, "sha"); cbor_put_bytes(&w, sha, sizeof sha);
    cbor_put_str(&w, "data"); cbor_put_bytes(&w, data, sizeof data);
    assert_int_equal(w.status, CBOR_OK);

    struct cbor_reader r;
    struct cbor_value map;
    cbor_reader_init(&r, buf, w.len);
    assert_int_equal(cbor_read(&r, &map), CBOR_OK);
    assert_int_equal(map.type, CBOR_TYPE_MAP);
    assert_int_equal(map.len, 5);
    assert_int_equal(map.raw_len, w.len);
    uint64_t u;
    const uint8_t *p;
    size_t n;
    assert_int_equal(cbor_map_get_uint(&map, "len", &u), 1);
    assert_int_equal(u, 110780);
    assert_int_equal(cbor_map_get_bytes(&map, "sha", &p, &n), 1);
    assert_int_equal(n, 32);
    assert_memory_equal(p, sha, 32);
    assert_int_equal(cbor_map_get_bytes(&map, "data", &p, &n), 1);
    assert_int_equal(n, 40);
    assert_int_equal(cbor_map_get_uint(&map, "upgrade", &u), 0);
    bool b;
    assert_int_equal(cbor_map_get_bool(&map, "off", &b), CBOR_ERR_TYPE);
    const char *t;
    assert_int_equal(cbor_map_get_text(&map, "sha", &t, &n), CBOR_ERR_TYPE);

    /* too small a buffer: status says so, length never exceeds capacity */
    cbor_writer_init(&w, buf, 20);
    cbor_open_map(&w, 1);
    cbor_put_str(&w, "sha");
    cbor_put_bytes(&w, sha, sizeof sha);
    cbor_put_uint(&w, 1);
    assert_int_equal(w.status, CBOR_ERR_OVERFLOW);
    assert_true(w.len <= 20);
}

static void indefinite_map_from_zephyr(void **state)
{
    (void)state;
    /* {"rc": 3} as a real Zephyr device sends it */
    const uint8_t body[] = { 0xbf, 0x62, 0x72, 0x63, 0x03, 0xff };
    struct cbor_reader r;
    struct cbor_value map;
    cbor_reader_init(&r, body, sizeof body);
    assert_int_equal(cbor_read(&r, &map), CBOR_OK);
    assert_int_equal(map.type, CBOR_TYPE_MAP);
    assert_true(map.len == CBOR_INDEFINITE);
    int64_t rc;
    assert_int_equal(cbor_map_get_int(&map, "rc", &rc), 1);
    assert_int_equal(rc, 3);
    assert_int_equal(cbor_map_get_int(&map, "rsn", &rc), 0);

    /* writer produces the same bytes */
    uint8_t buf[16];
    struct cbor_writer w;
    cbor_writer_init(&w, buf, sizeof buf);
    cbor_open_map(&w, CBOR_INDEFINITE);
    cbor_put_str(&w, "rc");
    cbor_put_int(&w, 3);
    cbor_close(&w);
    assert_int_equal(w.len, sizeof body);
    assert_memory_equal(buf, body, sizeof body);
}

static void nested_state_response(void **state)
{
    (void)state;
    /* {"images":[{"slot":0,"version":"1.0.0","active":true}, {"slot":1}], "splitStatus":0} */
    uint8_t buf[128];
    struct cbor_writer w;
    cbor_writer_init(&w, buf, sizeof buf);
    cbor_open_map(&w, CBOR_INDEFINITE);
    cbor_put_str(&w, "images");
    cbor_open_array(&w, CBOR_INDEFINITE);
    cbor_open_map(&w, 3);
    cbor_put_str(&w, "slot"); cbor_put_uint(&w, 0);
    cbor_put_str(&w, "version"); cbor_put_str(&w, "1.0.0");
    cbor_put_str(&w, "active"); cbor_put_bool(&w, true);
    cbor_open_map(&w, 1);
    cbor_put_str(&w, "slot"); cbor_put_uint(&w, 1);
    cbor_close(&w);
    cbor_put_str(&w, "splitStatus"); cbor_put_uint(&w, 0);
    cbor_close(&w);
    assert_int_equal(w.status, CBOR_OK);

    struct cbor_reader r;
    struct cbor_value map, arr, img;
    cbor_reader_init(&r, buf, w.len);
    assert_int_equal(cbor_read(&r, &map), CBOR_OK);
    assert_int_equal(r.pos, w.len);
    assert_int_equal(cbor_map_get(&map, "images", &arr), 1);
    assert_int_equal(arr.type, CBOR_TYPE_ARRAY);
    struct cbor_iter it;
    assert_int_equal(cbor_iter_init(&it, &arr), CBOR_OK);
    int count = 0;
    while (cbor_iter_next(&it, &img) == 1) {
        uint64_t slot;
        assert_int_equal(cbor_map_get_uint(&img, "slot", &slot), 1);
        assert_int_equal(slot, (uint64_t)count);
        count++;
    }
    assert_int_equal(count, 2);
    const char *t;
    size_t n;
    assert_int_equal(cbor_map_get_text(&map, "splitStatus", &t, &n), CBOR_ERR_TYPE);
}

static void simple_values_floats_tags(void **state)
{
    (void)state;
    /* [false, true, null, undefined, simple(16), simple(255), 1.5 half, 100000.0 single,
     *  1.1 double, tag 1 (1363896240), 0.0 half, -4.0 half, subnormal half] */
    const uint8_t in[] = { 0x8d, 0xf4, 0xf5, 0xf6, 0xf7, 0xf0, 0xf8, 0xff,
                           0xf9, 0x3e, 0x00,
                           0xfa, 0x47, 0xc3, 0x50, 0x00,
                           0xfb, 0x3f, 0xf1, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a,
                           0xc1, 0x1a, 0x51, 0x4b, 0x67, 0xb0,
                           0xf9, 0x00, 0x00, 0xf9, 0xc4, 0x00, 0xf9, 0x00, 0x01 };
    struct cbor_reader r;
    struct cbor_value arr, v;
    struct cbor_iter it;
    cbor_reader_init(&r, in, sizeof in);
    assert_int_equal(cbor_read(&r, &arr), CBOR_OK);
    assert_int_equal(cbor_iter_init(&it, &arr), CBOR_OK);
    const enum cbor_type want[] = { CBOR_TYPE_FALSE, CBOR_TYPE_TRUE, CBOR_TYPE_NULL,
                                    CBOR_TYPE_UNDEFINED, CBOR_TYPE_SIMPLE, CBOR_TYPE_SIMPLE,
                                    CBOR_TYPE_FLOAT, CBOR_TYPE_FLOAT, CBOR_TYPE_FLOAT,
                                    CBOR_TYPE_TAG, CBOR_TYPE_FLOAT, CBOR_TYPE_FLOAT, CBOR_TYPE_FLOAT };
    const double fl[] = { 0, 0, 0, 0, 0, 0, 1.5, 100000.0, 1.1, 0, 0.0, -4.0, 5.960464477539063e-8 };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_int_equal(cbor_iter_next(&it, &v), 1);
        assert_int_equal(v.type, want[i]);
        if (want[i] == CBOR_TYPE_FLOAT)
            assert_true(cbor_float_value(&v) == fl[i]);
        else
            assert_int_equal(cbor_float_size(&v), 0);
    }
    /* the bits as sent: 1.5 as a half, 100000.0 as a single, 1.1 as a double */
    static const struct {
        size_t off, size;
        uint64_t bits;
    } raw[] = { { 8, 2, 0x3e00 }, { 11, 4, 0x47c35000 }, { 16, 8, 0x3ff199999999999aull } };
    for (size_t i = 0; i < 3; i++) {
        cbor_reader_init(&r, in + raw[i].off, sizeof in - raw[i].off);
        assert_int_equal(cbor_read(&r, &v), CBOR_OK);
        assert_int_equal(v.type, CBOR_TYPE_FLOAT);
        assert_int_equal(cbor_float_size(&v), raw[i].size);
        assert_int_equal(v.u, raw[i].bits);
    }
    /* half infinity and NaN stay what they are */
    static const uint8_t inf[] = { 0xf9, 0x7c, 0x00 }, nan[] = { 0xf9, 0x7e, 0x00 };
    cbor_reader_init(&r, inf, sizeof inf);
    assert_int_equal(cbor_read(&r, &v), CBOR_OK);
    assert_true(cbor_float_value(&v) > 1e308);
    cbor_reader_init(&r, nan, sizeof nan);
    assert_int_equal(cbor_read(&r, &v), CBOR_OK);
    assert_true(cbor_float_value(&v) != cbor_float_value(&v));
    assert_int_equal(cbor_iter_next(&it, &v), 0);
}

static void expect_status(const uint8_t *in, size_t n, int status)
{
    struct cbor_reader r;
    struct cbor_value v;
    cbor_reader_init(&r, in, n);
    assert_int_equal(cbor_read(&r, &v), status);
    assert_int_equal(r.pos, 0); /* a failed read consumes nothing */
}

static void hostile_input(void **state)
{
    (void)state;
    expect_status((const uint8_t[]){ 0 }, 0, CBOR_ERR_TRUNCATED);
    expect_status((const uint8_t[]){ 0x19, 0x01 }, 2, CBOR_ERR_TRUNCATED);
    expect_status((const uint8_t[]){ 0x1c }, 1, CBOR_ERR_MALFORMED);         /* reserved ai */
    expect_status((const uint8_t[]){ 0xff }, 1, CBOR_ERR_MALFORMED);         /* stray break */
    expect_status((const uint8_t[]){ 0x1f }, 1, CBOR_ERR_MALFORMED);         /* indefinite uint */
    expect_status((const uint8_t[]){ 0x5f, 0x41, 0x00, 0xff }, 4, CBOR_ERR_UNSUPPORTED);
    expect_status((const uint8_t[]){ 0x45, 0x01, 0x02 }, 3, CBOR_ERR_TRUNCATED);
    expect_status((const uint8_t[]){ 0xa2, 0x00, 0x00, 0x01 }, 4, CBOR_ERR_TRUNCATED);
    expect_status((const uint8_t[]){ 0xbf, 0x00, 0x00 }, 3, CBOR_ERR_TRUNCATED); /* no break */
    expect_status((const uint8_t[]){ 0xf8, 0x10 }, 2, CBOR_ERR_MALFORMED);   /* simple < 32 in 2 bytes */
    /* a count of 2^64-1 items must fail fast, not loop */
    expect_status((const uint8_t[]){ 0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00 }, 10,
                  CBOR_ERR_TRUNCATED);
    expect_status((const uint8_t[]){ 0xbb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00 }, 10,
                  CBOR_ERR_TRUNCATED);
    expect_status((const uint8_t[]){ 0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00 }, 10,
                  CBOR_ERR_TRUNCATED);

    /* nesting: CBOR_MAX_DEPTH levels pass, one more fails */
    uint8_t deep[CBOR_MAX_DEPTH + 2];
    memset(deep, 0x81, sizeof deep);
    deep[CBOR_MAX_DEPTH] = 0x00;
    struct cbor_reader r;
    struct cbor_value v;
    cbor_reader_init(&r, deep, CBOR_MAX_DEPTH + 1);
    assert_int_equal(cbor_read(&r, &v), CBOR_OK);
    deep[CBOR_MAX_DEPTH] = 0x81;
    deep[CBOR_MAX_DEPTH + 1] = 0x00;
    expect_status(deep, sizeof deep, CBOR_ERR_DEPTH);

    /* helpers refuse non-maps */
    const uint8_t arr[] = { 0x80 };
    cbor_reader_init(&r, arr, 1);
    assert_int_equal(cbor_read(&r, &v), CBOR_OK);
    uint64_t u;
    assert_int_equal(cbor_map_get_uint(&v, "x", &u), CBOR_ERR_TYPE);
    const uint8_t num[] = { 0x01 };
    struct cbor_iter it;
    cbor_reader_init(&r, num, 1);
    assert_int_equal(cbor_read(&r, &v), CBOR_OK);
    assert_int_equal(cbor_iter_init(&it, &v), CBOR_ERR_TYPE);
    assert_false(cbor_text_eq(&v, "x"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(integer_widths),
        cmocka_unit_test(upload_request_round_trip),
        cmocka_unit_test(indefinite_map_from_zephyr),
        cmocka_unit_test(nested_state_response),
        cmocka_unit_test(simple_values_floats_tags),
        cmocka_unit_test(hostile_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
