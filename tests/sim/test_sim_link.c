/* Unit tests of the board's link pieces: baud pacing math, the byte
 * queue, fault injection (rates, units, determinism, spec parsing), path
 * confinement of the firmware's file system, profile data, error names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot/flash_area.h"
#include "sim/fsroot.h"
#include "sim/link.h"
#include "sim/profile.h"
#include "sim/sim.h"

static void pacer_byte_time_is_ten_bit_times(void **state)
{
    (void)state;
    assert_int_equal(sim_pacer_byte_ns(115200), 86806); /* 10 / 115200 s */
    assert_int_equal(sim_pacer_byte_ns(9600), 1041667);
    assert_int_equal(sim_pacer_byte_ns(0), 0);
}

static void pacer_releases_bytes_at_line_rate(void **state)
{
    (void)state;
    struct sim_pacer p;
    sim_pacer_init(&p, 115200);
    uint64_t t0 = 1000000000ull;
    sim_pacer_start(&p, t0);
    assert_int_equal(sim_pacer_take(&p, t0, 1000), 0);
    /* one second carries 11 520 bytes */
    assert_int_equal(sim_pacer_take(&p, t0 + 1000000000ull, 100000), 11520);
    /* nothing more until the next byte time */
    assert_int_equal(sim_pacer_take(&p, t0 + 1000000000ull, 100000), 0);
    assert_true(sim_pacer_next_ns(&p) > t0 + 1000000000ull);
    /* never more than queued */
    assert_int_equal(sim_pacer_take(&p, t0 + 3000000000ull, 5), 5);
}

static void pacer_idle_wire_does_not_bank_credit(void **state)
{
    (void)state;
    struct sim_pacer p;
    sim_pacer_init(&p, 9600);
    sim_pacer_start(&p, 0);
    assert_int_equal(sim_pacer_take(&p, 10 * 1000000000ull, 1), 1);
    /* bytes queued after a long idle time start at the new instant */
    sim_pacer_start(&p, 100 * 1000000000ull);
    assert_int_equal(sim_pacer_take(&p, 100 * 1000000000ull + 1041667ull * 3, 100), 3);
}

/* A chunk taken late still knows when each of its bytes crossed. */
static void pacer_dates_released_bytes(void **state)
{
    (void)state;
    struct sim_pacer p;
    sim_pacer_init(&p, 9600);
    sim_pacer_start(&p, 0);
    /* taken 50 byte times late: 50 bytes, the first done after one byte time */
    assert_int_equal(sim_pacer_take(&p, 1041667ull * 50, 100), 50);
    assert_int_equal(sim_pacer_released_ns(&p, 49), 1041667ull);
    assert_int_equal(sim_pacer_released_ns(&p, 0), 52083334ull); /* 50e10 / 9600, rounded up */
    sim_pacer_init(&p, 0);
    assert_int_equal(sim_pacer_released_ns(&p, 0), 0);
}

static void unpaced_takes_everything(void **state)
{
    (void)state;
    struct sim_pacer p;
    sim_pacer_init(&p, 0);
    assert_int_equal(sim_pacer_take(&p, 0, 12345), 12345);
}

static void bytes_queue_appends_and_consumes(void **state)
{
    (void)state;
    struct sim_bytes q = { 0 };
    for (int i = 0; i < 1000; i++)
        assert_int_equal(sim_bytes_append(&q, "abcd", 4), SIM_OK);
    assert_int_equal(q.len, 4000);
    sim_bytes_consume(&q, 3998);
    assert_int_equal(q.len, 2);
    assert_memory_equal(q.buf, "cd", 2);
    sim_bytes_consume(&q, 10);
    assert_int_equal(q.len, 0);
    sim_bytes_free(&q);
}

static void faults_off_pass_everything(void **state)
{
    (void)state;
    struct sim_fault_cfg cfg = { 0 };
    struct sim_faults f;
    sim_faults_init(&f, &cfg);
    assert_false(sim_faults_active(&cfg));
    struct sim_bytes out = { 0 };
    uint32_t delay;
    const char *in = "\x06\x09QUJD\nline two\n";
    assert_int_equal(sim_faults_stream(&f, (const uint8_t *)in, strlen(in), &out, &delay), 0);
    assert_int_equal(out.len, strlen(in));
    assert_memory_equal(out.buf, in, out.len);
    assert_int_equal(delay, 0);
    sim_bytes_free(&out);
}

static void faults_hit_their_rate(void **state)
{
    (void)state;
    struct sim_fault_cfg cfg = { .drop = 0.1, .corrupt = 0.05, .seed = 42 };
    struct sim_faults f;
    sim_faults_init(&f, &cfg);
    for (int i = 0; i < 100000; i++)
        sim_faults_pick(&f);
    assert_int_equal(f.st.units, 100000);
    assert_in_range(f.st.dropped, 9500, 10500);
    assert_in_range(f.st.corrupted, 4500, 5500);
    assert_int_equal(f.st.duplicated, 0);
}

static void faults_are_deterministic_per_seed(void **state)
{
    (void)state;
    struct sim_fault_cfg cfg = { .drop = 0.3, .seed = 7 };
    struct sim_faults a, b;
    sim_faults_init(&a, &cfg);
    sim_faults_init(&b, &cfg);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(sim_faults_pick(&a), sim_faults_pick(&b));
}

static void line_faults_act_on_whole_lines(void **state)
{
    (void)state;
    struct sim_fault_cfg cfg = { .drop = 1.0 };
    struct sim_faults f;
    sim_faults_init(&f, &cfg);
    struct sim_bytes out = { 0 };
    uint32_t delay;
    const char *in = "\x06\x09QUJD\n\x06\x09QUJE";
    sim_faults_stream(&f, (const uint8_t *)in, strlen(in), &out, &delay);
    assert_int_equal(out.len, 0);          /* first line dropped */
    assert_int_equal(f.line_len, 6);       /* second waits for its '\n' */
    assert_int_equal(f.st.units, 1);

    cfg = (struct sim_fault_cfg){ .dup = 1.0 };
    sim_faults_init(&f, &cfg);
    sim_faults_stream(&f, (const uint8_t *)"ab\n", 3, &out, &delay);
    assert_int_equal(out.len, 6);
    assert_memory_equal(out.buf, "ab\nab\n", 6);
    sim_bytes_free(&out);
}

static void corrupt_spares_marker_and_newline(void **state)
{
    (void)state;
    struct sim_fault_cfg cfg = { .corrupt = 1.0, .seed = 3 };
    struct sim_faults f;
    sim_faults_init(&f, &cfg);
    for (int i = 0; i < 200; i++) {
        struct sim_bytes out = { 0 };
        uint32_t delay;
        const char *in = "\x06\x09" "ABCDEFGH\n";
        sim_faults_stream(&f, (const uint8_t *)in, strlen(in), &out, &delay);
        assert_int_equal(out.len, strlen(in));
        assert_memory_equal(out.buf, "\x06\x09", 2);
        assert_int_equal(out.buf[out.len - 1], '\n');
        assert_memory_not_equal(out.buf, in, out.len);
        sim_bytes_free(&out);
    }
}

static void byte_unit_and_delay(void **state)
{
    (void)state;
    struct sim_fault_cfg cfg = { .delay = 1.0, .delay_ms = 250, .unit = SIM_FAULT_UNIT_BYTE };
    struct sim_faults f;
    sim_faults_init(&f, &cfg);
    struct sim_bytes out = { 0 };
    uint32_t delay;
    sim_faults_stream(&f, (const uint8_t *)"xyz", 3, &out, &delay);
    assert_int_equal(out.len, 3);
    assert_int_equal(delay, 250);
    assert_int_equal(f.st.delayed, 3);
    sim_bytes_free(&out);
}

static void datagram_corrupt_changes_one_bit(void **state)
{
    (void)state;
    struct sim_fault_cfg cfg = { .corrupt = 1.0, .seed = 9 };
    struct sim_faults f;
    sim_faults_init(&f, &cfg);
    uint8_t d[16] = { 0 };
    assert_int_equal(sim_faults_datagram(&f, d, sizeof d), SIM_FAULT_CORRUPT);
    int bits = 0;
    for (size_t i = 0; i < sizeof d; i++)
        bits += __builtin_popcount(d[i]);
    assert_int_equal(bits, 1);
}

static void fault_spec_parses(void **state)
{
    (void)state;
    struct sim_fault_cfg c = { 0 };
    assert_int_equal(sim_fault_cfg_parse(&c, "drop=0.01,corrupt=0.02,dup=0.03,"
                                             "delay=0.04:300,unit=byte,seed=5"), 0);
    assert_true(c.drop == 0.01 && c.corrupt == 0.02 && c.dup == 0.03 && c.delay == 0.04);
    assert_int_equal(c.delay_ms, 300);
    assert_int_equal(c.unit, SIM_FAULT_UNIT_BYTE);
    assert_int_equal(c.seed, 5);
    struct sim_fault_cfg d = { 0 };
    assert_int_equal(sim_fault_cfg_parse(&d, "delay=0.5"), 0);
    assert_int_equal(d.delay_ms, 200); /* default */
    const char *bad[] = { "drop", "drop=2", "drop=-0.1", "drop=x", "jitter=0.1",
                          "drop=0.6,corrupt=0.6", "unit=word", "delay=0.1:abc",
                          "seed=", NULL };
    for (int i = 0; bad[i]; i++) {
        struct sim_fault_cfg e = { 0 };
        assert_int_not_equal(sim_fault_cfg_parse(&e, bad[i]), 0);
    }
}

static char root[64];

static int make_root(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "/tmp/simfs.XXXXXX");
    assert_non_null(mkdtemp(root));
    return 0;
}

static int remove_root(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    return system(cmd) == 0 ? 0 : -1;
}

static void fs_paths_map_below_root(void **state)
{
    (void)state;
    char out[512], want[512];
    assert_int_equal(sim_fs_resolve(root, "/lfs/log.txt", out, sizeof out), 0);
    snprintf(want, sizeof want, "%s/lfs/log.txt", root);
    assert_string_equal(out, want);
    assert_int_equal(sim_fs_resolve(root, "a//./b", out, sizeof out), 0);
    snprintf(want, sizeof want, "%s/a/b", root);
    assert_string_equal(out, want);
}

static void fs_escapes_are_refused(void **state)
{
    (void)state;
    char out[512];
    const char *bad[] = { "..", "../x", "/../etc/passwd", "a/../../x", "a/..",
                          "", "/", ".", "./", NULL };
    for (int i = 0; bad[i]; i++)
        assert_int_equal(sim_fs_resolve(root, bad[i], out, sizeof out), SIM_EPATH);
    char longp[400];
    memset(longp, 'a', sizeof longp - 1);
    longp[sizeof longp - 1] = '\0';
    assert_int_equal(sim_fs_resolve(root, longp, out, sizeof out), SIM_ETOOBIG);
    assert_int_equal(sim_fs_resolve(root, "x", out, 4), SIM_ETOOBIG);
}

static void fs_symlinks_are_refused(void **state)
{
    (void)state;
    char link[128], out[512];
    snprintf(link, sizeof link, "%s/out", root);
    assert_int_equal(symlink("/etc", link), 0);
    assert_int_equal(sim_fs_resolve(root, "out/passwd", out, sizeof out), SIM_EPATH);
    assert_int_equal(sim_fs_resolve(root, "/out", out, sizeof out), SIM_EPATH);
    unlink(link);
}

static void profile_is_the_nrf52840_layout(void **state)
{
    (void)state;
    const struct sim_profile *p = sim_profile_find("nrf52840");
    assert_non_null(p);
    assert_null(sim_profile_find("esp32"));
    assert_int_equal(p->flash_size, 0x100000);
    assert_int_equal(p->sector_size, 4096);
    assert_int_equal(p->write_align, 4);
    const struct sim_partition *s0 = sim_profile_part(p, FA_ID_SLOT0);
    const struct sim_partition *s1 = sim_profile_part(p, FA_ID_SLOT1);
    const struct sim_partition *sc = sim_profile_part(p, FA_ID_SCRATCH);
    assert_int_equal(sim_profile_part(p, FA_ID_BOOT)->size, 48 * 1024);
    assert_int_equal(s0->addr, 0xC000);
    assert_int_equal(s0->size, 472 * 1024);
    assert_int_equal(s1->addr, 0x82000);
    assert_int_equal(s1->size, 472 * 1024);
    assert_int_equal(sc->addr, 0xF8000);
    assert_int_equal(sc->size, 32 * 1024);
    assert_int_equal(sc->addr + sc->size, p->flash_size);
}

static void every_error_has_a_name_and_text(void **state)
{
    (void)state;
    assert_string_equal(sim_errname(SIM_OK), "SIM_OK");
    for (int e = SIM_EINVAL; e >= SIM_EUNSUPPORTED; e--) {
        assert_string_not_equal(sim_errname(e), "SIM_EUNKNOWN");
        assert_string_not_equal(sim_strerror(e), "unknown error");
    }
    assert_string_equal(sim_errname(SIM_EINVAL), "SIM_EINVAL");
    assert_string_equal(sim_errname(SIM_EBUSY), "SIM_EBUSY");
    assert_string_equal(sim_errname(SIM_EUNSUPPORTED), "SIM_EUNSUPPORTED");
    assert_string_equal(sim_errname(SIM_EUNSUPPORTED - 1), "SIM_EUNKNOWN");
    assert_string_equal(sim_errname(-1), "SIM_EUNKNOWN"); /* a flash code is not ours */
    assert_string_equal(sim_errname(5), "SIM_EUNKNOWN");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pacer_byte_time_is_ten_bit_times),
        cmocka_unit_test(pacer_releases_bytes_at_line_rate),
        cmocka_unit_test(pacer_idle_wire_does_not_bank_credit),
        cmocka_unit_test(pacer_dates_released_bytes),
        cmocka_unit_test(unpaced_takes_everything),
        cmocka_unit_test(bytes_queue_appends_and_consumes),
        cmocka_unit_test(faults_off_pass_everything),
        cmocka_unit_test(faults_hit_their_rate),
        cmocka_unit_test(faults_are_deterministic_per_seed),
        cmocka_unit_test(line_faults_act_on_whole_lines),
        cmocka_unit_test(corrupt_spares_marker_and_newline),
        cmocka_unit_test(byte_unit_and_delay),
        cmocka_unit_test(datagram_corrupt_changes_one_bit),
        cmocka_unit_test(fault_spec_parses),
        cmocka_unit_test_setup_teardown(fs_paths_map_below_root, make_root, remove_root),
        cmocka_unit_test_setup_teardown(fs_escapes_are_refused, make_root, remove_root),
        cmocka_unit_test_setup_teardown(fs_symlinks_are_refused, make_root, remove_root),
        cmocka_unit_test(profile_is_the_nrf52840_layout),
        cmocka_unit_test(every_error_has_a_name_and_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
