/*
 * The durable upload record: what an image upload into slot 1 leaves in
 * flash so that, after a power cut or a reset, the same upload (same sha,
 * same len) continues from the last whole sector instead of offset 0, and
 * so that slot 1 is known to hold a half-written image meanwhile.
 *
 * Where: the first sector of plat->upload_record, a flash area of its own
 * that no bootloader reads (never part of a slot, so never mistaken for a
 * trailer). On mcusim it is the last page of the storage partition.
 *
 * Layout (little endian; U = a "unit", 4 bytes or the write alignment if
 * larger; a unit holds one 4-byte word repeated):
 *
 *   [0, H)        header: magic "UPR1", upload length, slot 1's sector size,
 *                 sha length, delta flag (1: the upload is a delta patch,
 *                 which gets no sector marks), 2 zero bytes, sha (32 bytes,
 *                 zero padded);
 *                 H = 48 rounded up to U
 *   [H, H+U)      commit: v = CRC-16 of the header
 *   [H+U, end)    marks, appended one unit each: v = c (sectors [0, c) of
 *                 slot 1 are programmed) or UPLOAD_RECORD_COMPLETE
 *
 * Each word is v (16 bits) then ~v: a unit whose program was cut part way
 * (some bits still erased) or whose erase was cut part way (some bits back
 * to erased) fails the complement and reads as not written. Invariants:
 *
 *  1. A record exists only with a whole header and a valid commit. It is
 *     begun erase-before-program (erase, header, commit) before the first
 *     byte of its upload reaches slot 1, and erased (invalidated) before
 *     slot 1 is erased, marked for test, or written by another upload.
 *  2. Marks only append: the next one goes after the last unit that is not
 *     blank, so a torn unit is skipped, never programmed twice. Reading
 *     takes the largest valid count, which is always true: a mark is
 *     written only once its sectors are programmed.
 *  3. Hence only sector `done` can hold half-written data (the writer marks
 *     a sector before it erases the next one, img_write.c); a resume
 *     erases it again before using it.
 *
 * A cut while the record is erased leaves either no record (the upload
 * starts over) or the old one, still true since slot 1 was not touched
 * yet (invariant 1). No malloc; bounded reads.
 */
#include <string.h>

#include "smp/serial.h"
#include "smpsrv/groups/img_priv.h"

#define REC_MAGIC 0x31525055u /* "UPR1" */
#define REC_HEADER_BYTES 48u
#define REC_UNIT_MAX 32u
#define REC_SCAN_BYTES 256u   /* units read at once while scanning the marks */

static uint32_t unit_size(const struct flash_area *area)
{
    uint32_t a = fa_align(area);
    return a > 4 ? a : 4;
}

static uint32_t header_size(const struct flash_area *area)
{
    uint32_t u = unit_size(area);
    return (REC_HEADER_BYTES + u - 1) / u * u;
}

bool upload_record_usable(const struct flash_area *area)
{
    return area && area->dev && unit_size(area) <= REC_UNIT_MAX &&
           area->size >= fa_sector_size(area) &&
           fa_sector_size(area) >= header_size(area) + 2 * unit_size(area);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void unit_fill(uint8_t *unit, uint32_t size, uint16_t v)
{
    const uint8_t word[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)~v,
                              (uint8_t)(~v >> 8) };

    for (uint32_t i = 0; i < size; i++)
        unit[i] = word[i % 4];
}

/* The unit's value; -1 when torn or foreign, -2 when blank. */
static int unit_value(const uint8_t *unit, uint32_t size, uint8_t erased)
{
    bool blank = true;

    for (uint32_t i = 0; i < size; i++)
        blank = blank && unit[i] == erased;
    if (blank)
        return -2;
    for (uint32_t i = 4; i < size; i++)
        if (unit[i] != unit[i % 4])
            return -1;
    uint16_t v = (uint16_t)(unit[0] | unit[1] << 8);
    uint16_t nv = (uint16_t)(unit[2] | unit[3] << 8);
    return (uint32_t)v + nv == 0xffffu ? v : -1; /* nv is ~v */
}

static void header_bytes(uint8_t *h, uint32_t size, uint32_t len, uint32_t slot_sector,
                         const uint8_t *sha, uint8_t sha_len, bool delta)
{
    memset(h, 0, size);
    put_le32(h, REC_MAGIC);
    put_le32(h + 4, len);
    put_le32(h + 8, slot_sector);
    h[12] = sha_len;
    h[13] = delta;
    if (sha_len)
        memcpy(h + 16, sha, sha_len);
}

int upload_record_clear(const struct flash_area *area)
{
    uint32_t sec;
    int blank;

    if (!upload_record_usable(area))
        return 0;
    sec = fa_sector_size(area);
    blank = fa_is_erased(area, 0, sec);
    if (blank < 0)
        return blank;
    return blank ? 0 : fa_erase(area, 0, sec);
}

int upload_record_begin(const struct flash_area *area, uint32_t slot_sector, uint32_t len,
                        const uint8_t *sha, uint8_t sha_len, bool delta, uint32_t *next_unit)
{
    uint8_t h[REC_HEADER_BYTES + REC_UNIT_MAX], commit[REC_UNIT_MAX];
    uint32_t hs = header_size(area), us = unit_size(area);
    int rc = upload_record_clear(area);

    if (sha_len > SHA256_LEN)
        return FLASH_ERR_BOUNDS;
    header_bytes(h, hs, len, slot_sector, sha, sha_len, delta);
    unit_fill(commit, us, crc16_xmodem(0, h, REC_HEADER_BYTES));
    if (rc == 0)
        rc = fa_write(area, 0, h, hs);
    if (rc == 0)
        rc = fa_write(area, hs, commit, us);
    *next_unit = 0;
    return rc;
}

int upload_record_mark(const struct flash_area *area, uint32_t *next_unit, uint16_t value)
{
    uint8_t unit[REC_UNIT_MAX];
    uint32_t us = unit_size(area);
    uint32_t at = header_size(area) + us * (1 + *next_unit);

    if (at + us > fa_sector_size(area))
        return UPLOAD_RECORD_EFULL;
    unit_fill(unit, us, value);
    int rc = fa_write(area, at, unit, us);
    if (rc == 0)
        (*next_unit)++;
    return rc;
}

/* Reads the header and its commit; 1 when they make a record. */
static int read_header(const struct flash_area *area, uint32_t slot_sector,
                       struct upload_record *r)
{
    uint8_t h[REC_HEADER_BYTES + REC_UNIT_MAX], commit[REC_UNIT_MAX];
    uint32_t hs = header_size(area), us = unit_size(area);
    int rc = fa_read(area, 0, h, hs);

    if (rc == 0)
        rc = fa_read(area, hs, commit, us);
    if (rc != 0)
        return rc;
    if (le32_of(h) != REC_MAGIC || le32_of(h + 8) != slot_sector || h[12] > SHA256_LEN ||
        h[13] > 1 ||
        unit_value(commit, us, fa_erased_val(area)) != crc16_xmodem(0, h, REC_HEADER_BYTES))
        return 0;
    r->len = le32_of(h + 4);
    r->sha_len = h[12];
    r->delta = h[13];
    memcpy(r->sha, h + 16, SHA256_LEN);
    return 1;
}

/* Invariant 2: every unit is looked at, the largest count wins. */
static int scan_marks(const struct flash_area *area, struct upload_record *r)
{
    uint8_t buf[REC_SCAN_BYTES];
    uint32_t us = unit_size(area), first = header_size(area) + us;
    uint32_t units = (fa_sector_size(area) - first) / us, per = REC_SCAN_BYTES / us;

    for (uint32_t i = 0; i < units; i += per) {
        uint32_t n = units - i < per ? units - i : per;
        int rc = fa_read(area, first + i * us, buf, n * us);
        if (rc != 0)
            return rc;
        for (uint32_t k = 0; k < n; k++) {
            int v = unit_value(buf + k * us, us, fa_erased_val(area));
            if (v != -2)
                r->next_unit = i + k + 1;
            if (v == UPLOAD_RECORD_COMPLETE)
                r->complete = true;
            else if (v > 0 && (uint32_t)v > r->done)
                r->done = (uint32_t)v;
        }
    }
    return 0;
}

int upload_record_read(const struct flash_area *area, uint32_t slot_sector,
                       struct upload_record *r)
{
    int rc;

    memset(r, 0, sizeof *r);
    if (!upload_record_usable(area))
        return 0;
    rc = read_header(area, slot_sector, r);
    if (rc != 1) {
        memset(r, 0, sizeof *r);
        return rc;
    }
    rc = scan_marks(area, r);
    return rc < 0 ? rc : 1;
}
