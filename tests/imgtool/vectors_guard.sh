#!/usr/bin/env bash
# The vector tests must never pass on nothing: without ../shared they skip
# (exit 77); with a manifest that is broken or has no vectors for a check
# they fail, naming what is missing. Runs the real test binaries against
# fake vector folders made here.
set -u
T=$(mktemp -d "${BUILD_DIR:-/tmp}/vectors-guard.XXXXXX")
trap 'rm -rf "$T"' EXIT
fails=0

# expect WANT_RC PATTERN SHARED BINARY [FILTER]: exit code and a stderr match
expect() {
    local want_rc=$1 pattern=$2 shared=$3 bin=$4
    shift 4
    if [ "$shared" = unset ]; then
        env -u SHARED_DIR "$BUILD_DIR/tests/$bin" "$@" >"$T/out" 2>"$T/err"
    else
        SHARED_DIR="$shared" "$BUILD_DIR/tests/$bin" "$@" >"$T/out" 2>"$T/err"
    fi
    local rc=$?
    if [ "$rc" -ne "$want_rc" ] || ! grep -qE -- "$pattern" "$T/out" "$T/err"; then
        echo "FAIL: SHARED_DIR=$shared $bin $* -> exit $rc (want $want_rc, /$pattern/)"
        sed 's/^/    /' "$T/out" "$T/err" | tail -5
        fails=$((fails + 1))
    fi
}

mkdir -p "$T/empty/vectors/imgtool" "$T/nosections/vectors/imgtool" \
         "$T/broken/vectors/imgtool" "$T/emptylists/vectors/imgtool"
echo '{}' >"$T/nosections/vectors/imgtool/manifest.json"
echo '{"images": [], "negatives": [], "keys": [], "sign_errors": []}' \
    >"$T/emptylists/vectors/imgtool/manifest.json"
echo '{"images": [' >"$T/broken/vectors/imgtool/manifest.json"

for bin in test_imgtool_vectors test_image_vectors; do
    expect 77 "skipping" unset "$bin"
    expect 77 "skipping" "$T/empty" "$bin"
    expect 1 "not valid JSON" "$T/broken" "$bin"
done
for group in sign verify dumpinfo key; do
    for m in nosections emptylists; do
        expect 1 "has no \"[a-z_]+\" vectors|no vectors were checked" "$T/$m" \
            test_imgtool_vectors "test_${group}*"
    done
done
expect 1 "has no \"keys\" vectors" "$T/nosections" test_image_vectors

if [ "$fails" -ne 0 ]; then
    echo "$fails vector-guard case(s) failed"
    exit 1
fi
echo "vector tests: skip without vectors, fail on an empty or broken manifest"
