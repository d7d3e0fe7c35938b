/* The public key(s) the bootloader trusts, built in (generated at build
 * time from the signing key: keys.c in the build folder). */
#ifndef FW_KEYS_H
#define FW_KEYS_H

#include <stddef.h>

#include "image/image.h"

extern const struct image_key fw_keys[];
extern const size_t fw_nkeys;
/* "ECDSA P-256" or "RSA-2048", for the console */
extern const char fw_key_type[];

#endif
