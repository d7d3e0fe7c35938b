/*
 * Running the imgtool binary from a test: a recorded manifest command line
 * becomes an argv (our binary, outputs redirected into a scratch folder),
 * runs in the vectors folder, and its exit code, stdout and stderr come
 * back as strings.
 */
#ifndef TESTS_IMGTOOL_RUN_H
#define TESTS_IMGTOOL_RUN_H

#include <stddef.h>

#define RUN_MAX_ARGS 64

struct run_result {
    int rc;       /* exit code; 128 + signal when killed */
    char *out;    /* stdout, NUL-terminated (heap) */
    char *err;    /* stderr, NUL-terminated (heap) */
};

/* Splits a recorded command ("imgtool sign ... in out") on spaces into
 * argv, replacing "imgtool" with $BIN_DIR/imgtool. A trailing "> FILE" is
 * dropped (stdout is captured anyway). Returns argc; argv points into buf. */
int run_split(const char *cmd, char *buf, size_t cap, char **argv, int max);

/* Runs argv (NULL-terminated) with cwd as working directory. */
int run_argv(char *const *argv, const char *cwd, struct run_result *r);
void run_free(struct run_result *r);

/* $BIN_DIR/imgtool, or NULL when BIN_DIR is unset. */
const char *run_imgtool_path(void);

/* A fresh scratch folder under $BUILD_DIR (or /tmp). */
const char *run_scratch_dir(void);

#endif
