/*
 * Byte queue, baud-rate pacer and fault injection of the board's links.
 * Not here: file descriptors and the clock (the event loop owns them).
 */
#include "sim/link.h"

#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"

/* ---- byte queue ---- */

int sim_bytes_append(struct sim_bytes *q, const void *data, size_t n)
{
    if (n == 0)
        return SIM_OK;
    if (q->len + n > q->cap) {
        size_t cap = q->cap ? q->cap : 1024;
        while (cap < q->len + n)
            cap *= 2;
        uint8_t *p = realloc(q->buf, cap);
        if (!p)
            return SIM_ETOOBIG;
        q->buf = p;
        q->cap = cap;
    }
    memcpy(q->buf + q->len, data, n);
    q->len += n;
    return SIM_OK;
}

void sim_bytes_consume(struct sim_bytes *q, size_t n)
{
    if (n >= q->len) {
        q->len = 0;
        return;
    }
    memmove(q->buf, q->buf + n, q->len - n);
    q->len -= n;
}

void sim_bytes_free(struct sim_bytes *q)
{
    free(q->buf);
    memset(q, 0, sizeof *q);
}

/* ---- pacer ---- */

uint64_t sim_pacer_byte_ns(uint32_t baud)
{
    /* start bit + 8 data bits + stop bit */
    return baud ? (10ull * 1000000000ull + baud / 2) / baud : 0;
}

#define TEN_BITS_NS 10000000000ull /* 10 bit times = 1e10 ns / baud */

void sim_pacer_init(struct sim_pacer *p, uint32_t baud)
{
    p->baud = baud;
    p->byte_ns = sim_pacer_byte_ns(baud);
    p->start_ns = 0;
    p->released = 0;
}

/* When byte number n (counted from start) has fully crossed the wire. */
static uint64_t crossed_ns(const struct sim_pacer *p, uint64_t n)
{
    unsigned __int128 t = (unsigned __int128)n * TEN_BITS_NS + p->baud - 1;
    return p->start_ns + (uint64_t)(t / p->baud);
}

void sim_pacer_start(struct sim_pacer *p, uint64_t now_ns)
{
    if (p->baud && crossed_ns(p, p->released) < now_ns) {
        p->start_ns = now_ns;
        p->released = 0;
    }
}

size_t sim_pacer_take(struct sim_pacer *p, uint64_t now_ns, size_t queued)
{
    if (p->baud == 0)
        return queued;
    if (now_ns <= p->start_ns)
        return 0;
    unsigned __int128 bits = (unsigned __int128)(now_ns - p->start_ns) * p->baud;
    uint64_t total = (uint64_t)(bits / TEN_BITS_NS);
    uint64_t n = total > p->released ? total - p->released : 0;
    if (n > queued)
        n = queued;
    p->released += n;
    return (size_t)n;
}

void sim_pacer_untake(struct sim_pacer *p, size_t n)
{
    p->released = n < p->released ? p->released - n : 0;
}

uint64_t sim_pacer_next_ns(const struct sim_pacer *p)
{
    return p->baud ? crossed_ns(p, p->released + 1) : 0;
}

uint64_t sim_pacer_released_ns(const struct sim_pacer *p, uint64_t back)
{
    if (!p->baud)
        return 0;
    return crossed_ns(p, p->released > back ? p->released - back : 0);
}

/* ---- fault injection ---- */

/* splitmix64: small, seedable, good enough to spread faults evenly */
static uint64_t next_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double uniform(uint64_t *s)
{
    return (double)(next_rand(s) >> 11) / (double)(1ull << 53);
}

void sim_faults_init(struct sim_faults *f, const struct sim_fault_cfg *cfg)
{
    memset(f, 0, sizeof *f);
    f->cfg = *cfg;
    f->rng = cfg->seed ? cfg->seed : 1;
}

bool sim_faults_active(const struct sim_fault_cfg *cfg)
{
    return cfg->drop > 0 || cfg->corrupt > 0 || cfg->dup > 0 || cfg->delay > 0;
}

enum sim_fault_action sim_faults_pick(struct sim_faults *f)
{
    const struct sim_fault_cfg *c = &f->cfg;
    double r = uniform(&f->rng);

    f->st.units++;
    if ((r -= c->drop) < 0)
        return f->st.dropped++, SIM_FAULT_DROP;
    if ((r -= c->corrupt) < 0)
        return f->st.corrupted++, SIM_FAULT_CORRUPT;
    if ((r -= c->dup) < 0)
        return f->st.duplicated++, SIM_FAULT_DUP;
    if ((r -= c->delay) < 0)
        return f->st.delayed++, SIM_FAULT_DELAY;
    return SIM_FAULT_PASS;
}

void sim_faults_corrupt(struct sim_faults *f, uint8_t *buf, size_t len,
                        size_t keep_head, size_t keep_tail)
{
    if (len == 0)
        return;
    size_t lo = 0, span = len;
    if (len > keep_head + keep_tail) {
        lo = keep_head;
        span = len - keep_head - keep_tail;
    }
    size_t i = lo + (size_t)(next_rand(&f->rng) % span);
    buf[i] ^= (uint8_t)(1u << (next_rand(&f->rng) % 8));
}

/* Applies one action to one unit (a line or a byte) and emits it. */
static int emit_unit(struct sim_faults *f, uint8_t *unit, size_t len,
                     struct sim_bytes *out, uint32_t *delay_ms)
{
    int rc = SIM_OK;
    switch (sim_faults_pick(f)) {
    case SIM_FAULT_DROP:
        return SIM_OK;
    case SIM_FAULT_CORRUPT:
        /* spare the line marker and '\n': the line still arrives, broken */
        sim_faults_corrupt(f, unit, len, 2, 1);
        break;
    case SIM_FAULT_DUP:
        rc = sim_bytes_append(out, unit, len);
        break;
    case SIM_FAULT_DELAY:
        *delay_ms = f->cfg.delay_ms;
        break;
    case SIM_FAULT_PASS:
        break;
    }
    return rc ? rc : sim_bytes_append(out, unit, len);
}

int sim_faults_stream(struct sim_faults *f, const uint8_t *in, size_t n,
                      struct sim_bytes *out, uint32_t *delay_ms)
{
    *delay_ms = 0;
    for (size_t i = 0; i < n; i++) {
        int rc;
        if (f->cfg.unit == SIM_FAULT_UNIT_BYTE) {
            uint8_t b = in[i];
            rc = emit_unit(f, &b, 1, out, delay_ms);
        } else {
            f->line[f->line_len++] = in[i];
            if (in[i] != '\n' && f->line_len < SIM_FAULT_LINE_CAP)
                continue;
            rc = emit_unit(f, f->line, f->line_len, out, delay_ms);
            f->line_len = 0;
        }
        if (rc)
            return rc;
    }
    return SIM_OK;
}

enum sim_fault_action sim_faults_datagram(struct sim_faults *f, uint8_t *buf,
                                          size_t len)
{
    enum sim_fault_action a = sim_faults_pick(f);
    if (a == SIM_FAULT_CORRUPT)
        sim_faults_corrupt(f, buf, len, 0, 0);
    return a;
}

static int parse_rate(const char *v, double *out)
{
    char *end;
    double d = strtod(v, &end);
    if (end == v || d < 0 || d > 1)
        return SIM_EINVAL;
    *out = d;
    return (*end == '\0' || *end == ',' || *end == ':') ? SIM_OK : SIM_EINVAL;
}

static int parse_item(struct sim_fault_cfg *cfg, const char *key, const char *v)
{
    char *end;
    if (strcmp(key, "drop") == 0)
        return parse_rate(v, &cfg->drop);
    if (strcmp(key, "corrupt") == 0)
        return parse_rate(v, &cfg->corrupt);
    if (strcmp(key, "dup") == 0 || strcmp(key, "duplicate") == 0)
        return parse_rate(v, &cfg->dup);
    if (strcmp(key, "delay") == 0) {
        int rc = parse_rate(v, &cfg->delay);
        const char *ms = strchr(v, ':');
        if (rc == SIM_OK && ms) {
            unsigned long d = strtoul(ms + 1, &end, 10);
            if (end == ms + 1 || *end || d > 60000)
                return SIM_EINVAL;
            cfg->delay_ms = (uint32_t)d;
        }
        return rc;
    }
    if (strcmp(key, "unit") == 0) {
        if (strcmp(v, "line") == 0 || strcmp(v, "datagram") == 0)
            cfg->unit = SIM_FAULT_UNIT_LINE;
        else if (strcmp(v, "byte") == 0)
            cfg->unit = SIM_FAULT_UNIT_BYTE;
        else
            return SIM_EINVAL;
        return SIM_OK;
    }
    if (strcmp(key, "seed") == 0) {
        cfg->seed = strtoull(v, &end, 0);
        return (end != v && *end == '\0') ? SIM_OK : SIM_EINVAL;
    }
    return SIM_EINVAL;
}

int sim_fault_cfg_parse(struct sim_fault_cfg *cfg, const char *spec)
{
    char buf[256];
    if (!spec || strlen(spec) >= sizeof buf)
        return SIM_EINVAL;
    strcpy(buf, spec);
    if (cfg->delay_ms == 0)
        cfg->delay_ms = 200;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq)
            return SIM_EINVAL;
        *eq = '\0';
        if (parse_item(cfg, tok, eq + 1) != SIM_OK)
            return SIM_EINVAL;
    }
    if (cfg->drop + cfg->corrupt + cfg->dup + cfg->delay > 1.0)
        return SIM_EINVAL;
    return SIM_OK;
}
