/*
 * The simulated firmware's file system: a folder inside the board's state
 * directory (DIR/fs). Device paths ("/lfs/log.txt", "log.txt") map below
 * that folder and can never leave it: `..` components, symlinks anywhere
 * on the way, and over-long paths are refused before any file is touched.
 */
#ifndef SIM_FSROOT_H
#define SIM_FSROOT_H

#include <stddef.h>

#define SIM_FS_PATH_MAX 256   /* longest device path accepted */

/* Resolves device path `path` under host folder `root` into out.
 * Returns 0, SIM_EPATH for an escape attempt, a symlink or an empty path,
 * SIM_ETOOBIG when it does not fit. A missing final component is fine
 * (a file about to be created); missing folders on the way are fine too. */
int sim_fs_resolve(const char *root, const char *path, char *out, size_t cap);

/* Creates the mount point folder (root/lfs) if missing. */
int sim_fs_prepare(const char *root);
/* Removes every file and folder below root (storage erase), then
 * prepares it again. Symlinks are removed, never followed. */
int sim_fs_wipe(const char *root);

#endif
