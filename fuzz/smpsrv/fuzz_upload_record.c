/*
 * Fuzz target: the durable upload record page as a power cut, a torn erase
 * or a foreign writer may have left it. The page holds the input (the rest
 * erased); the server then lists the images and gets the first chunk of
 * the upload the page claims (its len and sha taken from the input), so it
 * reads the record, may resume from it, erase a slot sector and append
 * marks, all under the NOR rules of the flash model.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rsp_check.h"
#include "sim/flash_model.h"
#include "smp/cbor.h"
#include "smpsrv/smpsrv.h"

#define SLOT_SIZE 0x10000u
#define REC_OFF (2 * SLOT_SIZE)
#define PAGE 0x1000u

static struct flash_model fm;
static struct flash_area slot0, slot1, record;
static struct smpsrv_platform plat;
static const struct smpsrv_transport serial = { .buf_size = 1024, .buf_count = 2, .serial = true };
static struct smpsrv srv;
static uint8_t rsp_buf[1024];
static const struct smp_group *const groups[] = { &smp_group_os, &smp_group_img };


static void init(void)
{
    if (flash_model_init_ram(&fm, 2 * SLOT_SIZE + PAGE, PAGE, 4) != 0)
        abort();
    slot0 = (struct flash_area){ .id = FA_ID_SLOT0, .dev = &fm.dev, .off = 0, .size = SLOT_SIZE };
    slot1 = (struct flash_area){ .id = FA_ID_SLOT1, .dev = &fm.dev, .off = SLOT_SIZE,
                                 .size = SLOT_SIZE };
    record = (struct flash_area){ .id = FA_ID_STORAGE, .dev = &fm.dev, .off = REC_OFF,
                                  .size = PAGE };
    plat.slot0 = &slot0;
    plat.slot1 = &slot1;
    plat.upload_record = &record;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A request of (op, group, id) with body; answered into rsp_buf. */
static void call(uint8_t op, uint16_t group, uint8_t id, const uint8_t *body, size_t n)
{
    uint8_t pkt[8 + 128];
    pkt[0] = (uint8_t)(1 << 3 | op);
    pkt[1] = 0;
    pkt[2] = (uint8_t)(n >> 8);
    pkt[3] = (uint8_t)n;
    pkt[4] = (uint8_t)(group >> 8);
    pkt[5] = (uint8_t)group;
    pkt[6] = 0;
    pkt[7] = id;
    if (n)
        memcpy(pkt + 8, body, n);
    struct rsp_check c;
    rsp_check_begin(&c, pkt, 8 + n, rsp_buf, sizeof rsp_buf, false);
    rsp_check_end(&c, smpsrv_process(&srv, &serial, pkt, 8 + n, rsp_check_emit, &c));
}

/* The first chunk of the upload the page claims: header magic first. */
static void first_chunk(const uint8_t *page)
{
    static const uint8_t hdr[32] = { 0x3d, 0xb8, 0xf3, 0x96, 0, 0, 0, 0, 0x20 };
    uint8_t body[128];
    struct cbor_writer w;

    cbor_writer_init(&w, body, sizeof body);
    cbor_open_map(&w, 4);
    cbor_put_str(&w, "len");
    cbor_put_uint(&w, le32(page + 4));
    cbor_put_str(&w, "sha");
    cbor_put_bytes(&w, page + 16, page[12] <= 32 ? page[12] : 32);
    cbor_put_str(&w, "off");
    cbor_put_uint(&w, 0);
    cbor_put_str(&w, "data");
    cbor_put_bytes(&w, hdr, sizeof hdr);
    if (w.status == CBOR_OK)
        call(SMP_OP_WRITE, SMP_GROUP_IMAGE, 1, body, w.len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        init();
        ready = 1;
    }
    memset(fm.mem, 0xff, fm.size);
    memcpy(fm.mem + REC_OFF, data, size < PAGE ? size : PAGE);
    smpsrv_init(&srv, groups, sizeof groups / sizeof groups[0], &plat, rsp_buf,
                sizeof rsp_buf);
    call(SMP_OP_READ, SMP_GROUP_IMAGE, 0, NULL, 0);
    if (size >= 48)
        first_chunk(fm.mem + REC_OFF);
    call(SMP_OP_READ, SMP_GROUP_IMAGE, 0, NULL, 0);
    return 0;
}
