/* Connection profile file (see profiles.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "profiles.h"

static char *read_file(const char *path, int *missing)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    *missing = 0;
    if (!f) {
        *missing = errno == ENOENT;
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || n > (1 << 20) ||
        fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf)
        buf[n] = '\0';
    fclose(f);
    return buf;
}

static void copy_field(const cJSON *o, const char *key, char *dst, size_t cap)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    dst[0] = '\0';
    if (cJSON_IsString(v) && v->valuestring)
        snprintf(dst, cap, "%s", v->valuestring);
}

int profiles_load(const char *path, struct cli_profile **out, size_t *n, char *err, size_t errlen)
{
    int missing;
    char *text = read_file(path, &missing);
    cJSON *root, *it;
    size_t count = 0;

    *out = NULL;
    *n = 0;
    if (!text) {
        if (missing)
            return 0;
        snprintf(err, errlen, "cannot read connection profiles from %s", path);
        return -1;
    }
    root = cJSON_Parse(text);
    free(text);
    if (!cJSON_IsArray(root)) {
        cJSON_Delete(root);
        snprintf(err, errlen, "%s is not a connection profile file (expected a JSON array)", path);
        return -1;
    }
    *out = calloc((size_t)cJSON_GetArraySize(root) + 1, sizeof **out);
    if (!*out) {
        cJSON_Delete(root);
        return -1;
    }
    cJSON_ArrayForEach(it, root) {
        struct cli_profile *p = &(*out)[count];
        copy_field(it, "MyName", p->name, sizeof p->name);
        copy_field(it, "MyType", p->type, sizeof p->type);
        copy_field(it, "MyConnString", p->connstring, sizeof p->connstring);
        if (p->name[0])
            count++;
    }
    cJSON_Delete(root);
    *n = count;
    return 0;
}

/* One JSON string, quoted and escaped by cJSON. */
static char *quoted(const char *v)
{
    cJSON *s = cJSON_CreateString(v);
    char *out = s ? cJSON_PrintUnformatted(s) : NULL;
    cJSON_Delete(s);
    return out;
}

/* Written by hand with 4-space indentation, the layout the Go tool writes. */
int profiles_save(const char *path, const struct cli_profile *p, size_t n, char *err, size_t errlen)
{
    char tmp[4096];
    FILE *f;
    int ok;

    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    f = fopen(tmp, "w");
    if (!f) {
        snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
        return -1;
    }
    ok = fputs(n ? "[\n" : "[]\n", f) >= 0;
    for (size_t i = 0; i < n && ok; i++) {
        char *a = quoted(p[i].name), *b = quoted(p[i].type), *c = quoted(p[i].connstring);
        ok = a && b && c &&
             fprintf(f, "    {\n        \"MyName\": %s,\n        \"MyType\": %s,\n"
                        "        \"MyConnString\": %s\n    }%s\n",
                     a, b, c, i + 1 < n ? "," : "") > 0;
        free(a);
        free(b);
        free(c);
    }
    if (n && ok)
        ok = fputs("]\n", f) >= 0;
    /* write a temporary file and rename it: a crash never leaves half a file */
    if (fclose(f) != 0)
        ok = 0;
    if (!ok || rename(tmp, path) != 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}
