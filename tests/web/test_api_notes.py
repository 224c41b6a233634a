"""The field-note API: create, read, change with ETag/If-Match, delete, history, exports,
and every error path (a 4xx with a clear message, never a 500, nothing half-written).

Every test runs on both store backends (GeoJSON files and PostgreSQL, ``backend_demo_store``)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pyogrio
import pytest
from support.web import csrf_token, login

AREA = "musterstadt-nord"
BASE = f"/api/areas/{AREA}/notes"


@pytest.fixture
def demo_store(backend_demo_store):
    """The demo data on each backend: the tests below run once per backend."""
    return backend_demo_store


@pytest.fixture
def token(client):
    return csrf_token(client, "/")


def _address(demo_store, district="r1"):
    return demo_store.query(AREA, "addresses", district=district)[0]


def _post(client, token, body, **headers):
    return client.post(BASE, json=body, headers={"X-CSRFToken": token, **headers})


def _put(client, token, note_id, body, etag=None):
    headers = {"X-CSRFToken": token}
    if etag:
        headers["If-Match"] = etag
    return client.put(f"{BASE}/{note_id}", json=body, headers=headers)


def _body(address, **changes):
    body = {
        "address_id": address["id"],
        "category": "briefkasten",
        "mailbox_status": "fehlt",
        "text": "Kein Briefkasten am Hinterhaus.",
    }
    body.update(changes)
    return body


def test_create_from_an_address_derives_point_district_team_and_expiry(client, token, demo_store):
    address = _address(demo_store)
    response = _post(client, token, _body(address))
    assert response.status_code == 201, response.json
    assert response.headers["ETag"] == '"v1"'
    assert response.headers["Location"].endswith(f"/notes/{response.json['id']}")
    note = response.json
    assert note["geometry"]["coordinates"] == address["geometry"]["coordinates"]
    props = note["properties"]
    assert props["district"] == "r1" and props["district_name"] == "Nord-West"
    assert props["team"] == "Team Nord" and props["author"] == "demo-fachkraft"
    assert props["address_key"] == address["properties"]["key"]
    assert props["mailbox_status_label"] == "fehlt" and props["category_label"] == "Briefkasten"
    observed = date.fromisoformat(props["observed_on"])
    assert props["expires_on"] == observed.replace(year=observed.year + 1).isoformat()
    assert props["review_state"] == "entwurf" and props["can_edit"] is True
    listed = client.get(BASE, query_string={"district": "r1", "category": "briefkasten"}).json
    assert note["id"] in {f["id"] for f in listed["features"]}


def test_create_from_a_resource_links_it(client, token, demo_store):
    resource = demo_store.query(AREA, "resources", category="pharmacy", district="r1")[0]
    body = {"resource_id": resource["id"], "category": "rolle", "text": "Nimmt Flyer an."}
    note = _post(client, token, body).json
    assert note["properties"]["osm_ref"] == resource["id"]
    assert note["properties"]["resource_label"] == resource["properties"]["name"]


def test_create_at_a_point_in_another_teams_district_is_forbidden(client, token, demo_store):
    address = _address(demo_store, "r3")  # Team Mühle; the caseworker is in Team Nord
    before = len(demo_store.query(AREA, "notes"))
    response = _post(client, token, _body(address))
    assert response.status_code == 403
    assert response.json["error"] == "Dafür fehlt Ihnen die Berechtigung."
    assert len(demo_store.query(AREA, "notes")) == before


def test_viewers_cannot_write(app, demo_store):
    viewer = login(app.test_client(), "viewer")
    token = csrf_token(viewer, "/")
    assert _post(viewer, token, _body(_address(demo_store))).status_code == 403
    assert viewer.get(BASE).status_code == 200


def test_admin_writes_everywhere_lead_in_own_team(app, demo_store):
    admin = login(app.test_client(), "admin")
    assert (
        _post(admin, csrf_token(admin, "/"), _body(_address(demo_store, "r3"))).status_code == 201
    )
    lead = login(app.test_client(), "lead")
    token = csrf_token(lead, "/")
    assert _post(lead, token, _body(_address(demo_store, "r2"))).status_code == 201
    assert _post(lead, token, _body(_address(demo_store, "r3"))).status_code == 403


def test_update_with_if_match_and_the_stale_conflict(client, token, demo_store):
    created = _post(client, token, _body(_address(demo_store))).json
    url = f"{BASE}/{created['id']}"
    body = _body(_address(demo_store), mailbox_status="defekt", text="Klappe kaputt.")
    first = _put(client, token, created["id"], body, '"v1"')
    assert first.status_code == 200 and first.headers["ETag"] == '"v2"'
    stale = _put(client, token, created["id"], _body(_address(demo_store), text="Alt."), '"v1"')
    assert stale.status_code == 412
    assert stale.headers["ETag"] == '"v2"'
    assert stale.json["current"]["properties"]["text"] == "Klappe kaputt."
    assert "geändert" in stale.json["detail"]
    assert client.get(url).json["properties"]["text"] == "Klappe kaputt."


def test_changes_without_if_match_are_428(client, token, demo_store):
    created = _post(client, token, _body(_address(demo_store))).json
    response = _put(client, token, created["id"], _body(_address(demo_store)))
    assert response.status_code == 428 and "If-Match" in response.json["detail"]
    star = _put(client, token, created["id"], _body(_address(demo_store)), "*")
    assert star.status_code == 428
    delete = client.delete(f"{BASE}/{created['id']}", headers={"X-CSRFToken": token})
    assert delete.status_code == 428
    foreign = _put(client, token, created["id"], _body(_address(demo_store)), '"abc"')
    assert foreign.status_code == 412
    url = f"{BASE}/{created['id']}"
    for empty, status in (('""', 412), ('W/""', 412), ('"", "v1"', 204)):  # "" reads as None
        headers = {"X-CSRFToken": token, "If-Match": empty}
        assert client.delete(url, headers=headers).status_code == status, empty


def test_get_etag_and_304(client, token, demo_store):
    created = _post(client, token, _body(_address(demo_store))).json
    url = f"{BASE}/{created['id']}"
    first = client.get(url)
    assert first.headers["ETag"] == '"v1"'
    assert client.get(url, headers={"If-None-Match": '"v1"'}).status_code == 304


def test_delete_needs_the_current_version(client, token, demo_store):
    created = _post(client, token, _body(_address(demo_store))).json
    url = f"{BASE}/{created['id']}"
    _put(client, token, created["id"], _body(_address(demo_store), text="Neu."), '"v1"')
    stale = client.delete(url, headers={"X-CSRFToken": token, "If-Match": '"v1"'})
    assert stale.status_code == 412 and client.get(url).status_code == 200
    gone = client.delete(url, headers={"X-CSRFToken": token, "If-Match": '"v2"'})
    assert gone.status_code == 204
    assert client.get(url).status_code == 404
    assert client.get(f"{url}/history").status_code == 404


def test_history_lists_every_version(client, token, demo_store):
    created = _post(client, token, _body(_address(demo_store))).json
    _put(client, token, created["id"], _body(_address(demo_store), text="Zweite."), '"v1"')
    history = client.get(f"{BASE}/{created['id']}/history").json
    assert [v["version"] for v in history["versions"]] == [1, 2]
    assert [v["feature"]["properties"]["text"] for v in history["versions"]] == [
        "Kein Briefkasten am Hinterhaus.",
        "Zweite.",
    ]
    assert {v["actor"] for v in history["versions"]} == {"demo-fachkraft"}


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        ({"lon": 6.95, "lat": 51.43, "category": "beobachtung", "text": ""}, 400, "Text"),
        ({"lon": 6.95, "lat": 51.43, "category": "x", "text": "Ort"}, 400, "Kategorie"),
        ({"lat": 51.43, "category": "beobachtung", "text": "Ort"}, 400, "lon"),
        ({"lon": 6.95, "lat": 51.43, "category": "beobachtung", "text": "x" * 2001}, 400, "lang"),
        ({"address_id": "gibtsnicht", "category": "beobachtung", "text": "Ort"}, 400, "gibt es"),
        (
            {
                "lon": 6.95,
                "lat": 51.43,
                "category": "beobachtung",
                "text": "Herr Meier, 0171 1234567",
            },
            422,
            "Telefonnummer",
        ),
        (
            {
                "lon": 6.95,
                "lat": 51.43,
                "category": "briefkasten",
                "mailbox_status": "fehlt",
                "text": "Kein Briefkasten.",
                "observed_on": (date.today() - timedelta(days=400)).isoformat(),
            },
            400,
            "abgelaufen",
        ),
        ([1, 2], 400, "JSON-Objekt"),
    ],
)
def test_bad_notes_are_refused_with_a_clear_message(
    client, token, demo_store, body, status, needle
):
    before = (demo_store.revision(AREA, "notes"), demo_store.changes(AREA, "notes"))
    response = _post(client, token, body)
    assert response.status_code == status, response.json
    assert needle in response.json.get("detail", "") + response.json["error"]
    assert (demo_store.revision(AREA, "notes"), demo_store.changes(AREA, "notes")) == before


def test_privacy_refusal_never_echoes_the_text(client, token):
    body = {"lon": 6.95, "lat": 51.43, "category": "beobachtung", "text": "Frau Kowalczyk weint"}
    response = _post(client, token, body)
    assert response.status_code == 422
    assert "Kowalczyk" not in response.get_data(as_text=True)


def test_malformed_json_and_missing_csrf(client, token):
    broken = client.post(
        BASE, data="{nope", content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert broken.status_code == 400
    assert client.post(BASE, json={"text": "x"}).status_code == 400  # no CSRF token


def test_huge_body_is_413(app, client, token):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    body = {"lon": 6.95, "lat": 51.43, "category": "beobachtung", "text": "x" * 100_000}
    assert _post(client, token, body).status_code == 413


def test_unknown_note_area_and_filters(client):
    assert client.get(f"{BASE}/nichtda").status_code == 404
    assert client.get(f"{BASE}/..%2Fetc").status_code == 404
    assert client.get("/api/areas/nirgendwo/notes").status_code == 404
    assert client.get(BASE, query_string={"district": "r9"}).status_code == 404
    assert client.get(BASE, query_string={"category": "x"}).status_code == 400
    assert client.get(BASE, query_string={"review_state": "x"}).status_code == 400
    assert client.get(BASE, query_string={"bbox": "1,2"}).status_code == 400


def test_anonymous_gets_401(anon_client):
    assert anon_client.get(BASE).status_code == 401
    assert anon_client.get(f"{BASE}.csv").status_code == 401


def _expire(demo_store, note_id):
    feature = demo_store.get(AREA, "notes", note_id)
    props = feature["properties"]
    props["observed_on"], props["expires_on"] = "2020-01-01", "2021-01-01"
    demo_store.update(
        AREA, "notes", note_id, feature, expected_version=props["version"], actor="test"
    )


def test_expired_notes_disappear_from_list_get_history_and_exports(client, demo_store):
    target = demo_store.query(AREA, "notes", category="briefkasten")[0]["id"]
    _expire(demo_store, target)
    assert target not in {f["id"] for f in client.get(BASE).json["features"]}
    assert client.get(f"{BASE}/{target}").status_code == 404
    assert client.get(f"{BASE}/{target}/history").status_code == 404
    for suffix in ("csv", "geojson"):
        assert target not in client.get(f"{BASE}.{suffix}").get_data(as_text=True)


def test_csv_export_neutralises_formulas_and_respects_filters(client, token, demo_store):
    body = {"address_id": _address(demo_store)["id"], "category": "problem", "text": "=1+2 Zaun"}
    created = _post(client, token, body).json
    response = client.get(f"{BASE}.csv", query_string={"category": "problem"})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    header, data = rows[0], rows[1:]
    assert header[:4] == ["Id", "Kategorie-Id", "Kategorie", "Text"]
    assert {row[1] for row in data} == {"problem"}
    mine = next(row for row in data if row[0] == created["id"])
    assert mine[3] == "'=1+2 Zaun"
    assert mine[-2].replace(",", ".") == f"{created['geometry']['coordinates'][0]:.6f}".rstrip("0")


def test_geojson_and_geopackage_exports(client, tmp_path):
    geo = client.get(f"{BASE}.geojson", query_string={"district": "r1"})
    collection = json.loads(geo.data)
    assert collection["type"] == "FeatureCollection" and collection["features"]
    assert {f["properties"]["district"] for f in collection["features"]} == {"r1"}
    gpkg = client.get(f"{BASE}.gpkg", query_string={"district": "r1"})
    assert gpkg.status_code == 200 and gpkg.data[:16] == b"SQLite format 3\x00"
    path = tmp_path / "notizen.gpkg"
    path.write_bytes(gpkg.data)
    assert pyogrio.list_layers(path)[0][0] == "notizen"
    frame = pyogrio.read_dataframe(path)
    assert len(frame) == len(collection["features"])
    assert frame.crs.to_epsg() == 4326
    assert set(frame["id"]) == {f["id"] for f in collection["features"]}
    assert "text" in frame.columns and "mailbox_status" in frame.columns


def test_note_categories(client):
    body = client.get("/api/note-categories").json
    assert {"id": "briefkasten", "label": "Briefkasten", "kind": "mailbox"}.items() <= (
        next(c for c in body["categories"] if c["id"] == "briefkasten").items()
    )
    assert [s["id"] for s in body["mailbox_statuses"]][:2] == ["vorhanden", "fehlt"]


# -- mailbox notes are always tied to an address ---------------------------------------

NEAREST = f"/api/areas/{AREA}/addresses/nearest"


def _moved(lon, lat, east_m, north_m=0.0):
    from pyproj import Transformer

    x, y = Transformer.from_crs(4326, 25832, always_xy=True).transform(lon, lat)
    back = Transformer.from_crs(25832, 4326, always_xy=True)
    return back.transform(x + east_m, y + north_m)


def _free_point(client, token, address, clear_m=15.0):
    """A point near ``address`` with no address within ``clear_m`` metres."""
    lon, lat = address["geometry"]["coordinates"]
    for distance_m in (8, 10, 12, 20, 25):
        for east, north in ((1, 1), (1, -1), (-1, 1), (-1, -1), (1, 0), (0, 1)):
            x, y = _moved(lon, lat, east * distance_m, north * distance_m)
            found = client.post(NEAREST, json={"lon": x, "lat": y}, headers={"X-CSRFToken": token})
            nearest = found.json["addresses"]
            if nearest and nearest[0]["distance_m"] > clear_m:
                return x, y, nearest[0]
    raise AssertionError("no free point near the address")


def test_nearest_addresses_by_post_with_distances(client, token, demo_store):
    address = _address(demo_store)
    lon, lat = _moved(*address["geometry"]["coordinates"], 3.0)
    response = client.post(NEAREST, json={"lon": lon, "lat": lat}, headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.json
    assert response.headers["Cache-Control"] == "private, no-store"
    data = response.json
    assert data["radius_m"] == 50 and data["tie_radius_m"] == 15
    first = data["addresses"][0]
    assert first["id"] == address["id"] and 2.5 <= first["distance_m"] <= 3.5
    distances = [a["distance_m"] for a in data["addresses"]]
    assert distances == sorted(distances) and distances[-1] <= 50 and len(distances) >= 2
    assert first["label"] == (
        f"{address['properties']['street']} {address['properties']['housenumber']}"
    )
    # never by GET: the point would be in the URL (it reaches the address card: no such id)
    assert client.get(NEAREST, query_string={"lon": lon, "lat": lat}).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        [1, 2],
        {"lon": "x", "lat": 51.4},
        {"lon": 6.95},
        {"lon": 200, "lat": 51.4},
        {"lon": 6.95, "lat": 51.4, "geometry": {"type": "Point", "coordinates": [6.9, 51.4]}},
    ],
)
def test_nearest_addresses_bad_input_is_400(client, token, body):
    response = client.post(NEAREST, json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 400 and response.json["detail"]


def test_point_far_from_every_address_finds_none(client, token):
    response = client.post(NEAREST, json={"lon": 13.4, "lat": 52.5}, headers={"X-CSRFToken": token})
    assert response.status_code == 200 and response.json["addresses"] == []


def test_mailbox_note_by_point_is_tied_to_the_nearest_address(client, token, demo_store):
    address = _address(demo_store)
    lon, lat = _moved(*address["geometry"]["coordinates"], 1.0, 2.0)
    body = _body(address, lon=lon, lat=lat)
    del body["address_id"]
    response = _post(client, token, body)
    assert response.status_code == 201, response.json
    props = response.json["properties"]
    assert props["address_id"] == address["id"]
    assert props["address_key"] == address["properties"]["key"]
    assert props["address_label"].startswith(address["properties"]["street"])
    assert response.json["geometry"]["coordinates"] == [round(lon, 7), round(lat, 7)]


def test_mailbox_note_without_an_address_within_15_m_is_refused(client, token, demo_store):
    address = _address(demo_store)
    lon, lat, nearest = _free_point(client, token, address)
    body = _body(address, lon=lon, lat=lat)
    del body["address_id"]
    before = len(demo_store.query(AREA, "notes"))
    response = _post(client, token, body)
    assert response.status_code == 400
    detail = response.json["detail"]
    assert "im Umkreis von 15 m" in detail and nearest["label"] in detail
    assert len(demo_store.query(AREA, "notes")) == before  # nothing written
    other = _post(client, token, {"lon": lon, "lat": lat, "category": "treffpunkt", "text": "Bank"})
    assert other.status_code == 201 and "address_id" not in other.json["properties"]
