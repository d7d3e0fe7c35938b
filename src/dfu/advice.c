/* What to do about a failed update (see dfu_hints in dfu.h): the field
 * guide's troubleshooting advice, one table entry per problem. */
#include <stdio.h>
#include <string.h>

#include "dfu/dfu.h"

/* The hints of a problem. In the texts, %P is the serial port (or the UDP
 * address), %F the firmware file, %R the version that ran before, %S the
 * version in slot 1. */
struct advice {
    enum dfu_problem problem;
    const char *hint[DFU_HINTS_MAX];
};

#define VERIFY_LOCALLY "Verify locally: imgtool verify -k <the bootloader's public key> %F"

static const struct advice advice[] = {
    { DFU_PB_NO_PORT, { "Check connection: ls -l /dev/ttyACM*",
                        "Give the right port, e.g. /dev/ttyACM1" } },
    { DFU_PB_PORT_ACCESS, { "Add yourself to the dialout group (sudo usermod -aG dialout $USER), "
                            "then log in again" } },
    { DFU_PB_PORT_BUSY, { "Close that program (minicom, screen, a serial monitor, another "
                          "mcumgr), then retry",
                          "Check with: lsof %P" } },
    { DFU_PB_BAUD, { "The device's UART runs at 115200 by default: dev=%P,baud=115200",
                     "Try: mcumgr --conntype serial --connstring \"dev=%P,baud=9600\" echo test" } },
    { DFU_PB_BAD_IMAGE, { "Image not signed, wrong signing key or corrupted file",
                          VERIFY_LOCALLY,
                          "Re-sign: west sign -t imgtool -- --key <the release key>" } },
    { DFU_PB_TOO_LARGE, { "Firmware must fit the slot (472 KiB on the nRF52840 layout): reduce "
                          "the image (disable logging, optimise for size)" } },
    { DFU_PB_SAME, { "Nothing to do: it already runs (even --force does not send the running "
                     "image again)" } },
    { DFU_PB_NOT_NEWER, { "Sign the new build with a higher version: west sign -t imgtool -- "
                          "--version \"x.y.z\"",
                          "To roll back on purpose, rerun with --force (a bootloader with "
                          "downgrade prevention may still refuse it)" } },
    { DFU_PB_PENDING_OTHER, { "Finish that update first: run it again with the %S image",
                              "Or discard it: reset twice (the bootloader tries %S once, the "
                              "second reset reverts to %R), then run this update again" } },
    { DFU_PB_ON_TRIAL, { "Finish that trial first: mcumgr image confirm (keep %R), or reset the "
                         "device (revert to the backup)",
                         "Then run this update again" } },
    { DFU_PB_NOT_DFU_MODE, { "Press Button 1 on the device (status LED blinks fast, error LED "
                             "shows SOS, console shows '>>> Entering DFU Mode'), then run this "
                             "update again" } },
    { DFU_PB_UNTRUSTED, { "Image not signed, or signed with a key the bootloader does not hold",
                          VERIFY_LOCALLY } },
    { DFU_PB_DOWNGRADE, { "The bootloader refuses images older than the running one when "
                          "downgrade prevention is on (CONFIG_MCUBOOT_DOWNGRADE_PREVENTION)",
                          "Sign the build with a version above %R",
                          "Otherwise: image not signed or wrong signing key: " VERIFY_LOCALLY } },
    { DFU_PB_UPLOAD, { "Use smaller chunks: mcumgr ... image upload --chunk-size 128 %F (or "
                       "connstring mtu=128)",
                       "Increase the timeout: --timeout 20",
                       "Check available flash space: mcumgr ... image list (firmware must be < "
                       "472KB)" } },
    { DFU_PB_TEST, { "Image invalid or failed to verify: not signed, or signed with a key the "
                     "bootloader does not hold",
                     VERIFY_LOCALLY } },
    { DFU_PB_NO_BOOT, { "Check the connection and the port: ls -l /dev/ttyACM*",
                        "The bootloader reverts an image that never confirms; power-cycle the "
                        "device and check image list" } },
    { DFU_PB_NOT_BOOTED, { "Image invalid or failed to verify: image not signed, wrong signing "
                           "key, or corrupted upload",
                           VERIFY_LOCALLY,
                           "Re-sign with the release key, then: mcumgr ... image erase 1 and run "
                           "this update again" } },
    { DFU_PB_CONFIRM, { "Retry: mcumgr ... image confirm" } },
};

/* The guide's "Error: failed to connect" checklist. */
static const char *const no_answer_serial[DFU_HINTS_MAX] = {
    "Check the connection and the port: ls -l /dev/ttyACM*",
    "Press Button 1 (enter DFU mode): status LED blinks fast, console shows '>>> Entering DFU "
    "Mode'",
    "Baud rate mismatch? Try: mcumgr --conntype serial --connstring \"dev=%P,baud=115200\" echo "
    "test (or baud=9600)",
    "Another program using the port? lsof %P",
};
static const char *const no_answer_udp[DFU_HINTS_MAX] = {
    "Is the device powered and on the network? Check the address: %P",
    "Simulated board: is mcusim running, and on this UDP port (it prints 'udp: 127.0.0.1:PORT')?",
};

/* One hint with its %-fields filled in. */
static void expand(const char *t, const struct dfu_result *r, const char *port,
                   const char *firmware, char *out, size_t cap)
{
    size_t used = 0;

    for (; *t && used + 1 < cap; t++) {
        const char *v = NULL;
        if (t[0] == '%' && t[1]) {
            switch (t[1]) {
            case 'P': v = port; break;
            case 'F': v = firmware; break;
            case 'R': v = r->before_version; break;
            case 'S': v = r->slot1_version; break;
            default: break;
            }
        }
        if (!v) {
            out[used++] = *t;
            continue;
        }
        used += (size_t)snprintf(out + used, cap - used, "%s", v);
        if (used >= cap)
            used = cap - 1;
        t++;
    }
    out[used] = '\0';
}

static const char *const *hints_of(enum dfu_problem pb, const struct client_conn *c)
{
    if (pb == DFU_PB_NO_ANSWER)
        return c->type == CLIENT_CONN_SERIAL ? no_answer_serial : no_answer_udp;
    for (size_t i = 0; i < sizeof advice / sizeof advice[0]; i++)
        if (advice[i].problem == pb)
            return advice[i].hint;
    return NULL;
}

size_t dfu_hints(const struct dfu_result *r, const struct client_conn *c, const char *firmware,
                 char out[DFU_HINTS_MAX][DFU_HINT_LEN])
{
    const char *const *h = hints_of(r->problem, c);
    char port[300];
    size_t n = 0;

    if (c->type == CLIENT_CONN_SERIAL)
        snprintf(port, sizeof port, "%s", c->dev);
    else
        snprintf(port, sizeof port, "%s:%s", c->host, c->port);
    for (; h && n < DFU_HINTS_MAX && h[n]; n++)
        expand(h[n], r, port, firmware ? firmware : "FIRMWARE", out[n], DFU_HINT_LEN);
    return n;
}
