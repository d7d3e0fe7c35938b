/* Helpers for reading the imgtool reference vectors (see vectors.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/ihex.h"
#include "image/keys.h"
#include "vectors.h"
#include "testfile.h"

static char dir[4096];

const char *vec_dir(void)
{
    if (!dir[0]) {
        const char *s = getenv("SHARED_DIR");
        if (!s || !*s) {
            fprintf(stderr, "SHARED_DIR not set: skipping\n");
            exit(77);
        }
        snprintf(dir, sizeof dir, "%s/vectors/imgtool", s);
    }
    return dir;
}

uint8_t *vec_load(const char *rel, size_t *len)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", vec_dir(), rel);
    uint8_t *buf = test_read_file(path, len);
    size_t n = strlen(rel);
    if (!buf || n < 4 || strcmp(rel + n - 4, ".hex") != 0)
        return buf;
    struct ihex h;
    char err[256];
    int rc = ihex_read((const char *)buf, *len, 0xff, &h, err, sizeof err);
    free(buf);
    if (rc) {
        fprintf(stderr, "%s: %s\n", rel, err);
        return NULL;
    }
    *len = h.len;
    return h.data;
}

cJSON *vec_manifest(void)
{
    size_t len;
    char path[8192];
    snprintf(path, sizeof path, "%s/manifest.json", vec_dir());
    char *text = (char *)test_read_file(path, &len);
    if (!text) {
        fprintf(stderr, "%s missing: skipping\n", path);
        exit(77);
    }
    cJSON *m = cJSON_Parse(text);
    free(text);
    if (!m) {
        fprintf(stderr, "%s is not valid JSON\n", path);
        exit(1);
    }
    return m;
}

const cJSON *vec_section(const cJSON *manifest, const char *name)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(manifest, name);
    if (!cJSON_IsArray(s) || cJSON_GetArraySize(s) == 0) {
        fprintf(stderr, "%s/manifest.json has no \"%s\" vectors\n", vec_dir(), name);
        exit(1);
    }
    return s;
}

int vec_key_der(const char *id, uint8_t *der, size_t cap, size_t *len)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/keys/%s.pem", vec_dir(), id);
    return image_key_load_public_der(path, der, cap, len);
}

const char *vec_str(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

long vec_num(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (cJSON_IsNumber(v))
        return (long)v->valuedouble;
    if (cJSON_IsString(v))
        return strtol(v->valuestring, NULL, 0);
    return -1;
}

size_t vec_unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    while (hex[0] && hex[1] && n < cap) {
        unsigned v;
        if (sscanf(hex, "%2x", &v) != 1)
            break;
        out[n++] = (uint8_t)v;
        hex += 2;
    }
    return n;
}
