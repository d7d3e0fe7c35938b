/*
 * The board's control socket (DIR/ctl.sock): what a person does to the
 * physical board (press a button, pull the cable, reset pin) and what a
 * test wants to know about it (status), from another terminal:
 * `mcusim --state DIR --press-button 1`. One command line per connection,
 * one reply, then the board closes.
 */
#include "sim/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "sim/sim.h"

/* Socket addresses hold about 100 bytes, state folders can be longer: the
 * socket is bound and reached as "ctl.sock" from inside the folder
 * (a chdir there and back: both processes are single-threaded). */
static const struct sockaddr_un ctl_sockaddr = { .sun_family = AF_UNIX,
                                                 .sun_path = "ctl.sock" };

typedef int (*sock_op)(int fd, const struct sockaddr *a, socklen_t len);

static int in_dir(const char *dir, sock_op op, int fd)
{
    int here = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (here < 0)
        return -1;
    int rc = -1;
    if (chdir(dir) == 0) {
        rc = op(fd, (const struct sockaddr *)&ctl_sockaddr, sizeof ctl_sockaddr);
        if (fchdir(here) != 0)
            rc = -1;
    }
    close(here);
    return rc;
}

int sim_ctl_listen(struct sim_runtime *rt)
{
    snprintf(rt->ctl_path, sizeof rt->ctl_path, "%s/ctl.sock", rt->b->cfg.state_dir);
    rt->ctl_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (rt->ctl_fd < 0)
        return SIM_EIO;
    unlink(rt->ctl_path); /* a stale socket of a board that died */
    if (in_dir(rt->b->cfg.state_dir, bind, rt->ctl_fd) != 0 ||
        listen(rt->ctl_fd, 4) != 0) {
        sim_board_log(rt->b, "E: cannot create %s: %s", rt->ctl_path, strerror(errno));
        close(rt->ctl_fd);
        rt->ctl_fd = -1;
        return SIM_EIO;
    }
    return SIM_OK;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static int button_cmd(struct sim_runtime *rt, const char *verb, int n, char **reply)
{
    if (n < 1 || n > 2) {
        *reply = dup_str("error: no such button (1 or 2)");
        return SIM_EINVAL;
    }
    if (strcmp(verb, "press") == 0) {
        sim_board_button(rt->b, n, true);
        sim_board_button(rt->b, n, false);
    } else {
        sim_board_button(rt->b, n, strcmp(verb, "hold") == 0);
    }
    *reply = dup_str(rt->b->dfu_mode ? "ok: DFU mode" : "ok");
    return SIM_OK;
}

int sim_runtime_control(struct sim_runtime *rt, const char *cmd, char **reply)
{
    char verb[32] = "";
    long arg = -1;
    int n = sscanf(cmd, "%31s %ld", verb, &arg);
    uint64_t now = sim_now_ns();
    if (n < 1)
        return *reply = dup_str("error: empty command"), SIM_EINVAL;
    if (!strcmp(verb, "press") || !strcmp(verb, "hold") || !strcmp(verb, "release"))
        return button_cmd(rt, verb, (int)arg, reply);
    if (!strcmp(verb, "status"))
        return *reply = sim_runtime_status_json(rt), *reply ? SIM_OK : SIM_EIO;
    if (!strcmp(verb, "unplug")) {
        if (rt->uart.master < 0)
            return *reply = dup_str("error: no pty plugged"), SIM_EINVAL;
        sim_uart_unplug(rt, now, arg > 0 ? (uint32_t)arg : 1000);
        return *reply = dup_str("ok"), SIM_OK;
    }
    if (!strcmp(verb, "stall") && arg > 0) {
        rt->uart.stall_ns = now + (uint64_t)arg * 1000000ull;
        sim_board_log(rt->b, "uart: stalled for %ld ms (control)", arg);
        return *reply = dup_str("ok"), SIM_OK;
    }
    if (!strcmp(verb, "reset-stats")) {
        memset(&rt->b->uart_st, 0, sizeof rt->b->uart_st);
        memset(&rt->b->udp_st, 0, sizeof rt->b->udp_st);
        flash_model_reset_stats(&rt->b->flash);
        return *reply = dup_str("ok"), SIM_OK;
    }
    if (!strcmp(verb, "reset") || !strcmp(verb, "power-cycle") || !strcmp(verb, "watchdog")) {
        sim_runtime_reboot(rt, verb[0] == 'r' ? SIM_RESET_PIN
                        : verb[0] == 'w' ? SIM_RESET_WATCHDOG : SIM_RESET_POWER_ON);
        return *reply = dup_str(rt->b->running ? "ok" : "ok: no bootable image"), SIM_OK;
    }
    *reply = dup_str("error: unknown command (press|hold|release N, status, "
                     "unplug [MS], stall MS, reset, power-cycle, watchdog, reset-stats)");
    return SIM_EINVAL;
}

void sim_ctl_on_readable(struct sim_runtime *rt)
{
    int fd = accept4(rt->ctl_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        return;
    struct timeval tv = { 1, 0 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    char cmd[256];
    size_t len = 0;
    while (len < sizeof cmd - 1) {
        ssize_t n = read(fd, cmd + len, sizeof cmd - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
        if (memchr(cmd, '\n', len))
            break;
    }
    cmd[len] = '\0';
    cmd[strcspn(cmd, "\r\n")] = '\0';
    char *reply = NULL;
    sim_runtime_control(rt, cmd, &reply);
    if (reply) {
        size_t rl = strlen(reply);
        if (write(fd, reply, rl) != (ssize_t)rl || write(fd, "\n", 1) != 1)
            sim_board_log(rt->b, "ctl: reply not delivered");
        free(reply);
    }
    close(fd);
}

int sim_ctl_send(const char *state_dir, const char *cmd, char **reply)
{
    *reply = NULL;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return SIM_EIO;
    if (in_dir(state_dir, connect, fd) != 0) {
        close(fd);
        return SIM_ENOENT;
    }
    struct timeval tv = { 10, 0 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    size_t cl = strlen(cmd);
    if (write(fd, cmd, cl) != (ssize_t)cl || write(fd, "\n", 1) != 1) {
        close(fd);
        return SIM_EIO;
    }
    struct sim_bytes out = { 0 };
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        sim_bytes_append(&out, buf, (size_t)n);
    close(fd);
    sim_bytes_append(&out, "", 1);
    *reply = (char *)out.buf;
    return *reply ? SIM_OK : SIM_EIO;
}
