/*
 * Encrypted images, device side (see decrypt.h). Device-grade: no malloc,
 * the ENC TLV is read into a bounded stack buffer (the largest, RSA-2048,
 * is 256 bytes).
 */
#include "image/decrypt.h"

#include <string.h>

#ifndef IMAGE_ENC_TLV_MAX /* integrator limit, docs/limits.md */
#define IMAGE_ENC_TLV_MAX 256
#endif
#define ENC_TLV_MAX IMAGE_ENC_TLV_MAX

bool image_is_encrypted(const struct image_header *hdr)
{
    return (hdr->flags & (IMAGE_F_ENCRYPTED_AES128 | IMAGE_F_ENCRYPTED_AES256)) != 0;
}

static bool is_enc_tlv(uint16_t type)
{
    return type == IMAGE_TLV_ENC_RSA2048 || type == IMAGE_TLV_ENC_EC256 ||
           type == IMAGE_TLV_ENC_X25519 || type == IMAGE_TLV_ENC_X25519_SHA512;
}

struct enc_find {
    uint16_t type;
    uint32_t off;
    uint16_t len;
};

static int find_enc(void *arg, bool prot, uint16_t type, uint32_t off, uint16_t len)
{
    (void)prot;
    struct enc_find *f = arg;
    if (!is_enc_tlv(type) || f->type)
        return 0;
    f->type = type;
    f->off = off;
    f->len = len;
    return 0;
}

int image_body_key_load(image_read_fn rd, void *ctx, const struct image_info *info,
                        const struct image_enc_key *priv, struct image_body_key *out)
{
    struct enc_find f = { 0, 0, 0 };
    uint8_t tlv[ENC_TLV_MAX];
    size_t keylen = 0;
    memset(out, 0, sizeof *out);
    int rc = image_tlv_foreach(rd, ctx, info, find_enc, &f);
    if (rc)
        return rc;
    if (!f.type)
        return IMAGE_ERR_NO_SIGNATURE;
    if (f.len == 0 || f.len > sizeof tlv)
        return IMAGE_ERR_TLV_LENGTH;
    if (rd(ctx, f.off, tlv, f.len) != 0)
        return IMAGE_ERR_IO;
    rc = image_crypto_enc_unwrap(priv, f.type, tlv, f.len, out->key, &keylen);
    memset(tlv, 0, sizeof tlv);
    if (rc)
        return rc;
    out->keylen = (uint8_t)keylen;
    out->body_off = info->hdr.hdr_size;
    out->body_len = info->hdr.img_size;
    return IMAGE_OK;
}

int image_body_crypt(const struct image_body_key *k, uint32_t off, uint8_t *buf, size_t len)
{
    uint64_t lo = off > k->body_off ? off : k->body_off;
    uint64_t hi = (uint64_t)off + len;
    uint64_t end = (uint64_t)k->body_off + k->body_len;
    if (hi > end)
        hi = end;
    if (lo >= hi)
        return IMAGE_OK;
    return image_crypto_aes_ctr(k->key, k->keylen, (uint32_t)(lo - k->body_off),
                                buf + (lo - off), (size_t)(hi - lo));
}

int image_decrypt_read(void *ctx, uint32_t off, void *buf, size_t len)
{
    struct image_decrypt_reader *r = ctx;
    int rc = r->rd(r->ctx, off, buf, len);
    if (rc)
        return rc;
    return image_body_crypt(r->key, off, buf, len) ? -1 : 0;
}
