#!/usr/bin/env python3
"""Minimal RFC 1350/2348/7440 read client for bench/tftp/syscalls.sh: one fetch, prints bytes, blocks, seconds.
Usage: tftp_fetch.py SERVER PORT FILE BLKSIZE WINDOW  (WINDOW 1 = lock-step, no windowsize option asked)"""
import socket
import struct
import sys
import time

server, port, name, blksize, window = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1.0)
options = b"blksize\0%d\0tsize\0000\0" % blksize
if window > 1:
    options += b"windowsize\0%d\0" % window
request = b"\0\1" + name.encode() + b"\0octet\0" + options
t0 = time.monotonic()
s.sendto(request, (server, port))
oack, peer = s.recvfrom(65536)
if oack[:2] != b"\0\6":
    sys.exit("no OACK: %r" % oack[:40])
fields = oack[2:].split(b"\0")
granted = dict(zip(fields[0::2], fields[1::2]))
window = int(granted.get(b"windowsize", b"1"))
blksize = int(granted.get(b"blksize", b"512"))
s.sendto(b"\0\4\0\0", peer)
expected, total, blocks, in_window, timeouts = 1, 0, 0, 0, 0
while True:
    try:
        data, sender = s.recvfrom(65536)
    except socket.timeout:
        timeouts += 1
        if timeouts > 10:
            sys.exit("timed out")
        s.sendto(struct.pack("!HH", 4, (expected - 1) & 0xFFFF), peer)
        continue
    if sender != peer or data[:2] != b"\0\3":
        continue
    block = struct.unpack("!H", data[2:4])[0]
    if block != expected & 0xFFFF:
        s.sendto(struct.pack("!HH", 4, (expected - 1) & 0xFFFF), peer)
        in_window = 0
        continue
    total += len(data) - 4
    blocks += 1
    expected += 1
    in_window += 1
    last = len(data) - 4 < blksize
    if in_window == window or last:
        s.sendto(struct.pack("!HH", 4, block), peer)
        in_window = 0
    if last:
        break
print("%d bytes %d blocks %.3f s window %d" % (total, blocks, time.monotonic() - t0, window))
