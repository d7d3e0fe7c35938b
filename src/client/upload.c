/*
 * Image upload (image group, command 1) with a send window, loss recovery
 * and resume (smp-protocol §4.2.2, §8).
 *
 * The device's `off` in each response is the truth: it is the offset it
 * expects next. Policy:
 *  - The first chunk carries len and sha; the device may erase the slot
 *    before answering, so it gets a long overall timeout, and it is re-sent
 *    after 2.5 s, 5 s, 10 s... meanwhile (an off=0 request with the same
 *    sha is idempotent on current devices: they answer with their offset,
 *    which is also how an interrupted upload resumes).
 *  - Chunks are sized to what the device was proved to take (sizing.c:
 *    its buf_size less the framing, checked by an echo of that size) and
 *    the window is bounded by buf_count - 1: one buffer
 *    stays free for the response, and a real device silently drops a
 *    request that finds no buffer.
 *  - A response whose off is lower than the end of its chunk means an
 *    earlier chunk was lost: everything in flight is forgotten (its answers
 *    become strays) and sending resumes at the device's off, with the window
 *    halved. Each success grows the window by one again.
 *  - A timeout forgets the window and re-sends from the last acknowledged
 *    offset with window 1 and a doubled timeout; only a long stretch with
 *    no progress at all gives up.
 *  - off = 0 in the middle means the device lost the upload (reboot): start
 *    over with a new first chunk.
 */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "client/client.h"
#include "client/internal.h"
#include "image/image.h"

enum { IMG_UPLOAD = 1 };

#define FIRST_TIMEOUT_MS 30000   /* a device erasing a whole slot first */
#define FIRST_RESEND_MS 2500
#define MIN_CHUNK_TMO_MS 200
#define INITIAL_CHUNK_TMO_MS 1000
#define RTO_SLACK_MS 50
#define MAX_INFLIGHT 32
#define MAX_RESTARTS 3
#define MAX_FIRST_TRIES_PENDING 8 /* earlier tries of the first chunk still answerable */
#define MIN_STALL_BUDGET_MS 15000
#define NOTE_EVERY (16 * 1024)
/* Flash time per image byte of a slow NOR part, erase included: an
 * nRF52840 erases 4 KiB in 85 ms and writes a word in 41 us. */
#define DELTA_US_PER_BYTE 31

struct inflight {
    bool used;
    uint8_t seq;
    size_t off, len;
    int64_t sent_at, deadline;
};

struct upload {
    struct client_session *s;
    const uint8_t *data;
    size_t len;
    uint8_t sha[32];     /* of the image (a delta: of the image the patch rebuilds) */
    bool send_sha;
    bool delta;          /* data is a patch (upload_delta.c) */
    const uint32_t *out_at; /* a patch: image bytes the device has made by each patch offset */
    int64_t busy_until;     /* ... and when its flash work for the chunks sent may end */
    const struct client_upload_opts *o;
    struct client_upload_stats *st;
    size_t max_msg;
    size_t chunk;
    unsigned max_window, window;
    size_t acked, next_off, highest_sent;
    struct inflight fl[MAX_INFLIGHT];
    bool have_rtt;
    int64_t srtt_ms, rttvar_ms; /* of non-first chunks: the first may include an erase */
    int backoff;
    int64_t progress_deadline;
    size_t resumed_at;
    size_t noted;       /* progress last written to the host's state (state_key) */
    struct client_rsp rsp;
};

int client_image_check_file(const uint8_t *d, size_t len)
{
    struct image_mem mem = { d, len };
    struct image_info info;
    int rc;

    if (len < 4 || ((uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 |
                    (uint32_t)d[3] << 24) != IMAGE_MAGIC)
        return CLIENT_ERR_NOT_IMAGE;
    if (len > UINT32_MAX)
        return CLIENT_ERR_TOO_BIG;
    /* the image library's own walk: the header, then both TLV blocks */
    rc = image_read_info(image_mem_read, &mem, (uint32_t)len, &info);
    if (rc == IMAGE_OK)
        return 0;
    /* a good magic whose header or TLVs run past the end: a cut-off file */
    if (rc == IMAGE_ERR_TOO_LARGE || rc == IMAGE_ERR_TLV_TRUNCATED || rc == IMAGE_ERR_IO)
        return CLIENT_ERR_TRUNCATED;
    return CLIENT_ERR_NOT_IMAGE;
}

/* Encodes one upload request body; returns its length or 0 if it does not fit. */
static size_t encode_chunk(const struct upload *u, size_t off, size_t n, uint8_t *buf, size_t cap)
{
    struct cbor_writer w;
    bool first = off == 0;
    size_t pairs = 2 +
                   (first ? 1 + (u->send_sha ? 1 : 0) + (u->o->upgrade ? 1 : 0) + u->delta : 0) +
                   (first || u->o->image ? 1 : 0);

    cbor_writer_init(&w, buf, cap);
    cbor_open_map(&w, pairs);
    if (first || u->o->image) {
        cbor_put_str(&w, "image");
        cbor_put_uint(&w, u->o->image);
    }
    if (first) {
        cbor_put_str(&w, "len");
        cbor_put_uint(&w, u->len);
        if (u->send_sha) {
            cbor_put_str(&w, "sha");
            cbor_put_bytes(&w, u->sha, sizeof u->sha);
        }
        if (u->o->upgrade) {
            cbor_put_str(&w, "upgrade");
            cbor_put_bool(&w, true);
        }
        if (u->delta) {
            cbor_put_str(&w, "delta");
            cbor_put_bool(&w, true);
        }
    }
    cbor_put_str(&w, "off");
    cbor_put_uint(&w, off);
    cbor_put_str(&w, "data");
    cbor_put_bytes(&w, u->data + off, n);
    return w.status == CBOR_OK ? w.len : 0;
}

/* Largest data length whose request at offset off fits max_msg (not
 * capped to what is left of the file). */
static size_t fit_data(const struct upload *u, size_t off)
{
    uint8_t buf[64 + 32];
    size_t body0 = encode_chunk(u, off, 0, buf, sizeof buf);
    size_t avail, n;

    if (!body0 || body0 + SMP_HDR_SIZE >= u->max_msg)
        return 0;
    /* body0 holds a one-byte bstr head; longer data needs a longer head */
    avail = u->max_msg - SMP_HDR_SIZE - body0;
    n = avail;
    if (n >= 24)
        n = avail - 1;
    if (n >= 256)
        n = avail - 2;
    return n;
}

static void note_progress(struct upload *u, size_t off)
{
    int64_t now = client_now_ms();
    int64_t budget = (int64_t)u->s->timeout_ms * (u->s->tries < 1 ? 1 : u->s->tries);

    if (off > u->acked || u->progress_deadline == 0) {
        if (budget < MIN_STALL_BUDGET_MS)
            budget = MIN_STALL_BUDGET_MS;
        u->progress_deadline = now + budget;
        u->backoff = 1;
    }
    if (off > u->acked) {
        u->acked = off;
        if (u->o->progress)
            u->o->progress(u->o->progress_ctx, u->acked, u->len);
        /* remembered as it goes: a killed client or a host that lost
         * power can still tell, next time, what the device had */
        if (u->o->state_key && u->acked - u->noted >= NOTE_EVERY && u->acked < u->len) {
            client_note_upload(u->o->state_key, u->sha, u->len, u->acked);
            u->noted = u->acked;
        }
    }
}

/* Retransmission timeout in the TCP manner (smoothed RTT plus four times
 * its variation), doubled per timeout in a row. A premature retransmit
 * costs little (the device answers a repeated offset with its own), a late
 * one idles the line. */
static int chunk_timeout(const struct upload *u)
{
    int64_t t = u->have_rtt ? u->srtt_ms + 4 * u->rttvar_ms + RTO_SLACK_MS : INITIAL_CHUNK_TMO_MS;
    if (t < MIN_CHUNK_TMO_MS)
        t = MIN_CHUNK_TMO_MS;
    t *= u->backoff;
    if (t > u->s->timeout_ms && u->s->timeout_ms > 0)
        t = u->s->timeout_ms;
    return (int)t;
}

/* The flash work a chunk of patch sets off on the device: a few bytes may
 * copy a hundred KiB of the base, all written before the answer, and the
 * chunks queued behind it wait for that too. Returns how long from now
 * the device may be busy up to this chunk's answer (ms), waited for on top
 * of the timeout, with no stall counted meanwhile. */
static int64_t device_work_ms(struct upload *u, size_t off, size_t n)
{
    int64_t now = client_now_ms();

    if (!u->out_at)
        return 0;
    if (u->busy_until < now)
        u->busy_until = now;
    u->busy_until += (int64_t)(u->out_at[off + n] - u->out_at[off]) * DELTA_US_PER_BYTE / 1000;
    if (u->busy_until + MIN_STALL_BUDGET_MS > u->progress_deadline)
        u->progress_deadline = u->busy_until + MIN_STALL_BUDGET_MS;
    return u->busy_until - now;
}

static void forget_inflight(struct upload *u)
{
    for (int i = 0; i < MAX_INFLIGHT; i++)
        if (u->fl[i].used) {
            client_forget(u->s, u->fl[i].seq);
            u->fl[i].used = false;
        }
}

static void forget_oldest(struct upload *u)
{
    struct inflight *old = NULL;
    for (int i = 0; i < MAX_INFLIGHT; i++)
        if (u->fl[i].used && (!old || u->fl[i].sent_at < old->sent_at))
            old = &u->fl[i];
    if (old) {
        client_forget(u->s, old->seq);
        old->used = false;
    }
}

static unsigned inflight_count(const struct upload *u)
{
    unsigned n = 0;
    for (int i = 0; i < MAX_INFLIGHT; i++)
        n += u->fl[i].used;
    return n;
}

static int send_chunk(struct upload *u, size_t off, size_t n, int tmo, struct inflight **out)
{
    uint8_t body[CLIENT_MSG_MAX];
    size_t blen = encode_chunk(u, off, n, body, sizeof body);
    struct inflight *f = NULL;
    int rc;

    if (!blen)
        return CLIENT_ERR_TOO_BIG;
    for (int i = 0; i < MAX_INFLIGHT && !f; i++)
        if (!u->fl[i].used)
            f = &u->fl[i];
    if (!f)
        return CLIENT_ERR_ARG;
    rc = client_send(u->s, SMP_OP_WRITE, SMP_GROUP_IMAGE, IMG_UPLOAD, body, blen, &f->seq);
    if (rc)
        return rc;
    u->st->requests++;
    if (off < u->highest_sent)
        u->st->retransmits++;
    if (off + n > u->highest_sent)
        u->highest_sent = off + n;
    f->used = true;
    f->off = off;
    f->len = n;
    f->sent_at = client_now_ms();
    f->deadline = f->sent_at + tmo;
    if (out)
        *out = f;
    return 0;
}

static struct inflight *find_inflight(struct upload *u, uint8_t seq)
{
    for (int i = 0; i < MAX_INFLIGHT; i++)
        if (u->fl[i].used && u->fl[i].seq == seq)
            return &u->fl[i];
    return NULL;
}

/* Reads `off` (and the final `match`) from a successful response. */
static int response_off(struct upload *u, const struct client_rsp *rsp, size_t *off)
{
    uint64_t v;
    bool match;
    int rc = client_check_status(u->s, rsp);

    if (rc)
        return rc;
    if (cbor_map_get_uint(&rsp->body, "off", &v) != 1 || v > u->len)
        return CLIENT_ERR_PROTO;
    *off = (size_t)v;
    if (v == u->len && cbor_map_get_bool(&rsp->body, "match", &match) == 1 && !match)
        return CLIENT_ERR_MISMATCH;
    return 0;
}

/* The first chunk: re-sent periodically until answered or the long
 * timeout expires. Leaves acked/next_off at the device's offset. */
static int start(struct upload *u, struct client_rsp *rsp)
{
    int total = u->o->first_timeout_ms > 0 ? u->o->first_timeout_ms : FIRST_TIMEOUT_MS;
    int64_t give_up;
    size_t n = fit_data(u, 0), off;
    int64_t resend_ms = FIRST_RESEND_MS;
    int rc = CLIENT_ERR_TIMEOUT;

    if (total < u->s->timeout_ms)
        total = u->s->timeout_ms;
    give_up = client_now_ms() + total;
    if (n == 0)
        return CLIENT_ERR_TOO_BIG;
    if (n > u->chunk)
        n = u->chunk;
    if (n > u->len)
        n = u->len;
    forget_inflight(u);
    for (;;) {
        int64_t now = client_now_ms();
        int wait = (int)(give_up - now < resend_ms ? give_up - now : resend_ms);
        if (wait <= 0)
            break;
        /* Each try waits twice as long: a device without resume-by-sha
         * restarts (and may erase again) on every repeated first chunk. */
        if (resend_ms < FIRST_TIMEOUT_MS)
            resend_ms *= 2;
        if (inflight_count(u) >= MAX_FIRST_TRIES_PENDING)
            forget_oldest(u);
        rc = send_chunk(u, 0, n, wait, NULL);
        if (rc)
            return rc;
        rc = client_recv(u->s, wait, rsp);
        if (rc == CLIENT_ERR_TIMEOUT) {
            u->st->timeouts++;
            continue;
        }
        if (rc)
            break;
        rc = response_off(u, rsp, &off);
        if (rc == CLIENT_ERR_DEVICE && u->s->dev_err.rc == SMP_ERR_UNSUPPORTED_TOO_NEW &&
            u->s->smp_ver > 0) {
            u->s->smp_ver = 0; /* a device without SMP v2: speak v1 from now on */
            continue;
        }
        if (rc)
            break;
        forget_inflight(u);
        /* The device answers a fresh start with the end of this chunk,
         * or less when it takes only whole write units of it (MCUboot's
         * serial recovery); beyond it is the offset it kept from an
         * earlier upload. */
        u->resumed_at = off > n ? off : 0;
        u->acked = 0;
        u->progress_deadline = 0;
        note_progress(u, off);
        u->next_off = off;
        u->highest_sent = off > u->highest_sent ? off : u->highest_sent;
        return 0;
    }
    forget_inflight(u);
    return rc == CLIENT_ERR_TIMEOUT || rc == 0 ? CLIENT_ERR_TIMEOUT : rc;
}

static void fill_window(struct upload *u, int *err)
{
    while (inflight_count(u) < u->window && u->next_off < u->len) {
        size_t n = u->len - u->next_off < u->chunk ? u->len - u->next_off : u->chunk;
        *err = send_chunk(u, u->next_off, n, chunk_timeout(u) + (int)device_work_ms(u, u->next_off, n),
                          NULL);
        if (*err)
            return;
        u->next_off += n;
    }
}

static int64_t earliest_deadline(const struct upload *u)
{
    int64_t d = INT64_MAX;
    for (int i = 0; i < MAX_INFLIGHT; i++)
        if (u->fl[i].used && u->fl[i].deadline < d)
            d = u->fl[i].deadline;
    return d;
}

/* Nothing answered in time: re-send from the device's last offset, slowly. */
static int on_timeout(struct upload *u)
{
    u->st->timeouts++;
    if (client_now_ms() > u->progress_deadline)
        return CLIENT_ERR_TIMEOUT;
    forget_inflight(u);
    u->next_off = u->acked;
    u->window = 1;
    if (u->backoff < 8)
        u->backoff *= 2;
    return 0;
}

/* The device's offset acknowledges every chunk below it: chunks whose own
 * answer was lost are done too, and must not time out later. */
static void retire_acknowledged(struct upload *u, size_t off)
{
    for (int i = 0; i < MAX_INFLIGHT; i++)
        if (u->fl[i].used && u->fl[i].off + u->fl[i].len <= off) {
            client_forget(u->s, u->fl[i].seq);
            u->fl[i].used = false;
        }
}

/* One answered chunk; returns 1 when the device restarted the upload. */
static int on_response(struct upload *u, struct inflight *f, size_t off)
{
    int64_t rtt = client_now_ms() - f->sent_at;
    size_t end = f->off + f->len;

    f->used = false;
    if (!u->have_rtt) {
        u->have_rtt = true;
        u->srtt_ms = rtt;
        u->rttvar_ms = rtt / 2;
    } else {
        int64_t err = rtt > u->srtt_ms ? rtt - u->srtt_ms : u->srtt_ms - rtt;
        u->rttvar_ms = (u->rttvar_ms * 3 + err) / 4;
        u->srtt_ms = (u->srtt_ms * 7 + rtt) / 8;
    }
    if (off == 0 && u->acked > 0)
        return 1;
    if (off >= end) {
        retire_acknowledged(u, off);
        note_progress(u, off);
        if (off > u->next_off)
            u->next_off = off; /* the device already had more */
        if (u->window < u->max_window)
            u->window++;
        return 0;
    }
    /* The device expects an earlier offset: something before this chunk
     * was lost. Re-send from there; answers to the rest are now strays. */
    u->st->rewinds++;
    forget_inflight(u);
    if (off < u->acked)
        u->acked = off; /* the device went back: believe it */
    note_progress(u, off);
    u->next_off = off;
    u->window = u->window > 1 ? u->window / 2 : 1;
    return 0;
}

/* Request size and window from what the session proved about the device
 * (sizing.c); with use_params off, the transport's safe default unproved. */
static int size_from_device(struct upload *u)
{
    struct client_session *s = u->s;
    const struct client_sizing *z = &s->sizing;
    size_t limit = s->tp->default_max_msg;

    if (u->o->use_params) {
        int rc = client_request_limit(s, &limit);
        if (rc)
            return rc;
        u->st->params_known = z->params_known;
        u->st->params = z->params;
    } else if (s->max_msg && s->max_msg < limit) {
        limit = s->max_msg;
    }
    u->max_msg = limit > CLIENT_MSG_MAX ? CLIENT_MSG_MAX : limit;

    if (u->st->params_known)
        u->max_window = u->st->params.buf_count > 1 ? u->st->params.buf_count - 1 : 1;
    else
        u->max_window = 1; /* unknown device: one request at a time is always safe */
    if (u->o->window) {
        /* the user's choice, but never more than the device can hold */
        u->max_window = u->st->params_known && u->o->window > u->max_window ? u->max_window
                                                                             : u->o->window;
    }
    if (u->max_window > MAX_INFLIGHT)
        u->max_window = MAX_INFLIGHT;
    return 0;
}

static int compute_chunk(struct upload *u)
{
    /* the last offset has the widest encoding of all */
    size_t fit = fit_data(u, u->len - 1);

    if (fit >= 8)
        fit &= ~(size_t)3; /* aligned chunks keep the device's offsets predictable */
    u->chunk = fit;
    if (u->o->chunk_size && u->o->chunk_size < fit)
        u->chunk = u->o->chunk_size;
    if (u->chunk == 0)
        return CLIENT_ERR_TOO_BIG;
    /* sha is worth sending only if the first chunk still carries data */
    u->send_sha = true;
    if (fit_data(u, 0) < 32)
        u->send_sha = false;
    if (fit_data(u, 0) == 0)
        return CLIENT_ERR_TOO_BIG;
    return 0;
}

static int run(struct upload *u, struct client_rsp *rsp)
{
    int rc = start(u, rsp), restarts = 0;

    if (rc)
        return rc;
    u->st->resumed_from = u->resumed_at;
    u->window = u->max_window;
    while (u->acked < u->len) {
        int err = 0;
        fill_window(u, &err);
        if (err)
            return err;
        int64_t wait = earliest_deadline(u) - client_now_ms();
        rc = client_recv(u->s, wait > 0 ? (int)wait : 0, rsp);
        if (rc == CLIENT_ERR_TIMEOUT) {
            rc = on_timeout(u);
            if (rc)
                return rc;
            continue;
        }
        if (rc)
            return rc;
        struct inflight *f = find_inflight(u, rsp->hdr.seq);
        size_t off;
        if (!f)
            continue;
        rc = response_off(u, rsp, &off);
        if (rc)
            return rc;
        if (on_response(u, f, off) == 1) {
            if (++restarts > MAX_RESTARTS)
                return CLIENT_ERR_PROTO;
            u->st->restarts++;
            u->st->lost_at = u->acked;
            rc = start(u, rsp);
            if (rc)
                return rc;
            /* a device that keeps its upload across a reset continues */
            u->st->kept_after_restart = u->resumed_at;
        }
    }
    forget_inflight(u);
    return 0;
}

/* The upload of one stream: an image, or a patch that rebuilds the image
 * whose SHA-256 is sha. */
static int upload_stream(struct client_session *s, const uint8_t *data, size_t len,
                         const uint8_t sha[32], const struct client_delta_plan *plan,
                         const struct client_upload_opts *o, struct client_upload_stats *st)
{
    struct upload *u = calloc(1, sizeof *u);
    int rc;

    if (!u)
        return CLIENT_ERR_NOMEM;
    u->s = s;
    u->data = data;
    u->len = len;
    u->o = o;
    u->st = st;
    u->backoff = 1;
    u->delta = plan->use;
    u->out_at = plan->use ? plan->out_at : NULL;
    memcpy(u->sha, sha, sizeof u->sha);
    if (o->state_key)
        st->unfinished_before = client_unfinished_upload(o->state_key, u->sha, len);
    rc = size_from_device(u);
    if (rc == 0)
        rc = compute_chunk(u);
    st->chunk_size = u->chunk;
    st->window = u->max_window;
    if (rc == 0)
        rc = run(u, &u->rsp);
    st->acked = rc == 0 ? len : u->acked;
    /* a run that got nowhere keeps what an earlier one left */
    if (o->state_key && (rc == 0 || st->acked > 0))
        client_note_upload(o->state_key, u->sha, len, st->acked);
    forget_inflight(u);
    free(u);
    return rc;
}

int client_image_upload(struct client_session *s, const uint8_t *data, size_t len,
                        const struct client_upload_opts *o, struct client_upload_stats *st)
{
    struct client_delta_plan plan;
    uint8_t sha[32];
    unsigned int md_len = 0;
    int rc;

    if (!data || len == 0 || !o || !st)
        return CLIENT_ERR_ARG;
    memset(st, 0, sizeof *st);
    if (!EVP_Digest(data, len, sha, &md_len, EVP_sha256(), NULL) || md_len != 32)
        return CLIENT_ERR_ARG;
    rc = client_delta_plan(s, data, len, sha, o, st, &plan);
    if (rc)
        return rc;
    st->delta = plan.use;
    st->sent_len = plan.use ? plan.patch_len : len;
    rc = upload_stream(s, plan.use ? plan.patch : data, st->sent_len, sha, &plan, o, st);
    client_delta_plan_free(&plan);
    if (rc == 0 && o->image_cache)
        client_delta_cache_after(o->image_cache, data, len, st);
    return rc;
}
