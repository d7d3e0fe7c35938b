#include "flash_area.h"

#include <stdbool.h>
#include <string.h>

static int fa_check(const struct flash_area *fa, uint32_t off, size_t len)
{
    if (!fa || !fa->dev)
        return FLASH_ERR_BOUNDS;
    /* every alignment computation divides by these: a part described with
     * 0 is refused on every access, before anything divides */
    if (fa->dev->write_align == 0 || fa->dev->sector_size == 0)
        return FLASH_ERR_GEOMETRY;
    /* written so that off + len cannot wrap */
    if (off > fa->size || len > fa->size - off)
        return FLASH_ERR_BOUNDS;
    return FLASH_OK;
}

int fa_read(const struct flash_area *fa, uint32_t off, void *buf, size_t len)
{
    int rc = fa_check(fa, off, len);
    if (rc || len == 0)
        return rc;
    return fa->dev->read(fa->dev->ctx, fa->off + off, buf, len);
}

int fa_write(const struct flash_area *fa, uint32_t off, const void *buf, size_t len)
{
    int rc = fa_check(fa, off, len);
    if (rc || len == 0)
        return rc;
    uint32_t align = fa->dev->write_align;
    if (align > 1 && ((fa->off + off) % align || len % align))
        return FLASH_ERR_ALIGN;
    return fa->dev->prog(fa->dev->ctx, fa->off + off, buf, len);
}

int fa_erase(const struct flash_area *fa, uint32_t off, size_t len)
{
    int rc = fa_check(fa, off, len);
    if (rc || len == 0)
        return rc;
    uint32_t sec = fa->dev->sector_size;
    if ((fa->off + off) % sec || len % sec)
        return FLASH_ERR_ALIGN;
    return fa->dev->erase(fa->dev->ctx, fa->off + off, len);
}

uint32_t fa_align(const struct flash_area *fa) { return fa->dev->write_align; }
uint8_t fa_erased_val(const struct flash_area *fa) { return fa->dev->erased_val; }
uint32_t fa_sector_size(const struct flash_area *fa) { return fa->dev->sector_size; }
uint32_t fa_sector_count(const struct flash_area *fa)
{
    uint32_t sec = fa->dev->sector_size;
    return sec ? fa->size / sec : 0;
}

int fa_is_erased(const struct flash_area *fa, uint32_t off, size_t len)
{
    uint8_t buf[64];
    while (len) {
        size_t n = len < sizeof buf ? len : sizeof buf;
        int rc = fa_read(fa, off, buf, n);
        if (rc)
            return rc;
        for (size_t i = 0; i < n; i++)
            if (buf[i] != fa->dev->erased_val)
                return 0;
        off += (uint32_t)n;
        len -= n;
    }
    return 1;
}

int fa_image_read(void *ctx, uint32_t off, void *buf, size_t len)
{
    return fa_read((const struct flash_area *)ctx, off, buf, len);
}

/* Indexed by -code. */
static const struct {
    const char *name, *text;
} flash_errs[] = {
    [0] = { "FLASH_OK", "ok" },
    [1] = { "FLASH_ERR_BOUNDS", "access outside the flash area" },
    [2] = { "FLASH_ERR_ALIGN", "misaligned flash write or erase" },
    [3] = { "FLASH_ERR_IO", "flash device error" },
    [4] = { "FLASH_ERR_POWER", "power cut during a flash operation" },
    [5] = { "FLASH_ERR_NOT_ERASED", "program over non-erased flash" },
    [6] = { "FLASH_ERR_GEOMETRY", "flash device has a write alignment or sector size of 0" },
};

static bool is_flash_err(int err)
{
    return err <= 0 && -err < (int)(sizeof flash_errs / sizeof flash_errs[0]);
}

const char *flash_errname(int err)
{
    return is_flash_err(err) ? flash_errs[-err].name : "FLASH_ERR_UNKNOWN";
}

const char *flash_strerror(int err)
{
    return is_flash_err(err) ? flash_errs[-err].text : "unknown flash error";
}
