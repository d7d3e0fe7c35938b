#!/usr/bin/env python3
"""Pair 2 of the delta issue, for its test and its benchmark alike:
OLD is 300 KiB of seeded random bytes, NEW the same with three 1 KiB
blocks replaced (random too, so nothing compresses them).
Usage: delta_pair.py OLD NEW"""
import random
import sys

r = random.Random(13)
old = bytes(r.randrange(256) for _ in range(300 * 1024))
new = bytearray(old)
for at in (30000, 150000, 290000):
    new[at:at + 1024] = bytes(r.randrange(256) for _ in range(1024))
with open(sys.argv[1], 'wb') as f:
    f.write(old)
with open(sys.argv[2], 'wb') as f:
    f.write(bytes(new))
