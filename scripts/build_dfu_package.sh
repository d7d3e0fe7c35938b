#!/usr/bin/env bash
# Builds a release package for QA approval and field technicians:
#   signed firmware (imgtool, release key), bootloader, version info,
#   an nRF Connect Device Manager style DFU zip (manifest.json + image),
#   SHA256SUMS over everything, and one archive of it all.
# The package verifies: imgtool verify with the release key, sha256sum -c.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: build_dfu_package.sh [options] VERSION

  VERSION   release version, major.minor.revision[+build] (e.g. 1.2.3)

options (environment variable in brackets):
  --firmware BIN     unsigned application binary [FIRMWARE]
                     (default app/build/zephyr/zephyr.bin)
  --key PEM          release signing key [RELEASE_KEY]
                     (default app/bootloader/mcuboot-rsa-2048.pem)
  --demo             no firmware/key at hand: generate a deterministic demo
                     firmware (scripts/make_firmware.sh) and a THROW-AWAY key
                     inside the package folder (never for devices in the field)
  --bootloader FILE  bootloader binary to ship (e.g. build/mcuboot/zephyr/zephyr.hex)
                     [BOOTLOADER]; default: the simulated board's bootloader
                     configuration (see bootloader/README.txt in the package)
  --board NAME       board name for the manifest (default nrf52840dk_nrf52840)
  --slot-size N      image slot size (default 0x76000, nRF52840 layout)
  --max-size N       largest image the slot takes (default 0x74000: swap-using-move)
  --out DIR          output folder (default dist/); the package is DIR/release-VERSION/
  --image-cache DIR  also keep the signed image in DIR, the image cache of
                     `mcumgr dfu --image-cache` [IMAGE_CACHE]: devices that run
                     this release later get the next one as a delta patch
  --force            replace an existing release of this VERSION (only once the
                     new one is complete; without it an existing release is refused)
  -h, --help

The package is built in a staging folder beside DIR/release-VERSION and moved
into place only when complete: a failed run never touches an earlier release.
EOF
}

# The helpers: in lib/ beside this script in a checkout, in share/mcutools/
# when installed (bin/ and share/ under one prefix).
WF_HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
WF_LIB=$WF_HERE/lib/common.sh
[ -f "$WF_LIB" ] || WF_LIB=$WF_HERE/../share/mcutools/common.sh
source "$WF_LIB"

FIRMWARE=${FIRMWARE:-app/build/zephyr/zephyr.bin}
KEY=${RELEASE_KEY:-app/bootloader/mcuboot-rsa-2048.pem}
BOOTLOADER=${BOOTLOADER:-}
BOARD=nrf52840dk_nrf52840 SOC=nrf52840 LOAD_ADDR=$((0xC000))
SLOT_SIZE=0x76000 MAX_SIZE=$((0x74000)) OUT=dist DEMO=0 VERSION='' FORCE=0
IMAGE_CACHE=${IMAGE_CACHE:-}
while [ $# -gt 0 ]; do
    case "$1" in
        --firmware) FIRMWARE=${2:?--firmware needs a file}; shift ;;
        --key) KEY=${2:?--key needs a PEM file}; shift ;;
        --demo) DEMO=1 ;;
        --bootloader) BOOTLOADER=${2:?--bootloader needs a file}; shift ;;
        --board) BOARD=${2:?--board needs a name}; shift ;;
        --slot-size) SLOT_SIZE=$(wf_number build_dfu_package.sh --slot-size "${2:?--slot-size needs bytes}") || exit 2; shift ;;
        --max-size) MAX_SIZE=$(wf_number build_dfu_package.sh --max-size "${2:?--max-size needs bytes}") || exit 2; shift ;;
        --force) FORCE=1 ;;
        --image-cache) IMAGE_CACHE=${2:?--image-cache needs a folder}; shift ;;
        --out) OUT=${2:?--out needs a folder}; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "build_dfu_package.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
        *) [ -z "$VERSION" ] || { usage >&2; exit 2; }; VERSION=$1 ;;
    esac
    shift
done
[ -n "$VERSION" ] || { usage >&2; exit 2; }
if ! [[ "$VERSION" =~ ^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,5}(\+[0-9]{1,10})?$ ]]; then
    echo "build_dfu_package.sh: VERSION must be major.minor.revision[+build], not '$VERSION'" >&2
    exit 2
fi
[[ "$BOARD" =~ ^[A-Za-z0-9_.-]+$ ]] || { echo "build_dfu_package.sh: bad board name '$BOARD'" >&2; exit 2; }
wf_find_tools

FINAL=$OUT/release-$VERSION
NAME=firmware-$VERSION
# rsa-2048, ecdsa-p256, ed25519, ... from the key's public half
key_type() {
    local text
    text=$("$IMGTOOL" getpub -k "$1" -e pem | openssl pkey -pubin -noout -text 2>/dev/null) || { echo unknown; return; }
    case "$text" in
        *prime256v1*) echo ecdsa-p256 ;;
        *secp384r1*) echo ecdsa-p384 ;;
        *ED25519*) echo ed25519 ;;
        *Modulus*) echo "rsa-$(sed -n 's/.*(\([0-9]*\) bit).*/\1/p' <<<"$text" | head -n 1)" ;;
        *) echo unknown ;;
    esac
}
die() { wf_err "$1"; shift; local h; for h in "$@"; do wf_hint "$h"; done; exit 1; }

# A release is never lost: refuse to replace one unless asked, and build
# the new one aside, moved into place only once it is complete.
if [ -e "$FINAL" ] && [ "$FORCE" != 1 ]; then
    die "release $VERSION already exists: $FINAL" \
        "Give the new build another version, or pass --force to replace it once the new one is complete"
fi
mkdir -p "$OUT" || die "cannot create the output folder $OUT"
STAGE=$(mktemp -d "$OUT/.release-$VERSION.XXXXXX") || die "cannot create a staging folder in $OUT"
ZIPDIR=''
trap 'rm -rf "$STAGE" ${ZIPDIR:+"$ZIPDIR"}' EXIT
PKG=$STAGE/release-$VERSION
mkdir -p "$PKG/bootloader"

echo "${WF_B}Release package $VERSION${WF_N} -> $FINAL"

if [ "$DEMO" = 1 ]; then
    wf_step "Demo inputs: generated firmware and a THROW-AWAY signing key"
    # outside the package: a private key never ships
    DEMO_DIR=$OUT/demo-inputs-NOT-FOR-PRODUCTION
    mkdir -p "$DEMO_DIR"
    KEY=$DEMO_DIR/demo-rsa-2048.pem
    [ -f "$KEY" ] || "$IMGTOOL" keygen -k "$KEY" -t rsa-2048
    FIRMWARE=$DEMO_DIR/app-$VERSION.bin
    bash "$WF_HERE/make_firmware.sh" "${VERSION%%+*}" "$FIRMWARE"
    wf_warn "demo key in $KEY: a package signed with it must never reach a device in the field"
fi
[ -f "$FIRMWARE" ] || die "firmware not found: $FIRMWARE" \
    "Build it first (west build -b $BOARD), then pass --firmware or set FIRMWARE" \
    "Or try the flow with --demo"
# signing a signed image nests two headers: no device would boot it
if [ "$(head -c 4 "$FIRMWARE" | od -An -tx1 | tr -d ' \n')" = 3db8f396 ]; then
    die "$FIRMWARE is already a signed MCUboot image" \
        "Pass the unsigned application binary (e.g. build/zephyr/zephyr.bin, not zephyr.signed.bin)"
fi
[ -f "$KEY" ] || die "release key not found: $KEY" \
    "Pass --key or set RELEASE_KEY (keep the key in an HSM or a vault, never in git)" \
    "Or try the flow with --demo"

wf_step "Signing $FIRMWARE with the release key"
"$IMGTOOL" sign --key "$KEY" --version "$VERSION" --header-size 0x200 --pad-header \
    --slot-size "$SLOT_SIZE" --align 4 "$FIRMWARE" "$PKG/$NAME.signed.bin" >/dev/null ||
    die "imgtool sign failed" "Is $KEY a private key? imgtool keyinfo... / imgtool getpub -k $KEY"
wf_image_info "$PKG/$NAME.signed.bin" "$KEY" ||
    die "the signed image does not verify: $WF_IMG_ERROR"
SIZE=$WF_IMG_SIZE
[ "$SIZE" -le "$MAX_SIZE" ] ||
    die "the signed image is $SIZE bytes; the slot takes at most $MAX_SIZE" \
        "Firmware must be < 472 KB (slot size): reduce the image"
KEYHASH=$("$IMGTOOL" getpubhash -k "$KEY" -e raw | od -An -tx1 | tr -d ' \n')
KEYTYPE=$(key_type "$KEY")
FILE_SHA=$(sha256sum "$PKG/$NAME.signed.bin" | cut -d' ' -f1)
wf_ok "v$WF_IMG_VERSION, $SIZE bytes, image hash $WF_IMG_HASH"

wf_step "Bootloader"
"$IMGTOOL" getpub -k "$KEY" -e pem >"$PKG/bootloader/release-pubkey.pem"
if [ -n "$BOOTLOADER" ]; then
    [ -f "$BOOTLOADER" ] || die "bootloader not found: $BOOTLOADER"
    cp "$BOOTLOADER" "$PKG/bootloader/"
    BL_DESC="$(basename "$BOOTLOADER") (MCUboot binary supplied with --bootloader)"
    cat >"$PKG/bootloader/README.txt" <<EOF
$(basename "$BOOTLOADER"): the bootloader binary of this release, flashed
once per device with a debugger (nrfjprog --program ... --chiperase --verify).
release-pubkey.pem: the public half of the release key; the bootloader must
be built with it, or it refuses this release's images.
EOF
else
    BL_DESC="simulated board bootloader configuration (no flashable binary)"
    cat >"$PKG/bootloader/bootloader.json" <<EOF
{
  "what": "bootloader configuration of the simulated board (mcusim); not a flashable binary",
  "board": "$BOARD",
  "compatible": "MCUboot image format and trailer",
  "strategy": "swap-using-move",
  "signature_key": "release-pubkey.pem",
  "signature_key_hash": "$KEYHASH",
  "partitions": {
    "boot": {"offset": "0x0", "size": "0xc000"},
    "slot0": {"offset": "0xc000", "size": "0x76000"},
    "slot1": {"offset": "0x82000", "size": "0x76000"},
    "storage": {"offset": "0xf8000", "size": "0x8000"}
  },
  "max_image_size": $MAX_SIZE
}
EOF
    cat >"$PKG/bootloader/README.txt" <<EOF
THIS IS NOT A FLASHABLE BOOTLOADER BINARY.

No real MCUboot build was given (--bootloader), so this folder describes the
bootloader of the simulated nRF52840 board (mcusim), which runs this
project's MCUboot-compatible bootloader library: swap-using-move, the
partition layout in bootloader.json, and signature checks against
release-pubkey.pem. A board with exactly this bootloader configuration:

  mcusim --state DIR --key release-pubkey.pem --strategy swap-move

For real devices, rebuild with --bootloader build/mcuboot/zephyr/zephyr.hex
(the MCUboot image built with the same public key).
EOF
fi
wf_ok "$BL_DESC"

wf_step "Version info"
BUILD_TIME=$(date -u ${SOURCE_DATE_EPOCH:+-d "@$SOURCE_DATE_EPOCH"} +%Y-%m-%dT%H:%M:%SZ)
EPOCH=$(date -u -d "$BUILD_TIME" +%s)
COMMIT=$(git -C "$WF_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
cat >"$PKG/version.json" <<EOF
{
  "version": "$VERSION",
  "board": "$BOARD",
  "image": "$NAME.signed.bin",
  "image_hash_sha256": "$WF_IMG_HASH",
  "file_sha256": "$FILE_SHA",
  "size": $SIZE,
  "signing_key_hash_sha256": "$KEYHASH",
  "signing_key_type": "$KEYTYPE",
  "build_time": "$BUILD_TIME",
  "source_commit": "$COMMIT",
  "bootloader": "$BL_DESC"
}
EOF
cat >"$PKG/VERSION.txt" <<EOF
Firmware release $VERSION for $BOARD
image:             $NAME.signed.bin
image hash:        $WF_IMG_HASH
file sha256:       $FILE_SHA
size:              $SIZE bytes
signing key hash:  $KEYHASH ($KEYTYPE)
build time:        $BUILD_TIME
source commit:     $COMMIT
bootloader:        $BL_DESC

Update a device:   scripts/dfu_update.sh $NAME.signed.bin /dev/ttyACM0
Check the package: sha256sum -c SHA256SUMS
                   imgtool verify -k <release public key> $NAME.signed.bin
EOF
wf_ok "version.json, VERSION.txt"

wf_step "DFU zip (nRF Connect Device Manager)"
ZIPDIR=$(mktemp -d)
cp "$PKG/$NAME.signed.bin" "$ZIPDIR/app_update.bin"
cat >"$ZIPDIR/manifest.json" <<EOF
{
  "format-version": 1,
  "time": $EPOCH,
  "name": "$NAME",
  "files": [
    {
      "type": "application",
      "board": "$BOARD",
      "soc": "$SOC",
      "load_address": $LOAD_ADDR,
      "image_index": "0",
      "slot_index_hex": "1",
      "version_MCUBOOT": "$WF_IMG_VERSION",
      "size": $SIZE,
      "file": "app_update.bin",
      "modtime": $EPOCH
    }
  ]
}
EOF
touch -d "$BUILD_TIME" "$ZIPDIR/app_update.bin" "$ZIPDIR/manifest.json"
(cd "$ZIPDIR" && zip -q -X "dfu_application.zip" manifest.json app_update.bin)
mv "$ZIPDIR/dfu_application.zip" "$PKG/$NAME-dfu_application.zip"
wf_ok "$NAME-dfu_application.zip (manifest.json + app_update.bin)"

wf_step "Checksums and archive"
(cd "$PKG" && find . -type f ! -name SHA256SUMS -printf '%P\n' | LC_ALL=C sort | xargs -d '\n' sha256sum >SHA256SUMS)
ARCHIVE=$STAGE/$NAME-release.tar.gz
tar -C "$STAGE" --sort=name --owner=0 --group=0 --numeric-owner --mtime="$BUILD_TIME" \
    -czf "$ARCHIVE" "release-$VERSION"
(cd "$STAGE" && sha256sum "$(basename "$ARCHIVE")" >"$(basename "$ARCHIVE").sha256")
wf_ok "$(basename "$ARCHIVE")"

wf_step "Self-check"
(cd "$PKG" && sha256sum --quiet -c SHA256SUMS) || die "SHA256SUMS does not match the package"
unzip -p "$PKG/$NAME-dfu_application.zip" app_update.bin | cmp -s - "$PKG/$NAME.signed.bin" ||
    die "the DFU zip does not hold the signed image"
"$IMGTOOL" verify -k "$PKG/bootloader/release-pubkey.pem" "$PKG/$NAME.signed.bin" >/dev/null ||
    die "imgtool verify with the release public key failed"
wf_ok "SHA256SUMS, DFU zip content and imgtool verify -k release-pubkey.pem: OK"

# Complete and checked: into place. The earlier release (with --force)
# goes only now, and is renamed aside first so the swap is two renames.
if [ -e "$FINAL" ]; then
    mv "$FINAL" "$STAGE/replaced" || die "cannot move the earlier release $FINAL aside"
fi
mv "$PKG" "$FINAL" || die "cannot move the package into $FINAL"
mv -f "$ARCHIVE" "$ARCHIVE.sha256" "$OUT/" || die "cannot move the archive into $OUT"
PKG=$FINAL
ARCHIVE=$OUT/$NAME-release.tar.gz
# The cache names an image by its SHA-256 TLV (what a device reports it
# runs); written aside and renamed, as mcumgr writes it.
if [ -n "$IMAGE_CACHE" ]; then
    mkdir -p "$IMAGE_CACHE" && cp "$PKG/$NAME.signed.bin" "$IMAGE_CACHE/.$WF_IMG_HASH.bin.tmp" &&
        mv -f "$IMAGE_CACHE/.$WF_IMG_HASH.bin.tmp" "$IMAGE_CACHE/$WF_IMG_HASH.bin" ||
        die "the release is in place, but the image could not be kept in the cache $IMAGE_CACHE"
    wf_ok "kept in the image cache: $IMAGE_CACHE/$WF_IMG_HASH.bin"
fi
echo
echo "${WF_G}Package ready${WF_N}: $PKG"
ls -1 "$PKG" | sed 's/^/  /'
echo "Archive: $ARCHIVE"
