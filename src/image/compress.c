/*
 * LZMA2 payload compression for MCUboot images (see compress.h), over
 * liblzma's raw encoder/decoder. Host side: heap buffers.
 */
#include <stdlib.h>
#include <string.h>

#include <lzma.h>

#include "image/compress.h"
#include "image/image.h"

#define LC 3u
#define LP 1u
#define PB 2u

/* The LZMA2 dictionary-size byte: sizes are 2^n or 3*2^(n-1) from 4 KiB;
 * 128 KiB is 2 << 16, i.e. byte 10. The properties byte packs lc/lp/pb
 * the way LZMA1 headers do: (pb * 5 + lp) * 9 + lc. */
static uint8_t dict_byte(uint32_t dict)
{
    uint8_t b = 0;
    while (b < 40 && ((2u | (b & 1u)) << (b / 2 + 11)) < dict)
        b++;
    return b;
}

static uint8_t props_byte(void)
{
    return (uint8_t)((PB * 5 + LP) * 9 + LC);
}

/* filters[] for liblzma: optional ARM Thumb BCJ, then LZMA2. */
static int make_filters(lzma_filter *f, lzma_options_lzma *opt, bool arm_thumb)
{
    if (lzma_lzma_preset(opt, 9))
        return IMAGE_ERR_UNSUPPORTED;
    opt->dict_size = IMAGE_LZMA2_DICT_SIZE;
    opt->lc = LC;
    opt->lp = LP;
    opt->pb = PB;
    int n = 0;
    if (arm_thumb)
        f[n++] = (lzma_filter){ .id = LZMA_FILTER_ARMTHUMB, .options = NULL };
    f[n++] = (lzma_filter){ .id = LZMA_FILTER_LZMA2, .options = opt };
    f[n] = (lzma_filter){ .id = LZMA_VLI_UNKNOWN, .options = NULL };
    return IMAGE_OK;
}

/* Runs a raw coder to the end over in, growing *out as needed. */
static int run_coder(lzma_stream *s, const uint8_t *in, size_t len, size_t max_len,
                     uint8_t **out, size_t *out_len)
{
    size_t cap = len + len / 2 + 256;
    if (cap > max_len)
        cap = max_len;
    uint8_t *buf = malloc(cap);
    if (!buf)
        return IMAGE_ERR_UNSUPPORTED;
    s->next_in = in;
    s->avail_in = len;
    s->next_out = buf;
    s->avail_out = cap;
    for (;;) {
        lzma_ret r = lzma_code(s, LZMA_FINISH);
        if (r == LZMA_STREAM_END)
            break;
        if (r != LZMA_OK && r != LZMA_BUF_ERROR) {
            free(buf);
            return IMAGE_ERR_BAD_ARG;
        }
        if (s->avail_out == 0) {
            size_t used = cap;
            if (cap >= max_len) {
                free(buf);
                return IMAGE_ERR_BAD_ARG;
            }
            cap = cap * 2 > max_len ? max_len : cap * 2;
            uint8_t *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                return IMAGE_ERR_UNSUPPORTED;
            }
            buf = nb;
            s->next_out = buf + used;
            s->avail_out = cap - used;
        } else if (r == LZMA_BUF_ERROR) {
            free(buf); /* input ended inside the stream */
            return IMAGE_ERR_BAD_ARG;
        }
    }
    *out = buf;
    *out_len = cap - s->avail_out;
    return IMAGE_OK;
}

int image_lzma2_compress(const uint8_t *in, size_t len, bool arm_thumb,
                         uint8_t **out, size_t *out_len)
{
    lzma_filter f[3];
    lzma_options_lzma opt;
    lzma_stream s = LZMA_STREAM_INIT;
    uint8_t *raw = NULL;
    size_t raw_len = 0;
    if (!out || !out_len || (!in && len))
        return IMAGE_ERR_BAD_ARG;
    int rc = make_filters(f, &opt, arm_thumb);
    if (rc == IMAGE_OK && lzma_raw_encoder(&s, f) != LZMA_OK)
        rc = IMAGE_ERR_UNSUPPORTED;
    if (rc == IMAGE_OK)
        rc = run_coder(&s, in, len, SIZE_MAX / 2, &raw, &raw_len);
    lzma_end(&s);
    if (rc)
        return rc;
    uint8_t *buf = malloc(raw_len + IMAGE_LZMA2_HDR_LEN);
    if (!buf) {
        free(raw);
        return IMAGE_ERR_UNSUPPORTED;
    }
    buf[0] = dict_byte(IMAGE_LZMA2_DICT_SIZE);
    buf[1] = props_byte();
    memcpy(buf + IMAGE_LZMA2_HDR_LEN, raw, raw_len);
    free(raw);
    *out = buf;
    *out_len = raw_len + IMAGE_LZMA2_HDR_LEN;
    return IMAGE_OK;
}

int image_lzma2_decompress(const uint8_t *in, size_t len, bool arm_thumb,
                           size_t max_len, uint8_t **out, size_t *out_len)
{
    lzma_filter f[3];
    lzma_options_lzma opt;
    lzma_stream s = LZMA_STREAM_INIT;
    if (!in || !out || !out_len || len < IMAGE_LZMA2_HDR_LEN)
        return IMAGE_ERR_BAD_ARG;
    if (in[0] != dict_byte(IMAGE_LZMA2_DICT_SIZE) || in[1] != props_byte())
        return IMAGE_ERR_BAD_ARG; /* we only ever write these parameters */
    int rc = make_filters(f, &opt, arm_thumb);
    if (rc == IMAGE_OK && lzma_raw_decoder(&s, f) != LZMA_OK)
        rc = IMAGE_ERR_UNSUPPORTED;
    if (rc == IMAGE_OK)
        rc = run_coder(&s, in + IMAGE_LZMA2_HDR_LEN, len - IMAGE_LZMA2_HDR_LEN,
                       max_len ? max_len : 1, out, out_len);
    lzma_end(&s);
    return rc;
}
