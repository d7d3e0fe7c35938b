/*
 * What this host remembers about a device between two commands: when it
 * last told it to reset, and which upload it left unfinished. A command
 * that meets a silent device, or an upload that starts over, can then say
 * why instead of guessing.
 *
 * One small text file per device and fact under the state folder
 * ($MCUTOOLS_STATE_DIR, else $XDG_STATE_HOME/mcutools, else
 * ~/.local/state/mcutools), named by a hash of the connection. Only hints
 * depend on them: with no folder, nothing is remembered and nothing fails.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "client/client.h"

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int client_user_state_folder(char *buf, size_t cap)
{
    const char *xdg = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    int n;

    if (xdg && *xdg)
        n = snprintf(buf, cap, "%s/mcutools", xdg);
    else if (home && *home)
        n = snprintf(buf, cap, "%s/.local/state/mcutools", home);
    else
        return -1;
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

static int state_dir(char *buf, size_t cap)
{
    const char *env = getenv("MCUTOOLS_STATE_DIR");
    int n;

    if (!(env && *env))
        return client_user_state_folder(buf, cap);
    n = snprintf(buf, cap, "%s", env);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

int client_make_folders(const char *dir)
{
    char tmp[1024];
    int n = snprintf(tmp, sizeof tmp, "%s", dir);

    if (n <= 0 || (size_t)n >= sizeof tmp) {
        errno = n <= 0 ? ENOENT : ENAMETOOLONG;
        return -1;
    }
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(tmp, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

/* FNV-1a: a stable file name for a connection string. */
static uint64_t key_hash(const char *key)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *key; key++)
        h = (h ^ (uint8_t)*key) * 0x100000001b3ull;
    return h;
}

static int fact_path(const char *fact, const char *key, char *buf, size_t cap, bool create)
{
    char dir[900];
    if (state_dir(dir, sizeof dir) != 0 || (create && client_make_folders(dir) != 0))
        return -1;
    int n = snprintf(buf, cap, "%s/%s-%016llx", dir, fact, (unsigned long long)key_hash(key));
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

void client_note_reset(const char *conn_key)
{
    char path[1024];
    FILE *f;

    if (fact_path("reset", conn_key, path, sizeof path, true) != 0 || !(f = fopen(path, "w")))
        return;
    fprintf(f, "%lld %s\n", (long long)wall_ms(), conn_key);
    fclose(f);
}

int64_t client_since_reset_ms(const char *conn_key)
{
    char path[1024];
    long long at;
    FILE *f;
    int n;

    if (fact_path("reset", conn_key, path, sizeof path, false) != 0 || !(f = fopen(path, "r")))
        return -1;
    n = fscanf(f, "%lld", &at);
    fclose(f);
    if (n != 1 || at > wall_ms())
        return -1;
    return wall_ms() - at;
}

void client_forget_reset(const char *conn_key)
{
    char path[1024];

    if (fact_path("reset", conn_key, path, sizeof path, false) == 0)
        remove(path);
}

void client_note_upload(const char *conn_key, const uint8_t sha[32], size_t len, size_t done)
{
    char path[1024];
    FILE *f;

    if (fact_path("upload", conn_key, path, sizeof path, done > 0) != 0)
        return;
    if (done == 0 || done >= len) {
        remove(path); /* nothing unfinished to remember */
        return;
    }
    if (!(f = fopen(path, "w")))
        return;
    for (int i = 0; i < 32; i++)
        fprintf(f, "%02x", sha[i]);
    fprintf(f, " %zu %zu\n", len, done);
    fclose(f);
}

size_t client_unfinished_upload(const char *conn_key, const uint8_t sha[32], size_t len)
{
    char path[1024], hex[65], mine[65];
    size_t flen = 0, done = 0;
    FILE *f;
    int n;

    if (fact_path("upload", conn_key, path, sizeof path, false) != 0 || !(f = fopen(path, "r")))
        return 0;
    n = fscanf(f, "%64s %zu %zu", hex, &flen, &done);
    fclose(f);
    for (int i = 0; i < 32; i++)
        snprintf(mine + 2 * i, 3, "%02x", sha[i]);
    if (n != 3 || flen != len || strcmp(hex, mine) != 0 || done >= len)
        return 0;
    return done;
}
