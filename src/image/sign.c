/*
 * Building MCUboot images (see sign.h). The steps follow the layout in
 * image.h: header, body, protected TLVs (hashed), then the unprotected TLVs
 * (hash, key identity, signature, key exchange), then optional padding to
 * the slot with a trailer. Byte order and TLV order match imgtool's, so
 * deterministic images (unsigned, Ed25519, fixed signature) are identical.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "image/compress.h"
#include "image/encrypt.h"
#include "image/image_crypto.h"
#include "image/sign.h"

#define TLV_AREA_MAX 4096 /* either TLV area; u16 totals bound them anyway */

void img_sign_opts_init(struct img_sign_opts *o)
{
    memset(o, 0, sizeof *o);
    o->align = 1;
    o->max_sectors = 128;
    o->erased_val = 0xff;
    o->enc_keylen = 128;
    o->hmac_sha = 256;
}

/* ---- growable byte buffer ------------------------------------------------ */

struct buf {
    uint8_t *p;
    size_t len, cap;
    bool be;  /* big-endian image (-e be) */
    bool oom;
};

static void buf_put(struct buf *b, const void *data, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void buf_fill(struct buf *b, uint8_t v, size_t n)
{
    uint8_t chunk[256];
    memset(chunk, v, sizeof chunk);
    while (n) {
        size_t k = n < sizeof chunk ? n : sizeof chunk;
        buf_put(b, chunk, k);
        n -= k;
    }
}

static void buf_u8(struct buf *b, uint8_t v) { buf_put(b, &v, 1); }

static void buf_u16(struct buf *b, uint16_t v)
{
    uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
    if (b->be) {
        x[0] = (uint8_t)(v >> 8);
        x[1] = (uint8_t)v;
    }
    buf_put(b, x, 2);
}

static void buf_u32(struct buf *b, uint32_t v)
{
    uint8_t x[4];
    for (int i = 0; i < 4; i++)
        x[b->be ? 3 - i : i] = (uint8_t)(v >> (8 * i));
    buf_put(b, x, 4);
}

static void tlv_put(struct buf *b, uint16_t type, const void *data, size_t len)
{
    buf_u16(b, type);
    buf_u16(b, (uint16_t)len);
    buf_put(b, data, len);
}

/* ---- option value parsers ------------------------------------------------ */

int img_parse_u32(const char *s, uint32_t *v)
{
    char *end;
    if (!s || !*s || *s == '-')
        return IMAGE_ERR_BAD_ARG;
    unsigned long long x = strtoull(s, &end, 0);
    if (*end || x > UINT32_MAX)
        return IMAGE_ERR_BAD_ARG;
    *v = (uint32_t)x;
    return IMAGE_OK;
}

static bool take_num(const char **s, unsigned long long max, unsigned long long *v)
{
    const char *p = *s;
    if (!isdigit((unsigned char)*p))
        return false;
    unsigned long long x = 0;
    while (isdigit((unsigned char)*p)) {
        x = x * 10 + (unsigned)(*p++ - '0');
        if (x > max)
            return false;
    }
    *v = x;
    *s = p;
    return true;
}

/* maj.min.rev+build, later parts optional (imgtool's rule). */
int img_parse_version(const char *s, struct image_version *v)
{
    unsigned long long x[4] = { 0 };
    static const unsigned long long max[4] = { 255, 255, 65535, 4294967295ull };
    if (!s || !take_num(&s, max[0], &x[0]))
        return IMAGE_ERR_BAD_ARG;
    for (int i = 1; i < 3 && *s == '.'; i++) {
        s++;
        if (!take_num(&s, max[i], &x[i]))
            return IMAGE_ERR_BAD_ARG;
    }
    if (*s == '+') {
        s++;
        if (!take_num(&s, max[3], &x[3]))
            return IMAGE_ERR_BAD_ARG;
    }
    if (*s)
        return IMAGE_ERR_BAD_ARG;
    v->major = (uint8_t)x[0];
    v->minor = (uint8_t)x[1];
    v->revision = (uint16_t)x[2];
    v->build = (uint32_t)x[3];
    return IMAGE_OK;
}

/* "(id,ver),(id,ver)" */
int img_parse_dependencies(const char *s, struct img_dependency *deps, size_t max,
                           size_t *n, char *err, size_t errcap)
{
    *n = 0;
    while (*s) {
        char ver[64];
        unsigned id;
        int used = 0;
        if (sscanf(s, " (%u ,%63[^)])%n", &id, ver, &used) != 2 || used == 0 || id > 255 ||
            *n == max || img_parse_version(ver, &deps[*n].ver) != IMAGE_OK) {
            snprintf(err, errcap, "invalid dependency list '%s': want (image_id,maj.min.rev+build),...", s);
            return IMAGE_ERR_BAD_ARG;
        }
        deps[(*n)++].image_id = (uint8_t)id;
        s += used;
        while (*s == ',' || *s == ' ')
            s++;
    }
    if (*n == 0) {
        snprintf(err, errcap, "empty dependency list");
        return IMAGE_ERR_BAD_ARG;
    }
    return IMAGE_OK;
}

static int hexval(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                          : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int img_parse_custom_value(const char *s, uint8_t **data, size_t *len, char *err,
                           size_t errcap)
{
    size_t n = strlen(s);
    if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        const char *h = s + 2;
        size_t hl = n - 2;
        if (hl == 0 || hl % 2) {
            snprintf(err, errcap, "custom TLV value %s: odd number of hex digits", s);
            return IMAGE_ERR_BAD_ARG;
        }
        *data = malloc(hl / 2);
        for (size_t i = 0; *data && i < hl / 2; i++) {
            int hi = hexval(h[2 * i]), lo = hexval(h[2 * i + 1]);
            if (hi < 0 || lo < 0) {
                free(*data);
                snprintf(err, errcap, "custom TLV value %s is not hex", s);
                return IMAGE_ERR_BAD_ARG;
            }
            (*data)[i] = (uint8_t)(hi << 4 | lo);
        }
        *len = hl / 2;
    } else {
        *data = malloc(n ? n : 1);
        if (*data)
            memcpy(*data, s, n);
        *len = n;
    }
    return *data ? IMAGE_OK : IMAGE_ERR_UNSUPPORTED;
}

/* TLV types imgtool itself writes; custom TLVs may not reuse them. */
static const uint16_t predefined_tlvs[] = {
    0x01, 0x02, 0x10, 0x11, 0x12, 0x20, 0x22, 0x23, 0x24, 0x25, 0x30, 0x31, 0x32,
    0x33, 0x34, 0x40, 0x50, 0x60, 0x70, 0x71, 0x72, 0x73, 0x74, 0x75,
};

int img_check_custom_tag(uint32_t tag, char *err, size_t errcap)
{
    for (size_t i = 0; i < sizeof predefined_tlvs / sizeof predefined_tlvs[0]; i++)
        if (tag == predefined_tlvs[i]) {
            snprintf(err, errcap, "Custom TLV 0x%x conflicts with predefined TLV.", tag);
            return IMAGE_ERR_BAD_ARG;
        }
    if (tag < 0xa0 || tag > 0xfffe) {
        snprintf(err, errcap, "Invalid custom TLV type value '0x%04x', allowed value should "
                              "be between 0x00a0 and 0xfffe", tag);
        return IMAGE_ERR_BAD_ARG;
    }
    return IMAGE_OK;
}

const uint8_t img_uuid_ns_dns[16] = {
    0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
    0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8,
};

static bool parse_uuid_text(const char *s, uint8_t out[16])
{
    size_t n = 0;
    size_t len = strlen(s);
    if (len != 32 && len != 36)
        return false;
    for (size_t i = 0; s[i]; i++) {
        if (s[i] == '-') {
            if (len != 36 || (i != 8 && i != 13 && i != 18 && i != 23))
                return false;
            continue;
        }
        int hi = hexval(s[i]), lo = s[i + 1] ? hexval(s[i + 1]) : -1;
        if (hi < 0 || lo < 0 || n == 16)
            return false;
        out[n++] = (uint8_t)(hi << 4 | lo);
        i++;
    }
    return n == 16;
}

/* RFC 4122 name-based UUID, version 5 (SHA-1). */
int img_parse_uuid(const char *s, const uint8_t *ns, uint8_t out[16])
{
    if (parse_uuid_text(s, out))
        return IMAGE_OK;
    uint8_t h[EVP_MAX_MD_SIZE];
    unsigned hl = 0;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c && EVP_DigestInit_ex(c, EVP_sha1(), NULL) == 1 &&
             EVP_DigestUpdate(c, ns, 16) == 1 && EVP_DigestUpdate(c, s, strlen(s)) == 1 &&
             EVP_DigestFinal_ex(c, h, &hl) == 1;
    EVP_MD_CTX_free(c);
    if (!ok)
        return IMAGE_ERR_UNSUPPORTED;
    memcpy(out, h, 16);
    out[6] = (uint8_t)((out[6] & 0x0f) | 0x50);
    out[8] = (uint8_t)((out[8] & 0x3f) | 0x80);
    return IMAGE_OK;
}

/* ---- trailer ------------------------------------------------------------- */

uint32_t img_max_align(const struct img_sign_opts *o)
{
    if (o->max_align)
        return o->max_align;
    return o->align > 8 ? o->align : 8;
}

static uint32_t align_up(uint32_t v, uint32_t a)
{
    return (v + a - 1) / a * a;
}

uint32_t img_trailer_size(const struct img_sign_opts *o, size_t enc_tlv_len, bool encrypted)
{
    uint32_t ma = img_max_align(o);
    uint32_t magic_area = ma > 16 ? ma : 16;
    if (o->overwrite_only)
        return 2 * ma + magic_area;
    uint32_t size = o->max_sectors * 3 * o->align + 4 * ma + magic_area;
    if (encrypted) {
        uint32_t key = o->save_enctlv ? (uint32_t)enc_tlv_len : 16;
        size += 2 * align_up(key, ma);
    }
    return size;
}

void img_trailer_offsets(const struct img_sign_opts *o, uint32_t *image_ok_back,
                         uint32_t *magic_back)
{
    uint32_t ma = img_max_align(o);
    uint32_t magic_area = ma > 16 ? ma : 16;
    *image_ok_back = magic_area + ma;
    *magic_back = 16;
}

void img_boot_magic(uint32_t max_align, uint8_t out[16])
{
    static const uint8_t classic[16] = {
        0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f,
        0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80,
    };
    static const uint8_t tail[14] = {
        0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b, 0x8d, 0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a,
    };
    if (max_align <= 8) {
        memcpy(out, classic, 16);
        return;
    }
    out[0] = (uint8_t)max_align;
    out[1] = (uint8_t)(max_align >> 8);
    memcpy(out + 2, tail, sizeof tail);
}

/* ---- signing ------------------------------------------------------------- */

struct decomp {
    bool present;
    uint32_t size;
    uint8_t sha[64];
    size_t sha_len;
    uint8_t sig[512];
    size_t sig_len;
};

struct sign_ctx {
    const struct img_sign_opts *o;
    const struct img_key *key;    /* signs, may be NULL */
    const struct img_key *idkey;  /* names the signer: key or --fix-sig-pubkey */
    const struct img_key *enc;
    uint16_t hash_type;
    size_t hash_len;
    char *err;
    size_t errcap;
};

static int usage_err(struct sign_ctx *c, const char *msg)
{
    snprintf(c->err, c->errcap, "%s", msg);
    return IMAGE_ERR_BAD_ARG;
}

static const char *key_alg_name(enum image_key_kind k)
{
    switch (k) {
    case IMAGE_KEY_RSA2048: return "RSA2048";
    case IMAGE_KEY_RSA3072: return "RSA3072";
    case IMAGE_KEY_EC_P256: return "ECDSA256_SHA256";
    case IMAGE_KEY_EC_P384: return "ECDSA384_SHA384";
    case IMAGE_KEY_ED25519: return "Ed25519";
    default: return "X25519";
    }
}

/* Hash by key type: RSA and P-256 use SHA-256, P-384 SHA-384, Ed25519
 * SHA-256 or SHA-512 (SHA-512 by default in pure mode). */
static int choose_hash(struct sign_ctx *c)
{
    const struct img_sign_opts *o = c->o;
    enum image_key_kind k = c->idkey ? c->idkey->kind : IMAGE_KEY_UNKNOWN;
    unsigned sha = o->sha, def = 256;
    const char *allowed = "256, 384, 512";
    if (k == IMAGE_KEY_RSA2048 || k == IMAGE_KEY_RSA3072 || k == IMAGE_KEY_EC_P256)
        allowed = "256";
    else if (k == IMAGE_KEY_EC_P384)
        allowed = "384", def = 384;
    else if (k == IMAGE_KEY_ED25519)
        allowed = "256, 512", def = o->pure ? 512 : 256;
    else if (k == IMAGE_KEY_X25519)
        return usage_err(c, "an X25519 key cannot sign; use it with -E/--encrypt");
    if (o->pure && k != IMAGE_KEY_ED25519)
        return usage_err(c, "--pure needs an Ed25519 signing key");
    if (sha == 0)
        sha = def;
    char want[16];
    snprintf(want, sizeof want, "%u", sha);
    if (!strstr(allowed, want)) {
        snprintf(c->err, c->errcap, "Key %s can not be used with --sha %u; allowed sha are one of %s",
                 k == IMAGE_KEY_UNKNOWN ? "(none)" : key_alg_name(k), sha, allowed);
        return IMAGE_ERR_BAD_ARG;
    }
    c->hash_type = sha == 512 ? IMAGE_TLV_SHA512 : sha == 384 ? IMAGE_TLV_SHA384 : IMAGE_TLV_SHA256;
    c->hash_len = image_hash_len(c->hash_type);
    return IMAGE_OK;
}

static int check_enc_pairing(struct sign_ctx *c)
{
    if (!c->enc || !c->key)
        return IMAGE_OK;
    enum image_key_kind s = c->key->kind, e = c->enc->kind;
    bool ok = (s == IMAGE_KEY_EC_P256 && e == IMAGE_KEY_EC_P256) ||
              (s == IMAGE_KEY_ED25519 && e == IMAGE_KEY_X25519) ||
              ((s == IMAGE_KEY_RSA2048 || s == IMAGE_KEY_RSA3072) && e == IMAGE_KEY_RSA2048);
    return ok ? IMAGE_OK
              : usage_err(c, "Signing and encryption must use the same type of key "
                             "(Ed25519 with X25519, P-256 with P-256, RSA with RSA)");
}

static int pubkey_hash(struct sign_ctx *c, const struct img_key *k, uint16_t hash_type,
                       uint8_t *out, size_t *len)
{
    uint8_t *der;
    size_t dlen;
    int rc = img_key_public_der(k, &der, &dlen);
    if (rc)
        return rc;
    rc = image_hash_buf(hash_type, der, dlen, out, 64, len);
    free(der);
    (void)c;
    return rc;
}

/* CBOR for the measured-boot record: a 5-entry map with small keys. */
static void cbor_head(struct buf *b, uint8_t major, size_t n)
{
    if (n < 24)
        buf_u8(b, (uint8_t)(major << 5 | n));
    else if (n < 256) {
        buf_u8(b, (uint8_t)(major << 5 | 24));
        buf_u8(b, (uint8_t)n);
    } else {
        buf_u8(b, (uint8_t)(major << 5 | 25));
        buf_u8(b, (uint8_t)(n >> 8));
        buf_u8(b, (uint8_t)n);
    }
}

static void cbor_text(struct buf *b, const char *s)
{
    cbor_head(b, 3, strlen(s));
    buf_put(b, s, strlen(s));
}

static int boot_record(struct sign_ctx *c, struct buf *rec)
{
    const struct img_sign_opts *o = c->o;
    uint8_t kh[64], zeros[64] = { 0 };
    size_t khlen = 0;
    char ver[32];
    if (!c->idkey)
        return usage_err(c, "--boot-record needs a signing key (its hash is recorded)");
    int rc = pubkey_hash(c, c->idkey, c->hash_type, kh, &khlen);
    if (rc)
        return rc;
    snprintf(ver, sizeof ver, "%u.%u.%u", o->version.major, o->version.minor, o->version.revision);
    cbor_head(rec, 5, 5);
    cbor_head(rec, 0, 1);             /* SW type */
    cbor_text(rec, o->boot_record);
    cbor_head(rec, 0, 4);             /* SW version */
    cbor_text(rec, ver);
    cbor_head(rec, 0, 5);             /* signer ID */
    cbor_head(rec, 2, khlen);
    buf_put(rec, kh, khlen);
    cbor_head(rec, 0, 6);             /* measurement type */
    cbor_text(rec, c->hash_len == 64 ? "SHA512" : c->hash_len == 48 ? "SHA384" : "SHA256");
    cbor_head(rec, 0, 2);             /* measurement value: filled in by the bootloader */
    cbor_head(rec, 2, c->hash_len);
    buf_put(rec, zeros, c->hash_len);
    return rec->oom ? IMAGE_ERR_UNSUPPORTED : IMAGE_OK;
}

/* The protected TLV entries, in imgtool's order. */
static int protected_tlvs(struct sign_ctx *c, const struct decomp *d, struct buf *p)
{
    const struct img_sign_opts *o = c->o;
    if (o->has_sec_cnt || o->sec_cnt_auto) {
        uint32_t v = o->sec_cnt_auto ? (uint32_t)o->version.major << 24 |
                                           (uint32_t)o->version.minor << 16 | o->version.revision
                                     : o->sec_cnt;
        struct buf t = { .be = p->be };
        buf_u32(&t, v);
        tlv_put(p, IMAGE_TLV_SEC_CNT, t.p, t.len);
        free(t.p);
    }
    if (o->boot_record) {
        struct buf rec = { 0 };
        int rc = boot_record(c, &rec);
        if (rc == IMAGE_OK)
            tlv_put(p, IMAGE_TLV_BOOT_RECORD, rec.p, rec.len);
        free(rec.p);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < o->ndeps; i++) {
        struct buf t = { .be = p->be };
        buf_u8(&t, o->deps[i].image_id);
        buf_fill(&t, 0, 3);
        buf_u8(&t, o->deps[i].ver.major);
        buf_u8(&t, o->deps[i].ver.minor);
        buf_u16(&t, o->deps[i].ver.revision);
        buf_u32(&t, o->deps[i].ver.build);
        tlv_put(p, IMAGE_TLV_DEPENDENCY, t.p, t.len);
        free(t.p);
    }
    if (d && d->present) {
        struct buf t = { .be = p->be };
        buf_u32(&t, d->size);
        tlv_put(p, IMAGE_TLV_DECOMP_SIZE, t.p, t.len);
        free(t.p);
        tlv_put(p, IMAGE_TLV_DECOMP_SHA, d->sha, d->sha_len);
        if (d->sig_len)
            tlv_put(p, IMAGE_TLV_DECOMP_SIGNATURE, d->sig, d->sig_len);
    }
    if (o->has_vid)
        tlv_put(p, IMAGE_TLV_UUID_VID, o->vid, 16);
    if (o->has_cid)
        tlv_put(p, IMAGE_TLV_UUID_CID, o->cid, 16);
    for (size_t i = 0; i < o->ncustom; i++)
        tlv_put(p, o->custom[i].tag, o->custom[i].data, o->custom[i].len);
    return p->oom ? IMAGE_ERR_UNSUPPORTED : IMAGE_OK;
}

static uint32_t header_flags(struct sign_ctx *c, uint32_t extra)
{
    const struct img_sign_opts *o = c->o;
    uint32_t f = extra;
    if (o->non_bootable)
        f |= IMAGE_F_NON_BOOTABLE;
    if (o->has_load_addr)
        f |= o->rom_fixed ? IMAGE_F_ROM_FIXED : IMAGE_F_RAM_LOAD;
    if (c->enc)
        f |= o->enc_keylen == 256 ? IMAGE_F_ENCRYPTED_AES256 : IMAGE_F_ENCRYPTED_AES128;
    return f;
}

static void put_header(struct sign_ctx *c, struct buf *img, uint32_t body_len,
                       uint16_t prot_size, uint32_t flags)
{
    const struct img_sign_opts *o = c->o;
    buf_u32(img, IMAGE_MAGIC);
    buf_u32(img, o->has_load_addr ? o->load_addr : 0);
    buf_u16(img, (uint16_t)o->header_size);
    buf_u16(img, prot_size);
    buf_u32(img, body_len);
    buf_u32(img, flags);
    buf_u8(img, o->version.major);
    buf_u8(img, o->version.minor);
    buf_u16(img, o->version.revision);
    buf_u32(img, o->version.build);
    buf_u32(img, 0);
    buf_fill(img, o->pad_header ? o->erased_val : 0, o->header_size - IMAGE_HEADER_SIZE);
}

static int make_signature(struct sign_ctx *c, const uint8_t *region, size_t region_len,
                          const uint8_t *digest, uint8_t *sig, size_t *sig_len)
{
    EVP_PKEY *pk = c->key->pkey;
    const EVP_MD *md = c->hash_len == 48 ? EVP_sha384() : c->hash_len == 64 ? EVP_sha512() : EVP_sha256();
    size_t cap = *sig_len;
    int ok;
    if (c->key->kind == IMAGE_KEY_ED25519) {
        EVP_MD_CTX *m = EVP_MD_CTX_new();
        ok = m && EVP_DigestSignInit(m, NULL, NULL, NULL, pk) == 1 &&
             EVP_DigestSign(m, sig, sig_len, c->o->pure ? region : digest,
                            c->o->pure ? region_len : c->hash_len) == 1;
        EVP_MD_CTX_free(m);
    } else {
        bool rsa = c->key->kind == IMAGE_KEY_RSA2048 || c->key->kind == IMAGE_KEY_RSA3072;
        EVP_PKEY_CTX *p = EVP_PKEY_CTX_new(pk, NULL);
        ok = p && EVP_PKEY_sign_init(p) == 1 && EVP_PKEY_CTX_set_signature_md(p, md) == 1 &&
             (!rsa || (EVP_PKEY_CTX_set_rsa_padding(p, RSA_PKCS1_PSS_PADDING) == 1 &&
                       EVP_PKEY_CTX_set_rsa_mgf1_md(p, md) == 1 &&
                       EVP_PKEY_CTX_set_rsa_pss_saltlen(p, 32) == 1)) &&
             EVP_PKEY_sign(p, sig, sig_len, digest, c->hash_len) == 1;
        EVP_PKEY_CTX_free(p);
    }
    if (!ok) {
        snprintf(c->err, c->errcap, "signing failed");
        return IMAGE_ERR_UNSUPPORTED;
    }
    /* --pad-sig: old bootloaders want a fixed-size ECDSA TLV */
    size_t fixed = c->key->kind == IMAGE_KEY_EC_P256 ? 72 : 103;
    if (c->o->pad_sig && (c->key->kind == IMAGE_KEY_EC_P256 || c->key->kind == IMAGE_KEY_EC_P384) &&
        *sig_len < fixed && fixed <= cap) {
        memset(sig + *sig_len, 0, fixed - *sig_len);
        *sig_len = fixed;
    }
    return IMAGE_OK;
}

/* Hash TLV, SIG_PURE, key identity and signature. */
static int unprotected_tlvs(struct sign_ctx *c, const uint8_t *region, size_t region_len,
                            const uint8_t *digest, struct buf *u, struct img_signed *out)
{
    const struct img_sign_opts *o = c->o;
    tlv_put(u, c->hash_type, digest, c->hash_len);
    if (o->pure)
        tlv_put(u, IMAGE_TLV_SIG_PURE, (const uint8_t[]){ 1 }, 1);
    if (!c->idkey)
        return IMAGE_OK;
    uint8_t *der;
    size_t dlen;
    int rc = img_key_public_der(c->idkey, &der, &dlen);
    if (rc)
        return rc;
    if (o->pubkey_full) {
        tlv_put(u, IMAGE_TLV_PUBKEY, der, dlen);
    } else {
        uint8_t kh[64];
        size_t khlen = 0;
        rc = image_hash_buf(c->hash_type, der, dlen, kh, sizeof kh, &khlen);
        tlv_put(u, IMAGE_TLV_KEYHASH, kh, khlen);
    }
    free(der);
    if (rc)
        return rc;
    if (o->fixed_sig) {
        if (o->fixed_sig_len > sizeof out->sig)
            return usage_err(c, "--fix-sig: signature too long");
        memcpy(out->sig, o->fixed_sig, o->fixed_sig_len);
        out->sig_len = o->fixed_sig_len;
    } else {
        out->sig_len = sizeof out->sig;
        rc = make_signature(c, region, region_len, digest, out->sig, &out->sig_len);
        if (rc)
            return rc;
    }
    tlv_put(u, image_sig_tlv_for(c->idkey->kind), out->sig, out->sig_len);
    return u->oom ? IMAGE_ERR_UNSUPPORTED : IMAGE_OK;
}

/* Extends the image to the slot with the erased value and writes the
 * trailer the way `--pad` does: boot magic, plus image_ok with --confirm. */
static void pad_to_slot(const struct img_sign_opts *o, struct buf *img)
{
    uint32_t ok_back, magic_back;
    uint8_t magic[16];
    buf_fill(img, o->erased_val, o->slot_size - img->len);
    if (img->oom)
        return;
    img_trailer_offsets(o, &ok_back, &magic_back);
    img_boot_magic(img_max_align(o), magic);
    memcpy(img->p + img->len - magic_back, magic, 16);
    if (o->confirm && !o->overwrite_only)
        img->p[img->len - ok_back] = 0x01;
}

/* Phase 1: header, body (zero-padded to AES blocks when encrypting) and
 * the protected TLV area: the bytes the hash and signature cover. */
static int hashed_region(struct sign_ctx *c, const uint8_t *body, size_t body_len,
                         uint32_t extra_flags, const struct decomp *d, struct buf *img,
                         size_t *padded)
{
    const struct img_sign_opts *o = c->o;
    struct buf prot = { .be = o->big_endian };
    int rc = protected_tlvs(c, d, &prot);
    *padded = c->enc ? (body_len + 15) / 16 * 16 : body_len;
    if (rc == IMAGE_OK && prot.len + IMAGE_TLV_INFO_SIZE > 0xffff)
        rc = usage_err(c, "protected TLVs exceed 64 KiB");
    if (rc == IMAGE_OK && *padded > UINT32_MAX - o->header_size)
        rc = usage_err(c, "input too large");
    if (rc == IMAGE_OK) {
        uint16_t prot_size = prot.len ? (uint16_t)(prot.len + IMAGE_TLV_INFO_SIZE) : 0;
        put_header(c, img, (uint32_t)*padded, prot_size, header_flags(c, extra_flags));
        buf_put(img, body, body_len);
        buf_fill(img, 0, *padded - body_len);
        if (prot.len) {
            buf_u16(img, IMAGE_TLV_PROT_INFO_MAGIC);
            buf_u16(img, prot_size);
            buf_put(img, prot.p, prot.len);
        }
        rc = img->oom ? IMAGE_ERR_UNSUPPORTED : IMAGE_OK;
    }
    free(prot.p);
    return rc;
}

/* --vector-to-sign: hand out what would be signed instead of an image. */
static int export_vector(struct sign_ctx *c, const struct buf *img, const uint8_t *digest,
                         struct img_signed *out)
{
    bool dig = c->o->vector_to_sign == IMG_VTS_DIGEST;
    out->len = dig ? c->hash_len : img->len;
    out->buf = malloc(out->len ? out->len : 1);
    if (!out->buf)
        return IMAGE_ERR_UNSUPPORTED;
    memcpy(out->buf, dig ? digest : img->p, out->len);
    out->image_len = out->len;
    return IMAGE_OK;
}

/* Phase 3 for encrypted images: a fresh AES key, wrapped into its TLV,
 * and the body encrypted in place (left plain with --clear). */
static int encrypt_body(struct sign_ctx *c, struct buf *img, size_t padded, struct buf *unprot,
                        size_t *enc_len)
{
    const struct img_sign_opts *o = c->o;
    uint8_t aes_key[32], enc_tlv[512];
    uint16_t enc_type = 0;
    size_t keylen = o->enc_keylen / 8;
    int rc = img_random(aes_key, keylen);
    if (rc == IMAGE_OK)
        rc = img_enc_wrap(c->enc, aes_key, keylen, o->hmac_sha, &enc_type, enc_tlv,
                          sizeof enc_tlv, enc_len, c->err, c->errcap);
    if (rc == IMAGE_OK) {
        tlv_put(unprot, enc_type, enc_tlv, *enc_len);
        if (!o->clear)
            rc = img_aes_ctr(aes_key, keylen, img->p + o->header_size, padded);
    }
    return rc;
}

/* Phase 4: the unprotected area, the slot-size check, the trailer. */
static int finish_image(struct sign_ctx *c, struct buf *img, const struct buf *unprot,
                        size_t enc_len, struct img_signed *out)
{
    const struct img_sign_opts *o = c->o;
    if (unprot->len + IMAGE_TLV_INFO_SIZE > 0xffff)
        return usage_err(c, "TLVs exceed 64 KiB");
    buf_u16(img, IMAGE_TLV_INFO_MAGIC);
    buf_u16(img, (uint16_t)(unprot->len + IMAGE_TLV_INFO_SIZE));
    buf_put(img, unprot->p, unprot->len);
    uint32_t trailer = img_trailer_size(o, enc_len, c->enc != NULL);
    if ((uint64_t)img->len + trailer > o->slot_size) {
        snprintf(c->err, c->errcap,
                 "Image size (0x%zx) + trailer (0x%x) = 0x%llx bytes exceeds the slot size 0x%x",
                 img->len, trailer, (unsigned long long)img->len + trailer, o->slot_size);
        return IMAGE_ERR_BAD_ARG;
    }
    out->image_len = img->len;
    if (o->pad || o->confirm || o->test) {
        pad_to_slot(o, img);
        out->padded = true;
    }
    return img->oom ? IMAGE_ERR_UNSUPPORTED : IMAGE_OK;
}

/* One image from body bytes: hashed region, hash and signature TLVs,
 * encryption, then the unprotected area, size check and padding. */
static int build(struct sign_ctx *c, const uint8_t *body, size_t body_len,
                 uint32_t extra_flags, const struct decomp *d, struct img_signed *out)
{
    const struct img_sign_opts *o = c->o;
    struct buf img = { .be = o->big_endian }, unprot = { .be = o->big_endian };
    uint8_t digest[64];
    size_t padded = 0, dlen = 0, enc_len = 0;
    int rc = hashed_region(c, body, body_len, extra_flags, d, &img, &padded);
    if (rc == IMAGE_OK)
        rc = image_hash_buf(c->hash_type, img.p, img.len, digest, sizeof digest, &dlen);
    if (rc == IMAGE_OK && o->vector_to_sign != IMG_VTS_NONE) {
        rc = export_vector(c, &img, digest, out);
        free(img.p);
        return rc;
    }
    if (rc == IMAGE_OK)
        rc = unprotected_tlvs(c, img.p, img.len, digest, &unprot, out);
    if (rc == IMAGE_OK && c->enc)
        rc = encrypt_body(c, &img, padded, &unprot, &enc_len);
    if (rc == IMAGE_OK)
        rc = finish_image(c, &img, &unprot, enc_len, out);
    free(unprot.p);
    if (rc) {
        free(img.p);
        return rc;
    }
    free(out->buf);
    out->buf = img.p;
    out->len = img.len;
    return IMAGE_OK;
}

/* The first header_size bytes of the input become the header, unless
 * --pad-header adds them; then they must already be zero (imgtool's rule,
 * which keeps a linker-reserved header from hiding code). */
static int split_body(struct sign_ctx *c, const uint8_t *in, size_t len,
                      const uint8_t **body, size_t *body_len)
{
    const struct img_sign_opts *o = c->o;
    if (o->pad_header) {
        *body = in;
        *body_len = len;
        return IMAGE_OK;
    }
    if (len < o->header_size)
        return usage_err(c, "input is shorter than the header size and --pad-header was not given");
    for (size_t i = 0; i < o->header_size; i++)
        if (in[i] != 0)
            return usage_err(c, "Header padding was not requested and image does not start with zeros");
    *body = in + o->header_size;
    *body_len = len - o->header_size;
    return IMAGE_OK;
}

/* --compression: sign the plain image first, record its size, hash and
 * signature in DECOMP_* TLVs, then build the image around the compressed
 * body. */
static int build_compressed(struct sign_ctx *c, const uint8_t *body, size_t body_len,
                            struct img_signed *out)
{
    struct img_sign_opts plain_opts = *c->o;
    plain_opts.compression = IMG_COMP_NONE;
    plain_opts.pad = plain_opts.confirm = plain_opts.test = false;
    plain_opts.slot_size = UINT32_MAX;
    struct sign_ctx pc = *c;
    pc.o = &plain_opts;
    struct img_signed plain = { 0 };
    struct decomp d = { .present = true };
    if (c->enc)
        return usage_err(c, "--compression together with -E/--encrypt is not supported");
    int rc = build(&pc, body, body_len, 0, NULL, &plain);
    if (rc == IMAGE_OK) {
        struct image_mem m = { plain.buf, plain.len };
        struct image_info info;
        rc = image_read_info(image_mem_read, &m, (uint32_t)plain.len, &info);
        d.size = info.hdr.img_size;
        d.sha_len = info.hash_len;
        memcpy(d.sha, info.hash, info.hash_len);
        d.sig_len = plain.sig_len;
        memcpy(d.sig, plain.sig, plain.sig_len);
    }
    img_signed_free(&plain);
    uint8_t *z = NULL;
    size_t zlen = 0;
    bool thumb = c->o->compression == IMG_COMP_LZMA2_ARMTHUMB;
    if (rc == IMAGE_OK)
        rc = image_lzma2_compress(body, body_len, thumb, &z, &zlen);
    if (rc == IMAGE_OK)
        rc = build(c, z, zlen, IMAGE_F_COMPRESSED_LZMA2 | (thumb ? IMAGE_F_COMPRESSED_ARM_THUMB : 0),
                   &d, out);
    if (rc == IMAGE_OK)
        snprintf(out->notes, sizeof out->notes,
                 "compressed image size: %zu bytes\noriginal image size: %zu bytes\n", zlen, body_len);
    free(z);
    return rc;
}

static int check_opts(struct sign_ctx *c)
{
    const struct img_sign_opts *o = c->o;
    if (o->header_size < IMAGE_HEADER_SIZE)
        return usage_err(c, "Minimum value for -H/--header-size is 32");
    if (o->header_size > 0xffff)
        return usage_err(c, "-H/--header-size must fit in 16 bits");
    if (o->slot_size == 0)
        return usage_err(c, "-S/--slot-size is required");
    if (o->fixed_sig && !o->fixed_sig_pubkey)
        return usage_err(c, "--fix-sig needs --fix-sig-pubkey");
    if (o->fixed_sig && c->key)
        return usage_err(c, "--fix-sig and -k/--key are exclusive");
    if (c->key && !c->key->has_private)
        return usage_err(c, "the signing key file holds only a public key");
    if (o->enc_keylen != 128 && o->enc_keylen != 256)
        return usage_err(c, "--encrypt-keylen must be 128 or 256");
    if (c->enc && o->hmac_sha == 512 && c->enc->kind != IMAGE_KEY_X25519)
        return usage_err(c, "--hmac-sha 512 is only defined for X25519 encryption");
    return IMAGE_OK;
}

int img_sign(const struct img_sign_opts *o, const struct img_key *key,
             const struct img_key *enc_key, const uint8_t *payload, size_t payload_len,
             struct img_signed *out, char *err, size_t errcap)
{
    struct sign_ctx c = {
        .o = o, .key = key, .idkey = key ? key : o->fixed_sig_pubkey, .enc = enc_key,
        .err = err, .errcap = errcap,
    };
    const uint8_t *body = NULL;
    size_t body_len = 0;
    memset(out, 0, sizeof *out);
    err[0] = '\0';
    int rc = check_opts(&c);
    if (rc == IMAGE_OK)
        rc = choose_hash(&c);
    if (rc == IMAGE_OK)
        rc = check_enc_pairing(&c);
    if (rc == IMAGE_OK)
        rc = split_body(&c, payload, payload_len, &body, &body_len);
    if (rc == IMAGE_OK)
        rc = o->compression != IMG_COMP_NONE ? build_compressed(&c, body, body_len, out)
                                             : build(&c, body, body_len, 0, NULL, out);
    if (rc && !err[0])
        snprintf(err, errcap, "%s", image_strerror(rc));
    return rc;
}

void img_signed_free(struct img_signed *s)
{
    free(s->buf);
    s->buf = NULL;
    s->len = 0;
}
