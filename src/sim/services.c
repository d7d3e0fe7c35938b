/*
 * Services of the simulated firmware behind the management groups.
 */
#include "sim/services.h"

void sim_services_fill(struct sim_board *b, struct smpsrv_platform *p)
{
    (void)b;
    (void)p;
}

const struct smp_group *const *sim_services_groups(size_t *n)
{
    static const struct smp_group *const groups[] = {
        &smp_group_os, &smp_group_img,
    };
    *n = sizeof groups / sizeof groups[0];
    return groups;
}
