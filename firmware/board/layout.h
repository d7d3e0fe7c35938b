/*
 * The flash of the board and its partitions: an nRF52840's 1 MiB with
 * MCUboot's usual Zephyr layout (the layout the simulated board uses), so
 * the same images and the same host commands work on both:
 *
 *   boot     0x00000  48 KiB   the bootloader (fetched at reset from 0x0)
 *   slot0    0x0C000 472 KiB   the image that runs (linked at 0xC200)
 *   slot1    0x82000 472 KiB   the upload slot
 *   scratch  0xF8000  32 KiB   swap-using-scratch's scratch, else storage
 *                              (its last sector: the SMP upload record)
 *
 * 4 KiB sectors, 4-byte program unit, erased bytes read 0xff.
 */
#ifndef FW_LAYOUT_H
#define FW_LAYOUT_H

#define FLASH_SIZE 0x100000u
#define FLASH_SECTOR_SIZE 0x1000u
#define FLASH_WRITE_ALIGN 4u

#define FLASH_BOOT_OFF 0x00000u
#define FLASH_BOOT_SIZE 0x0C000u
#define FLASH_SLOT0_OFF 0x0C000u
#define FLASH_SLOT1_OFF 0x82000u
#define FLASH_SLOT_SIZE 0x76000u
#define FLASH_SCRATCH_OFF 0xF8000u
#define FLASH_SCRATCH_SIZE 0x08000u

/* imgtool sign -H: the header the application's vector table follows */
#define FW_IMAGE_HEADER_SIZE 0x200u

#endif
