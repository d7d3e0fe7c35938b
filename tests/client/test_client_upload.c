/* The session and the upload policy against an in-process fake device:
 * the bytes that land in the slot equal the file under every fault, the
 * window never exceeds what the device can hold, and resume/restart follow
 * the device's offset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "client/client.h"
#include "fake_device.h"

struct rig {
    struct fake_device dev;
    struct client_transport tp;
    struct client_session s;
    uint8_t *img;
    size_t len;
    size_t last_progress;
    int progress_calls;
    bool monotonic;
};

static void progress(void *ctx, size_t done, size_t total)
{
    struct rig *r = ctx;
    assert_true(done <= total);
    if (r->monotonic)
        assert_true(done >= r->last_progress);
    r->last_progress = done;
    r->progress_calls++;
}

static struct rig *rig_new(size_t len, uint32_t buf_size, uint32_t buf_count)
{
    struct rig *r = calloc(1, sizeof *r);
    assert_non_null(r);
    fake_init(&r->dev, buf_size, buf_count);
    fake_transport(&r->dev, &r->tp);
    client_session_init(&r->s, &r->tp);
    r->s.timeout_ms = 50;
    r->len = len;
    r->img = malloc(len);
    for (size_t i = 0; i < len; i++)
        r->img[i] = (uint8_t)(i * 131 + (i >> 8));
    return r;
}

static void rig_free(struct rig *r)
{
    free(r->img);
    free(r);
}

static struct client_upload_opts opts_for(struct rig *r)
{
    struct client_upload_opts o = { .use_params = true, .first_timeout_ms = 300,
                                    .progress = progress, .progress_ctx = r };
    return o;
}

static void assert_slot_holds_image(struct rig *r)
{
    assert_int_equal(r->dev.expected, r->len);
    assert_memory_equal(r->dev.slot, r->img, r->len);
}

static void clean_upload_fills_device_buffers(void **state)
{
    (void)state;
    struct rig *r = rig_new(100000, 384, 4);
    struct client_upload_opts o = opts_for(r);
    struct client_upload_stats st;

    r->monotonic = true;
    assert_int_equal(client_image_upload(&r->s, r->img, r->len, &o, &st), 0);
    assert_slot_holds_image(r);
    assert_true(st.params_known);
    assert_int_equal(st.window, 3);              /* buf_count - 1 */
    assert_true(r->dev.max_queue <= 3);
    assert_true(r->dev.max_queue >= 2);          /* it did pipeline */
    assert_int_equal(r->dev.oversize, 0);        /* every request fit 384 - 4 bytes */
    assert_int_equal(r->dev.dropped_requests, 0);
    assert_true(st.chunk_size >= 300 && st.chunk_size % 4 == 0);
    assert_int_equal(st.retransmits, 0);
    assert_int_equal(r->last_progress, r->len);
    assert_int_equal(st.resumed_from, 0);
    rig_free(r);
}

static void lost_requests_are_rewound(void **state)
{
    (void)state;
    struct rig *r = rig_new(60000, 384, 4);
    struct client_upload_opts o = opts_for(r);
    struct client_upload_stats st;

    r->dev.drop_request_every = 7;
    assert_int_equal(client_image_upload(&r->s, r->img, r->len, &o, &st), 0);
    assert_slot_holds_image(r);
    assert_true(r->dev.dropped_requests > 0);
    assert_true(st.rewinds + st.timeouts > 0);
    assert_true(st.retransmits > 0);
    rig_free(r);
}

static void lost_responses_are_survived(void **state)
{
    (void)state;
    struct rig *r = rig_new(60000, 384, 4);
    struct client_upload_opts o = opts_for(r);
    struct client_upload_stats st;

    r->dev.drop_response_every = 5;
    assert_int_equal(client_image_upload(&r->s, r->img, r->len, &o, &st), 0);
    assert_slot_holds_image(r);
    assert_true(r->dev.dropped_responses > 0);
    /* a later answer acknowledges the chunk whose answer was lost: no
     * timeout, no re-send (except possibly for the very last chunk) */
    assert_true(st.timeouts <= 1);
    assert_true(st.retransmits <= 1);
    rig_free(r);
}

static void resume_from_device_offset(void **state)
{
    (void)state;
    struct rig *r = rig_new(80000, 384, 4);
    struct client_upload_opts o = opts_for(r);
    struct client_upload_stats st;

    /* a first run dies after some chunks: the device keeps its offset */
    r->dev.drop_request_every = 0;
    assert_int_equal(client_image_upload(&r->s, r->img, 80000, &o, &st), 0);
    r->dev.expected = 40000; /* as if the client had been killed at 40000 */
    memset(r->dev.slot + 40000, 0xff, 40000);
    uint32_t before = r->dev.upload_requests;
    assert_int_equal(client_image_upload(&r->s, r->img, r->len, &o, &st), 0);
    assert_int_equal(st.resumed_from, 40000);
    assert_slot_holds_image(r);
    /* about half the requests of a full upload */
    assert_true(r->dev.upload_requests - before < before * 2 / 3);
    rig_free(r);
}

static void different_file_starts_over(void **state)
{
    (void)state;
    struct rig *r = rig_new(30000, 384, 4);
    struct client_upload_opts o = opts_for(r);
    struct client_upload_stats st;

    assert_int_equal(client_image_upload(&r->s, r->img, r->len, &o, &st), 0);
    r->dev.expected = 10000;
    r->img[5] ^= 0xff; /* another file: another sha */
    assert_int_equal(client_image_upload(&r->s, r->img, r->len, &o, &st), 0);
    assert_int_equal(st.resumed_from, 0);
    assert_slot_holds_image(r);
    rig_free(r);
}

static void device_losing_state_restarts(void **state)
{
    (void)state;
    struct rig *r = rig_new(50000, 384, 4);
    struct client_upload_opts o = opts_for(r);
    struct client_upload_stats st;

    r->dev.lose_state_at = 40;
    assert_int_equal(client_image_upload(&r->s, r->img, r->len, &o, &st), 0);
    assert_int_equal(st.restarts, 1);
    assert_slot_holds_image(r);
    rig_free(r);
}

static void unknown_device_is_stop_and_wait(void **state)
{
    (void)state;
    struct rig *r = rig_new(20000, 2048, 4);
    struct client_upload_opts o = opts_for(r);
    struct client_upload_stats st;

    r->dev.params_supported = false;
    assert_int_equal(client_image_upload(&r->s, r->img, r->len, &o, &st), 0);
    assert_false(st.params_known);
    assert_int_equal(st.window, 1);
    assert_int_equal(r->dev.max_queue, 1);
    assert_true(st.chunk_size <= 256 - 8);
    assert_slot_holds_image(r);
    rig_free(r);
}

static void user_window_and_chunk_are_honoured(void **state)
{
    (void)state;
    struct rig *r = rig_new(20000, 1024, 8);
    struct client_upload_opts o = opts_for(r);
    struct client_upload_stats st;

    o.window = 2;
    o.chunk_size = 128;
    assert_int_equal(client_image_upload(&r->s, r->img, r->len, &o, &st), 0);
    assert_int_equal(st.window, 2);
    assert_int_equal(st.chunk_size, 128);
    assert_int_equal(r->dev.max_queue, 2);
    assert_int_equal(r->dev.max_data, 128);
    assert_slot_holds_image(r);

    /* a window beyond the device's buffers is bounded by buf_count - 1 */
    o.window = 20;
    o.chunk_size = 0;
    assert_int_equal(client_image_upload(&r->s, r->img, r->len, &o, &st), 0);
    assert_int_equal(st.window, 7);
    rig_free(r);
}

static void mtu_limit_bounds_requests(void **state)
{
    (void)state;
    struct rig *r = rig_new(10000, 2048, 2);
    struct client_upload_opts o = opts_for(r);
    struct client_upload_stats st;

    r->s.max_msg = 256 * 3 / 4 - 13; /* Go mtu=256: 179-byte requests */
    assert_int_equal(client_image_upload(&r->s, r->img, r->len, &o, &st), 0);
    assert_true(st.chunk_size + 8 + 10 <= 179);
    assert_slot_holds_image(r);
    rig_free(r);
}

static void device_error_on_first_chunk(void **state)
{
    (void)state;
    struct rig *r = rig_new(4000, 384, 4);
    struct client_upload_opts o = opts_for(r);
    struct client_upload_stats st;

    r->dev.first_chunk_group_rc = IMG_ERR_INVALID_IMAGE_TOO_LARGE;
    assert_int_equal(client_image_upload(&r->s, r->img, r->len, &o, &st), CLIENT_ERR_DEVICE);
    assert_true(r->s.dev_err.has_group);
    assert_int_equal(r->s.dev_err.group, SMP_GROUP_IMAGE);
    assert_int_equal(r->s.dev_err.group_rc, IMG_ERR_INVALID_IMAGE_TOO_LARGE);
    char msg[256];
    client_dev_err_format(&r->s.dev_err, msg, sizeof msg);
    assert_non_null(strstr(msg, "INVALID_IMAGE_TOO_LARGE"));

    r->dev.first_chunk_group_rc = 0;
    r->dev.first_chunk_rc = SMP_ERR_EINVAL;
    assert_int_equal(client_image_upload(&r->s, r->img, r->len, &o, &st), CLIENT_ERR_DEVICE);
    assert_int_equal(r->s.dev_err.rc, SMP_ERR_EINVAL);
    rig_free(r);
}

static void silent_device_times_out(void **state)
{
    (void)state;
    struct rig *r = rig_new(4000, 384, 4);
    struct client_upload_opts o = opts_for(r);
    struct client_upload_stats st;

    r->dev.drop_request_every = 1; /* drops every upload request */
    assert_int_equal(client_image_upload(&r->s, r->img, r->len, &o, &st), CLIENT_ERR_TIMEOUT);
    rig_free(r);
}

static void duplicates_and_strays_are_ignored(void **state)
{
    (void)state;
    struct rig *r = rig_new(16, 384, 4);
    char out[64];

    r->dev.duplicate_responses = 1;
    assert_int_equal(client_echo(&r->s, "hello", out, sizeof out), 0);
    assert_string_equal(out, "hello");
    /* the duplicate of the first answer arrives now: it must not be taken
     * for the answer to the second request */
    assert_int_equal(client_echo(&r->s, "world", out, sizeof out), 0);
    assert_string_equal(out, "world");
    assert_true(r->s.stray >= 1);
    rig_free(r);
}

static void old_device_gets_smp_v1(void **state)
{
    (void)state;
    struct rig *r = rig_new(8000, 384, 4);
    struct client_upload_opts o = opts_for(r);
    struct client_upload_stats st;
    char out[64];

    r->dev.reject_v2 = true;
    assert_int_equal(r->s.smp_ver, 1);
    assert_int_equal(client_echo(&r->s, "hi", out, sizeof out), 0);
    assert_string_equal(out, "hi");
    assert_int_equal(r->s.smp_ver, 0); /* fell back once, stays there */
    assert_int_equal(client_image_upload(&r->s, r->img, r->len, &o, &st), 0);
    assert_true(st.params_known);
    assert_slot_holds_image(r);

    /* the upload itself can be the first request to learn it */
    r->s.smp_ver = 1;
    o.use_params = false;
    r->dev.in_progress = false;
    assert_int_equal(client_image_upload(&r->s, r->img, r->len, &o, &st), 0);
    assert_int_equal(r->s.smp_ver, 0);
    assert_slot_holds_image(r);
    rig_free(r);
}

/* The size the device reports is proved before the transfer: a request of
 * exactly buf_size - 4 bytes is the largest sent, and nothing is lost. */
static void reported_size_is_proved_and_used(void **state)
{
    (void)state;
    struct rig *r = rig_new(30000, 384, 4);
    struct client_upload_opts o = opts_for(r);
    struct client_upload_stats st;

    assert_int_equal(client_image_upload(&r->s, r->img, r->len, &o, &st), 0);
    assert_slot_holds_image(r);
    assert_int_equal(r->s.sizing.max_msg, 380);
    assert_int_equal(r->dev.max_len, 380);       /* the probe: exactly the limit */
    assert_int_equal(r->dev.oversize, 0);
    assert_non_null(strstr(r->s.sizing.why, "384"));
    rig_free(r);
}

/* A device that reports more than it takes: the first probe gets no answer,
 * 256 bytes does, and the whole upload keeps that size. */
static void misreporting_device_is_stepped_down(void **state)
{
    (void)state;
    struct rig *r = rig_new(30000, 1024, 4);
    struct client_upload_opts o = opts_for(r);
    struct client_upload_stats st;

    r->dev.accept_max = 300;
    assert_int_equal(client_image_upload(&r->s, r->img, r->len, &o, &st), 0);
    assert_slot_holds_image(r);
    assert_int_equal(r->s.sizing.max_msg, 256);
    assert_int_equal(r->dev.oversize, 1);        /* only the 1020-byte probe */
    assert_int_equal(st.timeouts, 0);
    assert_non_null(strstr(r->s.sizing.why, "1020-byte request got no answer"));
    rig_free(r);
}

/* No params and a small real buffer: 256 fails, 128 works. */
static void old_device_with_small_buffer(void **state)
{
    (void)state;
    struct rig *r = rig_new(5000, 384, 4);
    struct client_upload_opts o = opts_for(r);
    struct client_upload_stats st;

    r->dev.params_supported = false;
    r->dev.accept_max = 200;
    assert_int_equal(client_image_upload(&r->s, r->img, r->len, &o, &st), 0);
    assert_slot_holds_image(r);
    assert_false(st.params_known);
    assert_int_equal(r->s.sizing.max_msg, 128);
    assert_int_equal(r->dev.oversize, 1);
    assert_int_equal(st.window, 1);
    rig_free(r);
}

/* The size is decided once: a second upload in the same session sends no
 * second probe. */
static void size_is_kept_for_the_session(void **state)
{
    (void)state;
    struct rig *r = rig_new(8000, 1024, 4);
    struct client_upload_opts o = opts_for(r);
    struct client_upload_stats st;

    r->dev.accept_max = 300;
    assert_int_equal(client_image_upload(&r->s, r->img, r->len, &o, &st), 0);
    r->img[100] ^= 1; /* another file: a fresh upload */
    assert_int_equal(client_image_upload(&r->s, r->img, r->len, &o, &st), 0);
    assert_slot_holds_image(r);
    assert_int_equal(r->dev.oversize, 1);
    rig_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clean_upload_fills_device_buffers),
        cmocka_unit_test(lost_requests_are_rewound),
        cmocka_unit_test(lost_responses_are_survived),
        cmocka_unit_test(resume_from_device_offset),
        cmocka_unit_test(different_file_starts_over),
        cmocka_unit_test(device_losing_state_restarts),
        cmocka_unit_test(unknown_device_is_stop_and_wait),
        cmocka_unit_test(user_window_and_chunk_are_honoured),
        cmocka_unit_test(mtu_limit_bounds_requests),
        cmocka_unit_test(device_error_on_first_chunk),
        cmocka_unit_test(silent_device_times_out),
        cmocka_unit_test(duplicates_and_strays_are_ignored),
        cmocka_unit_test(old_device_gets_smp_v1),
        cmocka_unit_test(reported_size_is_proved_and_used),
        cmocka_unit_test(misreporting_device_is_stepped_down),
        cmocka_unit_test(old_device_with_small_buffer),
        cmocka_unit_test(size_is_kept_for_the_session),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
