/*
 * The crypto port of the image library: the only place where image/ meets a
 * crypto implementation. The host build plugs in OpenSSL 3
 * (crypto_openssl.c); an embedded port implements the same few functions
 * with mbedTLS, PSA or a hardware engine. Parsing and policy (which key,
 * which TLV) stay in image/ and never see the library's types.
 *
 * Deliberately not here: signing, key generation, encryption. Those are
 * host-only and live in the signing side (sign.c, keys.c).
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

/* Digest length of a hash TLV type, 0 when the type is not a hash. */
size_t image_hash_len(uint16_t hash_tlv_type);

/* All return IMAGE_OK or a negative enum image_err. After a failed
 * init nothing needs freeing; after a successful init, final or abort
 * must be called exactly once. */
int image_hash_init(struct image_hash *h, uint16_t hash_tlv_type);
int image_hash_update(struct image_hash *h, const void *data, size_t len);
int image_hash_final(struct image_hash *h, uint8_t *out, size_t cap, size_t *out_len);
void image_hash_abort(struct image_hash *h);

/* One-shot hash of a memory buffer. */
int image_hash_buf(uint16_t hash_tlv_type, const void *data, size_t len,
                   uint8_t *out, size_t cap, size_t *out_len);

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

#endif
