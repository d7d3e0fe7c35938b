/*
 * Bootloader benchmark (never a test):
 *   bench_boot swap                 flash operations and bytes erased and
 *                                   written per strategy for a test swap and
 *                                   a revert of a ~300 KiB image
 *   bench_boot validate IMG [KEY]   one warm-up image_validate of IMG, then
 *                                   one measured call (bench_measured), for
 *                                   callgrind --toggle-collect
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "boot/bootutil.h"
#include "sim/flash_model.h"

#define SLOT0 0xC000u
#define SLOT1 0x82000u
#define SLOT_SIZE 0x76000u

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n + 1);
    if (!b || fread(b, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(b);
        return NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

/* A hash-only image: 0x200 header, body_len bytes, SHA-256 TLV. */
static uint8_t *make_image(uint32_t body_len, uint8_t minor, size_t *len)
{
    size_t total = 0x200 + body_len + 40;
    uint8_t *img = calloc(1, total);
    uint32_t magic = 0x96f3b83du;
    memcpy(img, &magic, 4);
    img[8] = 0x00; img[9] = 0x02;
    memcpy(img + 12, &body_len, 4);
    img[20] = 1;
    img[21] = minor;
    for (uint32_t i = 0; i < body_len; i++)
        img[0x200 + i] = (uint8_t)(i * 31 + minor);
    uint8_t *t = img + 0x200 + body_len;
    t[0] = 0x07; t[1] = 0x69; t[2] = 40; t[3] = 0;
    t[4] = 0x10; t[5] = 0; t[6] = 32; t[7] = 0;
    unsigned hl = 32;
    EVP_Digest(img, 0x200 + body_len, t + 8, &hl, EVP_sha256(), NULL);
    *len = total;
    return img;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* nRF52840 datasheet figures: page erase 85 ms, 32-bit word write 41 us. */
static double nrf_seconds(const struct flash_stats *s)
{
    return (double)s->sectors_erased * 0.085 + (double)(s->bytes_programmed / 4) * 41e-6;
}

struct row {
    const char *strategy, *op;
    struct flash_stats st;
    double ms;
};
static struct row rows[16];
static int nrows;

static void report(const char *strategy, const char *op, const struct flash_stats *s, double ms)
{
    if (nrows < 16)
        rows[nrows++] = (struct row){ strategy, op, *s, ms };
}

/* Ratios against overwrite-only's test, the cheapest install. */
static void print_rows(void)
{
    uint64_t base = 1;
    for (int i = 0; i < nrows; i++)
        if (strcmp(rows[i].strategy, "overwrite-only") == 0 && strcmp(rows[i].op, "test") == 0)
            base = rows[i].st.erases + rows[i].st.progs;
    for (int i = 0; i < nrows; i++) {
        const struct flash_stats *s = &rows[i].st;
        uint64_t ops = s->erases + s->progs;
        printf("%-20s %-7s %6llu %6.2fx %7llu %10llu %7llu %11llu %8.1f %8.1f\n",
               rows[i].strategy, rows[i].op, (unsigned long long)ops,
               (double)ops / (double)base, (unsigned long long)s->erases,
               (unsigned long long)(s->bytes_erased / 1024), (unsigned long long)s->progs,
               (unsigned long long)(s->bytes_programmed / 1024), rows[i].ms, nrf_seconds(s));
    }
}

static int bench_swap(void)
{
    size_t l1, l2;
    uint8_t *v1 = make_image(300 * 1024, 0, &l1), *v2 = make_image(300 * 1024, 1, &l2);
    printf("%-20s %-7s %6s %7s %7s %10s %7s %11s %8s %8s\n", "strategy", "op", "ops",
           "vs ow", "erases", "KiB erased", "writes", "KiB written", "host ms", "nRF52 s");
    for (int s = 0; s < 3; s++) {
        struct flash_model fm;
        flash_model_init_ram(&fm, 0x100000, 0x1000, 4);
        struct flash_area p = { FA_ID_SLOT0, &fm.dev, SLOT0, SLOT_SIZE };
        struct flash_area q = { FA_ID_SLOT1, &fm.dev, SLOT1, SLOT_SIZE };
        struct flash_area x = { FA_ID_SCRATCH, &fm.dev, 0xF8000, 0x8000 };
        struct boot_config cfg = { .primary = &p, .secondary = &q, .scratch = &x,
                                   .strategy = (enum boot_strategy_id)s };
        memcpy(fm.mem + SLOT0, v1, l1);
        memcpy(fm.mem + SLOT1, v2, l2);
        boot_set_pending(&q, false);
        struct boot_result res;
        const char *ops[2] = { "test", "revert" };
        for (int i = 0; i < (s == BOOT_STRATEGY_OVERWRITE_ONLY ? 1 : 2); i++) {
            flash_model_reset_stats(&fm);
            double t0 = now_ms();
            if (boot_go(&cfg, &res) != 0) {
                fprintf(stderr, "boot failed: %s\n", res.reason);
                return 1;
            }
            report(boot_strategy_name((enum boot_strategy_id)s), ops[i], &fm.stats, now_ms() - t0);
        }
        flash_model_reset_stats(&fm);
        double t0 = now_ms();
        boot_go(&cfg, &res);
        report(boot_strategy_name((enum boot_strategy_id)s), "none", &fm.stats, now_ms() - t0);
        flash_model_close(&fm);
    }
    print_rows();
    free(v1);
    free(v2);
    return 0;
}

__attribute__((noinline)) int bench_warmup(struct image_mem *m, const struct image_key *k,
                                           size_t nk, struct image_info *info)
{
    return image_validate(image_mem_read, m, (uint32_t)m->len, k, nk, info, NULL);
}

__attribute__((noinline)) int bench_measured(struct image_mem *m, const struct image_key *k,
                                             size_t nk, struct image_info *info)
{
    return image_validate(image_mem_read, m, (uint32_t)m->len, k, nk, info, NULL);
}

static int bench_validate(const char *img_path, const char *key_path)
{
    size_t len, klen = 0;
    uint8_t *img = read_all(img_path, &len), *der = NULL;
    if (!img || (key_path && !(der = read_all(key_path, &klen)))) {
        fprintf(stderr, "bench_boot: cannot read input\n");
        return 2;
    }
    struct image_key key = { der, klen };
    struct image_mem m = { img, len };
    struct image_info info;
    int rc = bench_warmup(&m, &key, der ? 1 : 0, &info); /* OpenSSL's one-time set-up */
    if (rc == 0)
        rc = bench_measured(&m, &key, der ? 1 : 0, &info);
    printf("%s: %s\n", img_path, image_strerror(rc));
    free(img);
    free(der);
    return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "swap") == 0)
        return bench_swap();
    if (argc >= 3 && strcmp(argv[1], "validate") == 0)
        return bench_validate(argv[2], argc > 3 ? argv[3] : NULL);
    fprintf(stderr, "usage: bench_boot swap | validate IMG [KEY.der]\n");
    return 2;
}
