/*
 * The board profiles. nRF52840 with MCUboot's usual Zephyr layout:
 * 48 KiB bootloader, two 472 KiB image slots, a 32 KiB area at the top
 * used as scratch by swap-using-scratch and as storage otherwise.
 */
#include "sim/profile.h"

#include <string.h>

#include "boot/flash_area.h"

static const struct sim_partition nrf52840_parts[] = {
    { FA_ID_BOOT, "boot", 0x00000, 0x0C000 },
    { FA_ID_SLOT0, "slot0", 0x0C000, 0x76000 },
    { FA_ID_SLOT1, "slot1", 0x82000, 0x76000 },
    { FA_ID_SCRATCH, "scratch", 0xF8000, 0x08000 },
    { FA_ID_STORAGE, "storage", 0xF8000, 0x08000 },
};

static const struct sim_profile profiles[] = {
    {
        .name = "nrf52840",
        .board = "nrf52840dk_nrf52840",
        .processor = "cortex-m4",
        .machine = "arm",
        .flash_size = 0x100000,
        .sector_size = 0x1000,
        .write_align = 4,
        .erase_us = 85000,
        .word_write_ns = 41000,
        .parts = nrf52840_parts,
        .nparts = sizeof nrf52840_parts / sizeof nrf52840_parts[0],
    },
};

const struct sim_profile *sim_profile_find(const char *name)
{
    for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++)
        if (name && strcmp(profiles[i].name, name) == 0)
            return &profiles[i];
    return NULL;
}

const struct sim_partition *sim_profile_part(const struct sim_profile *p,
                                             uint8_t id)
{
    for (size_t i = 0; i < p->nparts; i++)
        if (p->parts[i].id == id)
            return &p->parts[i];
    return NULL;
}

const char *sim_profile_names(void)
{
    return "nrf52840";
}
