"""Walk pages without a browser: planning errors in German, order changes with versions, the
sheet's content, findings (all or nothing), and the walk API with exports."""

from __future__ import annotations

import csv
import io
import re

import pytest
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


def test_plan_and_view(client, token, demo_store):
    response = _plan(client, token, demo_store)
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "<svg" in text and "km, etwa" in text
    assert text.count('class="position"') == 4


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
    before = len(demo_store.query(AREA, "walks"))
    response = _plan(client, token, demo_store, **fields)
    assert response.status_code == status
    assert needle in error_of(response)
    assert len(demo_store.query(AREA, "walks")) == before


def test_other_teams_district_and_unknown_district(client, token, demo_store):
    response = _plan(
        client, token, demo_store, district="r3", addresses=_address_line(demo_store, "r3")
    )
    assert response.status_code == 403 and "anderen Team" in error_of(response)
    assert client.get(f"{PAGES}/neu", query_string={"district": "r9"}).status_code == 404


def test_reorder_errors_and_stale_version(client, token, demo_store):
    url = _plan(client, token, demo_store).headers["Location"]
    positions = {f"pos-{i}": str(i + 1) for i in range(4)}
    bad = client.post(url, data={"csrf_token": token, "version": "1", **positions, "pos-0": "2"})
    assert bad.status_code == 400 and "genau einmal" in error_of(bad)
    ok = client.post(url, data={"csrf_token": token, "version": "1", "action": "vorschlagen"})
    assert ok.status_code == 303
    stale = client.post(url, data={"csrf_token": token, "version": "1", **positions})
    assert stale.status_code == 409 and "inzwischen geändert" in error_of(stale)


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
