/*
 * Fuzz target for the board's parsers of outside bytes: device paths from
 * the fs group (with an escape oracle: a resolved path never leaves the
 * root nor passes a symlink), shell command lines from the shell group,
 * link fault specs from the command line, and settings file text.
 * The first input byte picks the parser.
 */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/board.h"
#include "sim/fsroot.h"
#include "sim/link.h"
#include "sim/settings_store.h"
#include "sim/shell.h"
#include "sim/sim.h"

static char root[64];

static void remove_root(void)
{
    char p[128];
    snprintf(p, sizeof p, "%s/lnk", root);
    unlink(p);
    rmdir(root);
}

static void setup_root(void)
{
    if (root[0])
        return;
    snprintf(root, sizeof root, "/tmp/fuzz_sim.XXXXXX");
    if (!mkdtemp(root))
        abort();
    atexit(remove_root);
    char link[128];
    snprintf(link, sizeof link, "%s/lnk", root);
    if (symlink("/", link) != 0)
        abort();
}

static void fuzz_path(const char *path)
{
    char out[1024];
    if (sim_fs_resolve(root, path, out, sizeof out) != SIM_OK)
        return;
    size_t rl = strlen(root);
    char lnk[128];
    snprintf(lnk, sizeof lnk, "%s/lnk", root);
    size_t ll = strlen(lnk);
    if (strncmp(out, root, rl) != 0 || out[rl] != '/')
        abort(); /* escaped the root */
    if (strstr(out + rl, "/../") || (strlen(out) >= 3 && !strcmp(out + strlen(out) - 3, "/..")))
        abort(); /* a parent step survived */
    if (!strncmp(out, lnk, ll) && (out[ll] == '\0' || out[ll] == '/'))
        abort(); /* went through the symlink */
}

static void fuzz_shell(char *line)
{
    static struct sim_board b;
    b.cfg.profile = sim_profile_find("nrf52840");
    const char *argv[SMPSRV_SHELL_ARGC_MAX];
    int argc = 0;
    for (char *save = NULL, *t = strtok_r(line, " ", &save);
         t && argc < SMPSRV_SHELL_ARGC_MAX; t = strtok_r(NULL, " ", &save))
        argv[argc++] = t;
    char out[256];
    size_t len = 0;
    sim_shell_run(&b, argc, argv, out, sizeof out, &len);
    if (len >= sizeof out)
        abort();
}

static void fuzz_faults(const char *spec)
{
    struct sim_fault_cfg c = { 0 };
    if (sim_fault_cfg_parse(&c, spec) != SIM_OK)
        return;
    if (c.drop < 0 || c.corrupt < 0 || c.dup < 0 || c.delay < 0 ||
        c.drop + c.corrupt + c.dup + c.delay > 1.0 || c.delay_ms > 60000)
        abort();
}

static void fuzz_settings(const char *text)
{
    static struct sim_settings s;
    sim_settings_parse(&s, text);
    if (s.n > SIM_SETTINGS_MAX)
        abort();
    for (size_t i = 0; i < s.n; i++)
        if (s.items[i].len > SIM_SETTING_VAL_MAX || strchr(s.items[i].name, ' '))
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup_root();
    if (size == 0)
        return 0;
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    switch (data[0] % 4) {
    case 0: fuzz_path(text); break;
    case 1: fuzz_shell(text); break;
    case 2: fuzz_faults(text); break;
    default: fuzz_settings(text); break;
    }
    free(text);
    return 0;
}
