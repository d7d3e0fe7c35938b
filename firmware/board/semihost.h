/*
 * ARM semihosting (the debugger's file calls; QEMU answers them with
 * -semihosting-config enable=on,target=native): the few calls the flash
 * file needs. A file name is relative to QEMU's working directory.
 */
#ifndef FW_SEMIHOST_H
#define FW_SEMIHOST_H

#include <stddef.h>
#include <stdint.h>

/* Opens an existing file for reading and writing, binary ("r+b").
 * Returns a handle, or -1. */
int semihost_open_rw(const char *name);
int semihost_close(int fd);
/* 0, or -1. */
int semihost_seek(int fd, uint32_t pos);
/* Bytes not transferred (0: all of them), as the calls define. */
size_t semihost_read(int fd, void *buf, size_t len);
size_t semihost_write(int fd, const void *buf, size_t len);
/* The file's length, or -1. */
long semihost_flen(int fd);

#endif
