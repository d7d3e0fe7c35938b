#!/usr/bin/env bash
# Builds the Cortex-M4 firmware of the QEMU board (firmware/) into
# build/firmware/ (or $FIRMWARE_OUT):
#   bootloader.elf                  ours, ECDSA P-256 key built in
#   app-1.0.0.signed.bin app-1.1.0.signed.bin
#   app-crash.signed.bin            crashes at boot (v1.2.0)
#   app-hang.signed.bin             stops feeding the watchdog (v1.2.0)
#   demo-key.pem                    the signing key (ECDSA P-256; kept once made)
#   rsa-2048/                       the same with an RSA-2048 key (demo-key.pem there)
#   size-report.txt                 .text/.data/.bss and worst-case stack of
#                                   both images per signature type
# Usage: build_firmware.sh [--strategy swap-move|swap-scratch|overwrite-only]
# The bootloader must fit the 48 KiB boot partition with both key types,
# with a margin of 4 KiB; the build fails otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
strategy=swap-move
while [ $# -gt 0 ]; do
    case $1 in
        --strategy) [ $# -ge 2 ] || { echo "usage: build_firmware.sh [--strategy NAME]" >&2; exit 2; }
                    strategy=$2; shift 2 ;;
        *) echo "usage: build_firmware.sh [--strategy swap-move|swap-scratch|overwrite-only]" >&2; exit 2 ;;
    esac
done
case $strategy in
    swap-move|swap-scratch|overwrite-only) ;;
    *) echo "build_firmware.sh: unknown strategy '$strategy'" >&2; exit 2 ;;
esac

BOOT_PARTITION=$((48 * 1024))
BOOT_MARGIN=$((4 * 1024))
out=${FIRMWARE_OUT:-$root/build/firmware}
mkdir -p "$out"
out=$(cd "$out" && pwd)

bash scripts/setup.sh >/dev/null
# imgtool, from the host build (made if missing)
IMGTOOL=${IMGTOOL:-$root/build/bin/imgtool}
if [ ! -x "$IMGTOOL" ]; then
    cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build build -j"$(nproc)" --target imgtool
fi

# key_for DIR TYPE: DIR/demo-key.pem of TYPE (made once) and its DER.
key_for() {
    mkdir -p "$1"
    [ -s "$1/demo-key.pem" ] || "$IMGTOOL" keygen -k "$1/demo-key.pem" -t "$2" >/dev/null
    "$IMGTOOL" getpub -k "$1/demo-key.pem" -e raw -o "$1/demo-key.der" >/dev/null
}

# build_set DIR TYPE LABEL CRYPTO_OPTS...: the bootloader and the
# applications for one key type, into DIR; the images signed.
build_set() {
    local dir=$1 type=$2 label=$3
    shift 3
    key_for "$dir" "$type"
    cmake -S . -B "$dir/obj" -DDEVICE_ONLY=ON -DFIRMWARE=ON -DWERROR=ON \
        -DCMAKE_BUILD_TYPE=MinSizeRel -DCMAKE_TOOLCHAIN_FILE="$root/cmake/arm-cortex-m4.cmake" \
        -DFW_KEY_DER="$dir/demo-key.der" -DFW_KEY_TYPE="$label" \
        -DFW_BOOT_STRATEGY="$strategy" -DCRYPTO_SHA512=OFF -DCRYPTO_ENC=OFF "$@" >/dev/null
    cmake --build "$dir/obj" -j"$(nproc)"
    local fw=$dir/obj/firmware
    cp "$fw/bootloader.elf" "$dir/bootloader.elf"
    local app ver
    for app in app-1.0.0 app-1.1.0 app-crash app-hang; do
        case $app in
            app-crash|app-hang) ver=1.2.0 ;;
            *) ver=${app#app-} ;;
        esac
        cp "$fw/$app.elf" "$dir/$app.elf"
        "$IMGTOOL" sign -k "$dir/demo-key.pem" -v "$ver" -H 0x200 --pad-header -S 0x76000 \
            --align 4 "$fw/$app.bin" "$dir/$app.signed.bin" >/dev/null
    done
}

# size_line DIR LABEL IMAGE: the figures of one image; the stack notes
# go to $notes.
notes=""
size_line() {
    local dir=$1 label=$2 image=$3 text data bss stack stack_out
    read -r text data bss < <(arm-none-eabi-size -A "$dir/$image.elf" | awk '
        $1 == ".text" || $1 == ".ARM.exidx" { t += $2 }
        $1 == ".data" { d += $2 }
        $1 == ".bss" { b += $2 }
        END { print t + 0, d + 0, b + 0 }')
    stack_out=$(python3 firmware/stack_report.py "$dir/$image.elf" "$dir/obj/src" \
                "$dir/obj/firmware/CMakeFiles/fw_board.dir" "$dir/obj/firmware/CMakeFiles/$image.dir")
    stack=$(head -n 1 <<<"$stack_out")
    notes+=$(tail -n +2 <<<"$stack_out" | sed "s/^/# $label $image: /")$'\n'
    printf '%-12s %-11s %7d %6d %6d %7d %6d\n' "$label" "$image" "$text" "$data" "$bss" \
        $((text + data)) "$stack"
}

build_set "$out" ecdsa-p256 "ECDSA P-256" -DCRYPTO_RSA=OFF -DCRYPTO_ECDSA=ON
build_set "$out/rsa-2048" rsa-2048 "RSA-2048" -DCRYPTO_RSA=ON -DCRYPTO_ECDSA=OFF

report=$out/size-report.txt
{
    echo "# Firmware sizes (bytes; arm-none-eabi-gcc -Os, $strategy bootloader)"
    echo "# flash = .text + .data; boot partition $BOOT_PARTITION, margin asked $BOOT_MARGIN"
    echo "# stack: deepest call path (gcc -fcallgraph-info=su), exception handlers on top"
    printf '%-12s %-11s %7s %6s %6s %7s %6s\n' signature image .text .data .bss flash stack
    size_line "$out" "ECDSA-P256" bootloader
    size_line "$out" "ECDSA-P256" app-1.0.0
    size_line "$out/rsa-2048" "RSA-2048" bootloader
    size_line "$out/rsa-2048" "RSA-2048" app-1.0.0
    printf '%s' "$notes"
} >"$report"
cat "$report"

# The bootloader fits the boot partition with both key types, with margin.
fail=0
for dir in "$out" "$out/rsa-2048"; do
    used=$(arm-none-eabi-size -A "$dir/bootloader.elf" |
           awk '$1 == ".text" || $1 == ".ARM.exidx" || $1 == ".data" { s += $2 } END { print s }')
    if [ "$used" -gt $((BOOT_PARTITION - BOOT_MARGIN)) ]; then
        echo "build_firmware.sh: $dir/bootloader.elf uses $used bytes of flash:" \
             "over the 48 KiB boot partition less its 4 KiB margin" >&2
        fail=1
    fi
done
# The worst-case stack fits what the linker scripts reserve (firmware/ld).
while read -r label image _ _ _ _ stack; do
    reserve=$((16 * 1024))
    [ "$image" = bootloader ] && reserve=$((12 * 1024))
    if [ "$stack" -gt "$reserve" ]; then
        echo "build_firmware.sh: $label $image needs $stack bytes of stack, $reserve reserved" >&2
        fail=1
    fi
done < <(grep -v '^#' "$report" | tail -n +2)
echo "firmware in $out (strategy $strategy)"
exit $fail
