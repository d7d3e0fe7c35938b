/*
 * Settings store of the simulated firmware. The file is rewritten whole
 * through a temporary file and rename(), so a board killed mid-save keeps
 * either the old or the new settings, never half of them.
 */
#include "sim/settings_store.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/file.h"
#include "image/image.h"
#include "sim/sim.h"

static struct sim_setting *find(struct sim_settings *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->items[i].name, name) == 0)
            return &s->items[i];
    return NULL;
}

/* Names are printable, without spaces (the file separates with one). */
static bool name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > SIM_SETTING_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (name[i] <= ' ' || name[i] > '~')
            return false;
    return true;
}

int sim_settings_open(struct sim_settings *s, const char *path)
{
    memset(s, 0, sizeof *s);
    if (strlen(path) >= sizeof s->path)
        return SIM_ETOOBIG;
    strcpy(s->path, path);
    return sim_settings_load(s);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* One "name hex" line; bad lines are skipped (a hand-edited file). */
static void load_line(struct sim_settings *s, char *line)
{
    char *sp = strchr(line, ' ');
    if (!sp)
        return;
    *sp = '\0';
    char *hex = sp + 1;
    hex[strcspn(hex, "\r\n")] = '\0';
    size_t hl = strlen(hex);
    uint8_t val[SIM_SETTING_VAL_MAX];
    if (hl % 2 || hl / 2 > sizeof val)
        return;
    for (size_t i = 0; i < hl / 2; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return;
        val[i] = (uint8_t)(hi << 4 | lo);
    }
    sim_settings_set(s, line, val, hl / 2);
}

int sim_settings_parse(struct sim_settings *s, const char *text)
{
    char line[SIM_SETTING_NAME_MAX + 2 * SIM_SETTING_VAL_MAX + 8];
    s->n = 0;
    while (*text) {
        size_t n = strcspn(text, "\n");
        if (n < sizeof line) {
            memcpy(line, text, n);
            line[n] = '\0';
            load_line(s, line);
        }
        text += n + (text[n] == '\n');
    }
    return SIM_OK;
}

int sim_settings_load(struct sim_settings *s)
{
    uint8_t *text;
    size_t len;
    char why[700];

    s->n = 0;
    /* a board that never saved a setting has no file: an empty store */
    if (access(s->path, F_OK) != 0 && errno == ENOENT)
        return SIM_OK;
    /* the whole file (a hand-edited one may be long), and a read that
     * fails is an error: fewer settings would be saved over the file */
    if (img_read_file(s->path, &text, &len, why, sizeof why) != IMAGE_OK)
        return SIM_EIO;
    int rc = sim_settings_parse(s, (const char *)text);
    free(text);
    return rc;
}

int sim_settings_save(const struct sim_settings *s)
{
    char tmp[620];
    snprintf(tmp, sizeof tmp, "%s.tmp", s->path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return SIM_EIO;
    for (size_t i = 0; i < s->n; i++) {
        fprintf(f, "%s ", s->items[i].name);
        for (size_t j = 0; j < s->items[i].len; j++)
            fprintf(f, "%02x", s->items[i].val[j]);
        fputc('\n', f);
    }
    if (fclose(f) != 0 || rename(tmp, s->path) != 0)
        return SIM_EIO;
    return SIM_OK;
}

int sim_settings_get(const struct sim_settings *s, const char *name, uint8_t *val,
                     size_t cap, size_t *len)
{
    struct sim_setting *it = find((struct sim_settings *)s, name);
    if (!it)
        return SIM_ENOENT;
    memcpy(val, it->val, it->len < cap ? it->len : cap);
    *len = it->len;
    return SIM_OK;
}

int sim_settings_set(struct sim_settings *s, const char *name, const uint8_t *val,
                     size_t len)
{
    if (!name_ok(name))
        return SIM_EINVAL;
    if (len > SIM_SETTING_VAL_MAX)
        return SIM_ETOOBIG;
    struct sim_setting *it = find(s, name);
    if (!it) {
        if (s->n == SIM_SETTINGS_MAX)
            return SIM_ETOOBIG;
        it = &s->items[s->n++];
        strcpy(it->name, name);
    }
    memcpy(it->val, val, len);
    it->len = len;
    return SIM_OK;
}

int sim_settings_delete(struct sim_settings *s, const char *name)
{
    struct sim_setting *it = find(s, name);
    if (!it)
        return SIM_ENOENT;
    *it = s->items[--s->n];
    return SIM_OK;
}

void sim_settings_clear(struct sim_settings *s)
{
    s->n = 0;
}
