/*
 * A NOR flash model that enforces the flash_dev contract the way a real
 * part would punish breaking it: erase sets a whole sector to the erased
 * value, a program may only touch erased bytes at aligned addresses. It
 * counts every operation, can cut power after N program/erase operations
 * (optionally leaving the interrupted one half done, a "torn" write), and
 * can take as long as a real nRF52840 page erase / word write.
 *
 * Backed by RAM (tests) or by a file mapped into memory (mcusim's
 * flash.bin: file offset = flash address, survives restarts).
 */
#ifndef SIM_FLASH_MODEL_H
#define SIM_FLASH_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/flash_area.h"

struct flash_stats {
    uint64_t reads;
    uint64_t progs;
    uint64_t erases;          /* erase calls */
    uint64_t sectors_erased;
    uint64_t bytes_read;
    uint64_t bytes_programmed;
    uint64_t bytes_erased;
    uint64_t violations;      /* programs over non-erased bytes (refused) */
};

struct flash_model {
    struct flash_dev dev;     /* hand &m->dev to flash areas */
    uint8_t *mem;
    size_t size;
    bool file_backed;
    struct flash_stats stats;
    /* power-cut injection */
    long fail_after;          /* program/erase ops allowed before the cut; -1 = never */
    bool torn;                /* the cut op is left half done */
    bool powered_off;         /* every op fails until flash_model_power_on */
    /* optional timing of a real part */
    uint32_t erase_us;        /* per sector */
    uint32_t word_write_ns;   /* per 4-byte word */
};

int flash_model_init_ram(struct flash_model *m, uint32_t size,
                         uint32_t sector_size, uint32_t write_align);
/* Opens (creating, all erased, if missing) a file of exactly size bytes. */
int flash_model_open_file(struct flash_model *m, const char *path, uint32_t size,
                          uint32_t sector_size, uint32_t write_align);
void flash_model_close(struct flash_model *m);
/* Flushes a file-backed model to disk. */
int flash_model_sync(struct flash_model *m);

/* Allow n more program/erase operations, then cut power (n < 0: never). */
void flash_model_fail_after(struct flash_model *m, long n, bool torn);
/* Power comes back (a reset): operations work again, counters kept. */
void flash_model_power_on(struct flash_model *m);
void flash_model_reset_stats(struct flash_model *m);
void flash_model_set_timing(struct flash_model *m, uint32_t erase_us,
                            uint32_t word_write_ns);

#endif
