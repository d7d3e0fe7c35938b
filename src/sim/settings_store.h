/*
 * The firmware's settings: named opaque values kept in RAM and saved to
 * DIR/settings (one `name hex-value` line each), so they survive resets
 * and restarts as Zephyr's settings in the storage partition do.
 */
#ifndef SIM_SETTINGS_STORE_H
#define SIM_SETTINGS_STORE_H

#include <stddef.h>
#include <stdint.h>

#define SIM_SETTINGS_MAX 64
#define SIM_SETTING_NAME_MAX 64
#define SIM_SETTING_VAL_MAX 256

struct sim_setting {
    char name[SIM_SETTING_NAME_MAX + 1];
    uint8_t val[SIM_SETTING_VAL_MAX];
    size_t len;
};

struct sim_settings {
    char path[600];
    struct sim_setting items[SIM_SETTINGS_MAX];
    size_t n;
};

/* Sets the file and loads it (a missing file is an empty store; one that
 * cannot be read is SIM_EIO, never fewer settings). */
int sim_settings_open(struct sim_settings *s, const char *path);
int sim_settings_load(struct sim_settings *s);
/* Loads from file text; bad lines are skipped. */
int sim_settings_parse(struct sim_settings *s, const char *text);
int sim_settings_save(const struct sim_settings *s);
/* SIM_ENOENT when absent; copies at most cap bytes, *len = full length. */
int sim_settings_get(const struct sim_settings *s, const char *name, uint8_t *val,
                     size_t cap, size_t *len);
/* SIM_EINVAL for a bad name, SIM_ETOOBIG for a long value or a full store. */
int sim_settings_set(struct sim_settings *s, const char *name, const uint8_t *val,
                     size_t len);
int sim_settings_delete(struct sim_settings *s, const char *name);
void sim_settings_clear(struct sim_settings *s);

#endif
