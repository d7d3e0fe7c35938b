/*
 * Fuzz target: MCUboot header and TLV parsing and validation over a memory
 * buffer, as the bootloader and the SMP image group run them on bytes that
 * came from outside. Checks the parser's promises, not just "no crash":
 * every TLV it reports lies inside the image it measured, and the lenient
 * walk of the host tools sees the same entries on an image that parses.
 * The host-side readers of image files (imgtool verify and dumpinfo) get
 * the same bytes.
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

#define MAX_SEEN 64

struct bounds {
    const struct image_info *info;
    int n; /* entries seen; the first MAX_SEEN kept */
    struct { bool prot; uint16_t type, len; uint32_t off; } seen[MAX_SEEN];
};

static int check_tlv(void *arg, bool prot, uint16_t type, uint32_t off, uint16_t len)
{
    struct bounds *b = arg;
    const struct image_info *info = b->info;
    uint32_t lo = prot ? info->prot_tlv_off : info->tlv_off;
    uint32_t hi = prot ? info->tlv_off : info->total_size;
    if (off < lo || (uint64_t)off + len > hi)
        abort(); /* the parser handed out an entry outside its block */
    if (b->n < MAX_SEEN) {
        b->seen[b->n].prot = prot;
        b->seen[b->n].type = type;
        b->seen[b->n].len = len;
        b->seen[b->n].off = off;
    }
    b->n++;
    return 0;
}

/* Walks both blocks leniently, as imgtool verify and dumpinfo do, and
 * compares with what the strict walk saw. */
static void lenient_walk_agrees(struct image_mem *mem, const struct image_info *info,
                                const struct bounds *strict, uint32_t area)
{
    struct bounds lenient = { .info = info };
    struct image_tlv_block prot = { info->prot_tlv_off, info->hdr.protect_tlv_size, true };
    struct image_tlv_block unprot = { info->tlv_off,
                                      (uint16_t)(info->total_size - info->tlv_off), false };
    if ((info->hdr.protect_tlv_size &&
         image_tlv_walk_lenient(image_mem_read, mem, &prot, area, check_tlv, &lenient, NULL)) ||
        image_tlv_walk_lenient(image_mem_read, mem, &unprot, area, check_tlv, &lenient, NULL))
        abort(); /* a whole image must walk leniently too */
    if (lenient.n != strict->n)
        abort();
    for (int i = 0; i < lenient.n && i < MAX_SEEN; i++)
        if (lenient.seen[i].prot != strict->seen[i].prot ||
            lenient.seen[i].type != strict->seen[i].type ||
            lenient.seen[i].len != strict->seen[i].len ||
            lenient.seen[i].off != strict->seen[i].off)
            abort();
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
        struct bounds b = { .info = &info };
        if (image_tlv_foreach(image_mem_read, &mem, &info, check_tlv, &b) == IMAGE_OK)
            lenient_walk_agrees(&mem, &info, &b, area);
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
