#!/usr/bin/python3
# make-sample-captcha.py: draws examples/data/sample-captcha.png
#
# A small captcha-looking PNG: a few characters from a 5x7 bitmap font,
# each tilted and shifted, on a wavy baseline, over noise and crossing
# lines. It carries a tEXt chunk `capsolver-sandbox-answer` holding the
# characters it shows, which is the answer the sandbox gives for it.
#
# The output is deterministic (a fixed seed), so running it again gives the
# same file. Only the standard library is used.
#
#   tools/make-sample-captcha.py [TEXT] [OUTPUT]
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import math
import random
import struct
import sys
import zlib

# 5 columns x 7 rows, '#' is ink. Characters that read alike (0/O, 1/I/L,
# 5/S, 8/B) are left out so that a person reads the answer unambiguously.
FONT = {
    '2': [' ### ', '#   #', '    #', '   # ', '  #  ', ' #   ', '#####'],
    '3': ['#####', '   # ', '  #  ', '   # ', '    #', '#   #', ' ### '],
    '4': ['   # ', '  ## ', ' # # ', '#  # ', '#####', '   # ', '   # '],
    '6': ['  ## ', ' #   ', '#    ', '#### ', '#   #', '#   #', ' ### '],
    '7': ['#####', '    #', '   # ', '  #  ', ' #   ', ' #   ', ' #   '],
    '9': [' ### ', '#   #', '#   #', ' ####', '    #', '   # ', ' ##  '],
    'A': ['  #  ', ' # # ', '#   #', '#   #', '#####', '#   #', '#   #'],
    'C': [' ####', '#    ', '#    ', '#    ', '#    ', '#    ', ' ####'],
    'D': ['#### ', '#   #', '#   #', '#   #', '#   #', '#   #', '#### '],
    'E': ['#####', '#    ', '#    ', '#### ', '#    ', '#    ', '#####'],
    'F': ['#####', '#    ', '#    ', '#### ', '#    ', '#    ', '#    '],
    'H': ['#   #', '#   #', '#   #', '#####', '#   #', '#   #', '#   #'],
    'K': ['#   #', '#  # ', '# #  ', '##   ', '# #  ', '#  # ', '#   #'],
    'M': ['#   #', '## ##', '# # #', '# # #', '#   #', '#   #', '#   #'],
    'N': ['#   #', '##  #', '# # #', '#  ##', '#   #', '#   #', '#   #'],
    'P': ['#### ', '#   #', '#   #', '#### ', '#    ', '#    ', '#    '],
    'R': ['#### ', '#   #', '#   #', '#### ', '# #  ', '#  # ', '#   #'],
    'T': ['#####', '  #  ', '  #  ', '  #  ', '  #  ', '  #  ', '  #  '],
    'W': ['#   #', '#   #', '#   #', '# # #', '# # #', '## ##', '#   #'],
    'X': ['#   #', '#   #', ' # # ', '  #  ', ' # # ', '#   #', '#   #'],
    'Y': ['#   #', '#   #', ' # # ', '  #  ', '  #  ', '  #  ', '  #  '],
}

WIDTH, HEIGHT = 200, 70
SCALE = 4          # one font dot is a SCALE x SCALE block before distortion
CELL = 30          # horizontal room per character
ANSWER_KEYWORD = b'capsolver-sandbox-answer'


def glyph_dot(glyph, u, v):
    col, row = int(math.floor(u)), int(math.floor(v))
    return 0 <= row < 7 and 0 <= col < 5 and glyph[row][col] == '#'


def glyph_ink(glyph, u, v):
    """Whether glyph-space point (u, v), in font dots, is inked. Strokes are
    thickened a little so that diagonals stay joined once tilted."""
    return any(glyph_dot(glyph, u + du, v + dv)
               for du, dv in ((0, 0), (-0.2, 0), (0.2, 0), (0, -0.2), (0, 0.2)))


def place_characters(text, rng):
    """Each character's glyph, centre, tilt and colour."""
    left = (WIDTH - CELL * len(text)) / 2 + CELL / 2
    placed = []
    for i, char in enumerate(text):
        placed.append({
            'glyph': FONT[char],
            'cx': left + i * CELL + rng.uniform(-3, 3),
            'cy': HEIGHT / 2 + rng.uniform(-6, 6),
            'angle': math.radians(rng.uniform(-15, 15)),
            'color': (rng.randint(10, 70), rng.randint(20, 80), rng.randint(60, 120)),
        })
    return placed


def ink_at(placed, x, y):
    """The colour of the character covering pixel (x, y), or None."""
    # a wavy baseline bends the whole line
    y = y + 3 * math.sin(x / 17.0)
    for p in placed:
        dx, dy = x - p['cx'], y - p['cy']
        cos_a, sin_a = math.cos(p['angle']), math.sin(p['angle'])
        u = (cos_a * dx + sin_a * dy) / SCALE + 2.5
        v = (-sin_a * dx + cos_a * dy) / SCALE + 3.5
        if glyph_ink(p['glyph'], u, v):
            return p['color']
    return None


def background(rng):
    """A light, speckled background."""
    pixels = []
    for y in range(HEIGHT):
        row = []
        for x in range(WIDTH):
            shade = 225 + int(20 * math.sin((x + 2 * y) / 23.0))
            noise = rng.randint(-18, 18)
            row.append([min(255, max(0, shade + noise + d)) for d in (0, 5, -8)])
        pixels.append(row)
    return pixels


def draw_line(pixels, rng):
    """A thin wavy line across the image, to confuse a naive reader."""
    y0 = rng.uniform(15, HEIGHT - 15)
    phase, amplitude = rng.uniform(0, 6), rng.uniform(4, 9)
    color = [rng.randint(80, 150) for _ in range(3)]
    for x in range(WIDTH):
        y = int(y0 + amplitude * math.sin(x / 21.0 + phase))
        if 0 <= y < HEIGHT:
            pixels[y][x] = list(color)


def render(text, seed=20240611):
    rng = random.Random(seed)
    pixels = background(rng)
    placed = place_characters(text, rng)
    for y in range(HEIGHT):
        for x in range(WIDTH):
            color = ink_at(placed, x, y)
            if color is not None:
                pixels[y][x] = list(color)
    for _ in range(2):
        draw_line(pixels, rng)
    for _ in range(250):
        x, y = rng.randrange(WIDTH), rng.randrange(HEIGHT)
        pixels[y][x] = [rng.randint(40, 200) for _ in range(3)]
    return pixels


def chunk(kind, data):
    body = kind + data
    return struct.pack('>I', len(data)) + body + struct.pack('>I', zlib.crc32(body) & 0xffffffff)


def encode_png(pixels, answer):
    raw = b''.join(b'\x00' + bytes(c for px in row for c in px) for row in pixels)
    header = struct.pack('>IIBBBBB', WIDTH, HEIGHT, 8, 2, 0, 0, 0)
    return (b'\x89PNG\r\n\x1a\n'
            + chunk(b'IHDR', header)
            + chunk(b'tEXt', ANSWER_KEYWORD + b'\x00' + answer.encode('latin-1'))
            + chunk(b'IDAT', zlib.compress(raw, 9))
            + chunk(b'IEND', b''))


def main(argv):
    text = argv[1] if len(argv) > 1 else 'K7WP3R'
    output = argv[2] if len(argv) > 2 else 'examples/data/sample-captcha.png'
    unknown = sorted(set(c for c in text if c not in FONT))
    if not text or unknown or len(text) > 6:
        sys.exit('make-sample-captcha: TEXT is 1 to 6 of: ' + ''.join(sorted(FONT)))
    with open(output, 'wb') as f:
        f.write(encode_png(render(text), text))


if __name__ == '__main__':
    main(sys.argv)
