"""Draw the installable app's icons (issue 23) as PNG files beside the manifest.

The same mark as ``static/sozialraum/favicon.svg`` (a white map pin on blue), drawn with
Pillow at 192 and 512 pixels, plus a "maskable" 512 pixel variant with the safe-zone
margin. The PNGs are committed; run ``python scripts/app_icons.py`` after changing the mark.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "static" / "sozialraum" / "offline"
BLUE = (29, 79, 145, 255)
WHITE = (255, 255, 255, 255)


def draw(size: int, *, maskable: bool = False) -> Image.Image:
    """The icon at ``size`` pixels; maskable icons fill the square and keep the pin small."""
    scale = 4  # drawn larger, then reduced: smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if maskable:
        pen.rectangle((0, 0, big, big), fill=BLUE)
    else:
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 6 // 32, fill=BLUE)
    unit = big / 32 * (0.75 if maskable else 1.0)
    cx, cy = big / 2, big / 2 - 0.6 * unit  # the pin's head centre (favicon: 16, 12.8)
    r = 8 * unit
    pen.ellipse((cx - r, cy - r, cx + r, cy + r), fill=WHITE)
    pen.polygon([(cx - 6.9 * unit, cy + 4 * unit), (cx + 6.9 * unit, cy + 4 * unit),
                 (cx, cy + 14.2 * unit)], fill=WHITE)  # fmt: skip
    hole = 3.2 * unit
    pen.ellipse((cx - hole, cy - hole, cx + hole, cy + hole), fill=BLUE)
    return image.resize((size, size), Image.LANCZOS)


def main() -> int:
    TARGET.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size).save(TARGET / f"icon-{size}.png", optimize=True)
    draw(512, maskable=True).save(TARGET / "icon-maskable-512.png", optimize=True)
    print(f"icons written to {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
