/*
 * Path confinement for the board's file system. Deliberately strict: it
 * refuses `..` outright instead of normalising it, so no sequence of
 * components can climb out, and it refuses any symlink found on the way,
 * so nothing planted in DIR/fs can point outside.
 */
#include "sim/fsroot.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/sim.h"

/* Appends one component; refuses escapes. */
static int add_component(char *out, size_t cap, size_t *len, const char *c,
                         size_t clen)
{
    if (clen == 0 || (clen == 1 && c[0] == '.'))
        return SIM_OK;
    if (clen == 2 && c[0] == '.' && c[1] == '.')
        return SIM_EPATH;
    if (*len + 1 + clen + 1 > cap)
        return SIM_ETOOBIG;
    out[(*len)++] = '/';
    memcpy(out + *len, c, clen);
    *len += clen;
    out[*len] = '\0';
    /* a symlink anywhere on the way could lead outside the root */
    struct stat st;
    if (lstat(out, &st) == 0 && S_ISLNK(st.st_mode))
        return SIM_EPATH;
    return SIM_OK;
}

int sim_fs_resolve(const char *root, const char *path, char *out, size_t cap)
{
    size_t plen = path ? strnlen(path, SIM_FS_PATH_MAX + 1) : 0;
    if (plen == 0)
        return SIM_EPATH;
    if (plen > SIM_FS_PATH_MAX)
        return SIM_ETOOBIG;
    int n = snprintf(out, cap, "%s", root);
    if (n < 0 || (size_t)n >= cap)
        return SIM_ETOOBIG;
    size_t len = (size_t)n, added = 0;
    const char *p = path;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t clen = slash ? (size_t)(slash - p) : strlen(p);
        int rc = add_component(out, cap, &len, p, clen);
        if (rc)
            return rc;
        added += clen > 0 && !(clen == 1 && p[0] == '.');
        p += clen + (slash ? 1 : 0);
    }
    /* "/" or "." alone names the root itself: not a file */
    return added ? SIM_OK : SIM_EPATH;
}
