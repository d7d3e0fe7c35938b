/*
 * The crypto port of the image library: the only place where image/ meets a
 * crypto implementation. The host build plugs in OpenSSL 3
 * (crypto_openssl.c); an embedded port implements the same few functions
 * with mbedTLS, PSA or a hardware engine. Parsing and policy (which key,
 * which TLV) stay in image/ and never see the library's types.
 *
 * Deliberately not here: signing, key generation, encryption. Those are
 * host-only and live in the signing side (sign.c, keys.c). Decryption is
 * here (unwrapping the AES key of an ENC TLV, AES-CTR at any offset):
 * a bootloader configured with the image-encryption private key needs it.
 */
#ifndef IMAGE_IMAGE_CRYPTO_H
#define IMAGE_IMAGE_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "image/image.h"

/* What a trusted public key is, decided from its DER form. */
enum image_key_kind {
    IMAGE_KEY_UNKNOWN = 0,
    IMAGE_KEY_RSA2048,
    IMAGE_KEY_RSA3072,
    IMAGE_KEY_EC_P256,
    IMAGE_KEY_EC_P384,
    IMAGE_KEY_ED25519,
    IMAGE_KEY_X25519,
};

#define IMAGE_HASH_MAX 64

/* Streaming hash. The port keeps its state behind impl (OpenSSL: an
 * EVP_MD_CTX); a bare-metal port can point it at a static context. */
struct image_hash {
    void *impl;
    uint16_t type; /* IMAGE_TLV_SHA256/384/512 */
};

/* Shared by every port (crypto_common.c, in image_device): */
/* Digest length of a hash TLV type, 0 when the type is not a hash. */
size_t image_hash_len(uint16_t hash_tlv_type);
/* The signature TLV type that a key of this kind signs with, 0 for none. */
uint16_t image_sig_tlv_for(enum image_key_kind kind);
/* Whether a TLV type is a signature (of any kind of key). */
bool image_tlv_is_signature(uint16_t tlv_type);
/* Length of the DER SEQUENCE at the start of an ECDSA signature TLV, so
 * that the zero padding after it (imgtool --pad-sig) can be cut off; 0
 * when the value is not a SEQUENCE followed only by zeros. */
size_t image_ecdsa_sig_der_len(const uint8_t *sig, size_t sig_len);

/* All return IMAGE_OK or a negative enum image_err. After a failed
 * init nothing needs freeing; after a successful init, final or abort
 * must be called exactly once. */
int image_hash_init(struct image_hash *h, uint16_t hash_tlv_type);
int image_hash_update(struct image_hash *h, const void *data, size_t len);
int image_hash_final(struct image_hash *h, uint8_t *out, size_t cap, size_t *out_len);
void image_hash_abort(struct image_hash *h);

/* One-shot hash of a memory buffer (crypto_common.c, over the above). */
int image_hash_buf(uint16_t hash_tlv_type, const void *data, size_t len,
                   uint8_t *out, size_t cap, size_t *out_len);

/* Whether this port can verify (or, for X25519, unwrap with) keys of
 * this kind. The mbedTLS port says no to Ed25519 (not in mbedTLS 2.28) and
 * to whatever its build left out (CRYPTO_RSA, CRYPTO_ECDSA...). */
bool image_crypto_supports(enum image_key_kind kind);

/* Classifies a public key in `imgtool getpub -e raw` DER form (RSA: PKCS#1
 * RSAPublicKey; EC, Ed25519, X25519: SubjectPublicKeyInfo). */
int image_crypto_key_kind(const uint8_t *der, size_t der_len,
                          enum image_key_kind *kind);

/* Verifies sig (the value of a signature TLV of type sig_tlv) over a
 * digest of type hash_tlv with the public key der. RSA: PSS, MGF1 with the
 * digest's hash, salt 32. ECDSA: DER SEQUENCE{r,s}, trailing zero padding
 * allowed (imgtool --pad-sig). Ed25519: the digest bytes are the message.
 * IMAGE_OK, IMAGE_ERR_SIGNATURE when it does not verify,
 * IMAGE_ERR_UNSUPPORTED when key and TLV types do not go together. */
int image_crypto_verify_digest(const uint8_t *der, size_t der_len,
                               uint16_t sig_tlv, uint16_t hash_tlv,
                               const uint8_t *digest, size_t digest_len,
                               const uint8_t *sig, size_t sig_len);

/* Ed25519 over a whole message read through rd (SIG_PURE images): the
 * message is bytes [0, msg_len) of the image. Ed25519 needs the whole
 * message at once, so the port decides how to stage it (the host port
 * copies it to the heap; a device port may read memory-mapped flash). */
int image_crypto_verify_pure(const uint8_t *der, size_t der_len,
                             image_read_fn rd, void *ctx, uint32_t msg_len,
                             const uint8_t *sig, size_t sig_len);

/* The image-encryption private key of a board (X25519, EC P-256 or
 * RSA-2048), DER: PKCS#8 or the traditional form. */
struct image_enc_key {
    const uint8_t *der;
    size_t der_len;
};

#define IMAGE_AES_KEY_MAX 32

/* Recovers the AES key wrapped in the value of an ENC TLV (tlv_type
 * IMAGE_TLV_ENC_RSA2048, _EC256, _X25519, _X25519_SHA512) with the
 * private key. IMAGE_OK and *keylen 16 or 32; IMAGE_ERR_SIGNATURE when the
 * TLV was not made for this key (HMAC or OAEP check fails),
 * IMAGE_ERR_UNSUPPORTED when key and TLV types do not go together. */
int image_crypto_enc_unwrap(const struct image_enc_key *priv, uint16_t tlv_type,
                            const uint8_t *tlv, size_t tlv_len,
                            uint8_t aes_key[IMAGE_AES_KEY_MAX], size_t *keylen);

/* AES-CTR in place on len bytes that sit at byte offset off of a stream
 * whose initial counter block is zero (counter = off / 16, big endian):
 * the same call encrypts and decrypts, and any slice can be done alone. */
int image_crypto_aes_ctr(const uint8_t *key, size_t keylen, uint32_t off,
                         uint8_t *buf, size_t len);

#endif
