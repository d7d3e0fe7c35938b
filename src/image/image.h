/*
 * The MCUboot image format, device side: parse the header and TLV areas of
 * an image held anywhere (flash, file, RAM) through a read callback, and
 * validate it: hash over header + body + protected TLVs, then a signature
 * by one of the trusted public keys. No malloc. Signature checks go
 * through the crypto port (image_crypto.h), which is OpenSSL on the host.
 * Host-only parts (heap, files): sign.h (image building), encrypt.h,
 * compress.h (LZMA2), keys.h / keyfile.h (key files), verify.h and
 * dumpinfo.h (imgtool's verify and dumpinfo, on this file's header decoder
 * and lenient TLV walker), ihex.h (Intel HEX), file.h (whole files).
 * Device side too: decrypt.h (encrypted images: unwrap the ENC TLV with a
 * board's private key, read the body decrypted).
 */
#ifndef IMAGE_IMAGE_H
#define IMAGE_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IMAGE_MAGIC 0x96f3b83du
#define IMAGE_HEADER_SIZE 32
#define IMAGE_TLV_INFO_MAGIC 0x6907
#define IMAGE_TLV_PROT_INFO_MAGIC 0x6908
#define IMAGE_TLV_INFO_SIZE 4

/* header flags */
#define IMAGE_F_PIC 0x01u
#define IMAGE_F_ENCRYPTED_AES128 0x04u
#define IMAGE_F_ENCRYPTED_AES256 0x08u
#define IMAGE_F_NON_BOOTABLE 0x10u
#define IMAGE_F_RAM_LOAD 0x20u
#define IMAGE_F_ROM_FIXED 0x100u
#define IMAGE_F_COMPRESSED_LZMA2 0x400u
#define IMAGE_F_COMPRESSED_ARM_THUMB 0x800u

/* TLV types */
enum image_tlv_type {
    IMAGE_TLV_KEYHASH = 0x01,
    IMAGE_TLV_PUBKEY = 0x02,
    IMAGE_TLV_SHA256 = 0x10,
    IMAGE_TLV_SHA384 = 0x11,
    IMAGE_TLV_SHA512 = 0x12,
    IMAGE_TLV_RSA2048_PSS = 0x20,
    IMAGE_TLV_ECDSA_SIG = 0x22,
    IMAGE_TLV_RSA3072_PSS = 0x23,
    IMAGE_TLV_ED25519 = 0x24,
    IMAGE_TLV_SIG_PURE = 0x25,
    IMAGE_TLV_ENC_RSA2048 = 0x30,
    IMAGE_TLV_ENC_KW = 0x31,
    IMAGE_TLV_ENC_EC256 = 0x32,
    IMAGE_TLV_ENC_X25519 = 0x33,
    IMAGE_TLV_ENC_X25519_SHA512 = 0x34,
    IMAGE_TLV_DEPENDENCY = 0x40,
    IMAGE_TLV_SEC_CNT = 0x50,
    IMAGE_TLV_BOOT_RECORD = 0x60,
    IMAGE_TLV_DECOMP_SIZE = 0x70,
    IMAGE_TLV_DECOMP_SHA = 0x71,
    IMAGE_TLV_DECOMP_SIGNATURE = 0x72,
    IMAGE_TLV_UUID_VID = 0x74,
    IMAGE_TLV_UUID_CID = 0x75,
};

struct image_version {
    uint8_t major;
    uint8_t minor;
    uint16_t revision;
    uint32_t build;
};

struct image_header {
    uint32_t magic;
    uint32_t load_addr;
    uint16_t hdr_size;
    uint16_t protect_tlv_size;
    uint32_t img_size;
    uint32_t flags;
    struct image_version ver;
};

/* Error codes: IMAGE_OK, or IMAGE_ERR_BASE - 1 .. IMAGE_ERR_BASE - 17
 * (-41..-57), a range no other layer below the tools uses: flash errors
 * are -1..-19 (boot/flash_area.h), bootloader errors -20..-39
 * (boot/bootutil.h), image errors -40..-59, so a code passed up names its
 * layer, and boot_errname() names all three. */
#define IMAGE_ERR_BASE (-40)
enum image_err {
    IMAGE_OK = 0,
    IMAGE_ERR_IO = -41,            /* the read callback failed */
    IMAGE_ERR_MAGIC = -42,         /* header magic is not 0x96f3b83d */
    IMAGE_ERR_HEADER = -43,        /* hdr_size < 32 or other impossible header */
    IMAGE_ERR_TOO_LARGE = -44,     /* header/body/TLVs extend past the area */
    IMAGE_ERR_TLV_MAGIC = -45,     /* TLV info magic missing */
    IMAGE_ERR_TLV_TRUNCATED = -46, /* TLV area ends inside an entry */
    IMAGE_ERR_TLV_LENGTH = -47,    /* TLV lengths inconsistent / overflow */
    IMAGE_ERR_NO_HASH = -48,
    IMAGE_ERR_HASH = -49,          /* computed hash differs from the TLV */
    IMAGE_ERR_NO_SIGNATURE = -50, /* no signature TLV that a trusted key can check */
    IMAGE_ERR_SIGNATURE = -51,    /* signature does not verify */
    IMAGE_ERR_KEY_MISMATCH = -52, /* KEYHASH/PUBKEY names no trusted key */
    IMAGE_ERR_UNSUPPORTED = -53,  /* algorithm or feature not supported */
    IMAGE_ERR_BAD_ARG = -54,
    IMAGE_ERR_DUPLICATE_TLV = -55,  /* two hash TLVs, two security counters */
    IMAGE_ERR_TLV_UNPROTECTED = -56,/* e.g. SEC_CNT outside the protected area */
    IMAGE_ERR_NO_MEMORY = -57,      /* the crypto port's static pool is too small */
};
#define IMAGE_ERR_COUNT 18 /* number of codes, IMAGE_OK included */
/* The code of entry i (0..IMAGE_ERR_COUNT-1) of the table: i = 0 is
 * IMAGE_OK, i = 9 IMAGE_ERR_HASH. */
#define IMAGE_ERR_CODE(i) ((i) == 0 ? IMAGE_OK : IMAGE_ERR_BASE - (i))

/* Read len bytes at off (relative to the image start). 0 on success. */
typedef int (*image_read_fn)(void *ctx, uint32_t off, void *buf, size_t len);

struct image_info {
    struct image_header hdr;
    uint32_t prot_tlv_off;  /* hdr_size + img_size */
    uint32_t tlv_off;       /* start of the unprotected TLV info header */
    uint32_t total_size;    /* end of the last TLV: bytes the image occupies */
    uint16_t hash_type;     /* IMAGE_TLV_SHA256/384/512, 0 when absent */
    uint8_t hash_len;
    uint8_t hash[64];       /* value of the hash TLV */
    bool has_sec_cnt;
    uint32_t sec_cnt;
};

/* A trusted public key, DER as `imgtool getpub -e raw` prints it (RSA:
 * PKCS#1 RSAPublicKey; EC, Ed25519: SubjectPublicKeyInfo). */
struct image_key {
    const uint8_t *der;
    size_t der_len;
};

/* Parses the header and both TLV areas, bounds-checked against area_size.
 * Fills *info (hash TLV included). Does not hash or verify. */
int image_read_info(image_read_fn rd, void *ctx, uint32_t area_size,
                    struct image_info *info);

/* Full validation: image_read_info, recompute the hash, and when nkeys > 0
 * require a signature TLV that verifies with one of keys, and that any
 * KEYHASH/PUBKEY TLV names that key. With nkeys == 0 only the hash is
 * checked (an unsigned board). *matched_key (may be NULL) receives the
 * index of the key that verified, -1 if none. */
int image_validate(image_read_fn rd, void *ctx, uint32_t area_size,
                   const struct image_key *keys, size_t nkeys,
                   struct image_info *info, int *matched_key);

/* Iterate TLVs: calls fn for each entry of both areas (protected first).
 * off is where the entry's value starts. Stops early and returns fn's
 * value when it is non-zero. */
typedef int (*image_tlv_fn)(void *arg, bool protected_area, uint16_t type,
                            uint32_t off, uint16_t len);
int image_tlv_foreach(image_read_fn rd, void *ctx, const struct image_info *info,
                      image_tlv_fn fn, void *arg);

/* The building blocks of image_read_info, for the host tools that read
 * damaged files as MCUboot's imgtool does (verify.c, dumpinfo.c): one
 * header decoder and one TLV walker for everything in the tree. */

/* Decodes the 32 header bytes as they are, without any check. */
void image_header_decode(const uint8_t b[IMAGE_HEADER_SIZE], struct image_header *h);
/* Reads the 4-byte info header of a TLV block at off: its magic (0x6907
 * or 0x6908) and it_tlv_tot. IMAGE_ERR_IO when rd cannot read it. */
int image_tlv_info_read(image_read_fn rd, void *ctx, uint32_t off, uint16_t *magic,
                        uint16_t *tot);

/* One TLV block: its info header at off, it_tlv_tot bytes in all. */
struct image_tlv_block {
    uint32_t off;
    uint16_t tot;
    bool protected_area;
};
/* Walks a block the lenient way: an entry only needs its 4-byte header
 * below data_end (where the readable bytes end); its value may be cut by
 * data_end and the last entry may cross the block's end. image_tlv_foreach
 * walks the same way except that every entry must lie inside its block.
 * IMAGE_ERR_TLV_TRUNCATED with *stop_off (may be NULL) at the entry header
 * that is not there; otherwise fn's first non-zero value, or IMAGE_OK. */
int image_tlv_walk_lenient(image_read_fn rd, void *ctx, const struct image_tlv_block *blk,
                           uint32_t data_end, image_tlv_fn fn, void *arg, uint32_t *stop_off);

/* Compares major, minor, revision (and build when use_build): <0, 0, >0. */
int image_version_cmp(const struct image_version *a,
                      const struct image_version *b, bool use_build);
/* "1.2.3" or "1.2.3.4" when build != 0, as Zephyr prints it. */
int image_version_fmt(const struct image_version *v, char *out, size_t cap);

const char *image_strerror(int err);
/* "IMAGE_ERR_HASH" for IMAGE_ERR_HASH; same table as image_strerror. */
const char *image_errname(int err);

/* image_read_fn over a memory buffer: ctx is a struct image_mem. */
struct image_mem {
    const uint8_t *buf;
    size_t len;
};
int image_mem_read(void *ctx, uint32_t off, void *buf, size_t len);

#endif
