/*
 * LZMA2 payload compression against imgtool's output: compressing the
 * recorded input gives exactly the body of the recorded compressed images
 * (plain and ARM Thumb), and decompressing that body gives the input back.
 * Also: corrupt or oversized streams are refused, not crashed on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "image/compress.h"
#include "image/image.h"
#include "vectors.h"

static cJSON *manifest;

static cJSON *the_manifest(void)
{
    if (!manifest)
        manifest = vec_manifest();
    return manifest;
}

static const cJSON *image_entry(const char *id)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, vec_section(the_manifest(), "images"))
        if (strcmp(vec_str(e, "id"), id) == 0)
            return e;
    return NULL;
}

static void check_vector(const char *id, bool thumb)
{
    const cJSON *e = image_entry(id);
    assert_non_null(e);
    size_t in_len, img_len;
    uint8_t *in = vec_load(vec_str(e, "input"), &in_len);
    uint8_t *img = vec_load(vec_str(e, "file"), &img_len);
    assert_non_null(in);
    assert_non_null(img);
    struct image_mem mem = { img, img_len };
    struct image_info info;
    assert_int_equal(image_read_info(image_mem_read, &mem, (uint32_t)img_len, &info), 0);
    assert_true(info.hdr.flags & IMAGE_F_COMPRESSED_LZMA2);
    assert_int_equal(!!(info.hdr.flags & IMAGE_F_COMPRESSED_ARM_THUMB), thumb);
    const uint8_t *body = img + info.hdr.hdr_size;

    uint8_t *c = NULL;
    size_t c_len = 0;
    assert_int_equal(image_lzma2_compress(in, in_len, thumb, &c, &c_len), 0);
    assert_int_equal(c_len, info.hdr.img_size);
    assert_memory_equal(c, body, c_len);

    uint8_t *d = NULL;
    size_t d_len = 0;
    assert_int_equal(image_lzma2_decompress(body, info.hdr.img_size, thumb, in_len,
                                            &d, &d_len), 0);
    assert_int_equal(d_len, in_len);
    assert_memory_equal(d, in, in_len);
    /* one byte less room than the payload needs is refused */
    uint8_t *d2 = NULL;
    size_t d2_len = 0;
    assert_int_not_equal(image_lzma2_decompress(body, info.hdr.img_size, thumb,
                                                in_len - 1, &d2, &d2_len), 0);
    free(c);
    free(d);
    free(in);
    free(img);
}

static void test_lzma2_matches_imgtool(void **state)
{
    (void)state;
    check_vector("lzma2_ed25519", false);
}

static void test_lzma2_armthumb_matches_imgtool(void **state)
{
    (void)state;
    check_vector("lzma2armthumb_ed25519", true);
}

static void test_corrupt_streams_refused(void **state)
{
    (void)state;
    uint8_t src[4096];
    for (size_t i = 0; i < sizeof src; i++)
        src[i] = (uint8_t)(i * 31 + (i >> 5));
    uint8_t *c = NULL, *d = NULL;
    size_t c_len = 0, d_len = 0;
    assert_int_equal(image_lzma2_compress(src, sizeof src, false, &c, &c_len), 0);
    assert_int_equal(c[0], 0x0a);
    assert_int_equal(c[1], 0x66);
    /* truncated stream */
    assert_int_not_equal(image_lzma2_decompress(c, c_len / 2, false, sizeof src, &d, &d_len), 0);
    /* foreign header */
    c[1] ^= 1;
    assert_int_not_equal(image_lzma2_decompress(c, c_len, false, sizeof src, &d, &d_len), 0);
    c[1] ^= 1;
    /* too short for a header */
    assert_int_not_equal(image_lzma2_decompress(c, 1, false, sizeof src, &d, &d_len), 0);
    /* every single-byte corruption: refused or decoded, never a crash */
    for (size_t i = 2; i < c_len; i++) {
        c[i] ^= 0x5a;
        if (image_lzma2_decompress(c, c_len, false, sizeof src, &d, &d_len) == 0)
            free(d);
        c[i] ^= 0x5a;
    }
    assert_int_equal(image_lzma2_decompress(c, c_len, false, sizeof src, &d, &d_len), 0);
    assert_memory_equal(d, src, sizeof src);
    free(d);
    free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corrupt_streams_refused),
        cmocka_unit_test(test_lzma2_matches_imgtool),
        cmocka_unit_test(test_lzma2_armthumb_matches_imgtool),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    cJSON_Delete(manifest);
    return rc;
}
