/*
 * Host side only: the value of a decoded CBOR float as a double. The codec
 * (cbor.h) hands a float over as its IEEE 754 bits so that a device build
 * needs no floating point; a host that shows or compares the value (the
 * client's JSON output, tests) converts it here. Without libm.
 */
#ifndef SMP_CBOR_FLOAT_H
#define SMP_CBOR_FLOAT_H

#include <stdint.h>
#include <string.h>

#include "smp/cbor.h"

/* IEEE half bits as single bits: same sign, exponent rebiased, mantissa
 * widened; subnormal halves normalised, infinities and NaNs kept. */
static inline uint32_t cbor_half_to_single_bits(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu;
    uint32_t mant = h & 0x3ffu;
    if (exp == 0 && mant == 0)
        return sign;
    if (exp == 0) { /* subnormal: normalise */
        exp = 127 - 15 + 1;
        while (!(mant & 0x400u)) {
            mant <<= 1;
            exp--;
        }
        return sign | (exp << 23) | ((mant & 0x3ffu) << 13);
    }
    if (exp == 31)
        return sign | 0x7f800000u | (mant << 13);
    return sign | ((exp + 127 - 15) << 23) | (mant << 13);
}

/* The value of a CBOR_TYPE_FLOAT item (0 for any other item). */
static inline double cbor_float_value(const struct cbor_value *v)
{
    size_t n = cbor_float_size(v);
    if (n == 8) {
        double d;
        memcpy(&d, &v->u, sizeof d);
        return d;
    }
    if (n == 0)
        return 0;
    uint32_t bits = n == 4 ? (uint32_t)v->u : cbor_half_to_single_bits((uint16_t)v->u);
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

#endif
