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
source "$SRC_DIR/tests/lib/expect.sh"

mkdir "$T/empty" "$T/nested"
mkdir "$T/nested/inner"
expect 1 "corpus path $T/missing: No such file or directory" -- "$FUZZ" "$T/missing"
expect 1 "corpus path $T/missing: No such file" -- "$FUZZ" "$CORPUS" "$T/missing"
expect 1 "no corpus files in $T/empty" -- "$FUZZ" "$T/empty"
expect 1 "no corpus files in $T/nested" -- "$FUZZ" "$T/nested"
# a directory entry that names a file we cannot read (a dangling link)
mkdir "$T/dangling" && ln -s "$T/gone" "$T/dangling/seed"
expect 1 "corpus path $T/dangling/seed: No such file" -- "$FUZZ" "$T/dangling"
expect 0 "fuzz replay: [1-9][0-9]* seeds, 10 mutations, no crash" -- "$FUZZ" "$CORPUS"

expect_done "fuzz driver: bad corpus paths fail, a real corpus runs"
