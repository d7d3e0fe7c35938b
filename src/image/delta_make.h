/*
 * Delta patches, host side (DELTA.md): `imgtool delta` makes a patch that
 * rebuilds NEW from OLD; `imgtool dumpinfo` of a patch describes it. Uses
 * the heap. The device applies patches with delta.h.
 */
#ifndef IMAGE_DELTA_MAKE_H
#define IMAGE_DELTA_MAKE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A patch from the signed image base to the signed image target (whole
 * files; the base's trailing padding is never read). Both must be
 * unencrypted MCUboot images, the base with a SHA-256 TLV. 0 and a new
 * heap buffer *patch, or -1 with a message in err. */
int delta_make(const uint8_t *base, size_t base_len, const uint8_t *target, size_t target_len,
               uint8_t **patch, size_t *patch_len, char *err, size_t errcap);

/* 1 when b starts like a patch (its magic), else 0. */
int delta_is_patch(const uint8_t *b, size_t len);

/* Prints the header and the op statistics of a patch, as "key: value"
 * lines (json: one JSON object). 0, or -1 with a message in err. */
int delta_describe(const uint8_t *b, size_t len, const char *name, int json, FILE *out,
                   char *err, size_t errcap);

#endif
