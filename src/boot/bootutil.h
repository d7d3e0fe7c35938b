/*
 * The bootloader's public face. Trailer reading and writing is shared with
 * the application: the SMP server's image test/confirm calls exactly the
 * code the bootloader reads, as Zephyr's img_mgmt calls MCUboot's bootutil.
 *
 * Trailer layout (from the slot end backwards, BOOT_MAX_ALIGN = 8):
 * magic (last 16 bytes), image_ok, copy_done, swap_info, swap_size, each in
 * a BOOT_MAX_ALIGN unit, then the swap-status area
 * (BOOT_MAX_IMG_SECTORS x 3 records x write_align bytes). A board with an
 * image-encryption key keeps the keys of a running swap at the start of
 * the trailer sector(s), below all of these (boot_enc.c): these offsets
 * never move.
 */
#ifndef BOOT_BOOTUTIL_H
#define BOOT_BOOTUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flash_area.h"
#include "image/image.h"
#include "image/image_crypto.h"

#define BOOT_MAX_ALIGN 8
/* Integrator limit (docs/limits.md): the most sectors an image may span in
 * a swap strategy; sizes the swap-status area, so the bootloader and the
 * application (its SMP server) must be built with the same value. */
#ifndef BOOT_MAX_IMG_SECTORS
#define BOOT_MAX_IMG_SECTORS 128
#endif
#define BOOT_MAGIC_SZ 16

enum boot_swap_type {
    BOOT_SWAP_TYPE_NONE = 1,
    BOOT_SWAP_TYPE_TEST = 2,
    BOOT_SWAP_TYPE_PERM = 3,
    BOOT_SWAP_TYPE_REVERT = 4,
    BOOT_SWAP_TYPE_FAIL = 5,
    BOOT_SWAP_TYPE_PANIC = 0xff,
};

/* magic and flag decoding */
enum boot_magic_state { BOOT_MAGIC_GOOD = 1, BOOT_MAGIC_BAD = 2, BOOT_MAGIC_UNSET = 3 };
enum boot_flag_state { BOOT_FLAG_SET = 1, BOOT_FLAG_BAD = 2, BOOT_FLAG_UNSET = 3 };

struct boot_swap_state {
    uint8_t magic;      /* enum boot_magic_state */
    uint8_t swap_type;  /* from swap_info (low nibble), NONE when unset */
    uint8_t copy_done;  /* enum boot_flag_state */
    uint8_t image_ok;   /* enum boot_flag_state */
    uint8_t image_num;  /* from swap_info (high nibble) */
};

/* Bootloader errors are -20..-39, between the flash layer's -1..-19
 * (flash_area.h) and the image layer's -40..-59 (image/image.h). */
enum boot_err {
    BOOT_OK = 0,
    BOOT_EFLASH = -20,   /* a flash operation failed (cause in the log) */
    BOOT_EBADIMAGE = -21,
    BOOT_EBADVECT = -22, /* trailer magic is corrupt */
    BOOT_ENOIMAGE = -23, /* nothing bootable */
    BOOT_EBADARGS = -24,
    BOOT_EBADSTATUS = -25,
};

/* Trailer field offsets inside a slot of fa->size bytes. */
uint32_t boot_magic_off(const struct flash_area *fa);
uint32_t boot_image_ok_off(const struct flash_area *fa);
uint32_t boot_copy_done_off(const struct flash_area *fa);
uint32_t boot_swap_info_off(const struct flash_area *fa);
uint32_t boot_swap_size_off(const struct flash_area *fa);
/* Start of the swap-status area for a strategy keeping `state_count`
 * records per sector (3 for move and scratch, 0 for overwrite-only). */
uint32_t boot_status_off(const struct flash_area *fa, unsigned state_count);

int boot_read_swap_state(const struct flash_area *fa, struct boot_swap_state *st);

/* Application side (SMP image group):
 * pending: mark the secondary for a test (or permanent) swap at next boot.
 * confirmed: make the running (primary) image permanent. */
int boot_set_pending(const struct flash_area *secondary, bool permanent);
int boot_set_confirmed(const struct flash_area *primary);

/* The swap the next boot would start, from both trailers alone (the
 * decision table of MCUboot; no image validation). */
int boot_swap_type_peek(const struct flash_area *primary,
                        const struct flash_area *secondary);

const char *boot_swap_type_name(int swap_type);

/* Name and text of any code the bootloader returns or logs: its own
 * BOOT_E*, and the FLASH_ERR_* and IMAGE_ERR_* codes passed up unchanged
 * (the three ranges are disjoint), each by its layer's table. */
const char *boot_errname(int err);
const char *boot_strerror(int err);
#define BOOT_ERR_COUNT 7 /* BOOT_* codes, BOOT_OK included */

/* The watchdog hook: called before every sector erase, every 1 KiB copied
 * and every read of an image being hashed or checked, by the bootloader
 * (every strategy's copy loops, validation) and by boot_set_pending's
 * erase of a corrupt secondary, so that a swap or a validation of a whole
 * slot never runs a sector's worth of flash time without it. The default
 * (watchdog.c) does nothing; a board with a watchdog defines its own
 * boot_watchdog_feed() (the weak default gives way). */
void boot_watchdog_feed(void);

/* ---- the bootloader proper ---- */
enum boot_strategy_id {
    BOOT_STRATEGY_SWAP_MOVE = 0,    /* default */
    BOOT_STRATEGY_SWAP_SCRATCH = 1,
    BOOT_STRATEGY_OVERWRITE_ONLY = 2,
};

struct boot_config {
    const struct flash_area *primary;
    const struct flash_area *secondary;
    const struct flash_area *scratch;     /* swap-using-scratch only */
    enum boot_strategy_id strategy;
    const struct image_key *keys;         /* trusted keys; nkeys 0 = unsigned board */
    size_t nkeys;
    bool downgrade_prevention;
    /* Image-encryption private key: with it, encrypted images (AES-CTR
     * body, key in an ENC TLV) in the secondary are decrypted while they
     * are validated and installed. NULL: encrypted images are refused. */
    const struct image_enc_key *enc_key;
    /* Console log, one line per call without the newline, like MCUboot's
     * "I: ..." lines. May be NULL. */
    void (*log)(void *ctx, const char *line);
    void *log_ctx;
};

struct boot_result {
    int swap_type;          /* swap performed this boot (NONE, TEST, PERM, REVERT, FAIL) */
    bool resumed;           /* an interrupted swap was finished */
    struct image_info image;/* the image that boots (slot 0) */
    struct boot_swap_state primary;   /* trailer states after the boot */
    struct boot_swap_state secondary;
    char reason[160];       /* why nothing boots, or why an update was refused */
};

/* Runs one boot: finish or start a swap, validate the primary. Returns 0
 * when an image can boot (described in *res), BOOT_ENOIMAGE when none can,
 * or a negative flash error (e.g. FLASH_ERR_POWER when power was cut). */
int boot_go(const struct boot_config *cfg, struct boot_result *res);

/* Bootloader mode number reported by SMP OS command 8 for a strategy. */
int boot_strategy_mode(enum boot_strategy_id s);
const char *boot_strategy_name(enum boot_strategy_id s);
/* Largest image (header + body + TLVs) a slot can take with a strategy. */
uint32_t boot_max_image_size(const struct boot_config *cfg);

#endif
