/*
 * Image encryption, host side: AES-CTR over the image body and the key
 * exchange TLVs MCUboot understands (ECIES-X25519, ECIES-P256, RSA-OAEP).
 * Also the reverse (unwrap with the private key), so tests and tools can
 * check an encrypted image. OpenSSL only; no hand-written crypto.
 */
#ifndef IMAGE_ENCRYPT_H
#define IMAGE_ENCRYPT_H

#include <stddef.h>
#include <stdint.h>

#include "image/keyfile.h"

/* Fills buf with random bytes from OpenSSL's DRBG. */
int img_random(uint8_t *buf, size_t len);

/* AES-CTR with an all-zero initial counter block, in place. */
int img_aes_ctr(const uint8_t *key, size_t keylen, uint8_t *buf, size_t len);

/* Wraps aes_key for enc_key (public or private key file). hmac_sha is 256
 * or 512 (X25519 only). Writes the TLV value and its type. */
int img_enc_wrap(const struct img_key *enc_key, const uint8_t *aes_key, size_t keylen,
                 unsigned hmac_sha, uint16_t *tlv_type, uint8_t *tlv, size_t cap,
                 size_t *tlv_len, char *err, size_t errcap);

/* Recovers the AES key from an ENC_* TLV with the private key. */
int img_enc_unwrap(const struct img_key *enc_priv, uint16_t tlv_type, const uint8_t *tlv,
                   size_t tlv_len, uint8_t *aes_key, size_t cap, size_t *keylen);

#endif
