/*
 * Board profiles as data: flash geometry and the partition table, plus the
 * strings the firmware reports about its hardware. Adding a board means
 * adding one table here, not code.
 */
#ifndef SIM_PROFILE_H
#define SIM_PROFILE_H

#include <stddef.h>
#include <stdint.h>

struct sim_partition {
    uint8_t id;          /* enum flash_area_id */
    const char *name;
    uint32_t addr;       /* device-absolute */
    uint32_t size;
};

struct sim_profile {
    const char *name;          /* --profile NAME */
    const char *board;         /* Zephyr board name, reported by os info */
    const char *processor;
    const char *machine;
    uint32_t flash_size;
    uint32_t sector_size;
    uint32_t write_align;
    /* nRF52840 NVMC: page erase 85 ms, 32-bit word write 41 us */
    uint32_t erase_us;
    uint32_t word_write_ns;
    const struct sim_partition *parts;
    size_t nparts;
};

/* NULL when no profile has that name. */
const struct sim_profile *sim_profile_find(const char *name);
/* NULL when the profile has no partition with that id. */
const struct sim_partition *sim_profile_part(const struct sim_profile *p,
                                             uint8_t id);
/* Comma-separated names, for usage messages. */
const char *sim_profile_names(void);

#endif
