/*
 * Fuzz target: MCUboot header and TLV parsing and validation over a memory
 * buffer, as the bootloader and the SMP image group run them on bytes that
 * came from outside. Checks the parser's promises, not just "no crash":
 * every TLV it reports lies inside the image it measured. The host-side
 * readers of image files (imgtool verify and dumpinfo) get the same bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "image/dumpinfo.h"
#include "image/image.h"
#include "image/verify.h"

/* The throw-away Ed25519 key that signed the seeds (corpus/gen_seeds.py). */
static const uint8_t trusted_ed25519[] = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
    0x03, 0xa1, 0x07, 0xbf, 0xf3, 0xce, 0x10, 0xbe, 0x1d, 0x70, 0xdd, 0x18,
    0xe7, 0x4b, 0xc0, 0x99, 0x67, 0xe4, 0xd6, 0x30, 0x9b, 0xa5, 0x0d, 0x5f,
    0x1d, 0xdc, 0x86, 0x64, 0x12, 0x55, 0x31, 0xb8,
};

struct bounds {
    const struct image_info *info;
};

static int check_tlv(void *arg, bool prot, uint16_t type, uint32_t off, uint16_t len)
{
    const struct image_info *info = ((struct bounds *)arg)->info;
    uint32_t lo = prot ? info->prot_tlv_off : info->tlv_off;
    uint32_t hi = prot ? info->tlv_off : info->total_size;
    (void)type;
    if (off < lo || (uint64_t)off + len > hi)
        abort(); /* the parser handed out an entry outside its block */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct image_mem mem = { data, size };
    uint32_t area = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
    struct image_info info;
    int rc = image_read_info(image_mem_read, &mem, area, &info);
    if (rc == IMAGE_OK) {
        if (info.total_size > area || info.tlv_off < info.prot_tlv_off)
            abort();
        struct bounds b = { &info };
        (void)image_tlv_foreach(image_mem_read, &mem, &info, check_tlv, &b);
    }
    (void)image_strerror(rc);

    const struct image_key keys[] = { { trusted_ed25519, sizeof trusted_ed25519 } };
    int matched = 7;
    (void)image_validate(image_mem_read, &mem, area, NULL, 0, &info, &matched);
    rc = image_validate(image_mem_read, &mem, area, keys, 1, &info, &matched);
    if ((rc == IMAGE_OK) != (matched == 0))
        abort(); /* a verified image must name the key that verified it */

    struct img_verify_report rep;
    (void)img_verify_buffer(data, size, NULL, &rep);
    static FILE *sink;
    if (!sink)
        sink = fopen("/dev/null", "w");
    char err[256];
    for (int fmt = IMG_DUMP_HUMAN; sink && fmt <= IMG_DUMP_JSON; fmt++)
        (void)img_dumpinfo(data, size, "fuzz.bin", (enum img_dump_format)fmt, sink, err, sizeof err);
    return 0;
}
