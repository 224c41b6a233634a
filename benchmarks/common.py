"""What the benchmarks share: paths, timing and printing rows, the city-sized test area and
the app (a logged-in test client, or ``sozialraum serve`` on loopback).

Every benchmark imports from here (and from the package and ``tests/support``), never from
another benchmark. Importing this module puts ``tests/`` on ``sys.path`` so that
``support.<topic>`` resolves as it does under pytest.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "tests") not in sys.path:
    sys.path.append(str(ROOT / "tests"))

from support.paths import SHARED_OSM  # noqa: E402  (tests/ is on the path from here on)

NEUSS = SHARED_OSM / "neuss-innenstadt.osm"
SHIFT = 0.05  # degrees east per copy, as in replicate()
PAD = 0.002  # degrees around each copy's data (copies are 0.05° apart, data ~0.031° wide)


# -- timing and rows -------------------------------------------------------------------
def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def row(label: str, seconds: float, baseline: float, note: str = "") -> None:
    print(f"  {label:<46} {seconds:8.3f} s   ratio {seconds / baseline:6.2f}  {note}")


# -- the city-sized area -------------------------------------------------------------
def replicate(source: Path, target: Path, copies: int) -> None:
    """Write ``copies`` shifted copies of ``source`` (0.05° east each, ids offset)."""
    import osmium

    offset = 10**11
    with osmium.SimpleWriter(str(target), overwrite=True) as writer:
        for kind in ("n", "w", "r"):
            for copy in range(copies):
                shift, base = copy * 0.05, copy * offset
                for obj in osmium.FileProcessor(str(source)):
                    if obj.type_str() != kind:
                        continue
                    if kind == "n":
                        loc = obj.location
                        location = (loc.lon + shift, loc.lat) if loc.valid() else loc
                        writer.add_node(obj.replace(id=obj.id + base, location=location))
                    elif kind == "w":
                        writer.add_way(
                            obj.replace(id=obj.id + base, nodes=[n.ref + base for n in obj.nodes])
                        )
                    else:
                        members = [(m.type, m.ref + base, m.role) for m in obj.members]
                        writer.add_relation(obj.replace(id=obj.id + base, members=members))


def _copy_bbox(folder: Path) -> tuple[float, float, float, float]:
    """Bounding box of the resources and addresses of one copy (imported once)."""
    from sozialraum.osm.importer import import_area
    from sozialraum.store import GeoJSONStore

    import_area(GeoJSONStore(folder), "one", osm_file=NEUSS)
    return tuple(json.loads((folder / "one" / "area.json").read_text())["bbox"])


def city_files(folder: Path, copies: int) -> tuple[Path, Path]:
    """Write the city-sized test area into ``folder``: the Neuss extract replicated
    ``copies`` times and one rectangle district per copy; returns (OSM file, districts file)."""
    bbox = _copy_bbox(folder / "one")
    osm = folder / f"neuss-x{copies}.osm"
    replicate(NEUSS, osm, copies)
    districts_file = folder / "bezirke.geojson"
    _write_districts(districts_file, bbox, copies)
    return osm, districts_file


def _write_districts(path: Path, bbox: tuple, copies: int) -> None:
    west, south, east, north = bbox
    features = []
    for copy in range(copies):
        w, e = west + copy * SHIFT - PAD, east + copy * SHIFT + PAD
        s, n = south - PAD, north + PAD
        features.append(
            {
                "type": "Feature",
                "properties": {"name": f"Bezirk {copy + 1}"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]],
                },
            }
        )
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))


# -- the app ----------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def app_server(data_dir: Path, instance: Path, log_path: Path):
    """``sozialraum serve`` (waitress) on a free loopback port; always terminated."""
    port = free_port()
    env = {**os.environ, "SOZIALRAUM_INSTANCE_PATH": str(instance)}
    command = [sys.executable, "-m", "sozialraum.cli", "serve", "--data-dir", str(data_dir)]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        deadline = time.monotonic() + 30
        for _ in range(300):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"sozialraum serve did not start:\n{log_path.read_text()}")
            with contextlib.suppress(OSError):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/anmelden")
                if conn.getresponse().status == 200:
                    conn.close()
                    break
                conn.close()
            time.sleep(0.1)
        else:
            raise SystemExit(f"sozialraum serve did not answer:\n{log_path.read_text()}")
        yield f"http://127.0.0.1:{port}", port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def lead_client(data_dir: Path, user: str = "bench-leitung", team: str = "Team Bench"):
    """A Flask test client of the app over ``data_dir``, logged in as ``user``, a new lead of
    ``team`` (added to the accounts with a random password)."""
    from sozialraum.accounts import FileUserStore, accounts_dir
    from sozialraum.web import create_app

    password = secrets.token_urlsafe(18)
    FileUserStore(accounts_dir(data_dir) / "users.json").add(user, "lead", team, password)
    app = create_app({"TESTING": True, "DATA_DIR": str(data_dir), "TILE_URL": ""})
    client = app.test_client()
    page = client.get("/anmelden").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    response = client.post(
        "/anmelden", data={"csrf_token": token, "username": user, "password": password}
    )
    if response.status_code != 302:
        raise SystemExit("review benchmark: login failed")
    return client
