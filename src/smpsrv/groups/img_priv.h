/*
 * Shared by the image group's files: img.c (the application's commands),
 * img_recovery.c (MCUboot's serial recovery subset), img_write.c (the
 * progressive slot writer of an upload session) and upload_record.c (the
 * durable upload record). Not part of the library's interface.
 */
#ifndef SMPSRV_GROUPS_IMG_PRIV_H
#define SMPSRV_GROUPS_IMG_PRIV_H

#include "image/delta.h"
#include "smpsrv/smpsrv_priv.h"

enum {
    IMG_STATE = 0,
    IMG_UPLOAD = 1,
    IMG_ERASE = 5,
    IMG_SLOT_INFO = 6,
};

#define SHA256_LEN 32

/* The image group's state (smp_group.state, ctx->state in its handlers):
 * the upload session (img cmd 1), kept between chunks. */
struct img_session {
    bool active;
    const struct flash_area *fa; /* the slot written: 1 (0 in recovery) */
    uint32_t len;                /* bytes of the upload (the image; a delta: the patch) */
    uint32_t off;                /* upload bytes accepted so far (the next expected off) */
    uint32_t img_len;            /* bytes of the image written into fa (len; a delta: target_len) */
    uint32_t wr;                 /* image bytes handed to the slot writer so far */
    uint32_t erased_to;          /* the slot is known erased below this offset */
    uint32_t last_ms;            /* uptime of the last chunk (plat->uptime_ms) */
    bool durable;                /* plat->upload_record follows this session */
    uint32_t rec_next;           /* the record's next free mark unit */
    uint8_t sha[SHA256_LEN];     /* SHA-256 of the whole file, when the client sent it */
    uint8_t sha_len;
    uint8_t tail[32];            /* accepted bytes not yet written (below write alignment) */
    uint8_t tail_len;
    bool has_match, match;       /* final `match`, once the whole file is in */
    bool delta;                  /* the upload is a patch (img_delta.c) */
    struct delta_apply patch;    /* ... and its applier */
};

static inline struct img_session *img_session(const struct smp_ctx *ctx)
{
    return ctx->state;
}

static inline uint32_t le32_of(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---- requests and answers shared by both personalities (img.c) ---- */

struct upload_req {
    uint64_t off, len, image;
    bool has_len, upgrade, delta;
    const uint8_t *data, *sha;
    size_t data_len, sha_len;
};

/* Off and data required; len, image, sha, upgrade, delta optional. 0 or EINVAL. */
int img_parse_upload(struct smp_ctx *ctx, struct upload_req *rq);
/* Header and TLV layout of the image in fa (no hash check). */
int img_read_slot(const struct flash_area *fa, struct image_info *info);
/* Upload, test and erase may be refused by the board (DFU mode). */
int img_gate(struct smp_ctx *ctx);
/* The swap the next boot would do (BOOT_SWAP_TYPE_*). */
int img_swap_type(const struct smpsrv *srv);
int img_to_v1(int group_rc);

/* ---- will the bootloader boot it (img_check.c) ---- */

/* Layout, hash and signature of the image in fa; 0, or a recorded group
 * error with its reason. */
int img_check_image(struct smp_ctx *ctx, const struct flash_area *fa, struct image_info *info);
/* Downgrade prevention of next against running (NULL: nothing runs). */
int img_check_upgrade(struct smp_ctx *ctx, const struct image_info *next,
                      const struct image_info *running);

/* ---- the application's upload (img_upload.c) ---- */

int img_upload(struct smp_ctx *ctx);
/* §4.2.2 rule 5 on an image header (hdr, avail bytes of it) of an image of
 * len bytes: magic, size, the upgrade rule. 0 or a recorded group error. */
int img_check_first(struct smp_ctx *ctx, const uint8_t *hdr, size_t avail, uint64_t len,
                    bool upgrade);
/* Slot 1 holds part of an upload (a session or a durable record). */
bool img_upload_incomplete(const struct smp_ctx *ctx);
/* Slot 1 is about to change under the upload: the session and the
 * record end. 0, or a recorded group error. */
int img_upload_forget(struct smp_ctx *ctx);

/* ---- delta uploads (img_delta.c, src/image/DELTA.md) ---- */

/* The first chunk of a delta upload: the patch header, the base against
 * slot 0, the target's header. 0 with *target_len, or a recorded error;
 * nothing is written. */
int img_delta_check(struct smp_ctx *ctx, const struct upload_req *rq, uint32_t *target_len);
/* The session becomes a delta upload rebuilding target_len bytes. */
void img_delta_start(struct img_session *u, uint32_t target_len);
/* Applies a chunk of patch at the session's off. 0, or the handler's
 * error (the session ended; a corrupt patch keeps the record, so slot 1
 * stays marked as incomplete). */
int img_delta_feed(struct smp_ctx *ctx, const uint8_t *data, size_t n);

/* MCUboot's serial recovery commands (img_recovery.c): state read and upload. */
#define IMG_RECOVERY_COUNT (IMG_UPLOAD + 1)
extern const struct smp_handler img_recovery_handlers[IMG_RECOVERY_COUNT];

/* ---- the slot writer of the upload session (img_write.c) ---- */

/* A new session writing len bytes into fa from offset 0. */
void img_session_start(struct img_session *u, const struct flash_area *fa, uint32_t len);
/* Appends a chunk of image at the session's wr. Returns 0 or an IMG_ERR_* code. */
int img_append(struct smp_ctx *ctx, const uint8_t *data, size_t n);
/* Last chunk: flushes the padded tail and clears the trailer sectors. */
int img_write_finish(struct smp_ctx *ctx);
/* Erases one sector unless it is blank already; 0 or an IMG_ERR_* code. */
int img_erase_sector(const struct flash_area *fa, uint32_t off);
/* SHA-256 of fa's first len bytes as they read back. */
int img_hash_slot(struct smpsrv *srv, const struct flash_area *fa, uint32_t len,
                  uint8_t out[SHA256_LEN]);

/* ---- the durable upload record (upload_record.c) ---- */

#define UPLOAD_RECORD_COMPLETE 0xfff0u /* mark: the upload finished and checked out */
#define UPLOAD_RECORD_EFULL (-100)     /* no free unit left for a mark */

struct upload_record {
    uint32_t len;
    bool delta;           /* the upload is a delta patch (no sector marks) */
    uint8_t sha[SHA256_LEN];
    uint8_t sha_len;
    uint32_t done;        /* sectors [0, done) of slot 1 are programmed */
    bool complete;
    uint32_t next_unit;   /* where the next mark goes */
};

/* False for NULL or an area too small or too finely aligned for a record. */
bool upload_record_usable(const struct flash_area *area);
/* 1 and *r when a record is there, 0 when none, a negative flash error. */
int upload_record_read(const struct flash_area *area, uint32_t slot_sector,
                       struct upload_record *r);
/* Replaces any record by a new one (erase, header, commit); 0 or a
 * negative flash error. *next_unit: where its first mark goes. */
int upload_record_begin(const struct flash_area *area, uint32_t slot_sector, uint32_t len,
                        const uint8_t *sha, uint8_t sha_len, bool delta, uint32_t *next_unit);
/* Appends one mark (a sector count or UPLOAD_RECORD_COMPLETE). */
int upload_record_mark(const struct flash_area *area, uint32_t *next_unit, uint16_t value);
/* No record any more (erases the sector unless blank). */
int upload_record_clear(const struct flash_area *area);

#endif
