/*
 * The invariants of every SMP server response, for the server's fuzz
 * targets: walking the request packet as the dispatcher must answer it,
 * each response has to be one SMP message whose header matches its
 * request (op + 1, version capped at 1, same group, id and seq, flags 0,
 * reserved bits 0), whose length field equals its body, whose body is
 * exactly one well-formed definite CBOR map with unique text keys (decoded
 * by libcbor, not by the server's own decoder), whose `rc` and `err` have
 * the shapes of smp-protocol §2.2-2.3, and which fits the response buffer.
 * A violation aborts, so the fuzzer reports it.
 *
 * Kept free of smp/cbor.h: cbor_view.h's libcbor clashes with it.
 */
#ifndef FUZZ_SMPSRV_RSP_CHECK_H
#define FUZZ_SMPSRV_RSP_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rsp_check {
    const uint8_t *pkt;   /* the packet given to smpsrv_process */
    size_t len;
    size_t pos;           /* the next message not yet answered */
    const uint8_t *rsp_buf; /* the server's response buffer ... */
    size_t rsp_cap;       /* ... and its size */
    bool recovery;        /* serial recovery: errors are a bare top-level rc */
    size_t answered;
};

void rsp_check_begin(struct rsp_check *c, const uint8_t *pkt, size_t len,
                     const uint8_t *rsp_buf, size_t rsp_cap, bool recovery);
/* An smpsrv_emit_fn: arg is the struct rsp_check. */
void rsp_check_emit(void *arg, const uint8_t *msg, size_t len);
/* After smpsrv_process returned handled: every request was answered once. */
void rsp_check_end(const struct rsp_check *c, int handled);

#endif
