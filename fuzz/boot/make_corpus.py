#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_boot (see fuzz_boot.c for the input
format): small hash-only MCUboot images in both slots with trailers in the
states that matter (pending test/perm, revert pending, confirmed), and
encrypted images (config bit 7: the board holds fuzz_boot.c's fixed X25519
key) pending and half swapped with their keys in the trailer records."""
import hashlib
import os
import struct

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

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


# ---- encrypted images (fixed keys: the corpus is reproducible) ----
BOARD_ENC = bytes.fromhex("583b11970ca25e416d9023be7f04c8551ae362398d07f42c964bd0137a85ec21")
EPHEMERAL = bytes(range(1, 33))
AES_KEY = bytes(range(0x40, 0x50))


def ctr(key, data):
    c = Cipher(algorithms.AES(key), modes.CTR(bytes(16))).encryptor()
    return c.update(data) + c.finalize()


def enc_tlv():
    """ECIES-X25519 (HKDF-SHA256, info MCUBoot_ECIES_v1): eph || HMAC || wrapped."""
    eph = X25519PrivateKey.from_private_bytes(EPHEMERAL)
    board_pub = X25519PrivateKey.from_private_bytes(BOARD_ENC).public_key()
    secret = eph.exchange(board_pub)
    derived = HKDF(hashes.SHA256(), 48, None, b"MCUBoot_ECIES_v1").derive(secret)
    wrapped = ctr(derived[:16], AES_KEY)
    h = hmac.HMAC(derived[16:], hashes.SHA256())
    h.update(wrapped)
    return eph.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw) + h.finalize() + wrapped


def enc_image(body_len, major, minor, seed_):
    """Flag ENCRYPTED_AES128, hash over the plaintext, body AES-CTR."""
    hdr = struct.pack("<IIHHIIBBHII", 0x96F3B83D, 0, 0x20, 0, body_len, 0x04,
                      major, minor, 0, 0, 0)
    body = bytes((seed_ * 7 + i * 13) & 0xFF for i in range(body_len))
    digest = hashlib.sha256(hdr + body).digest()
    e = enc_tlv()
    tlv = (struct.pack("<HH", 0x6907, 4 + 4 + 32 + 4 + len(e)) + struct.pack("<HH", 0x10, 32) +
           digest + struct.pack("<HH", 0x33, len(e)) + e)
    return hdr + ctr(AES_KEY, body) + tlv


def with_enc_record(tr, hdr_size, img_size, which=1):
    """The swap's key record (src/boot/boot_enc.c) at the start of the
    trailer sectors: 2 sectors of 1 KiB at align 4, i.e. TAIL - 2048."""
    t = bytearray(tr)
    base = TAIL - 2048 + which * 40
    t[base:base + 16] = AES_KEY
    t[base + 32:base + 40] = bytes([16]) + struct.pack("<HI", hdr_size, img_size) + b"\x01"
    return bytes(t)


e2 = enc_image(1700, 1, 1, 2)
for strat in range(3):
    seed(f"enc_test_pending_s{strat}", 0x88 | strat, half(v1, none),
         half(e2, trailer(magic=True, swap_type=2)))
seed("enc_resume_move_k3", 0x88,
     half(v2, with_enc_record(trailer(magic=True, swap_type=2, swap_size=1800, records=3),
                              0x20, 1700)),
     half(e2, trailer(magic=True, swap_type=2)))
seed("enc_no_key", 0x08, half(v1, none), half(e2, trailer(magic=True, swap_type=2)))
