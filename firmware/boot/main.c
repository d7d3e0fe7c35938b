/*
 * The bootloader of the board: our boot/ library (boot_go) with the
 * trusted key(s) built in and the strategy chosen at build time
 * (FW_BOOT_STRATEGY). It starts the watchdog, which then runs for good
 * (as a chip's watchdog does once started): the application must feed it,
 * and one that crashes or hangs is reset, the bootloader then reverts a
 * test image that was never confirmed. Its decisions go to the console;
 * the boot library feeds the watchdog through boot_watchdog_feed()
 * (board.c) while it copies, erases and hashes.
 */
#include <stdint.h>

#include "board.h"
#include "boot/bootutil.h"
#include "flash.h"
#include "keys.h"
#include "layout.h"

#ifndef FW_BOOT_STRATEGY
#define FW_BOOT_STRATEGY BOOT_STRATEGY_SWAP_MOVE
#endif

#define SCB_VTOR (*(volatile uint32_t *)0xE000ED08u)

static void boot_log(void *ctx, const char *line)
{
    (void)ctx;
    console_line(line, NULL);
}

static struct boot_result result;

/* Nothing can boot: say why and stop, with the watchdog stopped too
 * (resetting would not change the flash). */
static void halt(const char *why, const char *detail)
{
    console_line(why, detail);
    watchdog_stop();
    for (;;)
        __asm__ volatile("wfi");
}

/* The image's own vector table follows its header in slot 0: its stack
 * pointer and reset handler. */
static void __attribute__((noreturn)) jump_to_image(uint32_t vectors)
{
    const uint32_t *vt = (const uint32_t *)board_flash_ptr(vectors);
    systick_stop();
    __asm__ volatile("cpsid i" ::: "memory");
    SCB_VTOR = vectors;
    __asm__ volatile("dsb\n\tisb\n\t"
                     "msr msp, %0\n\t"
                     "cpsie i\n\t"
                     "bx %1" ::"r"(vt[0]), "r"(vt[1]) : "memory");
    __builtin_unreachable();
}

int main(void)
{
    uart_init(false);
    systick_init();
    watchdog_start();
    const struct boot_config cfg = {
        .primary = board_flash_area(FA_ID_SLOT0),
        .secondary = board_flash_area(FA_ID_SLOT1),
        .scratch = board_flash_area(FA_ID_SCRATCH),
        .strategy = FW_BOOT_STRATEGY,
        .keys = fw_keys,
        .nkeys = fw_nkeys,
        .log = boot_log,
    };
    console_line("*** Booting mcutools bootloader on " BOARD_NAME " ***", NULL);
    console_line("I: trusted key: ", fw_key_type);
    if (board_flash_open(true) != FLASH_OK)
        halt("E: flash: cannot open flash.bin through semihosting ",
             "(qemu -semihosting-config enable=on,target=native, run in the state folder)");
    watchdog_feed();
    /* the time of the boot proper (under QEMU's -icount shift=0 one
     * microsecond is a thousand instructions: bench/firmware) */
    uint32_t t0 = board_uptime_us();
    int rc = boot_go(&cfg, &result);
    console_line_u("I: boot_go took ", board_uptime_us() - t0, " us");
    watchdog_feed();
    if (rc != 0)
        halt("E: Unable to find bootable image: ",
             result.reason[0] ? result.reason : boot_errname(rc));
    char ver[32];
    image_version_fmt(&result.image.hdr.ver, ver, sizeof ver);
    console_line("I: Jumping to the first image slot: v", ver);
    jump_to_image(FLASH_SLOT0_OFF + result.image.hdr.hdr_size);
}
