"""Paths of the repository and of the real OSM extracts the tests and benchmarks read.

The extracts live in ``../shared/osm`` beside the checkout; ``SOZIALRAUM_SHARED_OSM`` points
elsewhere (e.g. ``/nonexistent`` to prove which tests run without them). Nothing here reads
the extracts: a test that needs one asks :func:`need_extracts` (or reads the file and fails).
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED_OSM = Path(os.environ.get("SOZIALRAUM_SHARED_OSM") or ROOT.parent / "shared" / "osm")
EXTRACTS = {
    "dortmund-aplerbeck": SHARED_OSM / "dortmund-aplerbeck.osm",
    "neuss-innenstadt": SHARED_OSM / "neuss-innenstadt.osm",
    "karlsruhe-neureut-kirchfeld": SHARED_OSM / "karlsruhe-neureut-kirchfeld.osm",
    "dreieich-dreieichenhain": SHARED_OSM / "dreieich-dreieichenhain.osm",
}


def missing_extracts() -> list[str]:
    """The real extracts that are not there (as strings, for error messages)."""
    return [str(path) for path in EXTRACTS.values() if not path.exists()]
