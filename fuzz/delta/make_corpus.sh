#!/usr/bin/env bash
# Rebuilds corpus/: real patches of `imgtool delta` between small images,
# each prefixed with its base (fuzz_delta.c's input layout).
#   make_corpus.sh [IMGTOOL]    (default build/bin/imgtool)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
imgtool=${1:-$here/../../build/bin/imgtool}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
seed() { # NAME OLD NEW
    "$imgtool" delta "$2" "$3" -o "$tmp/p"
    python3 - "$2" "$tmp/p" "$here/corpus/$1" <<'PY'
import sys
base = open(sys.argv[1], 'rb').read()
patch = open(sys.argv[2], 'rb').read()
open(sys.argv[3], 'wb').write(len(base).to_bytes(2, 'little') + base + patch)
PY
}
python3 - "$tmp" <<'PY'
import random, sys
r = random.Random(7)
a = bytes(r.randrange(256) for _ in range(3000))
b = bytearray(a); b[1000:1100] = bytes(r.randrange(256) for _ in range(100))
c = (b'window text ' * 300)[:3000]
for name, body in (('a', a), ('b', bytes(b)), ('c', c)):
    open(f'{sys.argv[1]}/{name}.bin', 'wb').write(body)
PY
for v in a b c; do
    "$imgtool" sign -H 0x20 --pad-header -S 0x10000 -v "1.0.$(printf '%d' "'$v")" \
        "$tmp/$v.bin" "$tmp/$v.s.bin" >/dev/null
done
seed edit "$tmp/a.s.bin" "$tmp/b.s.bin"
seed window "$tmp/a.s.bin" "$tmp/c.s.bin"
seed same "$tmp/a.s.bin" "$tmp/a.s.bin"
