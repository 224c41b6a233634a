"""The fonts handouts print with: Debian's font files, served from ``static/fonts/``.

``make setup`` installs the Debian packages when the files are missing and copies the files
(``scripts/vendor_fonts.py``); the handout's style sheet loads them with ``@font-face`` from
the app itself, never from a font host. Latin, Turkish and Cyrillic letters come from Noto
Sans, Arabic and Persian ones from Noto Naskh Arabic; DejaVu Sans covers the symbols (⌂, ©).
"""

from __future__ import annotations

from pathlib import Path

#: Served file name → (Debian file, Debian package).
FONT_FILES = {
    "DejaVuSans.ttf": ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "fonts-dejavu-core"),
    "DejaVuSans-Bold.ttf": (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "fonts-dejavu-core",
    ),
    "NotoSans-Regular.ttf": (
        "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
        "fonts-noto-core",
    ),
    "NotoSans-Bold.ttf": ("/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf", "fonts-noto-core"),
    "NotoNaskhArabic-Regular.ttf": (
        "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf",
        "fonts-noto-core",
    ),
    "NotoNaskhArabic-Bold.ttf": (
        "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Bold.ttf",
        "fonts-noto-core",
    ),
}
#: The packages' licence files, copied beside the fonts.
LICENCES = {
    "fonts-dejavu-core.copyright": "/usr/share/doc/fonts-dejavu-core/copyright",
    "fonts-noto-core.copyright": "/usr/share/doc/fonts-noto-core/copyright",
}
#: The served files a language's text is drawn with, in the order of the CSS font stack
#: (regular and bold), by writing direction.
FONT_STACKS = {
    "ltr": (
        ("NotoSans-Regular.ttf", "DejaVuSans.ttf"),
        ("NotoSans-Bold.ttf", "DejaVuSans-Bold.ttf"),
    ),
    "rtl": (
        ("NotoNaskhArabic-Regular.ttf", "NotoSans-Regular.ttf", "DejaVuSans.ttf"),
        ("NotoNaskhArabic-Bold.ttf", "NotoSans-Bold.ttf", "DejaVuSans-Bold.ttf"),
    ),
}


def fonts_folder(static: Path) -> Path:
    """The folder of the served fonts under a static folder."""
    return static / "fonts"
