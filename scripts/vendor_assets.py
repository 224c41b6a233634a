"""Copy front-end files from node_modules (installed by npm from package.json) to static/vendor.

Run by `make` after `npm ci`. static/vendor is git-ignored: nothing third-party is committed,
and no page loads anything from a CDN.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "static" / "vendor"

#: npm package -> files or folders (relative to the package) to copy, keeping their paths.
FILES = {
    "leaflet": ["dist/leaflet.js", "dist/leaflet.css", "dist/images"],
    "jquery": ["dist/jquery.min.js"],
    "bootstrap": ["dist/js/bootstrap.bundle.min.js", "dist/css/bootstrap.min.css"],
    "leaflet.awesome-markers": [
        "dist/leaflet.awesome-markers.js",
        "dist/leaflet.awesome-markers.css",
        "dist/images",
    ],
    "@fortawesome/fontawesome-free": ["css/all.min.css", "webfonts"],
    "leaflet.markercluster": [
        "dist/leaflet.markercluster.js",
        "dist/MarkerCluster.css",
        "dist/MarkerCluster.Default.css",
    ],
    "leaflet.fullscreen": [
        "Control.FullScreen.js",
        "Control.FullScreen.css",
        "icon-fullscreen.svg",
    ],
    "leaflet.locatecontrol": ["dist/L.Control.Locate.min.js", "dist/L.Control.Locate.min.css"],
    # the basemap renderer (Canvas, one self-contained script, global ``protomapsL``)
    "protomaps-leaflet": ["dist/protomaps-leaflet.js", "LICENSE"],
    # the accessibility checker of the browser tests (issue 21: axe over the main pages)
    "axe-core": ["axe.min.js", "LICENSE"],
    # drag and drop of the walk planner's stops (global ``Sortable``)
    "sortablejs": ["Sortable.min.js", "LICENSE"],
    # offline use (issue 23): the service worker's routing and strategies (workbox-sw loads
    # the modules from here, never from a CDN) and the IndexedDB wrapper (global ``idb``)
    "workbox-sw": ["build/workbox-sw.js", "LICENSE"],
    "workbox-core": ["build/workbox-core.prod.js", "LICENSE"],
    "workbox-routing": ["build/workbox-routing.prod.js", "LICENSE"],
    "workbox-strategies": ["build/workbox-strategies.prod.js", "LICENSE"],
    "idb": ["build/umd.js", "LICENSE"],
    # drawing district polygons on the admin's district page (German tool labels built in)
    "@geoman-io/leaflet-geoman-free": [
        "dist/leaflet-geoman.min.js",
        "dist/leaflet-geoman.css",
        "LICENSE",
    ],
}


def rotate_css() -> str:
    """folium's awesome-rotate.css: only .fa-rotate-0…360 rules, generated here."""
    return "".join(
        f".fa-rotate-{d}{{-webkit-transform:rotate({d}deg);transform:rotate({d}deg);}}\n"
        for d in range(0, 361)
    )


def main() -> int:
    missing = [name for name in FILES if not (NODE_MODULES / name).is_dir()]
    if missing:
        print(f"error: run 'npm ci' first; missing packages: {', '.join(missing)}", file=sys.stderr)
        return 1
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    for package, items in FILES.items():
        for item in items:
            source = NODE_MODULES / package / item
            target = VENDOR / package / item
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, target)
            else:
                shutil.copy2(source, target)
    (VENDOR / "folium").mkdir(parents=True, exist_ok=True)
    (VENDOR / "folium" / "awesome-rotate.css").write_text(rotate_css(), encoding="utf-8")
    print(f"front-end assets copied to {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
