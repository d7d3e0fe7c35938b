/*
 * The crypto port on mbedTLS 2.28 (device builds; host builds with
 * -DCRYPTO=mbedtls). Implements image_crypto.h and nothing else: no policy,
 * no parsing of TLVs. Built with src/image/mbedtls/mcutools_mbedtls_config.h.
 *
 * No malloc of ours: mbedTLS takes its memory (bignums, hash contexts)
 * from one static pool that this file hands it on first use
 * (MBEDTLS_MEMORY_BUFFER_ALLOC_C, IMAGE_CRYPTO_HEAP_SIZE bytes). An
 * integrator that already runs mbedTLS with its own allocator sets
 * IMAGE_CRYPTO_HEAP_SIZE to 0 and the port leaves the allocator alone.
 *
 * Ed25519 is not in mbedTLS 2.28: Ed25519 keys are refused
 * (image_crypto_key_kind says IMAGE_ERR_UNSUPPORTED), so an image signed
 * with one never boots on this port. Everything else the OpenSSL port
 * verifies or unwraps, this one does, with the same decisions.
 */
#include <string.h>

#include "mbedtls/asn1.h"
#include "mbedtls/bignum.h"
#include "mbedtls/md.h"
#include "mbedtls/memory_buffer_alloc.h"
#include "mbedtls/oid.h"
#include "mbedtls/pk.h"
#include "mbedtls/platform.h"
#if defined(MBEDTLS_ECP_C)
#include "mbedtls/ecp.h"
#endif
#if IMAGE_CRYPTO_ECDSA
#include "mbedtls/ecdsa.h"
#endif
#if IMAGE_CRYPTO_RSA
#include "mbedtls/rsa.h"
#endif
#if IMAGE_CRYPTO_ENC
#include "mbedtls/aes.h"
#include "mbedtls/ecdh.h"
#include "mbedtls/hkdf.h"
#endif
#if IMAGE_CRYPTO_PTHREAD
#include <pthread.h>
#include <stdlib.h>
#endif

#include "image/image_crypto.h"

/* The pool, by what the build verifies. Measured with the reference
 * vectors on a 64-bit host (a 32-bit device needs a little less: smaller
 * allocator headers): ECDSA P-256 4-5 KiB, P-384 5-6 KiB, RSA-2048 verify
 * 5-6 KiB, RSA-3072 verify 8-8.5 KiB, RSA-2048 OAEP unwrap (a private
 * key operation) 9.2-9.7 KiB. Running out is IMAGE_ERR_NO_MEMORY. */
#ifndef IMAGE_CRYPTO_HEAP_SIZE
#if IMAGE_CRYPTO_RSA && IMAGE_CRYPTO_ENC
#define IMAGE_CRYPTO_HEAP_SIZE 12288
#elif IMAGE_CRYPTO_RSA
#define IMAGE_CRYPTO_HEAP_SIZE 10240
#else
#define IMAGE_CRYPTO_HEAP_SIZE 8192
#endif
#endif

#if IMAGE_CRYPTO_HEAP_SIZE > 0
static _Alignas(MBEDTLS_MEMORY_ALIGN_MULTIPLE) unsigned char heap[IMAGE_CRYPTO_HEAP_SIZE];

static void heap_init(void)
{
    mbedtls_memory_buffer_alloc_init(heap, sizeof heap);
}
#endif

/* Every entry point calls this first. */
static void crypto_ready(void)
{
#if IMAGE_CRYPTO_HEAP_SIZE > 0
#if IMAGE_CRYPTO_PTHREAD
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, heap_init);
#else
    static bool ready;
    if (!ready) {
        heap_init();
        ready = true;
    }
#endif
#endif
}

/* See mcutools_mbedtls_config.h: mbedTLS's one use of snprintf (printing
 * an OID) is never reached from this port. */
int image_crypto_mbedtls_snprintf(char *s, size_t n, const char *fmt, ...)
{
    (void)fmt;
    if (n)
        s[0] = '\0';
    return -1;
}

/* mbedTLS's pool found its bookkeeping corrupt (memory_buffer_alloc.c):
 * nothing sane is left to do. A host stops the program; a device spins
 * until its watchdog resets it. Weak, so that a board can do better. */
__attribute__((weak)) void image_crypto_mbedtls_fatal(int status)
{
    (void)status;
#if IMAGE_CRYPTO_PTHREAD
    abort();
#else
    for (;;) {
    }
#endif
}

static mbedtls_md_type_t md_for(uint16_t hash_tlv_type)
{
    switch (hash_tlv_type) {
    case IMAGE_TLV_SHA256: return MBEDTLS_MD_SHA256;
#if IMAGE_CRYPTO_SHA512
    case IMAGE_TLV_SHA384: return MBEDTLS_MD_SHA384;
    case IMAGE_TLV_SHA512: return MBEDTLS_MD_SHA512;
#endif
    default: return MBEDTLS_MD_NONE;
    }
}

/* mbedTLS's code rc as ours: 0 is IMAGE_OK, running out of the pool is
 * IMAGE_ERR_NO_MEMORY (a build whose IMAGE_CRYPTO_HEAP_SIZE is too small
 * must not look like a bad signature), anything else is `otherwise`.
 * mbedTLS adds a low-level code (bignum's 0x0010) to a high-level one. */
static int from_mbedtls(int rc, int otherwise)
{
    if (rc == 0)
        return IMAGE_OK;
    int e = -rc;
    if ((e & 0x7f) == -MBEDTLS_ERR_MPI_ALLOC_FAILED ||
        (e & 0xff80) == -MBEDTLS_ERR_PK_ALLOC_FAILED ||
        (e & 0xff80) == -MBEDTLS_ERR_MD_ALLOC_FAILED
#if defined(MBEDTLS_ECP_C)
        || (e & 0xff80) == -MBEDTLS_ERR_ECP_ALLOC_FAILED
#endif
    )
        return IMAGE_ERR_NO_MEMORY;
    return otherwise;
}

bool image_crypto_supports(enum image_key_kind kind)
{
    switch (kind) {
    case IMAGE_KEY_RSA2048:
    case IMAGE_KEY_RSA3072: return IMAGE_CRYPTO_RSA;
    case IMAGE_KEY_EC_P256: return IMAGE_CRYPTO_ECDSA;
    case IMAGE_KEY_EC_P384: return IMAGE_CRYPTO_ECDSA && IMAGE_CRYPTO_SHA512;
    case IMAGE_KEY_X25519: return IMAGE_CRYPTO_ENC;
    default: return false;
    }
}

/* ---- hashing ---- */

int image_hash_init(struct image_hash *h, uint16_t hash_tlv_type)
{
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(md_for(hash_tlv_type));
    if (!h || !md)
        return IMAGE_ERR_UNSUPPORTED;
    crypto_ready();
    mbedtls_md_context_t *c = mbedtls_calloc(1, sizeof *c);
    if (!c)
        return IMAGE_ERR_NO_MEMORY;
    mbedtls_md_init(c);
    int rc = mbedtls_md_setup(c, md, 0);
    if (rc == 0)
        rc = mbedtls_md_starts(c);
    if (rc) {
        mbedtls_md_free(c);
        mbedtls_free(c);
        return from_mbedtls(rc, IMAGE_ERR_UNSUPPORTED);
    }
    h->impl = c;
    h->type = hash_tlv_type;
    return IMAGE_OK;
}

int image_hash_update(struct image_hash *h, const void *data, size_t len)
{
    return mbedtls_md_update(h->impl, data, len) == 0 ? IMAGE_OK : IMAGE_ERR_UNSUPPORTED;
}

void image_hash_abort(struct image_hash *h)
{
    if (h && h->impl) {
        mbedtls_md_free(h->impl);
        mbedtls_free(h->impl);
        h->impl = NULL;
    }
}

int image_hash_final(struct image_hash *h, uint8_t *out, size_t cap, size_t *out_len)
{
    uint8_t md[IMAGE_HASH_MAX];
    size_t n = image_hash_len(h->type);
    int ok = mbedtls_md_finish(h->impl, md) == 0;
    image_hash_abort(h);
    if (!ok || n > cap)
        return IMAGE_ERR_UNSUPPORTED;
    memcpy(out, md, n);
    if (out_len)
        *out_len = n;
    return IMAGE_OK;
}

/* ---- public keys and signatures ---- */

/* A trusted public key, parsed here with mbedTLS's ASN.1 reader rather
 * than its pk layer: the pk tables would link every RSA and EC private-key
 * operation into a bootloader that only verifies. */
struct pub_key {
    enum image_key_kind kind;
#if IMAGE_CRYPTO_RSA
    mbedtls_rsa_context rsa;
#endif
#if IMAGE_CRYPTO_ECDSA
    mbedtls_ecdsa_context ec;
#endif
};

static void pub_init(struct pub_key *k)
{
    k->kind = IMAGE_KEY_UNKNOWN;
#if IMAGE_CRYPTO_RSA
    mbedtls_rsa_init(&k->rsa, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_NONE);
#endif
#if IMAGE_CRYPTO_ECDSA
    mbedtls_ecdsa_init(&k->ec);
#endif
}

static void pub_free(struct pub_key *k)
{
#if IMAGE_CRYPTO_RSA
    mbedtls_rsa_free(&k->rsa);
#endif
#if IMAGE_CRYPTO_ECDSA
    mbedtls_ecdsa_free(&k->ec);
#endif
}

/* Reads a SEQUENCE that must fill [*p, end) exactly. */
static int whole_sequence(unsigned char **p, const unsigned char *end)
{
    size_t len;
    int rc = mbedtls_asn1_get_tag(p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE);
    if (rc == 0 && *p + len != end)
        rc = MBEDTLS_ERR_ASN1_LENGTH_MISMATCH;
    return rc;
}

#if IMAGE_CRYPTO_RSA
/* PKCS#1 RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent
 * INTEGER }, filling [p, end); RSA-2048 and RSA-3072 only. */
static int parse_rsa(struct pub_key *k, unsigned char *p, const unsigned char *end)
{
    mbedtls_rsa_context *rsa = &k->rsa;
    int rc = whole_sequence(&p, end);
    if (rc == 0)
        rc = mbedtls_asn1_get_mpi(&p, end, &rsa->N);
    if (rc == 0)
        rc = mbedtls_asn1_get_mpi(&p, end, &rsa->E);
    if (rc == 0 && p != end)
        rc = MBEDTLS_ERR_ASN1_LENGTH_MISMATCH;
    if (rc == 0) {
        rsa->len = mbedtls_mpi_size(&rsa->N);
        rc = mbedtls_rsa_check_pubkey(rsa);
    }
    if (rc)
        return from_mbedtls(rc, IMAGE_ERR_UNSUPPORTED);
    size_t bits = mbedtls_mpi_bitlen(&rsa->N);
    k->kind = bits == 2048 ? IMAGE_KEY_RSA2048 : bits == 3072 ? IMAGE_KEY_RSA3072 : IMAGE_KEY_UNKNOWN;
    return k->kind == IMAGE_KEY_UNKNOWN ? IMAGE_ERR_UNSUPPORTED : IMAGE_OK;
}
#endif

#if IMAGE_CRYPTO_ECDSA
/* The uncompressed point of an id-ecPublicKey on a named curve. */
static int parse_ec(struct pub_key *k, const mbedtls_asn1_buf *curve, const unsigned char *pt,
                    size_t len)
{
    mbedtls_ecp_group_id id = MBEDTLS_ECP_DP_NONE;
    if (curve->tag != MBEDTLS_ASN1_OID)
        return IMAGE_ERR_UNSUPPORTED;
    if (MBEDTLS_OID_CMP(MBEDTLS_OID_EC_GRP_SECP256R1, curve) == 0)
        id = MBEDTLS_ECP_DP_SECP256R1;
#if IMAGE_CRYPTO_SHA512
    else if (MBEDTLS_OID_CMP(MBEDTLS_OID_EC_GRP_SECP384R1, curve) == 0)
        id = MBEDTLS_ECP_DP_SECP384R1;
#endif
    if (id == MBEDTLS_ECP_DP_NONE)
        return IMAGE_ERR_UNSUPPORTED;
    int rc = mbedtls_ecp_group_load(&k->ec.grp, id);
    if (rc == 0)
        rc = mbedtls_ecp_point_read_binary(&k->ec.grp, &k->ec.Q, pt, len);
    if (rc == 0)
        rc = mbedtls_ecp_check_pubkey(&k->ec.grp, &k->ec.Q);
    if (rc)
        return from_mbedtls(rc, IMAGE_ERR_UNSUPPORTED);
    k->kind = id == MBEDTLS_ECP_DP_SECP256R1 ? IMAGE_KEY_EC_P256 : IMAGE_KEY_EC_P384;
    return IMAGE_OK;
}
#endif

/* SubjectPublicKeyInfo ::= SEQUENCE { SEQUENCE { algorithm OID,
 * parameters }, subjectPublicKey BIT STRING }, filling [p, end). */
static int parse_spki(struct pub_key *k, unsigned char *p, const unsigned char *end)
{
    mbedtls_asn1_buf alg, params;
    size_t len;
    int rc = whole_sequence(&p, end);
    if (rc == 0)
        rc = mbedtls_asn1_get_alg(&p, end, &alg, &params);
    if (rc == 0)
        rc = mbedtls_asn1_get_bitstring_null(&p, end, &len);
    if (rc == 0 && p + len != end)
        rc = MBEDTLS_ERR_ASN1_LENGTH_MISMATCH;
    if (rc)
        return IMAGE_ERR_UNSUPPORTED;
#if IMAGE_CRYPTO_RSA
    bool no_params = params.tag == 0 || (params.tag == MBEDTLS_ASN1_NULL && params.len == 0);
    if (MBEDTLS_OID_CMP(MBEDTLS_OID_PKCS1_RSA, &alg) == 0 && no_params)
        return parse_rsa(k, p, end);
#endif
#if IMAGE_CRYPTO_ECDSA
    if (MBEDTLS_OID_CMP(MBEDTLS_OID_EC_ALG_UNRESTRICTED, &alg) == 0)
        return parse_ec(k, &params, p, len);
#endif
    /* Ed25519, X25519 and whatever this build left out */
    return IMAGE_ERR_UNSUPPORTED;
}

/* SubjectPublicKeyInfo, or an RSA key as PKCS#1 RSAPublicKey (how imgtool
 * gives RSA keys), with no byte after it; k must be freed either way. */
static int load_pub(struct pub_key *k, const uint8_t *der, size_t der_len)
{
    pub_init(k);
    if (!der || der_len == 0 || der_len > 0x10000)
        return IMAGE_ERR_UNSUPPORTED;
    crypto_ready();
    unsigned char *p = (unsigned char *)der;
    int rc = parse_spki(k, p, p + der_len);
#if IMAGE_CRYPTO_RSA
    if (rc == IMAGE_ERR_UNSUPPORTED) {
        pub_free(k);
        pub_init(k);
        rc = parse_rsa(k, p, p + der_len);
    }
#endif
    return rc;
}

int image_crypto_key_kind(const uint8_t *der, size_t der_len,
                          enum image_key_kind *kind)
{
    struct pub_key k;
    int rc = load_pub(&k, der, der_len);
    *kind = rc == IMAGE_OK ? k.kind : IMAGE_KEY_UNKNOWN;
    pub_free(&k);
    return rc;
}

#if IMAGE_CRYPTO_RSA
/* PSS with MGF1 over the digest's hash and a salt of exactly 32 bytes, as
 * imgtool signs; the signature must be as long as the modulus. */
static int verify_rsa(mbedtls_rsa_context *rsa, mbedtls_md_type_t md,
                      const uint8_t *digest, size_t digest_len,
                      const uint8_t *sig, size_t sig_len)
{
    if (sig_len != mbedtls_rsa_get_len(rsa))
        return IMAGE_ERR_SIGNATURE;
    int rc = mbedtls_rsa_rsassa_pss_verify_ext(rsa, NULL, NULL, MBEDTLS_RSA_PUBLIC, md,
                                               (unsigned int)digest_len, digest, md, 32, sig);
    return from_mbedtls(rc, IMAGE_ERR_SIGNATURE);
}
#endif

#if IMAGE_CRYPTO_ECDSA
static int verify_ecdsa(mbedtls_ecdsa_context *ec, const uint8_t *digest, size_t digest_len,
                        const uint8_t *sig, size_t sig_len)
{
    size_t n = image_ecdsa_sig_der_len(sig, sig_len);
    if (n == 0)
        return IMAGE_ERR_SIGNATURE;
    int rc = mbedtls_ecdsa_read_signature(ec, digest, digest_len, sig, n);
    return from_mbedtls(rc, IMAGE_ERR_SIGNATURE);
}
#endif

int image_crypto_verify_digest(const uint8_t *der, size_t der_len,
                               uint16_t sig_tlv, uint16_t hash_tlv,
                               const uint8_t *digest, size_t digest_len,
                               const uint8_t *sig, size_t sig_len)
{
    mbedtls_md_type_t md = md_for(hash_tlv);
    if (md == MBEDTLS_MD_NONE || digest_len != image_hash_len(hash_tlv))
        return IMAGE_ERR_UNSUPPORTED;
    struct pub_key k;
    int rc = load_pub(&k, der, der_len);
    uint16_t want = rc == IMAGE_OK ? image_sig_tlv_for(k.kind) : 0;
    if (rc == IMAGE_OK && (!want || want != sig_tlv))
        rc = IMAGE_ERR_UNSUPPORTED;
#if IMAGE_CRYPTO_RSA
    else if (rc == IMAGE_OK && (k.kind == IMAGE_KEY_RSA2048 || k.kind == IMAGE_KEY_RSA3072))
        rc = verify_rsa(&k.rsa, md, digest, digest_len, sig, sig_len);
#endif
#if IMAGE_CRYPTO_ECDSA
    else if (rc == IMAGE_OK && (k.kind == IMAGE_KEY_EC_P256 || k.kind == IMAGE_KEY_EC_P384))
        rc = verify_ecdsa(&k.ec, digest, digest_len, sig, sig_len);
#endif
    pub_free(&k);
    return rc;
}

/* Pure signatures are Ed25519 only: not in mbedTLS 2.28. */
int image_crypto_verify_pure(const uint8_t *der, size_t der_len,
                             image_read_fn rd, void *ctx, uint32_t msg_len,
                             const uint8_t *sig, size_t sig_len)
{
    (void)der;
    (void)der_len;
    (void)rd;
    (void)ctx;
    (void)msg_len;
    (void)sig;
    (void)sig_len;
    return IMAGE_ERR_UNSUPPORTED;
}

/* ---- decryption of encrypted images ---- */

#if IMAGE_CRYPTO_ENC

#define ECIES_INFO "MCUBoot_ECIES_v1"

/* In constant time: the HMAC check must not tell how much matched. */
static bool same_bytes(const uint8_t *a, const uint8_t *b, size_t n)
{
    uint8_t diff = 0;
    for (size_t i = 0; i < n; i++)
        diff |= a[i] ^ b[i];
    return diff == 0;
}

/* AES-CTR from counter block `block` (big endian in the last 4 bytes),
 * starting `skip` bytes into it. */
static int aes_ctr_at(const uint8_t *key, size_t keylen, uint32_t block, size_t skip,
                      uint8_t *buf, size_t len)
{
    uint8_t ctr[16] = { 0 }, stream[16], pad[16] = { 0 };
    size_t nc_off = 0;
    for (int i = 0; i < 4; i++)
        ctr[15 - i] = (uint8_t)(block >> (8 * i));
    mbedtls_aes_context aes;
    mbedtls_aes_init(&aes);
    int ok = mbedtls_aes_setkey_enc(&aes, key, (unsigned int)keylen * 8) == 0;
    /* start inside the block: consume the key stream bytes before it */
    if (ok && skip)
        ok = mbedtls_aes_crypt_ctr(&aes, skip, &nc_off, ctr, stream, pad, pad) == 0;
    if (ok)
        ok = mbedtls_aes_crypt_ctr(&aes, len, &nc_off, ctr, stream, buf, buf) == 0;
    mbedtls_aes_free(&aes);
    memset(stream, 0, sizeof stream);
    return ok ? IMAGE_OK : IMAGE_ERR_UNSUPPORTED;
}

#if IMAGE_CRYPTO_RSA
/* RSA-OAEP with SHA-256 (label empty), the TLV as long as the modulus.
 * No RNG on a bootloader: the private operation runs unblinded. */
static int unwrap_rsa(mbedtls_pk_context *pk, const uint8_t *tlv, size_t tlv_len,
                      uint8_t *aes_key, size_t *keylen)
{
    mbedtls_rsa_context *rsa = mbedtls_pk_rsa(*pk);
    if (tlv_len != mbedtls_rsa_get_len(rsa))
        return IMAGE_ERR_SIGNATURE;
    mbedtls_rsa_set_padding(rsa, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256);
    int rc = mbedtls_rsa_rsaes_oaep_decrypt(rsa, NULL, NULL, MBEDTLS_RSA_PRIVATE, NULL, 0,
                                            keylen, tlv, aes_key, IMAGE_AES_KEY_MAX);
    if (rc == MBEDTLS_ERR_RSA_OUTPUT_TOO_LARGE)
        return IMAGE_ERR_TLV_LENGTH;
    return from_mbedtls(rc, IMAGE_ERR_SIGNATURE);
}
#endif

/* The X25519 private key of a PKCS#8 PrivateKeyInfo (RFC 8410), which
 * mbedTLS 2.28's key parser does not know:
 *   SEQUENCE { INTEGER 0|1, SEQUENCE { OID 1.3.101.110 },
 *              OCTET STRING { OCTET STRING (32 bytes) } ... } */
static int x25519_private(const uint8_t *der, size_t der_len, const uint8_t **key)
{
    static const uint8_t oid_x25519[] = { 0x2b, 0x65, 0x6e };
    unsigned char *p = (unsigned char *)der, *end = p + der_len;
    size_t len;
    int version;
    mbedtls_asn1_buf alg, params;
    if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) ||
        p + len != end || mbedtls_asn1_get_int(&p, end, &version) || version < 0 ||
        version > 1 || mbedtls_asn1_get_alg(&p, end, &alg, &params) ||
        params.tag != 0 || alg.len != sizeof oid_x25519 ||
        memcmp(alg.p, oid_x25519, sizeof oid_x25519) != 0 ||
        mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_OCTET_STRING) ||
        mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_OCTET_STRING) || len != 32)
        return IMAGE_ERR_UNSUPPORTED;
    *key = p;
    return IMAGE_OK;
}

/* The shared secret of the board's private key d (on grp) and the
 * ephemeral public key in the TLV: X25519 little endian, P-256 the big
 * endian x coordinate. */
static int ecdh_secret(mbedtls_ecp_group *grp, const mbedtls_mpi *d, const uint8_t *pt,
                       size_t plen, uint8_t *secret, size_t slen)
{
    mbedtls_ecp_point q;
    mbedtls_mpi z;
    mbedtls_ecp_point_init(&q);
    mbedtls_mpi_init(&z);
    int rc = mbedtls_ecp_point_read_binary(grp, &q, pt, plen);
    if (rc == 0)
        rc = mbedtls_ecp_check_pubkey(grp, &q);
    if (rc == 0)
        rc = mbedtls_ecdh_compute_shared(grp, &z, &q, d, NULL, NULL);
    /* an all-zero secret (a small-order X25519 point): refused, as OpenSSL does */
    if (rc == 0 && mbedtls_mpi_cmp_int(&z, 0) == 0)
        rc = MBEDTLS_ERR_ECP_INVALID_KEY;
    if (rc == 0 && grp->id == MBEDTLS_ECP_DP_CURVE25519)
        rc = mbedtls_mpi_write_binary_le(&z, secret, slen);
    else if (rc == 0)
        rc = mbedtls_mpi_write_binary(&z, secret, slen);
    mbedtls_ecp_point_free(&q);
    mbedtls_mpi_free(&z);
    return from_mbedtls(rc, IMAGE_ERR_SIGNATURE);
}

/* ECIES as MCUboot defines it (see encrypt.c, the host's wrapping side):
 * TLV = ephemeral public key || HMAC || AES key wrapped with AES-CTR;
 * HKDF (no salt, info "MCUBoot_ECIES_v1") gives the wrapping key then the
 * HMAC key. */
static int unwrap_ecies(mbedtls_ecp_group *grp, const mbedtls_mpi *d, uint16_t tlv_type,
                        const uint8_t *tlv, size_t tlv_len, uint8_t *aes_key, size_t *keylen)
{
    bool x25519 = tlv_type != IMAGE_TLV_ENC_EC256;
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(
        tlv_type == IMAGE_TLV_ENC_X25519_SHA512 ? MBEDTLS_MD_SHA512 : MBEDTLS_MD_SHA256);
    if (!md)
        return IMAGE_ERR_UNSUPPORTED;
    size_t plen = x25519 ? 32 : 65, mlen = mbedtls_md_get_size(md);
    if (tlv_len <= plen + mlen || tlv_len - plen - mlen > IMAGE_AES_KEY_MAX)
        return IMAGE_ERR_TLV_LENGTH;
    size_t klen = tlv_len - plen - mlen;
    uint8_t secret[32], derived[IMAGE_AES_KEY_MAX + 64], mac[64];
    int rc = ecdh_secret(grp, d, tlv, plen, secret, sizeof secret);
    if (rc == IMAGE_OK)
        rc = from_mbedtls(mbedtls_hkdf(md, NULL, 0, secret, sizeof secret,
                                       (const unsigned char *)ECIES_INFO, strlen(ECIES_INFO),
                                       derived, klen + mlen),
                          IMAGE_ERR_SIGNATURE);
    if (rc == IMAGE_OK)
        rc = from_mbedtls(mbedtls_md_hmac(md, derived + klen, mlen, tlv + plen + mlen, klen, mac),
                          IMAGE_ERR_SIGNATURE);
    if (rc == IMAGE_OK && !same_bytes(mac, tlv + plen, mlen))
        rc = IMAGE_ERR_SIGNATURE;
    if (rc == IMAGE_OK) {
        memcpy(aes_key, tlv + plen + mlen, klen);
        rc = aes_ctr_at(derived, klen, 0, 0, aes_key, klen);
        *keylen = klen;
    }
    memset(secret, 0, sizeof secret);
    memset(derived, 0, sizeof derived);
    return rc;
}

static int unwrap_x25519(const struct image_enc_key *priv, uint16_t tlv_type,
                         const uint8_t *tlv, size_t tlv_len, uint8_t *aes_key,
                         size_t *keylen)
{
    const uint8_t *raw;
    if (x25519_private(priv->der, priv->der_len, &raw))
        return IMAGE_ERR_UNSUPPORTED;
    mbedtls_ecp_keypair kp;
    mbedtls_ecp_keypair_init(&kp);
    int rc = from_mbedtls(mbedtls_ecp_read_key(MBEDTLS_ECP_DP_CURVE25519, &kp, raw, 32),
                          IMAGE_ERR_UNSUPPORTED);
    if (rc == IMAGE_OK)
        rc = unwrap_ecies(&kp.grp, &kp.d, tlv_type, tlv, tlv_len, aes_key, keylen);
    mbedtls_ecp_keypair_free(&kp);
    return rc;
}

/* RSA or EC P-256, PKCS#8 or the traditional form: mbedTLS's parser. */
static int unwrap_parsed(const struct image_enc_key *priv, uint16_t tlv_type,
                         const uint8_t *tlv, size_t tlv_len, uint8_t *aes_key,
                         size_t *keylen)
{
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    int rc = from_mbedtls(mbedtls_pk_parse_key(&pk, priv->der, priv->der_len, NULL, 0),
                          IMAGE_ERR_UNSUPPORTED);
    if (rc) {
        mbedtls_pk_free(&pk);
        return rc;
    }
    mbedtls_pk_type_t t = mbedtls_pk_get_type(&pk);
    rc = IMAGE_ERR_UNSUPPORTED;
#if IMAGE_CRYPTO_RSA
    if (tlv_type == IMAGE_TLV_ENC_RSA2048 && t == MBEDTLS_PK_RSA)
        rc = unwrap_rsa(&pk, tlv, tlv_len, aes_key, keylen);
#endif
    /* an EC key of another curve: made for no TLV of ours, as a mismatched
     * key agreement says in the OpenSSL port */
    if (tlv_type == IMAGE_TLV_ENC_EC256 && t == MBEDTLS_PK_ECKEY)
        rc = mbedtls_pk_ec(pk)->grp.id == MBEDTLS_ECP_DP_SECP256R1
                 ? unwrap_ecies(&mbedtls_pk_ec(pk)->grp, &mbedtls_pk_ec(pk)->d, tlv_type, tlv,
                                tlv_len, aes_key, keylen)
                 : IMAGE_ERR_SIGNATURE;
    mbedtls_pk_free(&pk);
    return rc;
}

int image_crypto_enc_unwrap(const struct image_enc_key *priv, uint16_t tlv_type,
                            const uint8_t *tlv, size_t tlv_len,
                            uint8_t aes_key[IMAGE_AES_KEY_MAX], size_t *keylen)
{
    if (!priv || !priv->der || !tlv)
        return IMAGE_ERR_BAD_ARG;
    crypto_ready();
    int rc;
    switch (tlv_type) {
    case IMAGE_TLV_ENC_RSA2048:
    case IMAGE_TLV_ENC_EC256:
        rc = unwrap_parsed(priv, tlv_type, tlv, tlv_len, aes_key, keylen);
        break;
    case IMAGE_TLV_ENC_X25519:
    case IMAGE_TLV_ENC_X25519_SHA512:
        rc = unwrap_x25519(priv, tlv_type, tlv, tlv_len, aes_key, keylen);
        break;
    default:
        return IMAGE_ERR_UNSUPPORTED;
    }
    if (rc == IMAGE_OK && *keylen != 16 && *keylen != 32)
        rc = IMAGE_ERR_TLV_LENGTH;
    return rc;
}

int image_crypto_aes_ctr(const uint8_t *key, size_t keylen, uint32_t off,
                         uint8_t *buf, size_t len)
{
    if (keylen != 16 && keylen != 32)
        return IMAGE_ERR_UNSUPPORTED;
    return aes_ctr_at(key, keylen, off / 16, off % 16, buf, len);
}

#else /* !IMAGE_CRYPTO_ENC: a bootloader without encrypted images */

int image_crypto_enc_unwrap(const struct image_enc_key *priv, uint16_t tlv_type,
                            const uint8_t *tlv, size_t tlv_len,
                            uint8_t aes_key[IMAGE_AES_KEY_MAX], size_t *keylen)
{
    (void)priv;
    (void)tlv_type;
    (void)tlv;
    (void)tlv_len;
    (void)aes_key;
    (void)keylen;
    return IMAGE_ERR_UNSUPPORTED;
}

int image_crypto_aes_ctr(const uint8_t *key, size_t keylen, uint32_t off,
                         uint8_t *buf, size_t len)
{
    (void)key;
    (void)keylen;
    (void)off;
    (void)buf;
    (void)len;
    return IMAGE_ERR_UNSUPPORTED;
}

#endif
