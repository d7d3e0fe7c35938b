/* The serial transport on a real pty: what it writes is valid framing,
 * several answers in one read are all delivered, console text between
 * frames is skipped, and a hang-up of the other end is reported as a lost
 * connection, not a timeout. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <pty.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/client.h"
#include "smp/serial.h"

struct pty_rig {
    int master;
    char path[128];
    struct client_conn conn;
    struct client_transport tp;
};

static void open_rig(struct pty_rig *r)
{
    int slave;
    char err[256];
    assert_int_equal(openpty(&r->master, &slave, r->path, NULL, NULL), 0);
    close(slave); /* the transport opens it by name, as a user's port */
    assert_int_equal(client_conn_parse("serial", "", &r->conn, err, sizeof err), CLIENT_ERR_CONNSTRING);
    char cs[200];
    snprintf(cs, sizeof cs, "dev=%s,baud=115200", r->path);
    assert_int_equal(client_conn_parse("serial", cs, &r->conn, err, sizeof err), 0);
    assert_int_equal(client_transport_open(&r->conn, &r->tp, err, sizeof err), 0);
}

static size_t frame(const uint8_t *msg, size_t n, uint8_t *out, size_t cap)
{
    size_t w = smp_serial_encode(msg, n, out, cap, 0);
    assert_true(w > 0);
    return w;
}

static void sends_valid_frames(void **state)
{
    (void)state;
    struct pty_rig r;
    open_rig(&r);
    uint8_t msg[300], buf[1024], pkt[400];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)i;
    assert_int_equal(r.tp.send(r.tp.ctx, msg, sizeof msg), 0);

    struct smp_serial_rx rx;
    smp_serial_rx_init(&rx, pkt, sizeof pkt);
    size_t got = 0;
    while (!got) {
        struct pollfd p = { .fd = r.master, .events = POLLIN };
        assert_true(poll(&p, 1, 2000) == 1);
        ssize_t n = read(r.master, buf, sizeof buf);
        assert_true(n > 0);
        for (ssize_t i = 0; i < n && !got; i++)
            got = smp_serial_rx_byte(&rx, buf[i]);
    }
    assert_int_equal(got, sizeof msg);
    assert_memory_equal(rx.pkt, msg, sizeof msg);
    client_transport_close(&r.tp);
    close(r.master);
}

static void several_answers_in_one_read(void **state)
{
    (void)state;
    struct pty_rig r;
    open_rig(&r);
    const uint8_t a[] = { 0x0b, 0, 0, 1, 0, 0, 1, 0, 0xa0 };
    const uint8_t b[] = { 0x0b, 0, 0, 1, 0, 0, 2, 0, 0xa0 };
    uint8_t wire[512], in[CLIENT_MSG_MAX];
    size_t n = 0;
    n += frame(a, sizeof a, wire + n, sizeof wire - n);
    memcpy(wire + n, "uart:~$ log line\r\n", 18);
    n += 18;
    n += frame(b, sizeof b, wire + n, sizeof wire - n);
    assert_int_equal(write(r.master, wire, n), (ssize_t)n);

    assert_int_equal(r.tp.recv(r.tp.ctx, in, sizeof in, 2000), (int)sizeof a);
    assert_memory_equal(in, a, sizeof a);
    assert_int_equal(r.tp.recv(r.tp.ctx, in, sizeof in, 2000), (int)sizeof b);
    assert_memory_equal(in, b, sizeof b);
    /* nothing more: a timeout, reported as 0 */
    assert_int_equal(r.tp.recv(r.tp.ctx, in, sizeof in, 50), 0);

    /* a frame split across writes */
    n = frame(a, sizeof a, wire, sizeof wire);
    assert_int_equal(write(r.master, wire, 5), 5);
    assert_int_equal(r.tp.recv(r.tp.ctx, in, sizeof in, 50), 0);
    assert_int_equal(write(r.master, wire + 5, n - 5), (ssize_t)(n - 5));
    assert_int_equal(r.tp.recv(r.tp.ctx, in, sizeof in, 2000), (int)sizeof a);
    client_transport_close(&r.tp);
    close(r.master);
}

static void hang_up_is_a_lost_connection(void **state)
{
    (void)state;
    struct pty_rig r;
    uint8_t in[64];
    open_rig(&r);
    close(r.master);
    assert_int_equal(r.tp.recv(r.tp.ctx, in, sizeof in, 2000), CLIENT_ERR_IO);
    assert_non_null(strstr(r.tp.last_error, "closed"));
    client_transport_close(&r.tp);
}

static void second_client_is_refused(void **state)
{
    (void)state;
    struct pty_rig r;
    struct client_transport tp2;
    char err[256];
    open_rig(&r);
    assert_int_equal(client_transport_open(&r.conn, &tp2, err, sizeof err), CLIENT_ERR_OPEN);
    assert_non_null(strstr(err, "in use"));
    client_transport_close(&r.tp);
    /* released on close */
    assert_int_equal(client_transport_open(&r.conn, &tp2, err, sizeof err), 0);
    client_transport_close(&tp2);
    close(r.master);
}

static void bad_ports(void **state)
{
    (void)state;
    struct client_conn c;
    struct client_transport tp;
    char err[256];
    assert_int_equal(client_conn_parse("serial", "dev=/nonexistent/tty", &c, err, sizeof err), 0);
    assert_int_equal(client_transport_open(&c, &tp, err, sizeof err), CLIENT_ERR_OPEN);
    assert_non_null(strstr(err, "/nonexistent/tty"));
    assert_int_equal(client_conn_parse("serial", "dev=/dev/null", &c, err, sizeof err), 0);
    assert_int_equal(client_transport_open(&c, &tp, err, sizeof err), CLIENT_ERR_OPEN);
    assert_non_null(strstr(err, "not a serial port"));
    assert_int_equal(client_conn_parse("serial", "dev=/dev/null,baud=12345", &c, err, sizeof err), 0);
    assert_int_equal(client_transport_open(&c, &tp, err, sizeof err), CLIENT_ERR_CONNSTRING);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sends_valid_frames),
        cmocka_unit_test(several_answers_in_one_read),
        cmocka_unit_test(hang_up_is_a_lost_connection),
        cmocka_unit_test(second_client_is_refused),
        cmocka_unit_test(bad_ports),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
