/*
 * The board's devices: CMSDK APB UARTs, SysTick, the CMSDK APB watchdog,
 * and the reset through the SCB. Register facts: the CMSDK technical
 * reference (ARM DDI0479) as QEMU 7.2 models them.
 */
#include "board.h"

#include <string.h>

#include "boot/bootutil.h"

#define REG(addr) (*(volatile uint32_t *)(addr))

/* ---- CMSDK APB UART ---- */
#define UART0_BASE 0x40004000u
#define UART1_BASE 0x40005000u
#define UART_DATA 0x00u
#define UART_STATE 0x04u
#define UART_CTRL 0x08u
#define UART_BAUDDIV 0x10u
#define UART_STATE_TXFULL (1u << 0)
#define UART_STATE_RXFULL (1u << 1)
#define UART_CTRL_TX_EN (1u << 0)
#define UART_CTRL_RX_EN (1u << 1)
#define UART_BAUD 115200u

static void uart_setup(uint32_t base, uint32_t ctrl)
{
    /* the divider must be 16 or more before the line transmits */
    REG(base + UART_BAUDDIV) = BOARD_SYSCLK_HZ / UART_BAUD;
    REG(base + UART_CTRL) = ctrl;
}

void uart_init(bool rx)
{
    uart_setup(UART0_BASE, UART_CTRL_TX_EN | (rx ? UART_CTRL_RX_EN : 0));
    uart_setup(UART1_BASE, UART_CTRL_TX_EN);
}

int uart_getc(void)
{
    if (!(REG(UART0_BASE + UART_STATE) & UART_STATE_RXFULL))
        return -1;
    return (int)(REG(UART0_BASE + UART_DATA) & 0xffu);
}

static bool uart_putc(uint32_t base, uint8_t c, uint32_t timeout_ms)
{
    uint32_t start = board_uptime_ms();
    while (REG(base + UART_STATE) & UART_STATE_TXFULL)
        if (board_uptime_ms() - start > timeout_ms)
            return false;
    REG(base + UART_DATA) = c;
    return true;
}

bool uart_write(const void *buf, size_t len, uint32_t timeout_ms)
{
    const uint8_t *p = buf;
    for (size_t i = 0; i < len; i++)
        if (!uart_putc(UART0_BASE, p[i], timeout_ms))
            return false;
    return true;
}

void uart_log_write(const void *buf, size_t len)
{
    const uint8_t *p = buf;
    for (size_t i = 0; i < len; i++)
        if (!uart_putc(UART1_BASE, p[i], 10))
            return;
}

/* ---- console lines ---- */

/* A console line never waits long for the UART: a line is dropped rather
 * than the firmware stopped. */
#define CONSOLE_TIMEOUT_MS 50u

static void console_out(const char *s, size_t n)
{
    uart_write(s, n, CONSOLE_TIMEOUT_MS);
    uart_log_write(s, n);
}

static size_t fmt_dec(char *out, uint32_t v)
{
    char tmp[10];
    size_t n = 0, len = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        out[len++] = tmp[--n];
    return len;
}

void console_line_u(const char *a, uint32_t v, const char *b)
{
    char num[10];
    size_t n = fmt_dec(num, v);
    if (a)
        console_out(a, strlen(a));
    console_out(num, n);
    if (b)
        console_out(b, strlen(b));
    console_out("\r\n", 2);
}

void console_line(const char *a, const char *b)
{
    if (a)
        console_out(a, strlen(a));
    if (b)
        console_out(b, strlen(b));
    console_out("\r\n", 2);
}

/* ---- SysTick: the core clock, 1 ms period ---- */
#define SYST_CSR 0xE000E010u
#define SYST_RVR 0xE000E014u
#define SYST_CVR 0xE000E018u
#define SYST_CSR_ENABLE (1u << 0)
#define SYST_CSR_TICKINT (1u << 1)
#define SYST_CSR_CLKSOURCE (1u << 2)

static volatile uint32_t uptime_ms;

void SysTick_Handler(void)
{
    uptime_ms++;
}

void systick_init(void)
{
    REG(SYST_RVR) = BOARD_SYSCLK_HZ / 1000u - 1u;
    REG(SYST_CVR) = 0;
    REG(SYST_CSR) = SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE;
}

void systick_stop(void)
{
    REG(SYST_CSR) = 0;
}

uint32_t board_uptime_ms(void)
{
    return uptime_ms;
}

uint32_t board_uptime_us(void)
{
    uint32_t ms, cvr;
    do { /* a tick between the two reads: read again */
        ms = uptime_ms;
        cvr = REG(SYST_CVR);
    } while (ms != uptime_ms);
    uint32_t per_ms = BOARD_SYSCLK_HZ / 1000u;
    return ms * 1000u + (per_ms - 1u - cvr) / (per_ms / 1000u);
}

void board_delay_ms(uint32_t ms)
{
    uint32_t start = uptime_ms;
    while (uptime_ms - start < ms)
        __asm__ volatile("wfi");
}

/* ---- CMSDK APB watchdog ---- */
#define WDOG_BASE 0x40008000u
#define WDOG_LOAD 0x000u
#define WDOG_CONTROL 0x008u
#define WDOG_INTCLR 0x00Cu
#define WDOG_LOCK 0xC00u
#define WDOG_CONTROL_INTEN (1u << 0)
#define WDOG_CONTROL_RESEN (1u << 1)
#define WDOG_UNLOCK 0x1ACCE551u

/* The watchdog runs while INTEN is set; RESEN makes its second timeout
 * reset the board. Locked after each access, as a driver should. */
void watchdog_start(void)
{
    REG(WDOG_BASE + WDOG_LOCK) = WDOG_UNLOCK;
    REG(WDOG_BASE + WDOG_LOAD) = BOARD_SYSCLK_HZ / 1000u * BOARD_WDT_PERIOD_MS;
    REG(WDOG_BASE + WDOG_CONTROL) = WDOG_CONTROL_INTEN | WDOG_CONTROL_RESEN;
    REG(WDOG_BASE + WDOG_LOCK) = 0;
}

/* Clearing the interrupt reloads the counter: the feed. */
void watchdog_feed(void)
{
    REG(WDOG_BASE + WDOG_LOCK) = WDOG_UNLOCK;
    REG(WDOG_BASE + WDOG_INTCLR) = 1;
    REG(WDOG_BASE + WDOG_LOCK) = 0;
}

void watchdog_stop(void)
{
    REG(WDOG_BASE + WDOG_LOCK) = WDOG_UNLOCK;
    REG(WDOG_BASE + WDOG_CONTROL) = 0;
    REG(WDOG_BASE + WDOG_LOCK) = 0;
}

/* The boot library's watchdog hook (boot/bootutil.h): its copy loops,
 * erases and hashing call it, in the bootloader and in the application's
 * image group alike. */
void boot_watchdog_feed(void)
{
    watchdog_feed();
}

bool watchdog_running(void)
{
    return (REG(WDOG_BASE + WDOG_CONTROL) & WDOG_CONTROL_INTEN) != 0;
}

/* The first timeout: the next one resets the board. Said on the console;
 * the counter is not reloaded (that would be a feed). */
void NMI_Handler(void)
{
    console_line("wdt: watchdog timeout: the board resets at the next one", NULL);
}

/* ---- reset ---- */
#define SCB_AIRCR 0xE000ED0Cu
#define AIRCR_VECTKEY (0x05FAu << 16)
#define AIRCR_SYSRESETREQ (1u << 2)

void board_reset(void)
{
    __asm__ volatile("dsb" ::: "memory");
    REG(SCB_AIRCR) = AIRCR_VECTKEY | AIRCR_SYSRESETREQ;
    __asm__ volatile("dsb" ::: "memory");
    for (;;)
        __asm__ volatile("nop");
}
