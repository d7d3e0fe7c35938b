/*
 * Waiting for a device that is rebooting. After a reset the bootloader may
 * copy or swap images first (about 30 s for 300 KiB on an nRF52840), and a
 * USB serial port disappears and comes back as the device re-enumerates.
 * So the wait polls with a short echo and reopens the port whenever it
 * went away, until the device answers or the time is up.
 */
#include <string.h>
#include <time.h>

#include "client/client.h"
#include "client/internal.h"

#define POLL_MS 500
#define PAUSE_MS 200

static void pause_ms(int ms)
{
    struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&t, NULL);
}

/* One echo with a short timeout; the session's own settings are kept. */
static int poke(struct client_session *s)
{
    int saved_tmo = s->timeout_ms, saved_tries = s->tries;
    char out[8];
    int rc;

    s->timeout_ms = POLL_MS;
    s->tries = 1;
    rc = client_echo(s, "up?", out, sizeof out);
    s->timeout_ms = saved_tmo;
    s->tries = saved_tries;
    return rc == CLIENT_ERR_DEVICE ? 0 : rc; /* any answer means it is up */
}

int client_wait_ready(struct client_session *s, const struct client_conn *c, int max_ms,
                      int *waited_ms)
{
    int64_t t0 = client_now_ms();
    bool open = true;
    char err[512];

    for (;;) {
        if (s->cancel && *s->cancel)
            return CLIENT_ERR_INTERRUPTED;
        if (!open)
            open = client_transport_open(c, s->tp, err, sizeof err) == 0;
        int rc = open ? poke(s) : CLIENT_ERR_OPEN;
        if (rc == 0) {
            memset(&s->dev_err, 0, sizeof s->dev_err);
            if (waited_ms)
                *waited_ms = (int)(client_now_ms() - t0);
            return 0;
        }
        if (rc == CLIENT_ERR_INTERRUPTED)
            return rc;
        if (rc == CLIENT_ERR_IO) {
            /* the port went away under us: it comes back as a new one */
            client_transport_close(s->tp);
            open = false;
        }
        if (client_now_ms() - t0 >= max_ms)
            return CLIENT_ERR_TIMEOUT;
        if (rc != CLIENT_ERR_TIMEOUT)
            pause_ms(PAUSE_MS); /* failures that come at once must not spin */
    }
}
