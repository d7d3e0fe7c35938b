/*
 * Encrypted images, device side: the body [hdr_size, hdr_size + img_size)
 * of an image whose header has IMAGE_F_ENCRYPTED_AES128/256 is AES-CTR
 * ciphertext in the secondary slot (zero initial counter block, counter =
 * byte offset from the body start / 16); header and TLVs are plaintext and
 * the hash and signature cover the plaintext. This file finds the ENC TLV,
 * unwraps its AES key through the crypto port, and offers a reader that
 * decrypts on the fly, so image_validate hashes the plaintext. CTR is
 * seekable: any slice decrypts alone. No malloc.
 */
#ifndef IMAGE_DECRYPT_H
#define IMAGE_DECRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/image.h"
#include "image/image_crypto.h"

/* The AES key of one image and where its ciphertext lies. */
struct image_body_key {
    uint8_t key[IMAGE_AES_KEY_MAX];
    uint8_t keylen;     /* 16 or 32 */
    uint32_t body_off;  /* hdr_size */
    uint32_t body_len;  /* img_size */
};

bool image_is_encrypted(const struct image_header *hdr);

/* Finds the ENC TLV of an image (either TLV area) and unwraps its key with
 * priv. IMAGE_OK; IMAGE_ERR_NO_SIGNATURE when the image has no ENC TLV,
 * IMAGE_ERR_SIGNATURE when the TLV was made for another key,
 * IMAGE_ERR_UNSUPPORTED when it needs another key type, IMAGE_ERR_IO when
 * rd failed. */
int image_body_key_load(image_read_fn rd, void *ctx, const struct image_info *info,
                        const struct image_enc_key *priv, struct image_body_key *out);

/* En- or decrypts in place the part of buf that falls inside the body;
 * buf holds len bytes found at image offset off. */
int image_body_crypt(const struct image_body_key *k, uint32_t off, uint8_t *buf, size_t len);

/* An image_read_fn returning plaintext from an image read by rd. */
struct image_decrypt_reader {
    image_read_fn rd;
    void *ctx;
    const struct image_body_key *key;
};
int image_decrypt_read(void *ctx, uint32_t off, void *buf, size_t len);

#endif
