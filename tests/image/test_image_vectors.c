/*
 * The image library against real imgtool output: every vector image parses
 * to the fields an independent decoder recorded (manifest `parsed`), every
 * valid image validates with its key as a bootloader would, and every
 * negative is rejected (including the ones imgtool's own verify accepts:
 * a flipped KEYHASH and a signature transplanted from another key).
 * With the mbedTLS port (-DCRYPTO=mbedtls) every decision is the same,
 * except that images whose key the port cannot verify (Ed25519) are
 * refused as IMAGE_ERR_UNSUPPORTED.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "image/image.h"
#include "image/image_crypto.h"
#include "image/keys.h"
#include "testfile.h"
#include "vectors.h"

static cJSON *manifest;

static const cJSON *section(const char *name)
{
    return vec_section(manifest, name);
}

static void test_keys_match_getpub_raw(void **state)
{
    (void)state;
    const cJSON *k;
    int n = 0;
    cJSON_ArrayForEach(k, section("keys")) {
        const char *id = vec_str(k, "id");
        uint8_t der[1024], ref_pub[1024];
        size_t der_len = 0, ref_len = 0;
        assert_int_equal(vec_key_der(id, der, sizeof der, &der_len), 0);
        char rel[256];
        snprintf(rel, sizeof rel, "keys/%s.pub.der", id);
        uint8_t *ref = vec_load(rel, &ref_len);
        if (!ref)
            continue; /* X25519 enc keys may have no .pub.der */
        assert_int_equal(der_len, ref_len);
        assert_memory_equal(der, ref, ref_len);
        free(ref);
        /* the public PEM yields the same DER */
        char path[8192];
        snprintf(path, sizeof path, "%s/keys/%s.pub.pem", vec_dir(), id);
        assert_int_equal(image_key_load_public_der(path, ref_pub, sizeof ref_pub, &ref_len), 0);
        assert_int_equal(ref_len, der_len);
        assert_memory_equal(ref_pub, der, der_len);
        n++;
    }
    assert_true(n >= 8);
}

struct tlv_cursor {
    const cJSON *prot, *unprot;
    int iprot, iunprot;
    const uint8_t *img;
};

static int check_tlv(void *arg, bool prot, uint16_t type, uint32_t off, uint16_t len)
{
    struct tlv_cursor *c = arg;
    const cJSON *list = prot ? c->prot : c->unprot;
    int *idx = prot ? &c->iprot : &c->iunprot;
    const cJSON *want = cJSON_GetArrayItem(list, (*idx)++);
    assert_non_null(want);
    assert_int_equal(type, vec_num(want, "type"));
    assert_int_equal(len, vec_num(want, "len"));
    static uint8_t data[65536];
    const char *hex = vec_str(want, "data");
    if (hex) {
        assert_int_equal(vec_unhex(hex, data, sizeof data), len);
        assert_memory_equal(c->img + off, data, len);
    } else { /* randomized signatures are recorded by their SHA-256 */
        uint8_t want_sha[32], got[32];
        assert_int_equal(vec_unhex(vec_str(want, "data_sha256"), want_sha, 32), 32);
        assert_int_equal(image_hash_buf(IMAGE_TLV_SHA256, c->img + off, len, got,
                                        sizeof got, NULL), 0);
        assert_memory_equal(got, want_sha, 32);
    }
    return 0;
}

static void check_parsed(const char *id, const uint8_t *img, size_t len, const cJSON *parsed)
{
    struct image_mem mem = { img, len };
    struct image_info info;
    int rc = image_read_info(image_mem_read, &mem, (uint32_t)len, &info);
    if (rc)
        fail_msg("%s: image_read_info: %s", id, image_strerror(rc));
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(parsed, "header");
    assert_int_equal(info.hdr.magic, vec_num(h, "magic"));
    assert_int_equal(info.hdr.load_addr, vec_num(h, "load_addr"));
    assert_int_equal(info.hdr.hdr_size, vec_num(h, "hdr_size"));
    assert_int_equal(info.hdr.protect_tlv_size, vec_num(h, "protected_tlv_size"));
    assert_int_equal(info.hdr.img_size, vec_num(h, "img_size"));
    assert_int_equal(info.hdr.flags, vec_num(h, "flags"));
    assert_int_equal(info.prot_tlv_off, vec_num(parsed, "tlv_offset"));
    const cJSON *ti = cJSON_GetObjectItemCaseSensitive(parsed, "tlv_info");
    assert_int_equal(info.tlv_off, vec_num(ti, "offset"));
    assert_int_equal(info.total_size, vec_num(parsed, "image_end"));
    uint8_t hash[64];
    size_t hl = vec_unhex(vec_str(parsed, "image_hash"), hash, sizeof hash);
    assert_int_equal(info.hash_len, hl);
    assert_memory_equal(info.hash, hash, hl);
    char want_ver[64], got_ver[64];
    snprintf(want_ver, sizeof want_ver, "%s", vec_str(h, "version"));
    snprintf(got_ver, sizeof got_ver, "%u.%u.%u+%u", info.hdr.ver.major,
             info.hdr.ver.minor, info.hdr.ver.revision, (unsigned)info.hdr.ver.build);
    assert_string_equal(got_ver, want_ver);
    struct tlv_cursor c = { cJSON_GetObjectItemCaseSensitive(parsed, "protected_tlvs"),
                            cJSON_GetObjectItemCaseSensitive(parsed, "tlvs"), 0, 0, img };
    assert_int_equal(image_tlv_foreach(image_mem_read, &mem, &info, check_tlv, &c), 0);
    assert_int_equal(c.iprot, cJSON_GetArraySize(c.prot));
    assert_int_equal(c.iunprot, cJSON_GetArraySize(c.unprot));
}

static void test_parse_every_image(void **state)
{
    (void)state;
    const cJSON *im;
    int n = 0;
    cJSON_ArrayForEach(im, section("images")) {
        const cJSON *parsed = cJSON_GetObjectItemCaseSensitive(im, "parsed");
        if (!cJSON_IsObject(parsed))
            continue; /* --vector-to-sign output: a digest or a region */
        size_t len;
        uint8_t *img = vec_load(vec_str(im, "file"), &len);
        assert_non_null(img);
        check_parsed(vec_str(im, "id"), img, len, parsed);
        free(img);
        n++;
    }
    assert_true(n >= 88);
}

static int validate_with(const uint8_t *img, size_t len, const char **ids, size_t nids,
                         int *matched)
{
    uint8_t der[4][1024];
    struct image_key keys[4] = { 0 };
    assert_true(nids <= 4);
    for (size_t i = 0; i < nids; i++) {
        size_t dl;
        assert_int_equal(vec_key_der(ids[i], der[i], sizeof der[i], &dl), 0);
        keys[i] = (struct image_key){ der[i], dl };
    }
    struct image_mem mem = { img, len };
    struct image_info info;
    return image_validate(image_mem_read, &mem, (uint32_t)len, keys, nids, &info, matched);
}

static bool is_encrypted(const cJSON *im)
{
    const char *e = vec_str(im, "mcuboot_expect");
    return e && strstr(e, "decryption");
}

/* The signing key of an image: its `key`, or for --fix-sig images the
 * key whose public half was given with --fix-sig-pubkey. */
static const char *signing_key(const cJSON *im)
{
    const char *key = vec_str(im, "key");
    if (key)
        return key;
    const cJSON *a;
    bool next = false;
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(im, "args")) {
        if (next) {
            static char id[64];
            const char *base = strrchr(a->valuestring, '/');
            snprintf(id, sizeof id, "%s", base ? base + 1 : a->valuestring);
            char *dot = strstr(id, ".pub.pem");
            if (dot)
                *dot = 0;
            return id;
        }
        next = strcmp(a->valuestring, "--fix-sig-pubkey") == 0;
    }
    return NULL;
}

static void test_validate_every_image(void **state)
{
    (void)state;
    const cJSON *im;
    int nsigned = 0, nunsupported = 0;
    cJSON_ArrayForEach(im, section("images")) {
        const char *id = vec_str(im, "id");
        const char *expect = vec_str(im, "mcuboot_expect");
        const char *key = signing_key(im);
        if (!expect)
            continue; /* --vector-to-sign output, not an image */
        size_t len;
        uint8_t *img = vec_load(vec_str(im, "file"), &len);
        int matched = 7;
        int rc = validate_with(img, len, NULL, 0, &matched);
        /* an encrypted body hashes differently until it is decrypted */
        int want = is_encrypted(im) ? IMAGE_ERR_HASH : IMAGE_OK;
        if (rc != want)
            fail_msg("%s: hash-only validation gave %s", id, image_errname(rc));
        assert_int_equal(matched, -1);
        if (key && !is_encrypted(im) && !test_port_verifies(key)) {
            const char *one[] = { key };
            rc = validate_with(img, len, one, 1, &matched);
            if (rc != IMAGE_ERR_UNSUPPORTED)
                fail_msg("%s: a %s image on a port without it gave %s", id, key,
                         image_errname(rc));
            assert_int_equal(matched, -1);
            nunsupported++;
        } else if (key && !is_encrypted(im)) {
            const char *one[] = { key };
            rc = validate_with(img, len, one, 1, &matched);
            if (rc != IMAGE_OK)
                fail_msg("%s: validation with %s gave %s", id, key, image_errname(rc));
            assert_int_equal(matched, 0);
            /* with a second, unrelated key first, the right one is picked */
            const char *two[] = { strcmp(key, "rsa2048-b") ? "rsa2048-b" : "ed25519", key };
            assert_int_equal(validate_with(img, len, two, 2, &matched), IMAGE_OK);
            assert_int_equal(matched, 1);
            nsigned++;
        } else if (!key) {
            /* an unsigned image is refused by a board that requires keys */
            const char *one[] = { "ed25519" };
            assert_int_equal(validate_with(img, len, one, 1, &matched),
                             is_encrypted(im) ? IMAGE_ERR_HASH : IMAGE_ERR_KEY_MISMATCH);
        }
        free(img);
    }
    assert_true(nsigned + nunsupported >= 40);
    /* the RSA and ECDSA images: verified by every port */
    assert_true(nsigned >= 15);
    printf("  %d signed images verified, %d refused as unsupported by this port\n", nsigned,
           nunsupported);
}

static void test_negatives_rejected(void **state)
{
    (void)state;
    const cJSON *neg;
    int n = 0;
    cJSON_ArrayForEach(neg, section("negatives")) {
        const char *id = vec_str(neg, "id");
        bool reject = strcmp(vec_str(neg, "bootloader_expect"), "reject") == 0;
        size_t len;
        uint8_t *img = vec_load(vec_str(neg, "file"), &len);
        assert_non_null(img);
        const cJSON *v;
        cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(neg, "verify")) {
            if (strncmp(v->string, "with_", 5) != 0)
                continue;
            const char *ids[] = { v->string + 5 };
            int matched;
            int rc = validate_with(img, len, ids, 1, &matched);
            if (reject && rc == IMAGE_OK)
                fail_msg("%s accepted with key %s", id, ids[0]);
            int want = test_port_verifies(ids[0]) ? IMAGE_OK : IMAGE_ERR_UNSUPPORTED;
            if (!reject && rc != want)
                fail_msg("%s with key %s: %s", id, ids[0], image_errname(rc));
            n++;
        }
        free(img);
    }
    assert_true(n >= 27);
}

static uint8_t *load_neg(const char *id, size_t *len)
{
    char rel[256];
    snprintf(rel, sizeof rel, "negative/%s.bin", id);
    uint8_t *img = vec_load(rel, len);
    assert_non_null(img);
    return img;
}

/* The two attacks imgtool verify misses, with the exact reason. */
static void test_keyhash_and_transplant(void **state)
{
    (void)state;
    size_t len;
    int matched;
    uint8_t *img = load_neg("neg_keyhash_flip", &len);
    const char *a[] = { "ed25519" };
    assert_int_equal(validate_with(img, len, a, 1, &matched), IMAGE_ERR_KEY_MISMATCH);
    free(img);

    /* a port without Ed25519 refuses the key before looking at the signature */
    int bad_sig = test_port_verifies("ed25519") ? IMAGE_ERR_SIGNATURE : IMAGE_ERR_UNSUPPORTED;
    img = load_neg("neg_sig_from_other_key", &len);
    assert_int_equal(validate_with(img, len, a, 1, &matched), bad_sig);
    const char *b[] = { "ed25519-b" };
    assert_int_equal(validate_with(img, len, b, 1, &matched), IMAGE_ERR_KEY_MISMATCH);
    /* trusting both keys does not help: KEYHASH names ed25519, whose
     * signature is not there */
    const char *ab[] = { "ed25519-b", "ed25519" };
    assert_int_equal(validate_with(img, len, ab, 2, &matched), bad_sig);
    assert_int_equal(matched, -1);
    free(img);

    img = load_neg("neg_bad_image_magic", &len);
    assert_int_equal(validate_with(img, len, a, 1, &matched), IMAGE_ERR_MAGIC);
    free(img);
    img = load_neg("neg_bad_tlv_info_magic", &len);
    assert_int_equal(validate_with(img, len, a, 1, &matched), IMAGE_ERR_TLV_MAGIC);
    free(img);
    img = load_neg("neg_truncated_mid_sig", &len);
    assert_int_equal(validate_with(img, len, a, 1, &matched), IMAGE_ERR_TLV_TRUNCATED);
    free(img);
    img = load_neg("neg_hash_tlv_flip", &len);
    assert_int_equal(validate_with(img, len, a, 1, &matched), IMAGE_ERR_HASH);
    free(img);
}

int main(void)
{
    manifest = vec_manifest();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_match_getpub_raw),
        cmocka_unit_test(test_parse_every_image),
        cmocka_unit_test(test_validate_every_image),
        cmocka_unit_test(test_negatives_rejected),
        cmocka_unit_test(test_keyhash_and_transplant),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    cJSON_Delete(manifest);
    return rc;
}
