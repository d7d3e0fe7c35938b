/*
 * A test board for the SMP server: a RAM NOR flash with the nRF52840
 * layout (slot0 0xC000, slot1 0x82000, 0x76000 each, 4 KiB sectors, write
 * alignment 4), a platform whose callbacks record what they were asked,
 * and helpers to send request bytes and collect the responses.
 */
#ifndef TESTS_SMPSRV_FIXTURE_H
#define TESTS_SMPSRV_FIXTURE_H

#include "image/keyfile.h"
#include "sim/flash_model.h"
#include "smpsrv/smpsrv.h"

#define FX_SLOT0_ADDR 0xC000u
#define FX_SLOT1_ADDR 0x82000u
#define FX_SLOT_SIZE 0x76000u
#define FX_RECORD_ADDR 0xFF000u /* the upload record: the last page, as on mcusim */
#define FX_MAX_RSP 8
#define FX_RSP_CAP 2048

struct fx {
    struct flash_model fm;
    struct flash_area slot0, slot1, record;
    struct smpsrv_platform plat;
    struct smpsrv_transport tp;   /* what fx_send's packets come on (a UART, 2048 x 4) */
    struct smpsrv srv;
    uint8_t rsp_buf[FX_RSP_CAP];
    uint8_t rsp[FX_MAX_RSP][FX_RSP_CAP];
    size_t rsp_len[FX_MAX_RSP];
    int nrsp;
    /* what the platform callbacks saw / answer */
    int resets;
    bool reset_force;
    int reset_rc;
    int gate_rc;
    /* a small board behind the issue-5 groups */
    int64_t clock_us;
    bool clock_set;
    struct { char name[65]; uint8_t val[64]; size_t len; bool used; } settings[8];
    int saves, commits, loads;
    struct { char name[65]; uint8_t data[8192]; uint32_t len; bool used; } files[4];
    int fs_closes;
    int storage_erases;
    uint32_t now_ms;      /* the board's uptime (plat.uptime_ms) */
};

/* cmocka setup/teardown: *state becomes a struct fx. */
int fx_setup(void **state);
int fx_teardown(void **state);

/* Feeds one packet of transport f->tp; returns smpsrv_process's count. */
int fx_send(struct fx *f, const uint8_t *pkt, size_t len);
/* Builds a request (header + body) into out; returns its length. */
size_t fx_req(uint8_t *out, uint8_t op, uint8_t ver, uint16_t group, uint8_t id,
              uint8_t seq, const uint8_t *body, size_t body_len);
/* Sends one request and checks that exactly one response came back with
 * the matching header (op + 1, version capped at 1, group, seq, id);
 * returns its decoded body (libcbor), to be released with cv_free. */
struct cv *fx_call(struct fx *f, uint8_t op, uint8_t ver, uint16_t group, uint8_t id,
                   const uint8_t *body, size_t body_len);

/* One image upload request (img cmd 1) built with our encoder. */
struct fx_up {
    uint32_t off;
    const uint8_t *data;
    size_t n;
    int64_t len;          /* -1: omit */
    const uint8_t *sha;   /* NULL: omit */
    size_t sha_len;
    int64_t image;        /* -1: omit */
    int upgrade;          /* -1: omit */
};
/* Sends it (SMP version ver) and returns the response body (fx_call). */
struct cv *fx_upload(struct fx *f, uint8_t ver, const struct fx_up *u);

/* The image group code of a v2 error body (err.group must be 1); -1 when
 * the body holds no err. */
int64_t fx_img_rc(const struct cv *body);

/* A reset of the device: the server starts again (RAM state gone), the
 * flash stays. Power comes back if it was cut. */
void fx_reboot(struct fx *f);

/* Writes raw bytes into a slot as a programmer would (no NOR rules). */
void fx_put_slot(struct fx *f, const struct flash_area *fa, const uint8_t *data, size_t n);
/* Our own images (image/sign.h), for tests that need no vectors. */
struct fx_key {
    struct img_key k;
    uint8_t *der;            /* public DER, as the board trusts it */
    size_t der_len;
};
/* A fresh key of that kind (made in a temporary file, then removed). */
void fx_key_new(struct fx_key *key, enum image_key_kind kind);
void fx_key_free(struct fx_key *key);
/* Two ed25519 keys for a group of tests (cmocka group setup/teardown):
 * fx_trusted, the one fx_setup_signed's board trusts, and fx_other. */
extern struct fx_key fx_trusted, fx_other;
int fx_keys_setup(void **state);
int fx_keys_teardown(void **state);
/* fx_setup, with a bootloader that trusts fx_trusted. */
int fx_setup_signed(void **state);
/* An image of version major.minor.0 with a payload of n bytes (a pattern
 * from seed) and -H 0x200 --pad-header, signed with key (NULL: hash only),
 * with a security counter unless sec_cnt < 0. malloc'd; *len its size. */
uint8_t *fx_image(uint8_t major, uint8_t minor, size_t n, uint32_t seed,
                  const struct fx_key *key, long sec_cnt, size_t *len);
/* SHA-256 of a whole file (an upload's `sha`). */
void fx_sha256(const uint8_t *buf, size_t n, uint8_t out[32]);

/* A file of the shared imgtool vectors (SHARED_DIR/vectors/imgtool/rel),
 * malloc'd; NULL when the folder is absent. */
uint8_t *fx_vector(const char *rel, size_t *n);
/* True when the shared vectors are there (tests skip otherwise). */
bool fx_have_vectors(void);

#endif
