#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_boot (see fuzz_boot.c for the input
format): small hash-only MCUboot images in both slots with trailers in the
states that matter (pending test/perm, revert pending, confirmed)."""
import hashlib
import os
import struct

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
MAGIC = bytes.fromhex("77c295f360d2ef7f3552500f2cb67980")


def image(body_len, major, minor, seed):
    hdr = struct.pack("<IIHHIIBBHII", 0x96F3B83D, 0, 0x20, 0, body_len, 0,
                      major, minor, 0, 0, 0)
    body = bytes((seed * 7 + i * 13) & 0xFF for i in range(body_len))
    digest = hashlib.sha256(hdr + body).digest()
    tlv = struct.pack("<HH", 0x6907, 4 + 4 + 32) + struct.pack("<HH", 0x10, 32) + digest
    return hdr + body + tlv


def trailer(magic=False, image_ok=False, copy_done=False, swap_type=None):
    """The last 64 bytes of a slot (align 4 units)."""
    t = bytearray(b"\xff" * 64)
    if swap_type is not None:
        t[64 - 16 - 24] = swap_type
    if copy_done:
        t[64 - 16 - 16] = 1
    if image_ok:
        t[64 - 16 - 8] = 1
    if magic:
        t[48:] = MAGIC
    return bytes(t)


def half(img, tr, size=2048):
    pad = b"\xff" * (size - len(img) - len(tr))
    return img + pad + tr


def seed(name, cfg, a, b):
    assert len(a) == len(b)
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(bytes([cfg]) + a + b)


os.makedirs(HERE, exist_ok=True)
v1, v2 = image(1500, 1, 0, 1), image(1700, 1, 1, 2)
none = trailer()
for strat in range(3):
    seed(f"test_pending_s{strat}", 0x24 | strat << 0, half(v1, none),
         half(v2, trailer(magic=True, swap_type=2)))
    seed(f"perm_pending_s{strat}", 0x04 | strat, half(v1, none),
         half(v2, trailer(magic=True, image_ok=True, swap_type=3)))
seed("revert_pending_move", 0x04, half(v2, trailer(magic=True, copy_done=True, swap_type=2)),
     half(v1, none))
seed("confirmed_align8", 0x0C, half(v2, trailer(magic=True, copy_done=True, image_ok=True)),
     half(v1, none))
seed("downgrade", 0x34, half(v2, none), half(v1, trailer(magic=True, swap_type=2)))
seed("junk", 0x05, bytes(range(256)) * 8, bytes(reversed(range(256))) * 8)
