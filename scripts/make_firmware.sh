#!/usr/bin/env bash
# A deterministic stand-in for a firmware build: the same VERSION and SIZE
# always give the same bytes, so demos and tests can sign "v1.0.0" and
# "v1.1.0" of an application without a compiler for the target.
#
#   make_firmware.sh VERSION OUT [SIZE]    (SIZE in bytes, default 49152)
#
# Layout: a text banner carrying the version ("mcutools demo firmware
# v1.1.0"), then pseudo-random bytes from AES-256-CTR keyed by the SHA-256
# of the banner (OpenSSL), so every version has a different body.
set -euo pipefail

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    echo "usage: make_firmware.sh VERSION OUT [SIZE]" >&2
    exit 2
fi
version=$1 out=$2 size=${3:-49152}
case "$version" in
    [0-9]*.[0-9]*.[0-9]*) ;;
    *) echo "make_firmware.sh: VERSION must look like 1.2.3, not '$version'" >&2; exit 2 ;;
esac
case "$size" in ''|*[!0-9]*) echo "make_firmware.sh: SIZE must be a number of bytes" >&2; exit 2 ;; esac

banner="mcutools demo firmware v$version (nrf52840dk_nrf52840)"
if [ "$size" -le "${#banner}" ]; then
    echo "make_firmware.sh: SIZE must exceed the ${#banner}-byte banner" >&2
    exit 2
fi
key=$(printf '%s' "$banner" | openssl dgst -sha256 -r | cut -d' ' -f1)
{
    printf '%s\n' "$banner"
    head -c $((size - ${#banner} - 1)) /dev/zero |
        openssl enc -aes-256-ctr -nosalt -K "$key" -iv 00000000000000000000000000000000
} >"$out.tmp"
mv "$out.tmp" "$out"
