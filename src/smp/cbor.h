/*
 * A small bounded CBOR codec (RFC 8949) for SMP bodies.
 * No malloc: the writer fills a caller buffer, the reader returns pointers
 * into the input. Definite and indefinite maps/arrays, every integer width,
 * byte and text strings, bool, null/undefined; floats and tags are decoded
 * (so they can be skipped) but never produced. No floating point: a float
 * is handed over as its IEEE 754 bits (a device build pulls in no soft-float
 * code); a host turns them into a double with smp/cbor_float.h.
 */
#ifndef SMP_CBOR_H
#define SMP_CBOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CBOR_INDEFINITE ((size_t)-1)
/* Integrator limit (docs/limits.md): how deep containers may nest; the
 * reader recurses once per level (stack). SMP bodies nest about 3 deep. */
#ifndef CBOR_MAX_DEPTH
#define CBOR_MAX_DEPTH 16
#endif

enum cbor_status {
    CBOR_OK = 0,
    CBOR_ERR_OVERFLOW = -61,   /* writer: output buffer too small */
    CBOR_ERR_TRUNCATED = -62,  /* reader: input ends inside an item */
    CBOR_ERR_MALFORMED = -63,  /* reader: reserved additional info, stray break... */
    CBOR_ERR_DEPTH = -64,      /* reader: nesting deeper than CBOR_MAX_DEPTH */
    CBOR_ERR_UNSUPPORTED = -65,/* reader: e.g. chunked (indefinite) strings */
    CBOR_ERR_TYPE = -66,       /* helper: value of an unexpected type */
};

/* ---- writer ---- */
struct cbor_writer {
    uint8_t *buf;
    size_t cap;
    size_t len;
    int status; /* CBOR_OK until something did not fit */
};

void cbor_writer_init(struct cbor_writer *w, uint8_t *buf, size_t cap);
void cbor_put_uint(struct cbor_writer *w, uint64_t v);
void cbor_put_int(struct cbor_writer *w, int64_t v);
void cbor_put_bytes(struct cbor_writer *w, const void *p, size_t n);
void cbor_put_text(struct cbor_writer *w, const char *s, size_t n);
void cbor_put_str(struct cbor_writer *w, const char *s); /* NUL-terminated */
void cbor_put_bool(struct cbor_writer *w, bool b);
void cbor_put_null(struct cbor_writer *w);
/* n = number of pairs/items, or CBOR_INDEFINITE (then close with cbor_close) */
void cbor_open_map(struct cbor_writer *w, size_t n);
void cbor_open_array(struct cbor_writer *w, size_t n);
void cbor_close(struct cbor_writer *w); /* writes the 0xff break */

/* ---- reader ---- */
enum cbor_type {
    CBOR_TYPE_UINT,
    CBOR_TYPE_NEGINT,
    CBOR_TYPE_BYTES,
    CBOR_TYPE_TEXT,
    CBOR_TYPE_ARRAY,
    CBOR_TYPE_MAP,
    CBOR_TYPE_TAG,
    CBOR_TYPE_FALSE,
    CBOR_TYPE_TRUE,
    CBOR_TYPE_NULL,
    CBOR_TYPE_UNDEFINED,
    CBOR_TYPE_FLOAT,
    CBOR_TYPE_SIMPLE,
};

/* One complete decoded item. Containers are validated and skipped as a
 * whole by cbor_read; iterate them with cbor_iter_*. */
struct cbor_value {
    enum cbor_type type;
    uint64_t u;       /* UINT value; NEGINT: -1 - u; TAG number; SIMPLE value;
                       * FLOAT: the IEEE 754 bits as sent, half, single or double
                       * (cbor_float_size says which) */
    int64_t i;        /* UINT/NEGINT as signed when it fits (else clamped) */
    const uint8_t *data; /* BYTES/TEXT: content; containers: first content byte */
    size_t len;       /* BYTES/TEXT: content length; ARRAY/MAP: count or CBOR_INDEFINITE */
    const uint8_t *raw;  /* the whole encoded item */
    size_t raw_len;
};

struct cbor_reader {
    const uint8_t *buf;
    size_t len;
    size_t pos;
};

void cbor_reader_init(struct cbor_reader *r, const void *buf, size_t len);
/* The width in bytes of a FLOAT value's bits in v->u: 2, 4 or 8 (0 for
 * another type). */
size_t cbor_float_size(const struct cbor_value *v);
/* Reads the next complete item. Returns CBOR_OK or a negative status. */
int cbor_read(struct cbor_reader *r, struct cbor_value *v);

/* Iterates the items of an array, or the keys and values of a map in turn
 * (key, value, key, value...). */
struct cbor_iter {
    struct cbor_reader r;
    size_t remaining;  /* items left, or CBOR_INDEFINITE */
};
int cbor_iter_init(struct cbor_iter *it, const struct cbor_value *container);
/* Returns 1 with *v filled, 0 at the end, or a negative status. */
int cbor_iter_next(struct cbor_iter *it, struct cbor_value *v);

/* Map look-ups by text key. Return 1 found, 0 absent, negative on a
 * malformed map or (typed forms) CBOR_ERR_TYPE when the value has another
 * type. */
int cbor_map_get(const struct cbor_value *map, const char *key, struct cbor_value *out);
int cbor_map_get_uint(const struct cbor_value *map, const char *key, uint64_t *out);
int cbor_map_get_int(const struct cbor_value *map, const char *key, int64_t *out);
int cbor_map_get_bool(const struct cbor_value *map, const char *key, bool *out);
/* BYTES or TEXT as indicated by the name; *p points into the input. */
int cbor_map_get_bytes(const struct cbor_value *map, const char *key, const uint8_t **p, size_t *n);
int cbor_map_get_text(const struct cbor_value *map, const char *key, const char **p, size_t *n);

bool cbor_text_eq(const struct cbor_value *v, const char *s);

#endif
