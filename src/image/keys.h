/*
 * Key files for a board's configuration, host side: a PEM key's public or
 * private DER into a caller's fixed buffer (the simulator's trusted and
 * encryption keys). Loaded by keyfile.h's img_key_load, like every key
 * file. Not for the device: this reads files and uses the heap.
 */
#ifndef IMAGE_KEYS_H
#define IMAGE_KEYS_H

#include <stddef.h>
#include <stdint.h>

/* Reads a PEM key file (PKCS#8 private, traditional private, or public;
 * unencrypted; through img_key_load) and writes its public key DER exactly as
 * `imgtool getpub -e raw` prints it: RSA as PKCS#1 RSAPublicKey; EC,
 * Ed25519 and X25519 as SubjectPublicKeyInfo. Returns 0, IMAGE_ERR_IO when
 * the file cannot be read, IMAGE_ERR_UNSUPPORTED when it holds no key of
 * a type imgtool knows, IMAGE_ERR_BAD_ARG when cap is too small. */
int image_key_load_public_der(const char *pem_path, uint8_t *der, size_t cap,
                              size_t *der_len);

/* Reads a PEM private key (unencrypted) and writes it as DER (PKCS#1 for
 * RSA, SEC1 for EC, else PKCS#8), the form struct image_enc_key holds: a board's
 * image-encryption key. Same return codes as above. */
int image_key_load_private_der(const char *pem_path, uint8_t *der, size_t cap,
                               size_t *der_len);

#endif
