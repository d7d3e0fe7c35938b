/*
 * What the audit trail asks the device, on the session of the command
 * that changed it: the running image (before a reset, and after any
 * action) and the device's identity. The queries are quiet: a short
 * timeout, one try, and the command's own error (the session's device
 * error, the transport's last error) left in place, because that is what
 * the user must see.
 */
#ifndef AUDIT_DEVICE_H
#define AUDIT_DEVICE_H

#include "audit/policy.h"

/* Audit queries must not stall a command on a device that stopped
 * answering. */
#define AUDIT_QUERY_TIMEOUT_MS 1500

/* One quiet image-state read: 0, or the client error (r is then unknown).
 * s NULL (not connected): CLIENT_ERR_IO. */
int audit_snapshot(struct client_session *s, struct audit_running *r, int timeout_ms);

/* The device's identity for the record: OS info "ni" (node name, the
 * board's hardware id on our firmware, and the hardware platform); ""
 * when the device has none or does not answer. */
void audit_device_identity(struct client_session *s, char *out, size_t cap);

/* How the device was reached, for the record's connection field. */
void audit_describe_connection(const struct client_conn *c, const char *desc, char *out,
                               size_t cap);

/* The record of a command that acted on the device through s (NULL: not
 * connected): asks the device (unless result shows it silent) for the
 * running image (after a reset, waiting up to AUDIT_RESET_WAIT_MS for it
 * to come back) and its identity, and fills rec by the policy. s->cancel
 * ends the wait. */
void audit_describe_outcome(struct client_session *s, const struct audit_running *before_reset,
                            const char *action, const char *detail, int result,
                            struct audit_record *rec);

#endif
