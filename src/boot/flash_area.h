/*
 * The flash porting surface. A flash_dev is one physical part: a context
 * and three callbacks, plus geometry. A flash_area is a named window of a
 * device (boot, slot0, slot1, scratch, storage). boot/ and smpsrv/ only see
 * area-relative offsets; fa_* checks bounds and alignment once, here.
 */
#ifndef BOOT_FLASH_AREA_H
#define BOOT_FLASH_AREA_H

#include <stddef.h>
#include <stdint.h>

/* Callbacks return 0 or a negative FLASH_ERR_*; the codes pass up unchanged. */
struct flash_dev {
    void *ctx;
    int (*read)(void *ctx, uint32_t addr, void *buf, size_t len);
    /* Program: only clears bits; addr and len multiples of write_align. */
    int (*prog)(void *ctx, uint32_t addr, const void *buf, size_t len);
    /* Erase: addr and len multiples of sector_size. */
    int (*erase)(void *ctx, uint32_t addr, size_t len);
    uint32_t size;
    uint32_t write_align;
    uint32_t sector_size;  /* uniform sectors */
    uint8_t erased_val;
};

/* Flash errors are -1..-19; the bootloader's are -20..-39 (bootutil.h)
 * and the image layer's -40..-59 (image/image.h), so a code passed up
 * unchanged still names its layer. */
enum flash_err {
    FLASH_OK = 0,
    FLASH_ERR_BOUNDS = -1,   /* outside the area or device */
    FLASH_ERR_ALIGN = -2,    /* misaligned write or erase */
    FLASH_ERR_IO = -3,       /* the device failed */
    FLASH_ERR_POWER = -4,    /* power was cut (fault injection) */
    FLASH_ERR_NOT_ERASED = -5, /* program over bits that are not erased */
    FLASH_ERR_GEOMETRY = -6, /* the device has write_align or sector_size 0 */
};
#define FLASH_ERR_LAST FLASH_ERR_GEOMETRY /* flash codes are -1..FLASH_ERR_LAST */

enum flash_area_id {
    FA_ID_BOOT = 0,
    FA_ID_SLOT0 = 1,      /* primary slot of image 0 */
    FA_ID_SLOT1 = 2,      /* secondary slot of image 0 */
    FA_ID_SCRATCH = 3,
    FA_ID_STORAGE = 4,
};

struct flash_area {
    uint8_t id;
    const struct flash_dev *dev;
    uint32_t off;   /* absolute address on dev */
    uint32_t size;
};

int fa_read(const struct flash_area *fa, uint32_t off, void *buf, size_t len);
int fa_write(const struct flash_area *fa, uint32_t off, const void *buf, size_t len);
int fa_erase(const struct flash_area *fa, uint32_t off, size_t len);
uint32_t fa_align(const struct flash_area *fa);
uint8_t fa_erased_val(const struct flash_area *fa);
uint32_t fa_sector_size(const struct flash_area *fa);
uint32_t fa_sector_count(const struct flash_area *fa);
/* 1 when every byte of [off, off+len) holds the erased value, 0 if not,
 * negative on a read error. */
int fa_is_erased(const struct flash_area *fa, uint32_t off, size_t len);
/* image_read_fn adapter: ctx is a const struct flash_area *. */
int fa_image_read(void *ctx, uint32_t off, void *buf, size_t len);

/* "FLASH_ERR_POWER" and its text; one table backs both. */
const char *flash_errname(int err);
const char *flash_strerror(int err);
#define FLASH_ERR_COUNT 7 /* FLASH_* codes, FLASH_OK included */

#endif
