/*
 * The crypto port on OpenSSL 3 (host and simulator). Implements
 * image_crypto.h and nothing else: no policy, no parsing of TLVs.
 * OpenSSL allocates internally; that stays behind this file.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "image/encrypt.h"
#include "image/image_crypto.h"

static const EVP_MD *md_for(uint16_t hash_tlv_type)
{
    switch (hash_tlv_type) {
    case IMAGE_TLV_SHA256: return EVP_sha256();
    case IMAGE_TLV_SHA384: return EVP_sha384();
    case IMAGE_TLV_SHA512: return EVP_sha512();
    default: return NULL;
    }
}

bool image_crypto_supports(enum image_key_kind kind)
{
    return kind != IMAGE_KEY_UNKNOWN;
}

int image_hash_init(struct image_hash *h, uint16_t hash_tlv_type)
{
    const EVP_MD *md = md_for(hash_tlv_type);
    if (!h || !md)
        return IMAGE_ERR_UNSUPPORTED;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (!c)
        return IMAGE_ERR_UNSUPPORTED;
    if (EVP_DigestInit_ex(c, md, NULL) != 1) {
        EVP_MD_CTX_free(c);
        return IMAGE_ERR_UNSUPPORTED;
    }
    h->impl = c;
    h->type = hash_tlv_type;
    return IMAGE_OK;
}

int image_hash_update(struct image_hash *h, const void *data, size_t len)
{
    if (EVP_DigestUpdate(h->impl, data, len) != 1)
        return IMAGE_ERR_UNSUPPORTED;
    return IMAGE_OK;
}

int image_hash_final(struct image_hash *h, uint8_t *out, size_t cap, size_t *out_len)
{
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    int ok = EVP_DigestFinal_ex(h->impl, md, &n) == 1;
    EVP_MD_CTX_free(h->impl);
    h->impl = NULL;
    if (!ok || n > cap)
        return IMAGE_ERR_UNSUPPORTED;
    memcpy(out, md, n);
    if (out_len)
        *out_len = n;
    return IMAGE_OK;
}

void image_hash_abort(struct image_hash *h)
{
    if (h && h->impl) {
        EVP_MD_CTX_free(h->impl);
        h->impl = NULL;
    }
}

/* RSA keys come as PKCS#1 RSAPublicKey, everything else as
 * SubjectPublicKeyInfo; try the latter first, it is self-describing. */
static EVP_PKEY *load_pub(const uint8_t *der, size_t der_len)
{
    if (!der || der_len == 0 || der_len > 0x10000)
        return NULL;
    const unsigned char *p = der;
    EVP_PKEY *k = d2i_PUBKEY(NULL, &p, (long)der_len);
    if (k && p == der + der_len)
        return k;
    EVP_PKEY_free(k);
    p = der;
    k = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)der_len);
    if (k && p == der + der_len)
        return k;
    EVP_PKEY_free(k);
    return NULL;
}

static enum image_key_kind kind_of(EVP_PKEY *k)
{
    switch (EVP_PKEY_get_base_id(k)) {
    case EVP_PKEY_RSA:
        switch (EVP_PKEY_get_bits(k)) {
        case 2048: return IMAGE_KEY_RSA2048;
        case 3072: return IMAGE_KEY_RSA3072;
        default: return IMAGE_KEY_UNKNOWN;
        }
    case EVP_PKEY_EC: {
        char name[32];
        size_t n = 0;
        if (!EVP_PKEY_get_group_name(k, name, sizeof name, &n))
            return IMAGE_KEY_UNKNOWN;
        if (strcmp(name, "prime256v1") == 0 || strcmp(name, "P-256") == 0)
            return IMAGE_KEY_EC_P256;
        if (strcmp(name, "secp384r1") == 0 || strcmp(name, "P-384") == 0)
            return IMAGE_KEY_EC_P384;
        return IMAGE_KEY_UNKNOWN;
    }
    case EVP_PKEY_ED25519: return IMAGE_KEY_ED25519;
    case EVP_PKEY_X25519: return IMAGE_KEY_X25519;
    default: return IMAGE_KEY_UNKNOWN;
    }
}

int image_crypto_key_kind(const uint8_t *der, size_t der_len,
                          enum image_key_kind *kind)
{
    EVP_PKEY *k = load_pub(der, der_len);
    if (!k)
        return IMAGE_ERR_UNSUPPORTED;
    *kind = kind_of(k);
    EVP_PKEY_free(k);
    return *kind == IMAGE_KEY_UNKNOWN ? IMAGE_ERR_UNSUPPORTED : IMAGE_OK;
}

static int verify_pkey(EVP_PKEY *k, enum image_key_kind kind, const EVP_MD *md,
                       const uint8_t *digest, size_t digest_len,
                       const uint8_t *sig, size_t sig_len)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k, NULL);
    int ok = c && EVP_PKEY_verify_init(c) == 1 &&
             EVP_PKEY_CTX_set_signature_md(c, md) == 1;
    if (ok && (kind == IMAGE_KEY_RSA2048 || kind == IMAGE_KEY_RSA3072)) {
        ok = EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(c, md) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(c, 32) == 1;
    }
    if (ok)
        ok = EVP_PKEY_verify(c, sig, sig_len, digest, digest_len) == 1;
    EVP_PKEY_CTX_free(c);
    return ok ? IMAGE_OK : IMAGE_ERR_SIGNATURE;
}

static int verify_ed25519(EVP_PKEY *k, const uint8_t *msg, size_t msg_len,
                          const uint8_t *sig, size_t sig_len)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c && EVP_DigestVerifyInit(c, NULL, NULL, NULL, k) == 1 &&
             EVP_DigestVerify(c, sig, sig_len, msg, msg_len) == 1;
    EVP_MD_CTX_free(c);
    return ok ? IMAGE_OK : IMAGE_ERR_SIGNATURE;
}

int image_crypto_verify_digest(const uint8_t *der, size_t der_len,
                               uint16_t sig_tlv, uint16_t hash_tlv,
                               const uint8_t *digest, size_t digest_len,
                               const uint8_t *sig, size_t sig_len)
{
    const EVP_MD *md = md_for(hash_tlv);
    if (!md || digest_len != image_hash_len(hash_tlv))
        return IMAGE_ERR_UNSUPPORTED;
    EVP_PKEY *k = load_pub(der, der_len);
    if (!k)
        return IMAGE_ERR_UNSUPPORTED;
    enum image_key_kind kind = kind_of(k);
    uint16_t want = image_sig_tlv_for(kind);
    int rc;
    if (!want || want != sig_tlv) {
        rc = IMAGE_ERR_UNSUPPORTED;
    } else if (kind == IMAGE_KEY_ED25519) {
        rc = verify_ed25519(k, digest, digest_len, sig, sig_len);
    } else if (kind == IMAGE_KEY_EC_P256 || kind == IMAGE_KEY_EC_P384) {
        size_t n = image_ecdsa_sig_der_len(sig, sig_len);
        rc = n ? verify_pkey(k, kind, md, digest, digest_len, sig, n)
               : IMAGE_ERR_SIGNATURE;
    } else {
        rc = verify_pkey(k, kind, md, digest, digest_len, sig, sig_len);
    }
    EVP_PKEY_free(k);
    return rc;
}

int image_crypto_verify_pure(const uint8_t *der, size_t der_len,
                             image_read_fn rd, void *ctx, uint32_t msg_len,
                             const uint8_t *sig, size_t sig_len)
{
    EVP_PKEY *k = load_pub(der, der_len);
    if (!k)
        return IMAGE_ERR_UNSUPPORTED;
    int rc = IMAGE_ERR_UNSUPPORTED;
    uint8_t *msg = NULL;
    if (kind_of(k) != IMAGE_KEY_ED25519)
        goto out;
    msg = malloc(msg_len ? msg_len : 1);
    rc = IMAGE_ERR_IO;
    if (!msg || (msg_len && rd(ctx, 0, msg, msg_len) != 0))
        goto out;
    rc = verify_ed25519(k, msg, msg_len, sig, sig_len);
out:
    free(msg);
    EVP_PKEY_free(k);
    return rc;
}

/* ---- decryption of encrypted images ---- */

int image_crypto_enc_unwrap(const struct image_enc_key *priv, uint16_t tlv_type,
                            const uint8_t *tlv, size_t tlv_len,
                            uint8_t aes_key[IMAGE_AES_KEY_MAX], size_t *keylen)
{
    if (!priv || !priv->der || !tlv)
        return IMAGE_ERR_BAD_ARG;
    if (tlv_type != IMAGE_TLV_ENC_RSA2048 && tlv_type != IMAGE_TLV_ENC_EC256 &&
        tlv_type != IMAGE_TLV_ENC_X25519 && tlv_type != IMAGE_TLV_ENC_X25519_SHA512)
        return IMAGE_ERR_UNSUPPORTED;
    const unsigned char *p = priv->der;
    EVP_PKEY *k = d2i_AutoPrivateKey(NULL, &p, (long)priv->der_len);
    if (!k)
        return IMAGE_ERR_UNSUPPORTED;
    int id = EVP_PKEY_get_base_id(k);
    /* each TLV type is made for one key type: say so rather than fail late */
    bool fits = tlv_type == IMAGE_TLV_ENC_RSA2048 ? id == EVP_PKEY_RSA
                : tlv_type == IMAGE_TLV_ENC_EC256 ? id == EVP_PKEY_EC
                                                  : id == EVP_PKEY_X25519;
    struct img_key key = { .pkey = k, .kind = IMAGE_KEY_UNKNOWN, .has_private = true };
    int rc = fits ? img_enc_unwrap(&key, tlv_type, tlv, tlv_len, aes_key, IMAGE_AES_KEY_MAX,
                                   keylen)
                  : IMAGE_ERR_UNSUPPORTED;
    if (rc == IMAGE_ERR_UNSUPPORTED && fits)
        rc = IMAGE_ERR_SIGNATURE; /* RSA-OAEP refused: not wrapped for this key */
    if (rc == IMAGE_OK && *keylen != 16 && *keylen != 32)
        rc = IMAGE_ERR_TLV_LENGTH;
    EVP_PKEY_free(k);
    return rc;
}

int image_crypto_aes_ctr(const uint8_t *key, size_t keylen, uint32_t off,
                         uint8_t *buf, size_t len)
{
    const EVP_CIPHER *c = keylen == 32 ? EVP_aes_256_ctr() : keylen == 16 ? EVP_aes_128_ctr() : NULL;
    uint8_t iv[16] = { 0 }, skip[16] = { 0 };
    uint32_t block = off / 16;
    for (int i = 0; i < 4; i++)
        iv[15 - i] = (uint8_t)(block >> (8 * i));
    EVP_CIPHER_CTX *x = c ? EVP_CIPHER_CTX_new() : NULL;
    int n = 0;
    int ok = x && EVP_EncryptInit_ex(x, c, NULL, key, iv) == 1;
    /* start inside the block: consume the key stream bytes before off */
    if (ok && off % 16)
        ok = EVP_EncryptUpdate(x, skip, &n, skip, (int)(off % 16)) == 1;
    for (size_t done = 0; ok && done < len;) {
        int step = len - done > (1u << 20) ? 1 << 20 : (int)(len - done);
        ok = EVP_EncryptUpdate(x, buf + done, &n, buf + done, step) == 1 && n == step;
        done += (size_t)step;
    }
    EVP_CIPHER_CTX_free(x);
    return ok ? IMAGE_OK : IMAGE_ERR_UNSUPPORTED;
}
