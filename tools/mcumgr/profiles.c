/* Connection profile file (see profiles.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "image/file.h"
#include "profiles.h"

static void copy_field(const cJSON *o, const char *key, char *dst, size_t cap)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    dst[0] = '\0';
    if (cJSON_IsString(v) && v->valuestring)
        snprintf(dst, cap, "%s", v->valuestring);
}

int profiles_load(const char *path, struct cli_profile **out, size_t *n, char *err, size_t errlen)
{
    uint8_t *text;
    size_t len;
    char why[300];
    cJSON *root, *it;
    size_t count = 0;

    *out = NULL;
    *n = 0;
    if (access(path, F_OK) != 0 && errno == ENOENT)
        return 0; /* no profiles yet */
    /* the one file reader: a read error is an error, never a shorter file */
    if (img_read_file(path, &text, &len, why, sizeof why) != 0) {
        snprintf(err, errlen, "connection profiles: %s", why);
        return -1;
    }
    root = cJSON_Parse((const char *)text);
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

/* The file the Go tool reads: an array of {MyName, MyType, MyConnString}. */
static char *profiles_json(const struct cli_profile *p, size_t n)
{
    cJSON *arr = cJSON_CreateArray();
    char *text;

    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "MyName", p[i].name);
        cJSON_AddStringToObject(o, "MyType", p[i].type);
        cJSON_AddStringToObject(o, "MyConnString", p[i].connstring);
        cJSON_AddItemToArray(arr, o);
    }
    text = cJSON_Print(arr);
    cJSON_Delete(arr);
    return text;
}

int profiles_save(const char *path, const struct cli_profile *p, size_t n, char *err, size_t errlen)
{
    char tmp[4096], *text = profiles_json(p, n);
    FILE *f;
    int ok;

    if (!text) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    f = fopen(tmp, "w");
    if (!f) {
        snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
        free(text);
        return -1;
    }
    ok = fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    free(text);
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
