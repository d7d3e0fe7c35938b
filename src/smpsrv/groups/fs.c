/*
 * File system group (8), smp-protocol §4.9: chunked download and upload,
 * status, hash/checksum (crc32, sha256), supported hash types, close.
 *
 * The board owns the files and confines the names (plat->fs_*); this file
 * keeps one upload session (its group state, struct fs_session: name,
 * total length, next offset). As for images, a chunk at any other offset is not written and
 * the reply's `off` says where to continue (0: start over), so a client
 * that lost a response resumes instead of corrupting the file. A finished
 * upload stays the session (next offset = its length) until the client
 * closes the file or starts another upload: a repeated last chunk, sent
 * because its answer was lost, is answered with the length, not 0 (a
 * chunk past its end is another upload of the name: 0, start over).
 */
#include <string.h>

#include "image/image.h"
#include "image/image_crypto.h"
#include "smpsrv/smpsrv_priv.h"

enum { FS_FILE = 0, FS_STATUS = 1, FS_HASH = 2, FS_HASH_TYPES = 3, FS_CLOSE = 4 };

/* Room the response needs besides the data: keys, integer heads, map. */
#define FS_RSP_OVERHEAD 48

/* The file upload session (fs cmd 0 write), kept between chunks. */
struct fs_session {
    bool active;
    char name[SMPSRV_NAME_MAX + 1];
    uint32_t len;                /* total file size, from the first chunk */
    uint32_t off;                /* next expected offset */
};

static int get_name(struct smp_ctx *ctx, char *name)
{
    return smpsrv_req_name(ctx, "name", name, SMPSRV_FS_ERR_FILE_INVALID_NAME);
}

static int fs_download(struct smp_ctx *ctx)
{
    const struct smpsrv_platform *p = ctx->srv->plat;
    char name[SMPSRV_NAME_MAX + 1];
    uint64_t off;
    uint32_t flen;
    size_t n = 0;
    int rc;

    if (!p->fs_stat || !p->fs_read)
        return SMP_ERR_ENOTSUP;
    rc = get_name(ctx, name);
    if (rc == 0 && smpsrv_opt_uint(ctx, "off", &off) != 1)
        rc = SMP_ERR_EINVAL;
    if (rc == 0)
        rc = smpsrv_group_rc(ctx, p->fs_stat(p->ctx, name, &flen));
    if (rc != 0)
        return rc;
    if (off > flen)
        return smp_ctx_group_err(ctx, SMPSRV_FS_ERR_FILE_OFFSET_LARGER_THAN_FILE);
    if (ctx->srv->rsp_cap <= SMP_HDR_SIZE + FS_RSP_OVERHEAD)
        return SMP_ERR_EMSGSIZE;
    size_t cap = ctx->srv->rsp_cap - SMP_HDR_SIZE - FS_RSP_OVERHEAD;
    if (cap > SMPSRV_SCRATCH_SIZE)
        cap = SMPSRV_SCRATCH_SIZE;
    if (cap > flen - off)
        cap = flen - (uint32_t)off;
    if (cap) {
        rc = p->fs_read(p->ctx, name, (uint32_t)off, ctx->srv->scratch, cap, &n);
        if (rc != 0)
            return smpsrv_group_rc(ctx, rc);
    }
    cbor_put_str(ctx->rsp, "off");
    cbor_put_uint(ctx->rsp, off);
    cbor_put_str(ctx->rsp, "data");
    cbor_put_bytes(ctx->rsp, ctx->srv->scratch, n < cap ? n : cap);
    if (off == 0) {
        cbor_put_str(ctx->rsp, "len");
        cbor_put_uint(ctx->rsp, flen);
    }
    return 0;
}

static void put_off(struct smp_ctx *ctx, uint32_t off)
{
    cbor_put_str(ctx->rsp, "off");
    cbor_put_uint(ctx->rsp, off);
}

/* Where a chunk at off that is not written should make the client go on:
 * the session's next offset, or 0 (start over) for a name without a
 * session. A finished upload cannot grow: a chunk past its end belongs to
 * another (longer) upload of the name, which starts over. */
static uint32_t expected_off(const struct fs_session *u, const char *name, uint64_t off)
{
    if (!u->active || strcmp(u->name, name) != 0)
        return 0;
    if (u->off == u->len && off >= u->len)
        return 0;
    return u->off;
}

static int fs_upload(struct smp_ctx *ctx)
{
    const struct smpsrv_platform *p = ctx->srv->plat;
    struct fs_session *u = ctx->state;
    char name[SMPSRV_NAME_MAX + 1];
    const uint8_t *data;
    uint64_t off, len = 0;
    size_t n;
    int rc;

    if (!p->fs_write)
        return SMP_ERR_ENOTSUP;
    rc = get_name(ctx, name);
    if (rc == 0 && (smpsrv_opt_uint(ctx, "off", &off) != 1 ||
                    smpsrv_opt_bytes(ctx, "data", &data, &n) != 1))
        rc = SMP_ERR_EINVAL;
    if (rc != 0)
        return rc;
    if (off == 0) {
        if (smpsrv_opt_uint(ctx, "len", &len) != 1 || len > UINT32_MAX) {
            smp_ctx_rsn(ctx, "the first chunk needs the file length `len`");
            return SMP_ERR_EINVAL;
        }
        memset(u, 0, sizeof *u);
        memcpy(u->name, name, sizeof u->name);
        u->len = (uint32_t)len;
        u->active = true;
    } else if (!u->active || strcmp(u->name, name) != 0 || off != u->off ||
               u->off == u->len) {
        put_off(ctx, expected_off(u, name, off));
        return 0;
    }
    if (n > u->len - u->off) {
        smp_ctx_rsn(ctx, "data goes past the announced length");
        return smp_ctx_group_err(ctx, SMPSRV_FS_ERR_FILE_OFFSET_LARGER_THAN_FILE);
    }
    rc = p->fs_write(p->ctx, name, u->off, data, n);
    if (rc != 0) {
        u->active = false;
        return smpsrv_group_rc(ctx, rc);
    }
    u->off += (uint32_t)n;
    put_off(ctx, u->off);
    return 0;
}

static int fs_status(struct smp_ctx *ctx)
{
    const struct smpsrv_platform *p = ctx->srv->plat;
    char name[SMPSRV_NAME_MAX + 1];
    uint32_t flen;
    int rc;

    if (!p->fs_stat)
        return SMP_ERR_ENOTSUP;
    rc = get_name(ctx, name);
    if (rc == 0)
        rc = smpsrv_group_rc(ctx, p->fs_stat(p->ctx, name, &flen));
    if (rc != 0)
        return rc;
    cbor_put_str(ctx->rsp, "len");
    cbor_put_uint(ctx->rsp, flen);
    return 0;
}

/* CRC-32 as IEEE 802.3 / zlib: reflected 0xEDB88320, init and final xor
 * all ones. Bitwise: no table in a small device's flash. */
static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

struct fs_hash_req {
    char name[SMPSRV_NAME_MAX + 1];
    bool sha256;
    uint64_t off, len;
};

static int parse_hash_req(struct smp_ctx *ctx, struct fs_hash_req *rq, uint32_t *flen)
{
    const struct smpsrv_platform *p = ctx->srv->plat;
    const char *type = "crc32";
    size_t tn = 5;
    bool has_len;
    int rc = get_name(ctx, rq->name);

    rq->off = 0;
    if (rc == 0 && (smpsrv_opt_text(ctx, "type", &type, &tn) > 1 ||
                    smpsrv_opt_uint(ctx, "off", &rq->off) > 1))
        rc = SMP_ERR_EINVAL;
    if (rc != 0)
        return rc;
    rc = smpsrv_opt_uint(ctx, "len", &rq->len);
    if (rc > 1)
        return rc;
    has_len = rc == 1;
    rq->sha256 = tn == 6 && memcmp(type, "sha256", 6) == 0;
    if (!rq->sha256 && !(tn == 5 && memcmp(type, "crc32", 5) == 0)) {
        smp_ctx_rsn(ctx, "hash types: crc32, sha256");
        return smp_ctx_group_err(ctx, SMPSRV_FS_ERR_CHECKSUM_HASH_NOT_FOUND);
    }
    rc = smpsrv_group_rc(ctx, p->fs_stat(p->ctx, rq->name, flen));
    if (rc != 0)
        return rc;
    if (rq->off > *flen)
        return smp_ctx_group_err(ctx, SMPSRV_FS_ERR_FILE_OFFSET_LARGER_THAN_FILE);
    if (!has_len || rq->len > *flen - rq->off)
        rq->len = *flen - rq->off;
    if (rq->len == 0)
        return smp_ctx_group_err(ctx, SMPSRV_FS_ERR_FILE_EMPTY);
    return 0;
}

/* Reads the region through the board into scratch, feeding crc or sha. */
static int hash_region(struct smp_ctx *ctx, const struct fs_hash_req *rq, uint32_t *crc,
                       struct image_hash *h)
{
    const struct smpsrv_platform *p = ctx->srv->plat;
    uint8_t *buf = ctx->srv->scratch;
    uint64_t done = 0;

    while (done < rq->len) {
        size_t want = rq->len - done < SMPSRV_SCRATCH_SIZE ? (size_t)(rq->len - done)
                                                           : SMPSRV_SCRATCH_SIZE;
        size_t n = 0;
        int rc = p->fs_read(p->ctx, rq->name, (uint32_t)(rq->off + done), buf, want, &n);
        if (rc != 0)
            return smpsrv_group_rc(ctx, rc);
        if (n == 0 || n > want)
            return smp_ctx_group_err(ctx, SMPSRV_FS_ERR_FILE_READ_FAILED);
        if (h && image_hash_update(h, buf, n) != IMAGE_OK)
            return SMP_ERR_EUNKNOWN;
        if (!h)
            *crc = crc32_update(*crc, buf, n);
        done += n;
    }
    return 0;
}

static int fs_hash(struct smp_ctx *ctx)
{
    const struct smpsrv_platform *p = ctx->srv->plat;
    struct fs_hash_req rq;
    struct image_hash h;
    uint8_t digest[32];
    size_t dlen = 0;
    uint32_t flen, crc = 0;
    int rc;

    if (!p->fs_stat || !p->fs_read)
        return SMP_ERR_ENOTSUP;
    rc = parse_hash_req(ctx, &rq, &flen);
    if (rc != 0)
        return rc;
    if (rq.sha256 && image_hash_init(&h, IMAGE_TLV_SHA256) != IMAGE_OK)
        return SMP_ERR_EUNKNOWN;
    rc = hash_region(ctx, &rq, &crc, rq.sha256 ? &h : NULL);
    if (rq.sha256) {
        if (rc != 0)
            image_hash_abort(&h);
        else if (image_hash_final(&h, digest, sizeof digest, &dlen) != IMAGE_OK)
            rc = SMP_ERR_EUNKNOWN;
    }
    if (rc != 0)
        return rc;
    cbor_put_str(ctx->rsp, "type");
    cbor_put_str(ctx->rsp, rq.sha256 ? "sha256" : "crc32");
    if (rq.off) {
        cbor_put_str(ctx->rsp, "off");
        cbor_put_uint(ctx->rsp, rq.off);
    }
    cbor_put_str(ctx->rsp, "len");
    cbor_put_uint(ctx->rsp, rq.len);
    cbor_put_str(ctx->rsp, "output");
    if (rq.sha256)
        cbor_put_bytes(ctx->rsp, digest, dlen);
    else
        cbor_put_uint(ctx->rsp, crc);
    return 0;
}

static void put_hash_type(struct cbor_writer *w, const char *name, unsigned format,
                          unsigned size)
{
    cbor_put_str(w, name);
    cbor_open_map(w, 2);
    cbor_put_str(w, "format");
    cbor_put_uint(w, format);
    cbor_put_str(w, "size");
    cbor_put_uint(w, size);
}

static int fs_hash_types(struct smp_ctx *ctx)
{
    cbor_put_str(ctx->rsp, "types");
    cbor_open_map(ctx->rsp, 2);
    put_hash_type(ctx->rsp, "crc32", 0, 4);
    put_hash_type(ctx->rsp, "sha256", 1, 32);
    return 0;
}

static int fs_close(struct smp_ctx *ctx)
{
    const struct smpsrv_platform *p = ctx->srv->plat;

    ((struct fs_session *)ctx->state)->active = false;
    if (p->fs_close)
        p->fs_close(p->ctx);
    return 0;
}

static int fs_to_v1(int group_rc)
{
    switch (group_rc) {
    case SMPSRV_FS_ERR_FILE_INVALID_NAME:
    case SMPSRV_FS_ERR_FILE_OFFSET_NOT_VALID:
    case SMPSRV_FS_ERR_FILE_OFFSET_LARGER_THAN_FILE:
    case SMPSRV_FS_ERR_CHECKSUM_HASH_NOT_FOUND: return SMP_ERR_EINVAL;
    case SMPSRV_FS_ERR_FILE_NOT_FOUND:
    case SMPSRV_FS_ERR_MOUNT_POINT_NOT_FOUND: return SMP_ERR_ENOENT;
    case SMPSRV_FS_ERR_FILE_IS_DIRECTORY:
    case SMPSRV_FS_ERR_FILE_EMPTY: return SMP_ERR_EBADSTATE;
    case SMPSRV_FS_ERR_READ_ONLY_FILESYSTEM: return SMP_ERR_EACCESSDENIED;
    default: return SMP_ERR_EUNKNOWN;
    }
}

static const struct smp_handler fs_handlers[] = {
    [FS_FILE] = { .read = fs_download, .write = fs_upload },
    [FS_STATUS] = { .read = fs_status },
    [FS_HASH] = { .read = fs_hash },
    [FS_HASH_TYPES] = { .read = fs_hash_types },
    [FS_CLOSE] = { .write = fs_close },
};

static struct fs_session fs_session;

const struct smp_group smp_group_fs = {
    .id = SMP_GROUP_FS,
    .name = "fs",
    .handlers = fs_handlers,
    .count = SMPSRV_ARRAY_LEN(fs_handlers),
    .to_v1_rc = fs_to_v1,
    .state = &fs_session,
    .state_size = sizeof fs_session,
};
