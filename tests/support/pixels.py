"""Colours of the basemap and pixel measures for screenshots of map pages (browser tests)."""

from __future__ import annotations

import numpy as np

from support.paths import ROOT

#: Where browser tests keep their screenshots.
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
#: The basemap's background and label colours (static/sozialraum/basemap.js).
BACKGROUND = (0xF3, 0xF1, 0xEC)
LABEL = (0x3D, 0x3A, 0x36)
HOUSE_NUMBER = (0x7A, 0x74, 0x6C)
#: Leaflet's own container colour, where no tile is drawn (outside the area's bounds).
LEAFLET_GREY = (0xDD, 0xDD, 0xDD)


def share_near(pixels, colour, tolerance: int) -> float:
    """Share of ``pixels`` (H x W x 3 array) within ``tolerance`` of ``colour`` per channel."""
    difference = np.abs(pixels.astype(int) - np.array(colour)).max(axis=2)
    return float((difference <= tolerance).mean())
