#!/usr/bin/env bash
# The replay driver (fuzz/driver.c) under every fuzz test: a corpus path
# that does not exist, an unreadable corpus file or a corpus without files
# fail with exit 1 and a message naming the path; a real corpus still runs.
set -u
FUZZ="$BUILD_DIR/fuzz/fuzz_image_parse"
CORPUS="$SRC_DIR/fuzz/image/corpus/image"
T=$(mktemp -d "${BUILD_DIR:-/tmp}/fuzz-driver.XXXXXX")
trap 'rm -rf "$T"' EXIT
export FUZZ_ITERATIONS=10
fails=0

expect() {
    local want_rc=$1 pattern=$2
    shift 2
    "$FUZZ" "$@" >"$T/out" 2>"$T/err"
    local rc=$?
    if [ "$rc" -ne "$want_rc" ] || ! grep -qE -- "$pattern" "$T/out" "$T/err"; then
        echo "FAIL: fuzz_image_parse $* -> exit $rc (want $want_rc, /$pattern/)"
        sed 's/^/    /' "$T/out" "$T/err" | head -5
        fails=$((fails + 1))
    fi
}

mkdir "$T/empty" "$T/nested"
mkdir "$T/nested/inner"
expect 1 "corpus path $T/missing: No such file or directory" "$T/missing"
expect 1 "corpus path $T/missing: No such file" "$CORPUS" "$T/missing"
expect 1 "no corpus files in $T/empty" "$T/empty"
expect 1 "no corpus files in $T/nested" "$T/nested"
# a directory entry that names a file we cannot read (a dangling link)
mkdir "$T/dangling" && ln -s "$T/gone" "$T/dangling/seed"
expect 1 "corpus path $T/dangling/seed: No such file" "$T/dangling"
expect 0 "fuzz replay: [1-9][0-9]* seeds, 10 mutations, no crash" "$CORPUS"

if [ "$fails" -ne 0 ]; then
    echo "$fails driver case(s) failed"
    exit 1
fi
echo "fuzz driver: bad corpus paths fail, a real corpus runs"
