/*
 * The flash port (see flash.h): the window is the source of truth while
 * the firmware runs; the host file follows every change.
 */
#include "flash.h"

#include <string.h>

#include "board.h"
#include "layout.h"
#include "semihost.h"

#define FLASH_FILE "flash.bin"
#define ERASED 0xffu

/* The window's base address (0x0) from the linker script: an object the
 * compiler cannot prove null, unlike a constant 0. */
extern uint8_t __flash_window[];

static int flash_fd = -1;

/* Fault injection for the tests, as mcusim's --fail-after: a file
 * "powercut" beside flash.bin holding N makes the bootloader stop before
 * its Nth program or erase, as if the power failed there; the test then
 * kills QEMU and starts it again without the file. 0: not armed. */
#define POWERCUT_FILE "powercut"
static uint32_t powercut_at, flash_ops;

static void read_powercut(void)
{
    char text[12] = { 0 };
    int fd = semihost_open_rw(POWERCUT_FILE);
    if (fd < 0)
        return;
    long len = semihost_flen(fd);
    bool ok = len > 0 && len < (long)sizeof text && semihost_read(fd, text, (size_t)len) == 0;
    semihost_close(fd);
    if (!ok)
        return;
    for (const char *p = text; *p >= '0' && *p <= '9'; p++)
        powercut_at = powercut_at * 10 + (uint32_t)(*p - '0');
}

/* Counts a program or erase; at the armed one the board stops for good. */
static void powercut_check(void)
{
    if (!powercut_at || ++flash_ops < powercut_at)
        return;
    console_line_u("flash: power cut (fault injection) before flash operation ",
                   powercut_at, "");
    watchdog_stop();
    for (;;)
        __asm__ volatile("wfi");
}

static int fw_read(void *ctx, uint32_t addr, void *buf, size_t len)
{
    (void)ctx;
    if (addr > FLASH_SIZE || len > FLASH_SIZE - addr)
        return FLASH_ERR_BOUNDS;
    memcpy(buf, __flash_window + addr, len);
    return FLASH_OK;
}

/* The window's bytes [addr, addr+len) to the host file. */
static int write_through(uint32_t addr, size_t len)
{
    if (flash_fd < 0 || semihost_seek(flash_fd, addr) != 0 ||
        semihost_write(flash_fd, __flash_window + addr, len) != 0)
        return FLASH_ERR_IO;
    return FLASH_OK;
}

static int fw_prog(void *ctx, uint32_t addr, const void *buf, size_t len)
{
    (void)ctx;
    if (addr > FLASH_SIZE || len > FLASH_SIZE - addr)
        return FLASH_ERR_BOUNDS;
    if (addr % FLASH_WRITE_ALIGN || len % FLASH_WRITE_ALIGN)
        return FLASH_ERR_ALIGN;
    for (size_t i = 0; i < len; i++)
        if (__flash_window[addr + i] != ERASED)
            return FLASH_ERR_NOT_ERASED;
    powercut_check();
    memcpy(__flash_window + addr, buf, len);
    return write_through(addr, len);
}

static int fw_erase(void *ctx, uint32_t addr, size_t len)
{
    (void)ctx;
    if (addr > FLASH_SIZE || len > FLASH_SIZE - addr)
        return FLASH_ERR_BOUNDS;
    if (addr % FLASH_SECTOR_SIZE || len % FLASH_SECTOR_SIZE)
        return FLASH_ERR_ALIGN;
    powercut_check();
    memset(__flash_window + addr, ERASED, len);
    return write_through(addr, len);
}

static const struct flash_dev flash_dev = {
    .read = fw_read,
    .prog = fw_prog,
    .erase = fw_erase,
    .size = FLASH_SIZE,
    .write_align = FLASH_WRITE_ALIGN,
    .sector_size = FLASH_SECTOR_SIZE,
    .erased_val = ERASED,
};

static const struct flash_area areas[] = {
    [FA_ID_BOOT] = { FA_ID_BOOT, &flash_dev, FLASH_BOOT_OFF, FLASH_BOOT_SIZE },
    [FA_ID_SLOT0] = { FA_ID_SLOT0, &flash_dev, FLASH_SLOT0_OFF, FLASH_SLOT_SIZE },
    [FA_ID_SLOT1] = { FA_ID_SLOT1, &flash_dev, FLASH_SLOT1_OFF, FLASH_SLOT_SIZE },
    [FA_ID_SCRATCH] = { FA_ID_SCRATCH, &flash_dev, FLASH_SCRATCH_OFF, FLASH_SCRATCH_SIZE },
    [FA_ID_STORAGE] = { FA_ID_STORAGE, &flash_dev, FLASH_SCRATCH_OFF,
                        FLASH_SCRATCH_SIZE - FLASH_SECTOR_SIZE },
};

static const struct flash_area upload_record = {
    FA_ID_STORAGE, &flash_dev, FLASH_SCRATCH_OFF + FLASH_SCRATCH_SIZE - FLASH_SECTOR_SIZE,
    FLASH_SECTOR_SIZE,
};

int board_flash_open(bool load)
{
    flash_fd = semihost_open_rw(FLASH_FILE);
    if (flash_fd < 0 || semihost_flen(flash_fd) != (long)FLASH_SIZE)
        return FLASH_ERR_IO;
    if (!load)
        return FLASH_OK;
    read_powercut();
    uint32_t from = FLASH_BOOT_OFF + FLASH_BOOT_SIZE;
    if (semihost_seek(flash_fd, from) != 0 ||
        semihost_read(flash_fd, __flash_window + from, FLASH_SIZE - from) != 0)
        return FLASH_ERR_IO;
    return FLASH_OK;
}

const struct flash_area *board_flash_area(enum flash_area_id id)
{
    return &areas[id];
}

const struct flash_area *board_upload_record(bool scratch_in_use)
{
    return scratch_in_use ? NULL : &upload_record;
}

const uint8_t *board_flash_ptr(uint32_t addr)
{
    return __flash_window + addr;
}
