/*
 * The device libraries linked as a bootloader links them, for the size
 * report of scripts/build_device.sh: boot_go and everything it reaches
 * (validation, the crypto port, mbedTLS), with --gc-sections dropping the
 * rest. Never run; the board's flash and keys are left to the linker as
 * data it cannot see through.
 */
#include "boot/bootutil.h"

const struct boot_config *volatile size_probe_cfg;

int main(void)
{
    static struct boot_result res;
    return boot_go(size_probe_cfg, &res);
}
