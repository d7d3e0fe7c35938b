/* Option parsing for imgtool (see opts.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"

static int find(const struct opt_spec *s, int n, const char *arg, size_t len)
{
    for (int i = 0; i < n; i++) {
        const char *names[2] = { s[i].shrt, s[i].lng };
        for (int k = 0; k < 2; k++)
            if (names[k] && strlen(names[k]) == len && strncmp(names[k], arg, len) == 0)
                return i;
    }
    return -1;
}

int opt_index(const struct opt_spec *specs, int nspecs, const char *lng)
{
    for (int i = 0; i < nspecs; i++)
        if (specs[i].lng && strcmp(specs[i].lng, lng) == 0)
            return i;
    abort();
}

int opt_parse(const struct opt_spec *specs, int nspecs, int argc, char **argv,
              struct opt_result *r, char *err, int errcap)
{
    memset(r, 0, sizeof *r);
    bool only_pos = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (only_pos || a[0] != '-' || a[1] == '\0') {
            if (r->npos == OPT_MAX_POS) {
                snprintf(err, (size_t)errcap, "Got unexpected extra argument (%s)", a);
                return -1;
            }
            r->pos[r->npos++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_pos = true;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            r->help = true;
            continue;
        }
        const char *eq = a[1] == '-' ? strchr(a, '=') : NULL;
        size_t len = eq ? (size_t)(eq - a) : strlen(a);
        int k = find(specs, nspecs, a, len);
        /* short options may carry their value attached: -H0x200 */
        if (k < 0 && a[1] != '-' && len > 2 && (k = find(specs, nspecs, a, 2)) >= 0 &&
            specs[k].nargs == 1)
            eq = a + 1;
        else if (k >= 0 && a[1] != '-')
            eq = NULL;
        if (k < 0) {
            snprintf(err, (size_t)errcap, "No such option: %.*s", (int)len, a);
            return -1;
        }
        struct opt_seen *s = &r->seen[k];
        if (s->count == OPT_MAX_VALUES) {
            snprintf(err, (size_t)errcap, "Option %s given too often", a);
            return -1;
        }
        int c = s->count++;
        if (specs[k].nargs == 0) {
            if (eq) {
                snprintf(err, (size_t)errcap, "Option %.*s does not take a value", (int)len, a);
                return -1;
            }
            continue;
        }
        int need = specs[k].nargs, got = 0;
        if (eq)
            s->val[c][got++] = eq + 1;
        while (got < need) {
            if (i + 1 >= argc) {
                snprintf(err, (size_t)errcap, "Option '%.*s' requires %s.", (int)len, a,
                         need == 2 ? "2 arguments" : "an argument");
                return -1;
            }
            s->val[c][got++] = argv[++i];
        }
    }
    return 0;
}
