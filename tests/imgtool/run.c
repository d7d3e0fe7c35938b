/* Process runner for the imgtool tests (see run.h). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"

const char *run_imgtool_path(void)
{
    static char path[4096];
    const char *bin = getenv("BIN_DIR");
    if (!bin || !*bin)
        return NULL;
    snprintf(path, sizeof path, "%s/imgtool", bin);
    return path;
}

const char *run_scratch_dir(void)
{
    static char dir[4096];
    if (!dir[0]) {
        const char *base = getenv("BUILD_DIR");
        snprintf(dir, sizeof dir, "%s/imgtool-test-XXXXXX", base && *base ? base : "/tmp");
        if (!mkdtemp(dir)) {
            perror("mkdtemp");
            exit(1);
        }
    }
    return dir;
}

/* Splits on spaces; '...' quotes (as the recorded commands use them) keep
 * their content together and are removed. */
int run_split(const char *cmd, char *buf, size_t cap, char **argv, int max)
{
    int argc = 0;
    size_t o = 0;
    const char *p = cmd;
    while (*p && argc < max - 1 && o + 1 < cap) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        char *tok = buf + o;
        bool quoted = false;
        while (*p && (quoted || *p != ' ') && o + 1 < cap) {
            if (*p == '\'') {
                quoted = !quoted;
                p++;
                continue;
            }
            buf[o++] = *p++;
        }
        buf[o++] = '\0';
        if (strcmp(tok, ">") == 0)
            break;
        bool tool = argc == 0 && strcmp(tok, "imgtool") == 0;
        argv[argc++] = tool ? (char *)run_imgtool_path() : tok;
    }
    argv[argc] = NULL;
    return argc;
}

static char *slurp_fd(int fd)
{
    size_t cap = 4096, len = 0;
    char *s = malloc(cap);
    lseek(fd, 0, SEEK_SET);
    for (ssize_t n; s && (n = read(fd, s + len, cap - len - 1)) > 0;) {
        len += (size_t)n;
        if (cap - len < 2) {
            char *t = realloc(s, cap *= 2);
            if (!t) {
                free(s);
                return NULL;
            }
            s = t;
        }
    }
    if (s)
        s[len] = '\0';
    return s;
}

int run_argv(char *const *argv, const char *cwd, struct run_result *r)
{
    FILE *fo = tmpfile(), *fe = tmpfile();
    memset(r, 0, sizeof *r);
    if (!fo || !fe)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, 0);
        dup2(fileno(fo), 1);
        dup2(fileno(fe), 2);
        if (cwd && chdir(cwd) != 0)
            _exit(126);
        execv(argv[0], argv);
        _exit(127);
    }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) < 0)
        return -1;
    r->rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    r->out = slurp_fd(fileno(fo));
    r->err = slurp_fd(fileno(fe));
    fclose(fo);
    fclose(fe);
    return 0;
}

void run_free(struct run_result *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}
