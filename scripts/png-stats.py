#!/usr/bin/env python3
"""Says what a PNG screenshot shows, for the test that opens report.html in a headless browser.

Decodes the PNG with the standard library only (zlib and the five PNG row filters; 8-bit greyscale, RGB, grey with
alpha and RGBA, not interlaced: what Chromium writes) and prints one JSON object: width, height, the number of
distinct colours, the background (the most common colour), the share of pixels that differ from it, and the box
of rows and columns holding them. A blank page is one colour with no box. Exits 2 on a file that is not such a PNG.
"""
import json
import struct
import sys
import zlib
from collections import Counter

CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(2)


def chunks(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("not a PNG: the signature is missing")
    offset = 8
    while offset + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        body = data[offset + 8 : offset + 8 + length]
        crc = data[offset + 8 + length : offset + 12 + length]
        if len(body) != length or len(crc) != 4 or zlib.crc32(kind + body) != struct.unpack(">I", crc)[0]:
            fail(f"not a PNG: chunk {kind!r} at byte {offset} is cut short or its CRC is wrong")
        yield kind, body
        offset += 12 + length
        if kind == b"IEND":
            return
    fail("not a PNG: no IEND chunk")


def paeth(left, up, up_left):
    estimate = left + up - up_left
    distance_left, distance_up, distance_up_left = abs(estimate - left), abs(estimate - up), abs(estimate - up_left)
    if distance_left <= distance_up and distance_left <= distance_up_left:
        return left
    return up if distance_up <= distance_up_left else up_left


def rows(header, compressed):
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    if depth != 8 or colour not in CHANNELS or interlace != 0:
        fail(f"unsupported PNG: depth {depth}, colour type {colour}, interlace {interlace}")
    pixel = CHANNELS[colour]
    stride = width * pixel
    raw = zlib.decompress(compressed)
    if len(raw) != height * (stride + 1):
        fail(f"not a PNG: {len(raw)} bytes of image data for {width}x{height}")
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, row = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        if kind == 1:
            for i in range(pixel, stride):
                row[i] = (row[i] + row[i - pixel]) & 0xFF
        elif kind == 2:
            row = bytearray((a + b) & 0xFF for a, b in zip(row, previous))
        elif kind == 3:
            for i in range(stride):
                left = row[i - pixel] if i >= pixel else 0
                row[i] = (row[i] + ((left + previous[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(stride):
                left = row[i - pixel] if i >= pixel else 0
                up_left = previous[i - pixel] if i >= pixel else 0
                row[i] = (row[i] + paeth(left, previous[i], up_left)) & 0xFF
        elif kind != 0:
            fail(f"not a PNG: row {y} has filter type {kind}")
        yield bytes(row)
        previous = row
    return width, height, pixel


def main():
    data = open(sys.argv[1], "rb").read()
    parts = list(chunks(data))
    if not parts or parts[0][0] != b"IHDR":
        fail("not a PNG: it does not start with IHDR")
    header = parts[0][1]
    width, height = struct.unpack(">II", header[:8])
    pixel = CHANNELS.get(header[9], 1)
    colours = Counter()
    row_colours = []
    for row in rows(header, b"".join(body for kind, body in parts if kind == b"IDAT")):
        counts = Counter(row[i : i + pixel] for i in range(0, len(row), pixel))
        colours.update(counts)
        row_colours.append(row)
    background, background_count = colours.most_common(1)[0]
    top = bottom = left = right = None
    for y, row in enumerate(row_colours):
        columns = [x for x in range(width) if row[x * pixel : (x + 1) * pixel] != background]
        if columns:
            top = y if top is None else top
            bottom = y
            left = columns[0] if left is None else min(left, columns[0])
            right = columns[-1] if right is None else max(right, columns[-1])
    print(
        json.dumps(
            {
                "width": width,
                "height": height,
                "colours": len(colours),
                "background": background.hex(),
                "foreground_share": round(1 - background_count / (width * height), 6),
                "box": None if top is None else {"top": top, "bottom": bottom, "left": left, "right": right},
            }
        )
    )


if __name__ == "__main__":
    main()
