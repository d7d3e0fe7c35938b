/*
 * Host-side MCUmgr client: connections, transports, the request session and
 * typed operations per management group. Everything a front end (the
 * `mcumgr` CLI, tests, scripts' helpers) needs; no printing to stdout here.
 *
 * Return convention: 0 on success, a negative enum client_err on failure.
 * CLIENT_ERR_DEVICE means the device answered with an error; the details
 * (generic rc, v2 group rc, rsn) are in session->dev_err.
 */
#ifndef CLIENT_CLIENT_H
#define CLIENT_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smp/cbor.h"
#include "smp/smp.h"

enum client_err {
    CLIENT_OK = 0,
    CLIENT_ERR_TIMEOUT = -101,    /* no response within the timeout, after all tries */
    CLIENT_ERR_IO = -102,         /* the transport failed (port vanished, socket error) */
    CLIENT_ERR_PROTO = -103,      /* the response is malformed */
    CLIENT_ERR_DEVICE = -104,     /* the device reported an error (see dev_err) */
    CLIENT_ERR_ARG = -105,        /* invalid argument from the caller */
    CLIENT_ERR_NOMEM = -106,
    CLIENT_ERR_TOO_BIG = -107,    /* the request does not fit the device's buffer */
    CLIENT_ERR_FILE = -108,       /* a local file could not be read or written */
    CLIENT_ERR_CONNSTRING = -109, /* the connection string is invalid */
    CLIENT_ERR_OPEN = -110,      /* the port or socket could not be opened */
    CLIENT_ERR_NOT_IMAGE = -111, /* the file is not an MCUboot image */
    CLIENT_ERR_MISMATCH = -112,  /* the device reports the uploaded image does not match */
    CLIENT_ERR_INTERRUPTED = -113,
    CLIENT_ERR_TRUNCATED = -114, /* the file is an MCUboot image cut short */
    CLIENT_ERR_REFUSED = -115,   /* nothing listens at the address (UDP port unreachable) */
};
const char *client_errname(int err);
const char *client_strerror(int err);
/* Milliseconds on the monotonic clock (never set back): the one clock of
 * timeouts, rates, durations and waits, in the client and its users. */
int64_t client_now_ms(void);

/* ---- connection ---- */

enum client_conntype { CLIENT_CONN_SERIAL, CLIENT_CONN_UDP, CLIENT_CONN_BLE };

struct client_conn {
    enum client_conntype type;
    char dev[256];       /* serial device path */
    unsigned baud;       /* serial baud rate, default 115200 */
    unsigned mtu;        /* Go `mtu=`: request message <= mtu*3/4-13; 0 = not given */
    unsigned line_max;   /* serial line length incl. markers and '\n' (extension linelen=) */
    unsigned max_msg;    /* explicit largest request message (extension maxmsg=); 0 = auto */
    unsigned line_delay_ms; /* pause before each continuation line (extension linedelay=) */
    char host[256];      /* UDP peer */
    char port[16];
    /* BLE (Go keys peer_name=, peer_id=, ctlr_name=; extension scan=SECONDS) */
    char peer_name[64];  /* the device's advertised name */
    char peer_id[18];    /* or its address AA:BB:CC:DD:EE:FF */
    char ctlr_name[16];  /* the adapter ("hci0"); empty: the first */
    unsigned scan_ms;    /* how long a scan looks for the peer; 0 = 5 s */
};

/* Parses a Go-style connection string for the given type ("serial"/"udp"/"ble").
 * On error writes a message (same wording as the Go tool where it has one)
 * to err and returns CLIENT_ERR_CONNSTRING. */
int client_conn_parse(const char *type, const char *connstring, struct client_conn *c,
                      char *err, size_t errlen);

/* ---- transport ---- */

struct client_transport {
    void *ctx;
    int (*send)(void *ctx, const uint8_t *msg, size_t len);
    /* Waits up to timeout_ms for one whole SMP message; returns its length,
     * 0 on timeout, or a negative client_err. */
    int (*recv)(void *ctx, uint8_t *buf, size_t cap, int timeout_ms);
    void (*close)(void *ctx);
    size_t frame_overhead;  /* bytes the device buffer holds beyond the message (serial CRC) */
    size_t default_max_msg; /* safe request size when the device does not tell */
    unsigned baud;          /* line rate of a serial port (0: not a serial line) */
    size_t packet_payload;  /* BLE: bytes one ATT write carries (MTU - 3); 0: no packets */
    int probe_ms;           /* how long a size probe may take on a packet link; 0: default */
    const char *name;       /* "serial", "udp" or "ble" */
    char last_error[512];   /* why the last send/recv failed, for the user */
};

/* Whether a serial port can be set to this baud rate. */
bool client_serial_baud_ok(unsigned baud);

int client_transport_open(const struct client_conn *c, struct client_transport *tp,
                          char *err, size_t errlen);
void client_transport_close(struct client_transport *tp);

/* `mcumgr ble scan`: the SMP devices an adapter sees within ms (BlueZ over
 * D-Bus). 0 with *n set, or CLIENT_ERR_OPEN with a message in err. */
struct client_ble_device {
    char name[64];
    char addr[18];
    int rssi;
    bool has_rssi;
    bool connected;
};
int client_ble_scan(const char *ctlr_name, unsigned ms, struct client_ble_device *out, size_t cap,
                    size_t *n, char *err, size_t errlen);

/* ---- session ---- */

#define CLIENT_MSG_MAX 4096 /* largest SMP message handled either way */
#define CLIENT_RSN_MAX 128

struct client_dev_err {
    int rc;            /* generic rc (0 when only a group error was given) */
    bool has_group;    /* v2 `err` map present */
    uint16_t group;
    int group_rc;
    char rsn[CLIENT_RSN_MAX];
};

struct client_rsp {
    struct smp_hdr hdr;
    uint8_t msg[CLIENT_MSG_MAX];
    size_t len;              /* whole message */
    struct cbor_value body;  /* the body map, pointing into msg */
};

/* What the session found out about the device's request size (sizing.c). */
struct client_params {
    uint32_t buf_size;
    uint32_t buf_count;
};
struct client_sizing {
    bool done;              /* decided: kept for the rest of the session */
    size_t max_msg;         /* largest request message the device answers */
    bool params_known;      /* the device answered OS params */
    bool proved;            /* a probe of max_msg bytes was answered */
    struct client_params params;
    char why[240];          /* how the size was chosen, for -v */
    int64_t spent_ms;       /* time the params query and the probes took */
};

struct client_session;
typedef void (*client_log_fn)(void *ctx, bool tx, const uint8_t *msg, size_t len);

struct client_pending {
    bool used;
    uint16_t group;
    uint8_t id;
};

struct client_session {
    struct client_transport *tp;
    uint8_t seq;
    uint8_t smp_ver;        /* 1 = SMP v2 (default); falls back to 0 when the device asks */
    int timeout_ms;         /* per request */
    int tries;              /* total attempts per request */
    size_t max_msg;         /* largest request message; 0 = transport default */
    struct client_dev_err dev_err;
    struct client_pending pending[256]; /* by sequence number */
    client_log_fn log;
    void *log_ctx;
    volatile int *cancel;   /* set non-zero (e.g. by SIGINT) to abort waits */
    /* figures for diagnostics and tests */
    uint32_t sent, received, stray;
    size_t last_len;        /* size of the last request message sent */
    struct client_sizing sizing;
};

void client_session_init(struct client_session *s, struct client_transport *tp);

/* Sends one request without waiting; *seq_out receives its sequence number. */
int client_send(struct client_session *s, uint8_t op, uint16_t group, uint8_t id,
                const uint8_t *body, size_t body_len, uint8_t *seq_out);
/* Waits up to timeout_ms for a response to any pending request. Stray and
 * duplicate responses are dropped. Returns 0 with rsp filled, or an error. */
int client_recv(struct client_session *s, int timeout_ms, struct client_rsp *rsp);
/* Forgets a pending request: a late response to it is then a stray. */
void client_forget(struct client_session *s, uint8_t seq);

/* One request and its response, with the session's timeout and tries; a
 * retry uses a new sequence number but a late answer to an earlier try is
 * accepted. Device errors become CLIENT_ERR_DEVICE. */
int client_call(struct client_session *s, uint8_t op, uint16_t group, uint8_t id,
                const uint8_t *body, size_t body_len, struct client_rsp *rsp);
int client_call_tmo(struct client_session *s, uint8_t op, uint16_t group, uint8_t id,
                    const uint8_t *body, size_t body_len, struct client_rsp *rsp,
                    int timeout_ms);

/* Reads rc / err{group,rc} / rsn from a response body into s->dev_err.
 * Returns 0 when the response is a success, CLIENT_ERR_DEVICE otherwise. */
int client_check_status(struct client_session *s, const struct client_rsp *rsp);
/* "28 (IMAGE IMAGE_ALREADY_PENDING): an image is already pending...": the
 * number first, as the Go tool prints it, then its name and meaning. */
void client_dev_err_format(const struct client_dev_err *e, char *out, size_t cap);

/* The largest request message the device answers (sizing.c): its buffer
 * from OS params less the transport's framing, else the transport's safe
 * default, never above the user's mtu/maxmsg; proved by an echo of that
 * size and stepped down (256, 128) while it gets no answer. Decided once,
 * then kept in s->sizing for the rest of the session. */
int client_request_limit(struct client_session *s, size_t *max_msg);

/* After a reset: polls the device with a short echo until it answers,
 * reopening the transport (c) whenever the port went away, for at most
 * max_ms. 0 with *waited_ms set, CLIENT_ERR_TIMEOUT, or CLIENT_ERR_INTERRUPTED.
 * If the port could not be reopened, s->tp is closed on return. */
int client_wait_ready(struct client_session *s, const struct client_conn *c, int max_ms,
                      int *waited_ms);

/* ---- what this host remembers between commands (devstate.c) ----
 * Keyed by the connection (e.g. "/dev/ttyACM0" or "127.0.0.1:1337"); kept
 * under $MCUTOOLS_STATE_DIR, else $XDG_STATE_HOME/mcutools, else
 * ~/.local/state/mcutools. Only hints depend on them. */
void client_note_reset(const char *conn_key);
/* The user's state folder of mcutools, $XDG_STATE_HOME/mcutools, else
 * ~/.local/state/mcutools (what this host remembers, the default audit
 * trail): 0, or -1 when neither is set (no HOME: never the current
 * folder) or it does not fit cap. */
int client_user_state_folder(char *buf, size_t cap);
/* mkdir -p: dir and each missing folder above it, for this user only
 * (0700: what a host remembers, its audit trail, are nobody else's). 0, or
 * -1 with errno. The one folder maker of the host libraries. */
int client_make_folders(const char *dir);
/* Milliseconds since this host last reset that device, or -1. */
int64_t client_since_reset_ms(const char *conn_key);
/* The device answered again after its reset: nothing to explain any more. */
void client_forget_reset(const char *conn_key);
/* An upload left unfinished at `done` bytes (done 0 or len: forget it). */
void client_note_upload(const char *conn_key, const uint8_t sha[32], size_t len, size_t done);
/* Bytes the device had acknowledged of this very file when an earlier
 * upload to it was interrupted, or 0. */
size_t client_unfinished_upload(const char *conn_key, const uint8_t sha[32], size_t len);

/* ---- operations: OS group ---- */

int client_echo(struct client_session *s, const char *text, char *out, size_t cap);
int client_reset(struct client_session *s, bool force);

int client_params(struct client_session *s, struct client_params *p);
/* OS/application info (OS cmd 7); fmt may be NULL. */
int client_os_info(struct client_session *s, const char *fmt, char *out, size_t cap);

/* ---- operations: image group ---- */

#define CLIENT_MAX_IMAGES 8

struct client_image_slot {
    uint32_t image;
    uint32_t slot;
    char version[48];
    uint8_t hash[64];
    size_t hash_len;       /* 0 = absent */
    bool bootable, pending, confirmed, active, permanent;
};

struct client_image_state {
    struct client_image_slot slots[CLIENT_MAX_IMAGES];
    size_t count;
    int64_t split_status;
    unsigned delta;        /* patch format the device applies (src/image/DELTA.md); 0 = none */
};

int client_image_state_parse(const struct cbor_value *body, struct client_image_state *st);
int client_image_list(struct client_session *s, struct client_image_state *st,
                      struct client_rsp *rsp);
/* hash NULL: confirm the running image (confirm must be true). */
int client_image_set_state(struct client_session *s, const uint8_t *hash, size_t hash_len,
                           bool confirm, struct client_image_state *st, struct client_rsp *rsp);
/* slot < 0: erase without naming a slot (the device's default). */
int client_image_erase(struct client_session *s, int slot);

/* ---- image upload ---- */

struct client_upload_opts {
    uint32_t image;       /* image pair number */
    bool upgrade;         /* only accept a newer version */
    size_t chunk_size;    /* data bytes per request; 0 = as large as the device allows */
    unsigned window;      /* requests in flight; 0 = automatic */
    int first_timeout_ms; /* first chunk (the device may erase the slot); 0 = default 30 s */
    bool use_params;      /* ask the device for buf_size/buf_count first */
    const char *state_key; /* remember an unfinished upload under this connection (NULL: no) */
    void (*progress)(void *ctx, size_t done, size_t total);
    void *progress_ctx;
    /* Delta uploads (src/image/DELTA.md, upload_delta.c). With any of the
     * three, the upload first reads the device's image state and sends a
     * patch only to a device that announces support, and only when it is
     * smaller than the image; otherwise the image itself (st->delta_why
     * says which and why). */
    const uint8_t *delta_from; /* the image the device runs: make the patch from it */
    size_t delta_from_len;
    const uint8_t *patch;      /* a patch made earlier (imgtool delta): sent as it is */
    size_t patch_len;
    /* Images shipped earlier, by their SHA-256 TLV: the running one is the
     * base; after a successful upload the image is stored there too. */
    const char *image_cache;
};

struct client_upload_stats {
    size_t resumed_from;  /* device offset honoured at the start */
    size_t chunk_size;    /* effective */
    unsigned window;      /* effective maximum */
    uint32_t requests, retransmits, rewinds, timeouts, restarts;
    size_t acked;             /* bytes the device acknowledged in the end */
    size_t lost_at;           /* the device restarted the upload at this offset (restarts) */
    size_t kept_after_restart; /* ... and still held this much of it */
    size_t unfinished_before; /* an earlier run of this file stopped here (state_key) */
    bool params_known;
    struct client_params params;
    bool delta;               /* a patch was sent (of sent_len bytes) */
    size_t sent_len;          /* bytes of the upload stream: the image, or the patch */
    bool delta_asked;         /* a delta option was given */
    char delta_why[240];      /* why a patch or the whole image was sent */
    char cache_note[240];     /* what became of the image in image_cache ("" = nothing) */
};

int client_image_upload(struct client_session *s, const uint8_t *data, size_t len,
                        const struct client_upload_opts *o, struct client_upload_stats *st);
/* 0 when data is a whole MCUboot image; CLIENT_ERR_NOT_IMAGE without the
 * header magic, CLIENT_ERR_TRUNCATED when its header or TLVs run past the
 * end of the data. */
int client_image_check_file(const uint8_t *data, size_t len);

/* ---- the image cache (upload_delta.c) ----
 * A folder of signed images. Each is stored as <SHA-256 TLV in hex>.bin;
 * lookups also find other *.bin files by their SHA-256 TLV. */

/* The image whose SHA-256 TLV is hash (heap, *len), or NULL. */
uint8_t *client_image_cache_find(const char *dir, const uint8_t hash[32], size_t *len);
/* Stores a signed image (the folder is created if missing). 0, or
 * CLIENT_ERR_FILE / CLIENT_ERR_NOT_IMAGE with a message in err. */
int client_image_cache_store(const char *dir, const uint8_t *img, size_t len, char *err,
                             size_t errcap);

/* ---- JSON ---- */

/* The decoded CBOR body as JSON text (byte strings as lower-case hex);
 * returns a malloc'd string or NULL. */
char *client_cbor_to_json(const struct cbor_value *v, bool pretty);

#endif
