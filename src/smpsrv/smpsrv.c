/*
 * The dispatcher of the device-side SMP server (smp-protocol §1-2).
 *
 * For each SMP message of a transport packet it checks the header and the
 * declared length, finds the handler by (group, command, op), parses the
 * body as one CBOR map, runs the handler with the response map open, and
 * builds every error response in one place. Responses carry the request's
 * version capped at 1, because a v2 reply to a v1 request makes the Go
 * client time out.
 *
 * Deliberately not here: transports (framing is the board's job) and any
 * group logic (the files in groups/). No malloc, no stdio.
 */
#include "smpsrv/smpsrv.h"

#include <string.h>

#include "smpsrv/smpsrv_priv.h"

/* An empty body (the Rust client's reset) means the same as `{}`. */
static const uint8_t empty_map[] = { 0xa0 };

void smpsrv_init(struct smpsrv *srv, const struct smp_group *const *groups,
                 size_t ngroups, const struct smpsrv_platform *plat,
                 uint8_t *rsp_buf, size_t rsp_cap)
{
    memset(srv, 0, sizeof *srv);
    srv->groups = groups;
    srv->ngroups = ngroups;
    srv->plat = plat;
    srv->rsp_buf = rsp_buf;
    srv->rsp_cap = rsp_cap;
    for (size_t i = 0; i < ngroups; i++)
        if (groups[i] && groups[i]->state)
            memset(groups[i]->state, 0, groups[i]->state_size);
}

int smp_ctx_group_err(struct smp_ctx *ctx, int group_rc)
{
    ctx->group_rc = group_rc;
    return SMP_GROUP_ERR;
}

void smp_ctx_rsn(struct smp_ctx *ctx, const char *rsn)
{
    ctx->rsn = rsn;
}

const struct smp_group *smpsrv_find_group(const struct smpsrv *srv, uint16_t id)
{
    for (size_t i = 0; i < srv->ngroups; i++)
        if (srv->groups[i] && srv->groups[i]->id == id)
            return srv->groups[i];
    return NULL;
}

/* In serial recovery a group offers only what MCUboot's recovery does. */
static smp_handler_fn find_handler(const struct smpsrv *srv, const struct smp_group *g,
                                   const struct smp_hdr *h)
{
    bool recovery = srv->plat && srv->plat->recovery;
    const struct smp_handler *table = g ? (recovery ? g->recovery_handlers : g->handlers) : NULL;
    size_t count = g ? (recovery ? g->recovery_count : g->count) : 0;

    if (!table || h->id >= count)
        return NULL;
    return h->op == SMP_OP_READ ? table[h->id].read : table[h->id].write;
}

/* Parses the body as exactly one well-formed CBOR map. */
static int parse_body(const uint8_t *body, size_t len, struct cbor_value *map)
{
    struct cbor_reader r;

    if (len == 0) {
        body = empty_map;
        len = sizeof empty_map;
    }
    cbor_reader_init(&r, body, len);
    if (cbor_read(&r, map) != CBOR_OK || map->type != CBOR_TYPE_MAP || r.pos != len)
        return SMP_ERR_ECORRUPT;
    return 0;
}

/* The handler wrote the pairs of the response map after one reserved byte;
 * count them and put a definite map head in front (the safe encoding for
 * small clients, and what the documented examples show). */
static int finish_map(struct cbor_writer *w)
{
    struct cbor_reader r;
    struct cbor_value v;
    size_t items = 0, head, body_len = w->len - 1;
    uint8_t hb[3];

    cbor_reader_init(&r, w->buf + 1, body_len);
    while (r.pos < body_len) {
        if (cbor_read(&r, &v) != CBOR_OK)
            return SMP_ERR_EUNKNOWN; /* a handler wrote broken CBOR: a bug */
        items++;
    }
    if (items % 2)
        return SMP_ERR_EUNKNOWN;
    items /= 2;
    if (items < 24) {
        hb[0] = (uint8_t)(0xa0 | items);
        head = 1;
    } else if (items < 256) {
        hb[0] = 0xb8;
        hb[1] = (uint8_t)items;
        head = 2;
    } else {
        hb[0] = 0xb9;
        hb[1] = (uint8_t)(items >> 8);
        hb[2] = (uint8_t)items;
        head = 3;
    }
    if (w->len + head - 1 > w->cap)
        return SMP_ERR_EMSGSIZE;
    memmove(w->buf + head, w->buf + 1, body_len);
    memcpy(w->buf, hb, head);
    w->len = body_len + head;
    return 0;
}

/* Error bodies: SMP-level codes are a top-level rc in both versions; group
 * codes are err{group, rc} under v2 and the group's generic translation
 * under v1 (smp-protocol §2.2-2.3). MCUboot's serial recovery answers
 * every failure as a top-level rc, whatever the version, and never with
 * a reason: a client must cope with a bare rc. */
static void write_error(struct cbor_writer *w, const struct smp_hdr *h,
                        const struct smp_group *g, int rc, int group_rc,
                        const char *rsn, bool recovery)
{
    bool group_err = rc == SMP_GROUP_ERR;

    w->len = 0;
    w->status = CBOR_OK;
    if (group_err && (h->ver == 0 || recovery)) {
        rc = g && g->to_v1_rc ? g->to_v1_rc(group_rc) : SMP_ERR_EUNKNOWN;
        group_err = false;
    }
    if (recovery)
        rsn = NULL;
    cbor_open_map(w, rsn ? 2 : 1);
    if (group_err) {
        cbor_put_str(w, "err");
        cbor_open_map(w, 2);
        cbor_put_str(w, "group");
        cbor_put_uint(w, h->group);
        cbor_put_str(w, "rc");
        cbor_put_uint(w, (uint64_t)group_rc);
    } else {
        cbor_put_str(w, "rc");
        cbor_put_int(w, rc);
    }
    if (rsn) {
        cbor_put_str(w, "rsn");
        cbor_put_str(w, rsn);
    }
    if (w->status != CBOR_OK) { /* even the reason did not fit: drop it */
        w->len = 0;
        w->status = CBOR_OK;
        cbor_open_map(w, 1);
        cbor_put_str(w, "rc");
        cbor_put_int(w, group_err ? SMP_ERR_EMSGSIZE : rc);
    }
}

/* Runs the handler for one request whose body is complete; fills w with the
 * response body. Returns 0 on success or the error that w now describes. */
static int run_request(struct smpsrv *srv, const struct smpsrv_transport *tp,
                       const struct smp_hdr *h, const uint8_t *body, struct cbor_writer *w)
{
    const struct smp_group *g = NULL;
    struct smp_ctx ctx = { .srv = srv, .transport = tp, .req_hdr = h, .rsp = w };
    int rc;

    if (h->ver > 1) {
        rc = SMP_ERR_UNSUPPORTED_TOO_NEW;
    } else if (h->op != SMP_OP_READ && h->op != SMP_OP_WRITE) {
        rc = SMP_ERR_EINVAL;
    } else {
        g = smpsrv_find_group(srv, h->group);
        ctx.state = g ? g->state : NULL;
        smp_handler_fn fn = find_handler(srv, g, h);
        rc = fn ? parse_body(body, h->len, &ctx.req) : SMP_ERR_ENOTSUP;
        if (rc == 0) {
            cbor_put_uint(w, 0); /* placeholder byte for the map head */
            w->len = 1;
            rc = fn(&ctx);
            if (rc == 0 && w->status != CBOR_OK)
                rc = SMP_ERR_EMSGSIZE;
            if (rc == 0)
                rc = finish_map(w);
        }
    }
    if (rc != 0)
        write_error(w, h, g, rc, ctx.group_rc, ctx.rsn, srv->plat && srv->plat->recovery);
    return rc;
}

static void count(struct smpsrv *srv, uint16_t group, bool error)
{
    srv->stats.requests++;
    if (group < 64)
        srv->stats.per_group_requests[group]++;
    if (!error)
        return;
    srv->stats.errors++;
    if (group < 64)
        srv->stats.per_group_errors[group]++;
}

static void respond(struct smpsrv *srv, const struct smp_hdr *req, size_t body_len,
                    smpsrv_emit_fn emit, void *arg)
{
    struct smp_hdr rh = *req;

    rh.op = (uint8_t)(req->op | 1u); /* read -> read rsp, write -> write rsp */
    rh.ver = req->ver > 1 ? 1 : req->ver;
    rh.flags = 0;
    rh.len = (uint16_t)body_len;
    smp_hdr_encode(&rh, srv->rsp_buf);
    srv->stats.bytes_out += (uint32_t)(SMP_HDR_SIZE + body_len);
    if (emit)
        emit(arg, srv->rsp_buf, SMP_HDR_SIZE + body_len);
}

/* A response to a response would let two servers talk forever. Odd
 * reserved ops (5, 7) count as responses too: ours are always odd. */
static bool is_response(const struct smp_hdr *h)
{
    return (h->op & 1u) != 0;
}

int smpsrv_process(struct smpsrv *srv, const struct smpsrv_transport *tp,
                   const uint8_t *pkt, size_t len, smpsrv_emit_fn emit, void *arg)
{
    struct cbor_writer w;
    struct smp_hdr h;
    size_t pos = 0;
    int handled = 0;

    if (!srv->rsp_buf || srv->rsp_cap < SMP_HDR_SIZE + 16 || (!pkt && len) || !tp)
        return 0;
    if (srv->plat && srv->plat->recovery && !tp->serial)
        return 0; /* the bootloader never sees it */
    while (pos < len) {
        if (smp_hdr_decode(pkt + pos, len - pos, &h) != 0) {
            srv->stats.dropped++;
            break;
        }
        size_t avail = len - pos - SMP_HDR_SIZE;
        size_t cap = srv->rsp_cap - SMP_HDR_SIZE;
        if (cap > UINT16_MAX)
            cap = UINT16_MAX;
        cbor_writer_init(&w, srv->rsp_buf + SMP_HDR_SIZE, cap);
        if (h.len > avail) {
            /* The declared body is not all there: nothing after it can be
             * trusted either, so answer ECORRUPT and stop. */
            srv->stats.bytes_in += (uint32_t)(len - pos);
            if (!is_response(&h)) {
                write_error(&w, &h, NULL, SMP_ERR_ECORRUPT, 0, NULL, false);
                count(srv, h.group, true);
                respond(srv, &h, w.len, emit, arg);
                handled++;
            }
            break;
        }
        srv->stats.bytes_in += (uint32_t)(SMP_HDR_SIZE + h.len);
        if (!is_response(&h)) {
            int rc = run_request(srv, tp, &h, pkt + pos + SMP_HDR_SIZE, &w);
            count(srv, h.group, rc != 0);
            respond(srv, &h, w.len, emit, arg);
            handled++;
        }
        pos += SMP_HDR_SIZE + h.len;
    }
    return handled;
}

/* ---- the server's own counters as stat fields ---- */

struct group_stat_names {
    uint16_t id;
    const char *req, *err;
};

static const struct group_stat_names group_stat_names[] = {
    { SMP_GROUP_OS, "os_req", "os_err" },
    { SMP_GROUP_IMAGE, "img_req", "img_err" },
    { SMP_GROUP_STAT, "stat_req", "stat_err" },
    { SMP_GROUP_SETTINGS, "settings_req", "settings_err" },
    { SMP_GROUP_FS, "fs_req", "fs_err" },
    { SMP_GROUP_SHELL, "shell_req", "shell_err" },
    { SMP_GROUP_ENUM, "enum_req", "enum_err" },
    { SMP_GROUP_ZEPHYR, "zephyr_req", "zephyr_err" },
};

int smpsrv_stat_field(const struct smpsrv *srv, size_t index,
                      const char **name, uint64_t *value)
{
    const struct smpsrv_stats *st = &srv->stats;
    const struct {
        const char *name;
        uint32_t value;
    } totals[] = {
        { "requests", st->requests }, { "errors", st->errors },
        { "bytes_in", st->bytes_in }, { "bytes_out", st->bytes_out },
        { "dropped", st->dropped },
    };
    size_t ntotals = sizeof totals / sizeof totals[0];

    if (index < ntotals) {
        *name = totals[index].name;
        *value = totals[index].value;
        return 0;
    }
    index -= ntotals;
    if (index >= 2 * (sizeof group_stat_names / sizeof group_stat_names[0]))
        return 1;
    const struct group_stat_names *g = &group_stat_names[index / 2];
    *name = index % 2 ? g->err : g->req;
    *value = index % 2 ? st->per_group_errors[g->id] : st->per_group_requests[g->id];
    return 0;
}
