/*
 * SMP header encode/decode and the names and meanings of group ids and error
 * codes (smp-protocol §1, §2, §3). One table per group; every lookup falls
 * back to a generic text so callers never see NULL.
 * Not here: CBOR bodies (cbor.c) and transports (serial.c, client/).
 */
#include "smp/smp.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

void smp_hdr_encode(const struct smp_hdr *h, uint8_t out[SMP_HDR_SIZE])
{
    out[0] = (uint8_t)(((h->ver & 0x3u) << 3) | (h->op & 0x7u));
    out[1] = h->flags;
    out[2] = (uint8_t)(h->len >> 8);
    out[3] = (uint8_t)h->len;
    out[4] = (uint8_t)(h->group >> 8);
    out[5] = (uint8_t)h->group;
    out[6] = h->seq;
    out[7] = h->id;
}

int smp_hdr_decode(const uint8_t *buf, size_t len, struct smp_hdr *h)
{
    if (buf == NULL || len < SMP_HDR_SIZE)
        return -1;
    /* The three reserved top bits are ignored on receive (§1.1). */
    h->op = buf[0] & 0x7u;
    h->ver = (buf[0] >> 3) & 0x3u;
    h->flags = buf[1];
    h->len = (uint16_t)((buf[2] << 8) | buf[3]);
    h->group = (uint16_t)((buf[4] << 8) | buf[5]);
    h->seq = buf[6];
    h->id = buf[7];
    return 0;
}

/* ---- group names ---- */

struct code_text {
    const char *name;
    const char *desc;
};

const char *smp_group_name(uint16_t group)
{
    switch (group) {
    case SMP_GROUP_OS: return "OS";
    case SMP_GROUP_IMAGE: return "IMAGE";
    case SMP_GROUP_STAT: return "STAT";
    case SMP_GROUP_SETTINGS: return "SETTINGS";
    case SMP_GROUP_LOG: return "LOG";
    case SMP_GROUP_CRASH: return "CRASH";
    case SMP_GROUP_SPLIT: return "SPLIT";
    case SMP_GROUP_RUN: return "RUN";
    case SMP_GROUP_FS: return "FS";
    case SMP_GROUP_SHELL: return "SHELL";
    case SMP_GROUP_ENUM: return "ENUM";
    case SMP_GROUP_BRIDGE: return "BRIDGE";
    case SMP_GROUP_ZEPHYR: return "ZEPHYR_BASIC";
    default: return group >= 64 ? "USER" : "UNKNOWN_GROUP";
    }
}

/* ---- generic codes (mcumgr_err_t, top-level rc) ---- */

static const struct code_text generic_codes[] = {
    [SMP_ERR_OK] = { "EOK", "success" },
    [SMP_ERR_EUNKNOWN] = { "EUNKNOWN", "unspecified failure on the device" },
    [SMP_ERR_ENOMEM] = { "ENOMEM", "the device ran out of memory or the response did not fit" },
    [SMP_ERR_EINVAL] = { "EINVAL", "invalid or missing argument (bad offset, bad hash, bad value)" },
    [SMP_ERR_ETIMEOUT] = { "ETIMEOUT", "the operation timed out on the device" },
    [SMP_ERR_ENOENT] = { "ENOENT", "no such entry (image, file, statistics group or setting)" },
    [SMP_ERR_EBADSTATE] = { "EBADSTATE", "the device's current state forbids this (e.g. the slot is pending)" },
    [SMP_ERR_EMSGSIZE] = { "EMSGSIZE", "the response is larger than the device's SMP buffer" },
    [SMP_ERR_ENOTSUP] = { "ENOTSUP", "group or command not supported by the device" },
    [SMP_ERR_ECORRUPT] = { "ECORRUPT", "the device received a corrupt request" },
    [SMP_ERR_EBUSY] = { "EBUSY", "the device is busy with another command; retry" },
    [SMP_ERR_EACCESSDENIED] = { "EACCESSDENIED", "access refused by the device application" },
    [SMP_ERR_UNSUPPORTED_TOO_OLD] = { "UNSUPPORTED_TOO_OLD", "the SMP protocol version of the request is too old for the device" },
    [SMP_ERR_UNSUPPORTED_TOO_NEW] = { "UNSUPPORTED_TOO_NEW", "the SMP protocol version of the request is too new for the device" },
};

const char *smp_err_name(int rc)
{
    if (rc >= 0 && (size_t)rc < ARRAY_LEN(generic_codes))
        return generic_codes[rc].name;
    if (rc >= SMP_ERR_EPERUSER)
        return "EPERUSER";
    return "UNKNOWN_RC";
}

const char *smp_err_desc(int rc)
{
    if (rc >= 0 && (size_t)rc < ARRAY_LEN(generic_codes))
        return generic_codes[rc].desc;
    if (rc >= SMP_ERR_EPERUSER)
        return "application-defined error";
    return "error code not known to this tool";
}

/* ---- group-specific codes (v2 err.rc), §2.5 ---- */

static const struct code_text os_codes[] = {
    { "OK", "success" },
    { "UNKNOWN", "unknown OS group error" },
    { "INVALID_FORMAT", "the format string or value is not valid" },
    { "QUERY_YIELDS_NO_ANSWER", "the query has no answer on this device" },
    { "RTC_NOT_SET", "the device clock is not set" },
    { "RTC_COMMAND_FAILED", "setting or reading the device clock failed" },
    { "QUERY_RESPONSE_VALUE_NOT_VALID", "the device produced an invalid value for the query" },
};

static const struct code_text img_codes[] = {
    [IMG_ERR_OK] = { "OK", "success" },
    [IMG_ERR_UNKNOWN] = { "UNKNOWN", "unknown image group error" },
    [IMG_ERR_FLASH_CONFIG_QUERY_FAIL] = { "FLASH_CONFIG_QUERY_FAIL", "the device could not query its flash configuration" },
    [IMG_ERR_NO_IMAGE] = { "NO_IMAGE", "there is no image in the slot" },
    [IMG_ERR_NO_TLVS] = { "NO_TLVS", "the image has no TLV area" },
    [IMG_ERR_INVALID_TLV] = { "INVALID_TLV", "the image has an invalid TLV" },
    [IMG_ERR_TLV_MULTIPLE_HASHES_FOUND] = { "TLV_MULTIPLE_HASHES_FOUND", "the image carries more than one hash TLV" },
    [IMG_ERR_TLV_INVALID_SIZE] = { "TLV_INVALID_SIZE", "a TLV of the image has an invalid size" },
    [IMG_ERR_HASH_NOT_FOUND] = { "HASH_NOT_FOUND", "no image with this hash is on the device" },
    [IMG_ERR_NO_FREE_SLOT] = { "NO_FREE_SLOT", "no free slot for the image" },
    [IMG_ERR_FLASH_OPEN_FAILED] = { "FLASH_OPEN_FAILED", "the device could not open the flash area" },
    [IMG_ERR_FLASH_READ_FAILED] = { "FLASH_READ_FAILED", "reading flash failed on the device" },
    [IMG_ERR_FLASH_WRITE_FAILED] = { "FLASH_WRITE_FAILED", "writing flash failed on the device" },
    [IMG_ERR_FLASH_ERASE_FAILED] = { "FLASH_ERASE_FAILED", "erasing flash failed on the device" },
    [IMG_ERR_INVALID_SLOT] = { "INVALID_SLOT", "no such slot" },
    [IMG_ERR_NO_FREE_MEMORY] = { "NO_FREE_MEMORY", "the device ran out of memory" },
    [IMG_ERR_FLASH_CONTEXT_ALREADY_SET] = { "FLASH_CONTEXT_ALREADY_SET", "an upload is already in progress" },
    [IMG_ERR_FLASH_CONTEXT_NOT_SET] = { "FLASH_CONTEXT_NOT_SET", "no upload in progress (start again at offset 0)" },
    [IMG_ERR_FLASH_AREA_DEVICE_NULL] = { "FLASH_AREA_DEVICE_NULL", "the flash area has no device" },
    [IMG_ERR_INVALID_PAGE_OFFSET] = { "INVALID_PAGE_OFFSET", "invalid flash page offset" },
    [IMG_ERR_INVALID_OFFSET] = { "INVALID_OFFSET", "invalid upload offset" },
    [IMG_ERR_INVALID_LENGTH] = { "INVALID_LENGTH", "invalid image length" },
    [IMG_ERR_INVALID_IMAGE_HEADER] = { "INVALID_IMAGE_HEADER", "the image header is invalid" },
    [IMG_ERR_INVALID_IMAGE_HEADER_MAGIC] = { "INVALID_IMAGE_HEADER_MAGIC", "not an MCUboot image (bad header magic); was the file signed?" },
    [IMG_ERR_INVALID_HASH] = { "INVALID_HASH", "invalid hash (wrong length or does not match)" },
    [IMG_ERR_INVALID_FLASH_ADDRESS] = { "INVALID_FLASH_ADDRESS", "invalid flash address" },
    [IMG_ERR_VERSION_GET_FAILED] = { "VERSION_GET_FAILED", "the device could not read the running version" },
    [IMG_ERR_CURRENT_VERSION_IS_NEWER] = { "CURRENT_VERSION_IS_NEWER", "the running image is newer than the upload (upgrade only)" },
    [IMG_ERR_IMAGE_ALREADY_PENDING] = { "IMAGE_ALREADY_PENDING", "an image is already pending; reset or erase first" },
    [IMG_ERR_INVALID_IMAGE_VECTOR_TABLE] = { "INVALID_IMAGE_VECTOR_TABLE", "the image's vector table is invalid" },
    [IMG_ERR_INVALID_IMAGE_TOO_LARGE] = { "INVALID_IMAGE_TOO_LARGE", "the image is larger than the slot" },
    [IMG_ERR_INVALID_IMAGE_DATA_OVERRUN] = { "INVALID_IMAGE_DATA_OVERRUN", "more data than the announced image length" },
    [IMG_ERR_IMAGE_CONFIRMATION_DENIED] = { "IMAGE_CONFIRMATION_DENIED", "the device refused to confirm the image" },
    [IMG_ERR_IMAGE_SETTING_TEST_TO_ACTIVE_DENIED] = { "IMAGE_SETTING_TEST_TO_ACTIVE_DENIED", "the running image cannot be marked for test" },
    [IMG_ERR_ACTIVE_SLOT_NOT_KNOWN] = { "ACTIVE_SLOT_NOT_KNOWN", "the device does not know its active slot" },
};

static const struct code_text stat_codes[] = {
    { "OK", "success" },
    { "UNKNOWN", "unknown statistics group error" },
    { "INVALID_GROUP", "no such statistics group" },
    { "INVALID_STAT_NAME", "no such statistic" },
    { "INVALID_STAT_SIZE", "the statistic has an invalid size" },
    { "WALK_ABORTED", "walking the statistics was aborted" },
};

static const struct code_text settings_codes[] = {
    { "OK", "success" },
    { "UNKNOWN", "unknown settings group error" },
    { "KEY_TOO_LONG", "the setting name is too long" },
    { "KEY_NOT_FOUND", "no such setting" },
    { "READ_NOT_SUPPORTED", "the setting cannot be read" },
    { "ROOT_KEY_NOT_FOUND", "no such settings subtree" },
    { "WRITE_NOT_SUPPORTED", "the setting cannot be written" },
    { "DELETE_NOT_SUPPORTED", "the setting cannot be deleted" },
    { "SAVE_NOT_SUPPORTED", "settings cannot be saved" },
};

static const struct code_text fs_codes[] = {
    { "OK", "success" },
    { "UNKNOWN", "unknown file system group error" },
    { "FILE_INVALID_NAME", "invalid file name" },
    { "FILE_NOT_FOUND", "no such file" },
    { "FILE_IS_DIRECTORY", "the path is a directory" },
    { "FILE_OPEN_FAILED", "the file could not be opened" },
    { "FILE_SEEK_FAILED", "seeking in the file failed" },
    { "FILE_READ_FAILED", "reading the file failed" },
    { "FILE_TRUNCATE_FAILED", "truncating the file failed" },
    { "FILE_DELETE_FAILED", "deleting the file failed" },
    { "FILE_WRITE_FAILED", "writing the file failed" },
    { "FILE_OFFSET_NOT_VALID", "the offset does not match the upload in progress" },
    { "FILE_OFFSET_LARGER_THAN_FILE", "the offset is past the end of the file" },
    { "CHECKSUM_HASH_NOT_FOUND", "the hash or checksum type is not supported" },
    { "MOUNT_POINT_NOT_FOUND", "no file system mounted there" },
    { "READ_ONLY_FILESYSTEM", "the file system is read-only" },
    { "FILE_EMPTY", "the file is empty" },
};

static const struct code_text shell_codes[] = {
    { "OK", "success" },
    { "UNKNOWN", "unknown shell group error" },
    { "COMMAND_TOO_LONG", "the shell command is too long" },
    { "EMPTY_COMMAND", "the shell command is empty" },
};

static const struct code_text enum_codes[] = {
    { "OK", "success" },
    { "UNKNOWN", "unknown enumeration group error" },
    { "TOO_MANY_GROUP_ENTRIES", "too many groups to list" },
    { "INSUFFICIENT_HEAP_FOR_ENTRIES", "the device has too little memory to list the groups" },
    { "INDEX_TOO_LARGE", "group index out of range" },
};

static const struct code_text zephyr_codes[] = {
    { "OK", "success" },
    { "UNKNOWN", "unknown Zephyr basic group error" },
    { "FLASH_OPEN_FAILED", "the storage partition could not be opened" },
    { "FLASH_CONFIG_QUERY_FAIL", "the storage flash configuration could not be queried" },
    { "FLASH_ERASE_FAILED", "erasing the storage partition failed" },
};

static const struct code_text *group_code(uint16_t group, int rc)
{
    const struct code_text *t;
    size_t n;

    switch (group) {
    case SMP_GROUP_OS: t = os_codes; n = ARRAY_LEN(os_codes); break;
    case SMP_GROUP_IMAGE: t = img_codes; n = ARRAY_LEN(img_codes); break;
    case SMP_GROUP_STAT: t = stat_codes; n = ARRAY_LEN(stat_codes); break;
    case SMP_GROUP_SETTINGS: t = settings_codes; n = ARRAY_LEN(settings_codes); break;
    case SMP_GROUP_FS: t = fs_codes; n = ARRAY_LEN(fs_codes); break;
    case SMP_GROUP_SHELL: t = shell_codes; n = ARRAY_LEN(shell_codes); break;
    case SMP_GROUP_ENUM: t = enum_codes; n = ARRAY_LEN(enum_codes); break;
    case SMP_GROUP_ZEPHYR: t = zephyr_codes; n = ARRAY_LEN(zephyr_codes); break;
    default: return NULL;
    }
    if (rc < 0 || (size_t)rc >= n)
        return NULL;
    return &t[rc];
}

const char *smp_group_err_name(uint16_t group, int rc)
{
    const struct code_text *c = group_code(group, rc);
    return c ? c->name : "UNKNOWN_GROUP_RC";
}

const char *smp_group_err_desc(uint16_t group, int rc)
{
    const struct code_text *c = group_code(group, rc);
    return c ? c->desc : "group error code not known to this tool";
}
