/* SMP header bytes as real clients send them (issue 3), and every error code
 * having a name and an explanation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "smp/smp.h"

static void go_v1_echo_header(void **state)
{
    (void)state;
    /* Go mcumgr echo "hello" over UDP */
    const uint8_t wire[] = { 0x02, 0x00, 0x00, 0x09, 0x00, 0x00, 0x42, 0x00 };
    struct smp_hdr h;
    uint8_t out[SMP_HDR_SIZE];

    assert_int_equal(smp_hdr_decode(wire, sizeof wire, &h), 0);
    assert_int_equal(h.op, SMP_OP_WRITE);
    assert_int_equal(h.ver, 0);
    assert_int_equal(h.len, 9);
    assert_int_equal(h.group, SMP_GROUP_OS);
    assert_int_equal(h.seq, 0x42);
    assert_int_equal(h.id, 0);
    smp_hdr_encode(&h, out);
    assert_memory_equal(out, wire, sizeof wire);
}

static void go_v1_image_list_header(void **state)
{
    (void)state;
    const uint8_t wire[] = { 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x42, 0x00 };
    struct smp_hdr h;
    assert_int_equal(smp_hdr_decode(wire, sizeof wire, &h), 0);
    assert_int_equal(h.op, SMP_OP_READ);
    assert_int_equal(h.len, 1);
    assert_int_equal(h.group, SMP_GROUP_IMAGE);
}

static void rust_v2_echo_header(void **state)
{
    (void)state;
    const uint8_t wire[] = { 0x0a, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00 };
    struct smp_hdr h;
    uint8_t out[SMP_HDR_SIZE];
    assert_int_equal(smp_hdr_decode(wire, sizeof wire, &h), 0);
    assert_int_equal(h.op, SMP_OP_WRITE);
    assert_int_equal(h.ver, 1);
    smp_hdr_encode(&h, out);
    assert_memory_equal(out, wire, sizeof wire);
}

static void big_endian_fields_and_reserved_bits(void **state)
{
    (void)state;
    struct smp_hdr h = { .op = SMP_OP_WRITE_RSP, .ver = 1, .flags = 0, .len = 0x1234,
                         .group = 0x0140, .seq = 255, .id = 7 };
    uint8_t out[SMP_HDR_SIZE];
    const uint8_t want[] = { 0x0b, 0x00, 0x12, 0x34, 0x01, 0x40, 0xff, 0x07 };
    smp_hdr_encode(&h, out);
    assert_memory_equal(out, want, sizeof want);

    /* reserved top bits are ignored on receive */
    uint8_t r[SMP_HDR_SIZE];
    memcpy(r, want, sizeof r);
    r[0] |= 0xe0;
    struct smp_hdr d;
    assert_int_equal(smp_hdr_decode(r, sizeof r, &d), 0);
    assert_int_equal(d.op, SMP_OP_WRITE_RSP);
    assert_int_equal(d.ver, 1);
    assert_int_equal(d.group, 0x0140);
}

static void short_header_is_refused(void **state)
{
    (void)state;
    uint8_t b[7] = { 0 };
    struct smp_hdr h;
    assert_int_equal(smp_hdr_decode(b, sizeof b, &h), -1);
    assert_int_equal(smp_hdr_decode(NULL, 8, &h), -1);
}

static void every_code_has_name_and_desc(void **state)
{
    (void)state;
    for (int rc = 0; rc <= SMP_ERR_UNSUPPORTED_TOO_NEW; rc++) {
        assert_string_not_equal(smp_err_name(rc), "UNKNOWN_RC");
        assert_true(strlen(smp_err_desc(rc)) > 5);
    }
    assert_string_equal(smp_err_name(3), "EINVAL");
    assert_string_equal(smp_err_name(8), "ENOTSUP");
    assert_string_equal(smp_err_name(300), "EPERUSER");
    assert_string_equal(smp_err_name(-4), "UNKNOWN_RC");
    assert_non_null(smp_err_desc(9999));

    static const struct { uint16_t group; int last; } groups[] = {
        { SMP_GROUP_OS, 6 }, { SMP_GROUP_IMAGE, IMG_ERR_ACTIVE_SLOT_NOT_KNOWN },
        { SMP_GROUP_STAT, 5 }, { SMP_GROUP_SETTINGS, 8 }, { SMP_GROUP_FS, 16 },
        { SMP_GROUP_SHELL, 3 }, { SMP_GROUP_ENUM, 4 }, { SMP_GROUP_ZEPHYR, 4 },
    };
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        for (int rc = 0; rc <= groups[g].last; rc++) {
            assert_string_not_equal(smp_group_err_name(groups[g].group, rc), "UNKNOWN_GROUP_RC");
            assert_true(strlen(smp_group_err_desc(groups[g].group, rc)) > 5);
        }
        assert_string_equal(smp_group_err_name(groups[g].group, groups[g].last + 1), "UNKNOWN_GROUP_RC");
    }
    assert_string_equal(smp_group_err_name(SMP_GROUP_IMAGE, IMG_ERR_HASH_NOT_FOUND), "HASH_NOT_FOUND");
    assert_string_equal(smp_group_err_name(SMP_GROUP_IMAGE, 30), "INVALID_IMAGE_TOO_LARGE");
    assert_string_equal(smp_group_err_name(SMP_GROUP_FS, 11), "FILE_OFFSET_NOT_VALID");
    assert_string_equal(smp_group_name(SMP_GROUP_IMAGE), "IMAGE");
    assert_string_equal(smp_group_name(63), "ZEPHYR_BASIC");
    assert_string_equal(smp_group_name(64), "USER");
    assert_string_equal(smp_group_name(40), "UNKNOWN_GROUP");
    assert_non_null(smp_group_err_desc(4, 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(go_v1_echo_header),
        cmocka_unit_test(go_v1_image_list_header),
        cmocka_unit_test(rust_v2_echo_header),
        cmocka_unit_test(big_endian_fields_and_reserved_bits),
        cmocka_unit_test(short_header_is_refused),
        cmocka_unit_test(every_code_has_name_and_desc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
