#!/usr/bin/env bash
# `cmake --install` into a temporary prefix, then only what it installed:
# the tools answer, imgtool keygen/sign/verify, an installed mcusim board
# talks to the installed mcumgr, and the installed scripts, run from the
# prefix with the build tree out of reach, find the tools beside
# themselves: quick_mcumgr_test.sh passes, dfu_update.sh leaves v1.1.0
# confirmed, build_dfu_package.sh --demo makes a package that verifies.
set -euo pipefail
source "$SRC_DIR/tests/lib/e2e.sh"
e2e_require_bin mcumgr imgtool mcusim

PREFIX=$E2E_TMP/prefix
"${CMAKE:-cmake}" --install "$BUILD_DIR" --prefix "$PREFIX" >"$E2E_TMP/install.log" ||
    e2e_fail "cmake --install failed: $(cat "$E2E_TMP/install.log")"
for f in mcumgr imgtool mcusim dfu_update.sh quick_mcumgr_test.sh build_dfu_package.sh make_firmware.sh; do
    [ -f "$PREFIX/bin/$f" ] && [ -x "$PREFIX/bin/$f" ] || e2e_fail "bin/$f not installed as a program"
done
for f in share/mcutools/common.sh share/doc/mcutools/README.md \
         share/doc/mcutools/tools/{mcumgr,imgtool,mcusim}/README.md; do
    [ -s "$PREFIX/$f" ] || e2e_fail "$f not installed"
done
cmp -s "$SRC_DIR/tools/mcumgr/README.md" "$PREFIX/share/doc/mcutools/tools/mcumgr/README.md" ||
    e2e_fail "the installed mcumgr README is not tools/mcumgr/README.md"
# every relative link between the installed documents reaches a file
n=0
while IFS= read -r md; do
    for link in $(grep -o '](\([^)#:]*\))' "$md" | sed 's/^](\(.*\))$/\1/'); do
        [ -e "$(dirname "$md")/$link" ] || e2e_fail "${md#"$PREFIX"/}: the link $link reaches nothing"
        n=$((n + 1))
    done
done < <(find "$PREFIX/share/doc/mcutools" -name '*.md')
[ "$n" -ge 3 ] || e2e_fail "only $n relative links found in the installed documents"

# From here on only the prefix: the scripts must not get the build tree
# through BIN_DIR, nor run from inside it.
unset BIN_DIR MCUMGR IMGTOOL
P=$PREFIX/bin
MCUMGR=$P/mcumgr IMGTOOL=$P/imgtool MCUSIM=$P/mcusim
export MCUTOOLS_AUDIT_DB=$E2E_TMP/audit.db MCUTOOLS_OPERATOR=ctest-operator
cd "$E2E_TMP"
SYS_PATH=/usr/local/bin:/usr/bin:/bin

e2e_log "the installed tools answer"
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$BUILD_DIR/CMakeCache.txt")
e2e_assert_eq "mcumgr $version" "$("$MCUMGR" version)" "mcumgr version"
e2e_assert_contains "$("$MCUMGR" --help)" "Usage:" "mcumgr --help"
e2e_assert_contains "$("$IMGTOOL" --help)" "Usage: imgtool" "imgtool --help"
e2e_assert_contains "$("$MCUSIM" --help 2>&1)" "usage: mcusim --state DIR" "mcusim --help"

e2e_log "imgtool keygen, sign, verify"
"$IMGTOOL" keygen -k key.pem -t ecdsa-p256 || e2e_fail "keygen"
"$IMGTOOL" keygen -k other.pem -t ecdsa-p256 || e2e_fail "keygen (other key)"
sign() { # VERSION OUT
    "$P/make_firmware.sh" "$1" "fw-$1.bin" 16384 || e2e_fail "make_firmware.sh $1"
    "$IMGTOOL" sign -k key.pem --version "$1" -H 0x200 --pad-header --align 4 -S 0x76000 \
        "fw-$1.bin" "$2" >/dev/null || e2e_fail "imgtool sign $1"
}
sign 1.0.0 v1.bin
sign 1.1.0 v2.bin
out=$("$IMGTOOL" verify -k key.pem v1.bin) || e2e_fail "imgtool verify: $out"
e2e_assert_contains "$out" "Image version: 1.0.0" "verified version"
if "$IMGTOOL" verify -k other.pem v1.bin >/dev/null 2>&1; then
    e2e_fail "imgtool verify accepted an image signed with another key"
fi

e2e_log "an installed board and the installed mcumgr"
sim_provision v1.bin
sim_start --key key.pem --no-pty
CONN=(--conntype udp --connstring "$SIM_UDP")
e2e_assert_eq "from the prefix" "$("$MCUMGR" "${CONN[@]}" echo "from the prefix")" "echo"
e2e_assert_contains "$("$MCUMGR" "${CONN[@]}" image list)" "version: 1.0.0" "image list"

e2e_log "quick_mcumgr_test.sh by its path, the prefix not on the PATH"
out=$(PATH=$SYS_PATH "$P/quick_mcumgr_test.sh" "udp:$SIM_UDP" 2>&1) ||
    e2e_fail "installed quick_mcumgr_test.sh failed: $out"
e2e_assert_contains "$out" "PASS  image list: slot 0 runs v1.0.0" "image check"
e2e_assert_contains "$out" "PASS: all 4 checks passed" "summary"

e2e_log "dfu_update.sh by name on the PATH"
out=$(PATH=$P:$SYS_PATH dfu_update.sh --confirm v2.bin "udp:$SIM_UDP" 2>&1) ||
    e2e_fail "installed dfu_update.sh failed: $out"
e2e_assert_contains "$out" "SUCCESS" "summary"
e2e_assert_eq 1.1.0 "$(sim_status version)" "running version after the update"
sim_stop

e2e_log "build_dfu_package.sh --demo by name on the PATH"
out=$(PATH=$P:$SYS_PATH build_dfu_package.sh --demo --out dist 1.2.0 2>&1) ||
    e2e_fail "installed build_dfu_package.sh failed: $out"
pkg=dist/release-1.2.0
signed=$(ls "$pkg"/*.signed.bin) || e2e_fail "no signed image in $pkg"
out=$("$IMGTOOL" verify -k "$pkg/bootloader/release-pubkey.pem" "$signed") ||
    e2e_fail "the package's image does not verify: $out"
e2e_assert_contains "$out" "Image version: 1.2.0" "packaged version"
(cd "$pkg" && sha256sum --quiet -c SHA256SUMS) || e2e_fail "SHA256SUMS of the package"
echo "PASS"
