/*
 * The slot writer of an image upload session (struct img_session): chunks are
 * programmed into the target slot as they arrive, each sector erased (or
 * found blank) just before its first byte lands, so the first chunk is
 * answered at once instead of after a whole-slot erase.
 *
 * Session invariants:
 *  1. Bytes [0, wr - tail_len) of the image are programmed in u->fa;
 *     wr - tail_len is a multiple of the write alignment; the tail_len
 *     bytes after them are held in tail[] until an aligned unit is full
 *     or the image ends.
 *  2. Every sector below erased_to was erased (or found erased) during
 *     this session before anything was programmed into it.
 *  3. With a durable record (u->durable), a sector that is not the
 *     image's last is marked done in the record as soon as it is whole,
 *     and before the next sector is erased: only the sector after the last
 *     mark ever holds half-written data (upload_record.c, invariant 3).
 */
#include <string.h>

#include "boot/bootutil.h"
#include "image/image_crypto.h"
#include "smpsrv/groups/img_priv.h"

void img_session_start(struct img_session *u, const struct flash_area *fa, uint32_t len)
{
    memset(u, 0, sizeof *u);
    u->active = true;
    u->fa = fa;
    u->len = len;
    u->img_len = len;
}

/* An already blank sector is left alone: an erase costs ~85 ms on an
 * nRF52840, and a blank sector programs like a freshly erased one. */
int img_erase_sector(const struct flash_area *fa, uint32_t off)
{
    int blank = fa_is_erased(fa, off, fa_sector_size(fa));

    if (blank < 0)
        return IMG_ERR_FLASH_READ_FAILED;
    if (!blank && fa_erase(fa, off, fa_sector_size(fa)) != 0)
        return IMG_ERR_FLASH_ERASE_FAILED;
    return 0;
}

/* Invariant 2: erase the sectors below `end` not yet erased this session. */
static int erase_up_to(struct img_session *u, uint32_t end)
{
    while (u->erased_to < end && u->erased_to < u->fa->size) {
        int rc = img_erase_sector(u->fa, u->erased_to);
        if (rc != 0)
            return rc;
        u->erased_to += fa_sector_size(u->fa);
    }
    return 0;
}

/* Invariant 3. The image's last sector gets no count: the record's
 * COMPLETE mark covers it once the whole upload checked out. A delta
 * upload gets none at all: it restarts from its first byte (DELTA.md). */
static int mark_done(struct smp_ctx *ctx, uint32_t sectors)
{
    struct img_session *u = img_session(ctx);

    if (!u->durable || u->delta || (uint64_t)sectors * fa_sector_size(u->fa) >= u->img_len)
        return 0;
    if (upload_record_mark(ctx->srv->plat->upload_record, &u->rec_next, (uint16_t)sectors) != 0)
        return IMG_ERR_FLASH_WRITE_FAILED;
    return 0;
}

/* Programs n bytes at `at` one sector piece at a time (invariants 2, 3). */
static int program(struct smp_ctx *ctx, uint32_t at, const uint8_t *p, size_t n)
{
    struct img_session *u = img_session(ctx);
    uint32_t sec = fa_sector_size(u->fa);

    while (n) {
        size_t piece = sec - at % sec < n ? sec - at % sec : n;
        int rc = erase_up_to(u, at + (uint32_t)piece);
        if (rc == 0 && fa_write(u->fa, at, p, piece) != 0)
            rc = IMG_ERR_FLASH_WRITE_FAILED;
        at += (uint32_t)piece;
        if (rc == 0 && at % sec == 0)
            rc = mark_done(ctx, at / sec);
        if (rc != 0)
            return rc;
        p += piece;
        n -= piece;
    }
    return 0;
}

/* Appends a chunk at u->wr, keeping invariant 1. */
int img_append(struct smp_ctx *ctx, const uint8_t *data, size_t n)
{
    struct img_session *u = img_session(ctx);
    uint32_t align = fa_align(u->fa) ? fa_align(u->fa) : 1;
    uint32_t written = u->wr - u->tail_len;
    size_t pos = 0;
    int rc = 0;

    if (u->tail_len) {
        size_t take = align - u->tail_len < n ? align - u->tail_len : n;
        memcpy(u->tail + u->tail_len, data, take);
        u->tail_len = (uint8_t)(u->tail_len + take);
        pos = take;
        if (u->tail_len == align) {
            rc = program(ctx, written, u->tail, align);
            written += align;
            u->tail_len = 0;
        }
    }
    size_t bulk = (n - pos) / align * align;
    if (rc == 0 && bulk) {
        rc = program(ctx, written, data + pos, bulk);
        pos += bulk;
    }
    if (rc == 0 && pos < n) { /* fewer than align bytes left, tail is empty */
        memcpy(u->tail, data + pos, n - pos);
        u->tail_len = (uint8_t)(n - pos);
    }
    u->wr += (uint32_t)n;
    return rc;
}

/* Sectors between the image end and the trailer keep old bytes: the
 * bootloader never reads them. Image sectors (below erased_to) are never
 * touched here; the trailer ones are cleared so no old magic or flag
 * survives past the new image. */
int img_write_finish(struct smp_ctx *ctx)
{
    struct img_session *u = img_session(ctx);
    uint32_t align = fa_align(u->fa) ? fa_align(u->fa) : 1;
    uint32_t sec = fa_sector_size(u->fa);
    int rc = 0;

    if (u->tail_len) {
        memset(u->tail + u->tail_len, fa_erased_val(u->fa), align - u->tail_len);
        rc = program(ctx, u->wr - u->tail_len, u->tail, align);
        u->tail_len = 0;
    }
    uint32_t from = boot_status_off(u->fa, 3) / sec * sec;
    if (from < u->erased_to)
        from = u->erased_to;
    for (uint32_t s = from; rc == 0 && s < u->fa->size; s += sec)
        rc = img_erase_sector(u->fa, s);
    return rc;
}

int img_hash_slot(struct smpsrv *srv, const struct flash_area *fa, uint32_t len,
                  uint8_t out[SHA256_LEN])
{
    struct image_hash h;
    size_t out_len;
    int rc = image_hash_init(&h, IMAGE_TLV_SHA256);

    for (uint32_t off = 0; rc == IMAGE_OK && off < len;) {
        uint32_t n = len - off < sizeof srv->scratch ? len - off : (uint32_t)sizeof srv->scratch;
        rc = fa_read(fa, off, srv->scratch, n) == 0 ? image_hash_update(&h, srv->scratch, n)
                                                    : IMAGE_ERR_IO;
        off += n;
    }
    if (rc != IMAGE_OK) {
        image_hash_abort(&h);
        return rc;
    }
    return image_hash_final(&h, out, SHA256_LEN, &out_len);
}
