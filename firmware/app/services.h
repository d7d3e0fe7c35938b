/* What the application gives the SMP server beyond flash: its task,
 * statistics and shell (services.c). */
#ifndef FW_APP_SERVICES_H
#define FW_APP_SERVICES_H

#include "smpsrv/smpsrv.h"

struct app_state {
    struct smpsrv srv;
    bool reset_pending;
    bool led_on;
    uint32_t led_toggles;
    uint32_t rx_bytes, tx_bytes, frames_dropped;
};

void app_services_fill(struct smpsrv_platform *p);

#endif
