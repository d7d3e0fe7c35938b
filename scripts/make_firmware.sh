#!/usr/bin/env bash
# A deterministic stand-in for a firmware build: the same VERSION and SIZE
# always give the same bytes, so demos and tests can sign "v1.0.0" and
# "v1.1.0" of an application without a compiler for the target.
#
#   make_firmware.sh VERSION OUT [SIZE]    (SIZE in bytes, default 49152)
#
# Layout: a text banner carrying the version ("mcutools demo firmware
# v1.1.0"), then pseudo-random bytes (AES-256-CTR, OpenSSL) standing for
# the code: the same stream for every version (keyed by the SHA-256 of the
# banner without its version), except for a "changed" block of 1 KiB in
# the middle (an eighth of the body when smaller) keyed by the SHA-256 of
# the whole banner. So every version has a different body, and two
# versions differ as a patch release does: in a few KiB (delta updates).

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
stream() { # KEY-TEXT BYTES
    local key
    key=$(printf '%s' "$1" | openssl dgst -sha256 -r | cut -d' ' -f1)
    head -c "$2" /dev/zero |
        openssl enc -aes-256-ctr -nosalt -K "$key" -iv 00000000000000000000000000000000
}
body=$((size - ${#banner} - 1))
changed=$(( body / 8 < 1024 ? body / 8 : 1024 ))
{
    printf '%s\n' "$banner"
    stream "mcutools demo firmware (nrf52840dk_nrf52840)" "$body"
} >"$out.tmp"
if [ "$changed" -gt 0 ]; then
    stream "$banner" "$changed" |
        dd of="$out.tmp" bs=1 seek=$(( ${#banner} + 1 + body / 2 )) conv=notrunc status=none
fi
mv "$out.tmp" "$out"
