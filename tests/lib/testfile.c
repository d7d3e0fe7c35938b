#include "testfile.h"

#include <stdio.h>

#include "image/file.h"

/* The project's one whole-file reader; the tests only drop its message. */
uint8_t *test_read_file(const char *path, size_t *len)
{
    uint8_t *data;
    char err[512];
    if (img_read_file(path, &data, len, err, sizeof err) != 0)
        return NULL;
    return data;
}
