/*
 * `imgtool verify` semantics (see verify.h). The walk mirrors imgtool's:
 * locate the unprotected TLV area (skipping a protected one), find SIG_PURE,
 * then take TLVs in order: the hash TLV must match (and without a key that
 * is enough), a signature TLV of the key's type must verify.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image_crypto.h"
#include "image/verify.h"

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* One table for names and messages, indexed by the result. */
static const struct {
    const char *name, *msg;
} results[] = {
    [IMG_VERIFY_OK] = { "IMG_VERIFY_OK", "Image was correctly validated" },
    [IMG_VERIFY_BAD_MAGIC] = { "IMG_VERIFY_BAD_MAGIC", "Invalid image magic; is this an MCUboot image?" },
    [IMG_VERIFY_BAD_TLV_MAGIC] = { "IMG_VERIFY_BAD_TLV_MAGIC",
                                   "Invalid TLV info magic; is this an MCUboot image?" },
    [IMG_VERIFY_BAD_HASH] = { "IMG_VERIFY_BAD_HASH", "Image has an invalid hash" },
    [IMG_VERIFY_NO_SIGNATURE] = { "IMG_VERIFY_NO_SIGNATURE", "No signature found for the given key" },
    [IMG_VERIFY_KEY_MISMATCH] = { "IMG_VERIFY_KEY_MISMATCH", "Key type does not match TLV record" },
    [IMG_VERIFY_TRUNCATED] = { "IMG_VERIFY_TRUNCATED",
                               "Image is truncated: its TLV area ends past the end of the file" },
    [IMG_VERIFY_NO_HASH] = { "IMG_VERIFY_NO_HASH", "Image has no hash TLV" },
};

const char *img_verify_message(enum img_verify_result res)
{
    return (unsigned)res < sizeof results / sizeof results[0] ? results[res].msg
                                                              : "unknown verify result";
}

const char *img_verify_name(enum img_verify_result res)
{
    return (unsigned)res < sizeof results / sizeof results[0] ? results[res].name
                                                              : "IMG_VERIFY_UNKNOWN";
}

static int finish(struct img_verify_report *r, enum img_verify_result res)
{
    r->result = res;
    return res == IMG_VERIFY_OK ? 0 : -1;
}

static int truncated(struct img_verify_report *r, size_t off, size_t len)
{
    snprintf(r->detail, sizeof r->detail,
             "a TLV header at offset 0x%zx needs 4 bytes but the file is 0x%zx bytes", off, len);
    return finish(r, IMG_VERIFY_TRUNCATED);
}

/* The hash a key type signs with: imgtool reports a mismatch otherwise. */
static bool key_fits_hash(const struct img_key *k, uint16_t hash_type)
{
    switch (k->kind) {
    case IMAGE_KEY_EC_P384: return hash_type == IMAGE_TLV_SHA384;
    case IMAGE_KEY_ED25519: return hash_type == IMAGE_TLV_SHA256 || hash_type == IMAGE_TLV_SHA512;
    default: return hash_type == IMAGE_TLV_SHA256;
    }
}

static uint16_t key_sig_type(const struct img_key *k)
{
    switch (k->kind) {
    case IMAGE_KEY_RSA2048: return IMAGE_TLV_RSA2048_PSS;
    case IMAGE_KEY_RSA3072: return IMAGE_TLV_RSA3072_PSS;
    case IMAGE_KEY_EC_P256:
    case IMAGE_KEY_EC_P384: return IMAGE_TLV_ECDSA_SIG;
    case IMAGE_KEY_ED25519: return IMAGE_TLV_ED25519;
    default: return 0;
    }
}

/* ECDSA TLVs may carry zero padding after the DER SEQUENCE (--pad-sig). */
static size_t der_seq_len(const uint8_t *s, size_t len)
{
    if (len < 2 || s[0] != 0x30)
        return len;
    size_t n = s[1], h = 2;
    if (n == 0x81 && len >= 3) {
        n = s[2];
        h = 3;
    } else if (n > 0x80) {
        return len;
    }
    return h + n <= len ? h + n : len;
}

static bool sig_verifies(const struct img_key *k, uint16_t type, const uint8_t *sig,
                         size_t sig_len, bool pure, const uint8_t *region, size_t region_len,
                         uint16_t hash_type, const uint8_t *digest, size_t dlen)
{
    uint8_t *der;
    size_t der_len;
    if (img_key_public_der(k, &der, &der_len) != 0)
        return false;
    if (type == IMAGE_TLV_ECDSA_SIG)
        sig_len = der_seq_len(sig, sig_len);
    int rc;
    if (pure) {
        struct image_mem m = { region, region_len };
        rc = image_crypto_verify_pure(der, der_len, image_mem_read, &m, (uint32_t)region_len,
                                      sig, sig_len);
    } else {
        rc = image_crypto_verify_digest(der, der_len, type, hash_type, digest, dlen, sig, sig_len);
    }
    free(der);
    return rc == IMAGE_OK;
}

/* Finds the unprotected area: [*first, *end) of its entries. */
static int locate(const uint8_t *b, size_t len, struct img_verify_report *r, size_t *hashed,
                  size_t *first, size_t *end)
{
    size_t off = (size_t)get16(b + 8) + get32(b + 12);
    if (off + 4 > len)
        return truncated(r, off, len);
    if (get16(b + off) == IMAGE_TLV_PROT_INFO_MAGIC) {
        off += get16(b + off + 2);
        if (off + 4 > len)
            return truncated(r, off, len);
    }
    if (get16(b + off) != IMAGE_TLV_INFO_MAGIC)
        return finish(r, IMG_VERIFY_BAD_TLV_MAGIC);
    *hashed = off;
    *first = off + 4;
    *end = off + get16(b + off + 2);
    return 0;
}

int img_verify_buffer(const uint8_t *b, size_t len, const struct img_key *key,
                      struct img_verify_report *r)
{
    size_t hashed, first, end;
    bool pure = false;
    memset(r, 0, sizeof *r);
    if (len < IMAGE_HEADER_SIZE || get32(b) != IMAGE_MAGIC)
        return finish(r, IMG_VERIFY_BAD_MAGIC);
    r->version.major = b[20];
    r->version.minor = b[21];
    r->version.revision = get16(b + 22);
    r->version.build = get32(b + 24);
    if (locate(b, len, r, &hashed, &first, &end))
        return -1;
    /* every entry header must be in the file (imgtool crashed here) */
    for (size_t off = first; off < end; off += 4u + get16(b + off + 2)) {
        if (off + 4 > len)
            return truncated(r, off, len);
        if (get16(b + off) == IMAGE_TLV_SIG_PURE)
            pure = true;
    }
    uint16_t hash_type = 0;
    for (size_t off = first; off < end; off += 4u + get16(b + off + 2)) {
        uint16_t type = get16(b + off), tlen = get16(b + off + 2);
        size_t avail = off + 4 >= len ? 0 : len - off - 4;
        const uint8_t *val = b + off + 4;
        size_t vlen = tlen < avail ? tlen : avail;
        if (image_hash_len(type)) {
            if (key && !key_fits_hash(key, type))
                return finish(r, IMG_VERIFY_KEY_MISMATCH);
            hash_type = type;
            if (image_hash_buf(type, b, hashed, r->digest, sizeof r->digest, &r->digest_len) ||
                vlen != r->digest_len || memcmp(val, r->digest, vlen) != 0)
                return finish(r, IMG_VERIFY_BAD_HASH);
            if (!key)
                return finish(r, IMG_VERIFY_OK);
        } else if (key && hash_type && type == key_sig_type(key) &&
                   sig_verifies(key, type, val, vlen, pure, b, hashed, hash_type, r->digest,
                                r->digest_len)) {
            r->pure = pure;
            r->sig_len = vlen < sizeof r->sig ? vlen : sizeof r->sig;
            memcpy(r->sig, val, r->sig_len);
            return finish(r, IMG_VERIFY_OK);
        }
    }
    return finish(r, hash_type || key ? IMG_VERIFY_NO_SIGNATURE : IMG_VERIFY_NO_HASH);
}
