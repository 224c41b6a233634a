"""Offline use (issue 23) without a browser: what "Für unterwegs speichern" lists for a walk
or a district (only what the user may read), the tiles of a district, the service worker's
route and the Content-Security-Policy for it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support.web import login

from sozialraum.services.offline import OFFLINE_ZOOMS, tile_bounds, tiles_covering
from sozialraum.web.csp import content_security_policy

AREA = "musterstadt-nord"
ROOT = Path(__file__).resolve().parents[2]
SQUARE = {  # about 700 m x 550 m in Mönchengladbach
    "type": "Polygon",
    "coordinates": [[[6.43, 51.19], [6.44, 51.19], [6.44, 51.195], [6.43, 51.195], [6.43, 51.19]]],
}


def _walk(demo_store) -> dict:
    return demo_store.query(AREA, "walks")[0]


def test_tiles_cover_the_polygon_and_nothing_far_away():
    tiles = list(tiles_covering(SQUARE))
    assert {z for z, _, _ in tiles} == set(OFFLINE_ZOOMS)
    by_zoom = {z: [t for t in tiles if t[0] == z] for z in OFFLINE_ZOOMS}
    assert len(by_zoom[14]) <= 4
    # each zoom level has about four times the tiles of the one above
    assert len(by_zoom[18]) > 3 * len(by_zoom[17]) > 0
    for z, x, y in tiles:
        west, south, east, north = tile_bounds(z, x, y)
        assert west <= 6.44 and east >= 6.43 and south <= 51.195 and north >= 51.19
    assert list(tiles_covering({"type": "Polygon", "coordinates": []})) == []


def test_walk_bundle_lists_pages_data_and_tiles(client, demo_store):
    walk = _walk(demo_store)
    answer = client.get(f"/api/areas/{AREA}/offline?walk={walk['id']}")
    assert answer.status_code == 200
    assert "no-store" in answer.headers["Cache-Control"]
    plan = answer.get_json()
    assert plan["key"] == f"{AREA}/rundgang/{walk['id']}" and plan["kind"] == "walk"
    assert plan["district"] == walk["properties"]["district"] and plan["keep_days"] == 14
    walk_page = f"/gebiete/{AREA}/rundgaenge/{walk['id']}"
    assert plan["pages"][:2] == [walk_page, f"{walk_page}/ergebnisse"]
    assert f"/gebiete/{AREA}/notizen/neu" in plan["pages"]
    assert any("/adressen/" in p for p in plan["pages"])
    note_stops = [s["ref"] for s in walk["properties"]["stops"] if s["kind"] == "note"]
    for note_id in note_stops:
        assert f"/gebiete/{AREA}/notizen/{note_id}" in plan["pages"]
    urls = [d["url"] for d in plan["data"]]
    assert f"/api/areas/{AREA}/walks/{walk['id']}" in urls
    notes = next(d for d in plan["data"] if d["url"].startswith(f"/api/areas/{AREA}/notes"))
    assert "review_state=freigegeben" in notes["url"]  # released notes only
    assert notes["alias"] == f"/api/areas/{AREA}/notes?district={plan['district']}"
    assert plan["tiles"] and all(
        re.fullmatch(r"/tiles/[^/]+/1[4-8]/\d+/\d+\.mvt", t) for t in plan["tiles"]
    )
    # everything listed can be read by this user
    for url in plan["pages"] + urls + plan["tiles"][:20]:
        assert client.get(url).status_code == 200, url
    assert len(set(plan["pages"])) == len(plan["pages"])


def test_viewer_gets_no_forms_and_only_released_notes(app, demo_store):
    viewer = login(app.test_client(), "viewer")
    walk = _walk(demo_store)
    plan = viewer.get(f"/api/areas/{AREA}/offline?walk={walk['id']}").get_json()
    assert not any(p.endswith("/ergebnisse") or p.endswith("/notizen/neu") for p in plan["pages"])
    released = {n["id"] for n in demo_store.query(AREA, "notes")
                if n["properties"]["review_state"] == "freigegeben"}  # fmt: skip
    for page in plan["pages"]:
        if "/notizen/" in page:
            assert page.rsplit("/", 1)[1] in released, page


def test_district_bundle_and_bad_requests(client, anon_client):
    plan = client.get(f"/api/areas/{AREA}/offline?district=r2").get_json()
    assert plan["kind"] == "district" and plan["title"] == "Bezirk Nord-Ost"
    assert plan["pages"][0] == f"/gebiete/{AREA}/bezirke/r2/"
    assert f"/gebiete/{AREA}/karte?district=r2" in plan["pages"]
    assert any(d["url"].startswith(f"/api/areas/{AREA}/layers/") for d in plan["data"])
    assert plan["tiles"]
    assert client.get(f"/api/areas/{AREA}/offline").status_code == 400
    assert client.get(f"/api/areas/{AREA}/offline?district=r1&walk=x").status_code == 400
    assert client.get(f"/api/areas/{AREA}/offline?district=nix").status_code == 404
    assert client.get(f"/api/areas/{AREA}/offline?walk=nix").status_code == 404
    assert anon_client.get(f"/api/areas/{AREA}/offline?district=r2").status_code == 401


def test_service_worker_is_served_from_the_root(anon_client):
    answer = anon_client.get("/sw.js")
    assert answer.status_code == 200
    assert answer.headers["Service-Worker-Allowed"] == "/"
    assert answer.mimetype == "text/javascript"
    assert "no-store" in answer.headers["Cache-Control"]
    body = answer.get_data(as_text=True)
    assert "/static/vendor/workbox-sw/build/workbox-sw.js" in body
    assert "modulePathCb" in body  # workbox modules from static/vendor, never its CDN
    assert "http" not in re.sub(r"//.*|/\*[\s\S]*?\*/", "", body)  # no third-party host


def test_csp_allows_our_worker_and_manifest_only():
    policy = content_security_policy(None, "abc")
    assert "worker-src 'self';" in policy and "manifest-src 'self';" in policy


def test_manifest_and_icons(anon_client):
    manifest = json.loads(
        (ROOT / "static" / "sozialraum" / "offline" / "manifest.webmanifest").read_text("utf-8")
    )
    assert manifest["lang"] == "de" and manifest["name"].startswith("Sozialraumkarte")
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        answer = anon_client.get(f"/static/sozialraum/offline/{icon['src']}")
        assert answer.status_code == 200 and answer.data[:8] == b"\x89PNG\r\n\x1a\n"
    page = anon_client.get("/anmelden").get_data(as_text=True)
    assert 'rel="manifest"' in page and "offline/offline.js" in page


@pytest.mark.parametrize("name", ["workbox-sw/build/workbox-sw.js", "idb/build/umd.js"])
def test_vendored_offline_libraries(anon_client, name):
    assert anon_client.get(f"/static/vendor/{name}").status_code == 200
