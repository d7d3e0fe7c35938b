/*
 * Key files on the host (keyfile.h): generated keys of every type load
 * back with their kind; password-protected keys need the right password
 * and say so otherwise; garbage is refused with a message; public DER
 * matches the device-side loader (keys.h) byte for byte. Needs no vectors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "image/image.h"
#include "image/keyfile.h"
#include "image/keys.h"

static char dir[] = "/tmp/image-keys-XXXXXX";

static void path_of(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

static void test_generate_and_load_every_kind(void **state)
{
    (void)state;
    static const char *const names[] = {
        "rsa-2048", "rsa-3072", "ecdsa-p256", "ecdsa-p384", "ed25519", "x25519",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        enum image_key_kind kind;
        char p[256], err[256];
        struct img_key k;
        assert_int_equal(img_key_kind_parse(names[i], &kind), 0);
        path_of(p, sizeof p, names[i]);
        assert_int_equal(img_key_generate(kind, p, NULL, err, sizeof err), 0);
        assert_int_equal(img_key_load(p, NULL, &k, err, sizeof err), 0);
        assert_int_equal(k.kind, kind);
        assert_true(k.has_private);
        /* the public DER is the one the simulator's key loader sees */
        uint8_t *der, dev[1024];
        size_t len, dev_len;
        assert_int_equal(img_key_public_der(&k, &der, &len), 0);
        assert_int_equal(image_key_load_public_der(p, dev, sizeof dev, &dev_len), 0);
        assert_int_equal(len, dev_len);
        assert_memory_equal(der, dev, len);
        free(der);
        img_key_free(&k);
    }
    enum image_key_kind kind;
    assert_int_equal(img_key_kind_parse("dsa-1024", &kind), IMAGE_ERR_BAD_ARG);
}

static void test_password_protected(void **state)
{
    (void)state;
    char p[256], err[256];
    struct img_key k;
    path_of(p, sizeof p, "locked.pem");
    assert_int_equal(img_key_generate(IMAGE_KEY_ED25519, p, "s3cret", err, sizeof err), 0);
    assert_int_not_equal(img_key_load(p, NULL, &k, err, sizeof err), 0);
    assert_non_null(strstr(err, "password-protected"));
    assert_int_not_equal(img_key_load(p, "wrong", &k, err, sizeof err), 0);
    assert_non_null(strstr(err, "wrong password"));
    assert_int_equal(img_key_load(p, "s3cret", &k, err, sizeof err), 0);
    assert_int_equal(k.kind, IMAGE_KEY_ED25519);
    img_key_free(&k);
}

static void test_bad_files(void **state)
{
    (void)state;
    char p[256], err[256];
    struct img_key k;
    path_of(p, sizeof p, "missing.pem");
    assert_int_equal(img_key_load(p, NULL, &k, err, sizeof err), IMAGE_ERR_IO);
    assert_non_null(strstr(err, "cannot read "));
    assert_non_null(strstr(err, "missing.pem: No such file or directory"));
    /* a read error is an I/O error for every loader, not "no key" */
    assert_int_equal(img_key_load(dir, NULL, &k, err, sizeof err), IMAGE_ERR_IO);
    assert_non_null(strstr(err, "Is a directory"));
    uint8_t der[2048];
    size_t len;
    assert_int_equal(image_key_load_public_der(dir, der, sizeof der, &len), IMAGE_ERR_IO);
    assert_int_equal(image_key_load_private_der(dir, der, sizeof der, &len), IMAGE_ERR_IO);
    path_of(p, sizeof p, "garbage.pem");
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs("-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----\n", f);
    fclose(f);
    assert_int_equal(img_key_load(p, NULL, &k, err, sizeof err), IMAGE_ERR_BAD_ARG);
    assert_non_null(strstr(err, "not a PEM key"));
    assert_int_equal(image_key_load_public_der(p, der, sizeof der, &len), IMAGE_ERR_UNSUPPORTED);
}

/* The fixed-buffer loaders of a board's configuration (keys.h) go through
 * img_key_load too: the same keys load, the same keys are refused. */
static void test_board_key_buffers(void **state)
{
    (void)state;
    char p[256], pub[256], locked[256], err[256];
    struct img_key k;
    uint8_t der[2048], want[4096];
    size_t len, want_len;
    path_of(p, sizeof p, "board-rsa.pem");
    assert_int_equal(img_key_generate(IMAGE_KEY_RSA2048, p, NULL, err, sizeof err), 0);
    assert_int_equal(img_key_load(p, NULL, &k, err, sizeof err), 0);
    assert_int_equal(img_key_private_der(&k, want, sizeof want, &want_len), 0);
    assert_int_equal(image_key_load_private_der(p, der, sizeof der, &len), 0);
    assert_int_equal(len, want_len);
    assert_memory_equal(der, want, len);
    assert_int_equal(der[0], 0x30); /* PKCS#1 RSAPrivateKey: version 0 first */
    assert_int_equal(image_key_load_private_der(p, der, 64, &len), IMAGE_ERR_BAD_ARG);
    assert_int_equal(image_key_load_public_der(p, der, 64, &len), IMAGE_ERR_BAD_ARG);

    /* a public key has no private DER */
    path_of(pub, sizeof pub, "board-rsa.pub.pem");
    FILE *f = fopen(pub, "w");
    assert_non_null(f);
    assert_int_equal(img_key_write_public(&k, IMG_EXPORT_PEM, f), 0);
    fclose(f);
    img_key_free(&k);
    assert_int_equal(image_key_load_public_der(pub, der, sizeof der, &len), 0);
    assert_int_equal(image_key_load_private_der(pub, der, sizeof der, &len),
                     IMAGE_ERR_UNSUPPORTED);

    /* a board has nobody to ask for a password */
    path_of(locked, sizeof locked, "board-locked.pem");
    assert_int_equal(img_key_generate(IMAGE_KEY_X25519, locked, "pw", err, sizeof err), 0);
    assert_int_equal(image_key_load_private_der(locked, der, sizeof der, &len),
                     IMAGE_ERR_UNSUPPORTED);
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generate_and_load_every_kind),
        cmocka_unit_test(test_password_protected),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_board_key_buffers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
