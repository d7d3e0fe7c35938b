/* Connection strings in the Go syntax, and the client's error tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "client/client.h"

static void serial_connstrings(void **state)
{
    (void)state;
    struct client_conn c;
    char err[256];

    assert_int_equal(client_conn_parse("serial", "dev=/dev/ttyACM0,baud=9600,mtu=256", &c, err, sizeof err), 0);
    assert_string_equal(c.dev, "/dev/ttyACM0");
    assert_int_equal(c.baud, 9600);
    assert_int_equal(c.mtu, 256);
    assert_int_equal(client_conn_parse("serial", "/dev/ttyUSB0", &c, err, sizeof err), 0);
    assert_string_equal(c.dev, "/dev/ttyUSB0");
    assert_int_equal(c.baud, 115200);
    assert_int_equal(client_conn_parse("serial", "dev=/dev/x,linelen=256,maxmsg=1024,linedelay=20", &c, err, sizeof err), 0);
    assert_int_equal(c.line_max, 256);
    assert_int_equal(c.max_msg, 1024);
    assert_int_equal(c.line_delay_ms, 20);

    assert_int_equal(client_conn_parse("serial", "dev=/dev/x,bogus=1", &c, err, sizeof err), CLIENT_ERR_CONNSTRING);
    assert_non_null(strstr(err, "Unrecognized key: bogus"));
    assert_int_equal(client_conn_parse("serial", "dev=/dev/x,baud=fast", &c, err, sizeof err), CLIENT_ERR_CONNSTRING);
    assert_non_null(strstr(err, "Invalid baud"));
    assert_int_equal(client_conn_parse("serial", "dev=/dev/x,mtu=abc", &c, err, sizeof err), CLIENT_ERR_CONNSTRING);
    assert_non_null(strstr(err, "Invalid mtu"));
    assert_int_equal(client_conn_parse("serial", "baud=9600", &c, err, sizeof err), CLIENT_ERR_CONNSTRING);
    assert_int_equal(client_conn_parse("", "x", &c, err, sizeof err), CLIENT_ERR_CONNSTRING);
    assert_non_null(strstr(err, "No connection type"));
    assert_int_equal(client_conn_parse("carrier-pigeon", "x", &c, err, sizeof err), CLIENT_ERR_CONNSTRING);
    assert_non_null(strstr(err, "invalid conntype"));
    assert_int_equal(client_conn_parse("oic_ble", "peer_name=x", &c, err, sizeof err), CLIENT_ERR_CONNSTRING);
    assert_non_null(strstr(err, "Unsupported connection type"));
}

static void ble_connstrings(void **state)
{
    (void)state;
    struct client_conn c;
    char err[256];

    assert_int_equal(client_conn_parse("ble", "peer_name=Board 1,ctlr_name=hci1,scan=2.5", &c,
                                       err, sizeof err), 0);
    assert_int_equal(c.type, CLIENT_CONN_BLE);
    assert_string_equal(c.peer_name, "Board 1");
    assert_string_equal(c.ctlr_name, "hci1");
    assert_int_equal(c.scan_ms, 2500);
    assert_int_equal(client_conn_parse("ble", "peer_id=c0:11:22:33:44:55", &c, err, sizeof err), 0);
    assert_string_equal(c.peer_id, "c0:11:22:33:44:55");
    assert_int_equal(client_conn_parse("ble", "Board1", &c, err, sizeof err), 0);
    assert_string_equal(c.peer_name, "Board1");
    assert_int_equal(client_conn_parse("ble", "", &c, err, sizeof err), CLIENT_ERR_CONNSTRING);
    assert_non_null(strstr(err, "no peer given"));
    assert_int_equal(client_conn_parse("ble", "peer_id=c0:11:22:33:44", &c, err, sizeof err),
                     CLIENT_ERR_CONNSTRING);
    assert_non_null(strstr(err, "Invalid peer_id"));
    assert_int_equal(client_conn_parse("ble", "peer_name=x,ctlr_name=usb0", &c, err, sizeof err),
                     CLIENT_ERR_CONNSTRING);
    assert_non_null(strstr(err, "Invalid ctlr_name"));
    assert_int_equal(client_conn_parse("ble", "peer_name=x,colour=red", &c, err, sizeof err),
                     CLIENT_ERR_CONNSTRING);
    assert_non_null(strstr(err, "Unrecognized key: colour"));
    assert_int_equal(client_conn_parse("ble", "peer_name=x,scan=0", &c, err, sizeof err),
                     CLIENT_ERR_CONNSTRING);
}

static void udp_connstrings(void **state)
{
    (void)state;
    struct client_conn c;
    char err[256];

    assert_int_equal(client_conn_parse("udp", "127.0.0.1:1337", &c, err, sizeof err), 0);
    assert_string_equal(c.host, "127.0.0.1");
    assert_string_equal(c.port, "1337");
    assert_int_equal(client_conn_parse("udp", "[fe80::1%eth0]:1337", &c, err, sizeof err), 0);
    assert_string_equal(c.host, "fe80::1%eth0");
    assert_int_equal(client_conn_parse("udp", "localhost", &c, err, sizeof err), CLIENT_ERR_CONNSTRING);
    assert_int_equal(client_conn_parse("udp", "host:99999", &c, err, sizeof err), CLIENT_ERR_CONNSTRING);
    assert_int_equal(client_conn_parse("udp", ":1337", &c, err, sizeof err), CLIENT_ERR_CONNSTRING);
    assert_int_equal(client_conn_parse("udp", "[::1:1337", &c, err, sizeof err), CLIENT_ERR_CONNSTRING);
}

static void every_error_has_name_and_text(void **state)
{
    (void)state;
    assert_string_equal(client_errname(CLIENT_OK), "OK");
    for (int e = CLIENT_ERR_TIMEOUT; e >= CLIENT_ERR_REFUSED; e--) {
        assert_string_not_equal(client_errname(e), "UNKNOWN");
        assert_string_not_equal(client_strerror(e), "unknown client error");
    }
    /* the client's range (-101..-139) is its own: no other layer's code is named */
    assert_string_equal(client_errname(-1), "UNKNOWN");
    assert_string_equal(client_errname(-61), "UNKNOWN");
    assert_string_equal(client_errname(-999), "UNKNOWN");

    struct client_dev_err de = { .rc = 3 };
    char buf[256];
    client_dev_err_format(&de, buf, sizeof buf);
    assert_int_equal(strncmp(buf, "3 (EINVAL): ", 12), 0);
    strcpy(de.rsn, "bad offset");
    client_dev_err_format(&de, buf, sizeof buf);
    assert_string_equal(buf, "3 (EINVAL): bad offset");
}

/* An answer body given as CBOR bytes, decoded as the session would. */
static int status_of(uint8_t ver, const uint8_t *body, size_t n, struct client_session *s)
{
    static struct client_rsp rsp;
    struct cbor_reader r;

    memset(&rsp, 0, sizeof rsp);
    rsp.hdr.ver = ver;
    memcpy(rsp.msg, body, n);
    cbor_reader_init(&r, rsp.msg, n);
    assert_int_equal(cbor_read(&r, &rsp.body), CBOR_OK);
    memset(s, 0, sizeof *s);
    return client_check_status(s, &rsp);
}

static void device_error_texts(void **state)
{
    (void)state;
    struct client_session s;
    char buf[256];
    /* {"rc": 1, "err": {"group": 1, "rc": 1}} */
    static const uint8_t both[] = { 0xa2, 0x62, 'r', 'c', 0x01, 0x63, 'e', 'r', 'r', 0xa2, 0x65,
                                    'g', 'r', 'o', 'u', 'p', 0x01, 0x62, 'r', 'c', 0x01 };
    /* {"err": {"group": 1, "rc": 8}, "rsn": "no such image"} */
    static const uint8_t grp[] = { 0xa2, 0x63, 'e', 'r', 'r', 0xa2, 0x65, 'g', 'r', 'o', 'u', 'p',
                                   0x01, 0x62, 'r', 'c', 0x08, 0x63, 'r', 's', 'n', 0x6d, 'n', 'o',
                                   ' ', 's', 'u', 'c', 'h', ' ', 'i', 'm', 'a', 'g', 'e' };

    /* a v1 rc 1 is the generic EUNKNOWN, never the image group's code 1 */
    assert_int_equal(status_of(0, both, sizeof both, &s), CLIENT_ERR_DEVICE);
    client_dev_err_format(&s.dev_err, buf, sizeof buf);
    assert_string_equal(buf, "1 (EUNKNOWN): unspecified failure on the device");
    /* the same body in v2: the group error counts */
    assert_int_equal(status_of(1, both, sizeof both, &s), CLIENT_ERR_DEVICE);
    client_dev_err_format(&s.dev_err, buf, sizeof buf);
    assert_int_equal(strncmp(buf, "1 (IMAGE UNKNOWN): ", 19), 0);
    /* the device's reason is said once, in place of the generic meaning */
    assert_int_equal(status_of(1, grp, sizeof grp, &s), CLIENT_ERR_DEVICE);
    client_dev_err_format(&s.dev_err, buf, sizeof buf);
    assert_string_equal(buf, "8 (IMAGE HASH_NOT_FOUND): no such image");
}

static void image_check(void **state)
{
    (void)state;
    uint8_t img[96] = { 0x3d, 0xb8, 0xf3, 0x96 };
    img[8] = 32;  /* hdr_size */
    img[12] = 16; /* img_size */
    img[48] = 0x07, img[49] = 0x69, img[50] = 40; /* TLV info: magic, 40 bytes in all */
    img[52] = 0x10, img[54] = 32; /* a SHA-256 entry (its value is not checked here) */
    assert_int_equal(client_image_check_file(img, 88), 0);
    assert_int_equal(client_image_check_file(img, 40), CLIENT_ERR_TRUNCATED); /* in the body */
    assert_int_equal(client_image_check_file(img, 50), CLIENT_ERR_TRUNCATED); /* in the TLV info */
    assert_int_equal(client_image_check_file(img, 70), CLIENT_ERR_TRUNCATED); /* in the TLVs */
    assert_int_equal(client_image_check_file(img, 20), CLIENT_ERR_TRUNCATED); /* in the header */
    img[48] = 0;
    assert_int_equal(client_image_check_file(img, 88), CLIENT_ERR_NOT_IMAGE); /* no TLV magic */
    img[0] = 0x7f;
    assert_int_equal(client_image_check_file(img, sizeof img), CLIENT_ERR_NOT_IMAGE);
    assert_int_equal(client_image_check_file(img, 3), CLIENT_ERR_NOT_IMAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(serial_connstrings),
        cmocka_unit_test(device_error_texts),
        cmocka_unit_test(ble_connstrings),
        cmocka_unit_test(udp_connstrings),
        cmocka_unit_test(every_error_has_name_and_text),
        cmocka_unit_test(image_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
