/*
 * Private to src/boot: the trailer write helpers shared by the app-side
 * calls and the bootloader, and the small interface every upgrade strategy
 * implements (swap_move.c, swap_scratch.c, overwrite_only.c). Nothing here
 * is part of the contract other libraries code against.
 */
#ifndef BOOT_BOOT_PRIV_H
#define BOOT_BOOT_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/bootutil.h"

/* Byte 0 of a set flag (image_ok, copy_done) and of a status record. */
#define BOOT_FLAG_SET_VAL 0x01

/* ---- trailer (trailer.c) ---- */

/* Writes one trailer unit (write_align bytes, value in byte 0, the rest
 * erased) at off unless it already holds exactly that: a unit that holds
 * something else is BOOT_EBADSTATUS, never programmed over (NOR rule). */
int boot_write_unit_once(const struct flash_area *fa, uint32_t off, uint8_t val);
int boot_write_magic(const struct flash_area *fa);
int boot_write_image_ok(const struct flash_area *fa);
int boot_write_copy_done(const struct flash_area *fa);
int boot_write_swap_info(const struct flash_area *fa, uint8_t swap_type, uint8_t image_num);
int boot_write_swap_size(const struct flash_area *fa, uint32_t swap_size);
int boot_read_swap_size(const struct flash_area *fa, uint32_t *swap_size);
/* Erases the sectors holding the trailer (the slot's last sector(s)). */
int boot_erase_trailer_sectors(const struct flash_area *fa);
/* First byte of the trailer's reserved region for a strategy: everything
 * from here to the slot end belongs to the trailer. */
uint32_t boot_trailer_start(const struct flash_area *fa, unsigned state_count);
/* The table of MCUboot on two decoded trailers. */
int boot_swap_type_from_states(const struct boot_swap_state *pri,
                               const struct boot_swap_state *sec);

/* ---- strategies (swap_common.c and one file each) ---- */

struct boot_ctx;

struct boot_strategy {
    enum boot_strategy_id id;
    const char *name;
    int mode;                 /* SMP OS bootloader mode number */
    unsigned state_count;     /* swap-status records per step, 0 = none */
    bool can_revert;
    /* Largest image (header to last TLV) the strategy can move. */
    uint32_t (*max_image_size)(const struct boot_config *cfg);
    /* Layout checks before anything is touched (sizes, scratch present). */
    int (*check_layout)(const struct boot_config *cfg, char *why, size_t cap);
    /* Number of steps for swap_size bytes (each step has state_count
     * records); used to locate the resume point. */
    uint32_t (*step_count)(const struct boot_config *cfg, uint32_t swap_size);
    /* Runs step `step`, state `state` (1-based), idempotently: it may have
     * been cut half way before and is redone from its untouched source. */
    int (*run_state)(const struct boot_config *cfg, uint32_t swap_size,
                     uint32_t step, unsigned state);
    /* Overwrite-only has no status records: the whole copy is one step
     * redone until the secondary's trailer is erased. */
    int (*overwrite)(const struct boot_config *cfg, uint32_t copy_size);
};

const struct boot_strategy *boot_strategy_get(enum boot_strategy_id id);
extern const struct boot_strategy boot_strategy_swap_move;
extern const struct boot_strategy boot_strategy_swap_scratch;
extern const struct boot_strategy boot_strategy_overwrite_only;

/* swap_common.c */
/* Erases dst_fa sectors [dst_off, dst_off+len) and copies len bytes from
 * src_fa at src_off into them. len is a multiple of the sector size. */
int boot_copy_region(const struct flash_area *dst_fa, uint32_t dst_off,
                     const struct flash_area *src_fa, uint32_t src_off, uint32_t len);
int boot_erase_region(const struct flash_area *fa, uint32_t off, uint32_t len);
uint32_t boot_sectors_for(const struct flash_area *fa, uint32_t len);
/* Status record of (step, state) in the primary trailer. */
int boot_status_is_written(const struct boot_config *cfg, const struct boot_strategy *s,
                           uint32_t step, unsigned state, bool *written);
int boot_status_write(const struct boot_config *cfg, const struct boot_strategy *s,
                      uint32_t step, unsigned state);
/* Runs (or resumes) every step of a swap of swap_size bytes, from the
 * first whose record is not written yet. */
int boot_swap_run(const struct boot_config *cfg, const struct boot_strategy *s,
                  uint32_t swap_size);
/* True when the primary trailer shows a swap that started and did not finish. */
int boot_swap_interrupted(const struct boot_config *cfg, const struct boot_strategy *s,
                          bool *interrupted);

#endif
