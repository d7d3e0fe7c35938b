/*
 * The client's group operations (src/client/mgmt.h) fed arbitrary device
 * responses: the first input byte picks the operation, the rest is the
 * response body the scripted device answers every request with. Checks
 * that no answer crashes, overruns or hangs an operation (fs transfers
 * must end even when the device never moves on).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/mgmt.h"
#include "script_device.h"

static char g_local[64];

static void run_op(struct client_session *s, unsigned op, struct client_rsp *rsp)
{
    static struct client_task t[8];
    static struct client_pool p[8];
    static char names[8][CLIENT_NAME_MAX];
    static struct client_stat_field f[8];
    static struct client_group_info g[8];
    static struct client_hash_type ht[4];
    static uint8_t data[3000], val[64];
    const char *argv[] = { "device", "list" };
    struct client_bootloader b;
    struct client_fs_hash h;
    struct client_fs_stats st;
    struct client_fs_opts o = { 0 };
    char out[128];
    uint16_t ids[8], id;
    uint64_t u;
    size_t n;
    bool end;
    int ret;

    switch (op % 18) {
    case 0: (void)client_taskstat(s, t, 8, &n, rsp); break;
    case 1: (void)client_mpstat(s, p, 8, &n, rsp); break;
    case 2: (void)client_datetime_get(s, out, sizeof out); break;
    case 3: (void)client_bootloader_info(s, op & 0x80 ? "mode" : NULL, &b, rsp); break;
    case 4: (void)client_stat_list(s, names, 8, &n, rsp); break;
    case 5: (void)client_stat_read(s, "smp", f, 8, &n, rsp); break;
    case 6: (void)client_settings_read(s, "a/b", val, sizeof val, &n, rsp); break;
    case 7: (void)client_settings_save(s, NULL); break;
    case 8: (void)client_shell_exec(s, 2, argv, out, sizeof out, &ret, rsp); break;
    case 9: (void)client_enum_count(s, &u); break;
    case 10: (void)client_enum_list(s, ids, 8, &n, rsp); break;
    case 11: (void)client_enum_single(s, 1, &id, &end, rsp); break;
    case 12: (void)client_enum_details(s, NULL, 0, g, 8, &n, rsp); break;
    case 13: (void)client_fs_stat(s, "/lfs/a", &u, rsp); break;
    case 14: (void)client_fs_hash(s, "/lfs/a", "sha256", 0, 0, &h, rsp); break;
    case 15: (void)client_fs_hash_types(s, ht, 4, &n, rsp); break;
    case 16:
        o.resume = op & 0x80;
        (void)client_fs_upload(s, "/lfs/a", data, sizeof data, &o, &st);
        break;
    case 17:
        o.resume = op & 0x80;
        (void)client_fs_download(s, "/lfs/a", g_local, &o, &st);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
    static struct script_device d;
    static struct client_transport tp;
    static struct client_session s;
    static struct client_rsp rsp;

    if (size < 1)
        return 0;
    if (!g_local[0]) /* downloads go to one scratch file, removed after each run */
        snprintf(g_local, sizeof g_local, "/tmp/fuzz_client_groups.%d", (int)getpid());
    memset(&d, 0, sizeof d);
    d.raw_body = in + 1;
    d.raw_len = size - 1;
    script_session(&d, &tp, &s);
    s.timeout_ms = 1;
    run_op(&s, in[0], &rsp);
    unlink(g_local);
    return 0;
}
