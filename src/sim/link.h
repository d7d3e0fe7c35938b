/*
 * Link building blocks shared by the pty and UDP links: a growable byte
 * queue, the baud-rate pacer, and fault injection. Pure logic (no file
 * descriptors, the clock is passed in), so unit tests drive them directly.
 *
 * Pacing model: 8N1 costs 10 bit times per byte, so at `baud` a byte takes
 * 10e9 / baud ns on the wire and a receiver gets it when its stop bit ends.
 */
#ifndef SIM_LINK_H
#define SIM_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- byte queue ---- */
struct sim_bytes {
    uint8_t *buf;
    size_t len;
    size_t cap;
};
int sim_bytes_append(struct sim_bytes *q, const void *data, size_t n);
/* Drops the first n bytes (n <= len). */
void sim_bytes_consume(struct sim_bytes *q, size_t n);
void sim_bytes_free(struct sim_bytes *q);

/* ---- pacer ---- */
struct sim_pacer {
    uint32_t baud;      /* 0 = unpaced */
    uint64_t byte_ns;   /* rounded byte time, for display and scheduling */
    uint64_t start_ns;  /* the wire has been busy since then ... */
    uint64_t released;  /* ... carrying this many bytes (exact, no drift) */
};
void sim_pacer_init(struct sim_pacer *p, uint32_t baud);
uint64_t sim_pacer_byte_ns(uint32_t baud);
/* Bytes entered an empty queue at now: the wire cannot have carried them
 * before that instant. */
void sim_pacer_start(struct sim_pacer *p, uint64_t now_ns);
/* How many of `queued` bytes have fully crossed the wire by now; they are
 * accounted as released. */
size_t sim_pacer_take(struct sim_pacer *p, uint64_t now_ns, size_t queued);
/* Gives back n released bytes the receiver could not take. */
void sim_pacer_untake(struct sim_pacer *p, size_t n);
/* When the next byte will have crossed (meaningful while bytes are queued). */
uint64_t sim_pacer_next_ns(const struct sim_pacer *p);
/* When a released byte crossed: `back` places before the newest one (0 =
 * the newest). Lets a receiver date each byte of a chunk it took late. */
uint64_t sim_pacer_released_ns(const struct sim_pacer *p, uint64_t back);

/* ---- fault injection ---- */
enum sim_fault_unit {
    SIM_FAULT_UNIT_LINE = 0,  /* serial: a '\n'-terminated line */
    SIM_FAULT_UNIT_BYTE = 1,  /* serial: a single byte */
};

enum sim_fault_action {
    SIM_FAULT_PASS = 0,
    SIM_FAULT_DROP,
    SIM_FAULT_CORRUPT,
    SIM_FAULT_DUP,
    SIM_FAULT_DELAY,
};

struct sim_fault_cfg {
    /* probabilities per unit (line, byte or datagram), each in [0, 1] */
    double drop, corrupt, dup, delay;
    uint32_t delay_ms;
    enum sim_fault_unit unit;
    uint64_t seed;
};

struct sim_fault_stats {
    uint64_t units, dropped, corrupted, duplicated, delayed;
};

#define SIM_FAULT_LINE_CAP 4096

struct sim_faults {
    struct sim_fault_cfg cfg;
    uint64_t rng;
    struct sim_fault_stats st;
    uint8_t line[SIM_FAULT_LINE_CAP];  /* the line being assembled */
    size_t line_len;
};

void sim_faults_init(struct sim_faults *f, const struct sim_fault_cfg *cfg);
bool sim_faults_active(const struct sim_fault_cfg *cfg);
/* One roll of the dice for one unit. */
enum sim_fault_action sim_faults_pick(struct sim_faults *f);
/* Flips one bit of buf, sparing the first `keep_head` bytes and the last
 * `keep_tail` when the unit is longer than both. */
void sim_faults_corrupt(struct sim_faults *f, uint8_t *buf, size_t len,
                        size_t keep_head, size_t keep_tail);
/* Stream direction: passes n bytes through the faults into out. Sets
 * *delay_ms (else 0) when a unit was delayed: the caller holds the queue.
 * In line mode a partial line waits in f until its '\n' arrives. */
int sim_faults_stream(struct sim_faults *f, const uint8_t *in, size_t n,
                      struct sim_bytes *out, uint32_t *delay_ms);
/* Datagram: decides its fate; CORRUPT has already been applied to buf. */
enum sim_fault_action sim_faults_datagram(struct sim_faults *f, uint8_t *buf,
                                          size_t len);
/* Parses "drop=0.01,corrupt=0.02,dup=0,delay=0.01:200,unit=line,seed=7". */
int sim_fault_cfg_parse(struct sim_fault_cfg *cfg, const char *spec);

#endif
