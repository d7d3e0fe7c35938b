/*
 * `imgtool verify` semantics (see verify.h). The walk mirrors imgtool's:
 * locate the unprotected TLV area (skipping a protected one), find SIG_PURE,
 * then take TLVs in order: the hash TLV must match (and without a key that
 * is enough), a signature TLV of the key's type must verify. The header
 * and the TLVs are read by image.c's decoder and lenient walker.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image_crypto.h"
#include "image/verify.h"

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

/* The file as the walker reads it; offsets are 32-bit, so a file beyond
 * 4 GiB is looked at through its first 4 GiB. */
struct vfile {
    struct image_mem mem;
    uint32_t end;
};

/* The TLV info header at off, or false when the file ends before it. */
static bool info_at(const struct vfile *f, uint64_t off, uint16_t *magic, uint16_t *tot)
{
    return off + IMAGE_TLV_INFO_SIZE <= f->end &&
           image_tlv_info_read(image_mem_read, (void *)&f->mem, (uint32_t)off, magic, tot) == 0;
}

/* Finds the unprotected area: *blk, and *hashed, the bytes the hash covers. */
static int locate(const struct vfile *f, const struct image_header *h,
                  struct img_verify_report *r, size_t *hashed, struct image_tlv_block *blk)
{
    uint64_t off = (uint64_t)h->hdr_size + h->img_size;
    uint16_t magic, tot;
    if (!info_at(f, off, &magic, &tot))
        return truncated(r, (size_t)off, f->mem.len);
    if (magic == IMAGE_TLV_PROT_INFO_MAGIC) {
        off += tot;
        if (!info_at(f, off, &magic, &tot))
            return truncated(r, (size_t)off, f->mem.len);
    }
    if (magic != IMAGE_TLV_INFO_MAGIC)
        return finish(r, IMG_VERIFY_BAD_TLV_MAGIC);
    *hashed = (size_t)off;
    *blk = (struct image_tlv_block){ (uint32_t)off, tot, false };
    return 0;
}

/* The checking walk's state: what was found so far; the verdict is in
 * r once a callback stops the walk with WALK_DONE. */
struct vwalk {
    const struct vfile *f;
    const struct img_key *key;
    size_t hashed;
    bool pure;
    uint16_t hash_type;
    struct img_verify_report *r;
};

static int find_pure(void *arg, bool prot, uint16_t type, uint32_t off, uint16_t len)
{
    (void)prot, (void)off, (void)len;
    if (type == IMAGE_TLV_SIG_PURE)
        *(bool *)arg = true;
    return 0;
}

#define WALK_DONE 1

static int done(struct img_verify_report *r, enum img_verify_result res)
{
    finish(r, res);
    return WALK_DONE;
}

static int check_hash(struct vwalk *w, uint16_t type, const uint8_t *val, size_t vlen)
{
    struct img_verify_report *r = w->r;
    if (w->key && !key_fits_hash(w->key, type))
        return done(r, IMG_VERIFY_KEY_MISMATCH);
    w->hash_type = type;
    if (image_hash_buf(type, w->f->mem.buf, w->hashed, r->digest, sizeof r->digest,
                       &r->digest_len) ||
        vlen != r->digest_len || memcmp(val, r->digest, vlen) != 0)
        return done(r, IMG_VERIFY_BAD_HASH);
    /* without a key the hash is the whole check */
    return w->key ? 0 : done(r, IMG_VERIFY_OK);
}

static int check_tlv(void *arg, bool prot, uint16_t type, uint32_t off, uint16_t tlen)
{
    struct vwalk *w = arg;
    struct img_verify_report *r = w->r;
    const struct image_mem *m = &w->f->mem;
    size_t avail = off >= m->len ? 0 : m->len - off;
    const uint8_t *val = m->buf + off;
    size_t vlen = tlen < avail ? tlen : avail;
    (void)prot;
    if (image_hash_len(type))
        return check_hash(w, type, val, vlen);
    if (w->key && w->hash_type && type == image_sig_tlv_for(w->key->kind) &&
        sig_verifies(w->key, type, val, vlen, w->pure, m->buf, w->hashed, w->hash_type,
                     r->digest, r->digest_len)) {
        r->pure = w->pure;
        r->sig_len = vlen < sizeof r->sig ? vlen : sizeof r->sig;
        memcpy(r->sig, val, r->sig_len);
        return done(r, IMG_VERIFY_OK);
    }
    return 0;
}

int img_verify_buffer(const uint8_t *b, size_t len, const struct img_key *key,
                      struct img_verify_report *r)
{
    struct vfile f = { { b, len }, len > UINT32_MAX ? UINT32_MAX : (uint32_t)len };
    struct image_header h;
    struct image_tlv_block blk;
    struct vwalk w = { .f = &f, .key = key, .r = r };
    uint32_t stop;
    memset(r, 0, sizeof *r);
    if (len < IMAGE_HEADER_SIZE)
        return finish(r, IMG_VERIFY_BAD_MAGIC);
    image_header_decode(b, &h);
    if (h.magic != IMAGE_MAGIC)
        return finish(r, IMG_VERIFY_BAD_MAGIC);
    r->version = h.ver;
    if (locate(&f, &h, r, &w.hashed, &blk))
        return -1;
    /* every entry header must be in the file (imgtool crashed here) */
    if (image_tlv_walk_lenient(image_mem_read, &f.mem, &blk, f.end, find_pure, &w.pure,
                               &stop) != IMAGE_OK)
        return truncated(r, stop, len);
    if (image_tlv_walk_lenient(image_mem_read, &f.mem, &blk, f.end, check_tlv, &w, NULL) ==
        WALK_DONE)
        return r->result == IMG_VERIFY_OK ? 0 : -1;
    return finish(r, w.hash_type || key ? IMG_VERIFY_NO_SIGNATURE : IMG_VERIFY_NO_HASH);
}
