/*
 * The simulated board: a board profile's flash in DIR/flash.bin, the
 * bootloader (boot/) run at every reset, and the "firmware personality"
 * that runs after it: the SMP server (smpsrv/) answering on a UART (a pty)
 * and on UDP, a DFU button, two LEDs and a console log.
 *
 * There is no CPU emulator: the firmware that "runs" is this server,
 * reporting the version and hash of the image the bootloader chose.
 *
 * State directory (DIR):
 *   flash.bin    the whole flash, file offset = flash address (survives restarts)
 *   tty          symlink to the current pty slave (/dev/pts/N)
 *   ctl.sock     control socket (button presses, status, link faults)
 *   console.log  everything the console printed, appended
 *   hwid         the board's hardware id (16 hex digits, made on first use)
 *   fs/          the firmware's file system (fs group)
 *   settings     persisted settings (settings group)
 *   lock         held (flock) by the process that has the board open
 */
#ifndef SIM_BOARD_H
#define SIM_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "boot/bootutil.h"
#include "boot/flash_area.h"
#include "image/image.h"
#include "sim/ble.h"
#include "sim/flash_model.h"
#include "sim/link.h"
#include "sim/profile.h"
#include "sim/settings_store.h"
#include "smpsrv/smpsrv.h"

#define SIM_MAX_KEYS 8
#define SIM_KEY_DER_MAX 1024
#define SIM_ENC_KEY_DER_MAX 2048
#define SIM_DEFAULT_UDP_PORT 1337
/* Zephyr's defaults: CONFIG_MCUMGR_TRANSPORT_NETBUF_SIZE / _COUNT for a
 * UART build (384 x 4) and for a UDP build (2048 x 2). */
#define SIM_UART_BUF_SIZE 384
#define SIM_UART_BUF_COUNT 4
#define SIM_UDP_BUF_SIZE 2048
#define SIM_UDP_BUF_COUNT 2
/* MCUboot serial recovery: CONFIG_BOOT_SERIAL_MAX_RECEIVE_SIZE default */
#define SIM_RECOVERY_BUF_SIZE 1024
#define SIM_RSP_CAP 4096

struct sim_config {
    const char *state_dir;
    const struct sim_profile *profile;
    int udp_port;                 /* 0 = no UDP */
    bool pty;                     /* false with --no-pty */
    uint32_t baud;                /* 0 = unpaced pty */
    bool flash_timing;            /* the profile's erase/write times */
    uint32_t buf_size, buf_count; /* 0 = per-transport defaults above */
    uint32_t line_buf;            /* UART line buffer, marker and '\n' included; 0 = 128 */
    uint32_t report_buf_size;     /* test: OS cmd 6 reports this; 0 = the real buf_size */
    bool no_params;               /* test: firmware without OS cmd 6 (answers ENOTSUP) */
    enum boot_strategy_id strategy;
    uint8_t key_der[SIM_MAX_KEYS][SIM_KEY_DER_MAX];
    struct image_key keys[SIM_MAX_KEYS];
    size_t nkeys;
    uint8_t enc_key_der[SIM_ENC_KEY_DER_MAX]; /* image-encryption private key */
    size_t enc_key_len;                       /* 0 = none: encrypted images refused */
    bool downgrade_prevention;
    long fail_after;              /* flash ops before a power cut; -1 never */
    bool torn;                    /* the cut operation is left half done */
    bool dfu_gate;                /* image upload/test/erase only in DFU mode */
    bool dfu_at_start;            /* button 1 held at power-on */
    struct sim_fault_cfg uart_faults, udp_faults;
    long unplug_after;            /* uart bytes received before unplug; -1 never */
    uint32_t unplug_ms;           /* how long it stays unplugged */
    uint32_t reenumerate_ms;      /* >0: every reset unplugs the pty this long */
    long stall_after;             /* uart bytes received before a stall; -1 never */
    uint32_t stall_ms;
    struct sim_ble_cfg ble;       /* --ble NAME and its link (ble.h) */
    bool trace;                   /* log every SMP request on the console */
    bool quiet;                   /* console to console.log only */
    const char *serial;           /* hardware id for a new board, NULL = random */
};

void sim_config_defaults(struct sim_config *cfg);
/* Loads a PEM key (private or public) as a trusted bootloader key. */
int sim_config_add_key(struct sim_config *cfg, const char *pem_path);
/* Loads a PEM private key as the bootloader's image-encryption key. */
int sim_config_set_enc_key(struct sim_config *cfg, const char *pem_path);

enum sim_led_mode { SIM_LED_OFF = 0, SIM_LED_ON, SIM_LED_SLOW_BLINK,
                    SIM_LED_FAST_BLINK, SIM_LED_SOS };
const char *sim_led_mode_name(enum sim_led_mode m);

enum sim_reset_cause { SIM_RESET_POWER_ON = 0, SIM_RESET_SOFT, SIM_RESET_PIN,
                       SIM_RESET_WATCHDOG };
const char *sim_reset_cause_name(enum sim_reset_cause c);

struct sim_link_stats {
    uint64_t rx_bytes, tx_bytes;
    uint64_t requests, responses;
    uint64_t dropped_no_buf;      /* a request found every buffer taken */
    uint64_t dropped_too_big;     /* a request larger than buf_size (serial:
                                     prefix + message + CRC) */
    uint64_t dropped_long_line;   /* serial: a line longer than the line buffer */
    uint64_t dropped_corrupt;     /* frames the receiver rejected */
    uint32_t inflight, max_inflight;  /* buffers held (decoded, unanswered) */
    /* requests the host has begun sending and not had answered yet, as the
     * host's window sees them (first frame line seen on the wire) */
    uint32_t outstanding, max_outstanding;
};

struct sim_board {
    struct sim_config cfg;
    struct flash_model flash;
    struct flash_area areas[5];   /* indexed by enum flash_area_id */
    struct flash_area upload_rec; /* last storage page: the SMP server's upload record */
    struct boot_config boot;
    struct image_enc_key enc_key;  /* points into cfg.enc_key_der */
    struct boot_result boot_res;
    bool running;                 /* an image booted: the firmware serves SMP */
    char version[32];             /* of the running image */
    char hash_hex[129];
    char hwid[17];
    bool dfu_mode;
    bool button[2];
    enum sim_led_mode status_led, error_led;
    enum sim_reset_cause reset_cause;
    uint32_t boot_count;
    uint64_t boot_ns;             /* monotonic time of the last reset */
    bool reset_pending;
    /* SMP server: one platform, and what each link gives its packets
     * (the buffers params reports; the UART is the serial line) */
    struct smpsrv srv;
    struct smpsrv_platform plat;
    struct smpsrv_transport uart_tp, udp_tp;
    uint8_t rsp_buf[SIM_RSP_CAP];
    struct sim_link_stats uart_st, udp_st;
    int64_t clock_offset_us;      /* RTC minus host clock (datetime set) */
    struct sim_settings settings; /* DIR/settings */
    FILE *console;                /* DIR/console.log */
    int lock_fd;                  /* DIR/lock, held while the board is open */
    char path_fs[512];
};

/* Opens DIR (creating it and flash.bin), the console log and the hwid.
 * SIM_EBUSY (and a message on stderr) when another process has it open. */
int sim_board_open(struct sim_board *b, const struct sim_config *cfg);
void sim_board_close(struct sim_board *b);
/* Runs the bootloader on the flash and starts whatever it chose. Returns 0
 * when an image runs, SIM_ENOBOOT when none can, SIM_EFLASH on a power cut
 * (--fail-after). */
int sim_board_reset(struct sim_board *b, enum sim_reset_cause cause);
/* Button 1 pressed (DFU mode) or released. */
void sim_board_button(struct sim_board *b, int button, bool pressed);
/* One console line (no newline): stdout unless quiet, and console.log. */
void sim_board_log(struct sim_board *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Writes IMAGE into slot 0 as a factory programmer would (erase + program,
 * confirmed when the image carries no trailer). */
int sim_board_provision(struct sim_board *b, const char *image_path);
/* Board status as a JSON object (the `--status` command). Caller frees. */
char *sim_board_status_json(const struct sim_board *b);
/* --boot-once --json: the bootloader's decision as JSON. Caller frees. */
char *sim_board_boot_json(const struct sim_board *b, int boot_rc);

uint64_t sim_now_ns(void);

#endif
