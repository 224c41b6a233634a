"""Field mode "Unterwegs" without a browser: the page, its links, the position API.

Tests that save walks and notes run on both store backends (``@both_backends``)."""

from __future__ import annotations

import re

import pytest
from support.backends import both_backends
from support.web import csrf_token

AREA = "musterstadt-nord"
PAGE = f"/gebiete/{AREA}/unterwegs"
HERE = f"/api/areas/{AREA}/here"


@pytest.fixture
def token(client):
    return csrf_token(client, "/")


def _walk(client, token, demo_store) -> str:
    resources = demo_store.query(AREA, "resources", district="r1")[:3]
    response = client.post(
        f"/gebiete/{AREA}/rundgaenge/neu",
        data={
            "csrf_token": token,
            "district": "r1",
            "title": "Erkundung Unterwegs",
            "walk_on": "2026-12-01",
            "stop": [f"resource:{r['id']}" for r in resources],
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"].rstrip("/").split("/")[-1].split("?")[0]


def _post(client, token, body):
    return client.post(HERE, json=body, headers={"X-CSRFToken": token})


@both_backends
def test_field_page_lists_the_walk_stops_in_order(client, token, demo_store):
    walk_id = _walk(client, token, demo_store)
    page = client.get(f"{PAGE}?rundgang={walk_id}").get_data(as_text=True)
    assert 'id="field-map"' in page and "Wo bin ich?" in page and "<iframe" not in page
    assert page.count('<li data-number="') == 3
    assert 'id="field-note"' in page  # a caseworker may take notes
    # linked from the walk page and the area page
    walk_page = client.get(f"/gebiete/{AREA}/rundgaenge/{walk_id}").get_data(as_text=True)
    assert f'href="{PAGE}?rundgang={walk_id}"' in walk_page
    assert f'href="{PAGE}"' in client.get(f"/gebiete/{AREA}/").get_data(as_text=True)


@both_backends
def test_field_page_without_a_walk_offers_the_walks(client, token, demo_store):
    walk_id = _walk(client, token, demo_store)
    page = client.get(PAGE).get_data(as_text=True)
    assert f'<option value="{walk_id}">' in page and 'id="stationen"' not in page
    assert client.get(f"{PAGE}?rundgang=gibtsnicht").status_code == 404


def test_viewer_sees_the_page_without_the_note_form(app, demo_store):
    from support.web import login

    viewer = login(app.test_client(), "viewer")
    page = viewer.get(PAGE)
    assert page.status_code == 200 and 'id="field-note"' not in page.get_data(as_text=True)


@both_backends
def test_here_names_the_nearest_address_its_notes_and_the_next_stop(client, token, demo_store):
    walk_id = _walk(client, token, demo_store)
    address = demo_store.query(AREA, "addresses", district="r1")[0]
    lon, lat = address["geometry"]["coordinates"][:2]
    note = client.post(
        f"/api/areas/{AREA}/notes",
        json={"category": "beobachtung", "text": "Bank am Eingang fehlt", "lon": lon, "lat": lat,
              "address_id": address["id"]},
        headers={"X-CSRFToken": token},
    )  # fmt: skip
    assert note.status_code == 201, note.get_json()
    response = _post(client, token, {"lon": lon, "lat": lat, "rundgang": walk_id})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-store"
    body = response.get_json()
    props = address["properties"]
    assert body["address"]["id"] == address["id"] and body["address"]["distance_m"] < 1
    assert body["address"]["label"].startswith(f"{props['street']} {props['housenumber']}")
    assert "Bank am Eingang fehlt" in [n["text"] for n in body["address"]["notes"]]
    assert set(body["address"]["mailbox"]) >= {"status_label", "risk"}
    assert [s["number"] for s in body["stops"]] == [1, 2, 3]
    near = [s["number"] for s in body["stops"] if s["distance_m"] <= 30]
    assert body["reached"] == near
    assert body["next_stop"]["number"] == max(near, default=0) + 1
    # standing at stop 2 makes stop 3 the next one
    walk = client.get(f"/api/areas/{AREA}/walks/{walk_id}").get_json()
    second = walk["geometry"]["coordinates"][1]
    at_two = _post(client, token, {"lon": second[0], "lat": second[1], "rundgang": walk_id})
    assert at_two.get_json()["next_stop"]["number"] == 3 and 2 in at_two.get_json()["reached"]


def test_here_far_from_every_address(client, token):
    body = _post(client, token, {"lon": 0.0, "lat": 0.0}).get_json()
    assert body["address"] is None and body["next_stop"] is None and body["stops"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"lon": 7.0},
        {"lon": 7.0, "lat": 51.4, "erreicht": "1"},
        {"lon": 7, "lat": 51, "rundgang": 3},
    ],
)
def test_here_refuses_bad_bodies(client, token, body):
    assert _post(client, token, body).status_code == 400


def test_here_hides_another_team_s_walk_as_unknown(client, token):
    response = _post(client, token, {"lon": 7.0, "lat": 51.4, "rundgang": "gibtsnicht"})
    assert response.status_code == 404


@both_backends
def test_field_stops_are_titled_as_on_the_walk_sheet(client, token, demo_store):
    """A note stop is called by its category and place, never by the stored "Notiz"."""
    resource = demo_store.query(AREA, "resources", district="r1")[0]
    lon, lat = resource["geometry"]["coordinates"][:2]
    note = client.post(
        f"/api/areas/{AREA}/notes",
        json={"category": "beobachtung", "text": "Bank fehlt", "lon": lon, "lat": lat},
        headers={"X-CSRFToken": token},
    )
    assert note.status_code == 201, note.get_json()
    response = client.post(
        f"/gebiete/{AREA}/rundgaenge/neu",
        data={
            "csrf_token": token,
            "district": "r1",
            "title": "Notizen ansehen",
            "walk_on": "2026-12-01",
            "stop": [f"resource:{resource['id']}", f"note:{note.get_json()['id']}"],
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    walk_id = response.headers["Location"].rstrip("/").split("/")[-1].split("?")[0]
    page = client.get(f"{PAGE}?rundgang={walk_id}").get_data(as_text=True)
    labels = re.findall(r'<span class="stop-label">([^<]*)</span>', page)
    assert len(labels) == 2 and labels[1].startswith("Beobachtung: "), labels
    assert "Notiz" not in labels and "Ort ohne Namen" not in labels
