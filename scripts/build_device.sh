#!/usr/bin/env bash
# Builds only the device libraries (smp, image_device, boot, smpsrv) and
# the mbedTLS crypto port (image_crypto_mbedtls over mbedTLS 2.28 from
# Debian's source, see scripts/fetch_mbedtls.sh) for a Cortex-M4F,
# freestanding, with warnings as errors, and checks that they need nothing
# from a host: every symbol they leave open is one of their own or a small
# part of the C library. Prints the code size. Usage: build_device.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-m4}
bash scripts/setup.sh
cmake -S . -B "$dir" -DDEVICE_ONLY=ON -DCRYPTO=mbedtls -DWERROR=ON -DCMAKE_BUILD_TYPE=MinSizeRel \
    -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/arm-cortex-m4.cmake" >/dev/null
cmake --build "$dir" -j"$(nproc)"
libs=("$dir"/src/smp/libsmp.a "$dir"/src/image/libimage_device.a "$dir"/src/boot/libboot.a
      "$dir"/src/smpsrv/libsmpsrv.a "$dir"/src/image/libimage_crypto_mbedtls.a
      "$dir"/src/image/libmcutools_mbedtls.a)
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
