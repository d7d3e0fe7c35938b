#include "testfile.h"

#include <stdio.h>
#include <string.h>

#include "image/file.h"

/* The project's one whole-file reader; the tests only drop its message. */
uint8_t *test_read_file(const char *path, size_t *len)
{
    uint8_t *data;
    char err[512];
    if (img_read_file(path, &data, len, err, sizeof err) != 0)
        return NULL;
    return data;
}

enum image_key_kind test_key_kind(const char *id)
{
    static const struct {
        const char *prefix;
        enum image_key_kind kind;
    } kinds[] = {
        { "rsa2048", IMAGE_KEY_RSA2048 }, { "rsa3072", IMAGE_KEY_RSA3072 },
        { "ecp256", IMAGE_KEY_EC_P256 },  { "ecp384", IMAGE_KEY_EC_P384 },
        { "ed25519", IMAGE_KEY_ED25519 }, { "x25519", IMAGE_KEY_X25519 },
    };
    for (size_t i = 0; id && i < sizeof kinds / sizeof kinds[0]; i++)
        if (strncmp(id, kinds[i].prefix, strlen(kinds[i].prefix)) == 0)
            return kinds[i].kind;
    return IMAGE_KEY_UNKNOWN;
}

bool test_port_verifies(const char *id)
{
    return image_crypto_supports(test_key_kind(id));
}
