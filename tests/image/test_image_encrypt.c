/*
 * Image encryption against imgtool's: for every recorded encrypted image,
 * our unwrap of its ENC TLV with the encryption private key gives the AES
 * key imgtool used (so our ECIES-X25519, ECIES-P256 with HMAC-SHA256/512
 * and RSA-OAEP agree with it), and decrypting the body makes the image
 * validate with its signing key. Then our own encrypted images go through
 * the same round trip for every key type and option.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "image/encrypt.h"
#include "image/image.h"
#include "image/keyfile.h"
#include "image/sign.h"
#include "testfile.h"
#include "vectors.h"

static cJSON *manifest;

static cJSON *the_manifest(void)
{
    if (!manifest)
        manifest = vec_manifest();
    return manifest;
}

struct enc_find {
    uint16_t type;
    uint32_t off;
    uint16_t len;
};

static int find_enc(void *arg, bool prot, uint16_t type, uint32_t off, uint16_t len)
{
    struct enc_find *f = arg;
    (void)prot;
    if (type >= IMAGE_TLV_ENC_RSA2048 && type <= IMAGE_TLV_ENC_X25519_SHA512) {
        f->type = type;
        f->off = off;
        f->len = len;
    }
    return 0;
}

static void load_key(const char *rel, struct img_key *k)
{
    char path[8192], err[256];
    snprintf(path, sizeof path, "%s/%s", vec_dir(), rel);
    assert_int_equal(img_key_load(path, NULL, k, err, sizeof err), 0);
}

/* Unwraps, decrypts in place, validates with the signing key's DER. */
static void decrypt_and_validate(uint8_t *img, size_t len, const struct img_key *enc_priv,
                                 const char *sign_key_id, uint8_t *aes, size_t *aes_len)
{
    struct image_mem m = { img, len };
    struct image_info info;
    struct enc_find f = { 0 };
    assert_int_equal(image_read_info(image_mem_read, &m, (uint32_t)len, &info), 0);
    assert_int_equal(image_tlv_foreach(image_mem_read, &m, &info, find_enc, &f), 0);
    assert_int_not_equal(f.type, 0);
    assert_int_equal(img_enc_unwrap(enc_priv, f.type, img + f.off, f.len, aes, 32, aes_len), 0);
    assert_int_equal(*aes_len * 8 == 256, !!(info.hdr.flags & IMAGE_F_ENCRYPTED_AES256));
    assert_int_equal(img_aes_ctr(aes, *aes_len, img + info.hdr.hdr_size, info.hdr.img_size), 0);
    uint8_t der[1024];
    size_t der_len = 0;
    int matched = -1;
    if (!sign_key_id) {
        assert_int_equal(image_validate(image_mem_read, &m, (uint32_t)len, NULL, 0, &info, NULL), 0);
        return;
    }
    assert_int_equal(vec_key_der(sign_key_id, der, sizeof der, &der_len), 0);
    struct image_key key = { der, der_len };
    /* a port without the signing key's algorithm (mbedTLS: Ed25519) says so;
     * the decrypted image must still hash right */
    if (!test_port_verifies(sign_key_id)) {
        assert_int_equal(image_validate(image_mem_read, &m, (uint32_t)len, &key, 1, &info,
                                        &matched),
                         IMAGE_ERR_UNSUPPORTED);
        assert_int_equal(image_validate(image_mem_read, &m, (uint32_t)len, NULL, 0, &info, NULL), 0);
        return;
    }
    assert_int_equal(image_validate(image_mem_read, &m, (uint32_t)len, &key, 1, &info, &matched), 0);
    assert_int_equal(matched, 0);
}

static void test_recorded_keys_unwrap(void **state)
{
    (void)state;
    const cJSON *e;
    int n = 0;
    cJSON_ArrayForEach(e, vec_section(the_manifest(), "images")) {
        const char *enc = vec_str(e, "enc_key");
        const cJSON *dc = cJSON_GetObjectItemCaseSensitive(e, "decrypt_check");
        if (!enc || !dc)
            continue;
        size_t len;
        uint8_t *img = vec_load(vec_str(e, "file"), &len);
        assert_non_null(img);
        struct img_key k;
        load_key(enc, &k);
        uint8_t aes[32], want[32];
        size_t aes_len = 0;
        bool clear = strstr(vec_str(e, "id"), "clear") != NULL;
        if (clear) {
            /* --clear: the body is plaintext already; only check the key */
            struct image_mem m = { img, len };
            struct image_info info;
            struct enc_find f = { 0 };
            assert_int_equal(image_read_info(image_mem_read, &m, (uint32_t)len, &info), 0);
            image_tlv_foreach(image_mem_read, &m, &info, find_enc, &f);
            assert_int_equal(img_enc_unwrap(&k, f.type, img + f.off, f.len, aes, 32, &aes_len), 0);
        } else {
            decrypt_and_validate(img, len, &k, vec_str(e, "key"), aes, &aes_len);
        }
        size_t wl = vec_unhex(vec_str(dc, "aes_key_hex_this_run"), want, sizeof want);
        assert_int_equal(aes_len, wl);
        assert_memory_equal(aes, want, wl);
        img_key_free(&k);
        free(img);
        n++;
    }
    assert_true(n >= 8);
}

struct own_case {
    const char *sign_key, *sign_id, *enc_pub, *enc_priv;
    unsigned keylen, hmac;
    const char *payload;
};

static const struct own_case own_cases[] = {
    { "keys/ed25519.pem", "ed25519", "keys/enc-x25519.pub.pem", "keys/enc-x25519.pem", 128, 256, "payloads/p1k.bin" },
    { "keys/ed25519.pem", "ed25519", "keys/enc-x25519.pub.pem", "keys/enc-x25519.pem", 256, 256, "payloads/p1000.bin" },
    { "keys/ed25519.pem", "ed25519", "keys/enc-x25519.pub.pem", "keys/enc-x25519.pem", 128, 512, "payloads/p1k.bin" },
    { "keys/ecp256.pem", "ecp256", "keys/enc-ec256.pub.pem", "keys/enc-ec256.pem", 128, 256, "payloads/p1k.bin" },
    { "keys/ecp256.pem", "ecp256", "keys/enc-ec256.pub.pem", "keys/enc-ec256.pem", 256, 256, "payloads/p64k.bin" },
    { "keys/rsa2048.pem", "rsa2048", "keys/enc-rsa2048.pub.pem", "keys/enc-rsa2048.pem", 128, 256, "payloads/p1k.bin" },
    { NULL, NULL, "keys/enc-x25519.pub.pem", "keys/enc-x25519.pem", 128, 256, "payloads/p1000.bin" },
};

static void test_own_images_round_trip(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof own_cases / sizeof own_cases[0]; i++) {
        const struct own_case *c = &own_cases[i];
        struct img_key sk, ek, dk;
        struct img_sign_opts o;
        struct img_signed out;
        char err[512];
        size_t plen;
        uint8_t *payload = vec_load(c->payload, &plen);
        assert_non_null(payload);
        if (c->sign_key)
            load_key(c->sign_key, &sk);
        load_key(c->enc_pub, &ek);
        load_key(c->enc_priv, &dk);
        img_sign_opts_init(&o);
        o.header_size = 0x200;
        o.pad_header = true;
        o.slot_size = 0x76000;
        o.enc_keylen = c->keylen;
        o.hmac_sha = c->hmac;
        o.version.major = 1;
        int rc = img_sign(&o, c->sign_key ? &sk : NULL, &ek, payload, plen, &out, err, sizeof err);
        if (rc)
            fprintf(stderr, "case %zu: %s\n", i, err);
        assert_int_equal(rc, 0);
        /* the body on file is not the plaintext */
        assert_memory_not_equal(out.buf + 0x200, payload, 64);
        uint8_t aes[32];
        size_t aes_len;
        decrypt_and_validate(out.buf, out.len, &dk, c->sign_id, aes, &aes_len);
        assert_int_equal(aes_len, c->keylen / 8);
        assert_memory_equal(out.buf + 0x200, payload, plen); /* decrypted */
        img_signed_free(&out);
        if (c->sign_key)
            img_key_free(&sk);
        img_key_free(&ek);
        img_key_free(&dk);
        free(payload);
    }
}

static void test_enc_pairing_refused(void **state)
{
    (void)state;
    struct img_key sk, ek;
    struct img_sign_opts o;
    struct img_signed out;
    char err[512];
    uint8_t payload[64] = { 0 };
    load_key("keys/ecp256.pem", &sk);
    load_key("keys/enc-x25519.pub.pem", &ek);
    img_sign_opts_init(&o);
    o.header_size = 0x200;
    o.pad_header = true;
    o.slot_size = 0x76000;
    assert_int_equal(img_sign(&o, &sk, &ek, payload, sizeof payload, &out, err, sizeof err),
                     IMAGE_ERR_BAD_ARG);
    assert_non_null(strstr(err, "same type of key"));
    img_key_free(&sk);
    img_key_free(&ek);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recorded_keys_unwrap),
        cmocka_unit_test(test_own_images_round_trip),
        cmocka_unit_test(test_enc_pairing_refused),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    cJSON_Delete(manifest);
    return rc;
}
