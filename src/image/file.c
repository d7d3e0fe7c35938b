/*
 * Whole-file reads with every error reported (see file.h). The size is not
 * asked first (fseek/ftell): pipes and character devices have none, so the
 * buffer grows until EOF, and EOF is only trusted when ferror is clear.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/file.h"
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

int img_read_stream(FILE *f, const char *name, uint8_t **data, size_t *len, char *err,
                    size_t errcap)
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

int img_read_file(const char *path, uint8_t **data, size_t *len, char *err, size_t errcap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *data = NULL;
        *len = 0;
        return read_failed(path, errno, err, errcap);
    }
    int rc = img_read_stream(f, path, data, len, err, errcap);
    fclose(f);
    return rc;
}
