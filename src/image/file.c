/*
 * Whole-file reads with every error reported (see file.h). The size is not
 * asked first (fseek/ftell): pipes and character devices have none, so the
 * buffer grows until EOF, and EOF is only trusted when ferror is clear.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/file.h"
#include "image/ihex.h"
#include "image/image.h"

#define FIRST_CAP (64u * 1024u)

static int read_failed(const char *name, int err_no, char *err, size_t errcap)
{
    snprintf(err, errcap, "cannot read %s: %s", name, strerror(err_no ? err_no : EIO));
    return IMAGE_ERR_IO;
}

/* Doubles *cap keeping room for the NUL; false when it cannot. */
static bool grow(uint8_t **buf, size_t *cap)
{
    if (*cap > SIZE_MAX / 2)
        return false;
    uint8_t *nb = realloc(*buf, *cap * 2);
    if (!nb)
        return false;
    *buf = nb;
    *cap *= 2;
    return true;
}

static int read_stream(FILE *f, const char *name, size_t max, uint8_t **data, size_t *len,
                       char *err, size_t errcap)
{
    size_t cap = FIRST_CAP, n = 0;
    uint8_t *buf = malloc(cap);
    *data = NULL;
    *len = 0;
    if (!buf)
        return read_failed(name, ENOMEM, err, errcap);
    errno = 0;
    for (;;) {
        n += fread(buf + n, 1, cap - 1 - n, f);
        if (ferror(f)) {
            int e = errno;
            free(buf);
            return read_failed(name, e, err, errcap);
        }
        if (n > max) {
            free(buf);
            snprintf(err, errcap, "%s is larger than %zu bytes", name, max);
            return IMAGE_ERR_TOO_LARGE;
        }
        if (feof(f))
            break;
        if (n == cap - 1 && !grow(&buf, &cap)) {
            free(buf);
            return read_failed(name, ENOMEM, err, errcap);
        }
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return IMAGE_OK;
}

int img_read_stream(FILE *f, const char *name, uint8_t **data, size_t *len, char *err,
                    size_t errcap)
{
    return read_stream(f, name, SIZE_MAX, data, len, err, errcap);
}

int img_read_file_max(const char *path, size_t max, uint8_t **data, size_t *len, char *err,
                      size_t errcap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *data = NULL;
        *len = 0;
        return read_failed(path, errno, err, errcap);
    }
    int rc = read_stream(f, path, max, data, len, err, errcap);
    fclose(f);
    return rc;
}

int img_read_file(const char *path, uint8_t **data, size_t *len, char *err, size_t errcap)
{
    return img_read_file_max(path, SIZE_MAX, data, len, err, errcap);
}

/* Intel HEX text: optional blank space, then a ':' record. */
static bool looks_like_hex(const uint8_t *d, size_t n)
{
    size_t i = 0;
    while (i < n && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n'))
        i++;
    return i < n && d[i] == ':';
}

/* A signed image in HEX form (imgtool writes one at the slot's address,
 * maybe padded to the slot with a trailer): the image is the bytes from
 * the lowest address, as long as its own header and TLVs say. */
static int image_from_hex(const char *path, uint8_t **data, size_t *len, char *err, size_t errcap)
{
    struct ihex h;
    char why[200];
    int rc = ihex_read((const char *)*data, *len, 0xff, &h, why, sizeof why);

    free(*data);
    *data = NULL;
    *len = 0;
    if (rc) {
        snprintf(err, errcap, "%s: %s", path, why);
        return IMAGE_ERR_BAD_ARG;
    }
    struct image_mem mem = { h.data, h.len };
    struct image_info info;
    if (h.len <= UINT32_MAX &&
        image_read_info(image_mem_read, &mem, (uint32_t)h.len, &info) == IMAGE_OK)
        h.len = info.total_size; /* the size is the image's, not the HEX text's */
    *data = h.data;
    *len = h.len;
    return IMAGE_OK;
}

int img_load_image(const char *path, uint8_t **data, size_t *len, char *err, size_t errcap)
{
    int rc = img_read_file_max(path, IMG_LOAD_MAX, data, len, err, errcap);
    if (rc == IMAGE_OK && looks_like_hex(*data, *len))
        rc = image_from_hex(path, data, len, err, errcap);
    return rc;
}
