/*
 * Replay driver for fuzz targets when libFuzzer is not in use.
 *
 * Runs LLVMFuzzerTestOneInput on every file of the corpus folders given on
 * the command line, then on a bounded, deterministic series of mutations of
 * those inputs (bit flips, truncations, byte stores, splices). It lets every
 * fuzz target run as an ordinary test under ASan/UBSan with gcc; the real
 * coverage-guided runs use -DFUZZ=ON with clang.
 *
 * A corpus path that does not exist, a file that cannot be read, or
 * corpus folders without a single file end the run with exit 1 and a
 * message: a misspelt path must not pass as "no crash" over nothing.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT (1u << 20)
#define MAX_SEEDS 256

static uint8_t *seeds[MAX_SEEDS];
static size_t seed_len[MAX_SEEDS];
static int nseeds;

static void add_seed(const uint8_t *buf, size_t len)
{
    if (nseeds == MAX_SEEDS)
        return;
    seeds[nseeds] = malloc(len ? len : 1);
    if (!seeds[nseeds])
        return;
    memcpy(seeds[nseeds], buf, len);
    seed_len[nseeds++] = len;
}

static int corpus_error(const char *what, const char *path, int err)
{
    fprintf(stderr, "fuzz replay: %s %s: %s\n", what, path, strerror(err));
    return -1;
}

/* Inputs are at most FUZZ_MAX_INPUT bytes, as libFuzzer's -max_len. */
static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    static uint8_t buf[FUZZ_MAX_INPUT];
    if (!f)
        return corpus_error("cannot open corpus file", path, errno);
    size_t n = fread(buf, 1, sizeof buf, f);
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return corpus_error("cannot read corpus file", path, EIO);
    LLVMFuzzerTestOneInput(buf, n);
    add_seed(buf, n);
    return 0;
}

static int run_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return corpus_error("corpus path", path, errno);
    if (!S_ISDIR(st.st_mode))
        return run_file(path);
    DIR *d = opendir(path);
    if (!d)
        return corpus_error("cannot open corpus folder", path, errno);
    struct dirent *e;
    char full[4096];
    int rc = 0;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(full, sizeof full, "%s/%s", path, e->d_name);
        rc = run_path(full);
    }
    closedir(d);
    return rc;
}

/* xorshift: deterministic so a failure reproduces on every run */
static uint32_t rng_state = 0x9e3779b9u;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static size_t mutate(uint8_t *buf, size_t len, size_t cap)
{
    int ops = 1 + (int)(rnd() % 4);
    for (int i = 0; i < ops; i++) {
        switch (rnd() % 6) {
        case 0: if (len) buf[rnd() % len] ^= (uint8_t)(1u << (rnd() % 8)); break;
        case 1: if (len) buf[rnd() % len] = (uint8_t)rnd(); break;
        case 2: if (len) len = rnd() % len; break;
        case 3: if (len < cap) buf[len++] = (uint8_t)rnd(); break;
        case 4: { /* store an interesting value */
            static const uint8_t v[] = {0x00, 0xff, 0x7f, 0x80, 0x17, 0x18, 0x1f, 0xbf, 0xa0};
            if (len) buf[rnd() % len] = v[rnd() % sizeof v];
            break; }
        case 5: if (nseeds && len < cap) { /* splice a piece of another seed */
            int s = (int)(rnd() % (uint32_t)nseeds);
            size_t off = seed_len[s] ? rnd() % seed_len[s] : 0;
            size_t n = seed_len[s] - off;
            if (n > cap - len) n = cap - len;
            if (n > 64) n = 64;
            memcpy(buf + len, seeds[s] + off, n);
            len += n; }
            break;
        }
    }
    return len;
}

int main(int argc, char **argv)
{
    static uint8_t buf[FUZZ_MAX_INPUT];
    long iterations = 20000;
    const char *env = getenv("FUZZ_ITERATIONS");
    if (env)
        iterations = strtol(env, NULL, 10);

    for (int i = 1; i < argc; i++)
        if (run_path(argv[i]) != 0)
            return 1;
    if (argc > 1 && nseeds == 0) {
        fprintf(stderr, "fuzz replay: no corpus files in %s%s\n", argv[1],
                argc > 2 ? " and the other paths given" : "");
        return 1;
    }
    if (nseeds == 0)
        add_seed((const uint8_t *)"", 0); /* no corpus asked for: mutate from empty */

    for (long it = 0; it < iterations; it++) {
        int s = (int)(rnd() % (uint32_t)nseeds);
        size_t len = seed_len[s] < FUZZ_MAX_INPUT ? seed_len[s] : FUZZ_MAX_INPUT;
        memcpy(buf, seeds[s], len);
        len = mutate(buf, len, FUZZ_MAX_INPUT);
        LLVMFuzzerTestOneInput(buf, len);
    }
    printf("fuzz replay: %d seeds, %ld mutations, no crash\n", nseeds, iterations);
    for (int i = 0; i < nseeds; i++)
        free(seeds[i]);
    return 0;
}
