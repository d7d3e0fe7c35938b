#!/usr/bin/env bash
# imgtool on bad input: every case must end with a specific message and
# exit 2 (usage) or 1 (failure), never a crash. Needs no vectors: keys and
# images are made here, in a private temporary folder.
set -u
IMGTOOL="$BIN_DIR/imgtool"
T=$(mktemp -d "${BUILD_DIR:-/tmp}/imgtool-bad.XXXXXX")
trap 'rm -rf "$T"' EXIT
fails=0
source "$SRC_DIR/tests/lib/expect.sh"
source "$SRC_DIR/tests/lib/crypto_port.sh"
# the signing key: any type the build's crypto port verifies
sig_type=$(e2e_key_type ed25519)

head -c 4096 /dev/urandom >"$T/payload.bin"
"$IMGTOOL" keygen -k "$T/ed.pem" -t "$sig_type" || exit 1
"$IMGTOOL" keygen -k "$T/x.pem" -t x25519 || exit 1
"$IMGTOOL" getpub -k "$T/ed.pem" -e pem >"$T/ed.pub.pem" || exit 1
SIGN=(sign -H 0x200 --pad-header -S 0x10000 -v 1.0.0)
"$IMGTOOL" "${SIGN[@]}" -k "$T/ed.pem" "$T/payload.bin" "$T/good.bin" || exit 1

# usage errors (exit 2)
expect 2 "COMMAND" -- "$IMGTOOL"
expect 2 "No such command" -- "$IMGTOOL" frobnicate
expect 2 "No such option: --frob" -- "$IMGTOOL" sign --frob
expect 2 "Missing option '-v'" -- "$IMGTOOL" sign -H 0x200 -S 0x1000 "$T/payload.bin" "$T/o.bin"
expect 2 "Invalid version" -- "$IMGTOOL" sign -H 0x200 --pad-header -S 0x10000 -v 1.x "$T/payload.bin" "$T/o.bin"
expect 2 "Minimum value for -H" -- "$IMGTOOL" sign -H 8 --pad-header -S 0x10000 -v 1 "$T/payload.bin" "$T/o.bin"
expect 2 "16 bits" -- "$IMGTOOL" sign -H 0x10000 --pad-header -S 0x100000 -v 1 "$T/payload.bin" "$T/o.bin"
expect 2 "not a valid integer" -- "$IMGTOOL" "${SIGN[@]}" --align banana "$T/payload.bin" "$T/o.bin"
expect 2 "cannot read $T/missing.pem: No such file or directory" -- "$IMGTOOL" "${SIGN[@]}" -k "$T/missing.pem" "$T/payload.bin" "$T/o.bin"
expect 2 "cannot read $T: Is a directory" -- "$IMGTOOL" "${SIGN[@]}" -k "$T" "$T/payload.bin" "$T/o.bin"
expect 2 "X25519 key cannot sign" -- "$IMGTOOL" "${SIGN[@]}" -k "$T/x.pem" "$T/payload.bin" "$T/o.bin"
expect 2 "is not one of rsa-2048" -- "$IMGTOOL" keygen -k "$T/k.pem" -t dsa-1024
expect 2 "exceeds the slot size 0x1000" -- "$IMGTOOL" sign -H 0x200 --pad-header -S 0x1000 -v 1 "$T/payload.bin" "$T/o.bin"
expect 2 "only a public key" -- "$IMGTOOL" "${SIGN[@]}" -k "$T/ed.pub.pem" "$T/payload.bin" "$T/o.bin"
expect 2 "does not start with zeros" -- "$IMGTOOL" sign -H 0x200 -S 0x10000 -v 1 "$T/payload.bin" "$T/o.bin"
expect 2 "conflicts with predefined" -- "$IMGTOOL" "${SIGN[@]}" --custom-tlv 0x50 0x01 "$T/payload.bin" "$T/o.bin"
expect 2 "odd number of hex digits" -- "$IMGTOOL" "${SIGN[@]}" --custom-tlv 0xa0 0x123 "$T/payload.bin" "$T/o.bin"
expect 2 "invalid dependency" -- "$IMGTOOL" "${SIGN[@]}" -d "(1,banana)" "$T/payload.bin" "$T/o.bin"
expect 2 "is not one of disabled" -- "$IMGTOOL" "${SIGN[@]}" --compression zstd "$T/payload.bin" "$T/o.bin"
expect 2 "Missing argument 'IMGFILE'" -- "$IMGTOOL" verify
[ -e "$T/o.bin" ] && { echo "FAIL: a refused sign left $T/o.bin"; fails=$((fails + 1)); }

# failures (exit 1)
printf 'not a key at all\n' >"$T/garbled.pem"
expect 1 "not a PEM key file" -- "$IMGTOOL" getpub -k "$T/garbled.pem"
openssl genpkey -algorithm ed25519 -aes-256-cbc -pass pass:secret -out "$T/locked.pem" 2>/dev/null
expect 1 "password-protected" -- "$IMGTOOL" getpub -k "$T/locked.pem"
expect 1 "holds no private key" -- "$IMGTOOL" getpriv -k "$T/ed.pub.pem"
expect 1 "Invalid image magic" -- "$IMGTOOL" verify "$T/payload.bin"
: >"$T/empty.bin"
expect 1 "Invalid image magic" -- "$IMGTOOL" verify "$T/empty.bin"
expect 1 "too short for an image header" -- "$IMGTOOL" dumpinfo "$T/empty.bin"
expect 1 "cannot read" -- "$IMGTOOL" verify "$T/nothing-here.bin"
head -c 4600 "$T/good.bin" >"$T/trunc.bin"
expect 1 "truncated" -- "$IMGTOOL" verify -k "$T/ed.pem" "$T/trunc.bin"
expect 1 "truncated" -- "$IMGTOOL" dumpinfo -f json "$T/trunc.bin"
head -c 4608 "$T/good.bin" >"$T/notlv.bin"
expect 1 "truncated" -- "$IMGTOOL" verify "$T/notlv.bin"
cp "$T/good.bin" "$T/flip.bin"
old=$(od -An -tu1 -j600 -N1 "$T/flip.bin" | tr -d ' ')
printf "\\x$(printf %02x $(((old + 1) % 256)))" | dd of="$T/flip.bin" bs=1 seek=600 conv=notrunc 2>/dev/null
expect 1 "invalid hash" -- "$IMGTOOL" verify -k "$T/ed.pem" "$T/flip.bin"
"$IMGTOOL" keygen -k "$T/ed2.pem" -t "$sig_type"
expect 1 "No signature found" -- "$IMGTOOL" verify -k "$T/ed2.pem" "$T/good.bin"
printf ':10000000000102030405060708090A0B0C0D0E0F78\n:10002000000102030405060708090A0B0C0D0E0F58\n:00000001FF\n' >"$T/gap.hex"
expect 1 "gap" -- "$IMGTOOL" "${SIGN[@]}" "$T/gap.hex" "$T/o.bin"
printf ':10000000000102030405060708090A0B0C0D0E0F00\n:00000001FF\n' >"$T/badsum.hex"
expect 1 "badsum.hex" -- "$IMGTOOL" "${SIGN[@]}" "$T/badsum.hex" "$T/o.bin"
printf 'hello\n' >"$T/nothex.hex"
expect 1 "nothex.hex" -- "$IMGTOOL" "${SIGN[@]}" "$T/nothex.hex" "$T/o.bin"
expect 1 "cannot read" -- "$IMGTOOL" "${SIGN[@]}" "$T/nothing-here.bin" "$T/o.bin"
# a read error is an error, not a shorter (here: empty) firmware
mkdir "$T/adir"
expect 1 "cannot read $T/adir: Is a directory" -- "$IMGTOOL" "${SIGN[@]}" "$T/adir" "$T/o.bin"
expect 1 "cannot read $T/adir: Is a directory" -- "$IMGTOOL" verify "$T/adir"
expect 1 "cannot read $T/adir: Is a directory" -- "$IMGTOOL" dumpinfo "$T/adir"
expect 2 "cannot read $T/adir: Is a directory" -- "$IMGTOOL" "${SIGN[@]}" --custom-tlv-file 0xa0 "$T/adir" "$T/payload.bin" "$T/o.bin"
[ -e "$T/o.bin" ] && { echo "FAIL: a sign that could not read its input left $T/o.bin"; fails=$((fails + 1)); }
expect 1 "cannot write" -- "$IMGTOOL" "${SIGN[@]}" "$T/payload.bin" "$T/no/such/dir/o.bin"

# still working after all that: the good image verifies
expect 0 "correctly validated" -- "$IMGTOOL" verify -k "$T/ed.pub.pem" "$T/good.bin"

expect_done "bad input: all cases refused cleanly"
