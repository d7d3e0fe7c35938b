# Every management group end to end through the real mcumgr against a real
# mcusim, over $LINK (udp or serial). Sourced by e2e_groups_udp.sh and
# e2e_groups_pty.sh after lib.sh; asserts on values the board really has.

groups_board_start
e2e_log "board up ($LINK): $SIM_DIR"

# ---- OS: tasks and pools ----
ok taskstat
head -n 1 <<<"$OUT" | grep -qE '^ +task pri tid +runtime +csw +stksz +stkuse last_checkin next_checkin$' ||
    e2e_fail "taskstat header: $OUT"
has '^ +smp_workq +14 +4 '
has '^ +idle +15 +1 '
# rows sorted by name, as the Go tool prints them
names=$(tail -n +2 <<<"$OUT" | awk '{print $1}')
[ "$names" = "$(sort <<<"$names")" ] || e2e_fail "taskstat rows not sorted: $names"
ok --json taskstat
[ "$(json 'j["tasks"]["main"]["stksiz"]')" = 512 ] || e2e_fail "taskstat json: $OUT"

ok mpstat
has '^ +name blksz +cnt free +min$'
has '^ +smp_netbuf +384 +4 '
ok --json mpstat
[ "$(json 'sorted(j["mpools"])')" = '["smp_netbuf", "sys_heap"]' ] || e2e_fail "mpstat json: $OUT"

# ---- OS: clock ----
ok datetime 2024-03-02T22:44:00Z
[ "$OUT" = Done ] || e2e_fail "datetime set: $OUT"
ok datetime
has '^Datetime\(RFC 3339 format\): 2024-03-02T22:44:0[0-9]'
# a zone offset is honoured: 10:00+05:30 is 04:30 UTC
ok datetime 2025-01-15T10:00:00.5+05:30
ok --json datetime
has '"datetime": ?"2025-01-15T04:30:0[0-9]'
ok datetime now
ok --json datetime
python3 - "$OUT" <<'PY' || e2e_fail "datetime now is off: $OUT"
import datetime, json, sys
t = json.loads(sys.argv[1])["datetime"]
dev = datetime.datetime.fromisoformat(t)
host = datetime.datetime.now(datetime.timezone.utc)
assert abs((host - dev).total_seconds()) < 10, (t, host)
PY

# ---- OS: info and bootloader ----
ok os info
[ "$OUT" = Zephyr ] || e2e_fail "os info: $OUT"
ok os info a
has 'nrf52840'
ok --json os info snm
has '"output": ?"Zephyr [0-9a-f]{16} arm"'
ok bootloader
[ "$OUT" = "bootloader: MCUboot" ] || e2e_fail "bootloader: $OUT"
ok bootloader mode
has '^mode: 3 \(swap without scratch \(move\)\)$'
ok --json bootloader mode
[ "$(json 'j["mode"]')" = 3 ] || e2e_fail "bootloader mode json: $OUT"

# ---- statistics: counters move when traffic flows ----
ok stat list
[ "$OUT" = "$(printf 'stat groups:\n    board\n    flash\n    smp\n    uart\n    udp')" ] ||
    e2e_fail "stat list: $OUT"
link_group=$([ "$LINK" = serial ] && echo uart || echo udp)
req0=$(stat_field smp requests)
rx0=$(stat_field "$link_group" rx_bytes)
os0=$(stat_field smp os_req)
for i in 1 2 3 4 5; do ok echo "traffic $i"; done
req1=$(stat_field smp requests)
rx1=$(stat_field "$link_group" rx_bytes)
os1=$(stat_field smp os_req)
[ "$req1" -ge $((req0 + 6)) ] || e2e_fail "smp requests did not move: $req0 -> $req1"
[ "$os1" -ge $((os0 + 5)) ] || e2e_fail "os requests did not move: $os0 -> $os1"
[ "$rx1" -gt "$rx0" ] || e2e_fail "$link_group rx_bytes did not move: $rx0 -> $rx1"
ok stat smp
has '^stat group: smp$'
has '^ +[0-9]+ requests$'
ok stat show
[ "$(grep -c '^stat group: ' <<<"$OUT")" = 5 ] || e2e_fail "stat show: not 5 groups: $OUT"
has '^ +1 boot_count$'
ok stat show flash
has '^stat group: flash$'
ok --json stat show
[ "$(json 'sorted(j)')" = '["board", "flash", "smp", "uart", "udp"]' ] || e2e_fail "stat show json: $OUT"

# ---- settings: write, read, survive a reset, delete ----
ok config app/name "infusion pump 7"
[ "$OUT" = Done ] || e2e_fail "config write: $OUT"
ok config app/name
[ "$OUT" = "Value: infusion pump 7" ] || e2e_fail "config read: $OUT"
ok settings write --hex app/cal 00ff10
ok settings read app/cal
[ "$OUT" = "Value (hex): 00ff10" ] || e2e_fail "settings read: $OUT"
ok settings read --hex app/name
[ "$OUT" = "Value (hex): $(printf 'infusion pump 7' | od -An -tx1 | tr -d ' \n')" ] ||
    e2e_fail "settings read --hex: $OUT"
ok --json settings read app/cal
[ "$(json 'j["val"]')" = 00ff10 ] || e2e_fail "settings json: $OUT"
ok settings commit
ok settings save
ok config save
ok settings load
boots0=$(stat_field board boot_count)
ok reset
wait_serving
[ "$(stat_field board boot_count)" = $((boots0 + 1)) ] || e2e_fail "the board did not reboot"
[ "$(stat_field board reset_cause)" = 1 ] || e2e_fail "reset cause is not soft"
ok config app/name
[ "$OUT" = "Value: infusion pump 7" ] || e2e_fail "setting lost across the reset: $OUT"
# and across a power cycle of the whole board (storage, not RAM)
sim_restart
ok settings read app/cal
[ "$OUT" = "Value (hex): 00ff10" ] || e2e_fail "setting lost across a restart: $OUT"
ok settings delete app/cal
fails 1 '^Error: 3 \(SETTINGS KEY_NOT_FOUND\)' settings read app/cal

# ---- file system: byte-identical round trip, hashes computed here ----
head -c 100000 /dev/urandom >"$E2E_TMP/data.bin"
ok fs upload "$E2E_TMP/data.bin" /lfs/data.bin
[ "$(tail -n 1 <<<"$OUT")" = Done ] || e2e_fail "fs upload: $OUT"
# the image upload's progress bar, not a column of raw offsets
grep -qE '^97\.66 KiB / 97\.66 KiB \[=+\] +100\.00% [0-9.]+ KiB/s' <<<"$OUT" ||
    e2e_fail "fs upload progress: $OUT"
[ "$(grep -c '^[0-9]*$' <<<"$OUT")" = 0 ] || e2e_fail "fs upload printed raw offsets: $OUT"
ok --json fs upload --no-resume "$E2E_TMP/data.bin" /lfs/data.bin
[ "$(json 'j["requests"]')" -gt 2 ] || e2e_fail "fs upload was not chunked: $OUT"
cmp "$E2E_TMP/data.bin" "$SIM_DIR/fs/lfs/data.bin" || e2e_fail "the board's file differs"
ok fs download /lfs/data.bin "$E2E_TMP/back.bin"
[ "$(tail -n 1 <<<"$OUT")" = Done ] || e2e_fail "fs download: $OUT"
grep -qE '^97\.66 KiB / 97\.66 KiB \[=+\] +100\.00%' <<<"$OUT" || e2e_fail "fs download progress: $OUT"
cmp "$E2E_TMP/data.bin" "$E2E_TMP/back.bin" || e2e_fail "downloaded file differs"
ok fs stat /lfs/data.bin
[ "$OUT" = "len: 100000" ] || e2e_fail "fs stat: $OUT"
ok fs hash /lfs/data.bin sha256
has "^output: $(sha256sum "$E2E_TMP/data.bin" | cut -d' ' -f1)$"
has '^len: 100000$'
crc=$(python3 -c 'import sys, zlib; print("%08x" % zlib.crc32(open(sys.argv[1], "rb").read()))' "$E2E_TMP/data.bin")
ok fs hash /lfs/data.bin crc32
has "^output: $crc$"
ok --json fs hash /lfs/data.bin
[ "$(json 'j["type"]')" = crc32 ] && [ "$(json '"%08x" % j["output"]')" = "$crc" ] ||
    e2e_fail "fs hash json: $OUT"
# a region: bytes 1000..1999
ok fs hash --off 1000 --len 1000 /lfs/data.bin sha256
has "^output: $(tail -c +1001 "$E2E_TMP/data.bin" | head -c 1000 | sha256sum | cut -d' ' -f1)$"
ok fs hash-types
has '^    crc32 \(number, 4 bytes\)$'
has '^    sha256 \(bytes, 32 bytes\)$'
ok fs close
# resume: a partial local copy is continued after the device confirms it
head -c 30000 "$E2E_TMP/data.bin" >"$E2E_TMP/part.bin"
OUT=$(mm fs download --resume /lfs/data.bin "$E2E_TMP/part.bin" 2>&1) || e2e_fail "resume: $OUT"
has 'resumed at byte 30000 of 100000'
cmp "$E2E_TMP/data.bin" "$E2E_TMP/part.bin" || e2e_fail "resumed download differs"
# a partial local file that is NOT a prefix is not trusted: started over
head -c 30000 /dev/urandom >"$E2E_TMP/other.bin"
ok fs download --resume /lfs/data.bin "$E2E_TMP/other.bin"
cmp "$E2E_TMP/data.bin" "$E2E_TMP/other.bin" || e2e_fail "download over a foreign partial differs"
# the same file again: the device has it (same sha256), nothing is sent
ok --json fs upload "$E2E_TMP/data.bin" /lfs/data.bin
[ "$(json 'j["identical"]')" = true ] && [ "$(json 'j["requests"]')" = 0 ] || e2e_fail "re-upload: $OUT"
# a device file that is a prefix but whose transfer the device forgot:
# the upload starts over and ends byte-identical
head -c 40000 "$E2E_TMP/data.bin" >"$E2E_TMP/head.bin"
ok fs upload "$E2E_TMP/head.bin" /lfs/grow.bin
ok --json fs upload "$E2E_TMP/data.bin" /lfs/grow.bin
[ "$(json 'j["restarts"]')" = 1 ] || e2e_fail "forgotten transfer not restarted: $OUT"
cmp "$E2E_TMP/data.bin" "$SIM_DIR/fs/lfs/grow.bin" || e2e_fail "restarted upload differs"
# an empty file
: >"$E2E_TMP/empty.bin"
ok fs upload "$E2E_TMP/empty.bin" empty.txt
[ -f "$SIM_DIR/fs/empty.txt" ] && [ ! -s "$SIM_DIR/fs/empty.txt" ] || e2e_fail "empty file upload"
ok fs download empty.txt "$E2E_TMP/empty.out"
[ -f "$E2E_TMP/empty.out" ] && [ ! -s "$E2E_TMP/empty.out" ] || e2e_fail "empty file download"

# ---- shell ----
ok shell exec "device list"
[ "$(head -n 1 <<<"$OUT")" = status=0 ] || e2e_fail "shell status: $OUT"
has '^- uart@40002000 \(READY\)$'
has '^- flash-controller@4001e000 \(READY\)$'
ok shell exec device list
has '^- cdc_acm_uart0 \(READY\)$'
ok shell exec kernel version
has 'application v1\.2\.3$'
ok --json shell exec kernel uptime
uptime=$(json 'j["o"]')
[ "$(json 'j["ret"]')" = 0 ] && grep -qE '^Uptime: [0-9]+ ms' <<<"$uptime" || e2e_fail "shell json: $OUT"
fails 1 'status=-8' shell exec frobnicate
has 'frobnicate: command not found'
fails 1 'status=-22' shell exec device frob

# ---- enumeration ----
ok enum count
[ "$OUT" = "groups: 8" ] || e2e_fail "enum count: $OUT"
ok --json enum list
[ "$(json 'j["groups"]')" = "[0, 1, 2, 3, 8, 9, 10, 63]" ] || e2e_fail "enum list: $OUT"
ok enum list
has '^ +63 ZEPHYR_BASIC$'
ok enum single 7
[ "$OUT" = "group: 63 ZEPHYR_BASIC (last)" ] || e2e_fail "enum single: $OUT"
ok enum details
has '^ +8 fs +5$'
has '^ +9 shell +1$'
ok enum details 3 9
[ "$(tail -n +2 <<<"$OUT" | wc -l)" = 2 ] || e2e_fail "enum details filter: $OUT"

# ---- Zephyr basic: erase storage drops files and settings ----
ok config keep/me yes
ok basic erase-storage
[ "$OUT" = Done ] || e2e_fail "erase-storage: $OUT"
[ ! -e "$SIM_DIR/fs/lfs/data.bin" ] || e2e_fail "file survived erase-storage"
fails 1 'KEY_NOT_FOUND' config keep/me
fails 1 'FILE_NOT_FOUND' fs stat /lfs/data.bin

ok echo "still serving"
sim_stop
e2e_log "groups flow over $LINK: ok"
