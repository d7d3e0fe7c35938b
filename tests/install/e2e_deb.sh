#!/usr/bin/env bash
# The .deb CPack makes of the install rules, checked with dpkg-deb: name,
# version and architecture; Depends names the package of every shared
# library the binaries link (what dpkg-shlibdeps found) and the scripts'
# own tools; the binaries, scripts, helpers and READMEs are in it with the
# right modes; and the unpacked tree runs (the scripts find their helpers
# and the tools beside themselves).
set -euo pipefail
source "$SRC_DIR/tests/lib/e2e.sh"
e2e_require_bin mcumgr imgtool mcusim
# dpkg-deb is part of dpkg itself: without it this is no Debian system
command -v dpkg-deb >/dev/null || { echo "SKIP: no dpkg-deb (not a Debian system)"; exit 77; }

"${CPACK:-cpack}" --config "$BUILD_DIR/CPackConfig.cmake" -G DEB -B "$E2E_TMP/pkg" \
    >"$E2E_TMP/cpack.log" 2>&1 || e2e_fail "cpack failed: $(tail -n 20 "$E2E_TMP/cpack.log")"
debs=("$E2E_TMP"/pkg/*.deb)
[ "${#debs[@]}" = 1 ] && [ -f "${debs[0]}" ] || e2e_fail "cpack made ${#debs[@]} .deb files: ${debs[*]}"
deb=${debs[0]}
dpkg-deb --info "$deb" >/dev/null || e2e_fail "dpkg-deb --info cannot read $deb"
field() { dpkg-deb --field "$deb" "$1"; }

e2e_log "control fields"
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$BUILD_DIR/CMakeCache.txt")
e2e_assert_eq mcutools "$(field Package)" "Package"
e2e_assert_eq "$version" "$(field Version)" "Version"
e2e_assert_eq "$(dpkg --print-architecture)" "$(field Architecture)" "Architecture"
[ -n "$(field Maintainer)" ] || e2e_fail "no Maintainer"

e2e_log "Depends: the package of each library the binaries link, and the scripts' tools"
depends=" $(field Depends | tr -d ' ' | tr ',' ' ') "
depends_on() { # PACKAGE: is it in Depends (with or without a version)?
    [[ "$depends" == *" $1 "* || "$depends" == *" $1("* ]]
}
# owner SONAME BINARY: the Debian package holding the library the binary loads
owner() {
    local path p
    path=$(ldd "$2" | awk -v s="$1" '$1 == s {print $3}')
    [ -n "$path" ] || return 1
    # merged /usr: dpkg knows each file under one of its two names
    for p in "$path" "/usr${path#/usr}" "${path#/usr}"; do
        dpkg -S "$p" 2>/dev/null | head -n 1 | cut -d: -f1 && return 0
    done
    return 1
}
n=0
for b in mcumgr imgtool mcusim; do
    for so in $(readelf -d "$BIN_DIR/$b" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
        pkg=$(owner "$so" "$BIN_DIR/$b") || e2e_fail "no Debian package holds $so ($b links it)"
        depends_on "$pkg" || e2e_fail "Depends lacks $pkg ($so, linked by $b): $depends"
        n=$((n + 1))
    done
done
[ "$n" -ge 4 ] || e2e_fail "only $n libraries found in the binaries"
for pkg in bash openssl zip unzip; do
    depends_on "$pkg" || e2e_fail "Depends lacks $pkg (the scripts run it): $depends"
done

e2e_log "contents"
contents=$(dpkg-deb --contents "$deb")
has() { # MODE PATH
    grep -Eq "^$1 root/root .* \./$2\$" <<<"$contents" || e2e_fail "$2 ($1) not in the package"
}
for f in mcumgr imgtool mcusim dfu_update.sh quick_mcumgr_test.sh build_dfu_package.sh make_firmware.sh; do
    has -rwxr-xr-x "usr/bin/$f"
done
for f in share/mcutools/common.sh share/doc/mcutools/README.md \
         share/doc/mcutools/tools/{mcumgr,imgtool,mcusim}/README.md; do
    has -rw-r--r-- "usr/$f"
done

e2e_log "the unpacked tree runs"
root=$E2E_TMP/root
dpkg-deb -x "$deb" "$root" || e2e_fail "dpkg-deb -x"
unset BIN_DIR MCUMGR IMGTOOL
e2e_assert_eq "mcumgr $version" "$("$root/usr/bin/mcumgr" version)" "packaged mcumgr"
"$root/usr/bin/imgtool" keygen -k "$E2E_TMP/k.pem" -t ed25519 || e2e_fail "packaged imgtool keygen"
e2e_assert_contains "$("$root/usr/bin/dfu_update.sh" --help)" "usage: dfu_update.sh" "packaged dfu_update.sh"
# no device there: the script must get as far as asking mcumgr
rc=0
out=$(cd "$E2E_TMP" && PATH=/usr/bin:/bin "$root/usr/bin/quick_mcumgr_test.sh" "$E2E_TMP/ttyACM9" 2>&1) || rc=$?
e2e_assert_eq 1 "$rc" "quick test exit status without a device"
e2e_assert_contains "$out" "FAIL  connection test" "packaged quick_mcumgr_test.sh ran its checks"
echo "PASS"
