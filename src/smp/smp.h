/*
 * SMP message header, group ids and error codes: the wire facts shared by
 * the device-side server and the host client, so they can never disagree.
 * Device-grade: no malloc, no stdio.
 */
#ifndef SMP_SMP_H
#define SMP_SMP_H

#include <stddef.h>
#include <stdint.h>

#define SMP_HDR_SIZE 8

enum smp_op {
    SMP_OP_READ = 0,
    SMP_OP_READ_RSP = 1,
    SMP_OP_WRITE = 2,
    SMP_OP_WRITE_RSP = 3,
};

/* ver: 0 = original SMP ("v1"), 1 = SMP v2 (group-scoped `err` map). */
struct smp_hdr {
    uint8_t op;
    uint8_t ver;
    uint8_t flags;
    uint16_t len;   /* body length, header excluded */
    uint16_t group;
    uint8_t seq;
    uint8_t id;
};

void smp_hdr_encode(const struct smp_hdr *h, uint8_t out[SMP_HDR_SIZE]);
/* Returns 0, or -1 when fewer than SMP_HDR_SIZE bytes are given. */
int smp_hdr_decode(const uint8_t *buf, size_t len, struct smp_hdr *h);

enum smp_group_id {
    SMP_GROUP_OS = 0,
    SMP_GROUP_IMAGE = 1,
    SMP_GROUP_STAT = 2,
    SMP_GROUP_SETTINGS = 3,
    SMP_GROUP_LOG = 4,
    SMP_GROUP_CRASH = 5,
    SMP_GROUP_SPLIT = 6,
    SMP_GROUP_RUN = 7,
    SMP_GROUP_FS = 8,
    SMP_GROUP_SHELL = 9,
    SMP_GROUP_ENUM = 10,
    SMP_GROUP_BRIDGE = 11,
    SMP_GROUP_ZEPHYR = 63,
};

/* Generic codes carried in the top-level `rc` (mcumgr_err_t). */
enum smp_err {
    SMP_ERR_OK = 0,
    SMP_ERR_EUNKNOWN = 1,
    SMP_ERR_ENOMEM = 2,
    SMP_ERR_EINVAL = 3,
    SMP_ERR_ETIMEOUT = 4,
    SMP_ERR_ENOENT = 5,
    SMP_ERR_EBADSTATE = 6,
    SMP_ERR_EMSGSIZE = 7,
    SMP_ERR_ENOTSUP = 8,
    SMP_ERR_ECORRUPT = 9,
    SMP_ERR_EBUSY = 10,
    SMP_ERR_EACCESSDENIED = 11,
    SMP_ERR_UNSUPPORTED_TOO_OLD = 12,
    SMP_ERR_UNSUPPORTED_TOO_NEW = 13,
    SMP_ERR_EPERUSER = 256,
};

/* Image group (1) codes carried in err.rc under SMP v2. */
enum smp_img_err {
    IMG_ERR_OK = 0, IMG_ERR_UNKNOWN = 1, IMG_ERR_FLASH_CONFIG_QUERY_FAIL = 2,
    IMG_ERR_NO_IMAGE = 3, IMG_ERR_NO_TLVS = 4, IMG_ERR_INVALID_TLV = 5,
    IMG_ERR_TLV_MULTIPLE_HASHES_FOUND = 6, IMG_ERR_TLV_INVALID_SIZE = 7,
    IMG_ERR_HASH_NOT_FOUND = 8, IMG_ERR_NO_FREE_SLOT = 9,
    IMG_ERR_FLASH_OPEN_FAILED = 10, IMG_ERR_FLASH_READ_FAILED = 11,
    IMG_ERR_FLASH_WRITE_FAILED = 12, IMG_ERR_FLASH_ERASE_FAILED = 13,
    IMG_ERR_INVALID_SLOT = 14, IMG_ERR_NO_FREE_MEMORY = 15,
    IMG_ERR_FLASH_CONTEXT_ALREADY_SET = 16, IMG_ERR_FLASH_CONTEXT_NOT_SET = 17,
    IMG_ERR_FLASH_AREA_DEVICE_NULL = 18, IMG_ERR_INVALID_PAGE_OFFSET = 19,
    IMG_ERR_INVALID_OFFSET = 20, IMG_ERR_INVALID_LENGTH = 21,
    IMG_ERR_INVALID_IMAGE_HEADER = 22, IMG_ERR_INVALID_IMAGE_HEADER_MAGIC = 23,
    IMG_ERR_INVALID_HASH = 24, IMG_ERR_INVALID_FLASH_ADDRESS = 25,
    IMG_ERR_VERSION_GET_FAILED = 26, IMG_ERR_CURRENT_VERSION_IS_NEWER = 27,
    IMG_ERR_IMAGE_ALREADY_PENDING = 28, IMG_ERR_INVALID_IMAGE_VECTOR_TABLE = 29,
    IMG_ERR_INVALID_IMAGE_TOO_LARGE = 30, IMG_ERR_INVALID_IMAGE_DATA_OVERRUN = 31,
    IMG_ERR_IMAGE_CONFIRMATION_DENIED = 32,
    IMG_ERR_IMAGE_SETTING_TEST_TO_ACTIVE_DENIED = 33,
    IMG_ERR_ACTIVE_SLOT_NOT_KNOWN = 34,
};

/* Names and one-line human explanations; never NULL (unknown codes get a
 * generic text). group_rc names are scoped by group id. */
const char *smp_group_name(uint16_t group);
const char *smp_err_name(int rc);
const char *smp_err_desc(int rc);
const char *smp_group_err_name(uint16_t group, int rc);
const char *smp_group_err_desc(uint16_t group, int rc);

#endif
