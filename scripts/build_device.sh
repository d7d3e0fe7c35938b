#!/usr/bin/env bash
# Builds only the device libraries (smp, image_device, boot, smpsrv) and
# the mbedTLS crypto port (image_crypto_mbedtls over mbedTLS 2.28 from
# Debian's source, see scripts/fetch_mbedtls.sh) for a Cortex-M4F,
# freestanding, with warnings as errors, and checks that they need nothing
# from a host: every symbol they leave open is one of their own or a small
# part of the C library, and no soft-float helper.
#
# Then the size report (src/boot/README.md, "Size and stack"): the library
# set and the bootloader core (boot_go and all it reaches, linked with
# --gc-sections: tests/device/size_probe.c) per signature type, RSA-2048
# and ECDSA P-256 (each alone, no encrypted images), and the largest stack
# frames (-fstack-usage). Last, a build with integrator limits set to other
# values (docs/limits.md) that checks one of them took effect.
#
# Usage: build_device.sh [DIR]   (DIR, DIR-rsa2048, DIR-p256, DIR-limits)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-m4}
bash scripts/setup.sh

# build_set DIR CMAKE-ARGS...: the device set for the M4, -fstack-usage on.
build_set() {
    local d=$1
    shift
    cmake -S . -B "$d" -DDEVICE_ONLY=ON -DWERROR=ON -DCMAKE_BUILD_TYPE=MinSizeRel \
        -DCMAKE_C_FLAGS_MINSIZEREL="-Os -DNDEBUG -fstack-usage" \
        -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/arm-cortex-m4.cmake" "$@" >/dev/null
    cmake --build "$d" -j"$(nproc)" >/dev/null
}

libs_of() {
    local d=$1
    echo "$d"/src/smp/libsmp.a "$d"/src/image/libimage_device.a "$d"/src/boot/libboot.a \
        "$d"/src/smpsrv/libsmpsrv.a "$d"/src/image/libimage_crypto_mbedtls.a \
        "$d"/src/image/libmcutools_mbedtls.a
}

# ---- the full set (every signature type, encrypted images): no host symbols
build_set "$dir" -DCRYPTO=mbedtls
read -r -a libs <<<"$(libs_of "$dir")"
defined=$(arm-none-eabi-nm -g --defined-only "${libs[@]}" | awk 'NF == 3 {print $3}' | sort -u)
open=$(arm-none-eabi-nm -u "${libs[@]}" | awk 'NF == 2 {print $2}' | sort -u)
# (__aeabi_ helpers for integer division and the like, but no soft-float:
# __aeabi_f* / __aeabi_d* / __aeabi_*2f / __aeabi_*2d would mean floating
# point in device code)
foreign=$(comm -23 <(echo "$open") <(echo "$defined") |
          grep -Ev '^(mem(chr|cmp|cpy|move|set)$|str(chr|cmp|len)$|__aeabi_)' || true)
softfloat=$(comm -23 <(echo "$open") <(echo "$defined") |
            grep -E '^__aeabi_([fd][a-z0-9]|[a-z0-9]*2[fd]$)' || true)
foreign=$(printf '%s\n%s\n' "$foreign" "$softfloat" | sed '/^$/d')
if [ -n "$foreign" ]; then
    echo "build_device.sh: the device libraries need host symbols or soft-float:" >&2
    echo "$foreign" >&2
    exit 1
fi
arm-none-eabi-size -t "${libs[@]}" | tail -n 1 |
    awk '{printf "device libraries for a Cortex-M4F: %d bytes of code, %d of data+bss\n", $1, $2 + $3}'

# ---- size per signature type
# size_row NAME DIR: the library set (every object, as archived) and the
# bootloader core linked from it.
size_row() {
    local name=$1 d=$2 elf=$2/size_probe.elf
    read -r -a set <<<"$(libs_of "$d")"
    arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -Os \
        -ffunction-sections -fdata-sections -Isrc -c tests/device/size_probe.c -o "$d/size_probe.o"
    # (the archives twice: image_device and its port refer to each other)
    arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 \
        -nostartfiles --specs=nano.specs -Wl,--gc-sections -Wl,-e,main -o "$elf" \
        "$d/size_probe.o" -Wl,--start-group "${set[@]}" -Wl,--end-group
    local lib core
    lib=$(arm-none-eabi-size -t "${set[@]}" | tail -n 1 | awk '{print $1, $2, $3}')
    core=$(arm-none-eabi-size "$elf" | tail -n 1 | awk '{print $1, $2, $3}')
    printf '%-12s %8s %6s %6s   %8s %6s %6s\n' "$name" $lib $core
}
build_set "$dir-rsa2048" -DCRYPTO=mbedtls -DCRYPTO_ECDSA=OFF -DCRYPTO_SHA512=OFF -DCRYPTO_ENC=OFF
build_set "$dir-p256" -DCRYPTO=mbedtls -DCRYPTO_RSA=OFF -DCRYPTO_SHA512=OFF -DCRYPTO_ENC=OFF
echo "size (bytes)   library set: .text  .data   .bss   boot_go core: .text  .data   .bss"
size_row "all types" "$dir"
size_row "RSA-2048" "$dir-rsa2048"
size_row "ECDSA P-256" "$dir-p256"
echo "(all types: RSA-2048/3072, ECDSA P-256/P-384, SHA-384/512, encrypted images;"
echo " the core's .bss is mostly mbedTLS's pool, IMAGE_CRYPTO_HEAP_SIZE)"

# ---- stack: the largest frames of the device code (-fstack-usage); the
# worst case of a whole image needs its call graph (the firmware's report)
echo "largest stack frames (bytes, ECDSA P-256 set):"
find "$dir-p256" -name '*.su' -exec cat {} + |
    awk -F'\t' '{n = split($1, p, ":"); printf "%6d  %s  %s\n", $2, p[n], $3}' |
    sort -rn | awk 'NR <= 8' # awk reads it all: head would cut sort off (SIGPIPE under pipefail)

# ---- integrator limits set to other values (docs/limits.md)
limits="BOOT_MAX_IMG_SECTORS=256;CBOR_MAX_DEPTH=8;SMPSRV_SCRATCH_SIZE=2048"
limits="$limits;BOOT_COPY_CHUNK=512;IMAGE_MAX_SIGS=2;SMP_SERIAL_RX_LINE_CAP=512"
build_set "$dir-limits" -DCRYPTO=mbedtls -DCRYPTO_ENC=OFF -DDEVICE_LIMITS="$limits"
# the copy buffer is BOOT_COPY_CHUNK bytes of .bss in swap_common
copy_bss=$(arm-none-eabi-size -A "$dir-limits/src/boot/CMakeFiles/boot.dir/swap_common.c.obj" |
           awk '$1 == ".bss.copy_buf" {print $2}')
if [ "$copy_bss" != 512 ]; then
    echo "build_device.sh: BOOT_COPY_CHUNK=512 did not take effect (copy_buf: ${copy_bss:-none})" >&2
    exit 1
fi
echo "integrator limits ($limits): built, BOOT_COPY_CHUNK in effect"
