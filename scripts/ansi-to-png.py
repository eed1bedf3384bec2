#!/usr/bin/env python3
"""Render a terminal capture (`tmux capture-pane -e -p`) to a PNG, for README screenshots.

Usage: tmux capture-pane -e -p -t PANE | scripts/ansi-to-png.py OUT.png
Needs Pillow and the DejaVu Sans Mono font (Debian: fonts-dejavu-core).
"""
import re
import sys

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
BG, FG = (24, 24, 28), (210, 210, 210)
BASE16 = [(0, 0, 0), (205, 49, 49), (13, 188, 121), (229, 229, 16), (36, 114, 200), (188, 63, 188),
          (17, 168, 205), (229, 229, 229), (102, 102, 102), (241, 76, 76), (35, 209, 139),
          (245, 245, 67), (59, 142, 234), (214, 112, 214), (41, 184, 219), (255, 255, 255)]


def xterm256(n):
    if n < 16:
        return BASE16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return steps[n // 36], steps[(n // 6) % 6], steps[n % 6]
    v = 8 + (n - 232) * 10
    return v, v, v


def sgr(params, st):
    codes = [int(p) if p else 0 for p in params.split(";")] or [0]
    i = 0
    while i < len(codes):
        c = codes[i]
        if c == 0:
            st.update(fg=FG, bg=BG, bold=False, rev=False)
        elif c == 1:
            st["bold"] = True
        elif c == 22:
            st["bold"] = False
        elif c == 7:
            st["rev"] = True
        elif c == 27:
            st["rev"] = False
        elif 30 <= c <= 37 or 90 <= c <= 97:
            st["fg"] = BASE16[c - 30 if c < 90 else c - 82]
        elif 40 <= c <= 47 or 100 <= c <= 107:
            st["bg"] = BASE16[c - 40 if c < 100 else c - 92]
        elif c == 39:
            st["fg"] = FG
        elif c == 49:
            st["bg"] = BG
        elif c in (38, 48) and i + 1 < len(codes):
            key = "fg" if c == 38 else "bg"
            if codes[i + 1] == 5 and i + 2 < len(codes):
                st[key] = xterm256(codes[i + 2])
                i += 2
            elif codes[i + 1] == 2 and i + 4 < len(codes):
                st[key] = tuple(codes[i + 2:i + 5])
                i += 4
        i += 1


def main():
    out = sys.argv[1]
    lines = sys.stdin.read().rstrip("\n").split("\n")
    font, bold = ImageFont.truetype(FONT, 15), ImageFont.truetype(BOLD, 15)
    cw = int(font.getlength("M"))
    ch = 19
    cols = 120
    img = Image.new("RGB", (cols * cw + 16, len(lines) * ch + 16), BG)
    draw = ImageDraw.Draw(img)
    st = dict(fg=FG, bg=BG, bold=False, rev=False)
    for row, line in enumerate(lines):
        col = 0
        for tok in re.split(r"(\x1b\[[0-9;]*m)", line):
            if tok.startswith("\x1b["):
                sgr(tok[2:-1], st)
                continue
            for char in tok:
                fg, bg = (st["bg"], st["fg"]) if st["rev"] else (st["fg"], st["bg"])
                x, y = 8 + col * cw, 8 + row * ch
                draw.rectangle([x, y, x + cw, y + ch], fill=bg)
                draw.text((x, y + 1), char, font=bold if st["bold"] else font, fill=fg)
                col += 1
    img.save(out)


if __name__ == "__main__":
    main()
