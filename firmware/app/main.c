/*
 * The application: our SMP server (os, img, stat, shell, enum) on UART0
 * with the standard serial framing, a console "LED" that blinks, and the
 * watchdog fed from the main loop. Built deliberately broken with
 * FW_APP_BROKEN: 1 crashes at boot (jumps to an address that cannot run,
 * the HardFault handler stops), 2 hangs a second after it started (loops
 * without feeding the watchdog). Either way the watchdog resets the board and the bootloader
 * reverts an image that was on test.
 */
#include <string.h>

#include "board.h"
#include "boot/bootutil.h"
#include "flash.h"
#include "keys.h"
#include "layout.h"
#include "services.h"
#include "smp/serial.h"

#ifndef FW_APP_VERSION
#define FW_APP_VERSION "0.0.0"
#endif
#ifndef FW_BOOT_STRATEGY
#define FW_BOOT_STRATEGY BOOT_STRATEGY_SWAP_MOVE
#endif
#ifndef FW_APP_BROKEN
#define FW_APP_BROKEN 0
#endif

/* The UART's SMP buffers: as the simulated board's (a Zephyr default). */
#define APP_BUF_SIZE 384u
#define APP_BUF_COUNT 4u
#define APP_RSP_CAP 2048u
#define LED_PERIOD_MS 1000u
#define SMP_TX_TIMEOUT_MS 1000u

static struct app_state app;
static struct smpsrv_platform plat;
static struct smp_serial_rx rx;
static uint8_t rx_pkt[APP_BUF_SIZE];
static uint8_t rsp_buf[APP_RSP_CAP];
/* A framed response: the base64 of length + message + CRC, and on every
 * line of SMP_SERIAL_LINE_MAX bytes its 2-byte marker and newline. */
#define TX_B64_MAX ((APP_RSP_CAP + 4u + 2u) / 3u * 4u)
#define TX_FRAME_CAP (TX_B64_MAX + (TX_B64_MAX / (SMP_SERIAL_LINE_MAX - 3u) + 1u) * 3u)
static uint8_t tx_frame[TX_FRAME_CAP];

static const struct smpsrv_transport uart_tp = {
    .buf_size = APP_BUF_SIZE,
    .buf_count = APP_BUF_COUNT,
    .serial = true,
};

static const struct smp_group *const groups[] = {
    &smp_group_os, &smp_group_img, &smp_group_stat, &smp_group_shell, &smp_group_enum,
};

static int plat_reset(void *ctx, bool force)
{
    (void)ctx;
    (void)force;
    app.reset_pending = true;
    return 0;
}

static uint32_t plat_uptime_ms(void *ctx)
{
    (void)ctx;
    return board_uptime_ms();
}

static void fill_platform(void)
{
    static struct boot_config boot;
    boot = (struct boot_config){
        .primary = board_flash_area(FA_ID_SLOT0),
        .secondary = board_flash_area(FA_ID_SLOT1),
        .scratch = board_flash_area(FA_ID_SCRATCH),
        .strategy = FW_BOOT_STRATEGY,
    };
    plat.slot0 = boot.primary;
    plat.slot1 = boot.secondary;
    plat.boot_mode = boot_strategy_mode(boot.strategy);
    plat.max_image_size = boot_max_image_size(&boot);
    plat.keys = fw_keys;
    plat.nkeys = fw_nkeys;
    plat.upload_record = board_upload_record(boot.strategy == BOOT_STRATEGY_SWAP_SCRATCH);
    plat.uptime_ms = plat_uptime_ms;
    plat.kernel_name = "mcutools";
    plat.node_name = BOARD_NAME;
    plat.kernel_release = FW_APP_VERSION;
    plat.kernel_version = "bare-metal";
    plat.build_time = __DATE__ " " __TIME__;
    plat.machine = "arm";
    plat.processor = "cortex-m4";
    plat.hw_platform = BOARD_NAME;
    plat.os_name = "mcutools";
    plat.ctx = &app;
    plat.reset = plat_reset;
    app_services_fill(&plat);
}

/* One response: framed and written at once, so console lines only ever
 * fall between frames. */
static void emit(void *arg, const uint8_t *msg, size_t len)
{
    (void)arg;
    size_t n = smp_serial_encode(msg, len, tx_frame, sizeof tx_frame, SMP_SERIAL_LINE_MAX);
    if (n && uart_write(tx_frame, n, SMP_TX_TIMEOUT_MS))
        app.tx_bytes += (uint32_t)n;
}

static void poll_uart(void)
{
    int c;
    while ((c = uart_getc()) >= 0) {
        app.rx_bytes++;
        size_t len = smp_serial_rx_byte(&rx, (uint8_t)c);
        if (len)
            smpsrv_process(&app.srv, &uart_tp, rx.pkt, len, emit, NULL);
    }
    app.frames_dropped = rx.dropped;
}

/* A console line may go out only when no frame is coming in half-read:
 * the host reads frames line by line, anything between them is console. */
static bool between_frames(void)
{
    return rx.expect == 0 && rx.line_len == 0;
}

static void blink(uint32_t now, uint32_t *next)
{
    if ((int32_t)(now - *next) < 0 || !between_frames())
        return;
    app.led_on = !app.led_on;
    app.led_toggles++;
    console_line("led: ", app.led_on ? "on" : "off");
    *next = now + LED_PERIOD_MS;
}

/* The crash build: what a bad release does at boot. */
static void crash_at_boot(void)
{
    console_line("app: crash build: jumping to an address that cannot run", NULL);
    /* the system region (0xE0000000 and up) is never executable */
    void (*bad)(void) = (void (*)(void))0xE0100001u;
    bad();
}

/* The hang build: up and serving for a while, then stuck where it would
 * have fed the watchdog (a deadlock, say). */
#define HANG_AFTER_MS 1000u
static void hang_if_due(uint32_t now)
{
    static bool said;
    if (now < HANG_AFTER_MS)
        return;
    if (!said)
        console_line("app: hang build: stuck, the watchdog is no longer fed", NULL);
    said = true;
    for (;;)
        __asm__ volatile("nop");
}

int main(void)
{
    uart_init(true);
    systick_init();
    /* the bootloader started the watchdog; a board started without it
     * gets one here, so a hang is always caught */
    if (!watchdog_running())
        watchdog_start();
    watchdog_feed();
    console_line("*** Booting mcutools application v" FW_APP_VERSION " on ", BOARD_NAME " ***");
    if (FW_APP_BROKEN == 1)
        crash_at_boot();
    if (board_flash_open(false) != FLASH_OK)
        console_line("E: flash: cannot open flash.bin: updates are refused", NULL);
    fill_platform();
    smpsrv_init(&app.srv, groups, sizeof groups / sizeof groups[0], &plat, rsp_buf,
                sizeof rsp_buf);
    smp_serial_rx_init(&rx, rx_pkt, sizeof rx_pkt);
    smp_serial_rx_set_line_max(&rx, SMP_SERIAL_DEVICE_LINE_BUF);
    uint32_t next_blink = board_uptime_ms();
    for (;;) {
        watchdog_feed();
        poll_uart();
        if (app.reset_pending) {
            console_line("app: reset requested over SMP", NULL);
            board_reset();
        }
        blink(board_uptime_ms(), &next_blink);
        if (FW_APP_BROKEN == 2)
            hang_if_due(board_uptime_ms());
    }
}
