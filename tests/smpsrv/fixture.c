#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cbor_view.h"
#include "fixture.h"

static const struct smp_group *const all_groups[] = {
    &smp_group_os, &smp_group_img,
};

static int plat_reset(void *ctx, bool force)
{
    struct fx *f = ctx;
    f->reset_force = force;
    if (f->reset_rc)
        return f->reset_rc;
    f->resets++;
    return 0;
}

static int plat_gate(void *ctx, const char **rsn)
{
    struct fx *f = ctx;
    if (f->gate_rc)
        *rsn = "press button 1 to enter DFU mode";
    return f->gate_rc;
}

int fx_setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);

    assert_non_null(f);
    assert_int_equal(flash_model_init_ram(&f->fm, 0x100000, 0x1000, 4), 0);
    f->slot0 = (struct flash_area){ .id = FA_ID_SLOT0, .dev = &f->fm.dev,
                                    .off = FX_SLOT0_ADDR, .size = FX_SLOT_SIZE };
    f->slot1 = (struct flash_area){ .id = FA_ID_SLOT1, .dev = &f->fm.dev,
                                    .off = FX_SLOT1_ADDR, .size = FX_SLOT_SIZE };
    f->plat.slot0 = &f->slot0;
    f->plat.slot1 = &f->slot1;
    f->plat.boot_mode = 3;
    f->plat.max_image_size = FX_SLOT_SIZE - 0x2000;
    f->plat.buf_size = 2048;
    f->plat.buf_count = 4;
    f->plat.kernel_name = "Zephyr";
    f->plat.node_name = "mcusim";
    f->plat.kernel_release = "v3.7.0";
    f->plat.kernel_version = "#1";
    f->plat.build_time = "Nov 22 2026 01:00:00";
    f->plat.machine = "arm";
    f->plat.processor = "cortex-m4";
    f->plat.hw_platform = "nrf52840dk";
    f->plat.os_name = "Zephyr";
    f->plat.ctx = f;
    f->plat.reset = plat_reset;
    f->plat.image_gate = plat_gate;
    smpsrv_init(&f->srv, all_groups, sizeof all_groups / sizeof all_groups[0], &f->plat,
                f->rsp_buf, sizeof f->rsp_buf);
    *state = f;
    return 0;
}

int fx_teardown(void **state)
{
    struct fx *f = *state;
    flash_model_close(&f->fm);
    free(f);
    return 0;
}

static void collect(void *arg, const uint8_t *msg, size_t len)
{
    struct fx *f = arg;
    assert_true(f->nrsp < FX_MAX_RSP);
    assert_true(len <= FX_RSP_CAP);
    memcpy(f->rsp[f->nrsp], msg, len);
    f->rsp_len[f->nrsp++] = len;
}

int fx_send(struct fx *f, const uint8_t *pkt, size_t len)
{
    f->nrsp = 0;
    return smpsrv_process(&f->srv, pkt, len, collect, f);
}

size_t fx_req(uint8_t *out, uint8_t op, uint8_t ver, uint16_t group, uint8_t id,
              uint8_t seq, const uint8_t *body, size_t body_len)
{
    out[0] = (uint8_t)(ver << 3 | op);
    out[1] = 0;
    out[2] = (uint8_t)(body_len >> 8);
    out[3] = (uint8_t)body_len;
    out[4] = (uint8_t)(group >> 8);
    out[5] = (uint8_t)group;
    out[6] = seq;
    out[7] = id;
    if (body_len)
        memcpy(out + 8, body, body_len);
    return 8 + body_len;
}

struct cv *fx_call(struct fx *f, uint8_t op, uint8_t ver, uint16_t group, uint8_t id,
                   const uint8_t *body, size_t body_len)
{
    static uint8_t seq;
    uint8_t *pkt = malloc(8 + body_len);
    struct cv *v;

    assert_non_null(pkt);
    seq++;
    size_t n = fx_req(pkt, op, ver, group, id, seq, body, body_len);
    assert_int_equal(fx_send(f, pkt, n), 1);
    free(pkt);
    assert_int_equal(f->nrsp, 1);
    const uint8_t *r = f->rsp[0];
    assert_true(f->rsp_len[0] >= 8);
    assert_int_equal(r[0], (uint8_t)((ver > 1 ? 1 : ver) << 3 | (op + 1)));
    assert_int_equal((r[2] << 8 | r[3]), f->rsp_len[0] - 8);
    assert_int_equal((r[4] << 8 | r[5]), group);
    assert_int_equal(r[6], seq);
    assert_int_equal(r[7], id);
    v = cv_load(r + 8, f->rsp_len[0] - 8);
    assert_non_null(v);
    assert_true(cv_is_map(v));
    return v;
}

void fx_put_slot(struct fx *f, const struct flash_area *fa, const uint8_t *data, size_t n)
{
    assert_true(n <= fa->size);
    memcpy(f->fm.mem + fa->off, data, n);
}

bool fx_have_vectors(void)
{
    const char *dir = getenv("SHARED_DIR");
    char path[4096];
    FILE *fp;

    if (!dir || !*dir)
        return false;
    snprintf(path, sizeof path, "%s/vectors/imgtool/manifest.json", dir);
    fp = fopen(path, "rb");
    if (!fp)
        return false;
    fclose(fp);
    return true;
}

uint8_t *fx_vector(const char *rel, size_t *n)
{
    const char *dir = getenv("SHARED_DIR");
    char path[4096];
    uint8_t *buf;
    long len;
    FILE *fp;

    if (!dir || !*dir)
        return NULL;
    snprintf(path, sizeof path, "%s/vectors/imgtool/%s", dir, rel);
    fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    buf = malloc(len > 0 ? (size_t)len : 1);
    assert_non_null(buf);
    *n = fread(buf, 1, (size_t)len, fp);
    fclose(fp);
    assert_int_equal(*n, (size_t)len);
    return buf;
}
