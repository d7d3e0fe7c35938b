/*
 * Errors of the simulated board library (src/sim). Every function of the
 * board returns 0 or a negative SIM_E*; sim_errname/sim_strerror name them
 * from one table.
 */
#ifndef SIM_SIM_H
#define SIM_SIM_H

enum sim_err {
    SIM_OK = 0,
    SIM_EINVAL = -71,     /* bad option or argument */
    SIM_EIO = -72,        /* a system call failed (errno kept) */
    SIM_ESTATE = -73,     /* the state directory is unusable */
    SIM_EPATH = -74,      /* a path escapes the board's file system */
    SIM_ENOENT = -75,     /* no such file, profile or board */
    SIM_EIMAGE = -76,     /* not an MCUboot image, or it does not fit */
    SIM_EFLASH = -77,     /* a flash operation failed */
    SIM_ETOOBIG = -78,    /* does not fit a buffer or a limit */
    SIM_ENOBOOT = -79,    /* no image can boot */
    SIM_EBUSY = -80,     /* another process has the board open */
    SIM_EUNSUPPORTED = -81, /* the crypto port cannot verify this key's algorithm */
};
#define SIM_ERR_COUNT 12 /* SIM_OK and the eleven codes SIM_EINVAL..SIM_EUNSUPPORTED */
#define SIM_ERR_BASE (-70) /* the layer's range: -71..-99 (see README, error codes) */

const char *sim_errname(int err);
const char *sim_strerror(int err);

#endif
