/*
 * imgtool against the real MCUboot imgtool, driven by the vectors'
 * manifest.json (issue 2, acceptance 1-6):
 *  1. deterministic `sign` commands give byte-identical files;
 *  2. randomized ones (RSA-PSS, ECDSA, encryption) give the same header,
 *     the same TLVs in the same order, and verify like the real ones;
 *  3. `verify` gives the recorded exit code and output on every image and
 *     negative; where imgtool crashed, a specific error and exit 1;
 *  4. every refused `sign` is refused (exit 2, no output, a message naming
 *     the problem);
 *  5. `dumpinfo -f json` matches the recorded JSON in content;
 *  6. `keygen` keys load in `openssl pkey`, and sign/verify round-trips;
 *     getpub/getpubhash/getpriv reproduce the recorded files.
 * Each test walks all its vectors and lists every failing id before failing.
 */
#define _GNU_SOURCE /* strcasestr */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>

#include "../image/vectors.h"
#include "image/ihex.h"
#include "image/image.h"
#include "run.h"
#include "testfile.h"

static cJSON *manifest;
static char line[8192];

static const cJSON *section(const char *name)
{
    return vec_section(manifest, name);
}

static bool is_true(const cJSON *obj, const char *name)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, name));
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static void scratch_path(char *out, size_t cap, const char *rel)
{
    snprintf(out, cap, "%s/%s", run_scratch_dir(), base_name(rel));
}

/* Reads an absolute path; .hex files are decoded to their binary span. */
static uint8_t *load_abs(const char *path, size_t *len)
{
    uint8_t *buf = test_read_file(path, len);
    size_t pl = strlen(path);
    if (!buf || pl < 4 || strcmp(path + pl - 4, ".hex") != 0)
        return buf;
    struct ihex h;
    char err[256];
    int rc = ihex_read((const char *)buf, *len, 0xff, &h, err, sizeof err);
    free(buf);
    if (rc)
        return NULL;
    *len = h.len;
    return h.data;
}

/* Runs a recorded command in the vectors folder. Every path that follows
 * an output option (and the final OUTFILE of sign) goes to the scratch
 * folder instead; *out_path receives where the main output went. */
static int run_recorded(const char *cmd, bool last_is_output, struct run_result *r,
                        char *out_path, size_t out_cap)
{
    static char buf[8192], paths[4][4096];
    char *argv[RUN_MAX_ARGS];
    int argc = run_split(cmd, buf, sizeof buf, argv, RUN_MAX_ARGS);
    int np = 0;
    if (out_path)
        out_path[0] = '\0';
    for (int i = 1; i + 1 < argc && np < 3; i++) {
        if (strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--sig-out") == 0) {
            scratch_path(paths[np], sizeof paths[np], argv[i + 1]);
            if (out_path && strcmp(argv[i], "-o") == 0)
                snprintf(out_path, out_cap, "%s", paths[np]);
            argv[++i] = paths[np++];
        }
    }
    if (last_is_output && argc > 2) {
        scratch_path(paths[3], sizeof paths[3], argv[argc - 1]);
        argv[argc - 1] = paths[3];
        if (out_path)
            snprintf(out_path, out_cap, "%s", paths[3]);
    }
    if (out_path && out_path[0])
        unlink(out_path);
    return run_argv(argv, vec_dir(), r);
}

/* Collects failures so one run names every failing vector. */
struct fails {
    int n, total, skipped;
    char ids[8192];
};

/* A recorded verify command checks a signature with the key it names
 * (-k keys/NAME.pem); the build's crypto port may have no verifier for
 * that key type (Ed25519 with mbedTLS 2.28): such a check is skipped, and
 * counted, rather than compared with MCUboot's imgtool. */
static bool port_verifies_command(const char *cmd)
{
    const char *k = cmd ? strstr(cmd, "-k keys/") : NULL;
    return !k || test_port_verifies(k + strlen("-k keys/"));
}

static void fail_add(struct fails *f, const char *id, const char *why)
{
    f->n++;
    size_t used = strlen(f->ids);
    snprintf(f->ids + used, sizeof f->ids - used, "  %.200s: %.400s\n", id, why);
}

static void fails_check(struct fails *f, const char *what)
{
    if (f->total == 0)
        fail_msg("%s: no vectors were checked (%s/manifest.json)", what, vec_dir());
    if (f->n)
        fprintf(stderr, "%s: %d of %d failed\n%s", what, f->n, f->total, f->ids);
    else
        fprintf(stderr, "%s: %d vectors ok\n", what, f->total);
    if (f->skipped)
        fprintf(stderr, "%s: %d checks skipped: this build's crypto port has no verifier "
                        "for their key type (Ed25519)\n", what, f->skipped);
    assert_int_equal(f->n, 0);
}

static char *first_line(const char *s)
{
    snprintf(line, sizeof line, "%s", s ? s : "");
    line[strcspn(line, "\n")] = '\0';
    return line;
}

/* ---- 1. deterministic sign ---------------------------------------------- */

static int sign_image(const cJSON *img, char *ours, size_t cap, struct run_result *r)
{
    if (run_recorded(vec_str(img, "command"), true, r, ours, cap) != 0)
        return -1;
    return r->rc;
}

static void test_sign_deterministic_identical(void **state)
{
    (void)state;
    struct fails f = { 0 };
    const cJSON *img;
    cJSON_ArrayForEach(img, section("images")) {
        if (!is_true(img, "deterministic"))
            continue;
        const char *id = vec_str(img, "id");
        char ours[4096], ref[8192];
        struct run_result r;
        f.total++;
        int rc = sign_image(img, ours, sizeof ours, &r);
        snprintf(ref, sizeof ref, "%s/%s", vec_dir(), vec_str(img, "file"));
        size_t a_len = 0, b_len = 0;
        uint8_t *a = rc == 0 ? test_read_file(ours, &a_len) : NULL;
        uint8_t *b = test_read_file(ref, &b_len);
        if (rc != 0)
            fail_add(&f, id, r.err && *r.err ? first_line(r.err) : "sign failed");
        else if (!a || !b || a_len != b_len || memcmp(a, b, a_len) != 0)
            fail_add(&f, id, "output differs from imgtool's");
        free(a);
        free(b);
        run_free(&r);
    }
    /* --sig-out wrote the same base64 signature imgtool did */
    char ours[4096], ref[8192];
    size_t a_len = 0, b_len = 0;
    scratch_path(ours, sizeof ours, "sigs/sigout_ed25519.b64");
    snprintf(ref, sizeof ref, "%s/sigs/sigout_ed25519.b64", vec_dir());
    uint8_t *a = test_read_file(ours, &a_len), *b = test_read_file(ref, &b_len);
    f.total++;
    if (!a || !b || a_len != b_len || memcmp(a, b, a_len) != 0)
        fail_add(&f, "sigout_ed25519", "--sig-out file differs from imgtool's");
    free(a);
    free(b);
    fails_check(&f, "deterministic sign");
}

/* ---- 2. randomized sign -------------------------------------------------- */

struct tlv_list {
    int n;
    bool prot[64];
    uint16_t type[64], len[64];
    uint32_t off[64];
};

static int list_tlv(void *arg, bool prot, uint16_t type, uint32_t off, uint16_t len)
{
    struct tlv_list *l = arg;
    if (l->n < 64) {
        l->prot[l->n] = prot;
        l->type[l->n] = type;
        l->len[l->n] = len;
        l->off[l->n] = off;
        l->n++;
    }
    return 0;
}

static bool random_tlv(uint16_t t)
{
    return t == IMAGE_TLV_RSA2048_PSS || t == IMAGE_TLV_RSA3072_PSS ||
           t == IMAGE_TLV_ECDSA_SIG || (t >= IMAGE_TLV_ENC_RSA2048 && t <= IMAGE_TLV_ENC_X25519_SHA512);
}

/* Same header, same TLV sequence, same non-random TLV values, same bytes
 * outside the body (and in the body unless encrypted). */
static const char *compare_structure(const uint8_t *a, size_t a_len,
                                     const uint8_t *b, size_t b_len)
{
    struct image_mem ma = { a, a_len }, mb = { b, b_len };
    struct image_info ia, ib;
    struct tlv_list la = { 0 }, lb = { 0 };
    if (image_read_info(image_mem_read, &ma, (uint32_t)a_len, &ia) != 0)
        return "ours does not parse";
    if (image_read_info(image_mem_read, &mb, (uint32_t)b_len, &ib) != 0)
        return "reference does not parse";
    if (memcmp(a, b, IMAGE_HEADER_SIZE) != 0)
        return "headers differ";
    bool encrypted = ia.hdr.flags & (IMAGE_F_ENCRYPTED_AES128 | IMAGE_F_ENCRYPTED_AES256);
    if (!encrypted && memcmp(a, b, ia.prot_tlv_off) != 0)
        return "header padding or body differs";
    image_tlv_foreach(image_mem_read, &ma, &ia, list_tlv, &la);
    image_tlv_foreach(image_mem_read, &mb, &ib, list_tlv, &lb);
    if (la.n != lb.n)
        return "TLV count differs";
    for (int i = 0; i < la.n; i++) {
        if (la.prot[i] != lb.prot[i] || la.type[i] != lb.type[i])
            return "TLV types or order differ";
        if (random_tlv(la.type[i]))
            continue;
        if (la.len[i] != lb.len[i] || memcmp(a + la.off[i], b + lb.off[i], la.len[i]) != 0)
            return "a deterministic TLV value differs";
    }
    /* ECDSA signatures vary in length (70-72 bytes), so sizes may differ
     * unpadded; padded files are both exactly the slot size */
    bool padded = a_len > ia.total_size || b_len > ib.total_size;
    if (padded && a_len != b_len)
        return "padded file sizes differ";
    if (!padded && a_len - ia.total_size != b_len - ib.total_size)
        return "file sizes differ beyond the signature length";
    size_t tail = a_len - (ia.total_size > ib.total_size ? ia.total_size : ib.total_size);
    if (padded && memcmp(a + a_len - tail, b + b_len - tail, tail) != 0)
        return "padding or trailer differs";
    return NULL;
}

/* Runs each recorded verify command of img against our file instead. */
static const char *verify_ours_like_recorded(const cJSON *img, const char *ours,
                                             struct fails *f)
{
    const cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(img, "verify")) {
        if (!port_verifies_command(vec_str(v, "command"))) {
            f->skipped++;
            continue;
        }
        static char buf[8192];
        char *argv[RUN_MAX_ARGS];
        int argc = run_split(vec_str(v, "command"), buf, sizeof buf, argv, RUN_MAX_ARGS);
        argv[argc - 1] = (char *)ours;
        struct run_result r;
        if (run_argv(argv, vec_dir(), &r) != 0)
            return "cannot run verify";
        bool same = r.rc == vec_num(v, "rc") && r.out &&
                    strcmp(r.out, vec_str(v, "stdout")) == 0;
        run_free(&r);
        if (!same)
            return v->string; /* the verify variant that differs */
    }
    return NULL;
}

static void test_sign_randomized_structure(void **state)
{
    (void)state;
    struct fails f = { 0 };
    const cJSON *img;
    cJSON_ArrayForEach(img, section("images")) {
        if (is_true(img, "deterministic"))
            continue;
        const char *id = vec_str(img, "id");
        char ours[4096], ref[8192];
        struct run_result r;
        f.total++;
        int rc = sign_image(img, ours, sizeof ours, &r);
        if (rc != 0) {
            fail_add(&f, id, r.err && *r.err ? first_line(r.err) : "sign failed");
            run_free(&r);
            continue;
        }
        run_free(&r);
        snprintf(ref, sizeof ref, "%s/%s", vec_dir(), vec_str(img, "file"));
        size_t a_len = 0, b_len = 0;
        uint8_t *a = load_abs(ours, &a_len), *b = load_abs(ref, &b_len);
        const char *why = !a || !b ? "cannot read output" : compare_structure(a, a_len, b, b_len);
        if (!why && (why = verify_ours_like_recorded(img, ours, &f)) != NULL) {
            snprintf(line, sizeof line, "verify %s of ours differs from imgtool's", why);
            why = line;
        }
        if (why)
            fail_add(&f, id, why);
        free(a);
        free(b);
    }
    fails_check(&f, "randomized sign");
}

/* ---- 3. verify ----------------------------------------------------------- */

static void check_verify_entry(struct fails *f, const char *id, const cJSON *v)
{
    struct run_result r;
    char what[512];
    const char *want_err = vec_str(v, "stderr");
    if (!port_verifies_command(vec_str(v, "command"))) {
        f->skipped++;
        return;
    }
    f->total++;
    if (run_recorded(vec_str(v, "command"), false, &r, NULL, 0) != 0) {
        fail_add(f, id, "cannot run");
        return;
    }
    bool crashed = want_err && strncmp(want_err, "TRACEBACK", 9) == 0;
    if (crashed) {
        /* imgtool died with a Python traceback: we must name the problem */
        if (r.rc != 1 || !r.err || !*r.err || strstr(r.err, "Traceback")) {
            snprintf(what, sizeof what, "%s: want exit 1 and a specific error, got %d '%.200s'",
                     v->string, r.rc, first_line(r.err));
            fail_add(f, id, what);
        }
    } else if (r.rc != vec_num(v, "rc") || !r.out || strcmp(r.out, vec_str(v, "stdout")) != 0) {
        snprintf(what, sizeof what, "%s: exit %d '%.200s'", v->string, r.rc, first_line(r.out));
        fail_add(f, id, what);
    }
    run_free(&r);
}

static void test_verify_recorded_results(void **state)
{
    (void)state;
    struct fails f = { 0 };
    const char *sections[] = { "images", "negatives" };
    for (size_t s = 0; s < 2; s++) {
        const cJSON *e, *v;
        cJSON_ArrayForEach(e, section(sections[s]))
            cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(e, "verify"))
                check_verify_entry(&f, vec_str(e, "id"), v);
    }
    fails_check(&f, "verify");
}

/* ---- 4. refused sign ----------------------------------------------------- */

/* What the message must mention, case-insensitively, to name the problem. */
static const char *const refusal_words[][2] = {
    { "bnd_", "trailer" },
    { "err_too_big_for_slot", "0x74000" },
    { "err_pad_slot_too_small", "0x800" },
    { "err_header_not_zero", "zero" },
    { "err_custom_tlv_reserved", "0x10" },
    { "err_custom_tlv_range", "0x" },
    { "err_bad_version", "version" },
    { "err_header_too_small", "32" },
    { "err_enc_type_mismatch", "encrypt" },
    { "err_p256_sha512", "512" },
};

static const char *refusal_word(const char *id)
{
    for (size_t i = 0; i < sizeof refusal_words / sizeof refusal_words[0]; i++)
        if (strncmp(id, refusal_words[i][0], strlen(refusal_words[i][0])) == 0)
            return refusal_words[i][1];
    return "";
}

static void test_sign_errors_refused(void **state)
{
    (void)state;
    struct fails f = { 0 };
    const cJSON *e;
    cJSON_ArrayForEach(e, section("sign_errors")) {
        const char *id = vec_str(e, "id");
        char ours[4096], what[512];
        struct run_result r;
        f.total++;
        if (run_recorded(vec_str(e, "command"), true, &r, ours, sizeof ours) != 0) {
            fail_add(&f, id, "cannot run");
            continue;
        }
        const char *word = refusal_word(id);
        if (r.rc != vec_num(e, "rc") || access(ours, F_OK) == 0 || !r.err ||
            !strcasestr(r.err, word)) {
            snprintf(what, sizeof what, "exit %d, output %s, message '%.200s' (want '%s')", r.rc,
                     access(ours, F_OK) == 0 ? "written" : "absent", first_line(r.err), word);
            fail_add(&f, id, what);
        }
        run_free(&r);
    }
    fails_check(&f, "refused sign");
}

/* ---- 5. dumpinfo -f json ------------------------------------------------- */

static void test_dumpinfo_json_content(void **state)
{
    (void)state;
    struct fails f = { 0 };
    const cJSON *e;
    cJSON_ArrayForEach(e, section("images")) {
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(e, "dumpinfo"), "json");
        if (!d)
            continue;
        const char *id = vec_str(e, "id");
        char ours[4096], ref[8192];
        struct run_result r;
        f.total++;
        if (run_recorded(vec_str(d, "command"), false, &r, ours, sizeof ours) != 0 || r.rc != 0) {
            fail_add(&f, id, "dumpinfo failed");
            run_free(&r);
            continue;
        }
        run_free(&r);
        snprintf(ref, sizeof ref, "%s/%s", vec_dir(), vec_str(d, "file"));
        size_t a_len = 0, b_len = 0;
        char *a = (char *)test_read_file(ours, &a_len), *b = (char *)test_read_file(ref, &b_len);
        cJSON *ja = a ? cJSON_ParseWithLength(a, a_len) : NULL;
        cJSON *jb = b ? cJSON_ParseWithLength(b, b_len) : NULL;
        if (!ja || !jb || !cJSON_Compare(ja, jb, true))
            fail_add(&f, id, ja ? "JSON content differs" : "no JSON output");
        cJSON_Delete(ja);
        cJSON_Delete(jb);
        free(a);
        free(b);
    }
    fails_check(&f, "dumpinfo -f json");
}

/* Human dumpinfo, byte for byte. Two deliberate differences: where imgtool
 * crashed we print an error (exit 1), and an image with several flags gets
 * all of them named where imgtool shows only the first. */
static int popcount32(uint32_t v)
{
    int n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

static void check_human(struct fails *f, const char *id, const cJSON *d, const char *img_rel)
{
    struct run_result r;
    char ref[8192], img[8192];
    f->total++;
    if (run_recorded(vec_str(d, "command"), false, &r, NULL, 0) != 0) {
        fail_add(f, id, "cannot run");
        return;
    }
    const char *want_err = vec_str(d, "stderr");
    snprintf(img, sizeof img, "%s/%s", vec_dir(), img_rel);
    size_t ilen = 0, tlen = 0;
    uint8_t *ib = load_abs(img, &ilen);
    bool multi = ib && ilen >= 20 &&
                 popcount32((uint32_t)ib[16] | (uint32_t)ib[17] << 8 | (uint32_t)ib[18] << 16) > 1;
    free(ib);
    if (want_err && strncmp(want_err, "TRACEBACK", 9) == 0) {
        if (r.rc != 1 || !r.err || !*r.err)
            fail_add(f, id, "want exit 1 and an error where imgtool crashed");
    } else if (!multi) {
        snprintf(ref, sizeof ref, "%s/%s", vec_dir(), vec_str(d, "file"));
        char *t = (char *)test_read_file(ref, &tlen);
        if (r.rc != 0 || !t || !r.out || strlen(r.out) != tlen || memcmp(r.out, t, tlen) != 0)
            fail_add(f, id, "human output differs");
        free(t);
    } else {
        f->total--;
    }
    run_free(&r);
}

static void test_dumpinfo_human_text(void **state)
{
    (void)state;
    struct fails f = { 0 };
    const cJSON *e;
    cJSON_ArrayForEach(e, section("images")) {
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(e, "dumpinfo"), "human");
        if (d)
            check_human(&f, vec_str(e, "id"), d, vec_str(e, "file"));
    }
    cJSON_ArrayForEach(e, section("negatives")) {
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(e, "dumpinfo");
        if (d && vec_str(d, "file"))
            check_human(&f, vec_str(e, "id"), d, vec_str(e, "file"));
    }
    fails_check(&f, "dumpinfo (human)");
}

/* ---- 6. keys ------------------------------------------------------------- */

static void test_key_exports_identical(void **state)
{
    (void)state;
    struct fails f = { 0 };
    const cJSON *k, *o;
    cJSON_ArrayForEach(k, section("keys")) {
        const cJSON *outs = cJSON_GetObjectItemCaseSensitive(k, "outputs");
        if (is_true(outs, "default_stdout_equals_lang_c")) {
            /* getpub without -e prints the C array */
            char cmd[512], ref[8192];
            struct run_result r;
            size_t b_len = 0;
            snprintf(cmd, sizeof cmd, "imgtool getpub -k %s", vec_str(k, "file"));
            snprintf(ref, sizeof ref, "%s/%s", vec_dir(),
                     vec_str(cJSON_GetObjectItemCaseSensitive(outs, "lang-c"), "file"));
            uint8_t *b = test_read_file(ref, &b_len);
            f.total++;
            if (run_recorded(cmd, false, &r, NULL, 0) != 0 || r.rc != 0 || !b || !r.out ||
                strlen(r.out) != b_len || memcmp(r.out, b, b_len) != 0)
                fail_add(&f, vec_str(k, "id"), "getpub default output differs from lang-c");
            run_free(&r);
            free(b);
        }
        cJSON_ArrayForEach(o, outs) {
            const char *cmd = vec_str(o, "command");
            if (!cmd)
                continue;
            char id[256], ours[4096], ref[8192];
            struct run_result r;
            snprintf(id, sizeof id, "%s %s", vec_str(k, "id"), o->string);
            f.total++;
            bool to_stdout = strchr(cmd, '>') != NULL;
            if (run_recorded(cmd, false, &r, ours, sizeof ours) != 0 || r.rc != 0) {
                fail_add(&f, id, "command failed");
                run_free(&r);
                continue;
            }
            snprintf(ref, sizeof ref, "%s/%s", vec_dir(), vec_str(o, "file"));
            size_t a_len = 0, b_len = 0;
            uint8_t *a = to_stdout ? (uint8_t *)strdup(r.out) : test_read_file(ours, &a_len);
            if (to_stdout && a)
                a_len = strlen((char *)a);
            uint8_t *b = test_read_file(ref, &b_len);
            if (!a || !b || a_len != b_len || memcmp(a, b, a_len) != 0)
                fail_add(&f, id, "differs from imgtool's");
            free(a);
            free(b);
            run_free(&r);
        }
    }
    fails_check(&f, "getpub/getpubhash/getpriv");
}

static const char *const keygen_types[] = {
    "rsa-2048", "rsa-3072", "ecdsa-p256", "ecdsa-p384", "ed25519", "x25519",
};

static int run_words(const char *w0, const char *w1, const char *w2, const char *w3,
                     const char *w4, const char *w5, const char *w6, struct run_result *r)
{
    char *argv[] = { (char *)w0, (char *)w1, (char *)w2, (char *)w3, (char *)w4,
                     (char *)w5, (char *)w6, NULL };
    return run_argv(argv, run_scratch_dir(), r);
}

/* keygen output loads in OpenSSL, and a key that signs round-trips through
 * sign and verify against its exported public PEM. */
static void test_keygen_loads_in_openssl(void **state)
{
    (void)state;
    struct fails f = { 0 };
    const char *bin = run_imgtool_path();
    char payload[8192];
    snprintf(payload, sizeof payload, "%s/payloads/p1k.bin", vec_dir());
    for (size_t i = 0; i < sizeof keygen_types / sizeof keygen_types[0]; i++) {
        const char *t = keygen_types[i];
        char key[4400], pub[4400], img[4400];
        struct run_result r;
        snprintf(key, sizeof key, "%s/gen-%s.pem", run_scratch_dir(), t);
        snprintf(pub, sizeof pub, "%s/gen-%s.pub.pem", run_scratch_dir(), t);
        snprintf(img, sizeof img, "%s/gen-%s.bin", run_scratch_dir(), t);
        f.total++;
        unlink(key);
        run_words(bin, "keygen", "-k", key, "-t", t, NULL, &r);
        int rc = r.rc;
        run_free(&r);
        if (rc != 0) {
            fail_add(&f, t, "keygen failed");
            continue;
        }
        run_words("/usr/bin/openssl", "pkey", "-in", key, "-noout", NULL, NULL, &r);
        rc = r.rc;
        run_free(&r);
        if (rc != 0) {
            fail_add(&f, t, "openssl pkey cannot load the key");
            continue;
        }
        if (strcmp(t, "x25519") == 0)
            continue; /* an encryption key: nothing to sign with */
        if (strcmp(t, "ed25519") == 0 && !test_port_verifies("ed25519")) {
            f.skipped++; /* signed, but this build's port cannot verify it */
            continue;
        }
        run_words(bin, "getpub", "-k", key, "-e", "pem", NULL, &r);
        FILE *pf = fopen(pub, "w");
        if (pf) {
            fputs(r.out ? r.out : "", pf);
            fclose(pf);
        }
        run_free(&r);
        char *sign[] = { (char *)bin, "sign", "-k", key, "-H", "0x200", "--pad-header",
                         "-S", "0x76000", "-v", "1.2.3", payload, img, NULL };
        run_argv(sign, run_scratch_dir(), &r);
        rc = r.rc;
        run_free(&r);
        run_words(bin, "verify", "-k", pub, img, NULL, NULL, &r);
        if (rc != 0 || r.rc != 0)
            fail_add(&f, t, "sign/verify with the new key failed");
        run_free(&r);
    }
    fails_check(&f, "keygen");
}

static int setup(void **state)
{
    (void)state;
    manifest = vec_manifest(); /* exits 77 without the vectors */
    const char *bin = run_imgtool_path();
    if (!bin || access(bin, X_OK) != 0) {
        fprintf(stderr, "imgtool binary not found (BIN_DIR): skipping\n");
        exit(77);
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    cJSON_Delete(manifest);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", run_scratch_dir());
    return system(cmd) == 0 ? 0 : 0;
}

/* argv[1], when given, is a cmocka filter ("test_sign_*") so ctest can
 * run the groups in parallel. */
int main(int argc, char **argv)
{
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_deterministic_identical),
        cmocka_unit_test(test_sign_randomized_structure),
        cmocka_unit_test(test_verify_recorded_results),
        cmocka_unit_test(test_sign_errors_refused),
        cmocka_unit_test(test_dumpinfo_json_content),
        cmocka_unit_test(test_dumpinfo_human_text),
        cmocka_unit_test(test_key_exports_identical),
        cmocka_unit_test(test_keygen_loads_in_openssl),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
