/*
 * Key files for imgtool, host side: load a PEM key (private or public,
 * optionally password-protected), generate keys, and export them in the
 * forms imgtool prints (C and Rust arrays, PEM, raw DER, key hashes,
 * private keys for the encryption side). Uses OpenSSL and the heap.
 * Not here: signing and encryption themselves (sign.c, encrypt.c).
 */
#ifndef IMAGE_KEYFILE_H
#define IMAGE_KEYFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "image/image_crypto.h"

struct img_key {
    void *pkey;              /* EVP_PKEY */
    enum image_key_kind kind;
    bool has_private;
};

/* Loads pem_path (a private key, else a public one): the one code path
 * that reads key files. password may be NULL. 0, or a negative code with
 * a message in err: IMAGE_ERR_IO when the file cannot be read ("cannot
 * read PATH: REASON"), IMAGE_ERR_BAD_ARG when it is no PEM key or needs
 * another password, IMAGE_ERR_UNSUPPORTED for a key type imgtool has not. */
int img_key_load(const char *pem_path, const char *password, struct img_key *k,
                 char *err, size_t errcap);
void img_key_free(struct img_key *k);

/* Parses a key type name of `keygen -t` ("rsa-2048", ...). */
int img_key_kind_parse(const char *name, enum image_key_kind *kind);
/* Generates a new key and writes it as PKCS#8 PEM (encrypted with
 * AES-256-CBC when password is non-NULL). */
int img_key_generate(enum image_key_kind kind, const char *path, const char *password,
                     char *err, size_t errcap);

/* Public DER as `getpub -e raw` (RSA PKCS#1, else SubjectPublicKeyInfo);
 * *der is heap, caller frees. */
int img_key_public_der(const struct img_key *k, uint8_t **der, size_t *len);

/* The private key as DER in its type-specific form (RSA PKCS#1, EC SEC1,
 * others PKCS#8): a board's image-encryption key. IMAGE_ERR_BAD_ARG when
 * k holds only a public key, IMAGE_ERR_UNSUPPORTED when it does not fit
 * cap. */
int img_key_private_der(const struct img_key *k, uint8_t *der, size_t cap, size_t *len);

/* imgtool's output formats. */
enum img_key_export {
    IMG_EXPORT_LANG_C,
    IMG_EXPORT_LANG_RUST,
    IMG_EXPORT_PEM,
    IMG_EXPORT_RAW,
};
int img_key_write_public(const struct img_key *k, enum img_key_export fmt, FILE *out);
/* SHA-256 of the public DER, as lang-c or raw. */
int img_key_write_pubhash(const struct img_key *k, enum img_key_export fmt, FILE *out);
/* Private key as a C array named enc_priv_key. fmt: IMG_PRIV_DEFAULT
 * (RSA traditional PKCS#1, others PKCS#8, as imgtool), IMG_PRIV_OPENSSL
 * (traditional) or IMG_PRIV_PKCS8; minimal drops what a device does not
 * need (RSA CRT values, the EC public key). */
enum { IMG_PRIV_DEFAULT, IMG_PRIV_OPENSSL, IMG_PRIV_PKCS8 };
int img_key_write_private(const struct img_key *k, bool minimal, int fmt,
                          FILE *out, char *err, size_t errcap);
/* One-line description for `keyinfo`. */
int img_key_describe(const struct img_key *k, FILE *out);

/* Base name imgtool uses for arrays: "rsa", "ecdsa", "ecdsap384",
 * "ed25519", "x25519". */
const char *img_key_array_name(enum image_key_kind kind);

#endif
