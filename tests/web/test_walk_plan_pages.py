"""Walk pages without a browser: planning errors in German, order changes with versions, the
sheet's content, findings (all or nothing), and the walk API with exports.

Tests that write run on both store backends (``@both_backends``: GeoJSON files, PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from support.backends import both_backends, store_state
from support.web import csrf_token

AREA = "musterstadt-nord"
PAGES = f"/gebiete/{AREA}/rundgaenge"


@pytest.fixture
def token(client):
    return csrf_token(client, "/")


def _address_line(demo_store, district="r1", index=0):
    props = demo_store.query(AREA, "addresses", district=district)[index]["properties"]
    return f"{props['street']} {props['housenumber']}"


def _plan(client, token, demo_store, **fields):
    resources = demo_store.query(AREA, "resources", district="r1")[:3]
    data = {
        "csrf_token": token,
        "district": "r1",
        "title": "Erkundung",
        "walk_on": "2026-12-01",
        "addresses": _address_line(demo_store),
        "stop": [f"resource:{r['id']}" for r in resources],
    }
    data.update(fields)
    return client.post(f"{PAGES}/neu", data=data)


def error_of(response) -> str:
    found = re.search(r'class="error" role="alert">([^<]*)<', response.get_data(as_text=True))
    return found.group(1) if found else ""


@both_backends
def test_plan_and_view(client, token, demo_store):
    response = _plan(client, token, demo_store)
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "<svg" in text
    assert re.search(r"Stationen ·\s+(\d{1,3} m|\d+,\d km), etwa \d+ Minuten zu Fuß", text)
    assert text.count('class="position"') == 4


@both_backends
@pytest.mark.parametrize(
    ("fields", "status", "needle"),
    [
        ({"title": ""}, 400, "Titel"),
        ({"walk_on": "bald"}, 400, "Datum"),
        ({"addresses": "Gibtsnichtweg 99"}, 400, "nicht eindeutig"),
        ({"stop": "point:nördlich vom Markt"}, 400, "fehlerhaft"),  # sent only by the map
        ({"stop": "point:7.9,51.9,weit weg"}, 400, "mehr als 250 m"),
        ({"purpose": "Hausbesuch bei Familie Kaya"}, 422, "Person"),
        ({"addresses": "", "stop": []}, 400, "mindestens eine Station"),
    ],
)
def test_planning_errors_are_german_and_store_nothing(
    client, token, demo_store, fields, status, needle
):
    before = store_state(demo_store, AREA)
    response = _plan(client, token, demo_store, **fields)
    assert response.status_code == status
    assert needle in error_of(response)
    assert store_state(demo_store, AREA) == before  # no walk, no audit entry


@both_backends
def test_other_teams_district_and_unknown_district(client, token, demo_store):
    response = _plan(
        client, token, demo_store, district="r3", addresses=_address_line(demo_store, "r3")
    )
    assert response.status_code == 403 and "anderen Team" in error_of(response)
    assert client.get(f"{PAGES}/neu", query_string={"district": "r9"}).status_code == 404


@both_backends
def test_reorder_errors_and_stale_version(client, token, demo_store):
    url = _plan(client, token, demo_store).headers["Location"]
    positions = {f"pos-{i}": str(i + 1) for i in range(4)}
    bad = client.post(url, data={"csrf_token": token, "version": "1", **positions, "pos-0": "2"})
    assert bad.status_code == 400 and "genau einmal" in error_of(bad)
    ok = client.post(url, data={"csrf_token": token, "version": "1", "action": "vorschlagen"})
    assert ok.status_code == 303
    stale = client.post(url, data={"csrf_token": token, "version": "1", **positions})
    assert stale.status_code == 409 and "inzwischen geändert" in error_of(stale)


@both_backends
def test_findings_all_or_nothing(client, token, demo_store):
    url = _plan(client, token, demo_store).headers["Location"]
    before = len(demo_store.query(AREA, "notes"))
    bad = client.post(
        f"{url}/ergebnisse",
        data={"csrf_token": token, "text-0": "Gut.", "text-2": "Herr Meier ist nett."},
    )
    assert bad.status_code == 422 and "Station 3" in error_of(bad)
    assert "Herr Meier ist nett.</textarea>" in bad.get_data(as_text=True)
    assert len(demo_store.query(AREA, "notes")) == before
    empty = client.post(f"{url}/ergebnisse", data={"csrf_token": token})
    assert empty.status_code == 400 and "nichts eingetragen" in error_of(empty)
    ok = client.post(f"{url}/ergebnisse", data={"csrf_token": token, "mailbox-0": "defekt"})
    assert ok.status_code == 303
    assert len(demo_store.query(AREA, "notes")) == before + 1


@both_backends
def test_walk_api_and_exports(client, token, demo_store, tmp_path):
    import pyogrio

    walk_id = _plan(client, token, demo_store).headers["Location"].rsplit("/", 1)[1]
    listed = client.get(f"/api/areas/{AREA}/walks", query_string={"district": "r1"}).json
    assert walk_id in {f["id"] for f in listed["features"]}
    one = client.get(f"/api/areas/{AREA}/walks/{walk_id}").json
    legs = one["properties"]["route"]["coordinates"]
    assert len(legs) == len(one["properties"]["stops"]) - 1 == 3
    assert legs[0][0] == pytest.approx(one["geometry"]["coordinates"][0], abs=1e-6)
    text = client.get(f"/api/areas/{AREA}/walks.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["Rundgang-Id", "Rundgang", "Datum"]
    assert sum(1 for r in rows[1:] if r[0] == walk_id) == 4
    gpkg = client.get(f"/api/areas/{AREA}/walks.gpkg")
    path = tmp_path / "r.gpkg"
    path.write_bytes(gpkg.data)
    frame = pyogrio.read_dataframe(path)
    assert len(frame) == len(rows) - 1 and frame.crs.to_epsg() == 4326


@both_backends
def test_sheet_has_checklists_qr_and_known_notes(client, token, demo_store):
    note = next(
        n
        for n in demo_store.query(AREA, "notes", category="briefkasten")
        if n["properties"]["district"] == "r1"
    )
    url = _plan(client, token, demo_store, stop=[f"note:{note['id']}"]).headers["Location"]
    sheet = client.get(f"{url}/laufzettel").get_data(as_text=True)
    assert sheet.count('class="sheet-stop"') == 2
    assert "Briefkasten vorhanden?" in sheet and "Briefkasten noch so wie notiert?" in sheet
    assert note["properties"]["text"][:30] in sheet
    assert '<svg width="' in sheet and "Ergebnisse eintragen" in sheet
    # the QR code (and the link under it) open the stop list for entering the results
    assert re.search(r'class="sheet-link">http://[^<]+/rundgaenge/[0-9a-f]+/ergebnisse<', sheet)
    # the sheet's map names the streets along them
    overview = sheet.split('class="overview-map"', 1)[1].split("</svg>", 1)[0]
    assert "<textPath" in overview


@both_backends
def test_a_viewer_sees_the_walk_but_not_the_draft_behind_a_note_stop(
    app, client, token, demo_store
):
    """Issue 26: a note stop is shown with the reader's visibility — the team's viewer
    (released notes only) gets "Notiz (für Sie nicht sichtbar)" on the walk page, the
    sheet, the API and the exports, without the draft's address or category; the
    caseworker who planned it sees both."""
    from support.web import login

    from sozialraum.services.walks import HIDDEN_NOTE_LABEL

    address = demo_store.query(AREA, "addresses", district="r1")[7]
    a = address["properties"]
    label = f"{a['street']} {a['housenumber']}"
    draft = demo_store.add(
        AREA,
        "notes",
        {
            "type": "Feature",
            "geometry": address["geometry"],
            "properties": {
                "category": "angstraum", "text": "Unterführung ohne Licht.",
                "observed_on": "2026-11-01", "expires_on": "2099-01-01",
                "author": "demo-fachkraft", "team": "Team Nord", "district": "r1",
                "review_state": "entwurf", "address_id": address["id"],
                "address_key": a["key"], "address_label": label,
            },
        },
        actor="demo-fachkraft",
    )  # fmt: skip
    planned = _plan(client, token, demo_store, stop=[f"note:{draft['id']}"], addresses="")
    assert planned.status_code == 303, error_of(planned)
    walk_id = planned.headers["Location"].rstrip("/").split("/")[-1].split("?")[0]
    urls = (
        f"{PAGES}/{walk_id}",
        f"{PAGES}/{walk_id}/laufzettel",
        f"/api/areas/{AREA}/walks/{walk_id}",
        f"/api/areas/{AREA}/walks",
        f"/api/areas/{AREA}/walks.csv",
    )
    for url in urls:
        text = client.get(url).get_data(as_text=True)
        assert label in text and HIDDEN_NOTE_LABEL not in text, url
    viewer = login(app.test_client(), "viewer")
    for url in urls:
        answer = viewer.get(url)
        text = answer.get_data(as_text=True)
        assert answer.status_code == 200, url
        assert HIDDEN_NOTE_LABEL in text, url
        assert label not in text and draft["id"] not in text and "Angstraum" not in text, url


def _walk_id(response) -> str:
    return response.headers["Location"].rstrip("/").split("/")[-1].split("?")[0]


def test_planner_page_without_script_and_its_data(client, demo_store):
    """The planner page works as a form (checkboxes, start field) and carries the map's data
    as JSON for the script (places merged, addresses, district outline), never as HTML."""
    page = client.get(f"{PAGES}/neu?district=r1")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="planner-map"' in text and "<iframe" not in text
    assert 'name="start"' in text and 'role="combobox"' in text
    assert 'name="points"' not in text  # free points only by clicking the map
    data = json.loads(re.search(r'id="planner-data">(.*?)</script>', text, re.S).group(1))
    assert data["route_url"].endswith("/walk-planner/route")
    assert len(data["addresses"]) == len(demo_store.query(AREA, "addresses", district="r1"))
    assert {p["value"] for p in data["places"]} <= {
        f"resource:{r['id']}" for r in demo_store.query(AREA, "resources", district="r1")
    }
    assert data["district"]["type"] in ("Polygon", "MultiPolygon")


@both_backends
def test_start_field_order_kept_and_edit_stops(client, token, demo_store):
    resources = demo_store.query(AREA, "resources", district="r1")[:3]
    start = _address_line(demo_store, index=5)
    values = [f"resource:{r['id']}" for r in reversed(resources)]
    response = _plan(
        client, token, demo_store, addresses="", start=start, stop=values, reihenfolge="fest"
    )
    assert response.status_code == 303, error_of(response)
    walk_id = _walk_id(response)
    stored = demo_store.get(AREA, "walks", walk_id)["properties"]
    assert stored["stops"][0]["label"] == start  # the start field's address comes first
    assert [f"{s['kind']}:{s['ref']}" for s in stored["stops"][1:]] == values  # order kept

    # the planner edits the stops: one dropped, an address added, order as sent
    page = client.get(f"{PAGES}/{walk_id}/stationen")
    assert page.status_code == 200 and "Stationen ändern" in page.get_data(as_text=True)
    address = demo_store.query(AREA, "addresses", district="r1")[9]
    new = [values[2], f"address:{address['id']}", values[0]]
    form = {"csrf_token": token, "version": "1", "reihenfolge": "fest", "stop": new}
    changed = client.post(f"{PAGES}/{walk_id}/stationen", data=form)
    assert changed.status_code == 303
    walk = demo_store.get(AREA, "walks", walk_id)["properties"]
    assert [f"{s['kind']}:{s['ref']}" for s in walk["stops"]] == new
    assert walk["version"] == 2 and walk["title"] == stored["title"]
    stale = client.post(f"{PAGES}/{walk_id}/stationen", data=form)  # version 1 again
    assert stale.status_code == 409 and "nicht gespeichert" in error_of(stale)
    proposed = client.post(
        f"{PAGES}/{walk_id}/stationen", data={**form, "version": "2", "action": "vorschlagen"}
    )
    assert proposed.status_code == 303
    walk = demo_store.get(AREA, "walks", walk_id)["properties"]
    assert walk["route_m"] <= changed_route(demo_store, new)


def changed_route(demo_store, values) -> int:
    from sozialraum.services import walks

    picks = [dict(zip(("kind", "ref"), v.split(":", 1), strict=True)) for v in values]
    stops = walks.resolve_stops(demo_store, AREA, picks)
    return walks.plan_order(demo_store, AREA, stops, propose=False)["route_m"]


def test_planner_api_route_and_places(client, token, demo_store):
    resources = demo_store.query(AREA, "resources", district="r1")[:4]
    picks = [{"kind": "resource", "ref": r["id"]} for r in resources]
    headers = {"X-CSRFToken": token}
    url = f"/api/areas/{AREA}/walk-planner/route"
    kept = client.post(url, json={"stops": picks}, headers=headers)
    assert kept.status_code == 200 and kept.headers["Cache-Control"] == "private, no-store"
    body = kept.get_json()
    assert [s["ref"] for s in body["stops"]] == [p["ref"] for p in picks]
    assert body["route_m"] == sum(body["leg_m"]) and body["walk_min"] >= 1
    assert len(body["route"]["coordinates"]) == 3  # one line per leg
    shortest = client.post(url, json={"stops": picks, "propose": True}, headers=headers)
    assert shortest.get_json()["route_m"] <= body["route_m"]
    assert shortest.get_json()["stops"][0]["ref"] == picks[0]["ref"]  # from the start
    twice = client.post(url, json={"stops": [picks[0], picks[0]]}, headers=headers).get_json()
    assert len(twice["stops"]) == 1 and twice["route_m"] == 0
    for bad in ({}, {"stops": []}, {"stops": [{"kind": "resource"}]}, {"stops": picks, "x": 1}):
        assert client.post(url, json=bad, headers=headers).status_code == 400
    assert client.post(url, json={"stops": picks}).status_code in (400, 403)  # no CSRF token

    places = f"/api/areas/{AREA}/walk-planner/places"
    line = _address_line(demo_store, index=2)
    found = client.post(places, json={"q": line}, headers=headers).get_json()["results"]
    assert found[0]["match"] == "exakt" and found[0]["label"].startswith(line)
    name = next(r["properties"]["name"] for r in resources if r["properties"].get("name"))
    found = client.post(places, json={"q": name}, headers=headers).get_json()["results"]
    assert any(f["kind"] == "resource" and f["label"] == name for f in found)
    assert client.post(places, json={"q": 5}, headers=headers).status_code == 400


def test_walk_distances_are_metres_below_a_kilometre_and_kilometres_above(client, demo_store):
    """The walk page, its sheet and the list of walks: "850 m", "1,5 km", never "1500 m"."""
    walk = demo_store.query(AREA, "walks")[0]
    legs = len(walk["properties"]["stops"]) - 1
    assert legs >= 3
    changed = {
        **walk,
        "properties": {
            **walk["properties"],
            "route_m": 3000,
            "leg_m": [1500, 850, 999.6, *[120] * (legs - 3)],
        },
    }
    version = walk["properties"]["version"]
    demo_store.update(AREA, "walks", walk["id"], changed, expected_version=version, actor="t")
    page = client.get(f"{PAGES}/{walk['id']}").get_data(as_text=True)
    sheet = client.get(f"{PAGES}/{walk['id']}/laufzettel").get_data(as_text=True)
    listed = client.get(PAGES).get_data(as_text=True)
    assert "3,0 km, etwa" in page and "3,0 km, etwa" in sheet and "3,0 km" in listed
    for text in (page, sheet):
        assert "1,5 km" in text and "850 m" in text and "1,0 km" in text
        assert not re.search(r"\b(1500|3000|1000) m\b", text)
    assert "1,5 km vom vorigen Halt" in sheet
