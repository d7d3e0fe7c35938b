/*
 * Access to the imgtool reference vectors (../shared/vectors/imgtool) for
 * the image tests: the manifest as cJSON, whole files, keys as DER.
 */
#ifndef TESTS_IMAGE_VECTORS_H
#define TESTS_IMAGE_VECTORS_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* Exits 77 (skipped) when SHARED_DIR or the vectors are absent, and 1
 * when the manifest is not valid JSON: a broken vector set must fail, not
 * pass on nothing. */
cJSON *vec_manifest(void);
/* The manifest's array `name`; exits 1 naming it when it is missing or
 * empty, so that no check can pass over zero vectors. */
const cJSON *vec_section(const cJSON *manifest, const char *name);
const char *vec_dir(void);
/* Reads dir/rel into a fresh buffer (NULL when missing). .hex files are
 * decoded to their binary span, holes filled with 0xff. */
uint8_t *vec_load(const char *rel, size_t *len);
/* The public DER of key id ("ed25519", "ecp256-b"...) via keys.h. */
int vec_key_der(const char *id, uint8_t *der, size_t cap, size_t *len);
const char *vec_str(const cJSON *obj, const char *name);
long vec_num(const cJSON *obj, const char *name);
size_t vec_unhex(const char *hex, uint8_t *out, size_t cap);

#endif
