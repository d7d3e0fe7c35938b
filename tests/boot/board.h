/* The nRF52840 layout of the tests on a RAM flash model, and small helpers
 * to put image files into slots. Test-only (libc freely). */
#ifndef TESTS_BOOT_BOARD_H
#define TESTS_BOOT_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/bootutil.h"
#include "sim/flash_model.h"

#define BOARD_FLASH_SIZE 0x100000u
#define BOARD_SECTOR 0x1000u
#define BOARD_SLOT0 0xC000u
#define BOARD_SLOT1 0x82000u
#define BOARD_SLOT_SIZE 0x76000u
#define BOARD_SCRATCH 0xF8000u
#define BOARD_SCRATCH_SIZE 0x8000u

struct board {
    struct flash_model fm;
    struct flash_area boot, slot0, slot1, scratch;
    struct boot_config cfg;
    char log[64][160];
    int nlog;
};

/* RAM flash, all erased, write alignment `align`. */
void board_init(struct board *b, uint32_t align, enum boot_strategy_id strategy);
/* The same partition table on a part with another sector size. */
void board_init_geometry(struct board *b, uint32_t align, uint32_t sector,
                         enum boot_strategy_id strategy);
void board_free(struct board *b);
/* Copies len bytes at the start of a slot (erasing what they need). */
void board_put(struct board *b, const struct flash_area *fa, const uint8_t *img, size_t len);
bool board_log_has(const struct board *b, const char *needle);
void board_log_clear(struct board *b);

/* Reads a whole file into a malloc'd buffer; NULL when missing. */
/* whole files: test_read_file() from tests/lib/testfile.h */
/* $SHARED_DIR/vectors/imgtool or NULL when absent. */
const char *vectors_dir(void);

/* A hash-only (unsigned) MCUboot image built with OpenSSL's SHA-256:
 * 0x200-byte header, body of body_len pseudo-random bytes from seed,
 * optional security counter in a protected TLV. malloc'd. */
uint8_t *make_image(uint32_t body_len, uint8_t major, uint8_t minor, uint32_t seed,
                    bool sec_cnt, uint32_t sec_cnt_val, size_t *len);

/* Encrypted images (the board's image-encryption key): a fresh X25519
 * private key as DER (malloc'd), and a private key file read as DER. */
uint8_t *make_enc_key(size_t *der_len);
uint8_t *enc_key_der_from_pem(const char *pem_path, size_t *der_len);
/* make_image with the ENCRYPTED_AES128 flag and an ENC_X25519 TLV for the
 * key enc_der (AES key derived from seed): returns the image as uploaded
 * (body encrypted) and *plain the same image with its body in plaintext,
 * as it runs from the primary. Both malloc'd, *len bytes. */
uint8_t *make_enc_image(uint32_t body_len, uint8_t major, uint8_t minor, uint32_t seed,
                        const uint8_t *enc_der, size_t enc_der_len, uint8_t **plain,
                        size_t *len);

#endif
