/*
 * The watchdog hook's default: nothing to feed. A board with a watchdog
 * defines its own boot_watchdog_feed() (a strong definition anywhere in the
 * link replaces this weak one); see bootutil.h for where it is called.
 */
#include "boot/bootutil.h"

__attribute__((weak)) void boot_watchdog_feed(void)
{
}
