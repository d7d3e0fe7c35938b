/*
 * Errors of the simulated board library (src/sim). Every function of the
 * board returns 0 or a negative SIM_E*; sim_errname/sim_strerror name them
 * from one table.
 */
#ifndef SIM_SIM_H
#define SIM_SIM_H

enum sim_err {
    SIM_OK = 0,
    SIM_EINVAL = -1,     /* bad option or argument */
    SIM_EIO = -2,        /* a system call failed (errno kept) */
    SIM_ESTATE = -3,     /* the state directory is unusable */
    SIM_EPATH = -4,      /* a path escapes the board's file system */
    SIM_ENOENT = -5,     /* no such file, profile or board */
    SIM_EIMAGE = -6,     /* not an MCUboot image, or it does not fit */
    SIM_EFLASH = -7,     /* a flash operation failed */
    SIM_ETOOBIG = -8,    /* does not fit a buffer or a limit */
    SIM_ENOBOOT = -9,    /* no image can boot */
    SIM_EBUSY = -10,     /* another process has the board open */
};
#define SIM_ERR_COUNT 11

const char *sim_errname(int err);
const char *sim_strerror(int err);

#endif
