/*
 * LZMA2 payload compression as MCUboot images carry it (imgtool
 * `--compression lzma2|lzma2armthumb`), host side: the body of a
 * compressed image is a 2-byte header (dictionary-size byte, then the
 * lc/lp/pb byte) followed by a raw LZMA2 stream, optionally with the ARM
 * Thumb branch filter applied first. Uses liblzma and the heap.
 *
 * Not here: building the DECOMP_* TLVs or the header flags (the signer
 * does that); decompression on a device.
 */
#ifndef IMAGE_COMPRESS_H
#define IMAGE_COMPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parameters imgtool uses: 128 KiB dictionary, lc 3, lp 1, pb 2, preset 9
 * (so the header is 0x0a 0x66). Fixed, so our output is byte-identical. */
#define IMAGE_LZMA2_DICT_SIZE (128u * 1024u)
#define IMAGE_LZMA2_HDR_LEN 2

/* Compresses in[0..len) into a new heap buffer *out (header included).
 * 0, IMAGE_ERR_UNSUPPORTED when liblzma refuses, IMAGE_ERR_BAD_ARG. */
int image_lzma2_compress(const uint8_t *in, size_t len, bool arm_thumb,
                         uint8_t **out, size_t *out_len);

/* The reverse: checks the 2-byte header, decompresses into a new heap
 * buffer of at most max_len bytes. IMAGE_ERR_BAD_ARG on corrupt input. */
int image_lzma2_decompress(const uint8_t *in, size_t len, bool arm_thumb,
                           size_t max_len, uint8_t **out, size_t *out_len);

#endif
