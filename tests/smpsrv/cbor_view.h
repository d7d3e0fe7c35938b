/*
 * An independent view of CBOR response bodies, backed by libcbor, so the
 * server's encoder is not checked only by our own decoder. Kept in its own
 * translation unit: libcbor's names clash with smp/cbor.h.
 */
#ifndef TESTS_SMPSRV_CBOR_VIEW_H
#define TESTS_SMPSRV_CBOR_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cv; /* one decoded item */

/* Decodes exactly one item filling all n bytes; NULL when that fails. */
struct cv *cv_load(const uint8_t *buf, size_t n);
void cv_free(struct cv *root);

bool cv_is_map(const struct cv *v);
bool cv_is_array(const struct cv *v);
bool cv_is_definite(const struct cv *v);
size_t cv_size(const struct cv *v); /* map pairs or array items */
const struct cv *cv_get(const struct cv *map, const char *key); /* NULL if absent */
const struct cv *cv_at(const struct cv *arr, size_t i);
const struct cv *cv_key_at(const struct cv *map, size_t i);
const struct cv *cv_val_at(const struct cv *map, size_t i);

/* Typed reads: false when the item has another type. */
bool cv_uint(const struct cv *v, uint64_t *out);
bool cv_int(const struct cv *v, int64_t *out);
bool cv_bool(const struct cv *v, bool *out);
bool cv_text(const struct cv *v, char *out, size_t cap); /* NUL-terminated */
bool cv_bytes(const struct cv *v, const uint8_t **p, size_t *n);

/* Shorthands on a map: the value of key as ..., or a fallback. */
int64_t cv_get_int(const struct cv *map, const char *key, int64_t absent);
int cv_get_bool(const struct cv *map, const char *key); /* -1 absent, 0, 1 */

#endif
