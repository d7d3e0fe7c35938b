/* The response invariants of rsp_check.h. */
#include "rsp_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cbor_view.h"
#include "smp/smp.h"

#define HDR 8

/* A violated invariant: says which, and the fuzzer (or the corpus
 * replay) reports the input. */
#define CHECK(cond)                                                         \
    do {                                                                    \
        if (!(cond)) {                                                      \
            fprintf(stderr, "rsp_check.c:%d: response invariant: %s\n",     \
                    __LINE__, #cond);                                       \
            abort();                                                        \
        }                                                                   \
    } while (0)

/* The header fields, read here rather than by smp_hdr_decode, so that a
 * decoder bug the server shares cannot hide a wrong response. */
struct hdr {
    unsigned reserved, ver, op, flags, len, group, seq, id;
};

static struct hdr hdr_of(const uint8_t *p)
{
    return (struct hdr){ .reserved = p[0] >> 5, .ver = (p[0] >> 3) & 3u, .op = p[0] & 7u,
                         .flags = p[1], .len = (unsigned)p[2] << 8 | p[3],
                         .group = (unsigned)p[4] << 8 | p[5], .seq = p[6], .id = p[7] };
}

void rsp_check_begin(struct rsp_check *c, const uint8_t *pkt, size_t len,
                     const uint8_t *rsp_buf, size_t rsp_cap, bool recovery)
{
    *c = (struct rsp_check){ .pkt = pkt, .len = len, .rsp_buf = rsp_buf,
                             .rsp_cap = rsp_cap, .recovery = recovery };
}

/* The next message the server must answer (a request: even op), from
 * c->pos; false when none is left. *cut: its body is not all there, so
 * nothing after it is read (smpsrv_process). */
static bool next_request(struct rsp_check *c, struct hdr *req, bool *cut)
{
    while (c->len - c->pos >= HDR) {
        *req = hdr_of(c->pkt + c->pos);
        *cut = req->len > c->len - c->pos - HDR;
        c->pos = *cut ? c->len : c->pos + HDR + req->len;
        if ((req->op & 1u) == 0)
            return true;
    }
    return false;
}

/* Unique text keys: what every SMP client looks values up by. */
static void check_keys(const struct cv *map)
{
    char a[64], b[64];

    for (size_t i = 0; i < cv_size(map); i++) {
        CHECK(cv_text(cv_key_at(map, i), a, sizeof a));
        for (size_t k = 0; k < i; k++) {
            CHECK(cv_text(cv_key_at(map, k), b, sizeof b));
            CHECK(strcmp(a, b) != 0);
        }
    }
}

/* rc is an integer (SMP error codes, 0 for success); err{group, rc} only
 * under SMP v2 outside serial recovery, for the request's own group. */
static void check_error_shape(const struct rsp_check *c, const struct hdr *req,
                              const struct cv *body, bool cut)
{
    const struct cv *rc = cv_get(body, "rc"), *err = cv_get(body, "err");
    int64_t v = 0;
    uint64_t u = 0;

    if (rc)
        CHECK(cv_int(rc, &v));
    if (cut)
        CHECK(rc && v == SMP_ERR_ECORRUPT && !err);
    if (c->recovery)
        CHECK(!err && !cv_get(body, "rsn"));
    if (!err)
        return;
    CHECK(req->ver == 1 && cv_is_map(err) && cv_size(err) == 2);
    CHECK(cv_uint(cv_get(err, "group"), &u) && u == req->group);
    CHECK(cv_uint(cv_get(err, "rc"), &u) && u > 0);
}

void rsp_check_emit(void *arg, const uint8_t *msg, size_t len)
{
    struct rsp_check *c = arg;
    struct hdr req, rsp;
    bool cut;

    CHECK(next_request(c, &req, &cut));
    CHECK(msg == c->rsp_buf && len >= HDR && len <= c->rsp_cap);
    rsp = hdr_of(msg);
    CHECK(rsp.reserved == 0 && rsp.flags == 0);
    CHECK(rsp.op == req.op + 1 && rsp.ver == (req.ver > 1 ? 1u : req.ver));
    CHECK(rsp.group == req.group && rsp.id == req.id && rsp.seq == req.seq);
    CHECK(rsp.len == len - HDR);

    struct cv *body = cv_load(msg + HDR, len - HDR);
    CHECK(body && cv_is_map(body) && cv_is_definite(body));
    check_keys(body);
    check_error_shape(c, &req, body, cut);
    cv_free(body);
    c->answered++;
}

void rsp_check_end(const struct rsp_check *c, int handled)
{
    struct rsp_check rest = *c;
    struct hdr req;
    bool cut;

    CHECK(handled >= 0 && (size_t)handled == c->answered);
    CHECK(!next_request(&rest, &req, &cut));
}
