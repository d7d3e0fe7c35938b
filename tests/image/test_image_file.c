/*
 * The host's whole-file reader (image/file.h): every byte of a file, and a
 * read that fails part-way reported as an error, never as a shorter file
 * (imgtool would otherwise sign a truncated firmware). The mid-read
 * failure comes from a stream whose read callback fails after 200 KB.
 * Needs no vectors.
 */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "image/file.h"
#include "image/image.h"

#define STREAM_LEN (200u * 1024u) /* past the reader's first 64 KiB buffer */

struct source {
    size_t pos;
    bool fail_at_end; /* EIO where the data ends, instead of EOF */
};

static uint8_t byte_at(size_t i) { return (uint8_t)(i * 7 + (i >> 11)); }

/* Delivers at most 4000 bytes per call, as a slow device would. */
static ssize_t source_read(void *cookie, char *buf, size_t size)
{
    struct source *s = cookie;
    if (s->pos == STREAM_LEN) {
        if (!s->fail_at_end)
            return 0;
        errno = EIO;
        return -1;
    }
    size_t n = STREAM_LEN - s->pos;
    if (n > size)
        n = size;
    if (n > 4000)
        n = 4000;
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)byte_at(s->pos + i);
    s->pos += n;
    return (ssize_t)n;
}

static FILE *open_source(struct source *s)
{
    cookie_io_functions_t io = { .read = source_read };
    FILE *f = fopencookie(s, "r", io);
    assert_non_null(f);
    return f;
}

static void whole_stream_read_to_its_end(void **state)
{
    (void)state;
    struct source s = { 0, false };
    FILE *f = open_source(&s);
    uint8_t *data;
    size_t len;
    char err[256] = "";
    assert_int_equal(img_read_stream(f, "firmware.bin", &data, &len, err, sizeof err), IMAGE_OK);
    fclose(f);
    assert_int_equal(len, STREAM_LEN);
    for (size_t i = 0; i < len; i++)
        if (data[i] != byte_at(i))
            fail_msg("byte %zu differs", i);
    assert_int_equal(data[len], 0);
    free(data);
}

static void read_error_mid_file_is_an_error(void **state)
{
    (void)state;
    struct source s = { 0, true };
    FILE *f = open_source(&s);
    uint8_t *data = (uint8_t *)"not touched";
    size_t len = 1;
    char err[256] = "";
    assert_int_equal(img_read_stream(f, "firmware.bin", &data, &len, err, sizeof err),
                     IMAGE_ERR_IO);
    fclose(f);
    assert_true(s.pos == STREAM_LEN); /* it did read the 200 KB before failing */
    assert_null(data);
    assert_int_equal(len, 0);
    assert_string_equal(err, "cannot read firmware.bin: Input/output error");
}

static void files_directories_and_missing_paths(void **state)
{
    (void)state;
    char dir[] = "/tmp/image-file-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    uint8_t *data;
    size_t len;
    char err[256];

    /* a directory opens but every read fails (EISDIR) */
    assert_int_equal(img_read_file(dir, &data, &len, err, sizeof err), IMAGE_ERR_IO);
    assert_null(data);
    assert_non_null(strstr(err, "Is a directory"));

    snprintf(path, sizeof path, "%s/missing.bin", dir);
    assert_int_equal(img_read_file(path, &data, &len, err, sizeof err), IMAGE_ERR_IO);
    assert_non_null(strstr(err, "No such file or directory"));
    assert_non_null(strstr(err, path));

    snprintf(path, sizeof path, "%s/three.bin", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("abc", f);
    fclose(f);
    assert_int_equal(img_read_file(path, &data, &len, err, sizeof err), IMAGE_OK);
    assert_int_equal(len, 3);
    assert_string_equal((char *)data, "abc");
    free(data);

    f = fopen(path, "wb"); /* now empty */
    assert_non_null(f);
    fclose(f);
    assert_int_equal(img_read_file(path, &data, &len, err, sizeof err), IMAGE_OK);
    assert_int_equal(len, 0);
    assert_int_equal(data[0], 0);
    free(data);
    unlink(path);
    rmdir(dir);
}

/* A bounded read: exactly max bytes is fine, one more is refused, and a
 * source with no end (/dev/zero) is refused too instead of filling memory. */
static void bounded_reads_stop_at_their_limit(void **state)
{
    (void)state;
    char dir[] = "/tmp/image-file-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    uint8_t *data = (uint8_t *)"not touched";
    size_t len = 1;
    char err[256];

    snprintf(path, sizeof path, "%s/list.txt", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("0123456789", f);
    fclose(f);
    assert_int_equal(img_read_file_max(path, 10, &data, &len, err, sizeof err), IMAGE_OK);
    assert_int_equal(len, 10);
    assert_string_equal((char *)data, "0123456789");
    free(data);
    assert_int_equal(img_read_file_max(path, 9, &data, &len, err, sizeof err), IMAGE_ERR_TOO_LARGE);
    assert_null(data);
    assert_int_equal(len, 0);
    assert_non_null(strstr(err, "is larger than 9 bytes"));
    assert_non_null(strstr(err, path));
    assert_int_equal(img_read_file_max("/dev/zero", 1 << 20, &data, &len, err, sizeof err),
                     IMAGE_ERR_TOO_LARGE);
    assert_null(data);
    assert_string_equal(err, "/dev/zero is larger than 1048576 bytes");
    /* an image to send or program, by mistake a device node */
    assert_int_equal(img_load_image("/dev/zero", &data, &len, err, sizeof err),
                     IMAGE_ERR_TOO_LARGE);
    assert_null(data);
    assert_non_null(strstr(err, "/dev/zero is larger than"));
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bounded_reads_stop_at_their_limit),
        cmocka_unit_test(whole_stream_read_to_its_end),
        cmocka_unit_test(read_error_mid_file_is_an_error),
        cmocka_unit_test(files_directories_and_missing_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
