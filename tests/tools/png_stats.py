#!/usr/bin/python3
"""Is a PNG screenshot blank? Decodes it with zlib alone (8-bit RGB or RGBA,
not interlaced: what Chromium writes) and prints the pixel count, the number
of distinct colours and the standard deviation of the luminance.

usage: png_stats.py FILE [MIN_COLOURS MIN_STDDEV]
With the limits, exits 1 when the image has fewer colours or less variance
(a blank or single-colour page).
"""
import struct
import sys
import zlib


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise ValueError(f"unsupported PNG: depth {depth} type {ctype} interlace {interlace}")
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                line[x] = (line[x] + paeth(a, b, c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def main(argv):
    w, h, bpp, rows = decode(argv[1])
    colours, n, s, s2 = set(), 0, 0.0, 0.0
    for line in rows[::4]:
        for x in range(0, len(line), bpp * 4):
            r, g, b = line[x], line[x + 1], line[x + 2]
            colours.add((r, g, b))
            lum = 0.299 * r + 0.587 * g + 0.114 * b
            n, s, s2 = n + 1, s + lum, s2 + lum * lum
    sd = (s2 / n - (s / n) ** 2) ** 0.5 if n else 0.0
    print(f"{w}x{h} colours={len(colours)} stddev={sd:.1f}")
    if len(argv) > 3 and (len(colours) < int(argv[2]) or sd < float(argv[3])):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
