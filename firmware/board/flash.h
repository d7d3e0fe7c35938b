/*
 * The board's flash port: one flash_dev (boot/flash_area.h) over the
 * memory-mapped flash window (the first MiB of SSRAM1, see board.h), and
 * the flash areas of layout.h on it.
 *
 * NOR semantics are enforced here, as a real part does: erase sets a
 * sector to 0xff, program only writes erased bytes (anything else is
 * FLASH_ERR_NOT_ERASED, as the simulated board's model answers), 4-byte
 * program unit, 4 KiB sectors. Every program and erase is written through
 * to the host file (semihosting) before it returns, so a reset or a killed
 * QEMU loses at most the operation in progress, like a power cut.
 */
#ifndef FW_FLASH_H
#define FW_FLASH_H

#include <stdbool.h>

#include "boot/flash_area.h"

/* Opens the flash file. With load, copies the file into the window above
 * the boot partition (the bootloader does this at every reset: the window
 * is RAM, which a QEMU restart clears; the bootloader itself is in the
 * boot partition and stays) and arms the test's power cut when a file
 * "powercut" says so (flash.c). Returns 0, or a negative FLASH_ERR_*. */
int board_flash_open(bool load);

const struct flash_area *board_flash_area(enum flash_area_id id);
/* The storage area without its last sector, and that sector: the SMP
 * server's durable upload record (swap-using-scratch owns the whole area:
 * NULL then). */
const struct flash_area *board_upload_record(bool scratch_in_use);

/* The window itself (reading the running image's header). */
const uint8_t *board_flash_ptr(uint32_t addr);

#endif
