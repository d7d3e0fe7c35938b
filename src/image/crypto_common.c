/*
 * What every crypto port of image_crypto.h shares (device side): the
 * digest length of a hash TLV, which signature TLV goes with which key
 * kind, the length of an ECDSA signature's DER encoding inside its
 * (possibly zero-padded) TLV (facts of the image format, not crypto), and
 * the one-shot hash on top of the port's streaming one.
 */
#include "image/image_crypto.h"

size_t image_hash_len(uint16_t hash_tlv_type)
{
    switch (hash_tlv_type) {
    case IMAGE_TLV_SHA256: return 32;
    case IMAGE_TLV_SHA384: return 48;
    case IMAGE_TLV_SHA512: return 64;
    default: return 0;
    }
}

uint16_t image_sig_tlv_for(enum image_key_kind kind)
{
    switch (kind) {
    case IMAGE_KEY_RSA2048: return IMAGE_TLV_RSA2048_PSS;
    case IMAGE_KEY_RSA3072: return IMAGE_TLV_RSA3072_PSS;
    case IMAGE_KEY_EC_P256:
    case IMAGE_KEY_EC_P384: return IMAGE_TLV_ECDSA_SIG;
    case IMAGE_KEY_ED25519: return IMAGE_TLV_ED25519;
    default: return 0;
    }
}

bool image_tlv_is_signature(uint16_t tlv_type)
{
    return tlv_type == IMAGE_TLV_RSA2048_PSS || tlv_type == IMAGE_TLV_RSA3072_PSS ||
           tlv_type == IMAGE_TLV_ECDSA_SIG || tlv_type == IMAGE_TLV_ED25519;
}

size_t image_ecdsa_sig_der_len(const uint8_t *sig, size_t sig_len)
{
    if (sig_len < 2 || sig[0] != 0x30)
        return 0;
    size_t len, hdr;
    if (sig[1] < 0x80) {
        len = sig[1];
        hdr = 2;
    } else if (sig[1] == 0x81 && sig_len >= 3) {
        len = sig[2];
        hdr = 3;
    } else {
        return 0;
    }
    if (hdr + len > sig_len)
        return 0;
    for (size_t i = hdr + len; i < sig_len; i++)
        if (sig[i] != 0)
            return 0;
    return hdr + len;
}

int image_hash_buf(uint16_t hash_tlv_type, const void *data, size_t len,
                   uint8_t *out, size_t cap, size_t *out_len)
{
    struct image_hash h;
    int rc = image_hash_init(&h, hash_tlv_type);
    if (rc)
        return rc;
    rc = image_hash_update(&h, data, len);
    if (rc) {
        image_hash_abort(&h);
        return rc;
    }
    return image_hash_final(&h, out, cap, out_len);
}
