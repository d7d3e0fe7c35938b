/*
 * `imgtool dumpinfo` (see dumpinfo.h). One lenient parse into a model,
 * then one printer per format, so the formats cannot disagree. The header
 * and the TLVs are read by image.c's decoder and lenient walker.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "image/dumpinfo.h"
#include "image/image.h"

#define MAX_TLVS 128

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static const struct {
    uint16_t type;
    const char *name;
} tlv_names[] = {
    { 0x01, "KEYHASH" }, { 0x02, "PUBKEY" }, { 0x10, "SHA256" }, { 0x11, "SHA384" },
    { 0x12, "SHA512" }, { 0x20, "RSA2048" }, { 0x22, "ECDSASIG" }, { 0x23, "RSA3072" },
    { 0x24, "ED25519" }, { 0x25, "SIG_PURE" }, { 0x30, "ENCRSA2048" }, { 0x31, "ENCKW" },
    { 0x32, "ENCEC256" }, { 0x33, "ENCX25519" }, { 0x34, "ENCX25519_SHA512" },
    { 0x40, "DEPENDENCY" }, { 0x50, "SEC_CNT" }, { 0x60, "BOOT_RECORD" },
    { 0x70, "DECOMP_SIZE" }, { 0x71, "DECOMP_SHA" }, { 0x72, "DECOMP_SIGNATURE" },
    { 0x74, "UUID_VID" }, { 0x75, "UUID_CID" },
};

const char *img_tlv_name(uint16_t type)
{
    for (size_t i = 0; i < sizeof tlv_names / sizeof tlv_names[0]; i++)
        if (tlv_names[i].type == type)
            return tlv_names[i].name;
    return "UNKNOWN";
}

struct dump_tlv {
    uint16_t type, len;
    size_t off;   /* of the value */
    size_t avail; /* value bytes present in the file */
};

struct dump_area {
    bool present;
    size_t off;
    uint16_t magic, tot;
    struct dump_tlv tlv[MAX_TLVS];
    size_t n;
};

struct dump_model {
    const uint8_t *b;
    size_t len;
    struct image_header h;
    char version[48];
    struct dump_area prot, unprot;
    size_t image_end;
    bool has_trailer, magic_ok;
    uint32_t max_align;
    uint8_t image_ok, copy_done, swap_info;
    uint32_t swap_size;
};

struct area_walk {
    const struct dump_model *m;
    struct dump_area *a;
};

#define AREA_FULL 1 /* MAX_TLVS entries shown: the rest is not walked */

static int add_tlv(void *arg, bool prot, uint16_t type, uint32_t off, uint16_t len)
{
    struct area_walk *w = arg;
    struct dump_tlv *t = &w->a->tlv[w->a->n++];
    size_t file_len = w->m->len;
    (void)prot;
    t->type = type;
    t->len = len;
    t->off = off;
    t->avail = off >= file_len ? 0 : file_len - off < len ? file_len - off : len;
    return w->a->n == MAX_TLVS ? AREA_FULL : 0;
}

static int read_area(struct dump_model *m, uint64_t off, bool prot, struct dump_area *a,
                     char *err, size_t errcap)
{
    struct image_mem mem = { m->b, m->len };
    uint32_t data_end = m->len > UINT32_MAX ? UINT32_MAX : (uint32_t)m->len, stop;
    if (off + IMAGE_TLV_INFO_SIZE > data_end ||
        image_tlv_info_read(image_mem_read, &mem, (uint32_t)off, &a->magic, &a->tot)) {
        snprintf(err, errcap, "truncated image: no TLV info header at offset 0x%llx "
                              "(file is 0x%zx bytes)", (unsigned long long)off, m->len);
        return IMAGE_ERR_TLV_TRUNCATED;
    }
    a->present = true;
    a->off = (size_t)off;
    struct image_tlv_block blk = { (uint32_t)off, a->tot, prot };
    struct area_walk w = { m, a };
    int rc = image_tlv_walk_lenient(image_mem_read, &mem, &blk, data_end, add_tlv, &w, &stop);
    if (rc < 0) {
        snprintf(err, errcap, "truncated image: TLV header at offset 0x%x is past the end "
                              "of the file (0x%zx bytes)", stop, m->len);
        return IMAGE_ERR_TLV_TRUNCATED;
    }
    return IMAGE_OK;
}

/* Trailer fields at the end of the file, located from the magic (the
 * magic of a max_align > 8 build starts with max_align itself). */
static void read_trailer(struct dump_model *m)
{
    static const uint8_t classic[16] = {
        0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f,
        0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80,
    };
    static const uint8_t tail[14] = {
        0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b, 0x8d, 0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a,
    };
    m->has_trailer = m->len != m->image_end && m->len >= 16;
    if (!m->has_trailer)
        return;
    const uint8_t *mg = m->b + m->len - 16;
    if (memcmp(mg, classic, 16) == 0)
        m->max_align = 8;
    else if (memcmp(mg + 2, tail, sizeof tail) == 0)
        m->max_align = get16(mg);
    uint32_t ma = m->max_align, magic_area = ma > 16 ? ma : 16;
    if (!ma || (uint64_t)magic_area + 4 * ma > m->len)
        return;
    m->magic_ok = true;
    size_t ok = m->len - magic_area - ma;
    m->image_ok = m->b[ok];
    m->copy_done = m->b[ok - ma];
    m->swap_info = m->b[ok - 2 * ma];
    m->swap_size = get32(m->b + ok - 3 * ma);
}

static int parse(const uint8_t *b, size_t len, struct dump_model *m, char *err, size_t errcap)
{
    memset(m, 0, sizeof *m);
    m->b = b;
    m->len = len;
    if (len < IMAGE_HEADER_SIZE) {
        snprintf(err, errcap, "file is %zu bytes, too short for an image header", len);
        return IMAGE_ERR_TOO_LARGE;
    }
    image_header_decode(b, &m->h);
    const struct image_version *v = &m->h.ver;
    snprintf(m->version, sizeof m->version, "%u.%u.%u+%" PRIu32, v->major, v->minor,
             v->revision, v->build);
    uint64_t off = (uint64_t)m->h.hdr_size + m->h.img_size;
    int rc;
    /* the header decides whether a protected area is there, as for imgtool:
     * a damaged protected magic is shown, not reinterpreted */
    if (m->h.protect_tlv_size) {
        if ((rc = read_area(m, off, true, &m->prot, err, errcap)) != 0)
            return rc;
        off += m->prot.tot;
    }
    if ((rc = read_area(m, off, false, &m->unprot, err, errcap)) != 0)
        return rc;
    m->image_end = (size_t)(off + m->unprot.tot);
    read_trailer(m);
    return IMAGE_OK;
}

/* ---- JSON ---------------------------------------------------------------- */

/* Both trailer key slots of an encrypted image: two AES keys. */
static unsigned enc_key_field_len(const struct dump_model *m)
{
    return m->h.flags & IMAGE_F_ENCRYPTED_AES256 ? 0x40 : 0x20;
}

static char *hex_of(const uint8_t *p, size_t n)
{
    char *s = malloc(2 * n + 1);
    for (size_t i = 0; s && i < n; i++)
        sprintf(s + 2 * i, "%02x", p[i]);
    if (s)
        s[2 * n] = '\0';
    return s;
}

static cJSON *json_tlvs(const struct dump_model *m, const struct dump_area *a)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < a->n; i++) {
        const struct dump_tlv *t = &a->tlv[i];
        cJSON *o = cJSON_CreateObject();
        char *hex = hex_of(m->b + t->off, t->avail);
        cJSON_AddNumberToObject(o, "type", t->type);
        cJSON_AddStringToObject(o, "type_name", img_tlv_name(t->type));
        cJSON_AddNumberToObject(o, "len", t->len);
        cJSON_AddStringToObject(o, "data", hex ? hex : "");
        free(hex);
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

static cJSON *json_area_hdr(const struct dump_area *a)
{
    cJSON *o = cJSON_CreateObject();
    if (a->present) {
        cJSON_AddNumberToObject(o, "magic", a->magic);
        cJSON_AddNumberToObject(o, "tlv_tot", a->tot);
    }
    return o;
}

static cJSON *json_model(const struct dump_model *m, const char *name)
{
    cJSON *root = cJSON_CreateObject(), *h = cJSON_CreateObject();
    cJSON *tlv = cJSON_CreateObject(), *tr = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "filename", name);
    cJSON_AddNumberToObject(h, "magic", m->h.magic);
    cJSON_AddNumberToObject(h, "load_addr", m->h.load_addr);
    cJSON_AddNumberToObject(h, "hdr_size", m->h.hdr_size);
    cJSON_AddNumberToObject(h, "protected_tlv_size", m->h.protect_tlv_size);
    cJSON_AddNumberToObject(h, "img_size", m->h.img_size);
    cJSON_AddNumberToObject(h, "flags", m->h.flags);
    cJSON_AddStringToObject(h, "version", m->version);
    cJSON_AddItemToObject(root, "header", h);
    cJSON_AddItemToObject(tlv, "tlv_hdr_prot", json_area_hdr(&m->prot));
    cJSON_AddItemToObject(tlv, "tlvs_prot", json_tlvs(m, &m->prot));
    cJSON_AddItemToObject(tlv, "tlv_hdr", json_area_hdr(&m->unprot));
    cJSON_AddItemToObject(tlv, "tlvs", json_tlvs(m, &m->unprot));
    cJSON_AddItemToObject(root, "tlv_area", tlv);
    if (m->has_trailer) {
        char *hex = hex_of(m->b + m->len - 16, 16);
        cJSON_AddStringToObject(tr, "magic", hex ? hex : "");
        free(hex);
        if (m->magic_ok) {
            cJSON_AddNumberToObject(tr, "image_ok", m->image_ok);
            cJSON_AddNumberToObject(tr, "copy_done", m->copy_done);
            cJSON_AddNumberToObject(tr, "swap_info", m->swap_info);
            cJSON_AddNumberToObject(tr, "swap_size", m->swap_size);
            if (m->h.flags & (IMAGE_F_ENCRYPTED_AES128 | IMAGE_F_ENCRYPTED_AES256))
                cJSON_AddNumberToObject(tr, "key_field_len", enc_key_field_len(m));
        }
    }
    cJSON_AddItemToObject(root, "trailer", tr);
    return root;
}

/* ---- YAML (the same model, block style) ---------------------------------- */

static void yaml_node(FILE *out, const cJSON *n, int indent)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, n) {
        const char *dash = cJSON_IsArray(n) ? "- " : "";
        fprintf(out, "%*s%s", indent, "", dash);
        if (c->string)
            fprintf(out, "%s:", c->string);
        if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
            if (!cJSON_GetArraySize(c))
                fprintf(out, " %s\n", cJSON_IsArray(c) ? "[]" : "{}");
            else {
                fprintf(out, "\n");
                yaml_node(out, c, indent + 2);
            }
        } else if (cJSON_IsString(c)) {
            fprintf(out, "%s'%s'\n", c->string ? " " : "", c->valuestring);
        } else {
            fprintf(out, "%s%.0f\n", c->string ? " " : "", c->valuedouble);
        }
    }
}

/* ---- human (imgtool's layout) -------------------------------------------- */

#define RULE "############################################################"

static void section(FILE *out, const char *title)
{
    int n = fprintf(out, "#### %s ", title);
    for (; n < 60; n++)
        fputc('#', out);
    fputc('\n', out);
}

static void bytes_block(FILE *out, const char *first, const char *indent, const uint8_t *p,
                        size_t n)
{
    fputs(first, out);
    for (size_t i = 0; i < n; i++) {
        if (i && i % 8 == 0)
            fprintf(out, "\n%s", indent);
        fprintf(out, "0x%02x ", p[i]);
    }
    fputc('\n', out);
}

static void human_area(FILE *out, const struct dump_model *m, const struct dump_area *a,
                       const char *title)
{
    char t[64];
    snprintf(t, sizeof t, "%s (offset: 0x%zx)", title, a->off);
    section(out, t);
    fprintf(out, "magic:     0x%x\narea size: 0x%x\n", a->magic, a->tot);
    for (size_t i = 0; i < a->n; i++) {
        const struct dump_tlv *v = &a->tlv[i];
        fprintf(out, "        ---------------------------------------------\n");
        fprintf(out, "        type: %s (0x%x)\n        len:  0x%x\n", img_tlv_name(v->type),
                v->type, v->len);
        bytes_block(out, "        data: ", "              ", m->b + v->off, v->avail);
    }
    fprintf(out, RULE "\n");
}

static const char *flag_state(uint8_t v, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s (0x%x)", v == 0x01 ? "SET" : "INVALID", v);
    return buf;
}

static void human_trailer(FILE *out, const struct dump_model *m)
{
    char a[32], b[32];
    section(out, "Image trailer (offset: unknown)");
    fprintf(out, "(Note: some fields may not be used, depending on the update \nstrategy)\n\n");
    fprintf(out, "swap status: (len: unknown)\n");
    if (m->h.flags & (IMAGE_F_ENCRYPTED_AES128 | IMAGE_F_ENCRYPTED_AES256))
        fprintf(out, "enc. keys:   (len: 0x%x, if BOOT_SWAP_SAVE_ENCTLV is unset)\n",
                enc_key_field_len(m));
    else
        fprintf(out, "enc. keys:   Image not encrypted\n");
    if (m->magic_ok) {
        if (m->swap_size == 0xffffffffu)
            fprintf(out, "swap size:   unknown\n");
        else
            fprintf(out, "swap size:   0x%x octal: %u\n", m->swap_size, m->swap_size);
        fprintf(out, "swap_info:   INVALID (0x%x)\ncopy_done:   %s\nimage_ok:    %s\n", m->swap_info,
                flag_state(m->copy_done, a, sizeof a), flag_state(m->image_ok, b, sizeof b));
    }
    bytes_block(out, "boot magic:  ", "             ", m->b + m->len - 16, 16);
    fputc('\n', out);
}

static const struct {
    uint32_t bit;
    const char *name;
} flag_names[] = {
    { 0x1, "PIC" }, { 0x4, "ENCRYPTED_AES128" }, { 0x8, "ENCRYPTED_AES256" },
    { 0x10, "NON_BOOTABLE" }, { 0x20, "RAM_LOAD" }, { 0x100, "ROM_FIXED" },
    { 0x200, "COMPRESSED_LZMA1" }, { 0x400, "COMPRESSED_LZMA2" }, { 0x800, "COMPRESSED_ARM_THUMB" },
};

/* "RAM_LOAD (0x20)"; several flags are all named ("A | B (0x..)"), where
 * imgtool would show only the first. */
static void human_flags(FILE *out, uint32_t flags)
{
    int named = 0;
    fprintf(out, "flags:              ");
    for (size_t i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++)
        if (flags & flag_names[i].bit)
            fprintf(out, "%s%s", named++ ? " | " : "", flag_names[i].name);
    fprintf(out, named ? " (0x%x)\n" : "0x%x\n", flags);
}

static void human(FILE *out, const struct dump_model *m, const char *name)
{
    char t[80], fw[64];
    if (m->has_trailer && !m->magic_ok)
        fprintf(out, "Warning: the trailer magic value is invalid!\n");
    fprintf(out, "Printing content of signed image: %s \n\n", name);
    section(out, "Image header (offset: 0x0)");
    fprintf(out, "magic:              0x%x\nload_addr:          0x%x\nhdr_size:           0x%x\n"
                 "protected_tlv_size: 0x%x\nimg_size:           0x%x\n",
            m->h.magic, m->h.load_addr, m->h.hdr_size, m->h.protect_tlv_size, m->h.img_size);
    human_flags(out, m->h.flags);
    fprintf(out, "version:            %s\n" RULE "\n", m->version);
    snprintf(t, sizeof t, "Payload (offset: 0x%x)", m->h.hdr_size);
    section(out, t);
    int n = snprintf(fw, sizeof fw, "FW image (size: 0x%x Bytes)", m->h.img_size);
    int pad = 58 - n, left = pad / 2;
    fprintf(out, "|%58s|\n|%*s%s%*s|\n|%58s|\n" RULE "\n", "", left, "", fw, pad - left, "", "");
    if (m->prot.present)
        human_area(out, m, &m->prot, "Protected TLV area");
    human_area(out, m, &m->unprot, "TLV area");
    if (m->has_trailer)
        human_trailer(out, m);
    section(out, "End of Image ");
}

int img_dumpinfo(const uint8_t *b, size_t len, const char *name, enum img_dump_format fmt,
                 FILE *out, char *err, size_t errcap)
{
    static struct dump_model m; /* large (TLV tables); one dump at a time */
    int rc = parse(b, len, &m, err, errcap);
    if (rc)
        return rc;
    if (fmt == IMG_DUMP_HUMAN) {
        human(out, &m, name);
        return ferror(out) ? IMAGE_ERR_IO : IMAGE_OK;
    }
    cJSON *j = json_model(&m, name);
    if (fmt == IMG_DUMP_YAML) {
        yaml_node(out, j, 0);
    } else {
        char *s = cJSON_Print(j);
        if (s)
            fputs(s, out);
        free(s);
    }
    cJSON_Delete(j);
    return ferror(out) ? IMAGE_ERR_IO : IMAGE_OK;
}
