/*
 * Key files on the host: PEM in, public DER out (see keys.h). Uses OpenSSL
 * directly; this is host code, never linked into a device build.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "image/image.h"
#include "image/keys.h"

/* A private key first (the usual case: the signing key), then a public
 * one. A password callback that returns 0 makes encrypted keys fail
 * cleanly instead of prompting. */
static int no_password(char *buf, int size, int rwflag, void *u)
{
    (void)buf, (void)size, (void)rwflag, (void)u;
    return 0;
}

static EVP_PKEY *read_pem(const char *path, int *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *err = IMAGE_ERR_IO;
        return NULL;
    }
    EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, no_password, NULL);
    if (!k) {
        rewind(f);
        k = PEM_read_PUBKEY(f, NULL, no_password, NULL);
    }
    fclose(f);
    *err = k ? IMAGE_OK : IMAGE_ERR_UNSUPPORTED;
    return k;
}

/* The raw public DER form: PKCS#1 for RSA, SubjectPublicKeyInfo else. */
static int public_der(EVP_PKEY *k, uint8_t **out)
{
    if (EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA)
        return i2d_PublicKey(k, out);
    return i2d_PUBKEY(k, out);
}

int image_key_load_public_der(const char *pem_path, uint8_t *der, size_t cap,
                              size_t *der_len)
{
    if (!pem_path || !der || !der_len)
        return IMAGE_ERR_BAD_ARG;
    int rc;
    EVP_PKEY *k = read_pem(pem_path, &rc);
    if (!k)
        return rc;
    uint8_t *buf = NULL;
    int n = public_der(k, &buf);
    EVP_PKEY_free(k);
    if (n <= 0)
        return IMAGE_ERR_UNSUPPORTED;
    if ((size_t)n > cap) {
        OPENSSL_free(buf);
        return IMAGE_ERR_BAD_ARG;
    }
    memcpy(der, buf, (size_t)n);
    *der_len = (size_t)n;
    OPENSSL_free(buf);
    return IMAGE_OK;
}

int image_key_load_private_der(const char *pem_path, uint8_t *der, size_t cap,
                               size_t *der_len)
{
    if (!pem_path || !der || !der_len)
        return IMAGE_ERR_BAD_ARG;
    FILE *f = fopen(pem_path, "rb");
    if (!f)
        return IMAGE_ERR_IO;
    EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, no_password, NULL);
    fclose(f);
    if (!k)
        return IMAGE_ERR_UNSUPPORTED;
    uint8_t *buf = NULL;
    int n = i2d_PrivateKey(k, &buf);
    EVP_PKEY_free(k);
    if (n <= 0)
        return IMAGE_ERR_UNSUPPORTED;
    int rc = IMAGE_OK;
    if ((size_t)n > cap)
        rc = IMAGE_ERR_BAD_ARG;
    else
        memcpy(der, buf, (size_t)n);
    *der_len = rc == IMAGE_OK ? (size_t)n : 0;
    OPENSSL_clear_free(buf, (size_t)n);
    return rc;
}
