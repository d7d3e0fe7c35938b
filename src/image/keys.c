/*
 * Key files into the fixed DER buffers a board's configuration holds (see
 * keys.h): a thin layer over keyfile.c's img_key_load, the one code path
 * that reads key files. Host code, never linked into a device build.
 */
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "image/keyfile.h"
#include "image/keys.h"

/* keys.h's codes: the file unreadable, or no key a board can use (not a
 * PEM key, password-protected: a board has no one to ask). */
static int load(const char *path, const uint8_t *der, const size_t *der_len,
                struct img_key *k)
{
    char err[512];
    if (!path || !der || !der_len)
        return IMAGE_ERR_BAD_ARG;
    int rc = img_key_load(path, NULL, k, err, sizeof err);
    if (rc == IMAGE_ERR_IO)
        return IMAGE_ERR_IO;
    return rc ? IMAGE_ERR_UNSUPPORTED : IMAGE_OK;
}

int image_key_load_public_der(const char *pem_path, uint8_t *der, size_t cap,
                              size_t *der_len)
{
    struct img_key k;
    int rc = load(pem_path, der, der_len, &k);
    if (rc)
        return rc;
    uint8_t *buf;
    size_t n;
    rc = img_key_public_der(&k, &buf, &n);
    img_key_free(&k);
    if (rc)
        return IMAGE_ERR_UNSUPPORTED;
    if (n > cap) {
        rc = IMAGE_ERR_BAD_ARG;
    } else {
        memcpy(der, buf, n);
        *der_len = n;
    }
    free(buf);
    return rc;
}

int image_key_load_private_der(const char *pem_path, uint8_t *der, size_t cap,
                               size_t *der_len)
{
    struct img_key k;
    int rc = load(pem_path, der, der_len, &k);
    if (rc)
        return rc;
    *der_len = 0;
    if (!k.has_private)
        rc = IMAGE_ERR_UNSUPPORTED;
    else if (img_key_private_der(&k, der, cap, der_len))
        rc = IMAGE_ERR_BAD_ARG; /* the only way a loaded private key fails: too big */
    img_key_free(&k);
    return rc;
}
