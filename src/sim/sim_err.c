/* Names and explanations of enum sim_err, from one table. */
#include "sim/sim.h"

static const struct {
    const char *name, *text;
} sim_errors[SIM_ERR_COUNT] = {
    { "SIM_OK", "success" },
    { "SIM_EINVAL", "invalid option or argument" },
    { "SIM_EIO", "system call failed" },
    { "SIM_ESTATE", "state directory unusable" },
    { "SIM_EPATH", "path escapes the board file system" },
    { "SIM_ENOENT", "no such file, profile or board" },
    { "SIM_EIMAGE", "not an MCUboot image, or it does not fit the slot" },
    { "SIM_EFLASH", "flash operation failed" },
    { "SIM_ETOOBIG", "too large for a buffer or limit" },
    { "SIM_ENOBOOT", "no bootable image" },
    { "SIM_EBUSY", "another process has this board open" },
    { "SIM_EUNSUPPORTED", "this build's crypto port cannot verify keys of that algorithm" },
};

static int index_of(int err)
{
    if (err == SIM_OK)
        return 0;
    return (err < SIM_ERR_BASE && err > SIM_ERR_BASE - SIM_ERR_COUNT) ? SIM_ERR_BASE - err : -1;
}

const char *sim_errname(int err)
{
    int i = index_of(err);
    return i < 0 ? "SIM_EUNKNOWN" : sim_errors[i].name;
}

const char *sim_strerror(int err)
{
    int i = index_of(err);
    return i < 0 ? "unknown error" : sim_errors[i].text;
}
