/* File system commands: `fs upload <local> <remote>` and `fs download
 * <remote> <local>` (the same progress bar as image upload, then Done),
 * and `fs stat|hash|hash-types|close`. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "client/mgmt.h"
#include "commands.h"
#include "image/file.h"
#include "progress.h"

/* Device files are small (logs, calibration); anything this big is a
 * mistake on the command line. */
#define FS_LOCAL_MAX (64L * 1024 * 1024)

static struct client_rsp g_rsp;

static const struct cli_opt upload_opts[] = {
    { "chunk-size", 0, "bytes", "data bytes per request (default: as large as the device's buffer allows)" },
    { "no-resume", 0, NULL, "start over even if the device holds the first part of this file" },
    { NULL, 0, NULL, NULL },
};

static const struct cli_opt download_opts[] = {
    { "resume", 0, NULL, "continue a partial local file (checked against the device's sha256)" },
    { NULL, 0, NULL, NULL },
};

static const struct cli_opt hash_opts[] = {
    { "off", 0, "bytes", "start of the region to hash (default 0)" },
    { "len", 0, "bytes", "length of the region (default: to the end of the file)" },
    { NULL, 0, NULL, NULL },
};

static void json_transfer(struct cli_ctx *cx, const char *local, const char *remote,
                          const struct client_fs_stats *st)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "local", local);
    cJSON_AddStringToObject(o, "remote", remote);
    cJSON_AddNumberToObject(o, "len", (double)st->len);
    cJSON_AddNumberToObject(o, "resumed_from", (double)st->resumed_from);
    cJSON_AddNumberToObject(o, "requests", st->requests);
    cJSON_AddNumberToObject(o, "restarts", st->restarts);
    cJSON_AddBoolToObject(o, "identical", st->identical);
    out_json_doc(cx, o);
}

static int fs_upload(struct cli_ctx *cx, int argc, char **argv)
{
    struct client_fs_opts o = { 0 };
    struct client_fs_stats st;
    struct progress pg;
    unsigned long long cs;
    char err[512], detail[1200];
    uint8_t *data;
    size_t len = 0;
    int rc;

    if (argc != 2)
        return out_usage(cx, "fs upload needs a local file and a device file name");
    if (cli_opt_get(cx, "chunk-size")) {
        if (cli_parse_uint(cli_opt_get(cx, "chunk-size"), ULLONG_MAX, &cs) != 0 || cs < 1 || cs > CLIENT_MSG_MAX)
            return out_usage(cx, "invalid --chunk-size \"%s\" (1..%d bytes)",
                             cli_opt_get(cx, "chunk-size"), CLIENT_MSG_MAX);
        o.chunk_size = (size_t)cs;
    }
    o.resume = !cli_opt_set(cx, "no-resume");
    if (img_read_file(argv[0], &data, &len, err, sizeof err) != 0)
        return out_fail(cx, "%s", err);
    if (len > (size_t)FS_LOCAL_MAX) {
        free(data);
        return out_fail(cx, "%s: the file is too large (%zu bytes)", argv[0], len);
    }
    progress_init(&pg);
    if (!cx->json) {
        o.progress = progress_update;
        o.progress_ctx = &pg;
    }
    rc = client_fs_upload(&cx->sess, argv[1], data, len, &o, &st);
    progress_end(&pg);
    free(data);
    if (cx->verbose && !cx->json && cx->sess.sizing.done)
        out_note(cx, "request size %zu bytes: %s", cx->sess.sizing.max_msg, cx->sess.sizing.why);
    snprintf(detail, sizeof detail, "%.500s -> %.500s (%zu bytes)", argv[0], argv[1], len);
    cli_record_state_change(cx, "fs upload", detail, rc);
    if (rc)
        return out_client_error(cx, rc);
    if (cx->json) {
        json_transfer(cx, argv[0], argv[1], &st);
        return EXIT_OK;
    }
    if (st.identical)
        out_note(cx, "the device already holds this file (same sha256): nothing sent");
    else if (st.resumed_from)
        out_note(cx, "resumed at byte %zu of %zu", st.resumed_from, len);
    out_line(cx, "Done");
    return EXIT_OK;
}

static int fs_download(struct cli_ctx *cx, int argc, char **argv)
{
    struct client_fs_opts o = { 0 };
    struct client_fs_stats st;
    struct progress pg;
    int rc;

    if (argc != 2)
        return out_usage(cx, "fs download needs a device file name and a local file");
    o.resume = cli_opt_set(cx, "resume");
    progress_init(&pg);
    if (!cx->json) {
        o.progress = progress_update;
        o.progress_ctx = &pg;
    }
    rc = client_fs_download(&cx->sess, argv[0], argv[1], &o, &st);
    progress_end(&pg);
    if (rc == CLIENT_ERR_FILE)
        return out_fail(cx, "cannot write %s: %s", argv[1], strerror(errno));
    if (rc)
        return out_client_error(cx, rc);
    if (cx->json) {
        json_transfer(cx, argv[1], argv[0], &st);
        return EXIT_OK;
    }
    if (st.resumed_from)
        out_note(cx, "resumed at byte %zu of %zu", st.resumed_from, st.len);
    out_line(cx, "Done");
    return EXIT_OK;
}

static int fs_stat(struct cli_ctx *cx, int argc, char **argv)
{
    uint64_t len;
    int rc;

    if (argc != 1)
        return out_usage(cx, "fs stat needs exactly one device file name");
    rc = client_fs_stat(&cx->sess, argv[0], &len, &g_rsp);
    if (rc)
        return out_client_error(cx, rc);
    if (!out_json_answer(cx, &g_rsp.body))
        out_line(cx, "len: %llu", (unsigned long long)len);
    return EXIT_OK;
}

static int fs_hash(struct cli_ctx *cx, int argc, char **argv)
{
    struct client_fs_hash h;
    unsigned long long off = 0, len = 0;
    char hex[129];
    int rc;

    if (argc < 1 || argc > 2)
        return out_usage(cx, "fs hash needs a device file name and optionally a type "
                             "(crc32, sha256; see `mcumgr fs hash-types`)");
    if ((cli_opt_get(cx, "off") && cli_parse_uint(cli_opt_get(cx, "off"), ULLONG_MAX, &off) != 0) ||
        (cli_opt_get(cx, "len") && (cli_parse_uint(cli_opt_get(cx, "len"), ULLONG_MAX, &len) != 0 || len == 0)))
        return out_usage(cx, "--off and --len take a number of bytes (--len at least 1)");
    rc = client_fs_hash(&cx->sess, argv[0], argc > 1 ? argv[1] : NULL, off, len, &h, &g_rsp);
    if (rc)
        return out_client_error(cx, rc);
    if (out_json_answer(cx, &g_rsp.body))
        return EXIT_OK;
    if (h.numeric)
        snprintf(hex, sizeof hex, "%08llx", (unsigned long long)h.value);
    else
        for (size_t i = 0; i < h.nbytes; i++)
            sprintf(hex + 2 * i, "%02x", h.bytes[i]);
    out_line(cx, "type: %s", h.type);
    if (h.off)
        out_line(cx, "off: %llu", (unsigned long long)h.off);
    out_line(cx, "len: %llu", (unsigned long long)h.len);
    out_line(cx, "output: %s", h.nbytes || h.numeric ? hex : "");
    return EXIT_OK;
}

static int fs_hash_types(struct cli_ctx *cx, int argc, char **argv)
{
    struct client_hash_type t[16];
    size_t n;
    int rc;

    (void)argv;
    if (argc)
        return out_usage(cx, "fs hash-types takes no arguments");
    rc = client_fs_hash_types(&cx->sess, t, 16, &n, &g_rsp);
    if (rc)
        return out_client_error(cx, rc);
    if (out_json_answer(cx, &g_rsp.body))
        return EXIT_OK;
    out_line(cx, "hash types:");
    for (size_t i = 0; i < n; i++)
        out_line(cx, "    %s (%s, %llu bytes)", t[i].name, t[i].format ? "bytes" : "number",
                 (unsigned long long)t[i].size);
    return EXIT_OK;
}

static int fs_close(struct cli_ctx *cx, int argc, char **argv)
{
    int rc;

    (void)argv;
    if (argc)
        return out_usage(cx, "fs close takes no arguments");
    rc = client_fs_close(&cx->sess);
    return out_done(cx, rc);
}

const struct cli_cmd cli_fs_cmds[] = {
    { "upload", "<local-file> <device-file>", "upload a file to the device (resumes)", fs_upload,
      CLI_NEEDS_CONN | CLI_CHANGES_STATE, upload_opts, NULL },
    { "download", "<device-file> <local-file>", "download a file from the device", fs_download,
      CLI_NEEDS_CONN, download_opts, NULL },
    { "stat", "<device-file>", "show the length of a device file", fs_stat, CLI_NEEDS_CONN, NULL,
      NULL },
    { "hash", "<device-file> [type]", "hash or checksum a device file (crc32, sha256)", fs_hash,
      CLI_NEEDS_CONN, hash_opts, NULL },
    { "hash-types", NULL, "list the hash types the device supports", fs_hash_types,
      CLI_NEEDS_CONN, NULL, NULL },
    { "close", NULL, "close the file the device has open", fs_close, CLI_NEEDS_CONN, NULL, NULL },
    { NULL, NULL, NULL, NULL, 0, NULL, NULL },
};
