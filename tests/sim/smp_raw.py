#!/usr/bin/env python3
"""Raw SMP exchanges with a running mcusim, for its end-to-end tests.

  smp_raw.py udp PORT MSGHEX [TIMEOUT]     send one datagram, print the reply
  smp_raw.py serial TTY MSGHEX [TIMEOUT]   frame MSG (base64 lines, CRC),
                                           print the decoded reply message
  smp_raw.py serial-bytes TTY HEX [TIMEOUT] send raw bytes, print the reply
  smp_raw.py decode MSGHEX                 print a reply's body as JSON

Replies print as hex (one message per line); "TIMEOUT" when none came.
The CBOR decoder below covers what SMP replies use (uint, nint, bstr
(hex), tstr, array, map, bool, null, definite and indefinite lengths).
"""
import base64
import json
import os
import select
import socket
import sys
import termios
import time
import tty as ttymod


def crc16_xmodem(data):
    crc = 0
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def frame(msg, line_max=127):
    pkt = len(msg + b"..").to_bytes(2, "big") + msg + crc16_xmodem(msg).to_bytes(2, "big")
    text = base64.b64encode(pkt)
    out, first, step = b"", True, (line_max - 3) // 4 * 4
    for i in range(0, len(text), step):
        out += (b"\x06\x09" if first else b"\x04\x14") + text[i:i + step] + b"\n"
        first = False
    return out


class Deframer:
    def __init__(self):
        self.line, self.pkt, self.msgs = b"", None, []

    def feed(self, data):
        for c in data:
            if c != 0x0A:
                self.line += bytes([c])
                continue
            line, self.line = self.line.lstrip(b"\r"), b""
            if line[:2] == b"\x06\x09":
                self.pkt = base64.b64decode(line[2:])
            elif line[:2] == b"\x04\x14" and self.pkt is not None:
                self.pkt += base64.b64decode(line[2:])
            else:
                continue
            want = int.from_bytes(self.pkt[:2], "big")
            if len(self.pkt) - 2 >= want:
                body = self.pkt[2:2 + want]
                if crc16_xmodem(body) == 0:
                    self.msgs.append(body[:-2])
                self.pkt = None


def serial_exchange(path, raw, timeout):
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
    try:
        ttymod.setraw(fd)
        termios.tcflush(fd, termios.TCIOFLUSH)
        os.write(fd, raw)
        d, end = Deframer(), time.time() + timeout
        while not d.msgs and time.time() < end:
            r, _, _ = select.select([fd], [], [], 0.05)
            if r:
                d.feed(os.read(fd, 4096))
        return d.msgs
    finally:
        os.close(fd)


def udp_exchange(port, msg, timeout):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    s.sendto(msg, ("127.0.0.1", port))
    try:
        return [s.recv(65536)]
    except socket.timeout:
        return []


def cbor(b, i=0):
    ib = b[i]
    major, info = ib >> 5, ib & 31
    i += 1
    if info < 24:
        val = info
    elif info in (24, 25, 26, 27):
        n = 1 << (info - 24)
        val = int.from_bytes(b[i:i + n], "big")
        i += n
    elif info == 31:
        val = None
    else:
        raise ValueError("bad cbor")
    if major == 0:
        return val, i
    if major == 1:
        return -1 - val, i
    if major in (2, 3):
        s = b[i:i + val]
        return (s.hex() if major == 2 else s.decode()), i + val
    if major in (4, 5):
        out = [] if major == 4 else {}
        n = 0
        while (val is None and b[i] != 0xFF) or (val is not None and n < val):
            k, i = cbor(b, i)
            if major == 5:
                v, i = cbor(b, i)
                out[k] = v
            else:
                out.append(k)
            n += 1
        return out, (i + 1 if val is None else i)
    if major == 7:
        return {20: False, 21: True, 22: None}.get(info), i
    raise ValueError("bad cbor")


def main(argv):
    mode = argv[1]
    if mode == "decode":
        msg = bytes.fromhex(argv[2])
        body, _ = cbor(msg, 8) if len(msg) > 8 else ({}, 0)
        print(json.dumps(body, sort_keys=True))
        return 0
    timeout = float(argv[4]) if len(argv) > 4 else 2.0
    data = bytes.fromhex(argv[3].replace(" ", ""))
    if mode == "udp":
        msgs = udp_exchange(int(argv[2]), data, timeout)
    elif mode == "serial":
        msgs = serial_exchange(argv[2], frame(data), timeout)
    else:
        msgs = serial_exchange(argv[2], data, timeout)
    for m in msgs:
        print(m.hex())
    if not msgs:
        print("TIMEOUT")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
