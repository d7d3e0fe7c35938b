/*
 * The mbedTLS 2.28 configuration of the image crypto port
 * (src/image/crypto_mbedtls.c): only what a bootloader checking MCUboot
 * images needs. No file system, no network, no entropy source, no TLS,
 * no X.509; memory comes from one static pool (MBEDTLS_MEMORY_BUFFER_ALLOC_C)
 * that the port hands to mbedTLS on first use.
 *
 * Selected by MBEDTLS_CONFIG_FILE (cmake/mbedtls.cmake sets it). What is
 * built in is chosen with four switches, 0 or 1, given on the compiler's
 * command line (cmake/mbedtls.cmake passes the CRYPTO_* options):
 *   IMAGE_CRYPTO_RSA     RSA-2048/3072 PSS signatures (and RSA-OAEP
 *                        unwrapping with IMAGE_CRYPTO_ENC)
 *   IMAGE_CRYPTO_ECDSA   ECDSA P-256 signatures (P-384 with IMAGE_CRYPTO_SHA512)
 *   IMAGE_CRYPTO_SHA512  SHA-384 and SHA-512 image hashes (and P-384)
 *   IMAGE_CRYPTO_ENC     encrypted images: ECIES-P256, ECIES-X25519 (HKDF,
 *                        HMAC, AES-CTR) and RSA-OAEP key unwrapping
 * IMAGE_CRYPTO_PTHREAD (host builds): mbedTLS's pool behind a pthread mutex.
 * Ed25519 is not in mbedTLS 2.28; the port refuses Ed25519 keys.
 */
#ifndef MCUTOOLS_MBEDTLS_CONFIG_H
#define MCUTOOLS_MBEDTLS_CONFIG_H

#ifndef IMAGE_CRYPTO_RSA
#define IMAGE_CRYPTO_RSA 1
#endif
#ifndef IMAGE_CRYPTO_ECDSA
#define IMAGE_CRYPTO_ECDSA 1
#endif
#ifndef IMAGE_CRYPTO_SHA512
#define IMAGE_CRYPTO_SHA512 1
#endif
#ifndef IMAGE_CRYPTO_ENC
#define IMAGE_CRYPTO_ENC 1
#endif
#ifndef IMAGE_CRYPTO_PTHREAD
#define IMAGE_CRYPTO_PTHREAD 0
#endif

/* ---- platform: no libc beyond memcpy & co., memory from a static pool ---- */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_PLATFORM_NO_STD_FUNCTIONS
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C
/* blocks aligned for 64-bit values (mbedTLS's default, 4, leaves a 64-bit
 * host's bignum limbs and the pool's own headers misaligned) */
#define MBEDTLS_MEMORY_ALIGN_MULTIPLE 8
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_HAVE_ASM
/* Only oid.c's printing of an OID uses snprintf, and nothing of ours calls
 * it: the port gives mbedTLS a stub that refuses (no stdio on a device). */
#include <stddef.h>
int image_crypto_mbedtls_snprintf(char *s, size_t n, const char *fmt, ...);
#define MBEDTLS_PLATFORM_SNPRINTF_MACRO image_crypto_mbedtls_snprintf
/* The pool's allocator stops when it finds its own bookkeeping corrupt:
 * the port's handler (weak, a board may reset instead), never exit(). */
void image_crypto_mbedtls_fatal(int status);
#define MBEDTLS_PLATFORM_EXIT_MACRO image_crypto_mbedtls_fatal
#if IMAGE_CRYPTO_PTHREAD
#define MBEDTLS_THREADING_C
#define MBEDTLS_THREADING_PTHREAD
#endif

/* ---- always: SHA-256, the digest layer, ASN.1 (the port reads public
 * keys itself) ---- */
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA256_SMALLER
#define MBEDTLS_MD_C
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ASN1_PARSE_C
/* bignums up to RSA-3072, 384 bytes: mbedTLS's default (1024) sizes a
 * stack buffer of the PSS check (1136 -> 496 bytes of frame on the M4) */
#define MBEDTLS_MPI_MAX_SIZE 384

#if IMAGE_CRYPTO_SHA512
#define MBEDTLS_SHA512_C
#define MBEDTLS_SHA512_SMALLER
#endif

#if IMAGE_CRYPTO_RSA
#define MBEDTLS_OID_C /* required by rsa.c */
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V21 /* PSS signatures, OAEP key unwrapping */
#endif

#if IMAGE_CRYPTO_ECDSA || IMAGE_CRYPTO_ENC
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
/* smaller tables: a bootloader checks one signature per boot */
#define MBEDTLS_ECP_WINDOW_SIZE 2
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0
#endif

#if IMAGE_CRYPTO_ECDSA
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ASN1_WRITE_C /* needed by ecdsa.c, even for verifying */
#if IMAGE_CRYPTO_SHA512
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#endif
#endif

#if IMAGE_CRYPTO_ENC
/* the board's private key (RSA, EC; PKCS#8 or traditional) */
#ifndef MBEDTLS_OID_C
#define MBEDTLS_OID_C
#endif
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECP_DP_CURVE25519_ENABLED
#define MBEDTLS_HKDF_C
#define MBEDTLS_AES_C
#define MBEDTLS_AES_ROM_TABLES /* tables in flash, not in RAM */
#define MBEDTLS_AES_FEWER_TABLES
#define MBEDTLS_CIPHER_MODE_CTR
/* a point multiplication with the private key is blinded with a DRBG
 * seeded from that key (no entropy source needed) */
#define MBEDTLS_HMAC_DRBG_C
#elif IMAGE_CRYPTO_ECDSA
/* verification only: no secret to protect, no DRBG */
#define MBEDTLS_ECP_NO_INTERNAL_RNG
#endif

#include "mbedtls/check_config.h"

#endif
