/*
 * Building MCUboot images, host side (what `imgtool sign` does): header,
 * protected and unprotected TLVs, hash, signature, optional encryption and
 * compression, trailer padding, and the slot-size check. Also the parsers
 * for the option values imgtool accepts (versions, dependencies, custom
 * TLVs, UUIDs), so every front end reads them the same way.
 *
 * Not here: argument parsing (tools/imgtool), file formats of the input and
 * output (the tool reads .bin/.hex and hands over bytes), key files
 * (keyfile.h). Uses the heap.
 */
#ifndef IMAGE_SIGN_H
#define IMAGE_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/image.h"
#include "image/keyfile.h"

#define IMG_SIGN_MAX_DEPS 8
#define IMG_SIGN_MAX_CUSTOM 16

struct img_dependency {
    uint8_t image_id;
    struct image_version ver;
};

struct img_custom_tlv {
    uint16_t tag;
    const uint8_t *data;
    size_t len;
};

enum img_compression { IMG_COMP_NONE, IMG_COMP_LZMA2, IMG_COMP_LZMA2_ARMTHUMB };
enum img_vector_to_sign { IMG_VTS_NONE, IMG_VTS_PAYLOAD, IMG_VTS_DIGEST };

struct img_sign_opts {
    struct image_version version;
    uint32_t header_size;
    bool pad_header;
    uint32_t slot_size;
    bool pad, confirm, test;
    uint32_t align;          /* 1, 2, 4, 8, 16, 32 */
    uint32_t max_align;      /* 0 = max(8, align) */
    uint32_t max_sectors;    /* -M, default 128 */
    bool overwrite_only;
    uint8_t erased_val;      /* 0xff or 0 */
    bool big_endian;
    bool pubkey_full;        /* --public-key-format full */
    unsigned sha;            /* 0 auto, 256, 384, 512 */
    bool pure, pad_sig;
    bool has_sec_cnt, sec_cnt_auto;
    uint32_t sec_cnt;
    struct img_dependency deps[IMG_SIGN_MAX_DEPS];
    size_t ndeps;
    const char *boot_record; /* sw_type, NULL when absent */
    struct img_custom_tlv custom[IMG_SIGN_MAX_CUSTOM];
    size_t ncustom;
    bool has_vid, has_cid;
    uint8_t vid[16], cid[16];
    bool has_load_addr, rom_fixed, non_bootable;
    uint32_t load_addr;
    unsigned enc_keylen;     /* 128 or 256 */
    unsigned hmac_sha;       /* 256 or 512 */
    bool save_enctlv, clear;
    enum img_compression compression;
    enum img_vector_to_sign vector_to_sign;
    const uint8_t *fixed_sig; /* --fix-sig, decoded */
    size_t fixed_sig_len;
    const struct img_key *fixed_sig_pubkey; /* --fix-sig-pubkey */
};

void img_sign_opts_init(struct img_sign_opts *o);

/* The result of signing. buf holds the whole file as bytes (padded to the
 * slot with a trailer when asked); image_len is where the TLVs end. With
 * vector_to_sign, buf is the vector instead and image_len == len. */
struct img_signed {
    uint8_t *buf;
    size_t len;
    size_t image_len;
    bool padded;
    uint8_t sig[512];        /* the signature made, for --sig-out */
    size_t sig_len;
    char notes[256];         /* lines imgtool prints (compression sizes) */
};

/* key, enc_key may be NULL. payload is the input (header space included
 * when !pad_header). On failure returns a negative code and a message in
 * err naming the problem; IMAGE_ERR_BAD_ARG means a usage error (exit 2). */
int img_sign(const struct img_sign_opts *o, const struct img_key *key,
             const struct img_key *enc_key, const uint8_t *payload, size_t payload_len,
             struct img_signed *out, char *err, size_t errcap);
void img_signed_free(struct img_signed *s);

/* Bytes imgtool reserves at the slot end for the trailer (fit check). */
uint32_t img_trailer_size(const struct img_sign_opts *o, size_t enc_tlv_len, bool encrypted);
/* Effective max_align and the offsets of image_ok and magic from the
 * slot end (negative). */
uint32_t img_max_align(const struct img_sign_opts *o);
void img_trailer_offsets(const struct img_sign_opts *o, uint32_t *image_ok_back,
                         uint32_t *magic_back);
/* The 16 magic bytes for a given max_align. */
void img_boot_magic(uint32_t max_align, uint8_t out[16]);

/* Option value parsers; 0 or IMAGE_ERR_BAD_ARG with a message. */
int img_parse_version(const char *s, struct image_version *v);
int img_parse_dependencies(const char *s, struct img_dependency *deps, size_t max,
                           size_t *n, char *err, size_t errcap);
/* "0x..." hex bytes or a plain string; *data is heap. */
int img_parse_custom_value(const char *s, uint8_t **data, size_t *len, char *err,
                           size_t errcap);
int img_check_custom_tag(uint32_t tag, char *err, size_t errcap);
/* A UUID (with or without dashes), else uuid5(namespace, name). */
int img_parse_uuid(const char *s, const uint8_t *ns, uint8_t out[16]);
extern const uint8_t img_uuid_ns_dns[16];
int img_parse_u32(const char *s, uint32_t *v);

#endif
