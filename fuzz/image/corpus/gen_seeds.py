# Builds the fuzz seed corpus for fuzz/image from scratch (no vector files):
# small MCUboot images and Intel HEX files, signed with a throw-away key.
import hashlib, struct, os, sys
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives import serialization

out = sys.argv[1]
os.makedirs(out + "/image", exist_ok=True)
os.makedirs(out + "/ihex", exist_ok=True)
key = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
pub = key.public_key().public_bytes(serialization.Encoding.DER,
                                    serialization.PublicFormat.SubjectPublicKeyInfo)

def tlv(t, v): return struct.pack("<HH", t, len(v)) + v

def image(body, hdr=32, prot=b"", sign=False, sha=0x10, flags=0, pure=False):
    prot_area = struct.pack("<HH", 0x6908, 4 + len(prot)) + prot if prot else b""
    h = struct.pack("<IIHHIIBBHII", 0x96f3b83d, 0, hdr, len(prot_area), len(body),
                    flags, 1, 2, 3, 4, 0)
    region = h + b"\xff" * (hdr - 32) + body + prot_area
    H = {0x10: hashlib.sha256, 0x11: hashlib.sha384, 0x12: hashlib.sha512}[sha]
    d = H(region).digest()
    tl = tlv(sha, d)
    if sign:
        if pure: tl += tlv(0x25, b"\x01")
        tl += tlv(0x01, H(pub).digest())
        tl += tlv(0x24, key.sign(region if pure else d))
    return region + struct.pack("<HH", 0x6907, 4 + len(tl)) + tl

body = bytes((i * 7) & 0xff for i in range(64))
seeds = {
    "unsigned_sha256.bin": image(body),
    "unsigned_sha384.bin": image(body, sha=0x11),
    "unsigned_sha512_hdr64.bin": image(body, hdr=64, sha=0x12),
    "prot_seccnt_dep.bin": image(body, prot=tlv(0x50, struct.pack("<I", 42)) +
                                  tlv(0x40, bytes([1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]))),
    "signed_ed25519.bin": image(body, sign=True),
    "signed_ed25519_pure.bin": image(body, sign=True, sha=0x12, pure=True),
    "empty_body.bin": image(b""),
}
for n, b in seeds.items():
    open(f"{out}/image/{n}", "wb").write(b)

def rec(addr, typ, data):
    b = bytes([len(data), addr >> 8, addr & 0xff, typ]) + data
    return ":" + (b + bytes([(-sum(b)) & 0xff])).hex().upper() + "\n"

hexes = {
    "simple.hex": rec(0xc000, 0, body[:16]) + rec(0xc010, 0, body[16:32]) + rec(0, 1, b""),
    "ext_linear.hex": rec(0, 4, b"\x00\x01") + rec(0x0000, 0, body[:16]) + rec(0, 1, b""),
    "ext_segment.hex": rec(0, 2, b"\x10\x00") + rec(0x0100, 0, body[:8]) + rec(0, 1, b""),
    "gap.hex": rec(0x0000, 0, body[:16]) + rec(0x0040, 0, body[:16]) + rec(0, 1, b""),
    "start_addr.hex": rec(0x0000, 0, body[:4]) + rec(0, 5, b"\x00\x00\xc2\x01") + rec(0, 1, b""),
}
for n, t in hexes.items():
    open(f"{out}/ihex/{n}", "w").write(t)
# the trusted key of the fuzz target, as C initializer bytes
print(", ".join(f"0x{x:02x}" for x in pub))
