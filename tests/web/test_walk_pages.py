"""Walking in the web app: address guide, district profile, isochrones, far addresses.

Tests that write (or check that nothing was written) run on both store backends
(``@both_backends``)."""

from __future__ import annotations

import csv
import io
import logging
import re

import pytest
from support.backends import both_backends, store_state
from support.web import csrf_token

from sozialraum.analysis.reachability import NETWORK_ARTIFACT, REACHABILITY_ARTIFACT
from sozialraum.model.categories import load_categories
from sozialraum.services import areas as services
from sozialraum.web.formats import german_distance

AREA = "musterstadt-nord"
TABLE = load_categories()
GUIDE = f"/gebiete/{AREA}/wegweiser"


def _guide(client, **form):
    token = csrf_token(client, GUIDE)
    return client.post(GUIDE, data={"csrf_token": token, **form})


def _plain(page: str) -> str:
    """The page without the handout's left-to-right isolates (``<bdi dir="ltr">``)."""
    return re.sub(r"</?bdi[^>]*>", "", page)


def _address(demo_store, street="Lindenstraße", housenumber="12"):
    for feature in demo_store.query(AREA, "addresses"):
        props = feature["properties"]
        if props["street"] == street and props["housenumber"] == housenumber:
            return feature
    raise AssertionError("demo address missing")


def _rows(page: str) -> list[str]:
    body = page.split('<table class="guide-table">', 1)[1].split("</table>", 1)[0]
    body = body.split("<tbody>", 1)[1]
    return re.findall(r"<tr>(.*?)</tr>", body, re.S)


def test_guide_form_is_not_cached(client):
    response = client.get(GUIDE)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert 'method="post"' in page and 'name="adresse"' in page


def test_guide_lists_nearest_places_with_minutes(client, demo_store):
    response = _guide(client, adresse="lindenstrasse 12", profil="normal")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = _plain(response.get_data(as_text=True))
    assert "Wege zu Fuß ab Lindenstraße 12" in page
    expected = services.nearest_resources(
        demo_store,
        AREA,
        _address(demo_store)["id"],
        TABLE,
        categories=services.GUIDE_CATEGORIES,
    )
    rows = _rows(page)
    assert len(rows) == len(expected["items"]) == len(services.GUIDE_CATEGORIES)
    for row, item in zip(rows, expected["items"], strict=True):
        assert item["label"] in row
        if item["resource"] is not None:
            assert german_distance(item["distance_m"]) in row  # "850 m", "1,5 km"
            minutes = "unter 1" if item["walk_min"] < 1 else f"{item['walk_min']:.0f}"
            assert f"{minutes} Min." in row
    # the handout map: inline SVG with the home marker and one numbered marker per place found
    # (the first SVG that is not a colour swatch of the table)
    svg = re.findall(r'<svg(?![^>]*class="swatch").*?</svg>', page, re.S)[0]
    found = sum(1 for item in expected["items"] if item["resource"])
    assert found >= 5
    assert "Ihre Adresse" in svg and "5 Minuten zu Fuß" in svg
    assert re.search(rf">\s*{found}\s*</text>", svg)
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")


def test_slow_profile_takes_one_and_a_half_times_as_long(client, demo_store):
    address_id = _address(demo_store)["id"]
    normal = services.nearest_resources(demo_store, AREA, address_id, TABLE)
    slow = services.nearest_resources(demo_store, AREA, address_id, TABLE, speed=3.0)
    for a, b in zip(normal["items"], slow["items"], strict=True):
        if a["walk_min"] is not None:
            assert b["distance_m"] == a["distance_m"]
            assert b["walk_min"] == pytest.approx(a["walk_min"] * 1.5, abs=0.11)
    page = _guide(client, adresse="Lindenstraße 12", profil="langsam").get_data(as_text=True)
    assert "langsam (3 km/h)" in page


@both_backends
def test_typed_address_is_stored_nowhere(client, demo_store, caplog):
    typed = "LINDENstrasse    12"
    caplog.set_level(logging.DEBUG)
    before = store_state(demo_store, AREA)
    response = _guide(client, adresse=typed)
    assert response.status_code == 200
    assert "Wege zu Fuß ab Lindenstraße 12" in _plain(response.text)
    assert typed not in caplog.text and "12" not in response.request.url
    assert store_state(demo_store, AREA) == before  # nothing written to the store
    for path in demo_store.data_dir.rglob("*"):  # nor to a file beside it
        if path.is_file():
            assert typed.encode() not in path.read_bytes(), path
    # nor in the session cookie
    cookies = " ".join(c.value for c in client._cookies.values())
    assert "LINDEN" not in cookies


def test_ambiguous_address_offers_choices_then_shows_the_chosen_one(client, demo_store):
    page = _guide(client, adresse="Lindenstraße").get_data(as_text=True)
    assert "Bitte wählen Sie die gemeinte Adresse." in page
    ids = re.findall(r'name="address_id" value="([^"]+)"', page)
    assert len(ids) >= 2
    chosen = demo_store.get(AREA, "addresses", ids[1])["properties"]
    page = _plain(_guide(client, address_id=ids[1]).get_data(as_text=True))
    assert f"Wege zu Fuß ab {chosen['street']} {chosen['housenumber']}" in page


@pytest.mark.parametrize(
    ("form", "status", "message"),
    [
        ({"adresse": "Gibtsnichtweg 99"}, 200, "Diese Adresse kennen wir in diesem Gebiet nicht"),
        ({"adresse": ""}, 200, "Bitte geben Sie eine Adresse ein."),
        ({"adresse": "x" * 201}, 400, "Bitte prüfen Sie die Eingabe"),
        ({"adresse": "Lindenstraße 12", "profil": "rennen"}, 400, "Bitte prüfen Sie die Eingabe"),
        ({"address_id": "w999999999"}, 200, "Diese Adresse gibt es nicht mehr."),
    ],
)
def test_guide_bad_input_gets_a_german_message(client, form, status, message):
    response = _guide(client, **form)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_guide_without_csrf_token_is_refused(client):
    response = client.post(GUIDE, data={"adresse": "Lindenstraße 12"})
    assert response.status_code == 400
    assert "Das Formular ist abgelaufen" in response.get_data(as_text=True)


@both_backends
def test_resource_names_reach_the_handout_as_text(client, demo_store):
    feature = _address(demo_store)
    nearest = services.nearest_resources(demo_store, AREA, feature["id"], TABLE)
    pharmacy = next(i for i in nearest["items"] if i["category"] == "pharmacy")["resource"]
    current = demo_store.get(AREA, "resources", pharmacy["id"])
    evil = "<script>alert(1)</script> & <img src=x onerror=alert(2)>"
    changed = {**current, "properties": {**current["properties"], "name": evil}}
    demo_store.update(
        AREA,
        "resources",
        pharmacy["id"],
        changed,
        expected_version=current["properties"]["version"],
        actor="test",
    )
    page = _guide(client, adresse="Lindenstraße 12").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img" in page


def test_address_page_shows_walking_times(client, demo_store):
    feature = _address(demo_store)
    page = client.get(f"/gebiete/{AREA}/adressen/{feature['id']}").get_data(as_text=True)
    assert "Zu Fuß (entlang der Wege, 4,5 km/h)" in page
    nearest = services.nearest_resources(demo_store, AREA, feature["id"], TABLE)
    post_office = next(i for i in nearest["items"] if i["category"] == "post_office")
    assert f"({post_office['distance_m']} m)" in page


def test_profile_page_table_map_and_csv(client, demo_store):
    response = client.get(f"/gebiete/{AREA}/profil")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for name in ("Nord-West", "Nord-Ost", "Mühlenviertel", "Gesamtes Gebiet"):
        assert f'<th scope="row">{name}</th>' in page
    assert "Anteil ≤ 10 min zu Fuß: Apotheke (%)" in page
    assert "<iframe" not in page and 'class="folium-map"' in page  # the map in the page
    assert f'href="/api/areas/{AREA}/profile.csv"' in page

    csv_response = client.get(f"/api/areas/{AREA}/profile.csv")
    assert csv_response.headers["Content-Disposition"].startswith("attachment;")
    lines = list(csv.reader(io.StringIO(csv_response.get_data(as_text=True)[1:]), delimiter=";"))
    names = [line[0] for line in lines[1:]]
    assert sorted(names[:-1]) == ["Mühlenviertel", "Nord-Ost", "Nord-West"]
    assert names[-1] == "Gesamtes Gebiet"
    slow = client.get(f"/gebiete/{AREA}/profil?profil=langsam").get_data(as_text=True)
    assert "profile.csv?profil=langsam" in slow and "langsam (3 km/h)" in slow


def test_profile_map_colours_districts_without_cdn(client):
    for metric in ("within:pharmacy", "far_post_box", "per_1000:bakery"):
        response = client.get(f"/gebiete/{AREA}/profil/karte?kennzahl={metric}")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert '"fills":{' in page and "sozialraumLegend" in page
        assert f"/api/areas/{AREA}/far/post_box" in page.replace("\\/", "/")
        for src in re.findall(r'(?:src|href)="([^"]+)"', page):
            assert src.startswith("/static/"), src


def test_far_api_lists_addresses_beyond_the_distance(client, demo_store):
    response = client.get(f"/api/areas/{AREA}/far/post_box?min_distance_m=400")
    features = response.json["features"]
    layer = services.reachability(demo_store, AREA, TABLE)
    column = layer.column("post_box")
    expected = {
        str(a) for i, a in enumerate(layer.address_ids) if layer.distance_m[i, column] >= 400
    }
    assert {f["id"] for f in features} == expected and expected
    assert all(f["properties"]["distance_m"] >= 400 for f in features)
    in_r1 = client.get(f"/api/areas/{AREA}/far/post_box?min_distance_m=400&district=r1").json
    assert all(f["properties"]["district"] == "r1" for f in in_r1["features"])
    assert client.get(f"/api/areas/{AREA}/far/post_box?district=nix").status_code == 404


def test_isochrones_api_needs_csrf_and_answers_bands(client, demo_store):
    lon, lat = _address(demo_store)["geometry"]["coordinates"]
    url = f"/api/areas/{AREA}/isochrones"
    assert client.post(url, json={"lon": lon, "lat": lat}).status_code == 400  # no token
    headers = {"X-CSRFToken": csrf_token(client, "/")}
    response = client.post(url, json={"lon": lon, "lat": lat}, headers=headers)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    bands = response.json["features"]
    assert [b["properties"]["walk_min"] for b in bands] == [15, 10, 5]
    far = client.post(url, json={"lon": lon + 0.2, "lat": lat}, headers=headers)
    assert far.status_code == 400 and "walkable way" in far.json["detail"]
    bad = client.post(url, json={"lon": True, "lat": lat}, headers=headers)
    assert bad.status_code == 400


def test_area_map_has_the_walking_zones_control(client):
    page = client.get(f"/gebiete/{AREA}/karte").get_data(as_text=True)
    assert "sozialraumWalkZones(" in page
    assert f'"\\/api\\/areas\\/{AREA}\\/isochrones"' in page


@both_backends
def test_area_without_walk_network_says_so(client, demo_store):
    meta = demo_store.read_meta(AREA)
    demo_store.write_meta(AREA, {**meta, "walk_network": None}, actor="test")
    for name in (NETWORK_ARTIFACT, REACHABILITY_ARTIFACT):
        demo_store.delete_artifact(AREA, name, actor="test")
    page = client.get(f"/gebiete/{AREA}/profil").get_data(as_text=True)
    assert "Für dieses Gebiet gibt es kein Fußwegenetz" in page
    assert "kein Fußwegenetz" in client.get("/").get_data(as_text=True)
    guide = _guide(client, adresse="Lindenstraße 12")
    assert guide.status_code == 409 and "kein Fußwegenetz" in guide.get_data(as_text=True)
    address_id = _address(demo_store)["id"]
    api = client.get(f"/api/areas/{AREA}/addresses/{address_id}/walk")
    assert api.status_code == 404 and "import it again" in api.json["detail"]
    assert "sozialraumWalkZones(" not in client.get(f"/gebiete/{AREA}/karte").get_data(as_text=True)
    address_page = client.get(f"/gebiete/{AREA}/adressen/{address_id}")
    assert address_page.status_code == 200 and "Zu Fuß" not in address_page.get_data(as_text=True)


def test_address_page_writes_distances_over_a_kilometre_the_german_way(client, demo_store):
    """1,0 km as on the Wegweiser, never 1045 m or 1.045 m."""
    far = next(
        (address, item)
        for address in demo_store.query(AREA, "addresses")[::7]
        for item in services.nearest_resources(demo_store, AREA, address["id"], TABLE)["items"]
        if (item.get("distance_m") or 0) >= 1000
    )
    page = client.get(f"/gebiete/{AREA}/adressen/{far[0]['id']}").get_data(as_text=True)
    metres = far[1]["distance_m"]
    tenths = (metres + 50) // 100
    assert f"({tenths // 10},{tenths % 10} km)" in page
    assert f"({metres} m)" not in page and f"{metres // 1000}.{metres % 1000:03d} m" not in page


def _write_meta(demo_store, **changes):
    meta = {**demo_store.read_meta(AREA), **changes}
    demo_store.write_meta(AREA, meta, actor="test")


def _data_date_line(page: str) -> str:
    line = page.split('class="meta data-date bi">', 1)[1].split("·", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", "", line).split())


@both_backends
def test_guide_shows_the_osm_data_date_not_the_import_day(client, demo_store):
    _write_meta(
        demo_store,
        imported_at="2026-12-01T23:30:00+00:00",
        osm_data={
            "date": "2026-07-14T15:23:33+00:00",
            "source": "header",
            "newest_object": "2026-07-14T13:49:37+00:00",
        },
    )
    page = _guide(client, adresse="Lindenstraße 12").get_data(as_text=True)
    assert _data_date_line(page) == (
        "Stand der Kartendaten: 14.07.2026 (Datenstand der OSM-Datei), importiert am 02.12.2026"
    )  # the import day in local time (00:30 in Berlin)
    _write_meta(
        demo_store,
        osm_data={"date": "2026-03-28T19:22:22+00:00", "source": "newest_object",
                  "newest_object": "2026-03-28T19:22:22+00:00"},
    )  # fmt: skip
    page = _guide(client, adresse="Lindenstraße 12").get_data(as_text=True)
    assert "28.03.2026 (jüngste Änderung in den Daten)" in _data_date_line(page)
    _write_meta(demo_store, osm_data={"date": None, "source": None, "newest_object": None})
    page = _guide(client, adresse="Lindenstraße 12").get_data(as_text=True)
    assert _data_date_line(page) == (
        "Stand der Kartendaten: unbekannt (die OSM-Daten nennen kein Datum), "
        "importiert am 02.12.2026"
    )
    # an area imported before the data date was recorded: the import day, labelled as such
    meta = demo_store.read_meta(AREA)
    meta.pop("osm_data")
    demo_store.write_meta(AREA, meta, actor="test")
    page = _guide(client, adresse="Lindenstraße 12").get_data(as_text=True)
    assert _data_date_line(page) == (
        "Stand der Kartendaten: Import vom 02.12.2026 (Datenstand der OSM-Daten nicht erfasst)"
    )
    assert "Stand der Kartendaten" not in client.get("/").get_data(as_text=True)


def test_start_page_shows_the_osm_data_date(client, demo_store):
    _write_meta(
        demo_store,
        osm_data={"date": "2026-02-13T16:14:43+00:00", "source": "overpass",
                  "newest_object": None},
    )  # fmt: skip
    page = client.get("/").get_data(as_text=True)
    assert "Stand der Kartendaten 13.02.2026" in page and "Stand des Imports" in page


@both_backends
def test_a_place_without_an_address_shows_the_nearest_one(client, demo_store):
    feature = _address(demo_store)
    nearest = services.nearest_resources(
        demo_store, AREA, feature["id"], TABLE, categories=services.GUIDE_CATEGORIES
    )
    pharmacy = next(i for i in nearest["items"] if i["category"] == "pharmacy")["resource"]
    current = demo_store.get(AREA, "resources", pharmacy["id"])
    props = {**current["properties"], "street": None, "housenumber": None}
    demo_store.update(
        AREA,
        "resources",
        pharmacy["id"],
        {**current, "properties": props},
        expected_version=current["properties"]["version"],
        actor="test",
    )
    lon, lat = current["geometry"]["coordinates"][:2]
    (near,) = services.address_points(demo_store, AREA).nearest(lon, lat, radius_m=150, limit=1)
    page = _guide(client, adresse="Lindenstraße 12").get_data(as_text=True)
    row = next(r for r in _rows(page) if "Apotheke" in r)
    # "nahe {address}" from the handout catalogs, the address its own left-to-right span
    assert f"nahe {near['street']} {near['housenumber']}" in re.sub(r"<[^>]+>", "", row)
    # every place on the handout says where it is
    for row, item in zip(_rows(page), nearest["items"], strict=True):
        if item["resource"] is not None:
            assert '<span class="meta">' in row, item["label"]
    # a place with no address within 150 m: nothing made up
    assert services.place_address(demo_store, AREA, "", 0.0, 0.0) is None
    assert services.place_address(demo_store, AREA, " Markt 1 ", None, None) == "Markt 1"


def test_guide_map_is_drawn_wide_with_street_names(client, demo_store):
    page = _guide(client, adresse="Lindenstraße 12").get_data(as_text=True)
    svg = re.findall(r'<svg(?![^>]*class="swatch").*?</svg>', page, re.S)[0]  # not a swatch
    width, height = map(float, re.search(r'viewBox="0 0 (\S+) (\S+)"', svg).groups())
    assert width / height >= 2  # fills the printed width (A4) at a handout's height
    assert "<textPath" in svg and "Lindenstraße" in svg
