"""`--only districts`: importing a heavy district file (issue 26, finding 11).

A pen test imported a 1,000,000-vertex district polygon: 61 s and 1.3 GB, and the first
coverage page then took 21.8 s. Now a polygon file over the vertex cap is refused before
any geometry work, and district polygons are simplified on import (1 m, shared borders
kept). Figures are ratios against the same import with a light district file (the same
two districts, their border drawn with two vertices), measured in the same run.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
from common import NEUSS


def district_file(path: Path, border_vertices: int) -> Path:
    """Two adjacent districts over the Neuss extract; the shared border has
    ``border_vertices`` points wiggling by 0.15 m (a traced line with far too many points)."""
    west, border, east, south, north = 6.60, 6.685, 6.75, 51.10, 51.25
    lats = np.linspace(south, north, border_vertices)
    lons = border + 2e-6 * np.sin(np.arange(border_vertices))
    line = [[float(x), float(y)] for x, y in zip(lons, lats, strict=True)]
    rings = {
        "West": [[west, south], *line, [west, north], [west, south]],
        "Ost": [[east, south], [east, north], *line[::-1], [east, south]],
    }
    features = [
        {
            "type": "Feature",
            "properties": {"name": name},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }
        for name, ring in rings.items()
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def bench_districts(repeat: int) -> None:
    from sozialraum.errors import OsmImportError
    from sozialraum.osm import districts as districts_module
    from sozialraum.osm.importer import import_area
    from sozialraum.services import coverage
    from sozialraum.store import GeoJSONStore

    cap = districts_module.MAX_POLYGON_VERTICES
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        light = district_file(folder / "light.geojson", 2)
        heavy_border = (cap - 10) // 2
        heavy = district_file(folder / "heavy.geojson", heavy_border)
        refused = district_file(folder / "million.geojson", 500_000)
        sizes = {p: p.stat().st_size / 1e6 for p in (light, heavy, refused)}

        def run_import(path: Path, name: str):
            store = GeoJSONStore(folder / name)
            report = import_area(store, "neuss", osm_file=NEUSS, districts_file=path)
            return store, report

        def timed(fn) -> tuple[float, object]:
            times, result = [], None
            for _ in range(repeat):
                started = time.perf_counter()
                result = fn()
                times.append(time.perf_counter() - started)
            return statistics.median(times), result

        def cold_coverage(store) -> float:
            def run():
                coverage.clear_cache()
                coverage.district_coverage(store, "neuss", today=date(2026, 12, 1))

            return timed(run)[0]

        counter = iter(range(10_000))
        base_s, (base_store, _) = timed(lambda: run_import(light, f"l{next(counter)}"))
        heavy_s, (heavy_store, report) = timed(lambda: run_import(heavy, f"h{next(counter)}"))

        def refuse():
            try:
                run_import(refused, f"r{next(counter)}")
            except OsmImportError as exc:
                return str(exc)
            raise AssertionError("the million-vertex file was imported")

        refuse_s, message = timed(refuse)
        base_cov = cold_coverage(base_store)
        heavy_cov = cold_coverage(heavy_store)
        # the behaviour before the fix, for comparison: no simplification (1 run)
        original = districts_module.simplify_districts
        districts_module.simplify_districts = lambda d, *a, **k: (d, None)
        try:
            started = time.perf_counter()
            raw_store, _ = run_import(heavy, "unsimplified")
            raw_s = time.perf_counter() - started
        finally:
            districts_module.simplify_districts = original
        raw_cov = cold_coverage(raw_store)

    simplification = report.simplification
    print(
        f"[districts] neuss-innenstadt.osm with two adjacent districts from a file; median of "
        f"{repeat}; vertex cap {cap:,}"
    )
    print(f"  {simplification.describe()}")

    def line(label: str, seconds: float, baseline: float, note: str = "") -> None:
        print(f"  {label:<54} {seconds:8.3f} s   ratio {seconds / baseline:7.2f}  {note}")

    line(
        "import, light file (2 border vertices) (baseline)",
        base_s,
        base_s,
    )
    line(
        f"import, heavy file ({2 * heavy_border + 6:,} vertices, {sizes[heavy]:.1f} MB)",
        heavy_s,
        base_s,
    )
    line("  same, not simplified (before the fix, 1 run)", raw_s, base_s)
    line(
        f"import, {2 * 500_000 + 6:,} vertices ({sizes[refused]:.1f} MB): refused",
        refuse_s,
        base_s,
    )
    print(f"  refusal: {message}")
    print(f"  (sizes: light {sizes[light] * 1000:.1f} kB, heavy {sizes[heavy]:.1f} MB)")
    line("coverage of both districts (cold), light (baseline)", base_cov, base_cov)
    line("coverage of both districts (cold), heavy", heavy_cov, base_cov)
    line("  same, not simplified (before the fix)", raw_cov, base_cov)


if __name__ == "__main__":
    bench_districts(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
