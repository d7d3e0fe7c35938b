/*
 * Semihosting calls: operation number in r0, a pointer to the argument
 * block in r1, BKPT 0xAB traps to the debugger (QEMU), result in r0.
 */
#include "semihost.h"

#include <string.h>

enum {
    SYS_OPEN = 0x01,
    SYS_CLOSE = 0x02,
    SYS_WRITE = 0x05,
    SYS_READ = 0x06,
    SYS_SEEK = 0x0A,
    SYS_FLEN = 0x0C,
};
#define SYS_OPEN_MODE_RPLUS_B 3 /* fopen's "r+b" */

static long semihost_call(uint32_t op, const void *args)
{
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = args;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return (long)(int32_t)r0;
}

int semihost_open_rw(const char *name)
{
    uint32_t args[3] = { (uint32_t)name, SYS_OPEN_MODE_RPLUS_B, (uint32_t)strlen(name) };
    return (int)semihost_call(SYS_OPEN, args);
}

int semihost_close(int fd)
{
    uint32_t args[1] = { (uint32_t)fd };
    return semihost_call(SYS_CLOSE, args) == 0 ? 0 : -1;
}

int semihost_seek(int fd, uint32_t pos)
{
    uint32_t args[2] = { (uint32_t)fd, pos };
    return semihost_call(SYS_SEEK, args) == 0 ? 0 : -1;
}

size_t semihost_read(int fd, void *buf, size_t len)
{
    uint32_t args[3] = { (uint32_t)fd, (uint32_t)buf, (uint32_t)len };
    return (size_t)semihost_call(SYS_READ, args);
}

size_t semihost_write(int fd, const void *buf, size_t len)
{
    uint32_t args[3] = { (uint32_t)fd, (uint32_t)buf, (uint32_t)len };
    return (size_t)semihost_call(SYS_WRITE, args);
}

long semihost_flen(int fd)
{
    uint32_t args[1] = { (uint32_t)fd };
    return semihost_call(SYS_FLEN, args);
}
