/* Test helper: whole files into memory. */
#ifndef TESTS_LIB_TESTFILE_H
#define TESTS_LIB_TESTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/image_crypto.h"

/* Reads a whole file into a malloc'd buffer with a NUL after the last byte
 * (so text files can be used as strings). Returns NULL if it cannot be
 * opened or read. *len is the file size. */
uint8_t *test_read_file(const char *path, size_t *len);

/* The kind of a reference vector's key by its id ("ed25519-b", "rsa2048",
 * "ecp256"...), IMAGE_KEY_UNKNOWN for no key or another name. */
enum image_key_kind test_key_kind(const char *id);

/* Whether this build's crypto port verifies images signed with key id
 * (the mbedTLS port refuses Ed25519): the boot and image tests expect the
 * OpenSSL port's decision when it does, IMAGE_ERR_UNSUPPORTED when not. */
bool test_port_verifies(const char *id);

#endif
