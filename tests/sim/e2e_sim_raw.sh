#!/usr/bin/env bash
# mcusim answers real clients' bytes over UDP and over the pty: the Go
# (SMP v1) and Rust (SMP v2) echo vectors of issue 3, image list, params
# per transport, console lines and continuation lines on the serial line,
# silently dropped bad frames, an fs upload whose repeated last chunk is
# answered with the file's length, and an SMP reset that answers first and
# keeps the pty path.
set -euo pipefail
source "$SRC_DIR/tests/lib/e2e.sh"
e2e_require_bin mcusim imgtool
RAW="python3 $SRC_DIR/tests/sim/smp_raw.py"

field() { # MSGHEX KEY.PATH
    $RAW decode "$1" | python3 -c 'import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v = v[int(k)] if isinstance(v, list) else v[k]
print(json.dumps(v) if isinstance(v, bool) else v)' "$2"
}

e2e_vector_or_own img ecp256_basic   # 1.2.3+4
sim_provision "$img"
sim_start

e2e_log "Go echo over UDP (v1) gets a v1 reply"
e2e_assert_eq 0300000900004200a161726568656c6c6f \
    "$($RAW udp "$SIM_PORT" 0200000900004200a161646568656c6c6f)" "Go UDP echo"
e2e_log "Rust echo over UDP (v2) gets a v2 reply"
e2e_assert_eq 0b00000900000000a161726568656c6c6f \
    "$($RAW udp "$SIM_PORT" 0a00000900000000a161646568656c6c6f)" "Rust UDP echo"

e2e_log "image list shows the provisioned slot 0"
list=$($RAW udp "$SIM_PORT" 0000000100014200a0)
e2e_assert_eq 1.2.3.4 "$(field "$list" images.0.version)" "slot 0 version"
e2e_assert_eq true "$(field "$list" images.0.active)" "slot 0 active"

e2e_log "Go echo line over the pty, byte for byte"
reply=$($RAW serial-bytes "$SIM_TTY" "0609$(printf ABMCAAAJAABCAKFhZGVoZWxsb8EJ | xxd -p)0a")
e2e_assert_eq 0300000900004200a161726568656c6c6f "$reply" "Go serial echo"

e2e_log "console text before a frame is skipped; continuation lines reassemble"
noise=$(printf 'uart:~$ hello\r\n' | xxd -p | tr -d '\n')
long=$(python3 -c 'print("x" * 200)')
msg=$(python3 -c 'import sys
s = sys.argv[1].encode()
body = b"\xa1\x61d\x78" + bytes([len(s)]) + s
print((bytes([0x0a, 0, len(body) >> 8, len(body) & 255, 0, 0, 3, 0]) + body).hex())' "$long")
reply=$($RAW serial "$SIM_TTY" "$msg")
e2e_assert_eq "$long" "$(field "$reply" r)" "long echo over continuation lines"
lines=$(python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import smp_raw
print(smp_raw.frame(bytes.fromhex(sys.argv[2])).count(b"\n"))' "$SRC_DIR/tests/sim" "$msg")
[ "$lines" -gt 1 ] || e2e_fail "the long echo should span several lines"
reply=$($RAW serial-bytes "$SIM_TTY" "$noise$(printf '\x06\x09ABMCAAAJAABCAKFhZGVoZWxsb8EJ\n' | xxd -p)")
e2e_assert_eq 0300000900004200a161726568656c6c6f "$reply" "echo after console text"

e2e_log "device identity: os info node name is the hardware id"
info=$($RAW udp "$SIM_PORT" 0000000a00000907a166666f726d6174616e)
e2e_assert_eq "$(sim_status hwid)" "$(field "$info" output)" "os info -f n"

e2e_log "answers nobody reads are discarded, not served to the next host"
python3 -c 'import os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY)
os.write(fd, b"\x06\x09ABMCAAAJAABCAKFhZGVoZWxsb8EJ\n")
os.close(fd)' "$SIM_TTY"
sim_wait_log 'no host reading: [0-9]+ stale bytes discarded' 6

e2e_log "params: Zephyr-like buffers per transport"
p=$($RAW serial "$SIM_TTY" 0000000000000106)
e2e_assert_eq 384 "$(field "$p" buf_size)" "uart buf_size"
e2e_assert_eq 4 "$(field "$p" buf_count)" "uart buf_count"
p=$($RAW udp "$SIM_PORT" 0000000000000106)
e2e_assert_eq 2048 "$(field "$p" buf_size)" "udp buf_size"
e2e_assert_eq 2 "$(field "$p" buf_count)" "udp buf_count"

e2e_log "a request larger than buf_size and a bad CRC are dropped silently"
big=$(python3 -c 'print("y" * 400)')
msg=$(python3 -c 'import sys
s = sys.argv[1].encode()
body = b"\xa1\x61d\x79" + len(s).to_bytes(2, "big") + s
print((bytes([0x0a, 0, len(body) >> 8, len(body) & 255, 0, 0, 4, 0]) + body).hex())' "$big")
e2e_assert_eq TIMEOUT "$($RAW serial "$SIM_TTY" "$msg" 1)" "oversized request"
bad=$(printf '\x06\x09ABMCAAAJAABCAKFhZGVoZWxsb8EK\n' | xxd -p)
e2e_assert_eq TIMEOUT "$($RAW serial-bytes "$SIM_TTY" "$bad" 1)" "bad CRC"
e2e_assert_eq 1 "$(sim_status uart.dropped_too_big)" "oversized request counted as too big"
e2e_assert_eq 1 "$(sim_status uart.dropped_corrupt)" "bad CRC counted as corrupt"
e2e_assert_eq 0300000900004200a161726568656c6c6f \
    "$($RAW serial "$SIM_TTY" 0200000900004200a161646568656c6c6f)" "still serving"

e2e_log "fs upload over UDP: a repeated last chunk is answered with the length"
fs_chunk() { # SEQ OFF N [LEN]: fs write of bytes [OFF, OFF+N) of a pattern
    python3 -c 'import sys
seq, off, n = (int(a) for a in sys.argv[1:4])
def head(major, v):
    if v < 24: return bytes([major << 5 | v])
    for info, size in ((24, 1), (25, 2), (26, 4)):
        if v < 1 << (8 * size): return bytes([major << 5 | info]) + v.to_bytes(size, "big")
def text(s): return head(3, len(s)) + s.encode()
data = bytes((i * 7 + 1) & 255 for i in range(off, off + n))
pairs = [(text("name"), text("/lfs/rt.bin")), (text("off"), head(0, off)),
         (text("data"), head(2, n) + data)]
if len(sys.argv) > 4: pairs.append((text("len"), head(0, int(sys.argv[4]))))
body = head(5, len(pairs)) + b"".join(k + v for k, v in pairs)
print((bytes([0x0a, 0, len(body) >> 8, len(body) & 255, 0, 8, seq, 0]) + body).hex())' "$@"
}
fs_off() { field "$($RAW udp "$SIM_PORT" "$(fs_chunk "$@")")" off; }
e2e_assert_eq 600 "$(fs_off 1 0 600 1500)" "first chunk"
e2e_assert_eq 1200 "$(fs_off 2 600 600)" "second chunk"
e2e_assert_eq 1500 "$(fs_off 3 1200 300)" "last chunk"
e2e_assert_eq 1500 "$(fs_off 4 1200 300)" "the last chunk again (its answer was lost)"
python3 -c 'import sys; sys.stdout.buffer.write(bytes((i * 7 + 1) & 255 for i in range(1500)))' \
    >"$SIM_DIR/rt.expected"
cmp "$SIM_DIR/rt.expected" "$SIM_DIR/fs/lfs/rt.bin" || e2e_fail "the board's file differs from the upload"

e2e_log "SMP reset over the pty: the reply comes first, the pty keeps its path"
reply=$($RAW serial "$SIM_TTY" 0a00000000000705)
e2e_assert_eq 0b00 "${reply:0:4}" "reset reply op/version"
e2e_assert_eq 00000705 "${reply:8:8}" "reset reply group/seq/id"
sim_wait_log 'reset cause: soft'
e2e_assert_eq 2 "$(sim_status boot_count)" "boot count"
e2e_assert_eq soft "$(sim_status reset_cause)" "reset cause"
e2e_assert_eq "$SIM_TTY" "$(readlink "$SIM_TTY_LINK")" "pty path after reset"
e2e_assert_eq 0300000900004200a161726568656c6c6f \
    "$($RAW serial "$SIM_TTY" 0200000900004200a161646568656c6c6f)" "echo after reset"

e2e_log "reset over UDP (Go: {} body)"
reply=$($RAW udp "$SIM_PORT" 0200000100000805a0)
e2e_assert_eq 0300 "${reply:0:4}" "reset reply over UDP"
sim_wait_log 'Booting MCUboot.*' 5
for i in $(seq 50); do [ "$(sim_status boot_count)" = 3 ] && break; sleep 0.1; done
e2e_assert_eq 3 "$(sim_status boot_count)" "boot count after UDP reset"

e2e_log "--reenumerate: a reset takes the USB port away; DIR/tty follows the new pty"
sim_restart --reenumerate 300
old_tty=$SIM_TTY
$RAW udp "$SIM_PORT" 0200000100000905a0 >/dev/null
sim_wait_log 'uart: unplugged for 300 ms'
for _ in $(seq 100); do
    now_tty=$(sim_status tty)
    [ -n "$now_tty" ] && break
    sleep 0.05
done
[ -n "$now_tty" ] || e2e_fail "the port never came back"
e2e_assert_eq "$now_tty" "$(readlink "$SIM_TTY_LINK")" "tty symlink after re-enumeration"
e2e_assert_eq 0300000900004200a161726568656c6c6f \
    "$($RAW serial "$SIM_TTY_LINK" 0200000900004200a161646568656c6c6f)" "echo on the new port"
[ "$now_tty" != "$old_tty" ] || echo "(the new pty reused the old number)"

e2e_log "--buf-size/--buf-count are reported by params"
sim_restart --buf-size 512 --buf-count 2
p=$($RAW serial "$SIM_TTY" 0000000000000106)
e2e_assert_eq 512 "$(field "$p" buf_size)" "uart buf_size override"
e2e_assert_eq 2 "$(field "$p" buf_count)" "uart buf_count override"
echo PASS
