/*
 * Helpers shared by the dispatcher and the group files; not part of the
 * library's public interface.
 */
#ifndef SMPSRV_SMPSRV_PRIV_H
#define SMPSRV_SMPSRV_PRIV_H

#include "smpsrv/smpsrv.h"

#define SMPSRV_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

const struct smp_group *smpsrv_find_group(const struct smpsrv *srv, uint16_t id);

/* Optional request keys. Return 1 found, 0 absent, or SMP_ERR_EINVAL when
 * the key holds a value of another type (a malformed request). */
int smpsrv_opt_uint(struct smp_ctx *ctx, const char *key, uint64_t *out);
int smpsrv_opt_int(struct smp_ctx *ctx, const char *key, int64_t *out);
int smpsrv_opt_bool(struct smp_ctx *ctx, const char *key, bool *out);
int smpsrv_opt_bytes(struct smp_ctx *ctx, const char *key, const uint8_t **p, size_t *n);
/* Text keys must also be valid UTF-8 (else EINVAL): what the server puts
 * back in a response (echo, names) must be valid CBOR, which strict
 * clients check. */
int smpsrv_opt_text(struct smp_ctx *ctx, const char *key, const char **p, size_t *n);

/* UTF-8 as CBOR text strings need (RFC 3629). repair turns every byte
 * that is not part of a valid sequence into '?' (board output). */
bool smpsrv_text_valid(const char *p, size_t n);
void smpsrv_text_repair(char *p, size_t n);

/* A required text key copied NUL-terminated into out (SMPSRV_NAME_MAX + 1
 * bytes). Returns 0; SMP_ERR_EINVAL when absent, empty, of another type or
 * holding a NUL; or the group error too_long_rc when longer than
 * SMPSRV_NAME_MAX. */
int smpsrv_req_name(struct smp_ctx *ctx, const char *key, char *out, int too_long_rc);

/* Callback results of the issue-5 groups: 0 stays 0, a positive group code
 * becomes a recorded group error. */
int smpsrv_group_rc(struct smp_ctx *ctx, int cb_rc);

/* Date/time text of OS command 4: yyyy-MM-ddTHH:mm:ss.ffffff+00:00 (UTC).
 * parse accepts seconds with or without a fraction (any digits; below a
 * microsecond dropped), and no zone (UTC), `Z`, or +hh:mm / -hh:mm. Both
 * return 0, or -1 on text that is not such a date or a year outside
 * 1970..9999. */
#define SMPSRV_DATETIME_MAX 40
int smpsrv_datetime_fmt(int64_t unix_us, char *out, size_t cap);
int smpsrv_datetime_parse(const char *s, size_t n, int64_t *unix_us);

#endif
