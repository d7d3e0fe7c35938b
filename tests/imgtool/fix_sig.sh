#!/usr/bin/env bash
# --sig-out writes the signature as base64 and --fix-sig takes it back
# (also wrapped into lines, as `base64` writes it): the image signed with a
# fixed signature is byte-identical to the one signed with the key, and
# verifies. Not base64, or empty: exit 2 with a message. Needs no vectors.
set -u
IMGTOOL="$BIN_DIR/imgtool"
T=$(mktemp -d "${BUILD_DIR:-/tmp}/imgtool-fixsig.XXXXXX")
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

head -c 3000 /dev/urandom >"$T/payload.bin"
"$IMGTOOL" keygen -k "$T/ed.pem" -t ed25519 || fail keygen
"$IMGTOOL" getpub -k "$T/ed.pem" -e pem >"$T/ed.pub.pem" || fail getpub
SIGN=(sign -H 0x200 --pad-header -S 0x10000 -v 1.2.3)
"$IMGTOOL" "${SIGN[@]}" -k "$T/ed.pem" --sig-out "$T/sig.b64" "$T/payload.bin" "$T/keyed.bin" ||
    fail "sign with --sig-out"

# the base64 text is canonical (no line breaks, '=' padding) and holds the
# 64-byte Ed25519 signature
[ "$(base64 -d "$T/sig.b64" | wc -c)" -eq 64 ] || fail "--sig-out does not decode to 64 bytes"
[ "$(base64 -d "$T/sig.b64" | base64 -w0)" = "$(cat "$T/sig.b64")" ] ||
    fail "--sig-out is not canonical base64"

fixed() { # fixed SIGFILE OUT
    "$IMGTOOL" "${SIGN[@]}" --fix-sig "$1" --fix-sig-pubkey "$T/ed.pub.pem" "$T/payload.bin" "$2"
}
fixed "$T/sig.b64" "$T/fixed.bin" || fail "sign with --fix-sig"
cmp -s "$T/keyed.bin" "$T/fixed.bin" || fail "--fix-sig image differs from the keyed one"
fold -w 16 "$T/sig.b64" >"$T/wrapped.b64"
printf '\n' >>"$T/wrapped.b64"
fixed "$T/wrapped.b64" "$T/wrapped.bin" || fail "sign with a line-wrapped --fix-sig"
cmp -s "$T/keyed.bin" "$T/wrapped.bin" || fail "line-wrapped --fix-sig image differs"
# (mbedTLS 2.28, the other crypto port, has no Ed25519 verifier)
source "$SRC_DIR/tests/lib/crypto_port.sh"
if e2e_has_ed25519; then
    "$IMGTOOL" verify -k "$T/ed.pub.pem" "$T/fixed.bin" | grep -q "correctly validated" ||
        fail "the --fix-sig image does not verify"
else
    echo "note: not verified: the $E2E_CRYPTO crypto port has no Ed25519"
fi

printf 'not*base64!\n' >"$T/bad.b64"
: >"$T/empty.b64"
for f in bad empty; do
    fixed "$T/$f.b64" "$T/o.bin" >"$T/out" 2>&1
    rc=$?
    [ "$rc" -eq 2 ] && grep -q "is not base64" "$T/out" || fail "$f --fix-sig: exit $rc $(cat "$T/out")"
    [ -e "$T/o.bin" ] && fail "$f --fix-sig left an output file"
done
echo "--sig-out / --fix-sig round trip: identical images"
