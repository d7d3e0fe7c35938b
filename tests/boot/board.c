#include "board.h"
#include "image/encrypt.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void board_logger(void *ctx, const char *line)
{
    struct board *b = ctx;
    if (getenv("BOOT_TEST_VERBOSE"))
        fprintf(stderr, "    %s\n", line);
    if (b->nlog < 64) {
        snprintf(b->log[b->nlog], sizeof b->log[0], "%s", line);
        b->nlog++;
    }
}

void board_init(struct board *b, uint32_t align, enum boot_strategy_id strategy)
{
    board_init_geometry(b, align, BOARD_SECTOR, strategy);
}

void board_init_geometry(struct board *b, uint32_t align, uint32_t sector,
                         enum boot_strategy_id strategy)
{
    memset(b, 0, sizeof *b);
    if (flash_model_init_ram(&b->fm, BOARD_FLASH_SIZE, sector, align) != 0)
        abort();
    b->boot = (struct flash_area){ FA_ID_BOOT, &b->fm.dev, 0, 0xC000 };
    b->slot0 = (struct flash_area){ FA_ID_SLOT0, &b->fm.dev, BOARD_SLOT0, BOARD_SLOT_SIZE };
    b->slot1 = (struct flash_area){ FA_ID_SLOT1, &b->fm.dev, BOARD_SLOT1, BOARD_SLOT_SIZE };
    b->scratch = (struct flash_area){ FA_ID_SCRATCH, &b->fm.dev, BOARD_SCRATCH, BOARD_SCRATCH_SIZE };
    b->cfg.primary = &b->slot0;
    b->cfg.secondary = &b->slot1;
    b->cfg.scratch = &b->scratch;
    b->cfg.strategy = strategy;
    b->cfg.log = board_logger;
    b->cfg.log_ctx = b;
}

void board_free(struct board *b)
{
    flash_model_close(&b->fm);
}

void board_put(struct board *b, const struct flash_area *fa, const uint8_t *img, size_t len)
{
    uint32_t sec = b->fm.dev.sector_size;
    uint32_t erase_len = (uint32_t)((len + sec - 1) / sec * sec);
    if (fa_erase(fa, 0, erase_len) != 0)
        abort();
    uint32_t align = b->fm.dev.write_align;
    size_t whole = len - len % align;
    if (whole && fa_write(fa, 0, img, whole) != 0)
        abort();
    if (len % align) {
        uint8_t tail[32];
        memset(tail, 0xff, sizeof tail);
        memcpy(tail, img + whole, len % align);
        if (fa_write(fa, (uint32_t)whole, tail, align) != 0)
            abort();
    }
}

bool board_log_has(const struct board *b, const char *needle)
{
    for (int i = 0; i < b->nlog; i++)
        if (strstr(b->log[i], needle))
            return true;
    return false;
}

void board_log_clear(struct board *b)
{
    b->nlog = 0;
}

const char *vectors_dir(void)
{
    static char path[512];
    const char *shared = getenv("SHARED_DIR");
    if (!shared || !*shared)
        return NULL;
    snprintf(path, sizeof path, "%s/vectors/imgtool", shared);
    char probe[600];
    snprintf(probe, sizeof probe, "%s/manifest.tsv", path);
    FILE *f = fopen(probe, "r");
    if (!f)
        return NULL;
    fclose(f);
    return path;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }

/* A zeroed buffer of `total` bytes holding an image header and a
 * pseudo-random body derived from seed; the callers add their TLVs. */
static uint8_t *image_start(size_t total, uint32_t hdr, uint32_t body_len, uint16_t prot,
                            uint32_t flags, uint8_t major, uint8_t minor, uint32_t seed)
{
    uint8_t *img = calloc(1, total);
    if (!img)
        abort();
    put32(img, IMAGE_MAGIC);
    put16(img + 8, (uint16_t)hdr);
    put16(img + 10, prot);
    put32(img + 12, body_len);
    put32(img + 16, flags);
    img[20] = major;
    img[21] = minor;
    uint32_t x = seed * 2654435761u + 1;
    for (uint32_t i = 0; i < body_len; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        img[hdr + i] = (uint8_t)x;
    }
    return img;
}

uint8_t *make_image(uint32_t body_len, uint8_t major, uint8_t minor, uint32_t seed,
                    bool sec_cnt, uint32_t sec_cnt_val, size_t *len)
{
    const uint32_t hdr = 0x200;
    uint16_t prot = sec_cnt ? 4 + 4 + 4 : 0;
    size_t total = hdr + body_len + prot + 4 + 4 + 32;
    uint8_t *img = image_start(total, hdr, body_len, prot, 0, major, minor, seed);
    uint8_t *p = img + hdr + body_len;
    if (sec_cnt) {
        put16(p, IMAGE_TLV_PROT_INFO_MAGIC); put16(p + 2, prot);
        put16(p + 4, IMAGE_TLV_SEC_CNT); put16(p + 6, 4); put32(p + 8, sec_cnt_val);
        p += prot;
    }
    put16(p, IMAGE_TLV_INFO_MAGIC); put16(p + 2, 4 + 4 + 32);
    put16(p + 4, IMAGE_TLV_SHA256); put16(p + 6, 32);
    unsigned int hl = 32;
    EVP_Digest(img, hdr + body_len + prot, p + 8, &hl, EVP_sha256(), NULL);
    *len = total;
    return img;
}

uint8_t *make_enc_key(size_t *der_len)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
    unsigned char *der = NULL;
    int n = k ? i2d_PrivateKey(k, &der) : -1;
    EVP_PKEY_free(k);
    if (n <= 0)
        abort();
    *der_len = (size_t)n;
    return der; /* OPENSSL_malloc is malloc by default: free() it */
}

uint8_t *enc_key_der_from_pem(const char *pem_path, size_t *der_len)
{
    FILE *f = fopen(pem_path, "r");
    if (!f)
        return NULL;
    EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    unsigned char *der = NULL;
    int n = k ? i2d_PrivateKey(k, &der) : -1;
    EVP_PKEY_free(k);
    if (n <= 0)
        return NULL;
    *der_len = (size_t)n;
    return der;
}

uint8_t *make_enc_image(uint32_t body_len, uint8_t major, uint8_t minor, uint32_t seed,
                        const uint8_t *enc_der, size_t enc_der_len, uint8_t **plain,
                        size_t *len)
{
    const uint32_t hdr = 0x200, enc_len = 32 + 32 + 16;
    size_t tlvs = 4 + 4 + 32 + 4 + enc_len;
    size_t total = hdr + body_len + tlvs;
    uint8_t *img = image_start(total, hdr, body_len, 0, IMAGE_F_ENCRYPTED_AES128, major, minor, seed);
    uint8_t aes[16];
    for (int i = 0; i < 16; i++)
        aes[i] = (uint8_t)(seed * 31u + (uint32_t)i * 7u);
    uint8_t *p = img + hdr + body_len;
    put16(p, IMAGE_TLV_INFO_MAGIC); put16(p + 2, (uint16_t)tlvs);
    put16(p + 4, IMAGE_TLV_SHA256); put16(p + 6, 32);
    unsigned int hl = 32;
    EVP_Digest(img, hdr + body_len, p + 8, &hl, EVP_sha256(), NULL);
    const unsigned char *d = enc_der;
    struct img_key k = { d2i_AutoPrivateKey(NULL, &d, (long)enc_der_len), IMAGE_KEY_X25519, true };
    uint16_t type = 0;
    size_t got = 0;
    char err[128];
    if (!k.pkey || img_enc_wrap(&k, aes, 16, 256, &type, p + 44, enc_len, &got, err, sizeof err) ||
        got != enc_len)
        abort();
    EVP_PKEY_free(k.pkey);
    put16(p + 40, type); put16(p + 42, (uint16_t)enc_len);
    *plain = malloc(total);
    if (!*plain)
        abort();
    memcpy(*plain, img, total);
    if (img_aes_ctr(aes, 16, img + hdr, body_len))
        abort();
    *len = total;
    return img;
}
