/* Test helper: whole files into memory. */
#ifndef TESTS_LIB_TESTFILE_H
#define TESTS_LIB_TESTFILE_H

#include <stddef.h>
#include <stdint.h>

/* Reads a whole file into a malloc'd buffer with a NUL after the last byte
 * (so text files can be used as strings). Returns NULL if it cannot be
 * opened or read. *len is the file size. */
uint8_t *test_read_file(const char *path, size_t *len);

#endif
