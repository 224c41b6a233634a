"""Text and values inside server-drawn SVG maps: XML escaping, pixel numbers, colours."""

from __future__ import annotations

import re

_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
# characters XML 1.0 does not allow at all (a stray control character would break parsing)
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def escape_xml(text: object) -> str:
    """XML-escape ``text`` for element content and double- or single-quoted attributes."""
    text = _XML_INVALID.sub("", str(text))
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def check_colour(colour: str, what: str) -> str:
    """``colour`` in lower case if it is hex ``#rgb`` or ``#rrggbb``.

    Else ``ValueError`` naming ``what``.
    """
    if not isinstance(colour, str) or not _HEX_COLOUR.fullmatch(colour):
        raise ValueError(f"{what}: not a hex colour #rgb or #rrggbb: {colour!r}")
    return colour.lower()


def svg_number(value: float) -> str:
    """A pixel coordinate with at most one decimal, without a trailing ``.0``."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def text_colour_on(colour: str) -> str:
    """Black or white, whichever reads better on ``colour`` (WCAG relative luminance)."""
    digits = colour[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    # contrast against white vs black: (1.05)/(L+0.05) vs (L+0.05)/0.05
    return "#000" if (luminance + 0.05) ** 2 > 1.05 * 0.05 else "#fff"
