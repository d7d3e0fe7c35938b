/* libcbor-backed implementation of cbor_view.h. */
#include "cbor_view.h"

#include <cbor.h>
#include <string.h>

#define ITEM(v) ((cbor_item_t *)(v))

struct cv *cv_load(const uint8_t *buf, size_t n)
{
    struct cbor_load_result res;
    cbor_item_t *it = cbor_load(buf, n, &res);

    if (!it)
        return NULL;
    if (res.error.code != CBOR_ERR_NONE || res.read != n) {
        cbor_decref(&it);
        return NULL;
    }
    return (struct cv *)it;
}

void cv_free(struct cv *root)
{
    cbor_item_t *it = ITEM(root);
    if (it)
        cbor_decref(&it);
}

bool cv_is_map(const struct cv *v) { return v && cbor_isa_map(ITEM(v)); }
bool cv_is_array(const struct cv *v) { return v && cbor_isa_array(ITEM(v)); }

bool cv_is_definite(const struct cv *v)
{
    if (cv_is_map(v))
        return cbor_map_is_definite(ITEM(v));
    if (cv_is_array(v))
        return cbor_array_is_definite(ITEM(v));
    return true;
}

size_t cv_size(const struct cv *v)
{
    if (cv_is_map(v))
        return cbor_map_size(ITEM(v));
    if (cv_is_array(v))
        return cbor_array_size(ITEM(v));
    return 0;
}

static bool text_is(cbor_item_t *k, const char *key)
{
    size_t n = strlen(key);
    return cbor_isa_string(k) && cbor_string_is_definite(k) && cbor_string_length(k) == n &&
           memcmp(cbor_string_handle(k), key, n) == 0;
}

const struct cv *cv_get(const struct cv *map, const char *key)
{
    if (!cv_is_map(map))
        return NULL;
    struct cbor_pair *p = cbor_map_handle(ITEM(map));
    for (size_t i = 0; i < cbor_map_size(ITEM(map)); i++)
        if (text_is(p[i].key, key))
            return (const struct cv *)p[i].value;
    return NULL;
}

const struct cv *cv_at(const struct cv *arr, size_t i)
{
    if (!cv_is_array(arr) || i >= cbor_array_size(ITEM(arr)))
        return NULL;
    return (const struct cv *)cbor_array_handle(ITEM(arr))[i];
}

const struct cv *cv_key_at(const struct cv *map, size_t i)
{
    if (!cv_is_map(map) || i >= cbor_map_size(ITEM(map)))
        return NULL;
    return (const struct cv *)cbor_map_handle(ITEM(map))[i].key;
}

const struct cv *cv_val_at(const struct cv *map, size_t i)
{
    if (!cv_is_map(map) || i >= cbor_map_size(ITEM(map)))
        return NULL;
    return (const struct cv *)cbor_map_handle(ITEM(map))[i].value;
}

bool cv_uint(const struct cv *v, uint64_t *out)
{
    if (!v || !cbor_isa_uint(ITEM(v)))
        return false;
    *out = cbor_get_int(ITEM(v));
    return true;
}

bool cv_int(const struct cv *v, int64_t *out)
{
    if (!v)
        return false;
    if (cbor_isa_uint(ITEM(v))) {
        *out = (int64_t)cbor_get_int(ITEM(v));
        return true;
    }
    if (cbor_isa_negint(ITEM(v))) {
        *out = -1 - (int64_t)cbor_get_int(ITEM(v));
        return true;
    }
    return false;
}

bool cv_bool(const struct cv *v, bool *out)
{
    if (!v || !cbor_is_bool(ITEM(v)))
        return false;
    *out = cbor_get_bool(ITEM(v));
    return true;
}

bool cv_text(const struct cv *v, char *out, size_t cap)
{
    if (!v || !cbor_isa_string(ITEM(v)) || !cbor_string_is_definite(ITEM(v)))
        return false;
    size_t n = cbor_string_length(ITEM(v));
    if (n + 1 > cap)
        return false;
    memcpy(out, cbor_string_handle(ITEM(v)), n);
    out[n] = '\0';
    return true;
}

bool cv_bytes(const struct cv *v, const uint8_t **p, size_t *n)
{
    if (!v || !cbor_isa_bytestring(ITEM(v)) || !cbor_bytestring_is_definite(ITEM(v)))
        return false;
    *p = cbor_bytestring_handle(ITEM(v));
    *n = cbor_bytestring_length(ITEM(v));
    return true;
}

int64_t cv_get_int(const struct cv *map, const char *key, int64_t absent)
{
    int64_t v;
    return cv_int(cv_get(map, key), &v) ? v : absent;
}

int cv_get_bool(const struct cv *map, const char *key)
{
    bool b;
    return cv_bool(cv_get(map, key), &b) ? b : -1;
}
