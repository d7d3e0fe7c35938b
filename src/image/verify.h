/*
 * `imgtool verify`, host side: the checks MCUboot's imgtool makes, with
 * its results and messages, over a whole file in memory: image magic, TLV
 * info magic, the hash TLV, and (with a key) a signature TLV of that key's
 * type that verifies. Like imgtool it does not look at KEYHASH/PUBKEY, the
 * trailer, or decrypt; the device-side image_validate() is the strict one.
 * Unlike imgtool, a truncated TLV area is a reported error, not a crash.
 */
#ifndef IMAGE_VERIFY_H
#define IMAGE_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/image.h"
#include "image/keyfile.h"

enum img_verify_result {
    IMG_VERIFY_OK = 0,
    IMG_VERIFY_BAD_MAGIC,
    IMG_VERIFY_BAD_TLV_MAGIC,
    IMG_VERIFY_BAD_HASH,
    IMG_VERIFY_NO_SIGNATURE,
    IMG_VERIFY_KEY_MISMATCH,
    IMG_VERIFY_TRUNCATED,
    IMG_VERIFY_NO_HASH,
};
#define IMG_VERIFY_RESULT_COUNT 8

struct img_verify_report {
    enum img_verify_result result;
    struct image_version version;
    uint8_t digest[64];
    size_t digest_len;
    char detail[160]; /* for IMG_VERIFY_TRUNCATED: where the file ends */
    bool pure;        /* verified over the image itself (SIG_PURE) */
    uint8_t sig[512]; /* with pure: the signature that verified */
    size_t sig_len;
};

/* key may be NULL (hash only). Always fills *r; returns 0 when OK. */
int img_verify_buffer(const uint8_t *b, size_t len, const struct img_key *key,
                      struct img_verify_report *r);
/* imgtool's one-line message for a result, and the result's name
 * ("IMG_VERIFY_BAD_HASH"); one table backs both. */
const char *img_verify_message(enum img_verify_result res);
const char *img_verify_name(enum img_verify_result res);

#endif
