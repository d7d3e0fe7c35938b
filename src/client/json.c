/* CBOR bodies as JSON for `--json` output: maps keep their keys, byte
 * strings become lower-case hex (hashes read as they are printed in text
 * mode), non-text map keys are rendered as text. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client.h"
#include "smp/cbor_float.h"

static cJSON *to_json(const struct cbor_value *v, int depth);

static char *hex_of(const uint8_t *p, size_t n)
{
    char *s = malloc(n * 2 + 1);
    if (!s)
        return NULL;
    for (size_t i = 0; i < n; i++)
        sprintf(s + 2 * i, "%02x", p[i]);
    s[n * 2] = '\0';
    return s;
}

static cJSON *string_of(const uint8_t *p, size_t n)
{
    char *s = malloc(n + 1);
    cJSON *j;
    if (!s)
        return NULL;
    memcpy(s, p, n);
    s[n] = '\0';
    j = cJSON_CreateString(s);
    free(s);
    return j;
}

static char *key_text(const struct cbor_value *k)
{
    char buf[32];
    if (k->type == CBOR_TYPE_TEXT) {
        char *s = malloc(k->len + 1);
        if (s) {
            memcpy(s, k->data, k->len);
            s[k->len] = '\0';
        }
        return s;
    }
    if (k->type == CBOR_TYPE_UINT || k->type == CBOR_TYPE_NEGINT)
        snprintf(buf, sizeof buf, "%lld", (long long)k->i);
    else
        snprintf(buf, sizeof buf, "?");
    return strdup(buf);
}

static cJSON *container(const struct cbor_value *v, int depth)
{
    struct cbor_iter it;
    struct cbor_value k, val;
    bool map = v->type == CBOR_TYPE_MAP;
    cJSON *j = map ? cJSON_CreateObject() : cJSON_CreateArray();

    if (!j || cbor_iter_init(&it, v) != CBOR_OK)
        return j;
    while (cbor_iter_next(&it, &k) == 1) {
        if (!map) {
            cJSON_AddItemToArray(j, to_json(&k, depth + 1));
            continue;
        }
        if (cbor_iter_next(&it, &val) != 1)
            break;
        char *name = key_text(&k);
        if (name)
            cJSON_AddItemToObject(j, name, to_json(&val, depth + 1));
        free(name);
    }
    return j;
}

static cJSON *to_json(const struct cbor_value *v, int depth)
{
    if (depth > CBOR_MAX_DEPTH)
        return cJSON_CreateNull();
    switch (v->type) {
    case CBOR_TYPE_UINT:
        return cJSON_CreateNumber((double)v->u);
    case CBOR_TYPE_NEGINT:
        return cJSON_CreateNumber((double)v->i);
    case CBOR_TYPE_BYTES: {
        char *h = hex_of(v->data, v->len);
        cJSON *j = cJSON_CreateString(h ? h : "");
        free(h);
        return j;
    }
    case CBOR_TYPE_TEXT:
        return string_of(v->data, v->len);
    case CBOR_TYPE_ARRAY:
    case CBOR_TYPE_MAP:
        return container(v, depth);
    case CBOR_TYPE_TRUE:
        return cJSON_CreateTrue();
    case CBOR_TYPE_FALSE:
        return cJSON_CreateFalse();
    case CBOR_TYPE_FLOAT:
        return cJSON_CreateNumber(cbor_float_value(v));
    case CBOR_TYPE_TAG: {
        struct cbor_reader r;
        struct cbor_value inner;
        cbor_reader_init(&r, v->data, v->raw_len - (size_t)(v->data - v->raw));
        if (cbor_read(&r, &inner) == CBOR_OK)
            return to_json(&inner, depth + 1);
        return cJSON_CreateNull();
    }
    default:
        return cJSON_CreateNull();
    }
}

char *client_cbor_to_json(const struct cbor_value *v, bool pretty)
{
    cJSON *j = to_json(v, 0);
    char *s;
    if (!j)
        return NULL;
    s = pretty ? cJSON_Print(j) : cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return s;
}
