/*
 * Image validation as a bootloader does it (device side): recompute the
 * hash over header + body + protected TLVs, then, when the board has
 * trusted keys, require a KEYHASH or PUBKEY TLV naming one of them and a
 * signature TLV of that key's type which verifies. No malloc: TLV values
 * are read into bounded stack buffers; crypto goes through image_crypto.h.
 *
 * Deliberately not here: decryption (an encrypted image is validated after
 * the bootloader decrypts it), security-counter and downgrade policy (the
 * caller compares info->sec_cnt / versions), the trailer.
 */
#include <string.h>

#include "image/image.h"
#include "image/image_crypto.h"

/* Integrator limits (docs/limits.md), each a stack buffer or array here. */
#ifndef IMAGE_SIG_MAX
#define IMAGE_SIG_MAX 512    /* RSA-3072 is 384 bytes; padded ECDSA P-384 ~104 */
#endif
#ifndef IMAGE_PUBKEY_MAX
#define IMAGE_PUBKEY_MAX 600 /* RSA-3072 PKCS#1 is 398 bytes */
#endif
#ifndef IMAGE_MAX_SIGS
#define IMAGE_MAX_SIGS 8     /* signature and key TLVs looked at per image */
#endif
#ifndef IMAGE_HASH_CHUNK
#define IMAGE_HASH_CHUNK 256 /* bytes read at once while hashing */
#endif
_Static_assert(IMAGE_SIG_MAX >= 64 && IMAGE_PUBKEY_MAX >= 32 && IMAGE_MAX_SIGS >= 1 &&
                   IMAGE_HASH_CHUNK >= 16,
               "image limits too small for any signature");
#define SIG_MAX IMAGE_SIG_MAX
#define PUBKEY_MAX IMAGE_PUBKEY_MAX
#define SIGS_MAX IMAGE_MAX_SIGS
#define HASH_CHUNK IMAGE_HASH_CHUNK

struct tlv_ref {
    uint16_t type;
    uint16_t len;
    uint32_t off;
};

struct scan {
    struct tlv_ref keyref[SIGS_MAX]; /* KEYHASH / PUBKEY, in file order */
    size_t nkeyref;
    struct tlv_ref sig[SIGS_MAX];
    size_t nsig;
    bool pure;
    bool misplaced;
    image_read_fn rd;
    void *ctx;
};

/* The unprotected area is not covered by the hash, so only what cannot
 * change the meaning of a verified image may live there (the allow-list
 * MCUboot applies): key identity, hash, signatures, key exchange. */
static bool allowed_unprotected(uint16_t t)
{
    return t == IMAGE_TLV_KEYHASH || t == IMAGE_TLV_PUBKEY ||
           image_hash_len(t) != 0 || image_tlv_is_signature(t) || t == IMAGE_TLV_SIG_PURE ||
           (t >= IMAGE_TLV_ENC_RSA2048 && t <= IMAGE_TLV_ENC_X25519_SHA512);
}

static int scan_tlv(void *arg, bool prot, uint16_t type, uint32_t off, uint16_t len)
{
    struct scan *s = arg;
    struct tlv_ref ref = { type, len, off };
    if (!prot && !allowed_unprotected(type))
        s->misplaced = true;
    if (type == IMAGE_TLV_KEYHASH || type == IMAGE_TLV_PUBKEY) {
        if (s->nkeyref < SIGS_MAX)
            s->keyref[s->nkeyref++] = ref;
    } else if (image_tlv_is_signature(type)) {
        if (s->nsig < SIGS_MAX)
            s->sig[s->nsig++] = ref;
    } else if (type == IMAGE_TLV_SIG_PURE) {
        uint8_t v;
        if (len != 1 || s->rd(s->ctx, off, &v, 1) != 0)
            return IMAGE_ERR_TLV_LENGTH;
        s->pure = v == 1;
    }
    return IMAGE_OK;
}

/* Hash of bytes [0, tlv_off): header, padding, body, protected block. */
__attribute__((noinline)) static int compute_hash(image_read_fn rd, void *ctx,
                                                  const struct image_info *info, uint8_t *out)
{
    struct image_hash h;
    int rc = image_hash_init(&h, info->hash_type);
    if (rc)
        return rc;
    uint8_t buf[HASH_CHUNK];
    for (uint32_t off = 0; off < info->tlv_off && rc == IMAGE_OK;) {
        size_t n = info->tlv_off - off < sizeof buf ? info->tlv_off - off : sizeof buf;
        rc = rd(ctx, off, buf, n) == 0 ? image_hash_update(&h, buf, n) : IMAGE_ERR_IO;
        off += (uint32_t)n;
    }
    if (rc) {
        image_hash_abort(&h);
        return rc;
    }
    return image_hash_final(&h, out, IMAGE_HASH_MAX, NULL);
}

/* Does the KEYHASH/PUBKEY TLV ref name key k? KEYHASH uses the image's
 * hash algorithm over the key DER; PUBKEY carries the DER itself. */
/* (noinline here and below: each keeps a TLV buffer on the stack, and
 * inlined into image_validate the compiler would add them up) */
__attribute__((noinline)) static bool ref_names_key(const struct scan *s,
                                                    const struct tlv_ref *ref,
                                                    const struct image_info *info,
                                                    const struct image_key *k)
{
    uint8_t val[PUBKEY_MAX];
    if (ref->len > sizeof val || s->rd(s->ctx, ref->off, val, ref->len) != 0)
        return false;
    if (ref->type == IMAGE_TLV_PUBKEY)
        return ref->len == k->der_len && memcmp(val, k->der, k->der_len) == 0;
    uint8_t kh[IMAGE_HASH_MAX];
    size_t khlen = 0;
    if (ref->len != info->hash_len ||
        image_hash_buf(info->hash_type, k->der, k->der_len, kh, sizeof kh, &khlen) ||
        khlen != ref->len)
        return false;
    return memcmp(val, kh, khlen) == 0;
}

/* Index of the first trusted key that a KEYHASH/PUBKEY TLV names. */
static int find_named_key(const struct scan *s, const struct image_info *info,
                          const struct image_key *keys, size_t nkeys)
{
    for (size_t r = 0; r < s->nkeyref; r++)
        for (size_t k = 0; k < nkeys; k++)
            if (ref_names_key(s, &s->keyref[r], info, &keys[k]))
                return (int)k;
    return -1;
}

__attribute__((noinline)) static int check_one_sig(image_read_fn rd, void *ctx,
                                                   const struct image_info *info,
                                                   const struct image_key *k,
                                                   const struct tlv_ref *ref, bool pure,
                                                   const uint8_t *digest)
{
    uint8_t sig[SIG_MAX];
    if (ref->len > sizeof sig)
        return IMAGE_ERR_SIGNATURE;
    if (rd(ctx, ref->off, sig, ref->len) != 0)
        return IMAGE_ERR_IO;
    if (pure)
        return image_crypto_verify_pure(k->der, k->der_len, rd, ctx, info->tlv_off,
                                        sig, ref->len);
    return image_crypto_verify_digest(k->der, k->der_len, ref->type, info->hash_type,
                                      digest, info->hash_len, sig, ref->len);
}

/* The signature check proper, once the hash is known to be right. */
static int check_signature(image_read_fn rd, void *ctx, const struct image_info *info,
                           const struct scan *s, const struct image_key *keys,
                           size_t nkeys, const uint8_t *digest, int *matched)
{
    int idx = find_named_key(s, info, keys, nkeys);
    if (idx < 0)
        return IMAGE_ERR_KEY_MISMATCH;
    const struct image_key *k = &keys[idx];
    enum image_key_kind kind;
    int krc = image_crypto_key_kind(k->der, k->der_len, &kind);
    if (krc)
        return krc == IMAGE_ERR_NO_MEMORY ? krc : IMAGE_ERR_UNSUPPORTED;
    uint16_t want = image_sig_tlv_for(kind);
    if (s->pure && kind != IMAGE_KEY_ED25519)
        return IMAGE_ERR_UNSUPPORTED;
    int rc = IMAGE_ERR_NO_SIGNATURE;
    for (size_t i = 0; i < s->nsig; i++) {
        if (s->sig[i].type != want)
            continue;
        rc = check_one_sig(rd, ctx, info, k, &s->sig[i], s->pure, digest);
        if (rc == IMAGE_OK) {
            *matched = idx;
            return IMAGE_OK;
        }
    }
    return rc == IMAGE_ERR_UNSUPPORTED ? IMAGE_ERR_SIGNATURE : rc;
}

int image_validate(image_read_fn rd, void *ctx, uint32_t area_size,
                   const struct image_key *keys, size_t nkeys,
                   struct image_info *info, int *matched_key)
{
    struct image_info local;
    int matched = -1;
    if (!info)
        info = &local;
    if (matched_key)
        *matched_key = -1;
    if (!rd || (nkeys && !keys))
        return IMAGE_ERR_BAD_ARG;
    int rc = image_read_info(rd, ctx, area_size, info);
    if (rc)
        return rc;
    if (info->hash_type == 0)
        return IMAGE_ERR_NO_HASH;
    struct scan s = { .rd = rd, .ctx = ctx };
    rc = image_tlv_foreach(rd, ctx, info, scan_tlv, &s);
    if (rc)
        return rc;
    if (s.misplaced)
        return IMAGE_ERR_TLV_UNPROTECTED;
    uint8_t digest[IMAGE_HASH_MAX];
    rc = compute_hash(rd, ctx, info, digest);
    if (rc)
        return rc;
    if (memcmp(digest, info->hash, info->hash_len) != 0)
        return IMAGE_ERR_HASH;
    if (nkeys == 0)
        return IMAGE_OK;
    rc = check_signature(rd, ctx, info, &s, keys, nkeys, digest, &matched);
    if (rc == IMAGE_OK && matched_key)
        *matched_key = matched;
    return rc;
}
