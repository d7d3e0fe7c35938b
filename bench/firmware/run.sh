#!/usr/bin/env bash
# Firmware benchmark (not a test): the image sizes and stack of the
# Cortex-M4 build (build/firmware/size-report.txt), and the instructions
# one boot-time validation of a 200 KiB image costs per signature type on
# the M4, beside the host's (callgrind, when bench/boot/run.sh has built its
# bench_boot and valgrind is installed).
#
# M4 instructions: QEMU runs the board with -icount shift=0 (every
# instruction advances the virtual clock by 1 ns), the bootloader prints
# how long boot_go took by its SysTick (40 ns steps): microseconds x 1000
# = instructions. The image is alone in slot 0, so boot_go validates
# it (hash and signature) and swaps nothing.
# Usage: bash bench/firmware/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
fw=${FIRMWARE_DIR:-$root/build/firmware}
IMGTOOL=${IMGTOOL:-$root/build/bin/imgtool}
host_bench=${BENCH_BUILD_DIR:-$root/build-bench-boot}/bench_boot
SIZE=$((200 * 1024))

bash scripts/build_firmware.sh >/dev/null
echo "== sizes and stack (build/firmware/size-report.txt) =="
grep -v '^# [A-Z]' "$fw/size-report.txt"

tmp=$(mktemp -d)
board=""
cleanup() {
    [ -n "$board" ] && kill "$board" 2>/dev/null && wait "$board" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

# m4_boot_us DIR IMAGE: boot_go's microseconds on a new board with IMAGE.
m4_boot_us() {
    local dir=$1 img=$2 state=$tmp/board-$RANDOM us=""
    QEMU_BOARD_ARGS="-icount shift=0" bash scripts/qemu-board.sh --state "$state" \
        --firmware-dir "$dir" --provision "$img" >"$tmp/board.out" 2>&1 &
    board=$!
    for _ in $(seq 600); do
        us=$(sed -n 's/^I: boot_go took \([0-9]*\) us.*/\1/p' "$state/console.log" 2>/dev/null | head -n 1)
        [ -n "$us" ] && break
        sleep 0.1
    done
    kill "$board" 2>/dev/null && wait "$board" 2>/dev/null
    board=""
    echo "${us:-?}"
}

echo
echo "== instructions of one boot-time validation, 200 KiB image =="
printf "%-12s %16s %16s\n" "signature" "M4 (QEMU)" "host (callgrind)"
for set in ecdsa-p256: rsa-2048:rsa-2048; do
    label=${set%%:*}
    dir=$fw${set#*:}
    [ "$label" = rsa-2048 ] && dir=$fw/rsa-2048
    body=$tmp/$label.bin
    arm-none-eabi-objcopy -O binary "$dir/app-1.0.0.elf" "$body"
    # filler up to the size asked (the application ignores bytes past its code)
    head -c $((SIZE - $(stat -c %s "$body"))) /dev/zero | tr '\0' '\132' >>"$body"
    img=$tmp/$label.signed.bin
    "$IMGTOOL" sign -k "$dir/demo-key.pem" -v 1.0.0 -H 0x200 --pad-header -S 0x76000 \
        --align 4 "$body" "$img" >/dev/null
    us=$(m4_boot_us "$dir" "$img")
    m4="?"
    [ "$us" != "?" ] && m4=$((us * 1000))
    host="(no bench_boot/valgrind)"
    if [ -x "$host_bench" ] && command -v valgrind >/dev/null; then
        valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" \
            --toggle-collect=bench_measured "$host_bench" validate "$img" "$dir/demo-key.der" \
            >/dev/null 2>&1 && host=$(awk '/^summary:/ {print $2}' "$tmp/cg.out")
    fi
    printf "%-12s %16s %16s\n" "$label" "$m4" "$host"
done
echo "(M4: boot_go as a whole, which also reads both trailers; host: image_validate alone,"
echo " OpenSSL; bash bench/boot/run.sh builds the host's bench_boot)"
