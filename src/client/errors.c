/* Names and meanings of the client's own error codes (one table). Device
 * error texts come from smp/smp.c. */
#include <stdio.h>

#include "client/client.h"

struct err_text {
    int code;
    const char *name;
    const char *text;
};

static const struct err_text errs[] = {
    { CLIENT_OK, "OK", "success" },
    { CLIENT_ERR_TIMEOUT, "TIMEOUT", "NMP timeout: the device did not answer" },
    { CLIENT_ERR_IO, "IO", "transport failure: the connection to the device was lost" },
    { CLIENT_ERR_PROTO, "PROTO", "malformed response from the device" },
    { CLIENT_ERR_DEVICE, "DEVICE", "the device reported an error" },
    { CLIENT_ERR_ARG, "ARG", "invalid argument" },
    { CLIENT_ERR_NOMEM, "NOMEM", "out of memory" },
    { CLIENT_ERR_TOO_BIG, "TOO_BIG", "the request does not fit the device's buffer" },
    { CLIENT_ERR_FILE, "FILE", "a local file could not be read or written" },
    { CLIENT_ERR_CONNSTRING, "CONNSTRING", "invalid connection string" },
    { CLIENT_ERR_OPEN, "OPEN", "failed to connect: the port or socket could not be opened" },
    { CLIENT_ERR_NOT_IMAGE, "NOT_IMAGE", "the file is not a signed MCUboot image" },
    { CLIENT_ERR_MISMATCH, "MISMATCH", "the device reports that the uploaded image does not match the file" },
    { CLIENT_ERR_INTERRUPTED, "INTERRUPTED", "interrupted" },
    { CLIENT_ERR_TRUNCATED, "TRUNCATED", "the image is truncated: its TLV area ends past the end of the file" },
    { CLIENT_ERR_REFUSED, "REFUSED", "nothing listens at the device's address (connection refused)" },
};

static const struct err_text *find(int err)
{
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++)
        if (errs[i].code == err)
            return &errs[i];
    return NULL;
}

const char *client_errname(int err)
{
    const struct err_text *e = find(err);
    return e ? e->name : "UNKNOWN";
}

const char *client_strerror(int err)
{
    const struct err_text *e = find(err);
    return e ? e->text : "unknown client error";
}

/* The device's own reason, when it gives one, stands in for the generic
 * meaning of the code: printing both says the same thing twice. */
void client_dev_err_format(const struct client_dev_err *e, char *out, size_t cap)
{
    const char *why;

    if (e->has_group && e->group_rc != 0) {
        why = e->rsn[0] ? e->rsn : smp_group_err_desc(e->group, e->group_rc);
        snprintf(out, cap, "%d (%s %s): %s", e->group_rc, smp_group_name(e->group),
                 smp_group_err_name(e->group, e->group_rc), why);
    } else {
        why = e->rsn[0] ? e->rsn : smp_err_desc(e->rc);
        snprintf(out, cap, "%d (%s): %s", e->rc, smp_err_name(e->rc), why);
    }
}
