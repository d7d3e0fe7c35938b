/*
 * Whole files into memory, host side: the one reader of imgtool and of the
 * host image code (key files included). A read that fails part-way (EIO,
 * EISDIR, a device that goes away) is an error, never a shorter file: a
 * truncated firmware must not be signed, a truncated key not parsed.
 */
#ifndef IMAGE_FILE_H
#define IMAGE_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Reads f to its end into a malloc'd buffer with a NUL after the last
 * byte (text files can be used as strings). 0, or IMAGE_ERR_IO with
 * "cannot read NAME: REASON" in err and nothing returned. name is only
 * for the message. */
int img_read_stream(FILE *f, const char *name, uint8_t **data, size_t *len, char *err,
                    size_t errcap);
/* The same for the file at path (opened "rb" and closed again). */
int img_read_file(const char *path, uint8_t **data, size_t *len, char *err, size_t errcap);
/* img_read_file for a file that has no business being large (a list, a
 * setting): more than max bytes is IMAGE_ERR_TOO_LARGE, "NAME is larger
 * than MAX bytes", found without reading further (/dev/zero ends). */
int img_read_file_max(const char *path, size_t max, uint8_t **data, size_t *len, char *err,
                      size_t errcap);

/* The largest file img_load_image takes: far past any image slot (and its
 * Intel HEX text), so a larger one is a mistake (a device node such as
 * /dev/zero, a disk image) refused before it fills memory. */
#define IMG_LOAD_MAX (64u * 1024u * 1024u)
/* The largest key file a key loader reads. */
#define IMG_KEYFILE_MAX (1024u * 1024u)

/* A signed image to send or program: the file as it is, or, when it is
 * Intel HEX, the bytes from its lowest address cut to the length the
 * image's own header and TLVs give (a HEX image padded to its slot, a
 * trailer record included, yields just the image). Whether the bytes are
 * a valid image is for the caller to check. 0, IMAGE_ERR_IO,
 * IMAGE_ERR_TOO_LARGE (over IMG_LOAD_MAX) or IMAGE_ERR_BAD_ARG (malformed
 * HEX), with the reason in err. */
int img_load_image(const char *path, uint8_t **data, size_t *len, char *err, size_t errcap);

#endif
