/* The flash model must punish what real NOR flash punishes, and cut power
 * exactly where it is told to: the power-loss tests depend on it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "sim/flash_model.h"

static const uint32_t SECTOR = 4096;

static struct flash_area area_of(struct flash_model *m)
{
    struct flash_area fa = { .id = FA_ID_SLOT0, .dev = &m->dev, .off = SECTOR, .size = 4 * SECTOR };
    return fa;
}

static void erase_then_program(void **state)
{
    (void)state;
    struct flash_model m;
    assert_int_equal(flash_model_init_ram(&m, 8 * SECTOR, SECTOR, 4), 0);
    struct flash_area fa = area_of(&m);
    uint8_t w[8] = {1, 2, 3, 4, 5, 6, 7, 8}, r[8];

    assert_int_equal(fa_is_erased(&fa, 0, fa.size), 1);
    assert_int_equal(fa_write(&fa, 0, w, 8), 0);
    assert_int_equal(fa_read(&fa, 0, r, 8), 0);
    assert_memory_equal(w, r, 8);
    /* the bytes land at the area's absolute address */
    assert_memory_equal(m.mem + SECTOR, w, 8);
    /* programming the same place again without an erase is refused */
    assert_int_equal(fa_write(&fa, 0, w, 8), FLASH_ERR_NOT_ERASED);
    assert_int_equal(m.stats.violations, 1);
    assert_int_equal(fa_erase(&fa, 0, SECTOR), 0);
    assert_int_equal(fa_is_erased(&fa, 0, SECTOR), 1);
    assert_int_equal(fa_write(&fa, 0, w, 8), 0);
    assert_int_equal(m.stats.progs, 2);
    assert_int_equal(m.stats.erases, 1);
    flash_model_close(&m);
}

static void alignment_and_bounds(void **state)
{
    (void)state;
    struct flash_model m;
    assert_int_equal(flash_model_init_ram(&m, 8 * SECTOR, SECTOR, 4), 0);
    struct flash_area fa = area_of(&m);
    uint8_t w[8] = {0};
    assert_int_equal(fa_write(&fa, 2, w, 4), FLASH_ERR_ALIGN);
    assert_int_equal(fa_write(&fa, 0, w, 3), FLASH_ERR_ALIGN);
    assert_int_equal(fa_erase(&fa, 100, SECTOR), FLASH_ERR_ALIGN);
    assert_int_equal(fa_write(&fa, fa.size - 4, w, 8), FLASH_ERR_BOUNDS);
    assert_int_equal(fa_read(&fa, UINT32_MAX - 2, w, 8), FLASH_ERR_BOUNDS);
    /* nothing reached the flash */
    assert_int_equal(fa_is_erased(&fa, 0, fa.size), 1);
    flash_model_close(&m);
}

static void power_cut_after_n_ops(void **state)
{
    (void)state;
    struct flash_model m;
    assert_int_equal(flash_model_init_ram(&m, 8 * SECTOR, SECTOR, 4), 0);
    struct flash_area fa = area_of(&m);
    uint8_t w[16];
    memset(w, 0x00, sizeof w);

    flash_model_fail_after(&m, 2, false);
    assert_int_equal(fa_write(&fa, 0, w, 4), 0);
    assert_int_equal(fa_write(&fa, 4, w, 4), 0);
    assert_int_equal(fa_write(&fa, 8, w, 4), FLASH_ERR_POWER);
    /* dead until power returns, reads included */
    assert_int_equal(fa_read(&fa, 0, w, 4), FLASH_ERR_POWER);
    flash_model_power_on(&m);
    assert_int_equal(fa_is_erased(&fa, 8, 4), 1);

    /* a torn write leaves the first half programmed */
    flash_model_fail_after(&m, 0, true);
    assert_int_equal(fa_write(&fa, 16, w, 16), FLASH_ERR_POWER);
    flash_model_power_on(&m);
    assert_int_equal(fa_is_erased(&fa, 16, 8), 0);
    assert_int_equal(fa_is_erased(&fa, 24, 8), 1);
    flash_model_close(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(erase_then_program),
        cmocka_unit_test(alignment_and_bounds),
        cmocka_unit_test(power_cut_after_n_ops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
