#include "sim/flash_model.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ERASED 0xff

static void spend(uint64_t ns)
{
    if (ns == 0)
        return;
    struct timespec ts = { (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Consumes one program/erase op of the power budget. Returns true when this
 * op is the one the power cut interrupts. */
static bool power_cut_now(struct flash_model *m)
{
    if (m->fail_after < 0)
        return false;
    if (m->fail_after == 0) {
        m->powered_off = true;
        return true;
    }
    m->fail_after--;
    return false;
}

static int model_read(void *ctx, uint32_t addr, void *buf, size_t len)
{
    struct flash_model *m = ctx;
    if (m->powered_off)
        return FLASH_ERR_POWER;
    if (addr > m->size || len > m->size - addr)
        return FLASH_ERR_BOUNDS;
    memcpy(buf, m->mem + addr, len);
    m->stats.reads++;
    m->stats.bytes_read += len;
    return FLASH_OK;
}

static int model_prog(void *ctx, uint32_t addr, const void *buf, size_t len)
{
    struct flash_model *m = ctx;
    const uint8_t *src = buf;
    if (m->powered_off)
        return FLASH_ERR_POWER;
    if (addr > m->size || len > m->size - addr)
        return FLASH_ERR_BOUNDS;
    if (addr % m->dev.write_align || len % m->dev.write_align)
        return FLASH_ERR_ALIGN;
    for (size_t i = 0; i < len; i++) {
        if (m->mem[addr + i] != ERASED) {
            m->stats.violations++;
            return FLASH_ERR_NOT_ERASED;
        }
    }
    if (power_cut_now(m)) {
        /* a torn write: the first half of the words made it */
        if (m->torn) {
            size_t half = (len / 2) - (len / 2) % m->dev.write_align;
            memcpy(m->mem + addr, src, half);
        }
        return FLASH_ERR_POWER;
    }
    memcpy(m->mem + addr, src, len);
    m->stats.progs++;
    m->stats.bytes_programmed += len;
    spend((uint64_t)m->word_write_ns * ((len + 3) / 4));
    return FLASH_OK;
}

static int model_erase(void *ctx, uint32_t addr, size_t len)
{
    struct flash_model *m = ctx;
    if (m->powered_off)
        return FLASH_ERR_POWER;
    if (addr > m->size || len > m->size - addr)
        return FLASH_ERR_BOUNDS;
    if (addr % m->dev.sector_size || len % m->dev.sector_size)
        return FLASH_ERR_ALIGN;
    if (power_cut_now(m)) {
        /* a torn erase leaves the first half of the range erased and the
         * rest as it was: the worst case for anything reading it back */
        if (m->torn)
            memset(m->mem + addr, ERASED, len / 2);
        return FLASH_ERR_POWER;
    }
    memset(m->mem + addr, ERASED, len);
    m->stats.erases++;
    m->stats.sectors_erased += len / m->dev.sector_size;
    m->stats.bytes_erased += len;
    spend((uint64_t)m->erase_us * 1000u * (len / m->dev.sector_size));
    return FLASH_OK;
}

static void setup_dev(struct flash_model *m, uint32_t size, uint32_t sector_size,
                      uint32_t write_align)
{
    m->dev.ctx = m;
    m->dev.read = model_read;
    m->dev.prog = model_prog;
    m->dev.erase = model_erase;
    m->dev.size = size;
    m->dev.write_align = write_align ? write_align : 1;
    m->dev.sector_size = sector_size;
    m->dev.erased_val = ERASED;
    m->size = size;
    m->fail_after = -1;
}

int flash_model_init_ram(struct flash_model *m, uint32_t size,
                         uint32_t sector_size, uint32_t write_align)
{
    memset(m, 0, sizeof *m);
    if (!sector_size || size % sector_size)
        return FLASH_ERR_BOUNDS;
    m->mem = malloc(size);
    if (!m->mem)
        return FLASH_ERR_IO;
    memset(m->mem, ERASED, size);
    setup_dev(m, size, sector_size, write_align);
    return FLASH_OK;
}

int flash_model_open_file(struct flash_model *m, const char *path, uint32_t size,
                          uint32_t sector_size, uint32_t write_align)
{
    memset(m, 0, sizeof *m);
    if (!sector_size || size % sector_size)
        return FLASH_ERR_BOUNDS;
    int fd = open(path, O_RDWR | O_CREAT, 0644);
    if (fd < 0)
        return FLASH_ERR_IO;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return FLASH_ERR_IO;
    }
    bool fresh = st.st_size == 0;
    if ((uint64_t)st.st_size != size && ftruncate(fd, size) != 0) {
        close(fd);
        return FLASH_ERR_IO;
    }
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        return FLASH_ERR_IO;
    m->mem = p;
    m->file_backed = true;
    /* a new file, or the part a grown file gained, is erased flash */
    if (fresh)
        memset(m->mem, ERASED, size);
    else if ((uint64_t)st.st_size < size)
        memset(m->mem + st.st_size, ERASED, size - (size_t)st.st_size);
    setup_dev(m, size, sector_size, write_align);
    return FLASH_OK;
}

int flash_model_sync(struct flash_model *m)
{
    if (m->file_backed && msync(m->mem, m->size, MS_SYNC) != 0)
        return FLASH_ERR_IO;
    return FLASH_OK;
}

void flash_model_close(struct flash_model *m)
{
    if (!m->mem)
        return;
    if (m->file_backed) {
        msync(m->mem, m->size, MS_SYNC);
        munmap(m->mem, m->size);
    } else {
        free(m->mem);
    }
    m->mem = NULL;
}

void flash_model_fail_after(struct flash_model *m, long n, bool torn)
{
    m->fail_after = n;
    m->torn = torn;
}

void flash_model_power_on(struct flash_model *m)
{
    m->powered_off = false;
    m->fail_after = -1;
}

void flash_model_reset_stats(struct flash_model *m)
{
    memset(&m->stats, 0, sizeof m->stats);
}

void flash_model_set_timing(struct flash_model *m, uint32_t erase_us,
                            uint32_t word_write_ns)
{
    m->erase_us = erase_us;
    m->word_write_ns = word_write_ns;
}
