/*
 * The board: QEMU's mps2-an386 (a Cortex-M4 on the MPS2 FPGA board,
 * application note AN386), as the firmware sees it. Facts from QEMU 7.2's
 * hw/arm/mps2.c: ZBT SSRAM1 at 0x00000000 (4 MiB, where the CPU fetches
 * its vector table at reset), SSRAM2/3 at 0x20000000 (4 MiB), the CMSDK
 * APB UART0 at 0x40004000 and UART1 at 0x40005000, the CMSDK APB watchdog
 * at 0x40008000 (its interrupt is the NMI; its reset output resets the
 * whole machine), a 25 MHz system clock; SYSRESETREQ in the SCB's AIRCR
 * resets the machine too.
 *
 * The flash: the board has none, so the first MiB of SSRAM1 stands in for
 * an nRF52840's 1 MiB of memory-mapped NOR flash, with that chip's
 * partition layout (layout.h), and a file on the host (DIR/flash.bin,
 * reached through semihosting) keeps its contents across resets and
 * restarts of QEMU (flash.c, firmware/README.md).
 */
#ifndef FW_BOARD_H
#define FW_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BOARD_SYSCLK_HZ 25000000u
#define BOARD_NAME "mps2-an386"

/* ---- console and SMP: UART0 on QEMU's -serial pty; UART1 a copy of the
 * console lines (a log file on the host) ---- */
/* rx: listen on UART0. The bootloader does not: bytes a host sends while
 * it runs wait in the line (QEMU holds them) for the application. */
void uart_init(bool rx);
/* One byte in, or -1 when none waits. */
int uart_getc(void);
/* Writes len bytes to UART0; gives up (returns false) when the line has
 * not taken a byte for timeout_ms: a host holding the pty without reading
 * it must not stop the firmware. */
bool uart_write(const void *buf, size_t len, uint32_t timeout_ms);
/* UART1 only (the console copy); never blocks for long. */
void uart_log_write(const void *buf, size_t len);

/* ---- console lines (UART0 and the UART1 copy) ---- */
void console_line(const char *a, const char *b);
void console_line_u(const char *a, uint32_t v, const char *b);

/* ---- timebase: SysTick at 1 kHz ---- */
void systick_init(void);
void systick_stop(void);
uint32_t board_uptime_ms(void);
/* Microseconds, from the SysTick counter (40 ns steps); wraps after 71 min. */
uint32_t board_uptime_us(void);
void board_delay_ms(uint32_t ms);

/* ---- watchdog: the CMSDK APB watchdog. Its first timeout raises the NMI
 * (which says so on the console), the second one resets the board: the
 * board resets after twice the period without a feed. ---- */
#define BOARD_WDT_PERIOD_MS 1000u
void watchdog_start(void);
void watchdog_feed(void);
/* Only where nothing can ever run (no bootable image): a reset would not help. */
void watchdog_stop(void);
bool watchdog_running(void);

/* ---- reset through SYSRESETREQ ---- */
void board_reset(void) __attribute__((noreturn));

#endif
