"""The own basemap in the app (issue 20): tile endpoint, caching, permissions, bad archives,
the map pages' basemap or notice, and a rebuild while readers hold the archive."""

from __future__ import annotations

import gzip

import mapbox_vector_tile
import pytest
from shapely.geometry import box

from sozialraum.basemap import BasemapArchive
from sozialraum.demo.area import DEMO_AREA, DEMO_OSM_FILE
from sozialraum.osm.import_basemap import basemap_path, build_area_basemap

SCHEMA_LAYERS = {
    "roads",
    "paths",
    "rail",
    "buildings",
    "housenumbers",
    "water",
    "waterways",
    "green",
    "forest",
    "landuse",
    "places",
    "boundary",
}


def _tiles(store, zoom):
    with BasemapArchive(basemap_path(store, DEMO_AREA)) as archive:
        return [c for c in archive.coordinates() if c[0] == zoom]


def _url(z, x, y, area=DEMO_AREA):
    return f"/tiles/{area}/{z}/{x}/{y}.mvt"


def _busiest(store, client, zoom=16):
    """The z16 tile of the demo area with the most bytes (streets and buildings)."""
    best = None
    with BasemapArchive(basemap_path(store, DEMO_AREA)) as archive:
        for z, x, y in _tiles(store, zoom):
            size = len(archive.get(z, x, y))
            if best is None or size > best[0]:
                best = (size, (z, x, y))
    return best[1]


def test_tile_is_gzip_mvt_with_schema_layers(client, demo_store):
    z, x, y = _busiest(demo_store, client)
    response = client.get(_url(z, x, y), headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/vnd.mapbox-vector-tile"
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["ETag"].startswith('"') and f"-{z}-{x}-{y}" in response.headers["ETag"]
    assert response.headers["Cache-Control"].startswith("private")
    layers = mapbox_vector_tile.decode(gzip.decompress(response.get_data()))
    assert set(layers) <= SCHEMA_LAYERS
    assert {"roads", "buildings"} <= set(layers)
    names = {f["properties"].get("name") for f in layers["roads"]["features"]}
    assert any(names - {None})  # streets carry their names


def test_tile_without_gzip_is_plain_mvt(client, demo_store):
    z, x, y = _busiest(demo_store, client)
    response = client.get(_url(z, x, y), headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert "roads" in mapbox_vector_tile.decode(response.get_data())


def test_etag_gives_304_and_versioned_url_is_cached(client, demo_store):
    z, x, y = _busiest(demo_store, client)
    first = client.get(_url(z, x, y), headers={"Accept-Encoding": "gzip"})
    assert first.headers["Cache-Control"] == "private, no-cache"
    again = client.get(
        _url(z, x, y),
        headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]},
    )
    assert again.status_code == 304
    assert again.get_data() == b""
    with BasemapArchive(basemap_path(demo_store, DEMO_AREA)) as archive:
        identity = archive.identity
    versioned = client.get(_url(z, x, y) + f"?v={identity}", headers={"Accept-Encoding": "gzip"})
    assert versioned.headers["Cache-Control"].startswith("private, max-age=")
    stale = client.get(_url(z, x, y) + "?v=old", headers={"Accept-Encoding": "gzip"})
    assert stale.headers["Cache-Control"] == "private, no-cache"


@pytest.mark.parametrize(
    "zxy",
    [(16, 0, 0), (11, 1060, 680), (19, 1, 1), (16, 70000, 1)],
    ids=["outside", "below-min-zoom", "above-max-zoom", "x-out-of-range"],
)
def test_outside_the_area_is_404_with_empty_body(client, zxy):
    response = client.get(_url(*zxy))
    assert response.status_code == 404
    assert response.get_data() == b""


def test_unknown_area_is_404_with_empty_body(client):
    response = client.get(_url(16, 1, 1, area="gibt-es-nicht"))
    assert response.status_code == 404
    assert response.get_data() == b""


def test_anonymous_gets_401_like_other_area_data(anon_client, demo_store):
    z, x, y = _tiles(demo_store, 14)[0]
    response = anon_client.get(_url(z, x, y))
    assert response.status_code == 401
    assert response.get_data() == b""
    assert anon_client.get(f"/api/areas/{DEMO_AREA}/districts").status_code == 401


@pytest.mark.parametrize("role", ["viewer", "caseworker", "lead", "admin"])
def test_every_role_reads_tiles(app, demo_store, role):
    from support.web import login

    z, x, y = _tiles(demo_store, 14)[0]
    assert login(app.test_client(), role).get(_url(z, x, y)).status_code == 200


def test_area_without_basemap_is_404_and_maps_show_notice(client, demo_store):
    z, x, y = _tiles(demo_store, 14)[0]
    basemap_path(demo_store, DEMO_AREA).unlink()
    response = client.get(_url(z, x, y))
    assert response.status_code == 404
    assert response.get_data() == b""
    _maps_show_notice(client)


def test_corrupt_archive_is_503_never_500(client, demo_store):
    z, x, y = _tiles(demo_store, 14)[0]
    assert client.get(_url(z, x, y)).status_code == 200  # the cache holds the good archive
    path = basemap_path(demo_store, DEMO_AREA)
    path.write_bytes(b"PMTiles\x03" + b"\x00" * 50)  # a new file: the cache opens it again
    response = client.get(_url(z, x, y))
    assert response.status_code == 503
    assert "Grundkarte" in response.get_data(as_text=True)
    _maps_show_notice(client)


def test_truncated_archive_is_503(client, demo_store):
    path = basemap_path(demo_store, DEMO_AREA)
    z, x, y = _tiles(demo_store, 14)[0]
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert client.get(_url(z, x, y)).status_code == 503


def _maps_show_notice(client):
    for url in (
        f"/gebiete/{DEMO_AREA}/karte",
        f"/gebiete/{DEMO_AREA}/profil/karte",
        f"/gebiete/{DEMO_AREA}/abdeckung/karte",
        f"/gebiete/{DEMO_AREA}/pruefung",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert "Grundkarte nicht verfügbar" in page, url
        assert "sozialraumBasemap(" not in page.split("review.js")[0], url


def test_map_documents_draw_the_basemap(client, demo_store):
    district = demo_store.query(DEMO_AREA, "districts")[0]["id"]
    for url in (
        f"/gebiete/{DEMO_AREA}/karte",
        f"/gebiete/{DEMO_AREA}/karte?district={district}",
        f"/gebiete/{DEMO_AREA}/profil/karte",
        f"/gebiete/{DEMO_AREA}/abdeckung/karte",
    ):
        page = client.get(url).get_data(as_text=True)
        assert "sozialraumBasemap(" in page, url
        # braces escaped inside the JSON string (branca renders it as Jinja once more)
        template = "/tiles/DEMO/{z}/{x}/{y}.mvt?v=".replace("DEMO", DEMO_AREA)
        escaped = template.replace("/", "\\/").replace("{", "\\u007b").replace("}", "\\u007d")
        assert escaped in page, url
        assert "protomaps-leaflet.js" in page, url
        assert "Grundkarte nicht verfügbar" not in page, url
    review = client.get(f"/gebiete/{DEMO_AREA}/pruefung").get_data(as_text=True)
    assert "basemap.js" in review and "/tiles/" in review


def test_tile_url_replaces_the_own_basemap(demo_store):
    from support.web import login

    from sozialraum.web import create_app

    app = create_app(
        {
            "TESTING": True,
            "DATA_DIR": str(demo_store.data_dir),
            "TILE_URL": "https://karten.stadt.example/tiles/{z}/{x}/{y}.png",
        }
    )
    client = login(app.test_client())
    page = client.get(f"/gebiete/{DEMO_AREA}/karte").get_data(as_text=True)
    assert "karten.stadt.example" in page
    assert "sozialraumBasemap(" not in page


def test_rebuild_while_a_reader_holds_the_archive_never_mixes(client, demo_store):
    """A reader that opened the archive keeps reading the old file whole; the endpoint
    opens the new one after the rebuild: every tile is wholly old or wholly new."""
    path = basemap_path(demo_store, DEMO_AREA)
    z, x, y = _busiest(demo_store, client)
    before = client.get(_url(z, x, y), headers={"Accept-Encoding": "gzip"}).get_data()
    held = BasemapArchive(path)
    old_tiles = {c: bytes(held.get(*c)) for c in held.coordinates()}
    # rebuild with a smaller area: other tiles, other bytes
    west, south, east, north = demo_store.read_meta(DEMO_AREA)["bbox"]
    half = box(west, south, (west + east) / 2, (south + north) / 2)
    build_area_basemap(demo_store, DEMO_AREA, DEMO_OSM_FILE, half)
    assert not held.is_current()
    for c, data in old_tiles.items():  # the held reader: the old file, whole
        assert bytes(held.get(*c)) == data
    held.close()
    with BasemapArchive(path) as new:
        new_tiles = {c: bytes(new.get(*c)) for c in new.coordinates()}
    assert new_tiles != old_tiles
    for c in list(old_tiles)[::7]:
        response = client.get(_url(*c), headers={"Accept-Encoding": "gzip"})
        if c in new_tiles:
            assert response.status_code == 200 and response.get_data() == new_tiles[c]
        else:
            assert response.status_code == 404
    assert before == old_tiles[(z, x, y)]


def _printed_maps(client, demo_store) -> dict[str, str]:
    """The walk sheet's and the Wegweiser's printed maps (SVG) of the demo area."""
    from support.web import csrf_token

    walk_id = demo_store.query(DEMO_AREA, "walks")[0]["id"]
    sheet = client.get(f"/gebiete/{DEMO_AREA}/rundgaenge/{walk_id}/laufzettel")
    guide_url = f"/gebiete/{DEMO_AREA}/wegweiser"
    form = {"csrf_token": csrf_token(client, guide_url), "adresse": "Lindenstraße 12"}
    guide = client.post(guide_url, data=form)
    assert sheet.status_code == 200 and guide.status_code == 200
    return {"sheet": sheet.get_data(as_text=True), "guide": guide.get_data(as_text=True)}


def test_printed_maps_draw_the_basemaps_ground(client, demo_store):
    for name, page in _printed_maps(client, demo_store).items():
        svg = page[page.index("<svg") :]
        assert 'class="ground-buildings"' in svg, name
        # under the streets and their names, never over them
        assert svg.index('class="ground-buildings"') < svg.index('class="streets"'), name


def test_printed_maps_without_a_readable_basemap_keep_their_streets(client, demo_store):
    basemap_path(demo_store, DEMO_AREA).write_bytes(b"PMTiles\x03" + b"\x00" * 50)
    for name, page in _printed_maps(client, demo_store).items():
        assert 'class="streets"' in page and "ground-" not in page, name
