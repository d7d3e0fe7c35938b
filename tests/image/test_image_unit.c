/*
 * The image parser on hand-built images: bounds, overflow, misplaced and
 * duplicate TLVs, plus version helpers and the error tables. Needs no
 * vectors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/x509.h>

#include <cmocka.h>

#include "image/dumpinfo.h"
#include "image/image.h"
#include "image/image_crypto.h"
#include "image/keyfile.h"
#include "image/verify.h"

static uint8_t img[4096];
static size_t img_len;

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

/* Header 32 + body 64, optional protected block, then an unprotected
 * block with a correct SHA-256 (extra unprotected TLVs appended after). */
static void build(const uint8_t *prot, uint16_t prot_len, const uint8_t *extra,
                  uint16_t extra_len)
{
    memset(img, 0, sizeof img);
    put32(img, IMAGE_MAGIC);
    put16(img + 8, 32);
    put16(img + 10, prot_len ? (uint16_t)(prot_len + 4) : 0);
    put32(img + 12, 64);
    img[20] = 1;
    img[21] = 2;
    put16(img + 22, 3);
    put32(img + 24, 4);
    memset(img + 32, 0xa5, 64);
    size_t off = 96;
    if (prot_len) {
        put16(img + off, IMAGE_TLV_PROT_INFO_MAGIC);
        put16(img + off + 2, (uint16_t)(prot_len + 4));
        memcpy(img + off + 4, prot, prot_len);
        off += 4u + prot_len;
    }
    uint8_t digest[32];
    assert_int_equal(image_hash_buf(IMAGE_TLV_SHA256, img, off, digest, 32, NULL), 0);
    put16(img + off, IMAGE_TLV_INFO_MAGIC);
    put16(img + off + 2, (uint16_t)(4 + 36 + extra_len));
    put16(img + off + 4, IMAGE_TLV_SHA256);
    put16(img + off + 6, 32);
    memcpy(img + off + 8, digest, 32);
    if (extra_len)
        memcpy(img + off + 40, extra, extra_len);
    img_len = off + 40 + extra_len;
}

static int validate(size_t area)
{
    struct image_mem m = { img, img_len };
    struct image_info info;
    return image_validate(image_mem_read, &m, (uint32_t)area, NULL, 0, &info, NULL);
}

static void test_minimal_image_valid(void **state)
{
    (void)state;
    build(NULL, 0, NULL, 0);
    assert_int_equal(validate(img_len), IMAGE_OK);
    struct image_mem m = { img, img_len };
    struct image_info info;
    assert_int_equal(image_read_info(image_mem_read, &m, (uint32_t)img_len, &info), 0);
    assert_int_equal(info.total_size, img_len);
    assert_int_equal(info.hash_type, IMAGE_TLV_SHA256);
    assert_false(info.has_sec_cnt);
    /* one byte short of the area: the TLV block is cut */
    m.len = img_len - 1;
    assert_int_equal(validate(img_len - 1), IMAGE_ERR_TLV_TRUNCATED);
}

static void test_sec_cnt_protected_only(void **state)
{
    (void)state;
    uint8_t sc[8] = { 0x50, 0, 4, 0, 42, 0, 0, 0 };
    build(sc, sizeof sc, NULL, 0);
    struct image_mem m = { img, img_len };
    struct image_info info;
    assert_int_equal(image_validate(image_mem_read, &m, (uint32_t)img_len, NULL, 0,
                                    &info, NULL), IMAGE_OK);
    assert_true(info.has_sec_cnt);
    assert_int_equal(info.sec_cnt, 42);
    /* the same TLV in the unprotected block is an unsigned claim */
    build(NULL, 0, sc, sizeof sc);
    assert_int_equal(validate(img_len), IMAGE_ERR_TLV_UNPROTECTED);
    /* two counters */
    uint8_t two[16];
    memcpy(two, sc, 8);
    memcpy(two + 8, sc, 8);
    build(two, sizeof two, NULL, 0);
    assert_int_equal(validate(img_len), IMAGE_ERR_DUPLICATE_TLV);
}

static void test_duplicate_hash_rejected(void **state)
{
    (void)state;
    uint8_t h2[36] = { 0x10, 0, 32, 0 };
    build(NULL, 0, h2, sizeof h2);
    assert_int_equal(validate(img_len), IMAGE_ERR_DUPLICATE_TLV);
}

static void test_header_bounds(void **state)
{
    (void)state;
    build(NULL, 0, NULL, 0);
    put32(img + 12, 0xfffffff0u); /* img_size that wraps 32 bits */
    assert_int_equal(validate(img_len), IMAGE_ERR_TOO_LARGE);
    build(NULL, 0, NULL, 0);
    put16(img + 8, 16);
    assert_int_equal(validate(img_len), IMAGE_ERR_HEADER);
    build(NULL, 0, NULL, 0);
    assert_int_equal(validate(20), IMAGE_ERR_TOO_LARGE);
    /* protected size in the header disagrees with the block */
    uint8_t sc[8] = { 0x50, 0, 4, 0, 1, 0, 0, 0 };
    build(sc, sizeof sc, NULL, 0);
    put16(img + 10, 16);
    assert_int_equal(validate(img_len), IMAGE_ERR_TLV_LENGTH);
    /* a protected block the header does not declare */
    build(sc, sizeof sc, NULL, 0);
    put16(img + 10, 0);
    assert_int_equal(validate(img_len), IMAGE_ERR_TLV_LENGTH);
    /* an entry that crosses the end of its block */
    build(NULL, 0, NULL, 0);
    put16(img + 96 + 6, 33);
    assert_int_equal(validate(img_len), IMAGE_ERR_TLV_TRUNCATED);
    /* no hash at all */
    build(NULL, 0, NULL, 0);
    put16(img + 96 + 4, 0xa0);
    assert_int_equal(validate(img_len), IMAGE_ERR_NO_HASH);
    put16(img + 96 + 4, IMAGE_TLV_KEYHASH);
    assert_int_equal(validate(img_len), IMAGE_ERR_NO_HASH);
}

static void test_mem_read_bounds(void **state)
{
    (void)state;
    uint8_t buf[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, out[8];
    struct image_mem m = { buf, sizeof buf };
    assert_int_equal(image_mem_read(&m, 4, out, 4), 0);
    assert_memory_equal(out, buf + 4, 4);
    assert_int_not_equal(image_mem_read(&m, 5, out, 4), 0);
    assert_int_not_equal(image_mem_read(&m, 0xffffffffu, out, 2), 0);
}

static void test_version(void **state)
{
    (void)state;
    struct image_version a = { 1, 2, 3, 0 }, b = { 1, 2, 3, 9 }, c = { 1, 10, 0, 0 };
    char s[32];
    assert_int_equal(image_version_fmt(&a, s, sizeof s), 0);
    assert_string_equal(s, "1.2.3");
    assert_int_equal(image_version_fmt(&b, s, sizeof s), 0);
    assert_string_equal(s, "1.2.3.9");
    struct image_version max = { 255, 255, 65535, 4294967295u };
    assert_int_equal(image_version_fmt(&max, s, sizeof s), 0);
    assert_string_equal(s, "255.255.65535.4294967295");
    assert_int_equal(image_version_fmt(&max, s, 10), IMAGE_ERR_BAD_ARG);
    assert_string_equal(s, "");
    assert_int_equal(image_version_cmp(&a, &b, false), 0);
    assert_true(image_version_cmp(&a, &b, true) < 0);
    assert_true(image_version_cmp(&c, &a, false) > 0);
    assert_true(image_version_cmp(&a, &c, false) < 0);
}

static void test_error_tables(void **state)
{
    (void)state;
    for (int i = 0; i < IMAGE_ERR_COUNT; i++) {
        int e = IMAGE_ERR_CODE(i);
        assert_non_null(image_errname(e));
        assert_non_null(image_strerror(e));
        assert_string_not_equal(image_errname(e), "IMAGE_ERR_UNKNOWN");
        /* the image layer's own range (image.h) */
        assert_true(e == 0 || (e <= -41 && e >= -59));
    }
    assert_int_equal(IMAGE_ERR_CODE(IMAGE_ERR_COUNT - 1), IMAGE_ERR_NO_MEMORY);
    assert_string_equal(image_errname(IMAGE_ERR_HASH), "IMAGE_ERR_HASH");
    assert_string_equal(image_errname(IMAGE_ERR_CODE(IMAGE_ERR_COUNT)), "IMAGE_ERR_UNKNOWN");
    assert_string_equal(image_errname(IMAGE_ERR_BASE), "IMAGE_ERR_UNKNOWN");
    assert_string_equal(image_errname(-9), "IMAGE_ERR_UNKNOWN"); /* a flash code */
    assert_string_equal(image_errname(5), "IMAGE_ERR_UNKNOWN");
}

struct tlv_seen {
    int n;
    uint16_t type[8], len[8];
    uint32_t off[8];
};

static int note_tlv(void *arg, bool prot, uint16_t type, uint32_t off, uint16_t len)
{
    struct tlv_seen *s = arg;
    (void)prot;
    if (s->n < 8) {
        s->type[s->n] = type;
        s->len[s->n] = len;
        s->off[s->n] = off;
        s->n++;
    }
    return 0;
}

/* The one walker, both ways: on a whole image the lenient walk (imgtool
 * verify and dumpinfo) sees exactly what the strict one (the device)
 * sees; on a cut file it still shows the entries whose headers are there,
 * and verify and dumpinfo name the same missing header. */
static void test_lenient_and_strict_walks_agree(void **state)
{
    (void)state;
    uint8_t keyhash[36] = { 0x01, 0, 32, 0 };
    memset(keyhash + 4, 0x3c, 32);
    build(NULL, 0, keyhash, sizeof keyhash);
    struct image_mem m = { img, img_len };
    struct image_info info;
    struct image_header h;
    image_header_decode(img, &h);
    assert_int_equal(h.magic, IMAGE_MAGIC);
    assert_int_equal(h.hdr_size, 32);
    assert_int_equal(h.img_size, 64);
    assert_int_equal(h.ver.revision, 3);
    assert_int_equal(h.ver.build, 4);
    assert_int_equal(image_read_info(image_mem_read, &m, (uint32_t)img_len, &info), 0);
    struct tlv_seen strict = { 0 }, lenient = { 0 };
    assert_int_equal(image_tlv_foreach(image_mem_read, &m, &info, note_tlv, &strict), 0);
    struct image_tlv_block blk = { info.tlv_off, (uint16_t)(info.total_size - info.tlv_off),
                                   false };
    uint32_t stop = 0;
    assert_int_equal(image_tlv_walk_lenient(image_mem_read, &m, &blk, (uint32_t)img_len,
                                            note_tlv, &lenient, &stop), 0);
    assert_int_equal(strict.n, 2);
    assert_int_equal(lenient.n, 2);
    assert_memory_equal(strict.type, lenient.type, sizeof strict.type);
    assert_memory_equal(strict.len, lenient.len, sizeof strict.len);
    assert_memory_equal(strict.off, lenient.off, sizeof strict.off);
    assert_int_equal(lenient.type[1], IMAGE_TLV_KEYHASH);

    /* the KEYHASH value cut by the end of the file: only the lenient walk
     * goes on, and reports the length the entry declares */
    size_t cut = img_len - 10;
    m.len = cut;
    assert_int_equal(image_read_info(image_mem_read, &m, (uint32_t)cut, &info),
                     IMAGE_ERR_TLV_TRUNCATED);
    lenient.n = 0;
    assert_int_equal(image_tlv_walk_lenient(image_mem_read, &m, &blk, (uint32_t)cut, note_tlv,
                                            &lenient, &stop), 0);
    assert_int_equal(lenient.n, 2);
    assert_int_equal(lenient.len[1], 32);

    /* the KEYHASH header itself cut: the walk stops there, and both host
     * tools name that offset */
    uint32_t keyhash_hdr = lenient.off[1] - 4;
    cut = keyhash_hdr + 2;
    m.len = cut;
    lenient.n = 0;
    assert_int_equal(image_tlv_walk_lenient(image_mem_read, &m, &blk, (uint32_t)cut, note_tlv,
                                            &lenient, &stop), IMAGE_ERR_TLV_TRUNCATED);
    assert_int_equal(stop, keyhash_hdr);
    assert_int_equal(lenient.n, 1);
    char where[32], err[256];
    snprintf(where, sizeof where, "offset 0x%x ", keyhash_hdr);
    struct img_verify_report rep;
    assert_int_not_equal(img_verify_buffer(img, cut, NULL, &rep), 0);
    assert_int_equal(rep.result, IMG_VERIFY_TRUNCATED);
    assert_non_null(strstr(rep.detail, where));
    FILE *sink = fopen("/dev/null", "w");
    assert_non_null(sink);
    assert_int_equal(img_dumpinfo(img, cut, "cut.bin", IMG_DUMP_JSON, sink, err, sizeof err),
                     IMAGE_ERR_TLV_TRUNCATED);
    fclose(sink);
    assert_non_null(strstr(err, where));
}

static void unhex(const char *hex, uint8_t *out)
{
    for (size_t i = 0; hex[2 * i]; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
}

/* The crypto port of this build (OpenSSL, or mbedTLS with -DCRYPTO=mbedtls):
 * digests of "abc" (FIPS 180-2), streamed in pieces as well; AES-CTR with a
 * zero initial counter against `openssl enc -aes-*-ctr -iv 0`, whole and in
 * slices at any offset; what it supports; and, for the mbedTLS port's
 * static pool, that contexts are given back (a thousand hashes, four open
 * at once, every one aborted or finished). */
static void test_crypto_port(void **state)
{
    (void)state;
    static const struct {
        uint16_t type;
        const char *hex;
    } kat[] = {
        { IMAGE_TLV_SHA256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
        { IMAGE_TLV_SHA384, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
                            "8086072ba1e7cc2358baeca134c825a7" },
        { IMAGE_TLV_SHA512, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
    };
    for (size_t i = 0; i < 3; i++) {
        uint8_t want[64], got[64];
        size_t n = 0;
        unhex(kat[i].hex, want);
        assert_int_equal(image_hash_buf(kat[i].type, "abc", 3, got, sizeof got, &n), IMAGE_OK);
        assert_int_equal(n, image_hash_len(kat[i].type));
        assert_memory_equal(got, want, n);
        struct image_hash h;
        assert_int_equal(image_hash_init(&h, kat[i].type), IMAGE_OK);
        assert_int_equal(image_hash_update(&h, "a", 1), IMAGE_OK);
        assert_int_equal(image_hash_update(&h, "bc", 2), IMAGE_OK);
        memset(got, 0, sizeof got);
        assert_int_equal(image_hash_final(&h, got, sizeof got, &n), IMAGE_OK);
        assert_memory_equal(got, want, n);
    }
    struct image_hash h;
    assert_int_equal(image_hash_init(&h, IMAGE_TLV_RSA2048_PSS), IMAGE_ERR_UNSUPPORTED);
    for (int i = 0; i < 1000; i++) {
        struct image_hash open[4];
        for (int j = 0; j < 4; j++)
            assert_int_equal(image_hash_init(&open[j], IMAGE_TLV_SHA512), IMAGE_OK);
        for (int j = 0; j < 3; j++)
            image_hash_abort(&open[j]);
        uint8_t d[64];
        assert_int_equal(image_hash_final(&open[3], d, sizeof d, NULL), IMAGE_OK);
    }

    static const char *ctr[] = {
        "c6a03934838a5d8567468b69adc5d6766357018681d5a2095162a7f879e93315"
        "69f7a570bdbe80abcba050434cac9eb2",
        "f29102b52e4c99d7a1fa9061d123798fe04c64bd5eac89f2beef812a54df2822"
        "2e9d97fd9109a59a2081831e3401bfb6",
    };
    for (size_t k = 0; k < 2; k++) {
        uint8_t key[32], want[48], buf[48];
        size_t keylen = k ? 32 : 16;
        for (size_t i = 0; i < sizeof key; i++)
            key[i] = (uint8_t)i;
        unhex(ctr[k], want);
        for (size_t i = 0; i < sizeof buf; i++)
            buf[i] = (uint8_t)i;
        assert_int_equal(image_crypto_aes_ctr(key, keylen, 0, buf, sizeof buf), IMAGE_OK);
        assert_memory_equal(buf, want, sizeof want);
        /* slices at odd offsets give the same stream; a second pass decrypts */
        static const size_t cuts[] = { 0, 1, 15, 16, 17, 33, 48 };
        for (size_t c = 0; c + 1 < sizeof cuts / sizeof cuts[0]; c++)
            assert_int_equal(image_crypto_aes_ctr(key, keylen, (uint32_t)cuts[c], buf + cuts[c],
                                                  cuts[c + 1] - cuts[c]),
                             IMAGE_OK);
        for (size_t i = 0; i < sizeof buf; i++)
            assert_int_equal(buf[i], i);
    }
    uint8_t b[16] = { 0 };
    assert_int_equal(image_crypto_aes_ctr(b, 24, 0, b, sizeof b), IMAGE_ERR_UNSUPPORTED);

    /* every port verifies RSA and ECDSA; only OpenSSL's has Ed25519 */
    assert_true(image_crypto_supports(IMAGE_KEY_RSA2048));
    assert_true(image_crypto_supports(IMAGE_KEY_RSA3072));
    assert_true(image_crypto_supports(IMAGE_KEY_EC_P256));
    assert_true(image_crypto_supports(IMAGE_KEY_EC_P384));
    assert_true(image_crypto_supports(IMAGE_KEY_X25519));
    assert_false(image_crypto_supports(IMAGE_KEY_UNKNOWN));
#ifdef CRYPTO_MBEDTLS
    assert_false(image_crypto_supports(IMAGE_KEY_ED25519));
#else
    assert_true(image_crypto_supports(IMAGE_KEY_ED25519));
#endif
}

/* The port reads trusted public keys in the form `imgtool getpub -e raw`
 * gives them (RSA: PKCS#1; EC, Ed25519: SubjectPublicKeyInfo) and RSA in a
 * SubjectPublicKeyInfo too, with nothing after the key: keys made here by
 * our keygen, for each kind, whole, with a byte more and a byte less. */
static void test_crypto_key_kinds(void **state)
{
    (void)state;
    static const enum image_key_kind kinds[] = { IMAGE_KEY_RSA2048, IMAGE_KEY_RSA3072,
                                                 IMAGE_KEY_EC_P256, IMAGE_KEY_EC_P384,
                                                 IMAGE_KEY_ED25519 };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        char path[] = "/tmp/image-unit-key-XXXXXX", err[256];
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        close(fd);
        struct img_key key;
        assert_int_equal(img_key_generate(kinds[i], path, NULL, err, sizeof err), 0);
        assert_int_equal(img_key_load(path, NULL, &key, err, sizeof err), 0);
        unlink(path);
        uint8_t *der, buf[1024];
        size_t len;
        assert_int_equal(img_key_public_der(&key, &der, &len), 0);
        assert_true(len < sizeof buf);
        enum image_key_kind got = IMAGE_KEY_UNKNOWN;
        int want = image_crypto_supports(kinds[i]) ? IMAGE_OK : IMAGE_ERR_UNSUPPORTED;
        assert_int_equal(image_crypto_key_kind(der, len, &got), want);
        if (want == IMAGE_OK)
            assert_int_equal(got, kinds[i]);
        memcpy(buf, der, len);
        buf[len] = 0;
        assert_int_equal(image_crypto_key_kind(buf, len + 1, &got), IMAGE_ERR_UNSUPPORTED);
        assert_int_equal(image_crypto_key_kind(buf, len - 1, &got), IMAGE_ERR_UNSUPPORTED);
        if (kinds[i] == IMAGE_KEY_RSA2048) {
            unsigned char *spki = NULL;
            int n = i2d_PUBKEY(key.pkey, &spki);
            assert_true(n > 0);
            assert_int_equal(image_crypto_key_kind(spki, (size_t)n, &got), IMAGE_OK);
            assert_int_equal(got, IMAGE_KEY_RSA2048);
            OPENSSL_free(spki);
        }
        free(der);
        img_key_free(&key);
    }
    enum image_key_kind got;
    assert_int_equal(image_crypto_key_kind((const uint8_t *)"\x30\x00", 2, &got),
                     IMAGE_ERR_UNSUPPORTED);
    assert_int_equal(image_crypto_key_kind(NULL, 0, &got), IMAGE_ERR_UNSUPPORTED);
}

/* The ECDSA TLV length both ports cut zero padding with. */
static void test_ecdsa_sig_der_len(void **state)
{
    (void)state;
    static const uint8_t plain[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
    static const uint8_t padded[] = { 0x30, 0x03, 0x02, 0x01, 0x05, 0, 0, 0 };
    static const uint8_t junk[] = { 0x30, 0x03, 0x02, 0x01, 0x05, 0, 1 };
    static const uint8_t longform[] = { 0x30, 0x81, 0x01, 0x00, 0x00 };
    static const uint8_t over[] = { 0x30, 0x05, 0x02, 0x01 };
    assert_int_equal(image_ecdsa_sig_der_len(plain, sizeof plain), 5);
    assert_int_equal(image_ecdsa_sig_der_len(padded, sizeof padded), 5);
    assert_int_equal(image_ecdsa_sig_der_len(junk, sizeof junk), 0);
    assert_int_equal(image_ecdsa_sig_der_len(longform, sizeof longform), 4);
    assert_int_equal(image_ecdsa_sig_der_len(over, sizeof over), 0);
    assert_int_equal(image_ecdsa_sig_der_len(plain, 1), 0);
    assert_int_equal(image_sig_tlv_for(IMAGE_KEY_EC_P384), IMAGE_TLV_ECDSA_SIG);
    assert_int_equal(image_sig_tlv_for(IMAGE_KEY_X25519), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal_image_valid),
        cmocka_unit_test(test_sec_cnt_protected_only),
        cmocka_unit_test(test_duplicate_hash_rejected),
        cmocka_unit_test(test_header_bounds),
        cmocka_unit_test(test_mem_read_bounds),
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_error_tables),
        cmocka_unit_test(test_lenient_and_strict_walks_agree),
        cmocka_unit_test(test_crypto_port),
        cmocka_unit_test(test_crypto_key_kinds),
        cmocka_unit_test(test_ecdsa_sig_der_len),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
