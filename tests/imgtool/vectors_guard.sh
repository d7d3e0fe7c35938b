#!/usr/bin/env bash
# The vector tests must never pass on nothing: without ../shared they skip
# (exit 77); with a manifest that is broken or has no vectors for a check
# they fail, naming what is missing. Runs the real test binaries against
# fake vector folders made here.
set -u
T=$(mktemp -d "${BUILD_DIR:-/tmp}/vectors-guard.XXXXXX")
trap 'rm -rf "$T"' EXIT
fails=0
source "$SRC_DIR/tests/lib/expect.sh"

# with_vectors SHARED BINARY [FILTER]: the test binary with SHARED_DIR set
# to SHARED, or unset for "unset"
with_vectors() {
    local shared=$1 bin=$2
    shift 2
    if [ "$shared" = unset ]; then
        env -u SHARED_DIR "$BUILD_DIR/tests/$bin" "$@"
    else
        SHARED_DIR="$shared" "$BUILD_DIR/tests/$bin" "$@"
    fi
}

mkdir -p "$T/empty/vectors/imgtool" "$T/nosections/vectors/imgtool" \
         "$T/broken/vectors/imgtool" "$T/emptylists/vectors/imgtool"
echo '{}' >"$T/nosections/vectors/imgtool/manifest.json"
echo '{"images": [], "negatives": [], "keys": [], "sign_errors": []}' \
    >"$T/emptylists/vectors/imgtool/manifest.json"
echo '{"images": [' >"$T/broken/vectors/imgtool/manifest.json"

for bin in test_imgtool_vectors test_image_vectors; do
    expect 77 "skipping" -- with_vectors unset "$bin"
    expect 77 "skipping" -- with_vectors "$T/empty" "$bin"
    expect 1 "not valid JSON" -- with_vectors "$T/broken" "$bin"
done
for group in sign verify dumpinfo key; do
    for m in nosections emptylists; do
        expect 1 "has no \"[a-z_]+\" vectors|no vectors were checked" -- with_vectors "$T/$m" \
            test_imgtool_vectors "test_${group}*"
    done
done
expect 1 "has no \"keys\" vectors" -- with_vectors "$T/nosections" test_image_vectors

expect_done "vector tests: skip without vectors, fail on an empty or broken manifest"
