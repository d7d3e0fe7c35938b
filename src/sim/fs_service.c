/*
 * The firmware's file system for the fs group: files under DIR/fs, every
 * name confined by sim_fs_resolve (no `..`, no symlinks), files at most
 * SIM_FS_FILE_MAX bytes. DIR/fs/lfs exists from the start, like the
 * littlefs mount point of a Zephyr board, so "/lfs/name" works at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/fsroot.h"
#include "sim/services.h"
#include "sim/sim.h"

#define SIM_FS_FILE_MAX (1u << 20)

static int resolve(struct sim_board *b, const char *name, char *out, size_t cap)
{
    int rc = sim_fs_resolve(b->path_fs, name, out, cap);
    if (rc != SIM_OK)
        sim_board_log(b, "fs: refused path '%s' (%s)", name, sim_strerror(rc));
    return rc;
}

static int fs_stat(void *ctx, const char *name, uint32_t *len)
{
    char path[1024];
    struct stat st;
    if (resolve(ctx, name, path, sizeof path) != SIM_OK)
        return SMPSRV_FS_ERR_FILE_INVALID_NAME;
    if (lstat(path, &st) != 0)
        return SMPSRV_FS_ERR_FILE_NOT_FOUND;
    if (S_ISDIR(st.st_mode))
        return SMPSRV_FS_ERR_FILE_IS_DIRECTORY;
    *len = (uint32_t)st.st_size;
    return 0;
}

static int fs_read(void *ctx, const char *name, uint32_t off, uint8_t *buf,
                   size_t cap, size_t *n)
{
    char path[1024];
    uint32_t size;
    int rc = fs_stat(ctx, name, &size);
    if (rc)
        return rc;
    if (off > size)
        return SMPSRV_FS_ERR_FILE_OFFSET_LARGER_THAN_FILE;
    if (resolve(ctx, name, path, sizeof path) != SIM_OK)
        return SMPSRV_FS_ERR_FILE_INVALID_NAME;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return SMPSRV_FS_ERR_FILE_OPEN_FAILED;
    ssize_t got = pread(fd, buf, cap, off);
    close(fd);
    if (got < 0)
        return SMPSRV_FS_ERR_FILE_READ_FAILED;
    *n = (size_t)got;
    return 0;
}

static int fs_write(void *ctx, const char *name, uint32_t off, const uint8_t *data,
                    size_t n)
{
    struct sim_board *b = ctx;
    char path[1024];
    if (resolve(b, name, path, sizeof path) != SIM_OK)
        return SMPSRV_FS_ERR_FILE_INVALID_NAME;
    if ((uint64_t)off + n > SIM_FS_FILE_MAX) {
        sim_board_log(b, "fs: refused write to '%s': files are limited to %u bytes",
                      name, SIM_FS_FILE_MAX);
        return SMPSRV_FS_ERR_FILE_WRITE_FAILED;
    }
    int flags = O_WRONLY | O_NOFOLLOW | O_CLOEXEC | (off == 0 ? O_CREAT | O_TRUNC : 0);
    int fd = open(path, flags, 0644);
    if (fd < 0)
        return errno == EISDIR ? SMPSRV_FS_ERR_FILE_IS_DIRECTORY
               : errno == ENOENT && off ? SMPSRV_FS_ERR_FILE_NOT_FOUND
                                        : SMPSRV_FS_ERR_FILE_OPEN_FAILED;
    struct stat st;
    if (fstat(fd, &st) != 0 || (uint64_t)st.st_size < off) {
        close(fd);
        return SMPSRV_FS_ERR_FILE_OFFSET_NOT_VALID;
    }
    ssize_t w = n ? pwrite(fd, data, n, off) : 0;
    int rc = close(fd);
    return (w == (ssize_t)n && rc == 0) ? 0 : SMPSRV_FS_ERR_FILE_WRITE_FAILED;
}

static void fs_close(void *ctx)
{
    (void)ctx; /* files are closed after every operation */
}

void sim_fs_fill(struct smpsrv_platform *p)
{
    p->fs_stat = fs_stat;
    p->fs_read = fs_read;
    p->fs_write = fs_write;
    p->fs_close = fs_close;
}

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw)
{
    (void)st, (void)flag;
    if (ftw->level == 0)
        return 0; /* keep the root itself */
    return remove(path);
}

int sim_fs_wipe(const char *root)
{
    if (nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        return SIM_EIO;
    return sim_fs_prepare(root);
}

int sim_fs_prepare(const char *root)
{
    char path[600];
    snprintf(path, sizeof path, "%s/lfs", root);
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return SIM_ESTATE;
    return SIM_OK;
}
