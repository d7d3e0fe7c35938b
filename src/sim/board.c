/*
 * The board: state directory, flash, reset (bootloader, then firmware
 * personality), DFU button and LEDs, console log, provisioning.
 * Not here: the links and the event loop (loop.c), the SMP platform
 * callbacks (platform.c), JSON reports (report.c).
 */
#include "sim/board.h"
#include "image/image_crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image/file.h"
#include "image/keys.h"
#include "sim/fsroot.h"
#include "sim/sim.h"

uint64_t sim_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void sim_config_defaults(struct sim_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->profile = sim_profile_find("nrf52840");
    cfg->udp_port = SIM_DEFAULT_UDP_PORT;
    cfg->pty = true;
    cfg->strategy = BOOT_STRATEGY_SWAP_MOVE;
    cfg->fail_after = -1;
    cfg->unplug_after = -1;
    cfg->unplug_ms = 1000;
    cfg->stall_after = -1;
    cfg->stall_ms = 3000;
    sim_ble_cfg_defaults(&cfg->ble);
}

int sim_config_add_key(struct sim_config *cfg, const char *pem_path)
{
    if (cfg->nkeys == SIM_MAX_KEYS)
        return SIM_ETOOBIG;
    size_t n = cfg->nkeys, len = 0;
    if (image_key_load_public_der(pem_path, cfg->key_der[n], SIM_KEY_DER_MAX,
                                  &len) != 0)
        return SIM_EINVAL;
    /* A key the port cannot check (Ed25519 on mbedTLS 2.28) would make
     * every image signed with it unbootable: refuse it now, by name. */
    enum image_key_kind kind;
    int rc = image_crypto_key_kind(cfg->key_der[n], len, &kind);
    if (rc == IMAGE_ERR_UNSUPPORTED || (rc == IMAGE_OK && !image_crypto_supports(kind)))
        return SIM_EUNSUPPORTED;
    cfg->keys[n].der = cfg->key_der[n];
    cfg->keys[n].der_len = len;
    cfg->nkeys++;
    return SIM_OK;
}

int sim_config_set_enc_key(struct sim_config *cfg, const char *pem_path)
{
    size_t len = 0;
    if (image_key_load_private_der(pem_path, cfg->enc_key_der, sizeof cfg->enc_key_der,
                                   &len) != 0)
        return SIM_EINVAL;
    cfg->enc_key_len = len;
    return SIM_OK;
}

const char *sim_led_mode_name(enum sim_led_mode m)
{
    static const char *names[] = { "off", "on", "slow-blink", "fast-blink", "sos" };
    return (unsigned)m < sizeof names / sizeof names[0] ? names[m] : "?";
}

const char *sim_reset_cause_name(enum sim_reset_cause c)
{
    static const char *names[] = { "power-on", "soft", "pin", "watchdog" };
    return (unsigned)c < sizeof names / sizeof names[0] ? names[c] : "?";
}

void sim_board_log(struct sim_board *b, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (!b->cfg.quiet) {
        fprintf(stdout, "%s\n", line);
        fflush(stdout);
    }
    if (b->console) {
        fprintf(b->console, "%s\n", line);
        fflush(b->console);
    }
}

static void boot_log_line(void *ctx, const char *line)
{
    sim_board_log(ctx, "%s", line);
}

static int make_dir(const char *path)
{
    if (mkdir(path, 0755) == 0 || errno == EEXIST)
        return SIM_OK;
    return SIM_ESTATE;
}

/* The hardware id is made once per board, like a chip's factory id. */
static int load_hwid(struct sim_board *b)
{
    char path[600];
    snprintf(path, sizeof path, "%s/hwid", b->cfg.state_dir);
    FILE *f = fopen(path, "r");
    if (f) {
        int ok = fscanf(f, "%16s", b->hwid) == 1;
        fclose(f);
        if (ok && strlen(b->hwid) > 0)
            return SIM_OK;
    }
    if (b->cfg.serial) {
        snprintf(b->hwid, sizeof b->hwid, "%s", b->cfg.serial);
    } else {
        uint64_t v = sim_now_ns() ^ ((uint64_t)getpid() << 32);
        int fd = open("/dev/urandom", O_RDONLY);
        if (fd >= 0) {
            if (read(fd, &v, sizeof v) != (ssize_t)sizeof v)
                v ^= 0x5eed;
            close(fd);
        }
        snprintf(b->hwid, sizeof b->hwid, "%016llx", (unsigned long long)v);
    }
    f = fopen(path, "w");
    if (!f)
        return SIM_ESTATE;
    fprintf(f, "%s\n", b->hwid);
    return fclose(f) == 0 ? SIM_OK : SIM_ESTATE;
}

/* One board per state folder: a second process on the same flash.bin
 * (a second board, or a provision under a running board) would corrupt
 * what the first one believes its flash holds. */
static int take_lock(struct sim_board *b)
{
    char path[600];
    snprintf(path, sizeof path, "%s/lock", b->cfg.state_dir);
    b->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (b->lock_fd < 0)
        return SIM_ESTATE;
    if (flock(b->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        char pid[32] = "";
        ssize_t n = pread(b->lock_fd, pid, sizeof pid - 1, 0);
        pid[n > 0 ? n : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        fprintf(stderr, "mcusim: a board is already running in %s (pid %s)\n",
                b->cfg.state_dir, pid[0] ? pid : "?");
        close(b->lock_fd);
        b->lock_fd = -1;
        return SIM_EBUSY;
    }
    char pid[32];
    int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(b->lock_fd, 0) != 0 || pwrite(b->lock_fd, pid, (size_t)len, 0) != len)
        return SIM_ESTATE;
    return SIM_OK;
}

/* The last page of the storage partition holds the SMP server's durable
 * upload record (smpsrv/groups/upload_record.c); storage keeps the rest.
 * With swap-using-scratch the partition is the scratch, which a swap
 * owns: no record then (an upload resumes only until a reset). */
static void reserve_upload_record(struct sim_board *b)
{
    struct flash_area *st = &b->areas[FA_ID_STORAGE];
    uint32_t sec = b->cfg.profile->sector_size;
    if (b->cfg.strategy == BOOT_STRATEGY_SWAP_SCRATCH || !st->dev || st->size <= sec)
        return;
    st->size -= sec;
    b->upload_rec = (struct flash_area){ .id = FA_ID_STORAGE, .dev = st->dev,
                                         .off = st->off + st->size, .size = sec };
}

static void setup_areas(struct sim_board *b)
{
    const struct sim_profile *p = b->cfg.profile;
    for (size_t i = 0; i < p->nparts; i++) {
        const struct sim_partition *part = &p->parts[i];
        if (part->id >= sizeof b->areas / sizeof b->areas[0])
            continue;
        b->areas[part->id] = (struct flash_area){
            .id = part->id, .dev = &b->flash.dev,
            .off = part->addr, .size = part->size,
        };
    }
    reserve_upload_record(b);
    b->enc_key = (struct image_enc_key){ b->cfg.enc_key_der, b->cfg.enc_key_len };
    b->boot = (struct boot_config){
        .primary = &b->areas[FA_ID_SLOT0],
        .secondary = &b->areas[FA_ID_SLOT1],
        .scratch = &b->areas[FA_ID_SCRATCH],
        .strategy = b->cfg.strategy,
        .keys = b->cfg.nkeys ? b->cfg.keys : NULL,
        .nkeys = b->cfg.nkeys,
        .downgrade_prevention = b->cfg.downgrade_prevention,
        .enc_key = b->cfg.enc_key_len ? &b->enc_key : NULL,
        .log = boot_log_line,
        .log_ctx = b,
    };
}

static int open_flash(struct sim_board *b)
{
    const struct sim_profile *p = b->cfg.profile;
    char path[600];
    snprintf(path, sizeof path, "%s/flash.bin", b->cfg.state_dir);
    if (flash_model_open_file(&b->flash, path, p->flash_size, p->sector_size,
                              p->write_align) != FLASH_OK)
        return SIM_ESTATE;
    if (b->cfg.flash_timing)
        flash_model_set_timing(&b->flash, p->erase_us, p->word_write_ns);
    if (b->cfg.fail_after >= 0)
        flash_model_fail_after(&b->flash, b->cfg.fail_after, b->cfg.torn);
    return SIM_OK;
}

int sim_board_open(struct sim_board *b, const struct sim_config *cfg)
{
    memset(b, 0, sizeof *b);
    b->cfg = *cfg;
    /* keys point into the config's own buffers: re-aim them at our copy */
    for (size_t i = 0; i < b->cfg.nkeys; i++)
        b->cfg.keys[i].der = b->cfg.key_der[i];
    if (!cfg->state_dir || !cfg->profile)
        return SIM_EINVAL;
    b->lock_fd = -1;
    if (make_dir(cfg->state_dir) != SIM_OK)
        return SIM_ESTATE;
    int lrc = take_lock(b);
    if (lrc != SIM_OK)
        return lrc;
    snprintf(b->path_fs, sizeof b->path_fs, "%s/fs", cfg->state_dir);
    if (make_dir(b->path_fs) != SIM_OK)
        return SIM_ESTATE;
    char path[600];
    snprintf(path, sizeof path, "%s/console.log", cfg->state_dir);
    b->console = fopen(path, "a");
    if (!b->console) {
        sim_board_close(b);
        return SIM_ESTATE;
    }
    int rc = load_hwid(b);
    if (rc == SIM_OK)
        rc = open_flash(b);
    if (rc == SIM_OK)
        rc = sim_fs_prepare(b->path_fs);
    snprintf(path, sizeof path, "%s/settings", cfg->state_dir);
    if (rc == SIM_OK)
        rc = sim_settings_open(&b->settings, path);
    if (rc != SIM_OK) {
        sim_board_close(b);
        return rc;
    }
    setup_areas(b);
    b->status_led = SIM_LED_OFF;
    b->error_led = SIM_LED_OFF;
    return SIM_OK;
}

void sim_board_close(struct sim_board *b)
{
    flash_model_close(&b->flash);
    if (b->console)
        fclose(b->console);
    b->console = NULL;
    if (b->lock_fd >= 0)
        close(b->lock_fd); /* releases the lock */
    b->lock_fd = -1;
}

static void hex_of(const uint8_t *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

/* The firmware personality starts: the chosen image "runs". */
static void start_firmware(struct sim_board *b)
{
    const struct image_info *img = &b->boot_res.image;
    image_version_fmt(&img->hdr.ver, b->version, sizeof b->version);
    hex_of(img->hash, img->hash_len, b->hash_hex);
    b->running = true;
    sim_board_log(b, "I: Jumping to the first image slot");
    sim_board_log(b, "*** Booting mcusim firmware v%s (%s) on %s ***",
                  b->version, b->cfg.profile->board, b->hwid);
    b->status_led = b->dfu_mode ? SIM_LED_FAST_BLINK : SIM_LED_SLOW_BLINK;
    b->error_led = b->dfu_mode ? SIM_LED_SOS : SIM_LED_OFF;
}

int sim_board_reset(struct sim_board *b, enum sim_reset_cause cause)
{
    b->running = false;
    b->reset_pending = false;
    b->version[0] = b->hash_hex[0] = '\0';
    b->reset_cause = cause;
    b->boot_count++;
    b->boot_ns = sim_now_ns();
    /* a reset releases nothing held: button 1 held through it means DFU */
    b->dfu_mode = b->button[0];
    memset(&b->boot_res, 0, sizeof b->boot_res);
    sim_board_log(b, "*** Booting MCUboot (reset cause: %s) ***",
                  sim_reset_cause_name(cause));
    int rc = boot_go(&b->boot, &b->boot_res);
    if (rc == FLASH_ERR_POWER || b->flash.powered_off) {
        sim_board_log(b, "E: power cut during boot (fault injection)");
        return SIM_EFLASH;
    }
    if (rc != 0) {
        sim_board_log(b, "E: Unable to find bootable image%s%s",
                      b->boot_res.reason[0] ? ": " : "", b->boot_res.reason);
        b->status_led = SIM_LED_OFF;
        b->error_led = SIM_LED_ON;
        return SIM_ENOBOOT;
    }
    start_firmware(b);
    if (b->dfu_mode)
        sim_board_log(b, ">>> Entering DFU Mode");
    return SIM_OK;
}

void sim_board_button(struct sim_board *b, int button, bool pressed)
{
    if (button < 1 || button > 2)
        return;
    b->button[button - 1] = pressed;
    sim_board_log(b, "button %d %s", button, pressed ? "pressed" : "released");
    if (button != 1 || !pressed || b->dfu_mode)
        return;
    b->dfu_mode = true;
    b->status_led = SIM_LED_FAST_BLINK;
    b->error_led = SIM_LED_SOS;
    sim_board_log(b, ">>> Entering DFU Mode");
    sim_board_log(b, "led: status %s, error %s", sim_led_mode_name(b->status_led),
                  sim_led_mode_name(b->error_led));
}

/* Erase the whole slot, then program the file padded to the write unit. */
static int program_slot(const struct flash_area *fa, const uint8_t *img, size_t len)
{
    if (fa_erase(fa, 0, fa->size) != FLASH_OK)
        return SIM_EFLASH;
    uint32_t align = fa_align(fa);
    size_t body = len - len % align;
    if (body && fa_write(fa, 0, img, body) != FLASH_OK)
        return SIM_EFLASH;
    if (len > body) {
        uint8_t tail[64];
        memset(tail, fa_erased_val(fa), sizeof tail);
        memcpy(tail, img + body, len - body);
        if (fa_write(fa, (uint32_t)body, tail, align) != FLASH_OK)
            return SIM_EFLASH;
    }
    return SIM_OK;
}

int sim_board_provision(struct sim_board *b, const char *image_path)
{
    uint8_t *img;
    size_t len;
    char err[300];
    /* a signed image, or its Intel HEX form (what a factory programmer takes) */
    int rc = img_load_image(image_path, &img, &len, err, sizeof err);
    if (rc == IMAGE_ERR_BAD_ARG)
        return SIM_EIMAGE; /* malformed HEX */
    if (rc != IMAGE_OK)
        return access(image_path, R_OK) == 0 ? SIM_EIO : SIM_ENOENT;
    const struct flash_area *slot0 = &b->areas[FA_ID_SLOT0];
    struct image_mem mem = { img, len };
    struct image_info info;
    if (len > slot0->size ||
        image_read_info(image_mem_read, &mem, (uint32_t)len, &info) != IMAGE_OK) {
        free(img);
        return SIM_EIMAGE;
    }
    rc = program_slot(slot0, img, len);
    free(img);
    if (rc == SIM_OK && flash_model_sync(&b->flash) != FLASH_OK)
        rc = SIM_EIO;
    char ver[32];
    image_version_fmt(&info.hdr.ver, ver, sizeof ver);
    if (rc == SIM_OK)
        sim_board_log(b, "factory: programmed %s (v%s, %zu bytes) into slot 0",
                      image_path, ver, len);
    return rc;
}
