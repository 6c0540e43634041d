"""Draw the templates' default app icon (``boilerplate/src/main/resources/icon.png``).

Nothing is downloaded: the picture is computed here (a rounded blue square holding a white
window with a sidebar, anti-aliased by 4x4 supersampling) and written as a PNG with zlib.
Run ``python tests/scaffold/make_icon.py`` to rewrite the icon; a test checks that the committed
file is exactly what this script draws.
"""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

SIZE = 64
SAMPLES = 4
ICON = (
    Path(__file__).resolve().parents[2] / "boilerplate" / "src" / "main" / "resources" / "icon.png"
)


def _in_rounded_rect(x: float, y: float, box: tuple[float, float, float, float], r: float) -> bool:
    left, top, right, bottom = box
    if not (left <= x <= right and top <= y <= bottom):
        return False
    cx = min(max(x, left + r), right - r)
    cy = min(max(y, top + r), bottom - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def _white(x: float, y: float) -> bool:
    """The glyph: a window outline, its title bar, and a sidebar panel with three lines."""
    outer = (12.0, 15.0, 52.0, 49.0)
    inner = (15.0, 22.0, 49.0, 46.0)
    if _in_rounded_rect(x, y, outer, 4.0) and not _in_rounded_rect(x, y, inner, 1.5):
        return True
    if 34.0 <= x <= 36.0 and 22.0 <= y <= 46.0:  # the sidebar's border
        return True
    return any(
        _in_rounded_rect(x, y, (38.5, top, 46.5, top + 2.2), 1.1) for top in (26.0, 31.0, 36.0)
    )


def _pixel(px: int, py: int) -> tuple[int, int, int, int]:
    bg = glyph = 0
    for sy in range(SAMPLES):
        for sx in range(SAMPLES):
            x = px + (sx + 0.5) / SAMPLES
            y = py + (sy + 0.5) / SAMPLES
            if _in_rounded_rect(x, y, (1.0, 1.0, 63.0, 63.0), 12.0):
                bg += 1
                glyph += _white(x, y)
    n = SAMPLES * SAMPLES
    if bg == 0:
        return (0, 0, 0, 0)
    # Vertical gradient from a light to a deeper blue, then the white glyph over it.
    t = py / (SIZE - 1)
    base = (round(74 - 30 * t), round(154 - 40 * t), round(232 - 30 * t))
    g = glyph / bg
    rgb = tuple(round(c * (1 - g) + 255 * g) for c in base)
    return (rgb[0], rgb[1], rgb[2], round(255 * bg / n))


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def draw() -> bytes:
    """The icon as PNG bytes (RGBA, 8 bits per channel, no filtering, deterministic)."""
    rows = bytearray()
    for py in range(SIZE):
        rows.append(0)
        for px in range(SIZE):
            rows.extend(_pixel(px, py))
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + _chunk(b"IEND", b"")
    )


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ICON
    target.write_bytes(draw())
    print(f"wrote {target} ({target.stat().st_size} bytes)")
