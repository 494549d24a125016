#!/usr/bin/python3
"""make_assets.py: writes the sample site's binary static files (run once, commit).

Everything here is generated from scratch with the standard library, so the
repository holds no third-party artwork or fonts:

  static/img/logo small.png                 a 32x32 checklist logo
  static/vendor/mini/img/check.png          a 16x16 tick, used by mini.css
  static/vendor/mini/fonts/todo-glyphs.ttf  a two-glyph TrueType icon font
  static/vendor/mini/fonts/todo-glyphs.woff the same font as WOFF 1.0
  static/vendor/mini/fonts/todo-glyphs.eot  the same font as EOT (old IE)
  static/js/app.js.map                      source map for static/js/app.js

Usage: /usr/bin/python3 tools/make_assets.py   (from sample_site/)
"""
import json
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
SITE = os.path.dirname(HERE)


def write(rel, data):
    path = os.path.join(SITE, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    print("wrote %s (%d bytes)" % (rel, len(data)))


# --- PNG -------------------------------------------------------------------

def png(width, height, pixel):
    """pixel(x, y) -> (r, g, b, a); returns PNG bytes (8-bit RGBA)."""
    def chunk(tag, body):
        return (struct.pack(">I", len(body)) + tag + body
                + struct.pack(">I", zlib.crc32(tag + body) & 0xFFFFFFFF))
    raw = b"".join(
        b"\0" + b"".join(bytes(pixel(x, y)) for x in range(width))
        for y in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def logo_pixel(x, y):
    # A rounded blue card with three white "lines" and a green tick.
    if (x < 2 or x > 29 or y < 2 or y > 29) or \
            ((x < 4 or x > 27) and (y < 4 or y > 27)):
        return (0, 0, 0, 0)
    for row in (9, 16, 23):
        if row - 1 <= y <= row + 1 and 12 <= x <= 26:
            return (255, 255, 255, 255)
        if row - 2 <= y <= row + 2 and 5 <= x <= 9:
            return (92, 184, 92, 255)
    return (51, 122, 183, 255)


def check_pixel(x, y):
    # A tick: two thick strokes.
    on = (abs((y - 8) - (x - 2)) <= 1 and 2 <= x <= 6) or \
         (abs((y - 12) + (x - 6)) <= 1 and 6 <= x <= 14)
    return (92, 184, 92, 255) if on else (0, 0, 0, 0)


# --- TrueType --------------------------------------------------------------

UPEM = 1000


def glyph_simple(contours):
    """contours: list of lists of (x, y) on-curve points -> glyf bytes."""
    pts = [p for c in contours for p in c]
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    out = struct.pack(">hhhhh", len(contours), min(xs), min(ys), max(xs), max(ys))
    end = -1
    for c in contours:
        end += len(c)
        out += struct.pack(">H", end)
    out += struct.pack(">H", 0)  # no instructions
    out += bytes([0x01] * len(pts))  # on-curve, 16-bit deltas
    px = py = 0
    for x, _ in pts:
        out += struct.pack(">h", x - px)
        px = x
    for _, y in pts:
        out += struct.pack(">h", y - py)
        py = y
    if len(out) % 2:
        out += b"\0"
    return out, (min(xs), min(ys), max(xs), max(ys))


def checksum(data):
    data += b"\0" * (-len(data) % 4)
    return sum(struct.unpack(">%dI" % (len(data) // 4), data)) & 0xFFFFFFFF


def cmap_format4(mapping):
    """mapping: {codepoint: glyph id}, consecutive runs become segments."""
    segs = []
    for cp in sorted(mapping):
        if segs and segs[-1][1] == cp - 1 and \
                mapping[cp] - cp == mapping[segs[-1][0]] - segs[-1][0]:
            segs[-1][1] = cp
        else:
            segs.append([cp, cp])
    segs.append([0xFFFF, 0xFFFF])
    n = len(segs)
    search = 2 * (1 << (n.bit_length() - 1))
    sub = struct.pack(">HHHH", n * 2, search, (search // 2).bit_length() - 1,
                      n * 2 - search)
    sub += b"".join(struct.pack(">H", e) for _, e in segs) + b"\0\0"
    sub += b"".join(struct.pack(">H", s) for s, _ in segs)
    sub += b"".join(struct.pack(">H", (mapping[s] - s) % 65536 if s != 0xFFFF else 1)
                    for s, _ in segs)
    sub += b"\0\0" * n
    body = struct.pack(">HHH", 4, 6 + len(sub), 0) + sub
    return struct.pack(">HHHHI", 0, 1, 3, 1, 12) + body


def name_table(names):
    recs, strings = b"", b""
    items = sorted(names.items())
    for nid, s in items:
        enc = s.encode("utf-16-be")
        recs += struct.pack(">HHHHHH", 3, 1, 0x409, nid, len(enc), len(strings))
        strings += enc
    return struct.pack(">HHH", 0, len(items), 6 + 12 * len(items)) + recs + strings


def make_ttf():
    family = "Todo Glyphs"
    # Filled contours go clockwise (TrueType), holes counter-clockwise.
    notdef = [[(100, 0), (100, 700), (600, 700), (600, 0)],
              [(200, 100), (500, 100), (500, 600), (200, 600)]]
    tick = [[(80, 380), (360, 80), (920, 640), (820, 740), (360, 280), (180, 480)]]
    tick = [list(reversed(tick[0]))]
    square = [[(100, 0), (100, 700), (800, 700), (800, 0)]]
    glyphs = [glyph_simple(notdef), glyph_simple(tick), glyph_simple(square)]
    advances = [700, 1000, 900]
    glyf, loca = b"", [0]
    for data, _ in glyphs:
        glyf += data
        loca.append(len(glyf))
    xmin = min(b[0] for _, b in glyphs)
    ymin = min(b[1] for _, b in glyphs)
    xmax = max(b[2] for _, b in glyphs)
    ymax = max(b[3] for _, b in glyphs)
    maxpts = max(len([p for c in g for p in c]) for g in (notdef, tick, square))
    maxcont = max(len(g) for g in (notdef, tick, square))
    ng = len(glyphs)
    tables = {}
    tables[b"head"] = struct.pack(
        ">IIIIHHqqhhhhHHhhh", 0x00010000, 0x00010000, 0, 0x5F0F3CF5, 0x000B,
        UPEM, 0, 0, xmin, ymin, xmax, ymax, 0, 8, 2, 1, 0)
    tables[b"hhea"] = struct.pack(
        ">IhhhHhhhhhhhhhhhH", 0x00010000, 800, -200, 0, max(advances),
        xmin, min(a - b[2] for a, (_, b) in zip(advances, glyphs)), xmax,
        1, 0, 0, 0, 0, 0, 0, 0, ng)
    tables[b"maxp"] = struct.pack(">IHHHHHHHHHHHHHH", 0x00010000, ng, maxpts,
                                  maxcont, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0)
    tables[b"hmtx"] = b"".join(struct.pack(">Hh", a, b[0])
                               for a, (_, b) in zip(advances, glyphs))
    tables[b"loca"] = b"".join(struct.pack(">I", o) for o in loca)
    tables[b"glyf"] = glyf
    tables[b"cmap"] = cmap_format4({0xE001: 1, 0xE002: 2})
    tables[b"name"] = name_table({
        0: "Generated for the staticroot sample site; public domain.",
        1: family, 2: "Regular", 3: "staticroot:Todo Glyphs:1.0",
        4: family, 5: "Version 1.000", 6: "TodoGlyphs-Regular"})
    tables[b"OS/2"] = struct.pack(
        ">HhHHHhhhhhhhhhhh10sIIII4sHHHhhhHHII",
        1, 850, 400, 5, 0, 650, 700, 0, 140, 650, 700, 0, 480, 50, 250, 0,
        bytes([2, 0, 5, 3, 0, 0, 0, 0, 0, 0]), 0, 0x10000000, 0, 0, b"SRSR",
        0x40, 0xE001, 0xE002, 800, -200, 0, 800, 200, 1, 0)
    tables[b"post"] = struct.pack(">IIhhIIIII", 0x00030000, 0, -100, 50,
                                  0, 0, 0, 0, 0)
    tags = sorted(tables)
    n = len(tags)
    search = 16 * (1 << (n.bit_length() - 1))
    out = struct.pack(">IHHHH", 0x00010000, n, search,
                      (search // 16).bit_length() - 1, n * 16 - search)
    offset = 12 + 16 * n
    body = b""
    for tag in tags:
        data = tables[tag]
        out += struct.pack(">4sIII", tag, checksum(data), offset + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    font = bytearray(out + body)
    # head.checkSumAdjustment makes the whole font sum to 0xB1B0AFBA.
    head_off = offset + sum(len(tables[t]) + (-len(tables[t]) % 4)
                            for t in tags[:tags.index(b"head")])
    adj = (0xB1B0AFBA - checksum(bytes(font))) & 0xFFFFFFFF
    font[head_off + 8:head_off + 12] = struct.pack(">I", adj)
    tables[b"head"] = tables[b"head"][:8] + struct.pack(">I", adj) + tables[b"head"][12:]
    return bytes(font), tables, family


def make_woff(ttf, tables):
    tags = sorted(tables)
    n = len(tags)
    entries, body = [], b""
    offset = 44 + 20 * n
    sfnt_size = 12 + 16 * n
    for tag in tags:
        data = tables[tag]
        comp = zlib.compress(data, 9)
        if len(comp) >= len(data):
            comp = data
        # The directory checksum of head is taken with checkSumAdjustment 0.
        plain = data[:8] + b"\0\0\0\0" + data[12:] if tag == b"head" else data
        entries.append(struct.pack(">4sIIII", tag, offset + len(body), len(comp),
                                   len(data), checksum(plain)))
        body += comp + b"\0" * (-len(comp) % 4)
        sfnt_size += len(data) + (-len(data) % 4)
    total = 44 + 20 * n + len(body)
    hdr = struct.pack(">4sIIHHIHHIIIII", b"wOFF", 0x00010000, total, n, 0,
                      sfnt_size, 1, 0, 0, 0, 0, 0, 0)
    return hdr + b"".join(entries) + body


def make_eot(ttf, family):
    def s(text):
        enc = text.encode("utf-16-le")
        return struct.pack("<H", len(enc)) + enc
    names = (s(family) + b"\0\0" + s("Regular") + b"\0\0" + s("Version 1.000")
             + b"\0\0" + s(family) + b"\0\0" + s(""))
    fixed = struct.pack("<IIII10sBBIHHIIIIIIIIIIIH",
                        0, len(ttf), 0x00020001, 0,
                        bytes([2, 0, 5, 3, 0, 0, 0, 0, 0, 0]), 1, 0, 400, 0,
                        0x504C, 0, 0x10000000, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0)
    eot = bytearray(fixed + names + ttf)
    eot[0:4] = struct.pack("<I", len(eot))
    return bytes(eot)


# --- source map ------------------------------------------------------------

def source_map(js_name, src_name, src_text):
    # One segment per line: generated line i, column 0 <- source line i, col 0.
    lines = src_text.count("\n") + (0 if src_text.endswith("\n") else 1)
    mappings = ";".join(["AAAA"] + ["AACA"] * (lines - 1))
    return json.dumps({"version": 3, "file": js_name, "sources": [src_name],
                       "sourcesContent": [src_text], "names": [],
                       "mappings": mappings}, indent=1).encode() + b"\n"


def main():
    write("static/img/logo small.png", png(32, 32, logo_pixel))
    write("static/vendor/mini/img/check.png", png(16, 16, check_pixel))
    ttf, tables, family = make_ttf()
    write("static/vendor/mini/fonts/todo-glyphs.ttf", ttf)
    write("static/vendor/mini/fonts/todo-glyphs.woff", make_woff(ttf, tables))
    write("static/vendor/mini/fonts/todo-glyphs.eot", make_eot(ttf, family))
    with open(os.path.join(SITE, "static/js/src/app.js"), encoding="utf-8") as f:
        src = f.read()
    # app.js is the source, line for line, plus the map reference.
    write("static/js/app.js", src.encode() + b"//# sourceMappingURL=app.js.map\n")
    write("static/js/app.js.map", source_map("app.js", "src/app.js", src))


if __name__ == "__main__":
    main()
