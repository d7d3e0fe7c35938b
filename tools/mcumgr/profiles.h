/* Saved connection profiles, stored as the Go tool stores them: a JSON array
 * of {"MyName", "MyType", "MyConnString"} in ~/.mcumgr.cp.json (or the file
 * named by $MCUMGR_CONN_FILE). */
#ifndef MCUMGR_PROFILES_H
#define MCUMGR_PROFILES_H

#include <stddef.h>

struct cli_profile {
    char name[64];
    char type[32];
    char connstring[512];
};

/* Loads all profiles; *n = count. Returns 0, or -1 when the file is unreadable
 * or not valid JSON (a missing file is simply empty). */
int profiles_load(const char *path, struct cli_profile **out, size_t *n, char *err, size_t errlen);
int profiles_save(const char *path, const struct cli_profile *p, size_t n, char *err, size_t errlen);

#endif
