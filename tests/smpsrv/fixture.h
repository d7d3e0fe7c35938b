/*
 * A test board for the SMP server: a RAM NOR flash with the nRF52840
 * layout (slot0 0xC000, slot1 0x82000, 0x76000 each, 4 KiB sectors, write
 * alignment 4), a platform whose callbacks record what they were asked,
 * and helpers to send request bytes and collect the responses.
 */
#ifndef TESTS_SMPSRV_FIXTURE_H
#define TESTS_SMPSRV_FIXTURE_H

#include "sim/flash_model.h"
#include "smpsrv/smpsrv.h"

#define FX_SLOT0_ADDR 0xC000u
#define FX_SLOT1_ADDR 0x82000u
#define FX_SLOT_SIZE 0x76000u
#define FX_MAX_RSP 8
#define FX_RSP_CAP 2048

struct fx {
    struct flash_model fm;
    struct flash_area slot0, slot1;
    struct smpsrv_platform plat;
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
};

/* cmocka setup/teardown: *state becomes a struct fx. */
int fx_setup(void **state);
int fx_teardown(void **state);

/* Feeds one transport packet; returns smpsrv_process's count. */
int fx_send(struct fx *f, const uint8_t *pkt, size_t len);
/* Builds a request (header + body) into out; returns its length. */
size_t fx_req(uint8_t *out, uint8_t op, uint8_t ver, uint16_t group, uint8_t id,
              uint8_t seq, const uint8_t *body, size_t body_len);
/* Sends one request and checks that exactly one response came back with
 * the matching header (op + 1, version capped at 1, group, seq, id);
 * returns its decoded body (libcbor), to be released with cv_free. */
struct cv *fx_call(struct fx *f, uint8_t op, uint8_t ver, uint16_t group, uint8_t id,
                   const uint8_t *body, size_t body_len);

/* Writes raw bytes into a slot as a programmer would (no NOR rules). */
void fx_put_slot(struct fx *f, const struct flash_area *fa, const uint8_t *data, size_t n);
/* A file of the shared imgtool vectors (SHARED_DIR/vectors/imgtool/rel),
 * malloc'd; NULL when the folder is absent. */
uint8_t *fx_vector(const char *rel, size_t *n);
/* True when the shared vectors are there (tests skip otherwise). */
bool fx_have_vectors(void);

#endif
