#!/usr/bin/env bash
# Fetches mbedTLS 2.28 (the crypto of the device port, src/image/crypto_mbedtls.c)
# from Debian's source package, once, into a cache folder outside git:
#   ${MCUTOOLS_DEPS:-<checkout>/build-deps}/mbedtls-2.28.x/
# apt-get checks the files against the signed Sources index of the mirror
# (no other download); dpkg-source checks them against the .dsc again and
# unpacks with Debian's patches. Idempotent: a finished unpack is marked
# with .mcutools-ok and reused. Prints the source folder.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
deps=${MCUTOOLS_DEPS:-$root/build-deps}
mkdir -p "$deps"
deps=$(cd "$deps" && pwd)

for d in "$deps"/mbedtls-2.28.*; do
    if [ -f "$d/.mcutools-ok" ]; then
        echo "$d"
        exit 0
    fi
done

# The deb-src line comes from the project's setup.
bash "$root/scripts/setup.sh" >&2
work=$(mktemp -d "$deps/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
# the index of the source line may be missing on a machine set up before it
if ! apt-get source --print-uris mbedtls >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq >&2
fi
apt-get source --download-only mbedtls >&2
dsc=$(ls mbedtls_2.28.*.dsc 2>/dev/null | head -n 1 || true)
if [ -z "$dsc" ]; then
    echo "fetch_mbedtls.sh: Debian's mbedtls source is not 2.28.x (got: $(ls ./*.dsc 2>/dev/null))" >&2
    exit 1
fi
# dpkg-source verifies the checksums the .dsc lists before unpacking.
dpkg-source -x "$dsc" src >&2
ver=$(sed -n 's/^Version: \([0-9.]*\).*/\1/p' "$dsc")
test -f src/library/sha256.c && test -f src/include/mbedtls/config.h
touch src/.mcutools-ok
rm -rf "$deps/mbedtls-$ver"
mv src "$deps/mbedtls-$ver"
echo "$deps/mbedtls-$ver"
