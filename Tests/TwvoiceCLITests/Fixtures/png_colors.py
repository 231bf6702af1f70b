#!/usr/bin/env python3
"""Where colours are in a PNG screenshot: for each #rrggbb given, how many pixels are within a
small distance of it and the leftmost and rightmost x of them, as JSON. Standard library only
(zlib); 8-bit RGB or RGBA, not interlaced, as Chromium writes its screenshots.

    python3 png_colors.py shot.png 2364d2 c2410c
"""
import json
import struct
import sys
import zlib


def pixels(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous, i = [], bytearray(stride), 0
    for _ in range(height):
        kind = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = previous[x]
            c = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        previous = line
    return width, height, channels, rows


def main():
    path, colours = sys.argv[1], sys.argv[2:]
    width, height, channels, rows = pixels(path)
    targets = [tuple(int(c[k:k + 2], 16) for k in (0, 2, 4)) for c in colours]
    found = {c: {"count": 0, "min_x": None, "max_x": None} for c in colours}
    for row in rows:
        for x in range(width):
            r, g, b = row[x * channels:x * channels + 3]
            for name, (tr, tg, tb) in zip(colours, targets):
                if abs(r - tr) + abs(g - tg) + abs(b - tb) <= 40:
                    f = found[name]
                    f["count"] += 1
                    f["min_x"] = x if f["min_x"] is None else min(f["min_x"], x)
                    f["max_x"] = x if f["max_x"] is None else max(f["max_x"], x)
    json.dump({"width": width, "height": height, "colours": found}, sys.stdout)


main()
