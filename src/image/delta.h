/*
 * Delta patches (src/image/DELTA.md), device side: the patch header and
 * the streaming applier that rebuilds a target image from the base image
 * in slot 0 plus a patch, writing the target strictly sequentially.
 *
 * No malloc, no stdio: the caller owns struct delta_apply (about 3.3 KiB,
 * DELTA_WINDOW + DELTA_BUF + the header), feeds it patch bytes in chunks of
 * any size, and supplies two callbacks: random-access reads of the base
 * and sequential writes of the target. The host side (delta_make.h) makes
 * the patches.
 */
#ifndef IMAGE_DELTA_H
#define IMAGE_DELTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DELTA_MAGIC 0x3144434du /* "MCD1" */
#define DELTA_VERSION 1
#define DELTA_HEADER_SIZE 128
#define DELTA_HASH_LEN 32
#define DELTA_WINDOW 2048u /* how far back a WIN op may reach in the target */
#define DELTA_BUF 1024u    /* staging of base reads and window copies (fewer, longer flash writes) */
#define DELTA_MAX_OP_LEN (1u << 24)

/* Op kinds: the top two bits of an op's tag byte (DELTA.md). */
enum delta_op { DELTA_OP_LIT = 0, DELTA_OP_WIN = 1, DELTA_OP_BASE = 2 };

/* Errors: the image layer's range (image.h) ends with these three. The
 * applier passes a failing base read on as IMAGE_ERR_IO. */
enum delta_err {
    DELTA_OK = 0,
    DELTA_ERR_HEADER = -57,  /* not a patch, unknown version, impossible sizes */
    DELTA_ERR_CORRUPT = -58, /* an op the header's sizes do not allow, or trailing bytes */
    DELTA_ERR_WRITE = -59,   /* the target write callback failed (see io_rc) */
};
const char *delta_strerror(int err);

struct delta_header {
    uint32_t patch_len;   /* the whole patch, header included */
    uint32_t base_len;    /* bytes of the base image the ops may read */
    uint32_t target_len;  /* bytes the ops produce */
    uint8_t base_hash[DELTA_HASH_LEN];  /* the base image's SHA-256 TLV value */
    uint8_t target_sha[DELTA_HASH_LEN]; /* SHA-256 of the whole target file */
    uint8_t target_hdr[32];             /* the target's MCUboot header, a copy */
};

/* Decodes and checks the DELTA_HEADER_SIZE bytes at b. 0 or DELTA_ERR_HEADER. */
int delta_header_parse(const uint8_t *b, size_t len, struct delta_header *h);
/* The reverse (host side uses it); writes DELTA_HEADER_SIZE bytes. */
void delta_header_write(const struct delta_header *h, uint8_t out[DELTA_HEADER_SIZE]);

struct delta_io {
    /* Reads len bytes of the base at off (off + len <= base_len). 0 on success. */
    int (*read_base)(void *ctx, uint32_t off, uint8_t *buf, size_t len);
    /* Appends len bytes to the target. 0 on success; any other value is
     * kept in io_rc and the applier stops with DELTA_ERR_WRITE. */
    int (*write)(void *ctx, const uint8_t *buf, size_t len);
    void *ctx;
};

/* The applier's whole state. Plain data: zeroed by delta_apply_init. */
struct delta_apply {
    struct delta_header hdr;
    uint8_t hdr_buf[DELTA_HEADER_SIZE];
    uint32_t in;          /* patch bytes consumed (after an error: where it was found) */
    uint32_t out;         /* target bytes produced */
    uint64_t cursor;      /* the base position the next BASE op is relative to */
    uint8_t step;         /* where in an op the parser is (delta_apply.c) */
    uint8_t kind;         /* the current op's enum delta_op */
    uint8_t var_shift;
    uint32_t var;         /* the varint being read */
    uint32_t op_len;      /* the current op's length; for LIT: bytes still to copy */
    int io_rc;            /* the write callback's failure */
    bool dry;             /* walk the ops only: no base reads, no header check */
    uint32_t ops[3], op_bytes[3]; /* per enum delta_op: ops seen, bytes they produced */
    uint8_t window[DELTA_WINDOW]; /* the last DELTA_WINDOW target bytes, a ring */
    uint8_t buf[DELTA_BUF];
};

void delta_apply_init(struct delta_apply *d);
/* The same for a dry run (dumpinfo, statistics): base bytes read as zero,
 * the produced header is not compared, io->write may be NULL. */
void delta_apply_init_dry(struct delta_apply *d);
/* Consumes n patch bytes (the header first, then ops), producing target
 * bytes through io as they become known. 0, or an error after which the
 * applier must not be fed again. */
int delta_apply_feed(struct delta_apply *d, const uint8_t *p, size_t n, const struct delta_io *io);
/* After the last byte: 0 when the whole patch was read and exactly
 * target_len bytes were produced, else DELTA_ERR_CORRUPT. */
int delta_apply_finish(const struct delta_apply *d);
/* The header, once DELTA_HEADER_SIZE bytes were fed; NULL before. */
const struct delta_header *delta_apply_header(const struct delta_apply *d);

#endif
