/* dfu_port_check on real files and processes (a missing port, one held by
 * another process, named by its pid and command, a baud rate no port
 * takes) and dfu_hints filling in the port, the file and the versions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dfu/dfu.h"

static void serial(struct client_conn *c, const char *dev, unsigned baud)
{
    memset(c, 0, sizeof *c);
    c->type = CLIENT_CONN_SERIAL;
    snprintf(c->dev, sizeof c->dev, "%s", dev);
    c->baud = baud;
}

static void missing_port(void **state)
{
    (void)state;
    struct client_conn c;
    struct dfu_result r = { 0 };

    serial(&c, "/nonexistent/ttyACM9", 115200);
    assert_int_equal(dfu_port_check(&c, &r), DFU_ERR_REFUSED);
    assert_int_equal(r.problem, DFU_PB_NO_PORT);
    assert_non_null(strstr(r.reason, "no device at /nonexistent/ttyACM9"));
}

/* A child holds the "port" (a plain file will do: it is found by what the
 * process's descriptors point at) until the parent has looked. */
static void busy_port(void **state)
{
    (void)state;
    char path[] = "/tmp/test_dfu_port.XXXXXX", who[64];
    int fd = mkstemp(path), ready[2];
    struct client_conn c;
    struct dfu_result r = { 0 };
    char b;

    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(pipe(ready), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        FILE *held = fopen(path, "r+");
        close(ready[0]);
        if (write(ready[1], "x", 1) != 1 || !held)
            _exit(1);
        pause();
        _exit(0);
    }
    close(ready[1]);
    assert_int_equal(read(ready[0], &b, 1), 1);
    serial(&c, path, 115200);
    int rc = dfu_port_check(&c, &r);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    /* the holder has gone: the port is free again */
    struct dfu_result again = { 0 };
    int rc_after = dfu_port_check(&c, &again);
    unlink(path);
    assert_int_equal(rc, DFU_ERR_REFUSED);
    assert_int_equal(r.problem, DFU_PB_PORT_BUSY);
    snprintf(who, sizeof who, "in use by %ld (", (long)pid);
    assert_non_null(strstr(r.reason, who));
    assert_int_equal(rc_after, 0);
    assert_int_equal(again.problem, DFU_PB_NONE);
}

static void baud_and_udp(void **state)
{
    (void)state;
    char path[] = "/tmp/test_dfu_port.XXXXXX";
    int fd = mkstemp(path);
    struct client_conn c;
    struct dfu_result r = { 0 };

    assert_true(fd >= 0);
    close(fd);
    serial(&c, path, 12345);
    assert_int_equal(dfu_port_check(&c, &r), DFU_ERR_REFUSED);
    unlink(path);
    assert_int_equal(r.problem, DFU_PB_BAUD);
    assert_non_null(strstr(r.reason, "baud rate mismatch: 12345"));
    memset(&c, 0, sizeof c);
    c.type = CLIENT_CONN_UDP;
    assert_int_equal(dfu_port_check(&c, &r), 0);
}

static void hints_name_the_port_file_and_versions(void **state)
{
    (void)state;
    char h[DFU_HINTS_MAX][DFU_HINT_LEN];
    struct client_conn c;
    struct dfu_result r = { .problem = DFU_PB_PORT_BUSY };

    serial(&c, "/dev/ttyACM3", 115200);
    assert_int_equal(dfu_hints(&r, &c, "fw.bin", h), 2);
    assert_string_equal(h[1], "Check with: lsof /dev/ttyACM3");
    r.problem = DFU_PB_PENDING_OTHER;
    snprintf(r.slot1_version, sizeof r.slot1_version, "1.1.0");
    snprintf(r.before_version, sizeof r.before_version, "1.0.0");
    assert_int_equal(dfu_hints(&r, &c, "fw.bin", h), 2);
    assert_non_null(strstr(h[1], "tries 1.1.0 once, the second reset reverts to 1.0.0"));
    r.problem = DFU_PB_UNTRUSTED;
    assert_int_equal(dfu_hints(&r, &c, "fw.bin", h), 2);
    assert_non_null(strstr(h[1], "imgtool verify -k <the bootloader's public key> fw.bin"));
    /* nothing answers: the checklist of the connection's kind */
    r.problem = DFU_PB_NO_ANSWER;
    memset(&c, 0, sizeof c);
    c.type = CLIENT_CONN_UDP;
    snprintf(c.host, sizeof c.host, "127.0.0.1");
    snprintf(c.port, sizeof c.port, "1337");
    assert_int_equal(dfu_hints(&r, &c, "fw.bin", h), 2);
    assert_non_null(strstr(h[0], "Check the address: 127.0.0.1:1337"));
    assert_non_null(strstr(h[1], "is mcusim running"));
    r.problem = DFU_PB_NONE;
    assert_int_equal(dfu_hints(&r, &c, "fw.bin", h), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(missing_port),
        cmocka_unit_test(busy_port),
        cmocka_unit_test(baud_and_udp),
        cmocka_unit_test(hints_name_the_port_file_and_versions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
