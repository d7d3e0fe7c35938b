/*
 * Image encryption (see encrypt.h). ECIES as MCUboot defines it: an
 * ephemeral key agreement, HKDF (no salt, info "MCUBoot_ECIES_v1") giving
 * the key-wrapping AES key then the HMAC key, the AES key encrypted with
 * AES-CTR (zero counter), and an HMAC over that ciphertext. TLV value:
 * ephemeral public key || HMAC || wrapped key.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "image/encrypt.h"
#include "image/image.h"

#define ECIES_INFO "MCUBoot_ECIES_v1"

int img_random(uint8_t *buf, size_t len)
{
    return RAND_bytes(buf, (int)len) == 1 ? IMAGE_OK : IMAGE_ERR_UNSUPPORTED;
}

int img_aes_ctr(const uint8_t *key, size_t keylen, uint8_t *buf, size_t len)
{
    static const uint8_t iv[16];
    const EVP_CIPHER *c = keylen == 32 ? EVP_aes_256_ctr() : keylen == 16 ? EVP_aes_128_ctr() : NULL;
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    int out = 0, fin = 0;
    int ok = c && x && EVP_EncryptInit_ex(x, c, NULL, key, iv) == 1;
    /* CTR is a stream mode: encrypt in bounded steps, in place */
    for (size_t off = 0; ok && off < len;) {
        int n = len - off > (1u << 20) ? 1 << 20 : (int)(len - off);
        ok = EVP_EncryptUpdate(x, buf + off, &out, buf + off, n) == 1 && out == n;
        off += (size_t)n;
    }
    ok = ok && EVP_EncryptFinal_ex(x, buf + len, &fin) == 1 && fin == 0;
    EVP_CIPHER_CTX_free(x);
    return ok ? IMAGE_OK : IMAGE_ERR_UNSUPPORTED;
}

static int hkdf(const EVP_MD *md, const uint8_t *secret, size_t slen, uint8_t *out, size_t olen)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
    int ok = c && EVP_PKEY_derive_init(c) == 1 && EVP_PKEY_CTX_set_hkdf_md(c, md) == 1 &&
             EVP_PKEY_CTX_set1_hkdf_key(c, secret, (int)slen) == 1 &&
             EVP_PKEY_CTX_add1_hkdf_info(c, (const unsigned char *)ECIES_INFO,
                                         (int)strlen(ECIES_INFO)) == 1 &&
             EVP_PKEY_derive(c, out, &olen) == 1;
    EVP_PKEY_CTX_free(c);
    return ok ? IMAGE_OK : IMAGE_ERR_UNSUPPORTED;
}

static int ecdh(EVP_PKEY *mine, EVP_PKEY *peer, uint8_t *secret, size_t *slen)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(mine, NULL);
    int ok = c && EVP_PKEY_derive_init(c) == 1 && EVP_PKEY_derive_set_peer(c, peer) == 1 &&
             EVP_PKEY_derive(c, secret, slen) == 1;
    EVP_PKEY_CTX_free(c);
    return ok ? IMAGE_OK : IMAGE_ERR_UNSUPPORTED;
}

/* Raw X25519 public bytes, or the uncompressed P-256 point. */
static size_t public_point(EVP_PKEY *pk, uint8_t *out, size_t cap)
{
    size_t n = cap;
    if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_X25519)
        return EVP_PKEY_get_raw_public_key(pk, out, &n) == 1 ? n : 0;
    return EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_PUB_KEY, out, cap, &n) == 1 ? n : 0;
}

static EVP_PKEY *peer_from_point(int x25519, const uint8_t *pt, size_t n)
{
    if (x25519)
        return EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, pt, n);
    EVP_PKEY *pk = NULL;
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    OSSL_PARAM p[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)pt, n),
        OSSL_PARAM_construct_end(),
    };
    if (!c || EVP_PKEY_fromdata_init(c) != 1 ||
        EVP_PKEY_fromdata(c, &pk, EVP_PKEY_PUBLIC_KEY, p) != 1)
        pk = NULL;
    EVP_PKEY_CTX_free(c);
    return pk;
}

static int hmac(const EVP_MD *md, const uint8_t *key, size_t klen, const uint8_t *data,
                size_t dlen, uint8_t *out, size_t *olen)
{
    unsigned int n = 0;
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *c = mac ? EVP_MAC_CTX_new(mac) : NULL;
    OSSL_PARAM p[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)EVP_MD_get0_name(md), 0),
        OSSL_PARAM_construct_end(),
    };
    size_t len = 0;
    int ok = c && EVP_MAC_init(c, key, klen, p) == 1 && EVP_MAC_update(c, data, dlen) == 1 &&
             EVP_MAC_final(c, out, &len, 64) == 1;
    EVP_MAC_CTX_free(c);
    EVP_MAC_free(mac);
    (void)n;
    *olen = len;
    return ok ? IMAGE_OK : IMAGE_ERR_UNSUPPORTED;
}

/* Keys from the shared secret: wrapping key (keylen) then HMAC key. */
static int ecies_keys(const EVP_MD *md, const uint8_t *secret, size_t slen, size_t keylen,
                      uint8_t *derived)
{
    return hkdf(md, secret, slen, derived, keylen + (size_t)EVP_MD_get_size(md));
}

static int ecies_wrap(EVP_PKEY *peer, int x25519, const uint8_t *aes_key, size_t keylen,
                      const EVP_MD *md, uint8_t *tlv, size_t cap, size_t *tlv_len)
{
    EVP_PKEY *eph = x25519 ? EVP_PKEY_Q_keygen(NULL, NULL, "X25519")
                           : EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    uint8_t secret[64], derived[128], point[80], mac[64];
    size_t slen = sizeof secret, plen, mlen;
    int rc = eph ? ecdh(eph, peer, secret, &slen) : IMAGE_ERR_UNSUPPORTED;
    if (rc == IMAGE_OK)
        rc = ecies_keys(md, secret, slen, keylen, derived);
    plen = rc == IMAGE_OK ? public_point(eph, point, sizeof point) : 0;
    if (rc == IMAGE_OK && (!plen || plen + (size_t)EVP_MD_get_size(md) + keylen > cap))
        rc = IMAGE_ERR_UNSUPPORTED;
    if (rc == IMAGE_OK) {
        uint8_t *wrapped = tlv + plen + EVP_MD_get_size(md);
        memcpy(wrapped, aes_key, keylen);
        rc = img_aes_ctr(derived, keylen, wrapped, keylen);
        if (rc == IMAGE_OK)
            rc = hmac(md, derived + keylen, (size_t)EVP_MD_get_size(md), wrapped, keylen, mac, &mlen);
        memcpy(tlv, point, plen);
        memcpy(tlv + plen, mac, (size_t)EVP_MD_get_size(md));
        *tlv_len = plen + (size_t)EVP_MD_get_size(md) + keylen;
    }
    EVP_PKEY_free(eph);
    return rc;
}

static int rsa_oaep(EVP_PKEY *pk, int encrypt, const uint8_t *in, size_t inlen, uint8_t *out,
                    size_t *outlen)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(pk, NULL);
    int ok = c && (encrypt ? EVP_PKEY_encrypt_init(c) : EVP_PKEY_decrypt_init(c)) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_OAEP_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_oaep_md(c, EVP_sha256()) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(c, EVP_sha256()) == 1 &&
             (encrypt ? EVP_PKEY_encrypt(c, out, outlen, in, inlen)
                      : EVP_PKEY_decrypt(c, out, outlen, in, inlen)) == 1;
    EVP_PKEY_CTX_free(c);
    return ok ? IMAGE_OK : IMAGE_ERR_UNSUPPORTED;
}

int img_enc_wrap(const struct img_key *enc_key, const uint8_t *aes_key, size_t keylen,
                 unsigned hmac_sha, uint16_t *tlv_type, uint8_t *tlv, size_t cap,
                 size_t *tlv_len, char *err, size_t errcap)
{
    const EVP_MD *md = hmac_sha == 512 ? EVP_sha512() : EVP_sha256();
    int rc;
    switch (enc_key->kind) {
    case IMAGE_KEY_X25519:
        *tlv_type = hmac_sha == 512 ? IMAGE_TLV_ENC_X25519_SHA512 : IMAGE_TLV_ENC_X25519;
        rc = ecies_wrap(enc_key->pkey, 1, aes_key, keylen, md, tlv, cap, tlv_len);
        break;
    case IMAGE_KEY_EC_P256:
        *tlv_type = IMAGE_TLV_ENC_EC256;
        rc = ecies_wrap(enc_key->pkey, 0, aes_key, keylen, md, tlv, cap, tlv_len);
        break;
    case IMAGE_KEY_RSA2048:
        *tlv_type = IMAGE_TLV_ENC_RSA2048;
        *tlv_len = cap;
        rc = rsa_oaep(enc_key->pkey, 1, aes_key, keylen, tlv, tlv_len);
        break;
    default:
        snprintf(err, errcap, "encryption key must be X25519, EC P-256 or RSA-2048");
        return IMAGE_ERR_BAD_ARG;
    }
    if (rc)
        snprintf(err, errcap, "wrapping the image encryption key failed");
    return rc;
}

int img_enc_unwrap(const struct img_key *enc_priv, uint16_t tlv_type, const uint8_t *tlv,
                   size_t tlv_len, uint8_t *aes_key, size_t cap, size_t *keylen)
{
    if (tlv_type == IMAGE_TLV_ENC_RSA2048) {
        /* OpenSSL wants room for a whole modulus even for a 16-byte key */
        uint8_t plain[512];
        size_t n = sizeof plain;
        int rc = rsa_oaep(enc_priv->pkey, 0, tlv, tlv_len, plain, &n);
        if (rc == IMAGE_OK && n > cap)
            rc = IMAGE_ERR_TLV_LENGTH;
        if (rc == IMAGE_OK) {
            memcpy(aes_key, plain, n);
            *keylen = n;
        }
        return rc;
    }
    int x = tlv_type != IMAGE_TLV_ENC_EC256;
    const EVP_MD *md = tlv_type == IMAGE_TLV_ENC_X25519_SHA512 ? EVP_sha512() : EVP_sha256();
    size_t plen = x ? 32 : 65, mlen = (size_t)EVP_MD_get_size(md);
    if (tlv_len <= plen + mlen || tlv_len - plen - mlen > cap)
        return IMAGE_ERR_TLV_LENGTH;
    size_t klen = tlv_len - plen - mlen;
    EVP_PKEY *peer = peer_from_point(x, tlv, plen);
    uint8_t secret[64], derived[128], mac[64];
    size_t slen = sizeof secret, got;
    int rc = peer ? ecdh(enc_priv->pkey, peer, secret, &slen) : IMAGE_ERR_UNSUPPORTED;
    if (rc == IMAGE_OK)
        rc = ecies_keys(md, secret, slen, klen, derived);
    if (rc == IMAGE_OK)
        rc = hmac(md, derived + klen, mlen, tlv + plen + mlen, klen, mac, &got);
    if (rc == IMAGE_OK && memcmp(mac, tlv + plen, mlen) != 0)
        rc = IMAGE_ERR_SIGNATURE;
    if (rc == IMAGE_OK) {
        memcpy(aes_key, tlv + plen + mlen, klen);
        rc = img_aes_ctr(derived, klen, aes_key, klen);
        *keylen = klen;
    }
    EVP_PKEY_free(peer);
    return rc;
}
