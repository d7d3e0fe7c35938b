/*
 * Fuzz target: whole transport packets into smpsrv_process, with every
 * group registered and a board whose callbacks answer plausibly, over a
 * small RAM NOR flash that enforces the programming rules. Flash is
 * restored to erased whenever an input changed it, so inputs replay alike.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/flash_model.h"
#include "smpsrv/smpsrv.h"

#define SLOT_SIZE 0x10000u
#define FLASH_SIZE (3 * SLOT_SIZE)

static struct flash_model fm;
static struct flash_area slot0, slot1;
static struct smpsrv_platform plat;
static struct smpsrv srv;
static uint8_t rsp_buf[1024];
static int initialised;

static int board_reset(void *ctx, bool force)
{
    (void)ctx;
    return force ? 0 : 0;
}

static int board_gate(void *ctx, const char **rsn)
{
    (void)ctx;
    (void)rsn;
    return 0;
}

static const struct smp_group *const groups[] = {
    &smp_group_os, &smp_group_img,
};

static void emit(void *arg, const uint8_t *msg, size_t len)
{
    /* a response always starts with a whole header and fits the buffer */
    if (len < 8 || len > sizeof rsp_buf || msg != rsp_buf)
        abort();
    (void)arg;
}

static void init(void)
{
    if (flash_model_init_ram(&fm, FLASH_SIZE, 0x1000, 4) != 0)
        abort();
    slot0 = (struct flash_area){ .id = FA_ID_SLOT0, .dev = &fm.dev, .off = SLOT_SIZE,
                                 .size = SLOT_SIZE };
    slot1 = (struct flash_area){ .id = FA_ID_SLOT1, .dev = &fm.dev, .off = 2 * SLOT_SIZE,
                                 .size = SLOT_SIZE };
    plat.slot0 = &slot0;
    plat.slot1 = &slot1;
    plat.boot_mode = 3;
    plat.buf_size = sizeof rsp_buf;
    plat.buf_count = 2;
    plat.reset = board_reset;
    plat.image_gate = board_gate;
    initialised = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!initialised)
        init();
    smpsrv_init(&srv, groups, sizeof groups / sizeof groups[0], &plat, rsp_buf,
                sizeof rsp_buf);
    uint64_t changes = fm.stats.progs + fm.stats.erases;
    smpsrv_process(&srv, data, size, emit, NULL);
    /* twice: the second run sees the session and flash the first left */
    smpsrv_process(&srv, data, size, emit, NULL);
    if (fm.stats.progs + fm.stats.erases != changes)
        memset(fm.mem, 0xff, fm.size);
    return 0;
}
