/*
 * The image trailer at the end of each slot, exactly as MCUboot lays it out
 * (BOOT_MAX_ALIGN 8), and the application-side requests built on it
 * (pending, confirmed) plus the swap-type decision table. It reads and
 * writes only the trailer; moving images is the strategies' business.
 *
 * Trailer invariants (cited by the code as "invariant N"):
 *  1. magic at slot_end - 16; image_ok, copy_done, swap_info, swap_size
 *     each own one BOOT_MAX_ALIGN unit below it, in that order; the
 *     swap-status area lies below swap_size.
 *  2. Every field is programmed at most once between two erases of the
 *     slot's last sector: a write first reads the unit and skips it when it
 *     already holds the value (NOR flash forbids programming twice).
 *  3. magic decodes to UNSET (all erased), GOOD (the 16 bytes of MCUboot's
 *     classic magic) or BAD (anything else, e.g. a torn write or an imgtool
 *     --max-align 16/32 trailer, which a BOOT_MAX_ALIGN 8 MCUboot reads as
 *     BAD too). Flags decode byte 0: erased UNSET, 0x01 SET, else BAD.
 *     A BAD magic that is a prefix of the magic followed by erased bytes is
 *     our own write cut by a power loss; set_pending redoes it instead of
 *     erasing the image as it does for other BAD magics.
 *  4. swap_info byte 0 = image_num << 4 | swap_type; an erased or
 *     out-of-range value decodes to swap type NONE, image 0.
 */
#include "boot/boot_priv.h"

#include <string.h>

static const uint8_t boot_magic[BOOT_MAGIC_SZ] = {
    0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f,
    0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80,
};

/* ---- offsets (invariant 1) ---- */

uint32_t boot_magic_off(const struct flash_area *fa) { return fa->size - BOOT_MAGIC_SZ; }
uint32_t boot_image_ok_off(const struct flash_area *fa) { return boot_magic_off(fa) - BOOT_MAX_ALIGN; }
uint32_t boot_copy_done_off(const struct flash_area *fa) { return boot_image_ok_off(fa) - BOOT_MAX_ALIGN; }
uint32_t boot_swap_info_off(const struct flash_area *fa) { return boot_copy_done_off(fa) - BOOT_MAX_ALIGN; }
uint32_t boot_swap_size_off(const struct flash_area *fa) { return boot_swap_info_off(fa) - BOOT_MAX_ALIGN; }

uint32_t boot_status_off(const struct flash_area *fa, unsigned state_count)
{
    return boot_swap_size_off(fa) - BOOT_MAX_IMG_SECTORS * state_count * fa_align(fa);
}

uint32_t boot_trailer_start(const struct flash_area *fa, unsigned state_count)
{
    return boot_status_off(fa, state_count);
}

/* ---- decoding (invariants 3, 4) ---- */

static int decode_flag(uint8_t b, uint8_t erased)
{
    if (b == erased)
        return BOOT_FLAG_UNSET;
    return b == BOOT_FLAG_SET_VAL ? BOOT_FLAG_SET : BOOT_FLAG_BAD;
}

static int read_magic(const struct flash_area *fa, uint8_t *state)
{
    uint8_t m[BOOT_MAGIC_SZ];
    int rc = fa_read(fa, boot_magic_off(fa), m, sizeof m);
    if (rc)
        return rc;
    if (memcmp(m, boot_magic, sizeof m) == 0) {
        *state = BOOT_MAGIC_GOOD;
        return 0;
    }
    *state = BOOT_MAGIC_UNSET;
    for (size_t i = 0; i < sizeof m; i++)
        if (m[i] != fa_erased_val(fa))
            *state = BOOT_MAGIC_BAD;
    return 0;
}

/* 1 when the magic area holds a proper prefix of the magic followed by
 * erased bytes: our own magic write, cut by a power loss. */
static int magic_is_torn(const struct flash_area *fa, bool *torn)
{
    uint8_t m[BOOT_MAGIC_SZ];
    int rc = fa_read(fa, boot_magic_off(fa), m, sizeof m);
    if (rc)
        return rc;
    size_t n = 0;
    while (n < sizeof m && m[n] == boot_magic[n])
        n++;
    *torn = n > 0 && n < sizeof m;
    for (size_t i = n; i < sizeof m; i++)
        if (m[i] != fa_erased_val(fa))
            *torn = false;
    return 0;
}

int boot_read_swap_state(const struct flash_area *fa, struct boot_swap_state *st)
{
    if (!fa || !st || fa->size < 4 * BOOT_MAX_ALIGN + BOOT_MAGIC_SZ)
        return BOOT_EBADARGS;
    memset(st, 0, sizeof *st);
    int rc = read_magic(fa, &st->magic);
    uint8_t b[3];
    if (!rc)
        rc = fa_read(fa, boot_image_ok_off(fa), &b[0], 1);
    if (!rc)
        rc = fa_read(fa, boot_copy_done_off(fa), &b[1], 1);
    if (!rc)
        rc = fa_read(fa, boot_swap_info_off(fa), &b[2], 1);
    if (rc)
        return rc;
    uint8_t erased = fa_erased_val(fa);
    st->image_ok = (uint8_t)decode_flag(b[0], erased);
    st->copy_done = (uint8_t)decode_flag(b[1], erased);
    uint8_t type = b[2] & 0x0f;
    if (b[2] == erased || type < BOOT_SWAP_TYPE_NONE || type > BOOT_SWAP_TYPE_REVERT) {
        st->swap_type = BOOT_SWAP_TYPE_NONE;
        st->image_num = 0;
    } else {
        st->swap_type = type;
        st->image_num = b[2] >> 4;
    }
    return 0;
}

int boot_read_swap_size(const struct flash_area *fa, uint32_t *swap_size)
{
    uint8_t b[4];
    int rc = fa_read(fa, boot_swap_size_off(fa), b, sizeof b);
    if (rc)
        return rc;
    *swap_size = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                 (uint32_t)b[3] << 24;
    return 0;
}

/* ---- writing (invariant 2) ---- */

/* Writes bytes [off, off+len) (len <= BOOT_MAX_ALIGN, padded with the
 * erased value up to whole write units) unless they already hold it. */
static int write_once(const struct flash_area *fa, uint32_t off,
                      const uint8_t *val, size_t len)
{
    uint32_t align = fa_align(fa);
    if (align == 0)
        return FLASH_ERR_GEOMETRY; /* no write unit to round up to */
    if (align > BOOT_MAX_ALIGN)
        return BOOT_EBADARGS; /* units would overlap the next field */
    uint8_t want[BOOT_MAX_ALIGN], have[BOOT_MAX_ALIGN];
    size_t unit = len % align ? len + align - len % align : len;
    memset(want, fa_erased_val(fa), sizeof want);
    memcpy(want, val, len);
    int rc = fa_read(fa, off, have, unit);
    if (rc)
        return rc;
    if (memcmp(want, have, unit) == 0)
        return 0;
    for (size_t i = 0; i < unit; i++)
        if (have[i] != fa_erased_val(fa))
            return BOOT_EBADSTATUS;
    return fa_write(fa, off, want, unit);
}

int boot_write_unit_once(const struct flash_area *fa, uint32_t off, uint8_t val)
{
    return write_once(fa, off, &val, 1);
}

int boot_write_magic(const struct flash_area *fa)
{
    uint8_t state;
    int rc = read_magic(fa, &state);
    if (rc || state == BOOT_MAGIC_GOOD)
        return rc;
    if (state == BOOT_MAGIC_BAD)
        return BOOT_EBADVECT;
    /* one 16-byte program: any prefix a power cut leaves reads as BAD */
    return fa_write(fa, boot_magic_off(fa), boot_magic, BOOT_MAGIC_SZ);
}

int boot_write_image_ok(const struct flash_area *fa)
{
    return boot_write_unit_once(fa, boot_image_ok_off(fa), BOOT_FLAG_SET_VAL);
}

int boot_write_copy_done(const struct flash_area *fa)
{
    return boot_write_unit_once(fa, boot_copy_done_off(fa), BOOT_FLAG_SET_VAL);
}

int boot_write_swap_info(const struct flash_area *fa, uint8_t swap_type, uint8_t image_num)
{
    return boot_write_unit_once(fa, boot_swap_info_off(fa),
                                (uint8_t)((image_num & 0x0f) << 4 | (swap_type & 0x0f)));
}

int boot_write_swap_size(const struct flash_area *fa, uint32_t swap_size)
{
    uint8_t b[4] = { (uint8_t)swap_size, (uint8_t)(swap_size >> 8),
                     (uint8_t)(swap_size >> 16), (uint8_t)(swap_size >> 24) };
    return write_once(fa, boot_swap_size_off(fa), b, sizeof b);
}

/* Erases from the sector holding off to the end of the slot. */
static int erase_from_sector_of(const struct flash_area *fa, uint32_t off)
{
    uint32_t sec = fa_sector_size(fa);
    if (sec == 0)
        return FLASH_ERR_GEOMETRY;
    uint32_t start = off / sec * sec;
    return boot_erase_region(fa, start, fa->size - start);
}

int boot_erase_trailer_sectors(const struct flash_area *fa, unsigned state_count)
{
    /* the status area may make the trailer span several sectors */
    return erase_from_sector_of(fa, boot_trailer_start(fa, state_count));
}

/* ---- the decision table ---- */

int boot_swap_type_from_states(const struct boot_swap_state *pri,
                               const struct boot_swap_state *sec)
{
    /* rows in MCUboot's order, first match wins */
    if (sec->magic == BOOT_MAGIC_GOOD && sec->image_ok == BOOT_FLAG_UNSET)
        return BOOT_SWAP_TYPE_TEST;
    if (sec->magic == BOOT_MAGIC_GOOD && sec->image_ok == BOOT_FLAG_SET)
        return BOOT_SWAP_TYPE_PERM;
    if (pri->magic == BOOT_MAGIC_GOOD && sec->magic == BOOT_MAGIC_UNSET &&
        pri->image_ok == BOOT_FLAG_UNSET && pri->copy_done == BOOT_FLAG_SET)
        return BOOT_SWAP_TYPE_REVERT;
    return BOOT_SWAP_TYPE_NONE;
}

int boot_swap_type_peek(const struct flash_area *primary,
                        const struct flash_area *secondary)
{
    struct boot_swap_state pri, sec;
    int rc = boot_read_swap_state(primary, &pri);
    if (!rc)
        rc = boot_read_swap_state(secondary, &sec);
    if (rc)
        return rc;
    return boot_swap_type_from_states(&pri, &sec);
}

/* ---- application side ---- */

static int write_request(const struct flash_area *secondary, bool permanent)
{
    int rc = 0;
    /* magic last: until it is there, the request does not exist */
    if (permanent)
        rc = boot_write_image_ok(secondary);
    if (!rc)
        rc = boot_write_swap_info(secondary, permanent ? BOOT_SWAP_TYPE_PERM
                                                       : BOOT_SWAP_TYPE_TEST, 0);
    if (!rc)
        rc = boot_write_magic(secondary);
    return rc;
}

/* Left-overs of an earlier request cut before its magic was complete (a
 * test now asked as permanent, or a torn magic): no request exists yet,
 * so the sector holding the fields is erased and the request written
 * again. Images never reach that sector. */
static int restart_request(const struct flash_area *secondary, bool permanent)
{
    int rc = erase_from_sector_of(secondary, boot_swap_size_off(secondary));
    return rc ? rc : write_request(secondary, permanent);
}

int boot_set_pending(const struct flash_area *secondary, bool permanent)
{
    struct boot_swap_state st;
    int rc = boot_read_swap_state(secondary, &st);
    if (rc || st.magic == BOOT_MAGIC_GOOD)
        return rc; /* or a swap is already requested */
    if (st.magic == BOOT_MAGIC_BAD) {
        bool torn;
        rc = magic_is_torn(secondary, &torn);
        if (rc)
            return rc;
        if (!torn) {
            /* a corrupt trailer cannot be trusted to describe the image */
            rc = boot_erase_region(secondary, 0, secondary->size);
            return rc ? rc : BOOT_EBADIMAGE;
        }
        return restart_request(secondary, permanent);
    }
    rc = write_request(secondary, permanent);
    return rc == BOOT_EBADSTATUS ? restart_request(secondary, permanent) : rc;
}

int boot_set_confirmed(const struct flash_area *primary)
{
    struct boot_swap_state st;
    int rc = boot_read_swap_state(primary, &st);
    if (rc)
        return rc;
    switch (st.magic) {
    case BOOT_MAGIC_UNSET:
        return 0; /* never swapped in: already permanent */
    case BOOT_MAGIC_BAD:
        return BOOT_EBADVECT;
    default:
        break;
    }
    if (st.image_ok == BOOT_FLAG_SET)
        return 0;
    /* copy_done is deliberately not checked: an image flashed with
     * imgtool --pad by a debugger must be confirmable too */
    return boot_write_image_ok(primary);
}

/* ---- names ---- */

const char *boot_swap_type_name(int swap_type)
{
    switch (swap_type) {
    case BOOT_SWAP_TYPE_NONE: return "none";
    case BOOT_SWAP_TYPE_TEST: return "test";
    case BOOT_SWAP_TYPE_PERM: return "perm";
    case BOOT_SWAP_TYPE_REVERT: return "revert";
    case BOOT_SWAP_TYPE_FAIL: return "fail";
    case BOOT_SWAP_TYPE_PANIC: return "panic";
    default: return "unknown";
    }
}

static const struct { int code; const char *name, *text; } boot_errs[] = {
    { BOOT_OK, "BOOT_OK", "ok" },
    { BOOT_EFLASH, "BOOT_EFLASH", "a flash operation failed" },
    { BOOT_EBADIMAGE, "BOOT_EBADIMAGE", "image is not valid" },
    { BOOT_EBADVECT, "BOOT_EBADVECT", "trailer magic is corrupt" },
    { BOOT_ENOIMAGE, "BOOT_ENOIMAGE", "no bootable image" },
    { BOOT_EBADARGS, "BOOT_EBADARGS", "invalid argument or flash layout" },
    { BOOT_EBADSTATUS, "BOOT_EBADSTATUS", "trailer or swap status holds unexpected data" },
};

static int err_index(int err)
{
    for (size_t i = 0; i < sizeof boot_errs / sizeof boot_errs[0]; i++)
        if (boot_errs[i].code == err)
            return (int)i;
    return -1;
}

/* Flash and image codes pass up unchanged; their ranges tell the layer. */
static bool is_flash_code(int err) { return err < 0 && err >= FLASH_ERR_LAST; }
static bool is_image_code(int err)
{
    return err <= IMAGE_ERR_CODE(1) && err >= IMAGE_ERR_CODE(IMAGE_ERR_COUNT - 1);
}

const char *boot_errname(int err)
{
    int i = err_index(err);
    if (i >= 0)
        return boot_errs[i].name;
    if (is_flash_code(err))
        return flash_errname(err);
    return is_image_code(err) ? image_errname(err) : "BOOT_EUNKNOWN";
}

const char *boot_strerror(int err)
{
    int i = err_index(err);
    if (i >= 0)
        return boot_errs[i].text;
    if (is_image_code(err))
        return image_strerror(err);
    return flash_strerror(err);
}
