#!/usr/bin/env bash
# scripts/build_dfu_package.sh: signed image, bootloader folder, version
# info, nRF Connect style DFU zip, SHA256SUMS and one archive; everything
# verifies (imgtool verify with the release key, sha256sum -c), no private
# key ships, and the packaged image updates a board whose bootloader holds
# the release key. Bad inputs fail with a hint.
set -euo pipefail
source "$SRC_DIR/tests/workflow/wf_lib.sh"

PKGOUT=$E2E_TMP/dist
fw=$E2E_TMP/zephyr.bin
bash "$SCRIPTS/make_firmware.sh" 1.4.0 "$fw" 20000

e2e_log "package 1.4.0 from a firmware and the release key"
out=$(bash "$SCRIPTS/build_dfu_package.sh" --firmware "$fw" --key "$KEY" --out "$PKGOUT" \
      --image-cache "$E2E_TMP/cache" 1.4.0 2>&1) ||
    e2e_fail "build_dfu_package failed: $out"
pkg=$PKGOUT/release-1.4.0
img=$pkg/firmware-1.4.0.signed.bin
for f in "$img" "$pkg/firmware-1.4.0-dfu_application.zip" "$pkg/version.json" "$pkg/VERSION.txt" \
         "$pkg/SHA256SUMS" "$pkg/bootloader/release-pubkey.pem" "$pkg/bootloader/README.txt" \
         "$PKGOUT/firmware-1.4.0-release.tar.gz"; do
    [ -s "$f" ] || e2e_fail "missing from the package: $f"
done
verify=$("$IMGTOOL" verify -k "$KEY" "$img") || e2e_fail "imgtool verify -k release key"
e2e_assert_contains "$verify" "Image version: 1.4.0" "signed version"
digest=$(wf_digest "$img")
(cd "$pkg" && sha256sum --quiet -c SHA256SUMS) || e2e_fail "sha256sum -c SHA256SUMS"
# the image cache of `mcumgr dfu --image-cache` names it by its hash
cmp -s "$E2E_TMP/cache/$digest.bin" "$img" || e2e_fail "--image-cache: the release image is not kept as $digest.bin"
e2e_assert_eq "$(cd "$pkg" && find . -type f ! -name SHA256SUMS | wc -l)" "$(grep -c . "$pkg/SHA256SUMS")" \
    "SHA256SUMS covers every file"
(cd "$PKGOUT" && sha256sum --quiet -c firmware-1.4.0-release.tar.gz.sha256) || e2e_fail "archive checksum"
grep -rl "PRIVATE KEY" "$pkg" && e2e_fail "a private key in the package"
tar -tzf "$PKGOUT/firmware-1.4.0-release.tar.gz" | grep 'release-1.4.0/firmware-1.4.0.signed.bin' >/dev/null ||
    e2e_fail "archive lacks the image"

e2e_log "version info and the DFU zip's manifest"
python3 - "$pkg" "$digest" "$("$IMGTOOL" getpubhash -k "$KEY" -e raw | od -An -tx1 | tr -d ' \n')" <<'PY' ||
import json, os, subprocess, sys, zipfile
pkg, digest, keyhash = sys.argv[1:]
v = json.load(open(os.path.join(pkg, "version.json")))
img = os.path.join(pkg, "firmware-1.4.0.signed.bin")
assert v["version"] == "1.4.0", v
assert v["image_hash_sha256"] == digest, v
assert v["size"] == os.path.getsize(img), v
assert v["signing_key_hash_sha256"] == keyhash, v
assert v["signing_key_type"] == "ecdsa-p256", v
assert v["build_time"].endswith("Z"), v
z = zipfile.ZipFile(os.path.join(pkg, "firmware-1.4.0-dfu_application.zip"))
assert sorted(z.namelist()) == ["app_update.bin", "manifest.json"], z.namelist()
m = json.loads(z.read("manifest.json"))
f = m["files"][0]
assert f["file"] == "app_update.bin" and f["type"] == "application", m
assert f["version_MCUBOOT"] == "1.4.0" and f["image_index"] == "0", m
assert f["size"] == os.path.getsize(img) and f["board"] == "nrf52840dk_nrf52840", m
assert z.read("app_update.bin") == open(img, "rb").read()
PY
    e2e_fail "version.json / manifest.json check"

e2e_log "the packaged image updates a board that trusts the package's public key"
v1=$E2E_TMP/v1.0.0.bin
wf_sign 1.0.0 "$v1"
sim_provision "$v1"
sim_start --key "$pkg/bootloader/release-pubkey.pem" --no-pty
bash "$SCRIPTS/dfu_update.sh" --confirm --key "$pkg/bootloader/release-pubkey.pem" "$img" "udp:$SIM_UDP" >/dev/null 2>&1 ||
    e2e_fail "dfu_update with the packaged image"
e2e_assert_eq 1.4.0 "$(sim_status version)" "version from the package"
e2e_assert_eq "$digest" "$(sim_status hash)" "image from the package"
sim_stop

e2e_log "--demo: generated firmware and a throw-away key kept outside the package"
bash "$SCRIPTS/build_dfu_package.sh" --demo --out "$PKGOUT" 2.0.0+7 >/dev/null 2>&1 || e2e_fail "--demo package"
"$IMGTOOL" verify -k "$PKGOUT/release-2.0.0+7/bootloader/release-pubkey.pem" \
    "$PKGOUT/release-2.0.0+7/firmware-2.0.0+7.signed.bin" | grep 'Image version: 2.0.0+7' >/dev/null ||
    e2e_fail "demo package version"
[ -f "$PKGOUT/demo-inputs-NOT-FOR-PRODUCTION/demo-rsa-2048.pem" ] || e2e_fail "demo key location"
grep -rl "PRIVATE KEY" "$PKGOUT/release-2.0.0+7" && e2e_fail "a private key in the demo package"

e2e_log "bad inputs"
rc=0; bash "$SCRIPTS/build_dfu_package.sh" --out "$PKGOUT" 1.2 >/dev/null 2>&1 || rc=$?
e2e_assert_eq 2 "$rc" "malformed version"
rc=0; out=$(bash "$SCRIPTS/build_dfu_package.sh" --firmware "$fw" --key "$E2E_TMP/none.pem" --out "$PKGOUT" 1.5.0 2>&1) || rc=$?
e2e_assert_eq 1 "$rc" "missing key"
e2e_assert_contains "$out" "RELEASE_KEY" "missing key hint"
rc=0; out=$(bash "$SCRIPTS/build_dfu_package.sh" --firmware "$E2E_TMP/none.bin" --key "$KEY" --out "$PKGOUT" 1.5.0 2>&1) || rc=$?
e2e_assert_eq 1 "$rc" "missing firmware"
e2e_assert_contains "$out" "west build" "missing firmware hint"
bash "$SCRIPTS/make_firmware.sh" 1.6.0 "$E2E_TMP/huge.bin" $((470 * 1024))
rc=0; out=$(bash "$SCRIPTS/build_dfu_package.sh" --firmware "$E2E_TMP/huge.bin" --key "$KEY" --out "$PKGOUT" 1.6.0 2>&1) || rc=$?
e2e_assert_eq 1 "$rc" "image too large"
[ -e "$PKGOUT/release-1.6.0" ] && e2e_fail "a failed build left a release folder"

e2e_log "a release is never lost (issue 14 item 6)"
before=$(cd "$PKGOUT/release-1.4.0" && sha256sum SHA256SUMS)
# the same version again: refused, the release untouched
rc=0; out=$(bash "$SCRIPTS/build_dfu_package.sh" --firmware "$fw" --key "$KEY" --out "$PKGOUT" 1.4.0 2>&1) || rc=$?
e2e_assert_eq 1 "$rc" "rebuilding an existing release without --force"
e2e_assert_contains "$out" "release 1.4.0 already exists" "existing release named"
# --force with a missing input: fails before anything is replaced
rc=0; bash "$SCRIPTS/build_dfu_package.sh" --force --firmware "$E2E_TMP/none.bin" --key "$KEY" \
    --out "$PKGOUT" 1.4.0 >/dev/null 2>&1 || rc=$?
e2e_assert_eq 1 "$rc" "--force with a missing firmware"
e2e_assert_eq "$before" "$(cd "$PKGOUT/release-1.4.0" && sha256sum SHA256SUMS)" "the release after a failed re-run"
(cd "$PKGOUT/release-1.4.0" && sha256sum --quiet -c SHA256SUMS) || e2e_fail "the kept release no longer verifies"
ls -a "$PKGOUT" | grep -q '^\.release-' && e2e_fail "a staging folder was left behind"
# --force with good inputs replaces it, complete
bash "$SCRIPTS/make_firmware.sh" 1.4.0 "$E2E_TMP/other.bin" 24000
bash "$SCRIPTS/build_dfu_package.sh" --force --firmware "$E2E_TMP/other.bin" --key "$KEY" --out "$PKGOUT" 1.4.0 \
    >/dev/null 2>&1 || e2e_fail "--force rebuild"
[ "$before" != "$(cd "$PKGOUT/release-1.4.0" && sha256sum SHA256SUMS)" ] || e2e_fail "--force did not replace"
(cd "$PKGOUT/release-1.4.0" && sha256sum --quiet -c SHA256SUMS) || e2e_fail "the replaced release does not verify"
# a firmware that is already signed is refused
rc=0; out=$(bash "$SCRIPTS/build_dfu_package.sh" --firmware "$PKGOUT/release-1.4.0/firmware-1.4.0.signed.bin" \
    --key "$KEY" --out "$PKGOUT" 1.7.0 2>&1) || rc=$?
e2e_assert_eq 1 "$rc" "a signed image as --firmware"
e2e_assert_contains "$out" "already a signed MCUboot image" "signed firmware named"

e2e_log "no script evaluates user input as arithmetic"
for script in build_dfu_package.sh dfu_update.sh; do
    for opt in --max-size --slot-size --timeout --boot-wait; do
        [ "$script" = build_dfu_package.sh ] && case $opt in --timeout|--boot-wait) continue ;; esac
        [ "$script" = dfu_update.sh ] && [ "$opt" = --slot-size ] && continue
        rc=0; out=$(bash "$SCRIPTS/$script" "$opt" "X[\$(touch $E2E_TMP/pwned)]" 1.8.0 2>&1) || rc=$?
        e2e_assert_eq 2 "$rc" "$script $opt with a hostile value"
        e2e_assert_contains "$out" "needs a number" "$script $opt message"
        [ -e "$E2E_TMP/pwned" ] && e2e_fail "$script $opt executed its argument"
    done
done
# the positional BAUD of the device scripts, and the quick test's --timeout
for args in "dfu_update.sh fw.bin /dev/ttyACM0" "quick_mcumgr_test.sh /dev/ttyACM0" "quick_mcumgr_test.sh --timeout"; do
    # shellcheck disable=SC2086 # the words of the command line
    rc=0; out=$(bash "$SCRIPTS/"$args "X[\$(touch $E2E_TMP/pwned)]" 2>&1) || rc=$?
    e2e_assert_eq 2 "$rc" "$args with a hostile value"
    e2e_assert_contains "$out" "needs a number" "$args message"
    [ -e "$E2E_TMP/pwned" ] && e2e_fail "$args executed its argument"
done
echo PASS
