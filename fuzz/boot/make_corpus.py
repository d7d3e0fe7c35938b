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


TAIL = 3200
ALIGN = 4  # config byte bits 2-3 = 2 (0x08) in every seed but confirmed_align8


def trailer(magic=False, image_ok=False, copy_done=False, swap_type=None,
            swap_size=None, records=0):
    """The last TAIL bytes of a slot (align 4 units), with `records` swap
    status records written (swap strategies keep 3 x 128 of them)."""
    t = bytearray(b"\xff" * TAIL)
    end = TAIL
    if swap_size is not None:
        t[end - 48:end - 44] = struct.pack("<I", swap_size)
    if swap_type is not None:
        t[end - 40] = swap_type
    if copy_done:
        t[end - 32] = 1
    if image_ok:
        t[end - 24] = 1
    if magic:
        t[end - 16:] = MAGIC
    status = end - 48 - 128 * 3 * ALIGN
    for k in range(records):
        t[status + k * ALIGN] = 1
    return bytes(t)


def half(img, tr, size=8192):
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
    seed(f"test_pending_s{strat}", 0x28 | strat, half(v1, none),
         half(v2, trailer(magic=True, swap_type=2)))
    seed(f"perm_pending_s{strat}", 0x08 | strat, half(v1, none),
         half(v2, trailer(magic=True, image_ok=True, swap_type=3)))
seed("revert_pending_move", 0x08, half(v2, trailer(magic=True, copy_done=True, swap_type=2)),
     half(v1, none))
seed("confirmed_align8", 0x0C, half(v2, trailer(magic=True, copy_done=True, image_ok=True)),
     half(v1, none))
seed("downgrade", 0x38, half(v2, none), half(v1, trailer(magic=True, swap_type=2)))
# interrupted swaps (1 KiB sectors: 2 sectors, 6 records for move)
seed("resume_move_k3", 0x08, half(v2, trailer(magic=True, swap_type=2, swap_size=1800, records=3)),
     half(v1, trailer(magic=True, swap_type=2)))
seed("resume_scratch_k1", 0x09, half(v2, trailer(magic=True, swap_type=2, swap_size=1800, records=1)),
     half(v1, trailer(magic=True, swap_type=2)))
seed("resume_revert_k5", 0x08, half(v1, trailer(magic=True, swap_type=4, swap_size=1800, records=5)),
     half(v2, trailer(magic=True, image_ok=True, swap_type=4)))
seed("overwrite_cleanup", 0x0A, half(v2, trailer(magic=True, image_ok=True, swap_type=3)),
     half(v2, trailer()))
seed("junk", 0x05, bytes(range(256)) * 32, bytes(reversed(range(256))) * 32)
