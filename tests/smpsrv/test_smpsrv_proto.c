/*
 * The dispatcher against the exact request bytes real clients send
 * (issue 3 "Interoperability facts", smp-protocol §1-2): response headers,
 * versions, error shapes, several messages per packet, and the OS group.
 * Bodies are decoded with libcbor (cbor_view.h), not our own codec.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "cbor_view.h"
#include "fixture.h"

#define SEND(f, ...)                                                  \
    do {                                                              \
        static const uint8_t pkt_[] = { __VA_ARGS__ };                \
        fx_send((f), pkt_, sizeof pkt_);                              \
    } while (0)

static void assert_rsp_bytes(struct fx *f, int i, const uint8_t *want, size_t n)
{
    assert_true(i < f->nrsp);
    assert_int_equal(f->rsp_len[i], n);
    assert_memory_equal(f->rsp[i], want, n);
}

static struct cv *rsp_body(struct fx *f, int i)
{
    struct cv *v = cv_load(f->rsp[i] + 8, f->rsp_len[i] - 8);
    assert_non_null(v);
    assert_true(cv_is_map(v));
    assert_true(cv_is_definite(v));
    return v;
}

static void test_go_echo_v1(void **state)
{
    struct fx *f = *state;
    static const uint8_t want[] = { 0x03, 0x00, 0x00, 0x09, 0x00, 0x00, 0x42, 0x00, 0xa1,
                                    0x61, 0x72, 0x65, 'h', 'e', 'l', 'l', 'o' };

    SEND(f, 0x02, 0x00, 0x00, 0x09, 0x00, 0x00, 0x42, 0x00, 0xa1, 0x61, 0x64, 0x65, 0x68,
         0x65, 0x6c, 0x6c, 0x6f);
    assert_int_equal(f->nrsp, 1);
    assert_rsp_bytes(f, 0, want, sizeof want);
}

static void test_rust_echo_v2(void **state)
{
    struct fx *f = *state;
    char text[16];

    SEND(f, 0x0a, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00, 0xa1, 0x61, 0x64, 0x65, 0x68,
         0x65, 0x6c, 0x6c, 0x6f);
    assert_int_equal(f->nrsp, 1);
    assert_int_equal(f->rsp[0][0], 0x0b); /* v2 write response */
    struct cv *b = rsp_body(f, 0);
    assert_true(cv_text(cv_get(b, "r"), text, sizeof text));
    assert_string_equal(text, "hello");
    cv_free(b);
}

/* smp-protocol §5.3: the documented v2 "hi" exchange, byte for byte. */
static void test_doc_echo_hi(void **state)
{
    struct fx *f = *state;
    static const uint8_t want[] = { 0x0b, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00,
                                    0xa1, 0x61, 0x72, 0x62, 0x68, 0x69 };

    SEND(f, 0x0a, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0xa1, 0x61, 0x64, 0x62, 0x68, 0x69);
    assert_rsp_bytes(f, 0, want, sizeof want);
}

static void test_go_image_list_empty_flash(void **state)
{
    struct fx *f = *state;

    SEND(f, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x42, 0x00, 0xa0);
    assert_int_equal(f->nrsp, 1);
    assert_int_equal(f->rsp[0][0], 0x01); /* v1 read response */
    assert_int_equal(f->rsp[0][6], 0x42);
    struct cv *b = rsp_body(f, 0);
    assert_true(cv_is_array(cv_get(b, "images")));
    assert_int_equal(cv_size(cv_get(b, "images")), 0);
    assert_int_equal(cv_get_int(b, "splitStatus", -1), 0);
    assert_null(cv_get(b, "rc"));
    cv_free(b);
}

static void test_reset_empty_body_rust(void **state)
{
    struct fx *f = *state;
    static const uint8_t want[] = { 0x0b, 0x00, 0x00, 0x01, 0x00, 0x00, 0x07, 0x05, 0xa0 };

    SEND(f, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x05);
    assert_rsp_bytes(f, 0, want, sizeof want);
    assert_int_equal(f->resets, 1);
    assert_false(f->reset_force);
}

static void test_reset_go_empty_map_and_force(void **state)
{
    struct fx *f = *state;
    static const uint8_t want[] = { 0x03, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x05, 0xa0 };

    SEND(f, 0x02, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x05, 0xa0);
    assert_rsp_bytes(f, 0, want, sizeof want);
    assert_int_equal(f->resets, 1);
    /* refused (busy) unless forced */
    f->reset_rc = 10;
    SEND(f, 0x02, 0x00, 0x00, 0x01, 0x00, 0x00, 0x02, 0x05, 0xa0);
    struct cv *b = rsp_body(f, 0);
    assert_int_equal(cv_get_int(b, "rc", -1), 10);
    cv_free(b);
    f->reset_rc = 0;
    SEND(f, 0x02, 0x00, 0x00, 0x08, 0x00, 0x00, 0x03, 0x05, 0xa1, 0x65, 'f', 'o', 'r', 'c',
         'e', 0x01);
    assert_int_equal(f->resets, 2);
    assert_true(f->reset_force);
}

static void test_indefinite_map_request(void **state)
{
    struct fx *f = *state;
    char text[8];

    SEND(f, 0x0a, 0x00, 0x00, 0x07, 0x00, 0x00, 0x05, 0x00, 0xbf, 0x61, 0x64, 0x62, 'h', 'i',
         0xff);
    struct cv *b = rsp_body(f, 0);
    assert_true(cv_text(cv_get(b, "r"), text, sizeof text));
    assert_string_equal(text, "hi");
    cv_free(b);
}

static void test_several_messages_in_one_packet(void **state)
{
    struct fx *f = *state;

    SEND(f, 0x02, 0x00, 0x00, 0x05, 0x00, 0x00, 0x10, 0x00, 0xa1, 0x61, 0x64, 0x61, 'a',
         0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x11, 0x00, 0xa0,
         0x0a, 0x00, 0x00, 0x05, 0x00, 0x00, 0x12, 0x00, 0xa1, 0x61, 0x64, 0x61, 'b');
    assert_int_equal(f->nrsp, 3);
    assert_int_equal(f->rsp[0][6], 0x10);
    assert_int_equal(f->rsp[1][6], 0x11);
    assert_int_equal(f->rsp[1][5], 0x01);
    assert_int_equal(f->rsp[2][6], 0x12);
    assert_int_equal(f->rsp[2][0], 0x0b);
    for (int i = 0; i < 3; i++) {
        struct cv *b = rsp_body(f, i);
        assert_null(cv_get(b, "rc"));
        cv_free(b);
    }
}

static void assert_rc(struct fx *f, int i, int64_t rc)
{
    struct cv *b = rsp_body(f, i);
    assert_int_equal(cv_get_int(b, "rc", -1), rc);
    assert_null(cv_get(b, "err"));
    cv_free(b);
}

static void test_unknown_group_and_command(void **state)
{
    struct fx *f = *state;

    SEND(f, 0x0a, 0x00, 0x00, 0x01, 0x00, 0x32, 0x01, 0x00, 0xa0); /* group 50 */
    assert_rc(f, 0, 8);
    SEND(f, 0x0a, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x63, 0xa0); /* os cmd 99 */
    assert_rc(f, 0, 8);
    SEND(f, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x05, 0xa0); /* reset is write-only */
    assert_rc(f, 0, 8);
    SEND(f, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x01, 0xa0); /* console echo: none */
    assert_rc(f, 0, 8);
    SEND(f, 0x08, 0x00, 0x00, 0x01, 0x00, 0x40, 0x01, 0x00, 0xa0); /* user group 64 */
    assert_rc(f, 0, 8);
}

static void test_malformed_bodies(void **state)
{
    struct fx *f = *state;

    SEND(f, 0x02, 0x00, 0x00, 0x02, 0x00, 0x00, 0x01, 0x00, 0xa1, 0x61); /* truncated map */
    assert_rc(f, 0, 9);
    SEND(f, 0x02, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01); /* not a map */
    assert_rc(f, 0, 9);
    SEND(f, 0x02, 0x00, 0x00, 0x02, 0x00, 0x00, 0x01, 0x00, 0xa0, 0xa0); /* trailing item */
    assert_rc(f, 0, 9);
    SEND(f, 0x02, 0x00, 0x00, 0x02, 0x00, 0x00, 0x01, 0x00, 0xbf, 0x61); /* open indefinite */
    assert_rc(f, 0, 9);
    SEND(f, 0x02, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0xff); /* stray break */
    assert_rc(f, 0, 9);
    /* echo with `d` of the wrong type, or missing */
    SEND(f, 0x02, 0x00, 0x00, 0x04, 0x00, 0x00, 0x01, 0x00, 0xa1, 0x61, 0x64, 0x01);
    assert_rc(f, 0, 3);
    SEND(f, 0x02, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0xa0);
    assert_rc(f, 0, 3);
}

/* Echo of `d`: text the server puts back must be valid CBOR, so `d` must
 * be UTF-8 (RFC 3629); multi-byte text comes back byte for byte. */
static void echo_text(struct fx *f, const char *d, size_t n)
{
    uint8_t pkt[64] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0xa1, 0x61, 0x64 };

    pkt[3] = (uint8_t)(4 + n);
    pkt[11] = (uint8_t)(0x60 | n);
    memcpy(pkt + 12, d, n);
    f->nrsp = 0;
    assert_int_equal(fx_send(f, pkt, 12 + n), 1);
}

static void test_text_must_be_utf8(void **state)
{
    struct fx *f = *state;
    static const char *const bad[] = {
        "he\xe8\x04o",      /* a lead byte without its continuation */
        "\xc0\xaf",          /* overlong '/' */
        "\xed\xa0\x80",      /* a UTF-16 surrogate */
        "\xf4\x90\x80\x80",  /* above U+10FFFF */
        "\xe2\x82",          /* cut short */
        "\xff",
    };
    static const char good[] = "gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80";
    char out[32];

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        echo_text(f, bad[i], strlen(bad[i]));
        assert_rc(f, 0, 3);
    }
    echo_text(f, good, strlen(good));
    struct cv *b = rsp_body(f, 0);
    assert_true(cv_text(cv_get(b, "r"), out, sizeof out));
    assert_string_equal(out, good);
    cv_free(b);
}

static void test_framing_errors(void **state)
{
    struct fx *f = *state;

    /* declared 9 body bytes, 3 present: ECORRUPT, then stop */
    SEND(f, 0x02, 0x00, 0x00, 0x09, 0x00, 0x00, 0x01, 0x00, 0xa1, 0x61, 0x64);
    assert_int_equal(f->nrsp, 1);
    assert_int_equal(f->rsp[0][0], 0x03);
    assert_rc(f, 0, 9);
    /* fewer than 8 bytes: no header, no response */
    SEND(f, 0x02, 0x00, 0x00, 0x09, 0x00);
    assert_int_equal(f->nrsp, 0);
    assert_int_equal(f->srv.stats.dropped, 1);
    /* a good message followed by a short tail: one answer */
    SEND(f, 0x02, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x06, 0xa0, 0x02, 0x00);
    assert_int_equal(f->nrsp, 1);
    assert_int_equal(f->srv.stats.dropped, 2);
    /* responses are never answered */
    SEND(f, 0x03, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0xa0);
    assert_int_equal(f->nrsp, 0);
    SEND(f, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0xa0);
    assert_int_equal(f->nrsp, 0);
    /* reserved ops: even ones get EINVAL in an odd op, odd ones no answer */
    SEND(f, 0x04, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0xa0);
    assert_int_equal(f->nrsp, 1);
    assert_int_equal(f->rsp[0][0], 0x05);
    assert_rc(f, 0, 3);
    SEND(f, 0x07, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0xa0);
    assert_int_equal(f->nrsp, 0);
    /* empty packet */
    assert_int_equal(fx_send(f, NULL, 0), 0);
}

static void test_version_too_new(void **state)
{
    struct fx *f = *state;

    SEND(f, 0x12, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0xa0); /* ver 2 */
    assert_int_equal(f->nrsp, 1);
    assert_int_equal(f->rsp[0][0], 0x0b); /* answered in version 1 */
    assert_rc(f, 0, 13);
    SEND(f, 0x18, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0xa0); /* ver 3 read */
    assert_int_equal(f->rsp[0][0], 0x09);
    assert_rc(f, 0, 13);
}

static void test_group_error_shapes(void **state)
{
    struct fx *f = *state;
    /* bootloader info with an unknown query */
    static const uint8_t body[] = { 0xa1, 0x65, 'q', 'u', 'e', 'r', 'y', 0x63, 'x', 'y', 'z' };

    struct cv *b = fx_call(f, 0, 1, 0, 8, body, sizeof body);
    const struct cv *err = cv_get(b, "err");
    assert_true(cv_is_map(err));
    assert_int_equal(cv_get_int(err, "group", -1), 0);
    assert_int_equal(cv_get_int(err, "rc", -1), 3); /* QUERY_YIELDS_NO_ANSWER */
    assert_null(cv_get(b, "rc"));
    cv_free(b);
    b = fx_call(f, 0, 0, 0, 8, body, sizeof body);
    assert_null(cv_get(b, "err"));
    assert_int_equal(cv_get_int(b, "rc", -1), 5); /* ENOENT for v1 clients */
    assert_non_null(cv_get(b, "rsn"));
    cv_free(b);
}

static void test_response_too_big(void **state)
{
    struct fx *f = *state;
    uint8_t body[300], small[64];

    body[0] = 0xa1;
    body[1] = 0x61;
    body[2] = 'd';
    body[3] = 0x79; /* text, 2-byte length */
    body[4] = 0;
    body[5] = 200;
    memset(body + 6, 'x', 200);
    f->srv.rsp_buf = small;
    f->srv.rsp_cap = sizeof small;
    struct cv *b = fx_call(f, 2, 1, 0, 0, body, 206);
    assert_int_equal(cv_get_int(b, "rc", -1), 7);
    cv_free(b);
    f->srv.rsp_buf = f->rsp_buf;
    f->srv.rsp_cap = sizeof f->rsp_buf;
}

/* One server on two links: params answers the figures of the transport
 * each request came on, with nothing re-initialised in between. */
static void test_params_per_transport(void **state)
{
    struct fx *f = *state;
    const struct smpsrv_transport uart = { .buf_size = 384, .buf_count = 4, .serial = true };
    const struct smpsrv_transport udp = { .buf_size = 2048, .buf_count = 2 };
    const struct smpsrv_transport *order[] = { &uart, &udp, &uart };

    for (size_t i = 0; i < 3; i++) {
        f->tp = *order[i];
        struct cv *b = fx_call(f, 0, 1, 0, 6, NULL, 0);
        assert_int_equal(cv_get_int(b, "buf_size", -1), order[i]->buf_size);
        assert_int_equal(cv_get_int(b, "buf_count", -1), order[i]->buf_count);
        cv_free(b);
    }
    f->plat.no_params = true;
    struct cv *b = fx_call(f, 0, 1, 0, 6, NULL, 0);
    assert_int_equal(cv_get_int(b, "rc", -1), SMP_ERR_ENOTSUP);
    cv_free(b);
}

static void test_os_params_info_bootloader(void **state)
{
    struct fx *f = *state;
    static const uint8_t all[] = { 0xa1, 0x66, 'f', 'o', 'r', 'm', 'a', 't', 0x61, 'a' };
    static const uint8_t some[] = { 0xa1, 0x66, 'f', 'o', 'r', 'm', 'a', 't', 0x62, 'n', 's' };
    static const uint8_t bad[] = { 0xa1, 0x66, 'f', 'o', 'r', 'm', 'a', 't', 0x61, 'q' };
    static const uint8_t mode[] = { 0xa1, 0x65, 'q', 'u', 'e', 'r', 'y', 0x64, 'm', 'o', 'd', 'e' };
    char text[256];

    struct cv *b = fx_call(f, 0, 0, 0, 6, NULL, 0);
    assert_int_equal(cv_get_int(b, "buf_size", -1), 2048);
    assert_int_equal(cv_get_int(b, "buf_count", -1), 4);
    cv_free(b);

    b = fx_call(f, 0, 1, 0, 7, NULL, 0);
    assert_true(cv_text(cv_get(b, "output"), text, sizeof text));
    assert_string_equal(text, "Zephyr");
    cv_free(b);
    b = fx_call(f, 0, 1, 0, 7, some, sizeof some);
    assert_true(cv_text(cv_get(b, "output"), text, sizeof text));
    assert_string_equal(text, "Zephyr mcusim"); /* fixed order s n, whatever the request order */
    cv_free(b);
    b = fx_call(f, 0, 1, 0, 7, all, sizeof all);
    assert_true(cv_text(cv_get(b, "output"), text, sizeof text));
    assert_string_equal(text, "Zephyr mcusim v3.7.0 #1 Nov 22 2026 01:00:00 arm cortex-m4 "
                              "nrf52840dk Zephyr");
    cv_free(b);
    b = fx_call(f, 0, 1, 0, 7, bad, sizeof bad);
    assert_int_equal(cv_get_int(cv_get(b, "err"), "rc", -1), 2); /* INVALID_FORMAT */
    cv_free(b);

    b = fx_call(f, 0, 1, 0, 8, NULL, 0);
    assert_true(cv_text(cv_get(b, "bootloader"), text, sizeof text));
    assert_string_equal(text, "MCUboot");
    cv_free(b);
    b = fx_call(f, 0, 1, 0, 8, mode, sizeof mode);
    assert_int_equal(cv_get_int(b, "mode", -9), 3);
    assert_null(cv_get(b, "no-downgrade"));
    cv_free(b);
    f->plat.no_downgrade = true;
    f->plat.boot_mode = -1;
    b = fx_call(f, 0, 1, 0, 8, mode, sizeof mode);
    assert_int_equal(cv_get_int(b, "mode", -9), -1);
    assert_int_equal(cv_get_bool(b, "no-downgrade"), 1);
    cv_free(b);
}

static void test_stats_count_requests(void **state)
{
    struct fx *f = *state;
    const char *name;
    uint64_t v;

    SEND(f, 0x02, 0x00, 0x00, 0x05, 0x00, 0x00, 0x10, 0x00, 0xa1, 0x61, 0x64, 0x61, 'a',
         0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x11, 0x00, 0xa0);
    SEND(f, 0x0a, 0x00, 0x00, 0x01, 0x00, 0x32, 0x01, 0x00, 0xa0);
    assert_int_equal(f->srv.stats.requests, 3);
    assert_int_equal(f->srv.stats.errors, 1);
    assert_int_equal(f->srv.stats.per_group_requests[0], 1);
    assert_int_equal(f->srv.stats.per_group_requests[1], 1);
    assert_int_equal(f->srv.stats.per_group_errors[50], 1);
    assert_int_equal(f->srv.stats.bytes_in, 13 + 9 + 9);
    assert_true(f->srv.stats.bytes_out > 0);
    assert_int_equal(smpsrv_stat_field(&f->srv, 0, &name, &v), 0);
    assert_string_equal(name, "requests");
    assert_int_equal(v, 3);
    size_t i = 0;
    while (smpsrv_stat_field(&f->srv, i, &name, &v) == 0)
        i++;
    assert_true(i > 5);
}


/* Every group names itself and turns any group code into a generic one
 * a v1 client understands. */
static void test_group_tables(void **state)
{
    static const struct smp_group *const all[] = {
        &smp_group_os, &smp_group_img, &smp_group_stat, &smp_group_settings,
        &smp_group_fs, &smp_group_shell, &smp_group_enum, &smp_group_zephyr,
    };
    (void)state;
    for (size_t g = 0; g < sizeof all / sizeof all[0]; g++) {
        assert_non_null(all[g]->name);
        assert_non_null(all[g]->to_v1_rc);
        assert_true(all[g]->count > 0);
        for (int rc = 1; rc < 64; rc++) {
            int v1 = all[g]->to_v1_rc(rc);
            assert_true(v1 >= SMP_ERR_EUNKNOWN && v1 <= SMP_ERR_UNSUPPORTED_TOO_NEW);
        }
    }
}

/* A group of the board's own (id 64) keeping a counter as its state, and
 * a stateless one (id 65): handlers get their own group's state, and a
 * new server (a reset) starts from zeroed state. */
struct counter_state {
    uint32_t calls;
    bool stateless_saw_null;
};

static struct counter_state counter_state;

static int count_call(struct smp_ctx *ctx)
{
    struct counter_state *st = ctx->state;

    st->calls++;
    cbor_put_str(ctx->rsp, "calls");
    cbor_put_uint(ctx->rsp, st->calls);
    return 0;
}

static int stateless_call(struct smp_ctx *ctx)
{
    counter_state.stateless_saw_null = ctx->state == NULL;
    return 0;
}

static void test_group_owns_state(void **state)
{
    static const struct smp_handler counter_handlers[] = { { .read = count_call } };
    static const struct smp_handler stateless_handlers[] = { { .read = stateless_call } };
    static const struct smp_group counter = {
        .id = 64, .name = "counter", .handlers = counter_handlers, .count = 1,
        .state = &counter_state, .state_size = sizeof counter_state,
    };
    static const struct smp_group stateless = {
        .id = 65, .name = "stateless", .handlers = stateless_handlers, .count = 1,
    };
    static const struct smp_group *const groups[] = { &counter, &stateless };
    struct fx *f = *state;
    uint8_t pkt[16];

    counter_state.calls = 41;
    smpsrv_init(&f->srv, groups, 2, &f->plat, f->rsp_buf, sizeof f->rsp_buf);
    assert_int_equal(counter_state.calls, 0);
    for (int i = 1; i <= 2; i++) {
        struct cv *b = fx_call(f, 0, 1, 64, 0, NULL, 0);
        assert_int_equal(cv_get_int(b, "calls", -1), i);
        cv_free(b);
    }
    cv_free(fx_call(f, 0, 1, 65, 0, NULL, 0));
    assert_true(counter_state.stateless_saw_null);
    assert_int_equal(counter_state.calls, 2);
    smpsrv_init(&f->srv, groups, 2, &f->plat, f->rsp_buf, sizeof f->rsp_buf);
    assert_int_equal(fx_send(f, pkt, fx_req(pkt, 0, 1, 64, 0, 0, NULL, 0)), 1);
    assert_int_equal(counter_state.calls, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_go_echo_v1, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_group_owns_state, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_rust_echo_v2, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_doc_echo_hi, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_go_image_list_empty_flash, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_reset_empty_body_rust, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_reset_go_empty_map_and_force, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_indefinite_map_request, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_several_messages_in_one_packet, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_unknown_group_and_command, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_malformed_bodies, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_text_must_be_utf8, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_framing_errors, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_version_too_new, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_group_error_shapes, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_response_too_big, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_params_per_transport, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_os_params_info_bootloader, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_stats_count_requests, fx_setup, fx_teardown),
        cmocka_unit_test(test_group_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
