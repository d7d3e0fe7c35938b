/*
 * File system group (8) client operations (smp-protocol §4.9): chunked
 * upload and download with progress and resume, status, hash, supported
 * hash types, close.
 *
 * Transfers go one request at a time: a device keeps a single file upload
 * context, and a lost response is recovered by asking again (the device
 * answers a repeated or misplaced chunk with the offset it expects, 0 when
 * it forgot the transfer). Resume is only ever taken after comparing the
 * sha256 of the part already there on both sides, so a different file of
 * the same name is never continued.
 */
/* pread/pwrite, ftruncate, O_CLOEXEC, clock_gettime, gmtime_r: also when built as strict C11 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "client/internal.h"
#include "client/mgmt.h"

enum { FS_FILE = 0, FS_STATUS = 1, FS_HASH = 2, FS_HASH_TYPES = 3, FS_CLOSE = 4 };

/* A transfer that makes no progress for this many answers in a row is
 * given up (a device that keeps answering with the same offset). */
#define FS_MAX_STALLS 8
#define FS_MAX_RESTARTS 3

/* Room for the bstr head of a data field (up to 65535 bytes). */
#define BSTR_HEAD_MAX 3

static int put_name_off(struct cbor_writer *w, size_t pairs, const char *name, uint64_t off)
{
    cbor_open_map(w, pairs);
    cbor_put_str(w, "name");
    cbor_put_str(w, name);
    cbor_put_str(w, "off");
    cbor_put_uint(w, off);
    return w->status ? CLIENT_ERR_TOO_BIG : 0;
}

/* ---- stat, hash, types, close ---- */

int client_fs_stat(struct client_session *s, const char *name, uint64_t *len,
                   struct client_rsp *rsp)
{
    uint8_t body[512];
    size_t blen;
    int rc = client_encode_text_map(body, sizeof body, "name", name, &blen);

    if (rc == 0)
        rc = client_call(s, SMP_OP_READ, SMP_GROUP_FS, FS_STATUS, body, blen, rsp);
    if (rc)
        return rc;
    return cbor_map_get_uint(&rsp->body, "len", len) == 1 ? 0 : CLIENT_ERR_PROTO;
}

static int parse_hash(const struct cbor_value *body, struct client_fs_hash *h)
{
    struct cbor_value out;
    const char *t;
    size_t n;

    if (cbor_map_get_text(body, "type", &t, &n) != 1 || cbor_map_get(body, "output", &out) != 1)
        return CLIENT_ERR_PROTO;
    client_copy_text(h->type, sizeof h->type, t, n);
    h->off = 0;
    (void)cbor_map_get_uint(body, "off", &h->off);
    if (cbor_map_get_uint(body, "len", &h->len) != 1)
        return CLIENT_ERR_PROTO;
    if (out.type == CBOR_TYPE_UINT) {
        h->numeric = true;
        h->value = out.u;
    } else if (out.type == CBOR_TYPE_BYTES && out.len <= sizeof h->bytes) {
        h->numeric = false;
        memcpy(h->bytes, out.data, out.len);
        h->nbytes = out.len;
    } else {
        return CLIENT_ERR_PROTO;
    }
    return 0;
}

int client_fs_hash(struct client_session *s, const char *name, const char *type, uint64_t off,
                   uint64_t len, struct client_fs_hash *h, struct client_rsp *rsp)
{
    uint8_t body[512];
    struct cbor_writer w;
    int rc;

    memset(h, 0, sizeof *h);
    cbor_writer_init(&w, body, sizeof body);
    cbor_open_map(&w, 1 + (type != NULL) + (off != 0) + (len != 0));
    cbor_put_str(&w, "name");
    cbor_put_str(&w, name);
    if (type) {
        cbor_put_str(&w, "type");
        cbor_put_str(&w, type);
    }
    if (off) {
        cbor_put_str(&w, "off");
        cbor_put_uint(&w, off);
    }
    if (len) {
        cbor_put_str(&w, "len");
        cbor_put_uint(&w, len);
    }
    if (w.status)
        return CLIENT_ERR_TOO_BIG;
    rc = client_call(s, SMP_OP_READ, SMP_GROUP_FS, FS_HASH, body, w.len, rsp);
    return rc ? rc : parse_hash(&rsp->body, h);
}

int client_fs_hash_types(struct client_session *s, struct client_hash_type *t, size_t cap,
                         size_t *n, struct client_rsp *rsp)
{
    struct cbor_value k, v;
    struct cbor_iter it;
    int rc = client_call_empty(s, SMP_OP_READ, SMP_GROUP_FS, FS_HASH_TYPES, rsp);

    *n = 0;
    if (rc == 0)
        rc = client_member_iter(&rsp->body, "types", CBOR_TYPE_MAP, &it);
    if (rc)
        return rc;
    while ((rc = cbor_iter_next(&it, &k)) == 1) {
        if (k.type != CBOR_TYPE_TEXT || cbor_iter_next(&it, &v) != 1 || v.type != CBOR_TYPE_MAP)
            return CLIENT_ERR_PROTO;
        if (*n == cap)
            continue;
        client_copy_text(t[*n].name, sizeof t[*n].name, (const char *)k.data, k.len);
        t[*n].format = 0;
        t[*n].size = 0;
        (void)cbor_map_get_uint(&v, "format", &t[*n].format);
        (void)cbor_map_get_uint(&v, "size", &t[*n].size);
        (*n)++;
    }
    return rc < 0 ? CLIENT_ERR_PROTO : 0;
}

int client_fs_close(struct client_session *s)
{
    return client_call_empty_status(s, SMP_OP_WRITE, SMP_GROUP_FS, FS_CLOSE);
}

/* ---- resume check ---- */

static void sha256_of(const uint8_t *p, size_t n, uint8_t out[32])
{
    unsigned md_len = 0;
    EVP_Digest(p, n, out, &md_len, EVP_sha256(), NULL);
}

/* 1 when the device's file starts with exactly these n bytes (its sha256
 * over [0, n) equals ours), 0 when not or when the device cannot tell. */
static int device_prefix_matches(struct client_session *s, const char *name, const uint8_t *p,
                                 size_t n, struct client_rsp *rsp)
{
    struct client_fs_hash h;
    uint8_t mine[32];

    if (n == 0 || client_fs_hash(s, name, "sha256", 0, n, &h, rsp) != 0)
        return 0;
    sha256_of(p, n, mine);
    return !h.numeric && h.len == n && h.nbytes == 32 && memcmp(h.bytes, mine, 32) == 0;
}

/* ---- upload ---- */

struct fs_up {
    struct client_session *s;
    const char *name;
    const uint8_t *data;
    size_t len;
    size_t max_msg;
    const struct client_fs_opts *o;
    struct client_fs_stats *st;
    struct client_rsp *rsp;
};

static int encode_chunk(const struct fs_up *u, size_t off, size_t n, uint8_t *buf, size_t cap,
                        size_t *out_len)
{
    struct cbor_writer w;

    cbor_writer_init(&w, buf, cap);
    if (put_name_off(&w, off == 0 ? 4 : 3, u->name, off) != 0)
        return CLIENT_ERR_TOO_BIG;
    cbor_put_str(&w, "data");
    cbor_put_bytes(&w, u->data + off, n);
    if (off == 0) {
        cbor_put_str(&w, "len");
        cbor_put_uint(&w, u->len);
    }
    *out_len = w.len;
    return w.status ? CLIENT_ERR_TOO_BIG : 0;
}

/* Data bytes per chunk: what fits the device's buffer with the widest
 * header (the first chunk, which also carries `len`), 4-byte aligned. */
static int up_chunk_size(struct fs_up *u)
{
    uint8_t buf[1024];
    size_t head, fit;

    if (encode_chunk(u, 0, 0, buf, sizeof buf, &head) != 0)
        return CLIENT_ERR_TOO_BIG;
    /* offsets grow to 9 bytes of CBOR at most beyond the first chunk's 1 */
    head += 8 + BSTR_HEAD_MAX;
    if (head + SMP_HDR_SIZE >= u->max_msg)
        return CLIENT_ERR_TOO_BIG;
    fit = (u->max_msg - SMP_HDR_SIZE - head) & ~(size_t)3;
    if (u->o && u->o->chunk_size && u->o->chunk_size < fit)
        fit = u->o->chunk_size;
    if (fit == 0)
        return CLIENT_ERR_TOO_BIG;
    u->st->chunk_size = fit;
    return 0;
}

/* Sends the chunk at off; *next is the offset the device expects now. */
static int up_send(struct fs_up *u, size_t off, size_t *next)
{
    uint8_t body[CLIENT_MSG_MAX];
    size_t n = u->len - off < u->st->chunk_size ? u->len - off : u->st->chunk_size;
    size_t blen;
    uint64_t dev_off;
    int rc = encode_chunk(u, off, n, body, sizeof body, &blen);

    if (rc)
        return rc;
    u->st->requests++;
    rc = client_call(u->s, SMP_OP_WRITE, SMP_GROUP_FS, FS_FILE, body, blen, u->rsp);
    if (rc)
        return rc;
    if (cbor_map_get_uint(&u->rsp->body, "off", &dev_off) != 1 || dev_off > u->len)
        return CLIENT_ERR_PROTO;
    *next = (size_t)dev_off;
    return 0;
}

/* Where to start: 0, or the length of a verified partial copy. */
static size_t up_resume_point(struct fs_up *u)
{
    uint64_t dev_len;

    if (!u->o || !u->o->resume || client_fs_stat(u->s, u->name, &dev_len, u->rsp) != 0 ||
        dev_len == 0 || dev_len > u->len)
        return 0;
    if (!device_prefix_matches(u->s, u->name, u->data, (size_t)dev_len, u->rsp))
        return 0;
    return (size_t)dev_len;
}

static void up_progress(struct fs_up *u, size_t off)
{
    if (u->o && u->o->progress)
        u->o->progress(u->o->progress_ctx, off, u->len);
}

static int up_run(struct fs_up *u, size_t off)
{
    unsigned stalls = 0;

    for (;;) {
        size_t next;
        int rc = up_send(u, off, &next);
        if (rc)
            return rc;
        if (next == u->len) {
            up_progress(u, next);
            return 0;
        }
        if (next == 0 && off != 0) {
            /* the device forgot the transfer (reset, another upload): again */
            if (++u->st->restarts > FS_MAX_RESTARTS)
                return CLIENT_ERR_PROTO;
            u->st->resumed_from = 0;
        } else if (next <= off) {
            if (++stalls > FS_MAX_STALLS)
                return CLIENT_ERR_PROTO;
        } else {
            stalls = 0;
        }
        off = next;
        up_progress(u, off);
    }
}

int client_fs_upload(struct client_session *s, const char *remote, const uint8_t *data,
                     size_t len, const struct client_fs_opts *o, struct client_fs_stats *st)
{
    struct fs_up u = { s, remote, data, len, 0, o, st, NULL };
    size_t start;
    int rc;

    memset(st, 0, sizeof *st);
    st->len = len;
    if (!remote || !*remote || (len && !data))
        return CLIENT_ERR_ARG;
    u.rsp = malloc(sizeof *u.rsp);
    if (!u.rsp)
        return CLIENT_ERR_NOMEM;
    rc = client_request_limit(s, &u.max_msg);
    if (rc == 0)
        rc = up_chunk_size(&u);
    start = rc == 0 ? up_resume_point(&u) : 0;
    if (rc == 0 && start == len && len > 0) {
        st->identical = true; /* the device has this very file */
        st->resumed_from = len;
        up_progress(&u, len);
    } else if (rc == 0) {
        st->resumed_from = start;
        rc = up_run(&u, start);
        /* a device that refuses to continue at that offset (some answer
         * FILE_OFFSET_NOT_VALID instead of the offset they expect): again
         * from the start, once */
        if (rc == CLIENT_ERR_DEVICE && start > 0 && st->requests == 1) {
            st->restarts++;
            st->resumed_from = 0;
            rc = up_run(&u, 0);
        }
    }
    free(u.rsp);
    return rc;
}

/* ---- download ---- */

struct fs_down {
    struct client_session *s;
    const char *name;
    int fd;
    size_t total;
    bool total_known;
    const struct client_fs_opts *o;
    struct client_fs_stats *st;
    struct client_rsp *rsp;
};

/* Reads one chunk at off and writes it to the local file; *got = bytes. */
static int down_chunk(struct fs_down *d, size_t off, size_t *got)
{
    uint8_t body[512];
    struct cbor_writer w;
    const uint8_t *p;
    uint64_t dev_off, total;
    size_t n;
    int rc;

    cbor_writer_init(&w, body, sizeof body);
    if (put_name_off(&w, 2, d->name, off) != 0)
        return CLIENT_ERR_TOO_BIG;
    d->st->requests++;
    rc = client_call(d->s, SMP_OP_READ, SMP_GROUP_FS, FS_FILE, body, w.len, d->rsp);
    if (rc)
        return rc;
    if (cbor_map_get_uint(&d->rsp->body, "off", &dev_off) != 1 || dev_off != off ||
        cbor_map_get_bytes(&d->rsp->body, "data", &p, &n) != 1)
        return CLIENT_ERR_PROTO;
    if (cbor_map_get_uint(&d->rsp->body, "len", &total) == 1) {
        d->total = (size_t)total;
        d->total_known = true;
    }
    if (!d->total_known || off + n > d->total)
        return CLIENT_ERR_PROTO;
    /* the local file is emptied only once the device has answered, so a
     * wrong remote name never destroys a local file */
    if (off == 0 && ftruncate(d->fd, 0) != 0)
        return CLIENT_ERR_FILE;
    if (n && pwrite(d->fd, p, n, (off_t)off) != (ssize_t)n)
        return CLIENT_ERR_FILE;
    *got = n;
    return 0;
}

/* Offset to continue a local partial copy from, after checking it. */
static size_t down_resume_point(struct fs_down *d)
{
    struct stat sb;
    uint8_t *buf;
    size_t have, keep = 0;
    uint64_t dev_len;

    if (!d->o || !d->o->resume || fstat(d->fd, &sb) != 0 || sb.st_size <= 0)
        return 0;
    have = (size_t)sb.st_size;
    if (client_fs_stat(d->s, d->name, &dev_len, d->rsp) != 0 || have > dev_len)
        return 0;
    buf = malloc(have);
    if (buf && pread(d->fd, buf, have, 0) == (ssize_t)have &&
        device_prefix_matches(d->s, d->name, buf, have, d->rsp)) {
        keep = have;
        d->total = (size_t)dev_len;
        d->total_known = true;
    }
    free(buf);
    return keep;
}

static int down_run(struct fs_down *d, size_t off)
{
    for (;;) {
        size_t got = 0;
        int rc;
        if (d->total_known && off == d->total)
            break; /* also: a resumed local copy that was complete already */
        rc = down_chunk(d, off, &got);
        if (rc)
            return rc;
        off += got;
        if (off == d->total)
            break;
        if (got == 0)
            return CLIENT_ERR_PROTO; /* no data before the end: would never finish */
        if (d->o && d->o->progress)
            d->o->progress(d->o->progress_ctx, off, d->total);
    }
    if (d->o && d->o->progress)
        d->o->progress(d->o->progress_ctx, off, d->total);
    return 0;
}

int client_fs_download(struct client_session *s, const char *remote, const char *local,
                       const struct client_fs_opts *o, struct client_fs_stats *st)
{
    struct fs_down d = { s, remote, -1, 0, false, o, st, NULL };
    bool created;
    size_t start;
    int rc;

    memset(st, 0, sizeof *st);
    if (!remote || !*remote || !local || !*local)
        return CLIENT_ERR_ARG;
    created = access(local, F_OK) != 0;
    d.fd = open(local, O_RDWR | O_CREAT | O_CLOEXEC, 0660);
    if (d.fd < 0)
        return CLIENT_ERR_FILE;
    d.rsp = malloc(sizeof *d.rsp);
    if (!d.rsp) {
        close(d.fd);
        return CLIENT_ERR_NOMEM;
    }
    start = down_resume_point(&d);
    rc = down_run(&d, start);
    st->resumed_from = start;
    st->len = d.total;
    free(d.rsp);
    if (close(d.fd) != 0 && rc == 0)
        rc = CLIENT_ERR_FILE;
    /* nothing came: do not leave an empty file of our own making behind */
    if (rc != 0 && created && st->requests <= 1 && !d.total_known)
        unlink(local);
    return rc;
}
