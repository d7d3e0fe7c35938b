/* The serial port of an update, checked before it is opened (see dfu.h):
 * the failures a technician meets first, each named for what it is. */
#include <dirent.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dfu/dfu.h"

static int refuse(struct dfu_result *r, enum dfu_problem pb)
{
    r->problem = pb;
    r->failed_at = DFU_STEP_PREFLIGHT;
    r->client_rc = DFU_ERR_REFUSED;
    return DFU_ERR_REFUSED;
}

/* The command name of process pid ("" when it is gone). */
static void comm_of(const char *pid, char *out, size_t cap)
{
    char path[64];
    FILE *f;

    out[0] = '\0';
    snprintf(path, sizeof path, "/proc/%.20s/comm", pid);
    f = fopen(path, "r");
    if (!f)
        return;
    if (fgets(out, (int)cap, f))
        out[strcspn(out, "\n")] = '\0';
    fclose(f);
}

/* Whether process pid has `target` open. */
static bool holds(const char *pid, const char *target)
{
    char dir[64], fd[320], link[PATH_MAX];
    struct dirent *e;
    bool found = false;
    DIR *d;

    snprintf(dir, sizeof dir, "/proc/%.20s/fd", pid);
    d = opendir(dir);
    if (!d)
        return false; /* another user's process, or gone */
    while (!found && (e = readdir(d)) != NULL) {
        snprintf(fd, sizeof fd, "%s/%s", dir, e->d_name);
        ssize_t n = readlink(fd, link, sizeof link - 1);
        if (n > 0) {
            link[n] = '\0';
            found = strcmp(link, target) == 0;
        }
    }
    closedir(d);
    return found;
}

/* "PID (command)" of the other programs that hold the port, space
 * separated, into out; the count. The simulated board holds its own pty
 * open: that one is the device itself, not a rival. */
static size_t port_holders(const char *target, char *out, size_t cap)
{
    DIR *proc = opendir("/proc");
    struct dirent *e;
    char self[24], comm[64];
    size_t n = 0, used = 0;

    out[0] = '\0';
    if (!proc)
        return 0;
    snprintf(self, sizeof self, "%ld", (long)getpid());
    while ((e = readdir(proc)) != NULL) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9' || strcmp(e->d_name, self) == 0 ||
            !holds(e->d_name, target))
            continue;
        comm_of(e->d_name, comm, sizeof comm);
        if (strcmp(comm, "mcusim") == 0)
            continue;
        if (used < cap)
            used += (size_t)snprintf(out + used, cap - used, "%s%s (%s)", n ? " " : "",
                                     e->d_name, comm);
        n++;
    }
    closedir(proc);
    return n;
}

/* The USB serial ports present now, space separated ("" when none). */
static void ports_present(char *out, size_t cap)
{
    glob_t g = { 0 };
    size_t used = 0;

    out[0] = '\0';
    glob("/dev/ttyACM*", 0, NULL, &g);
    glob("/dev/ttyUSB*", GLOB_APPEND, NULL, &g);
    for (size_t i = 0; i < g.gl_pathc && used < cap; i++)
        used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? " " : "", g.gl_pathv[i]);
    globfree(&g);
}

int dfu_port_check(const struct client_conn *c, struct dfu_result *r)
{
    char target[PATH_MAX], who[200], seen[120];

    if (c->type != CLIENT_CONN_SERIAL)
        return 0;
    if (access(c->dev, F_OK) != 0) {
        ports_present(seen, sizeof seen);
        snprintf(r->reason, sizeof r->reason, "failed to connect: no device at %.100s (device "
                 "not connected, or wrong port)%s%.120s", c->dev, seen[0] ? "; present now: " : "",
                 seen);
        return refuse(r, DFU_PB_NO_PORT);
    }
    if (access(c->dev, R_OK | W_OK) != 0) {
        snprintf(r->reason, sizeof r->reason, "failed to connect: no permission to open %.200s",
                 c->dev);
        return refuse(r, DFU_PB_PORT_ACCESS);
    }
    /* another program on the port would swallow the device's answers */
    if (!realpath(c->dev, target))
        snprintf(target, sizeof target, "%s", c->dev);
    if (port_holders(target, who, sizeof who) > 0) {
        snprintf(r->reason, sizeof r->reason, "port busy: %.100s is in use by %s", c->dev, who);
        return refuse(r, DFU_PB_PORT_BUSY);
    }
    if (!client_serial_baud_ok(c->baud)) {
        snprintf(r->reason, sizeof r->reason, "baud rate mismatch: %u is not a rate the port "
                 "supports", c->baud);
        return refuse(r, DFU_PB_BAUD);
    }
    return 0;
}
