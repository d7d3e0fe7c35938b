# Issue 5 acceptance 2: bad input to every group gets a clear error naming
# the rc, a non-zero exit, the board keeps serving and its files are
# unchanged. Over UDP, with the serial pty checked at the end.
source "$(dirname "$0")/lib.sh"
LINK=udp
groups_board_start

# some state to protect
head -c 5000 /dev/urandom >"$E2E_TMP/keep.bin"
ok fs upload "$E2E_TMP/keep.bin" /lfs/keep.bin
ok config app/serial SN-0001
before=$(state_digest)

# ---- file system: path escapes, missing files, oversized files ----
echo "pwned" >"$E2E_TMP/evil.txt"
for bad in ../escape.txt ../../escape.txt /lfs/../../escape.txt lfs/../../../escape.txt \
           ../board.x/../escape.txt ..; do
    fails 1 '^Error: 2 \(FS FILE_INVALID_NAME\)' fs upload "$E2E_TMP/evil.txt" "$bad"
    fails 1 '^Error: 2 \(FS FILE_INVALID_NAME\)' fs download "$bad" "$E2E_TMP/got.txt"
    [ ! -e "$E2E_TMP/got.txt" ] || e2e_fail "download of $bad left a local file"
done
[ -z "$(find "$E2E_TMP" -name escape.txt; find / /tmp -maxdepth 1 -name escape.txt 2>/dev/null)" ] ||
    e2e_fail "a file escaped the board's folder"
# an absolute host path names a file inside the board's folder, never the host's
fails 1 '^Error: 3 \(FS FILE_NOT_FOUND\)' fs download /etc/passwd "$E2E_TMP/passwd"
[ ! -e "$E2E_TMP/passwd" ] || e2e_fail "a local file was left after a failed download"
fails 1 '^Error: 3 \(FS FILE_NOT_FOUND\)' fs hash /etc/passwd sha256
fails 1 '^Error: [0-9]+ \(FS ' fs upload "$E2E_TMP/evil.txt" /etc/cron.d/evil
[ ! -e /etc/cron.d/evil ] || e2e_fail "wrote into the host's /etc"
# a symlink planted in the board's folder is not followed
ln -s /etc "$SIM_DIR/fs/hostetc"
fails 1 '^Error: 2 \(FS FILE_INVALID_NAME\)' fs download hostetc/passwd "$E2E_TMP/passwd"
fails 1 '^Error: 2 \(FS FILE_INVALID_NAME\)' fs stat hostetc/hostname
rm "$SIM_DIR/fs/hostetc"
# missing files
fails 1 '^Error: 3 \(FS FILE_NOT_FOUND\): .*file' fs stat /lfs/nope.bin
fails 1 '^Error: 3 \(FS FILE_NOT_FOUND\)' fs download /lfs/nope.bin "$E2E_TMP/nope.bin"
[ ! -e "$E2E_TMP/nope.bin" ] || e2e_fail "a local file was left after a failed download"
# an existing local file is not emptied when the device file is missing
echo precious >"$E2E_TMP/precious.txt"
fails 1 'FILE_NOT_FOUND' fs download /lfs/nope.bin "$E2E_TMP/precious.txt"
[ "$(cat "$E2E_TMP/precious.txt")" = precious ] || e2e_fail "a failed download destroyed a local file"
fails 1 "cannot read $E2E_TMP/missing.bin: No such file or directory" fs upload "$E2E_TMP/missing.bin" /lfs/x.bin
fails 1 '^Error: [0-9]+ \(FS ' fs hash /lfs/keep.bin md5
has 'CHECKSUM_HASH_NOT_FOUND'
fails 1 'FILE_IS_DIRECTORY' fs stat /lfs
# a file larger than the board allows (1 MiB)
head -c $((1024 * 1024 + 4096)) /dev/zero >"$E2E_TMP/huge.bin"
fails 1 '^Error: 10 \(FS FILE_WRITE_FAILED\)' fs upload "$E2E_TMP/huge.bin" /lfs/huge.bin
rm -f "$SIM_DIR/fs/lfs/huge.bin" # the part written before the limit (a device keeps it too)
# a name longer than the device's limit
fails 1 'FILE_INVALID_NAME' fs stat "/lfs/$(head -c 300 /dev/zero | tr '\0' a)"
# usage errors: exit 2, nothing sent
fails 2 'fs upload needs' fs upload "$E2E_TMP/keep.bin"
fails 2 'invalid --chunk-size' fs upload --chunk-size 0 "$E2E_TMP/keep.bin" /lfs/k

# ---- settings: unknown keys, oversized values, long keys ----
fails 1 '^Error: 3 \(SETTINGS KEY_NOT_FOUND\): no such setting' config no/such/key
fails 1 '^Error: 3 \(SETTINGS KEY_NOT_FOUND\)' settings delete no/such/key
fails 1 '^Error: [0-9]+ \(SETTINGS ' config app/big "$(head -c 300 /dev/zero | tr '\0' v)"
fails 1 '^Error: 2 \(SETTINGS KEY_TOO_LONG\)' config "$(head -c 100 /dev/zero | tr '\0' k)" v
fails 2 'invalid hex value' settings write --hex app/x 0g
fails 2 'config needs' config a b c
ok config app/serial
[ "$OUT" = "Value: SN-0001" ] || e2e_fail "a setting changed: $OUT"

# ---- shell: unknown commands, empty and long command lines ----
fails 1 '^status=-8$' shell exec no-such-command
has 'command not found'
fails 2 'shell exec needs a command' shell exec "   "
fails 1 '^Error: 2 \(SHELL COMMAND_TOO_LONG\)' shell exec echo "$(head -c 400 /dev/zero | tr '\0' x)"

# ---- stat, enum, os: unknown groups and queries, bad arguments ----
fails 1 '^Error: 2 \(STAT INVALID_GROUP\): ' stat no_such_group
fails 1 '^Error: 2 \(STAT INVALID_GROUP\)' stat show no_such_group
fails 1 '^Error: 4 \(ENUM INDEX_TOO_LARGE\)' enum single 99
ok enum details 200
[ "$(wc -l <<<"$OUT")" = 1 ] || e2e_fail "details of an unknown group: $OUT"
fails 2 'invalid group number' enum details 70000
fails 1 '^Error: 3 \(OS QUERY_YIELDS_NO_ANSWER\)' bootloader frobnicate
fails 2 'invalid date and time' datetime 2024-13-01T00:00:00
fails 2 'invalid date and time' datetime yesterday
fails 1 '^Error: 2 \(OS INVALID_FORMAT\)' os info xyz
fails 2 'stat needs a group name' stat
fails 2 'unknown command' frobnicate

# ---- SMP v1 peers get generic codes, still named ----
fails 1 '^Error: 5 \(ENOENT\): ' --smp-v1 stat no_such_group
fails 1 '^Error: 5 \(ENOENT\)' --smp-v1 config no/such/key
fails 1 '^Error: 3 \(EINVAL\)' --smp-v1 fs stat ../escape.txt

# ---- JSON mode: device errors as JSON ----
rc=0; OUT=$(mm --json stat no_such_group) || rc=$?
[ "$rc" = 1 ] || e2e_fail "json error exit $rc"
[ "$(json 'j["error"]["group_rc_name"]')" = INVALID_GROUP ] || e2e_fail "json error: $OUT"
rc=0; OUT=$(mm --json shell exec no-such-command) || rc=$?
[ "$rc" = 1 ] && [ "$(json 'j["ret"]')" = -8 ] || e2e_fail "json shell error: $OUT"

# ---- the board kept serving, its files are unchanged ----
ok echo alive
[ "$OUT" = alive ] || e2e_fail "echo: $OUT"
LINK=serial ok echo alive-on-the-pty
[ "$(state_digest)" = "$before" ] || e2e_fail "the board's files or settings changed"
cmp "$E2E_TMP/keep.bin" "$SIM_DIR/fs/lfs/keep.bin" || e2e_fail "the board's file changed"
errs=$(stat_field smp errors)
[ "$errs" -gt 10 ] || e2e_fail "the board counted only $errs errors"
sim_stop

# ---- groups the device does not have: a board with no firmware serves
# only MCUboot's serial recovery (on the UART: a bootloader has no network
# stack); the rest is ENOTSUP by name ----
SIM_DIR=
sim_start
LINK=serial
fails 1 '^Error: 8 \(ENOTSUP\): ' stat list
fails 1 '^Error: 8 \(ENOTSUP\)' shell exec device list
fails 1 '^Error: 8 \(ENOTSUP\)' fs stat /lfs/keep.bin
fails 1 '^Error: 8 \(ENOTSUP\)' config app/serial
fails 1 '^Error: 8 \(ENOTSUP\)' enum count
fails 1 '^Error: 8 \(ENOTSUP\)' basic erase-storage
rc=0; OUT=$(mm --json stat list) || rc=$?
[ "$rc" = 1 ] && [ "$(json 'j["error"]["name"]')" = ENOTSUP ] || e2e_fail "json ENOTSUP: $OUT"
ok echo "recovery still serving"
LINK=udp
sim_stop
e2e_log "bad input: ok"
