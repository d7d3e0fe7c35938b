/*
 * Reset and the vector table, shared by the bootloader and the
 * application: copy .data from where it is loaded, clear .bss, allow the
 * FPU (the code is built for the hard-float ABI), then main(). A fault
 * says so on the console and stops: only the watchdog brings the board
 * back, as on a device in the field.
 */
#include <stdint.h>
#include <string.h>

#include "board.h"

extern uint32_t __data_load[], __data_start[], __data_end[];
extern uint32_t __bss_start[], __bss_end[];
extern uint32_t __stack_top[];

int main(void);
void Reset_Handler(void);
void HardFault_Handler(void);
void NMI_Handler(void);
void SysTick_Handler(void);

#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)
#define SCB_CFSR (*(volatile uint32_t *)0xE000ED28u)

void Reset_Handler(void)
{
    memcpy(__data_start, __data_load, (size_t)((char *)__data_end - (char *)__data_start));
    memset(__bss_start, 0, (size_t)((char *)__bss_end - (char *)__bss_start));
    SCB_CPACR |= 0xFu << 20; /* CP10, CP11: full access */
    __asm__ volatile("dsb\n\tisb" ::: "memory");
    main();
    for (;;)
        __asm__ volatile("wfi");
}

static void put_hex(char *out, uint32_t v)
{
    for (int i = 0; i < 8; i++)
        out[i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 0xfu];
    out[8] = '\0';
}

/* The stacked frame gives the faulting pc (frame word 6). */
void fault_report(const uint32_t *frame);
void fault_report(const uint32_t *frame)
{
    char pc[9], cfsr[9];
    put_hex(pc, frame[6]);
    put_hex(cfsr, SCB_CFSR);
    console_line("fault: HardFault at pc 0x", pc);
    console_line("fault: CFSR 0x", cfsr);
    console_line("fault: halted; the watchdog resets the board", NULL);
    for (;;)
        __asm__ volatile("wfi");
}

/* Naked: the frame is where the stack pointer is at entry, before any
 * prologue of ours moves it (the firmware runs on the main stack). */
__attribute__((naked)) void HardFault_Handler(void)
{
    __asm__ volatile("mrs r0, msp\n\t"
                     "b fault_report");
}

/* The C library's way out (exit, abort): stop, as after a fault. */
void _exit(int status) __attribute__((noreturn));
void _exit(int status)
{
    (void)status;
    console_line("fault: the program exited; the watchdog resets the board", NULL);
    for (;;)
        __asm__ volatile("wfi");
}

/* 16 system vectors, then the 32 interrupts of the AN386 (none used):
 * anything unexpected is reported as a fault. */
__attribute__((section(".vectors"), used))
void (*const vector_table[16 + 32])(void) = {
    (void (*)(void))__stack_top,
    Reset_Handler,
    NMI_Handler,
    HardFault_Handler,
    HardFault_Handler, /* MemManage */
    HardFault_Handler, /* BusFault */
    HardFault_Handler, /* UsageFault */
    0, 0, 0, 0,
    HardFault_Handler, /* SVCall */
    HardFault_Handler, /* DebugMonitor */
    0,
    HardFault_Handler, /* PendSV */
    SysTick_Handler,
    [16 ... 47] = HardFault_Handler,
};
