/*
 * imgtool: drop-in for MCUboot's imgtool (2.x command line). Argument
 * parsing and printing only; images, keys and formats live in src/image.
 * Exit codes: 0 success, 1 failure (bad image, I/O), 2 usage error.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/delta_make.h"
#include "image/dumpinfo.h"
#include "image/file.h"
#include "image/ihex.h"
#include "image/image.h"
#include "image/keyfile.h"
#include "image/sign.h"
#include "image/verify.h"
#include "opts.h"
#include "smp/serial.h" /* base64 */

#define EXIT_USAGE 2
#define IMGTOOL_VERSION "2.4.0"

struct cmd {
    const char *name, *args, *summary;
    const struct opt_spec *opts;
    int nopts;
    int (*run)(const struct cmd *c, struct opt_result *r);
};

static const struct cmd *current;

/* click's usage error layout, which scripts may already match on */
static int usage(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "Usage: imgtool %s [OPTIONS] %s\nTry 'imgtool %s -h' for help.\n\nError: ",
            current->name, current->args, current->name);
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    return EXIT_USAGE;
}

static int failure(const char *fmt, const char *a)
{
    fprintf(stderr, "Error: ");
    fprintf(stderr, fmt, a);
    fputc('\n', stderr);
    return 1;
}

static void help(const struct cmd *c)
{
    printf("Usage: imgtool %s [OPTIONS] %s\n\n  %s\n\nOptions:\n", c->name, c->args, c->summary);
    for (int i = 0; i < c->nopts; i++)
        printf("  %-4s %-26s %s\n", c->opts[i].shrt ? c->opts[i].shrt : "",
               c->opts[i].lng ? c->opts[i].lng : "", c->opts[i].help);
    printf("  -h, --help%22s Show this message and exit.\n", "");
}

/* ---- helpers ------------------------------------------------------------- */

static const char *opt1(const struct cmd *c, const struct opt_result *r, const char *lng)
{
    const struct opt_seen *s = &r->seen[opt_index(c->opts, c->nopts, lng)];
    return s->count ? s->val[s->count - 1][0] : NULL;
}

static bool flag(const struct cmd *c, const struct opt_result *r, const char *lng)
{
    return r->seen[opt_index(c->opts, c->nopts, lng)].count > 0;
}

static const struct opt_seen *all(const struct cmd *c, const struct opt_result *r, const char *lng)
{
    return &r->seen[opt_index(c->opts, c->nopts, lng)];
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* A .bin or .hex image file as bytes; *base is the first HEX address. */
static int load_image_file(const char *path, uint8_t **data, size_t *len, uint32_t *base,
                           bool allow_gaps)
{
    size_t n;
    uint8_t *raw;
    char err[512];
    *base = 0;
    if (img_read_file(path, &raw, &n, err, sizeof err))
        return failure("%s", err);
    if (!ends_with(path, ".hex")) {
        *data = raw;
        *len = n;
        return 0;
    }
    struct ihex h;
    int rc = ihex_read((const char *)raw, n, 0xff, &h, err, sizeof err);
    free(raw);
    if (rc) {
        fprintf(stderr, "Error: %s: %s\n", path, err);
        return 1;
    }
    if (h.has_gap && !allow_gaps) {
        fprintf(stderr, "Error: %s has a gap of 0x%x bytes at 0x%x; an image must be one "
                        "contiguous block\n", path, h.gap_len, h.gap_addr);
        ihex_free(&h);
        return 1;
    }
    *data = h.data;
    *len = h.len;
    *base = h.base;
    return 0;
}

static FILE *open_out(const char *path, const char *mode)
{
    return path ? fopen(path, mode) : stdout;
}

static int close_out(FILE *f, const char *path)
{
    int bad = ferror(f);
    if (f != stdout)
        bad |= fclose(f) != 0;
    else
        bad |= fflush(f) != 0;
    if (bad)
        return failure("writing %s failed", path ? path : "standard output");
    return 0;
}

/* Loads a key, asking for the password on the terminal when it has one. */
static int load_key(const char *path, struct img_key *k)
{
    char err[512];
    int rc = img_key_load(path, NULL, k, err, sizeof err);
    if (rc == IMAGE_ERR_BAD_ARG && strstr(err, "password-protected") && isatty(0)) {
        char *pw = getpass("Enter the password: ");
        rc = img_key_load(path, pw, k, err, sizeof err);
    }
    if (rc == IMAGE_ERR_IO)
        return usage("%s%s", err, "");
    if (rc && strstr(err, "password-protected"))
        return failure("%s (imgtool asks for it when run on a terminal)", err);
    if (rc)
        return failure("%s", err);
    return 0;
}

/* ---- key commands -------------------------------------------------------- */

static const struct opt_spec keygen_opts[] = {
    { "-k", "--key", 1, "private key file to write (PKCS#8 PEM)" },
    { "-t", "--type", 1, "rsa-2048|rsa-3072|ecdsa-p256|ecdsa-p384|ed25519|x25519" },
    { "-p", "--password", 0, "prompt for a password to protect the key" },
};

static int run_keygen(const struct cmd *c, struct opt_result *r)
{
    const char *path = opt1(c, r, "--key"), *type = opt1(c, r, "--type");
    enum image_key_kind kind;
    char err[512], pw1[256] = "";
    if (!path)
        return usage("Missing option '-k' / '--key'.%s%s", "", "");
    if (!type)
        return usage("Missing option '-t' / '--type'.%s%s", "", "");
    if (img_key_kind_parse(type, &kind))
        return usage("Invalid value for '-t' / '--type': '%s' is not one of rsa-2048, rsa-3072, "
                     "ecdsa-p256, ecdsa-p384, ed25519, x25519.%s", type, "");
    if (flag(c, r, "--password")) {
        snprintf(pw1, sizeof pw1, "%s", getpass("Enter a password for the key: "));
        if (strcmp(pw1, getpass("Enter the password again: ")) != 0)
            return failure("the passwords do not match%s", "");
    }
    if (img_key_generate(kind, path, pw1[0] ? pw1 : NULL, err, sizeof err))
        return failure("%s", err);
    return 0;
}

static const struct opt_spec getpub_opts[] = {
    { "-k", "--key", 1, "key file (private or public PEM)" },
    { "-e", "--encoding", 1, "lang-c|lang-rust|pem|raw (default lang-c)" },
    { "-l", "--lang", 1, "c|rust (deprecated, use -e)" },
    { "-o", "--output", 1, "write to this file instead of standard output" },
};

static int key_and_output(const struct cmd *c, struct opt_result *r, struct img_key *k,
                          FILE **out)
{
    const char *path = opt1(c, r, "--key");
    if (!path)
        return usage("Missing option '-k' / '--key'.%s%s", "", "");
    int rc = load_key(path, k);
    if (rc)
        return rc;
    const char *o = opt1(c, r, "--output");
    *out = o ? open_out(o, "wb") : stdout;
    if (!*out) {
        img_key_free(k);
        return failure("cannot write %s", o);
    }
    return 0;
}

static int run_getpub(const struct cmd *c, struct opt_result *r)
{
    const char *enc = opt1(c, r, "--encoding"), *lang = opt1(c, r, "--lang");
    enum img_key_export fmt = IMG_EXPORT_LANG_C;
    if (lang && !enc)
        enc = strcmp(lang, "rust") == 0 ? "lang-rust" : strcmp(lang, "c") == 0 ? "lang-c" : lang;
    if (enc && strcmp(enc, "lang-c") && strcmp(enc, "lang-rust") && strcmp(enc, "pem") &&
        strcmp(enc, "raw"))
        return usage("Invalid value for '-e' / '--encoding': '%s' is not one of lang-c, "
                     "lang-rust, pem, raw.%s", enc, "");
    if (enc)
        fmt = !strcmp(enc, "lang-rust") ? IMG_EXPORT_LANG_RUST : !strcmp(enc, "pem") ? IMG_EXPORT_PEM
            : !strcmp(enc, "raw") ? IMG_EXPORT_RAW : IMG_EXPORT_LANG_C;
    struct img_key k;
    FILE *out;
    int rc = key_and_output(c, r, &k, &out);
    if (rc)
        return rc;
    rc = img_key_write_public(&k, fmt, out) ? 1 : 0;
    img_key_free(&k);
    return close_out(out, opt1(c, r, "--output")) | rc;
}

static int run_getpubhash(const struct cmd *c, struct opt_result *r)
{
    const char *enc = opt1(c, r, "--encoding");
    if (enc && strcmp(enc, "lang-c") && strcmp(enc, "raw"))
        return usage("Invalid value for '-e' / '--encoding': '%s' is not one of lang-c, raw.%s",
                     enc, "");
    struct img_key k;
    FILE *out;
    int rc = key_and_output(c, r, &k, &out);
    if (rc)
        return rc;
    rc = img_key_write_pubhash(&k, enc && !strcmp(enc, "raw") ? IMG_EXPORT_RAW : IMG_EXPORT_LANG_C,
                               out) ? 1 : 0;
    img_key_free(&k);
    return close_out(out, opt1(c, r, "--output")) | rc;
}

static const struct opt_spec getpubhash_opts[] = {
    { "-k", "--key", 1, "key file (private or public PEM)" },
    { "-e", "--encoding", 1, "lang-c|raw (default lang-c)" },
    { "-o", "--output", 1, "write to this file instead of standard output" },
};

static const struct opt_spec getpriv_opts[] = {
    { "-k", "--key", 1, "private key file" },
    { NULL, "--minimal", 0, "leave out what a device does not need" },
    { "-f", "--format", 1, "openssl|pkcs8" },
    { "-o", "--output", 1, "write to this file instead of standard output" },
};

static int run_getpriv(const struct cmd *c, struct opt_result *r)
{
    const char *f = opt1(c, r, "--format");
    int fmt = IMG_PRIV_DEFAULT;
    char err[256];
    if (f && strcmp(f, "openssl") && strcmp(f, "pkcs8"))
        return usage("Invalid value for '-f' / '--format': '%s' is not one of openssl, pkcs8.%s",
                     f, "");
    if (f)
        fmt = !strcmp(f, "openssl") ? IMG_PRIV_OPENSSL : IMG_PRIV_PKCS8;
    struct img_key k;
    FILE *out;
    int rc = key_and_output(c, r, &k, &out);
    if (rc)
        return rc;
    rc = img_key_write_private(&k, flag(c, r, "--minimal"), fmt, out, err, sizeof err);
    img_key_free(&k);
    if (rc)
        failure("%s", err);
    return close_out(out, opt1(c, r, "--output")) | (rc ? 1 : 0);
}

static const struct opt_spec keyinfo_opts[] = {
    { "-k", "--key", 1, "key file (private or public PEM)" },
    { "-o", "--output", 1, "write to this file instead of standard output" },
};

static int run_keyinfo(const struct cmd *c, struct opt_result *r)
{
    struct img_key k;
    FILE *out;
    int rc = key_and_output(c, r, &k, &out);
    if (rc)
        return rc;
    rc = img_key_describe(&k, out) ? 1 : 0;
    img_key_free(&k);
    return close_out(out, opt1(c, r, "--output")) | rc;
}

/* ---- verify / dumpinfo --------------------------------------------------- */

static const struct opt_spec verify_opts[] = {
    { "-k", "--key", 1, "key to check the signature with (without: hash only)" },
};

static int run_verify(const struct cmd *c, struct opt_result *r)
{
    if (r->npos != 1)
        return usage("Missing argument 'IMGFILE'.%s%s", "", "");
    struct img_key k, *kp = NULL;
    const char *kpath = opt1(c, r, "--key");
    if (kpath) {
        int rc = load_key(kpath, &k);
        if (rc)
            return rc;
        kp = &k;
    }
    uint8_t *b;
    size_t len;
    uint32_t base;
    int rc = load_image_file(r->pos[0], &b, &len, &base, true);
    if (rc) {
        if (kp)
            img_key_free(kp);
        return rc;
    }
    struct img_verify_report rep;
    rc = img_verify_buffer(b, len, kp, &rep);
    if (rep.result == IMG_VERIFY_TRUNCATED) {
        fprintf(stderr, "Error: %s (%s)\n", img_verify_message(rep.result), rep.detail);
    } else if (rc == 0) {
        printf("%s\nImage version: %u.%u.%u+%u\n", img_verify_message(rep.result),
               rep.version.major, rep.version.minor, rep.version.revision, rep.version.build);
        /* pure signatures cover the image, so imgtool shows the signature */
        printf(rep.pure ? "Image signature over image: " : "Image digest: ");
        for (size_t i = 0; i < (rep.pure ? rep.sig_len : rep.digest_len); i++)
            printf("%02x", rep.pure ? rep.sig[i] : rep.digest[i]);
        printf("\n");
    } else {
        printf("%s\n", img_verify_message(rep.result));
    }
    free(b);
    if (kp)
        img_key_free(kp);
    return rc ? 1 : 0;
}

static const struct opt_spec dumpinfo_opts[] = {
    { "-f", "--format", 1, "human|yaml|json (default human)" },
    { "-o", "--outfile", 1, "write to this file instead of standard output" },
};

static int run_dumpinfo(const struct cmd *c, struct opt_result *r)
{
    const char *f = opt1(c, r, "--format");
    enum img_dump_format fmt = IMG_DUMP_HUMAN;
    char err[256];
    if (r->npos != 1)
        return usage("Missing argument 'IMGFILE'.%s%s", "", "");
    if (f && strcmp(f, "human") && strcmp(f, "yaml") && strcmp(f, "json"))
        return usage("Invalid value for '-f' / '--format': '%s' is not one of human, yaml, json.%s",
                     f, "");
    if (f)
        fmt = !strcmp(f, "yaml") ? IMG_DUMP_YAML : !strcmp(f, "json") ? IMG_DUMP_JSON : IMG_DUMP_HUMAN;
    uint8_t *b;
    size_t len;
    uint32_t base;
    int rc = load_image_file(r->pos[0], &b, &len, &base, true);
    if (rc)
        return rc;
    const char *name = strrchr(r->pos[0], '/') ? strrchr(r->pos[0], '/') + 1 : r->pos[0];
    const char *o = opt1(c, r, "--outfile");
    FILE *out = open_out(o, "w");
    if (!out) {
        free(b);
        return failure("cannot write %s", o);
    }
    /* a delta patch (imgtool delta) describes itself */
    if (delta_is_patch(b, len))
        rc = delta_describe(b, len, name, fmt == IMG_DUMP_JSON, out, err, sizeof err);
    else
        rc = img_dumpinfo(b, len, name, fmt, out, err, sizeof err);
    free(b);
    int crc = close_out(out, o);
    if (rc)
        return failure("%s", err);
    return crc;
}

/* ---- delta --------------------------------------------------------------- */

static const struct opt_spec delta_opts[] = {
    { "-o", "--output", 1, "the patch file to write (required)" },
};

static int run_delta(const struct cmd *c, struct opt_result *r)
{
    const char *o = opt1(c, r, "--output");
    uint8_t *old, *new, *patch;
    size_t old_len, new_len, patch_len;
    uint32_t base;
    char err[512];

    if (r->npos != 2)
        return usage("Missing argument '%s'.%s", r->npos ? "NEWFILE" : "OLDFILE", "");
    if (!o)
        return usage("Missing option '-o' / '--output'.%s%s", "", "");
    if (load_image_file(r->pos[0], &old, &old_len, &base, false))
        return 1;
    if (load_image_file(r->pos[1], &new, &new_len, &base, false)) {
        free(old);
        return 1;
    }
    int rc = delta_make(old, old_len, new, new_len, &patch, &patch_len, err, sizeof err);
    free(old);
    free(new);
    if (rc)
        return failure("%s", err);
    FILE *out = fopen(o, "wb");
    if (!out) {
        free(patch);
        return failure("cannot write %s", o);
    }
    size_t wrote = fwrite(patch, 1, patch_len, out);
    free(patch);
    if (wrote != patch_len) {
        fclose(out);
        return failure("writing %s failed", o);
    }
    return close_out(out, o);
}

/* ---- sign ---------------------------------------------------------------- */

static const struct opt_spec sign_opts[] = {
    { "-k", "--key", 1, "signing key (private PEM)" },
    { NULL, "--public-key-format", 1, "hash|full: KEYHASH or the whole PUBKEY TLV" },
    { "-v", "--version", 1, "image version maj.min.rev+build" },
    { "-H", "--header-size", 1, "header size in bytes (>= 32)" },
    { NULL, "--pad-header", 0, "add zeroed header space in front of the input" },
    { "-S", "--slot-size", 1, "slot size in bytes" },
    { NULL, "--pad", 0, "pad to the slot size and add a trailer (test request)" },
    { NULL, "--confirm", 0, "like --pad and mark the image confirmed" },
    { NULL, "--test", 0, "like --pad: request a test swap" },
    { NULL, "--align", 1, "flash write alignment: 1, 2, 4, 8, 16, 32" },
    { NULL, "--max-align", 1, "maximum flash alignment of the build (8, 16, 32)" },
    { "-M", "--max-sectors", 1, "maximum sectors per slot (default 128)" },
    { NULL, "--overwrite-only", 0, "the bootloader only overwrites (smaller trailer)" },
    { "-R", "--erased-val", 1, "erased flash value: 0 or 0xff" },
    { "-e", "--endian", 1, "little|big" },
    { "-s", "--security-counter", 1, "security counter value or 'auto'" },
    { "-d", "--dependencies", 1, "(image_id,version),... dependencies" },
    { NULL, "--boot-record", 1, "software type for the measured boot record" },
    { NULL, "--custom-tlv", 2, "TAG VALUE: protected custom TLV (0x hex or string)" },
    { NULL, "--custom-tlv-file", 2, "TAG FILE: protected custom TLV from a file" },
    { NULL, "--vid", 1, "vendor UUID or name" },
    { NULL, "--cid", 1, "image class UUID or name" },
    { "-L", "--load-addr", 1, "RAM load address (sets RAM_LOAD)" },
    { "-F", "--rom-fixed", 1, "fixed ROM address (sets ROM_FIXED)" },
    { "-x", "--hex-addr", 1, "base address of a .hex output" },
    { NULL, "--non-bootable", 0, "mark the image non-bootable" },
    { "-E", "--encrypt", 1, "encrypt the body for this public key" },
    { NULL, "--encrypt-keylen", 1, "AES key size: 128 or 256" },
    { NULL, "--hmac-sha", 1, "ECIES HMAC: auto, 256 or 512" },
    { NULL, "--save-enctlv", 0, "size the trailer for a saved key TLV" },
    { "-c", "--clear", 0, "set the encryption flag and TLV, keep the body plain" },
    { NULL, "--compression", 1, "disabled|lzma2|lzma2armthumb" },
    { NULL, "--sha", 1, "auto|256|384|512" },
    { NULL, "--pure", 0, "Ed25519 over the image itself, not its digest" },
    { NULL, "--pad-sig", 0, "pad ECDSA signatures to a fixed size" },
    { NULL, "--fix-sig", 1, "base64 signature made elsewhere" },
    { NULL, "--fix-sig-pubkey", 1, "public key of --fix-sig" },
    { NULL, "--sig-out", 1, "write the signature here (base64)" },
    { NULL, "--vector-to-sign", 1, "payload|digest: write what would be signed" },
};

struct sign_inputs {
    struct img_sign_opts o;
    struct img_key key, enc, fixpub;
    bool has_key, has_enc, has_fixpub;
    uint8_t *custom_data[IMG_SIGN_MAX_CUSTOM];
    uint8_t fixed_sig[1024];
};

static int u32_opt(const struct cmd *c, struct opt_result *r, const char *lng, const char *shrt,
                   uint32_t *v)
{
    const char *s = opt1(c, r, lng);
    if (s && img_parse_u32(s, v))
        return usage("Invalid value for '%s': '%s' is not a valid integer.", shrt ? shrt : lng, s);
    return 0;
}

static int parse_choice(const char *s, const char *const *names, const int *vals, int n, int *out)
{
    for (int i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = vals[i];
            return 0;
        }
    return -1;
}

static int sign_numbers(const struct cmd *c, struct opt_result *r, struct img_sign_opts *o)
{
    int rc;
    const char *v = opt1(c, r, "--version");
    if (!v)
        return usage("Missing option '-v' / '--version'.%s%s", "", "");
    if (img_parse_version(v, &o->version))
        return usage("Invalid value for '-v' / '--version': Invalid version number, should be "
                     "maj.min.rev+build with later parts optional (got '%s')%s", v, "");
    if (!opt1(c, r, "--header-size"))
        return usage("Missing option '-H' / '--header-size'.%s%s", "", "");
    if (!opt1(c, r, "--slot-size"))
        return usage("Missing option '-S' / '--slot-size'.%s%s", "", "");
    if ((rc = u32_opt(c, r, "--header-size", "-H", &o->header_size)) ||
        (rc = u32_opt(c, r, "--slot-size", "-S", &o->slot_size)) ||
        (rc = u32_opt(c, r, "--align", NULL, &o->align)) ||
        (rc = u32_opt(c, r, "--max-align", NULL, &o->max_align)) ||
        (rc = u32_opt(c, r, "--max-sectors", "-M", &o->max_sectors)))
        return rc;
    if (o->header_size < IMAGE_HEADER_SIZE)
        return usage("Invalid value for '-H' / '--header-size': Minimum value for -H/--header-size "
                     "is 32%s%s", "", "");
    if (o->align != 1 && o->align != 2 && o->align != 4 && o->align != 8 && o->align != 16 &&
        o->align != 32)
        return usage("Invalid value for '--align': %s is not one of 1, 2, 4, 8, 16, 32.%s",
                     opt1(c, r, "--align"), "");
    if (o->max_align && o->max_align != 8 && o->max_align != 16 && o->max_align != 32)
        return usage("Invalid value for '--max-align': %s is not one of 8, 16, 32.%s",
                     opt1(c, r, "--max-align"), "");
    const char *s = opt1(c, r, "--security-counter");
    if (s && strcmp(s, "auto") == 0)
        o->sec_cnt_auto = true;
    else if (s && img_parse_u32(s, &o->sec_cnt))
        return usage("Invalid value for '-s' / '--security-counter': '%s'%s", s, "");
    o->has_sec_cnt = s != NULL;
    const char *R = opt1(c, r, "--erased-val");
    if (R && strcmp(R, "0") && strcmp(R, "0xff") && strcmp(R, "0xFF"))
        return usage("Invalid value for '-R' / '--erased-val': '%s' is not one of 0, 0xff.%s", R, "");
    o->erased_val = R && strcmp(R, "0") == 0 ? 0 : 0xff;
    return 0;
}

static int sign_choices(const struct cmd *c, struct opt_result *r, struct img_sign_opts *o)
{
    static const char *const sha_n[] = { "auto", "256", "384", "512" };
    static const int sha_v[] = { 0, 256, 384, 512 };
    static const char *const comp_n[] = { "disabled", "lzma2", "lzma2armthumb" };
    static const int comp_v[] = { IMG_COMP_NONE, IMG_COMP_LZMA2, IMG_COMP_LZMA2_ARMTHUMB };
    static const char *const vts_n[] = { "payload", "digest" };
    static const int vts_v[] = { IMG_VTS_PAYLOAD, IMG_VTS_DIGEST };
    static const char *const hm_n[] = { "auto", "256", "512" };
    static const int hm_v[] = { 256, 256, 512 };
    const char *s;
    int v;
    if ((s = opt1(c, r, "--sha")) && parse_choice(s, sha_n, sha_v, 4, &v) == 0)
        o->sha = (unsigned)v;
    else if (s)
        return usage("Invalid value for '--sha': '%s' is not one of auto, 256, 384, 512.%s", s, "");
    if ((s = opt1(c, r, "--compression")) && parse_choice(s, comp_n, comp_v, 3, &v) == 0)
        o->compression = (enum img_compression)v;
    else if (s)
        return usage("Invalid value for '--compression': '%s' is not one of disabled, lzma2, "
                     "lzma2armthumb.%s", s, "");
    if ((s = opt1(c, r, "--vector-to-sign")) && parse_choice(s, vts_n, vts_v, 2, &v) == 0)
        o->vector_to_sign = (enum img_vector_to_sign)v;
    else if (s)
        return usage("Invalid value for '--vector-to-sign': '%s' is not one of payload, digest.%s", s, "");
    if ((s = opt1(c, r, "--hmac-sha")) && parse_choice(s, hm_n, hm_v, 3, &v) == 0)
        o->hmac_sha = (unsigned)v;
    else if (s)
        return usage("Invalid value for '--hmac-sha': '%s' is not one of auto, 256, 512.%s", s, "");
    if ((s = opt1(c, r, "--encrypt-keylen")) && strcmp(s, "128") && strcmp(s, "256"))
        return usage("Invalid value for '--encrypt-keylen': '%s' is not one of 128, 256.%s", s, "");
    o->enc_keylen = s && strcmp(s, "256") == 0 ? 256 : 128;
    if ((s = opt1(c, r, "--public-key-format")) && strcmp(s, "hash") && strcmp(s, "full"))
        return usage("Invalid value for '--public-key-format': '%s' is not one of hash, full.%s", s, "");
    o->pubkey_full = s && strcmp(s, "full") == 0;
    if ((s = opt1(c, r, "--endian")) && strcmp(s, "little") && strcmp(s, "big"))
        return usage("Invalid value for '-e' / '--endian': '%s' is not one of little, big.%s", s, "");
    o->big_endian = s && strcmp(s, "big") == 0;
    return 0;
}

static int sign_flags(const struct cmd *c, struct opt_result *r, struct img_sign_opts *o)
{
    o->pad_header = flag(c, r, "--pad-header");
    o->pad = flag(c, r, "--pad");
    o->confirm = flag(c, r, "--confirm");
    o->test = flag(c, r, "--test");
    o->overwrite_only = flag(c, r, "--overwrite-only");
    o->non_bootable = flag(c, r, "--non-bootable");
    o->save_enctlv = flag(c, r, "--save-enctlv");
    o->clear = flag(c, r, "--clear");
    o->pure = flag(c, r, "--pure");
    o->pad_sig = flag(c, r, "--pad-sig");
    o->boot_record = opt1(c, r, "--boot-record");
    if (o->boot_record && strlen(o->boot_record) > 12)
        return usage("--boot-record: software type '%s' is longer than 12 characters%s",
                     o->boot_record, "");
    if (o->confirm && o->test)
        return usage("--confirm and --test are exclusive%s%s", "", "");
    const char *L = opt1(c, r, "--load-addr"), *F = opt1(c, r, "--rom-fixed");
    if (L && F)
        return usage("-L/--load-addr and -F/--rom-fixed are exclusive%s%s", "", "");
    if ((L || F) && img_parse_u32(L ? L : F, &o->load_addr))
        return usage("Invalid address '%s'%s", L ? L : F, "");
    o->has_load_addr = L || F;
    o->rom_fixed = F != NULL;
    return 0;
}

static int sign_tlvs(const struct cmd *c, struct opt_result *r, struct sign_inputs *in)
{
    struct img_sign_opts *o = &in->o;
    char err[512];
    const char *d = opt1(c, r, "--dependencies");
    if (d && img_parse_dependencies(d, o->deps, IMG_SIGN_MAX_DEPS, &o->ndeps, err, sizeof err))
        return usage("%s%s", err, "");
    const char *vid = opt1(c, r, "--vid"), *cid = opt1(c, r, "--cid");
    if (vid && img_parse_uuid(vid, img_uuid_ns_dns, o->vid))
        return usage("invalid --vid '%s'%s", vid, "");
    if (cid && !vid)
        return usage("--cid needs --vid (the class UUID is derived from the vendor's)%s%s", "", "");
    if (cid && img_parse_uuid(cid, o->vid, o->cid))
        return usage("invalid --cid '%s'%s", cid, "");
    o->has_vid = vid != NULL;
    o->has_cid = cid != NULL;
    const char *names[2] = { "--custom-tlv", "--custom-tlv-file" };
    for (int f = 0; f < 2; f++) {
        const struct opt_seen *s = all(c, r, names[f]);
        for (int i = 0; i < s->count; i++) {
            uint32_t tag;
            if (o->ncustom == IMG_SIGN_MAX_CUSTOM)
                return usage("too many custom TLVs%s%s", "", "");
            if (img_parse_u32(s->val[i][0], &tag))
                return usage("invalid custom TLV tag '%s'%s", s->val[i][0], "");
            if (img_check_custom_tag(tag, err, sizeof err))
                return usage("%s%s", err, "");
            struct img_custom_tlv *t = &o->custom[o->ncustom];
            uint8_t *data = NULL;
            size_t len = 0;
            if (f == 1) {
                if (img_read_file(s->val[i][1], &data, &len, err, sizeof err))
                    return usage("custom TLV file: %s%s", err, "");
            } else if (img_parse_custom_value(s->val[i][1], &data, &len, err, sizeof err)) {
                return usage("%s%s", err, "");
            }
            if (len > 0xffff - 4)
                return usage("custom TLV 0x%s is too long%s", s->val[i][0], "");
            in->custom_data[o->ncustom] = data;
            t->tag = (uint16_t)tag;
            t->data = data;
            t->len = len;
            o->ncustom++;
        }
    }
    return 0;
}

/* --fix-sig: a base64 signature made elsewhere. Whitespace anywhere (the
 * line breaks of `base64`) is dropped, as imgtool's b64decode drops it. */
static int read_fixed_sig(const char *path, struct sign_inputs *in)
{
    uint8_t *text;
    size_t n, m = 0;
    char err[512];
    if (img_read_file(path, &text, &n, err, sizeof err))
        return usage("--fix-sig file: %s%s", err, "");
    for (size_t i = 0; i < n; i++)
        if (!isspace(text[i]))
            text[m++] = text[i];
    int len = base64_decode((const char *)text, m, in->fixed_sig, sizeof in->fixed_sig);
    free(text);
    if (len <= 0)
        return usage("--fix-sig file %s is not base64%s", path, "");
    in->o.fixed_sig = in->fixed_sig;
    in->o.fixed_sig_len = (size_t)len;
    return 0;
}

static int sign_keys(const struct cmd *c, struct opt_result *r, struct sign_inputs *in)
{
    const char *k = opt1(c, r, "--key"), *e = opt1(c, r, "--encrypt");
    const char *fs = opt1(c, r, "--fix-sig"), *fp = opt1(c, r, "--fix-sig-pubkey");
    int rc;
    if (k && (rc = load_key(k, &in->key)) != 0)
        return rc;
    in->has_key = k != NULL;
    if (e && (rc = load_key(e, &in->enc)) != 0)
        return rc;
    in->has_enc = e != NULL;
    if (fp && (rc = load_key(fp, &in->fixpub)) != 0)
        return rc;
    in->has_fixpub = fp != NULL;
    in->o.fixed_sig_pubkey = fp ? &in->fixpub : NULL;
    return fs ? read_fixed_sig(fs, in) : 0;
}

static void sign_inputs_free(struct sign_inputs *in)
{
    if (in->has_key)
        img_key_free(&in->key);
    if (in->has_enc)
        img_key_free(&in->enc);
    if (in->has_fixpub)
        img_key_free(&in->fixpub);
    for (size_t i = 0; i < in->o.ncustom; i++)
        free(in->custom_data[i]);
}

/* A padded .hex keeps only what matters at the slot end: the image_ok
 * flag (with --confirm or --test) and the magic, as imgtool writes it. */
static int write_hex(const char *path, const struct img_sign_opts *o, const struct img_signed *s,
                     uint32_t base)
{
    struct ihex_seg seg[3];
    size_t n = 0;
    seg[n++] = (struct ihex_seg){ base, s->buf, s->padded ? s->image_len : s->len };
    if (s->padded) {
        uint32_t ok_back, magic_back, ma = img_max_align(o);
        img_trailer_offsets(o, &ok_back, &magic_back);
        if (o->confirm || o->test) {
            uint32_t span = ok_back - magic_back == ma ? ok_back : ma;
            seg[n++] = (struct ihex_seg){ base + (uint32_t)s->len - ok_back,
                                          s->buf + s->len - ok_back, span };
            if (span != ok_back)
                seg[n++] = (struct ihex_seg){ base + (uint32_t)s->len - magic_back,
                                              s->buf + s->len - magic_back, magic_back };
        } else {
            seg[n++] = (struct ihex_seg){ base + (uint32_t)s->len - magic_back,
                                          s->buf + s->len - magic_back, magic_back };
        }
    }
    FILE *f = fopen(path, "w");
    if (!f)
        return failure("cannot write %s", path);
    int rc = ihex_write(f, seg, n);
    return close_out(f, path) | (rc ? 1 : 0);
}

static int write_output(const char *path, const struct img_sign_opts *o, const struct img_signed *s,
                        uint32_t base)
{
    if (ends_with(path, ".hex") && o->vector_to_sign == IMG_VTS_NONE)
        return write_hex(path, o, s, base);
    FILE *f = fopen(path, "wb");
    if (!f)
        return failure("cannot write %s", path);
    fwrite(s->buf, 1, s->len, f);
    return close_out(f, path);
}

static int write_sig_out(const char *path, const struct img_signed *s)
{
    char b64[1400];
    if (!s->sig_len)
        return failure("--sig-out: no signature was made (no -k key)%s", "");
    size_t n = base64_encode(s->sig, s->sig_len, b64, sizeof b64);
    if (n == 0)
        return failure("--sig-out: the signature is too long to encode%s", "");
    FILE *f = fopen(path, "w");
    if (!f)
        return failure("cannot write %s", path);
    fwrite(b64, 1, n, f);
    return close_out(f, path);
}

static int sign_prepare(const struct cmd *c, struct opt_result *r, struct sign_inputs *in)
{
    int rc;
    img_sign_opts_init(&in->o);
    if (r->npos != 2)
        return usage(r->npos < 1 ? "Missing argument 'INFILE'.%s%s" : "Missing argument 'OUTFILE'.%s%s",
                     "", "");
    if ((rc = sign_numbers(c, r, &in->o)) || (rc = sign_choices(c, r, &in->o)) ||
        (rc = sign_flags(c, r, &in->o)) || (rc = sign_tlvs(c, r, in)))
        return rc;
    return sign_keys(c, r, in);
}

static int run_sign(const struct cmd *c, struct opt_result *r)
{
    struct sign_inputs in;
    memset(&in, 0, sizeof in);
    int rc = sign_prepare(c, r, &in);
    uint8_t *payload = NULL;
    size_t len = 0;
    uint32_t base = 0, xaddr;
    if (!rc)
        rc = load_image_file(r->pos[0], &payload, &len, &base, false);
    /* --pad-header grows the image downwards from where the code sits */
    if (!rc && ends_with(r->pos[0], ".hex") && in.o.pad_header) {
        char at[16];
        snprintf(at, sizeof at, "%x", base);
        if (base < in.o.header_size)
            rc = usage("the HEX input starts at 0x%s, below the header size: no room for "
                       "--pad-header%s", at, "");
        base -= in.o.header_size;
    }
    if (!rc && (rc = u32_opt(c, r, "--hex-addr", "-x", &xaddr)) == 0 && opt1(c, r, "--hex-addr"))
        base = xaddr;
    struct img_signed out;
    char err[512];
    memset(&out, 0, sizeof out);
    if (!rc) {
        int src = img_sign(&in.o, in.has_key ? &in.key : NULL, in.has_enc ? &in.enc : NULL, payload,
                           len, &out, err, sizeof err);
        if (src == IMAGE_ERR_BAD_ARG)
            rc = usage("%s%s", err, "");
        else if (src)
            rc = failure("%s", err);
    }
    if (!rc) {
        fputs(out.notes, stdout);
        rc = write_output(r->pos[1], &in.o, &out, base);
    }
    const char *so = opt1(c, r, "--sig-out");
    if (!rc && so)
        rc = write_sig_out(so, &out);
    img_signed_free(&out);
    free(payload);
    sign_inputs_free(&in);
    return rc;
}

static int run_version(const struct cmd *c, struct opt_result *r)
{
    (void)c, (void)r;
    printf("%s\n", IMGTOOL_VERSION);
    return 0;
}

/* ---- command table and main ---------------------------------------------- */

#define N(a) (int)(sizeof a / sizeof a[0])

static const struct cmd commands[] = {
    { "keygen", "", "Generate a signing or encryption key.", keygen_opts, N(keygen_opts), run_keygen },
    { "getpub", "", "Print the public key.", getpub_opts, N(getpub_opts), run_getpub },
    { "getpubhash", "", "Print the SHA-256 of the public key.", getpubhash_opts,
      N(getpubhash_opts), run_getpubhash },
    { "getpriv", "", "Print the private key as a C array.", getpriv_opts, N(getpriv_opts),
      run_getpriv },
    { "keyinfo", "", "Describe a key file.", keyinfo_opts, N(keyinfo_opts), run_keyinfo },
    { "verify", "IMGFILE", "Check an image's hash and, with -k, its signature.", verify_opts,
      N(verify_opts), run_verify },
    { "dumpinfo", "IMGFILE", "Print the header, TLVs and trailer of an image (or a delta patch).",
      dumpinfo_opts, N(dumpinfo_opts), run_dumpinfo },
    { "delta", "OLDFILE NEWFILE", "Make a delta patch that rebuilds NEWFILE from OLDFILE.",
      delta_opts, N(delta_opts), run_delta },
    { "sign", "INFILE OUTFILE", "Create a signed or unsigned image.", sign_opts, N(sign_opts),
      run_sign },
    { "create", "INFILE OUTFILE", "Same as sign.", sign_opts, N(sign_opts), run_sign },
    { "version", "", "Print the imgtool version this tool matches.", NULL, 0, run_version },
};

static void main_help(void)
{
    printf("Usage: imgtool [OPTIONS] COMMAND [ARGS]...\n\n  MCUboot image tool.\n\nCommands:\n");
    for (int i = 0; i < N(commands); i++)
        printf("  %-11s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        main_help();
        return argc < 2 ? EXIT_USAGE : 0;
    }
    for (int i = 0; i < N(commands); i++) {
        if (strcmp(argv[1], commands[i].name) != 0)
            continue;
        static struct opt_result r;
        char err[256];
        current = &commands[i];
        if (opt_parse(current->opts, current->nopts, argc - 2, argv + 2, &r, err, sizeof err))
            return usage("%s%s", err, "");
        if (r.help) {
            help(current);
            return 0;
        }
        return current->run(current, &r);
    }
    fprintf(stderr, "Usage: imgtool [OPTIONS] COMMAND [ARGS]...\nTry 'imgtool -h' for help.\n\n"
                    "Error: No such command '%s'.\n", argv[1]);
    return EXIT_USAGE;
}
