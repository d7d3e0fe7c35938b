/*
 * The line speed of the board's pty, set and read the way the kernel keeps
 * it: through termios2 (TCGETS2/TCSETS2). A host may choose any integer
 * rate with BOTHER and c_ospeed (the Rust `serialport` crate does);
 * cfgetospeed() of <termios.h> cannot express that and reports no known
 * rate, which would make the board garble a host at the right speed.
 *
 * Its own file because <asm/termbits.h> and <termios.h> define the same
 * names differently. Linux only, as the board's pty is.
 */
#include <asm/termbits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include "sim/runtime.h"
#include "sim/sim.h"

static const struct { uint32_t baud; unsigned int code; } rates[] = {
    { 1200, B1200 }, { 2400, B2400 }, { 4800, B4800 }, { 9600, B9600 },
    { 19200, B19200 }, { 38400, B38400 }, { 57600, B57600 },
    { 115200, B115200 }, { 230400, B230400 }, { 460800, B460800 },
    { 500000, B500000 }, { 576000, B576000 }, { 921600, B921600 },
    { 1000000, B1000000 }, { 1500000, B1500000 }, { 2000000, B2000000 },
    { 3000000, B3000000 }, { 4000000, B4000000 },
};

#define NRATES (sizeof rates / sizeof rates[0])

/* A standard rate keeps its B-code (what most hosts read back); any
 * other goes as BOTHER with the number itself. */
int sim_tty_set_baud(int fd, uint32_t baud)
{
    struct termios2 t;
    unsigned int code = BOTHER;
    if (ioctl(fd, TCGETS2, &t) != 0)
        return SIM_EIO;
    for (size_t i = 0; i < NRATES; i++)
        if (rates[i].baud == baud)
            code = rates[i].code;
    t.c_cflag &= ~(unsigned int)(CBAUD | (CBAUD << IBSHIFT));
    t.c_cflag |= code;
    t.c_ispeed = t.c_ospeed = baud;
    return ioctl(fd, TCSETS2, &t) == 0 ? SIM_OK : SIM_EIO;
}

uint32_t sim_tty_out_baud(int fd)
{
    struct termios2 t;
    if (ioctl(fd, TCGETS2, &t) != 0)
        return 0;
    unsigned int code = t.c_cflag & CBAUD;
    if (code == BOTHER)
        return t.c_ospeed;
    for (size_t i = 0; i < NRATES; i++)
        if (rates[i].code == code)
            return rates[i].baud;
    return 0;
}
