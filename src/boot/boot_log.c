/*
 * Console lines of the bootloader, MCUboot style ("I: ...", "E: ..."),
 * assembled in a bounded buffer without stdio and handed to cfg->log.
 * Formatting only; what to say is decided by the callers.
 */
#include "boot/boot_priv.h"

#include <string.h>

void boot_line_str(struct boot_line *l, const char *s)
{
    while (s && *s && l->len + 1 < sizeof l->buf)
        l->buf[l->len++] = *s++;
    l->buf[l->len] = '\0';
}

void boot_line_hex(struct boot_line *l, uint32_t v)
{
    char tmp[11] = "0x";
    int n = 2, shift = 28;
    while (shift > 0 && ((v >> shift) & 0xf) == 0)
        shift -= 4;
    for (; shift >= 0; shift -= 4)
        tmp[n++] = "0123456789abcdef"[(v >> shift) & 0xf];
    tmp[n] = '\0';
    boot_line_str(l, tmp);
}

void boot_line_dec(struct boot_line *l, uint32_t v)
{
    char tmp[11];
    int n = 10;
    tmp[n] = '\0';
    do {
        tmp[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    boot_line_str(l, tmp + n);
}

void boot_line_ver(struct boot_line *l, const struct image_version *v)
{
    char tmp[32];
    boot_line_str(l, image_version_fmt(v, tmp, sizeof tmp) < 0 ? "?" : tmp);
}

void boot_line_emit(const struct boot_config *cfg, const struct boot_line *l)
{
    if (cfg->log)
        cfg->log(cfg->log_ctx, l->buf);
}

void boot_say(const struct boot_config *cfg, const char *a, const char *b)
{
    struct boot_line l = { .len = 0 };
    boot_line_str(&l, a);
    boot_line_str(&l, b);
    boot_line_emit(cfg, &l);
}

void boot_refuse(const struct boot_config *cfg, struct boot_result *res,
                 const struct boot_line *l)
{
    boot_line_emit(cfg, l);
    /* the reason without the "E: " level prefix */
    size_t skip = l->len >= 3 && l->buf[1] == ':' ? 3 : 0;
    memcpy(res->reason, l->buf + skip, l->len - skip + 1);
}
