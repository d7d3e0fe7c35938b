/*
 * Fuzz target: the trailer reader, the app-side requests and boot_go on
 * arbitrary slot contents. Input: byte 0 selects the strategy (bits 0-1),
 * the write alignment (bits 2-3: 1, 2, 4, 8) and downgrade prevention
 * (bit 4), a board image-encryption key (bit 7: a fixed X25519 key, so
 * encrypted slots and enc-key records in the trailer are decoded); the
 * rest is split in two halves copied raw to the start of slot
 * 0 and slot 1, and the last 3200 bytes of each half also to that slot's
 * end (its trailer with the swap-status area). Oracles: no crash or sanitizer report, the flash model
 * never sees a program over unerased bytes, and whatever boot_go says
 * boots really validates.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/bootutil.h"
#include "sim/flash_model.h"

#define SECTOR 1024u
#define SLOT (24 * SECTOR)
/* the whole trailer, swap-status area included (align 8: 3120 bytes) */
#define TAIL 3200u

static void place(struct flash_model *m, uint32_t base, const uint8_t *d, size_t n)
{
    if (n > SLOT)
        n = SLOT;
    memcpy(m->mem + base, d, n);
    size_t t = n < TAIL ? n : TAIL;
    memcpy(m->mem + base + SLOT - t, d + n - t, t);
}

/* PKCS#8 of a fixed X25519 private key (any 32 bytes are one). */
static const uint8_t enc_der[48] = {
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04,
    0x20, 0x58, 0x3b, 0x11, 0x97, 0x0c, 0xa2, 0x5e, 0x41, 0x6d, 0x90, 0x23, 0xbe, 0x7f, 0x04,
    0xc8, 0x55, 0x1a, 0xe3, 0x62, 0x39, 0x8d, 0x07, 0xf4, 0x2c, 0x96, 0x4b, 0xd0, 0x13, 0x7a,
    0x85, 0xec, 0x21,
};

/* FUZZ_BOOT_VERBOSE=1 prints the boot log (to see what a seed reaches). */
static void print_line(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "%s\n", line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const uint32_t aligns[4] = { 1, 2, 4, 8 };
    struct flash_model m;
    if (flash_model_init_ram(&m, 2 * SLOT + 4 * SECTOR, SECTOR, aligns[(data[0] >> 2) & 3]))
        abort();
    struct flash_area pri = { FA_ID_SLOT0, &m.dev, 0, SLOT };
    struct flash_area sec = { FA_ID_SLOT1, &m.dev, SLOT, SLOT };
    struct flash_area scr = { FA_ID_SCRATCH, &m.dev, 2 * SLOT, 4 * SECTOR };
    size_t half = (size - 1) / 2;
    place(&m, 0, data + 1, half);
    place(&m, SLOT, data + 1 + half, size - 1 - half);

    struct boot_swap_state st;
    if (boot_read_swap_state(&pri, &st) || boot_read_swap_state(&sec, &st))
        abort();
    (void)boot_swap_type_peek(&pri, &sec);

    static const struct image_enc_key enc_key = { enc_der, sizeof enc_der };
    struct boot_config cfg = {
        .primary = &pri, .secondary = &sec, .scratch = &scr,
        .strategy = (enum boot_strategy_id)((data[0] & 3) % 3),
        .downgrade_prevention = (data[0] >> 4) & 1,
        .enc_key = (data[0] & 0x80) ? &enc_key : NULL,
        .log = getenv("FUZZ_BOOT_VERBOSE") ? print_line : NULL,
    };
    struct boot_result res;
    for (int i = 0; i < 2; i++) {
        int rc = boot_go(&cfg, &res);
        if (rc == 0) {
            struct image_info info;
            if (image_validate(fa_image_read, &pri, SLOT, NULL, 0, &info, NULL) != 0)
                abort(); /* boot_go said it boots: it must validate */
        }
        if (m.stats.violations)
            abort();
        if (i == 0 && (data[0] & 0x20)) {
            /* the application's requests on what the boot left */
            (void)boot_set_confirmed(&pri);
            (void)boot_set_pending(&sec, (data[0] & 0x40) != 0);
            if (m.stats.violations)
                abort();
        }
    }
    flash_model_close(&m);
    return 0;
}
