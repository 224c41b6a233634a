"""One rule for a district without a team (README "Roles"): it is open to every team — notes,
walks, review and the API — with the hint "Kein Team zuständig" (and for admins the link to
assign one); another team's district is refused before the form, never after it was filled.

Every test here runs on both store backends (``pytestmark``: GeoJSON files, PostgreSQL)."""

from __future__ import annotations

import pytest
from support.backends import both_backends, store_state
from support.samples import AREA
from support.web import csrf_token, login

from sozialraum.services.areas import assign_team

NO_TEAM = "r3"  # Mühlenviertel (Team Mühle in the demo): its team is removed below
OTHER = "r3"  # … or left with Team Mühle: another team's district for Team Nord
pytestmark = both_backends


@pytest.fixture
def no_team(demo_store):
    assign_team(demo_store, AREA, NO_TEAM, None, actor="test")
    return demo_store


def _point(store, district):
    return store.query(AREA, "addresses", district=district)[0]["geometry"]["coordinates"]


def _resource(store, district):
    return store.query(AREA, "resources", district=district)[0]["id"]


def _walk_form(store, district, token):
    return {
        "csrf_token": token,
        "district": district,
        "title": "Rundgang Mühlenviertel",
        "walk_on": "2026-12-10",
        "stop": [f"resource:{_resource(store, district)}"],
        "addresses": "",
        "points": "",
    }


@pytest.mark.parametrize("role", ["caseworker", "lead"])
def test_walk_in_a_district_without_team_is_planned_by_any_team(app, no_team, role):
    client = login(app.test_client(), role)
    page = client.get(f"/gebiete/{AREA}/rundgaenge/neu?district={NO_TEAM}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Kein Team zuständig" in html and 'id="bezirk-gesperrt"' not in html
    assert "Team zuweisen" not in html  # the link is for admins
    token = csrf_token(client, f"/gebiete/{AREA}/rundgaenge/neu?district={NO_TEAM}")
    answer = client.post(
        f"/gebiete/{AREA}/rundgaenge/neu", data=_walk_form(no_team, NO_TEAM, token)
    )
    assert answer.status_code == 303, answer.get_data(as_text=True)[-600:]
    walk = no_team.get(AREA, "walks", answer.headers["Location"].rstrip("/").split("/")[-1])
    assert walk["properties"]["team"] == "Team Nord"  # the planner's team owns it
    assert walk["properties"]["district"] == NO_TEAM


def test_walk_in_another_teams_district_is_refused_before_the_form(app, demo_store):
    client = login(app.test_client(), "caseworker")  # Team Nord; r3 is Team Mühle's
    page = client.get(f"/gebiete/{AREA}/rundgaenge/neu?district={OTHER}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="bezirk-gesperrt"' in html and "Team Mühle" in html
    assert 'name="title"' not in html  # no form to fill in
    token = csrf_token(client, "/")
    before = store_state(demo_store, AREA)
    answer = client.post(
        f"/gebiete/{AREA}/rundgaenge/neu", data=_walk_form(demo_store, OTHER, token)
    )
    assert answer.status_code == 403
    assert store_state(demo_store, AREA) == before
    assert not [w for w in demo_store.query(AREA, "walks") if w["properties"]["district"] == OTHER]


def test_note_in_a_district_without_team_any_team_page_and_api(app, no_team):
    client = login(app.test_client(), "caseworker")
    lon, lat = _point(no_team, NO_TEAM)
    page = client.get(f"/gebiete/{AREA}/notizen/neu?lon={lon}&lat={lat}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Kein Team zuständig" in html
    assert 'id="bezirk-gesperrt"' not in html and 'name="text"' in html
    token = csrf_token(client, "/")
    answer = client.post(
        f"/api/areas/{AREA}/notes",
        json={"lon": lon, "lat": lat, "category": "beobachtung", "text": "Bank am Mühlbach."},
        headers={"X-CSRFToken": token},
    )
    assert answer.status_code == 201, answer.get_json()
    note = answer.get_json()
    assert note["properties"]["team"] == "Team Nord"
    assert note["properties"]["district"] == NO_TEAM


def test_note_in_another_teams_district_is_refused_before_the_form(app, demo_store):
    client = login(app.test_client(), "caseworker")
    lon, lat = _point(demo_store, OTHER)
    page = client.get(f"/gebiete/{AREA}/notizen/neu?lon={lon}&lat={lat}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="bezirk-gesperrt"' in html and "Team Mühle" in html
    assert 'name="text"' not in html
    token = csrf_token(client, "/")
    before = store_state(demo_store, AREA)
    answer = client.post(
        f"/api/areas/{AREA}/notes",
        json={"lon": lon, "lat": lat, "category": "beobachtung", "text": "Bank am Mühlbach."},
        headers={"X-CSRFToken": token},
    )
    assert answer.status_code == 403
    assert store_state(demo_store, AREA) == before


def test_review_filter_offers_the_district_without_team(app, no_team):
    client = login(app.test_client(), "lead")
    html = client.get(f"/gebiete/{AREA}/pruefung").get_data(as_text=True)
    assert f'value="{NO_TEAM}"' in html


def test_district_pages_show_the_hint_and_admins_the_link(app, no_team):
    caseworker = login(app.test_client(), "caseworker")
    html = caseworker.get(f"/gebiete/{AREA}/bezirke/{NO_TEAM}/").get_data(as_text=True)
    assert "Kein Team zuständig" in html and "Team zuweisen" not in html
    admin = login(app.test_client(), "admin")
    for url in (f"/gebiete/{AREA}/bezirke/{NO_TEAM}/", "/"):
        html = admin.get(url).get_data(as_text=True)
        assert "Kein Team zuständig" in html
        assert f'href="/gebiete/{AREA}/verwaltung/bezirke"' in html


def test_offers_know_no_district_team(app, no_team):
    """Offers serve the whole area (leads and admins edit, caseworkers propose): a district
    without a team changes nothing there — the offer form opens for a lead as before."""
    lead = login(app.test_client(), "lead")
    assert lead.get(f"/gebiete/{AREA}/angebote/neu").status_code == 200


def test_review_of_a_note_in_a_district_without_team(app, no_team):
    """The note belongs to its author's team, so that team's lead reviews it (four-eyes)."""
    caseworker = login(app.test_client(), "caseworker")
    lon, lat = _point(no_team, NO_TEAM)
    note = caseworker.post(
        f"/api/areas/{AREA}/notes",
        json={"lon": lon, "lat": lat, "category": "beobachtung", "text": "Bank am Mühlbach.",
              "review_state": "eingereicht"},
        headers={"X-CSRFToken": csrf_token(caseworker, "/")},
    ).get_json()  # fmt: skip
    assert note["properties"]["review_state"] == "eingereicht"
    lead = login(app.test_client(), "lead")
    queue = lead.get(f"/gebiete/{AREA}/pruefung?district={NO_TEAM}").get_data(as_text=True)
    assert f'id="note-{note["id"]}"' in queue
    answer = lead.post(
        f"/gebiete/{AREA}/pruefung/{note['id']}",
        data={"csrf_token": csrf_token(lead, "/"), "action": "freigeben", "version": "1"},
    )
    assert answer.status_code == 303
    stored = no_team.get(AREA, "notes", note["id"])["properties"]
    assert stored["review_state"] == "freigegeben"
