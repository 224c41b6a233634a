"""Every route × every role, generated from the app's route table (a new route is covered
automatically, or this test fails until it gets sample parameters); and the releases
(Freigeben, Rückfrage, Als geprüft markieren, Vorschlag übernehmen) × role × author × who
changed the content since the last release (four-eyes)."""

from __future__ import annotations

import io

import pytest
from support.backends import accounts_state, both_backends, store_revisions
from support.samples import (
    AREA,
    OFFERS_CSV,
    address_line,
    fresh_meeting,
    fresh_note,
    fresh_offer,
    fresh_proposal,
    json_body,
    offer_fields,
    rule_path,
    sample_values,
)
from support.web import DEMO_LOGINS, csrf_token, login

from sozialraum import settings
from sozialraum.web.routes import ROUTES

ROLES = (None, "viewer", "caseworker", "lead", "admin")


#: Finer rules checked in the views, beyond the route's access level: (endpoint, role) → codes.
#: Review actions and meetings are team business: admins administer, they do not review;
#: only leads hold meetings.
FINER = {
    # the sweep changed the walk's order first: its version "1" is stale (the German 409)
    ("pages.walk_stops", "caseworker"): {200, 409},
    ("pages.walk_stops", "lead"): {200, 409},
    ("pages.walk_stops", "admin"): {200, 409},
    ("pages.review_action", "admin"): {403},
    ("pages.answer_query", "admin"): {403},
    ("pages.submit_note", "admin"): {403},
    ("pages.start_meeting", "caseworker"): {403},
    ("pages.start_meeting", "admin"): {403},
    ("pages.close_meeting", "caseworker"): {403},
    ("pages.close_meeting", "admin"): {403},
    # offers serve the whole area: leads and admins edit, caseworkers propose
    ("pages.import_offers", "caseworker"): {403},
    ("pages.archive_offers", "caseworker"): {403},
    # allowed, but the sweep's form names no offer to archive: the German 400, never a 403
    ("pages.archive_offers", "lead"): {400},
    ("pages.archive_offers", "admin"): {400},
    ("pages.decide_proposal", "caseworker"): {403},
    ("pages.check_offer", "caseworker"): {403},
    ("pages.delete_offer", "caseworker"): {403},
    ("api.create_offer", "caseworker"): {403},
    ("api.update_offer", "caseworker"): {403},
    ("api.delete_offer", "caseworker"): {403},
    # allowed, but the sweep names neither walk= nor district=: a 400, never a 403
    **{("api.offline_bundle", role): {400} for role in ("viewer", "caseworker", "lead", "admin")},
}


def _url(rule, samples):
    missing = [arg for arg in rule.arguments if arg not in samples or arg == "json"]
    assert not missing, f"add sample values for {missing} of {rule.rule} to this test"
    return rule_path(rule.rule, samples)


def _expected(access: str, role: str | None, method: str) -> set[int]:
    if access == "public":
        return {200, 302} if method == "GET" else {200, 302, 400, 401}
    if role is None:
        return {401}
    if access == "admin" and role != "admin":
        return {403}
    if access == "write" and role == "viewer":
        return {403}
    return {200, 201, 204, 302, 303}


def test_route_table_covers_every_url_rule(app):
    rules = {r.rule for r in app.url_map.iter_rules() if r.endpoint != "static"}
    assert rules == {route.rule for route in ROUTES}


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_every_route_for_every_role(app, demo_store, role):
    samples = sample_values(demo_store)
    access = {(route.rule, m): route.access for route in ROUTES for m in route.methods}
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            client = app.test_client()
            if role:
                login(client, role)
            if "note_id" in rule.arguments:
                # answering a Rückfrage needs a note with one (as a viewer sees it)
                state = {"pages.answer_query": "rueckfrage", "pages.submit_note": "entwurf"}.get(
                    rule.endpoint
                )
                if role == "viewer":
                    state = None
                samples["note_id"] = fresh_note(demo_store, samples, role, state)["id"]
            if "meeting_id" in rule.arguments or rule.endpoint == "pages.start_meeting":
                meeting = fresh_meeting(demo_store, add="meeting_id" in rule.arguments)
                samples["meeting_id"] = meeting["id"] if meeting else ""
            if "offer_id" in rule.arguments:
                samples["offer_id"] = fresh_offer(demo_store, samples)["id"]
            if "proposal_id" in rule.arguments:
                samples["proposal_id"] = fresh_proposal(demo_store, samples)["id"]
            url = _url(rule, samples)
            token = csrf_token(client, "/anmelden") if method != "GET" else None
            if method != "GET" and url.startswith("/api/"):  # JSON APIs: token in a header
                body = json_body(url, samples, demo_store)
                response = client.open(
                    url,
                    method=method,
                    json=body,
                    headers={"X-CSRFToken": token, "If-Match": '"v1"'},
                )
            else:
                form = {
                    **samples["json"],
                    "version": "1",
                    "review_state": "entwurf",
                    "district": "r1",
                    "title": "Rundgang",
                    "walk_on": "2026-12-01",
                    "addresses": address_line(demo_store),
                    "adresse": address_line(demo_store),
                    "text-0": "Aushang möglich.",
                    "answer": "Vor Hausnummer 3.",
                    "action": "einreichen"
                    if "/pruefung/" in url
                    else "annehmen"
                    if "/vorschlaege/" in url
                    else "vorschlagen",
                    "Teamleitung": "1",
                }
                if "/angebote" in url:
                    form.update(offer_fields(samples))
                data = {"csrf_token": token, **form} if method == "POST" else None
                if data and "/briefkasten/" in url:  # uploads: a list with day and address
                    day = settings.today().strftime("%d.%m.%Y")
                    csv = f"Datum;Adresse\n{day};{address_line(demo_store)}\n".encode()
                    data["datei"] = (io.BytesIO(csv), "liste.csv")
                if data and url.endswith("/angebote/import"):
                    data["datei"] = (io.BytesIO(OFFERS_CSV.encode()), "angebote.csv")
                response = client.open(url, method=method, data=data)
            expected = _expected(access[(rule.rule, method)], role, method)
            if role is not None:
                expected = FINER.get((rule.endpoint, role), expected)
            assert response.status_code in expected, (role, method, url, response.status_code)
            checked += 1
    assert checked >= len(ROUTES)


# --- releases × who changed the content (four-eyes) ----------------------------------------

#: Who changed the content since the last release, by the acting user ("me") or others.
LAST_EDITORS = {
    "author only": lambda me, author: [author],
    "author and me": lambda me, author: [author, me],
    "me only": lambda me, author: [me],
    "someone else only": lambda me, author: ["jemand-drittes"],
}


def _post_release(client, url, action=None, version="1"):
    form = {"csrf_token": csrf_token(client, "/"), "version": version, "comment": "Bitte prüfen."}
    if action:
        form["action"] = action
    return client.post(url, data=form)


@pytest.mark.parametrize("role", ROLES[1:])
@pytest.mark.parametrize("own_note", [True, False], ids=["author is me", "author is other"])
@pytest.mark.parametrize("editors", list(LAST_EDITORS))
@pytest.mark.parametrize("release", ["freigeben", "rueckfrage", "check_offer"])
def test_release_routes_by_role_author_and_last_editors(
    app, demo_store, role, own_note, editors, release
):
    """The permission matrix with "edited by" as a dimension: release, Rückfrage and
    "Als geprüft markieren" × role × author × who changed the content since the last
    release. Only a lead (or, for offers, an admin) who changed nothing may release."""
    me = DEMO_LOGINS[role][0]
    author = me if own_note else "jemand-anders"
    edited_by = LAST_EDITORS[editors](me, author)
    client = login(app.test_client(), role)
    samples = sample_values(demo_store)
    if release == "check_offer":
        offer = fresh_offer(demo_store, samples)
        props = {**offer["properties"], "edited_by": edited_by}
        props = {k: v for k, v in props.items() if k not in ("version", "updated_at")}
        demo_store.update(AREA, "offers", offer["id"], {**offer, "properties": props},
                          expected_version=1, actor="test")  # fmt: skip
        response = _post_release(client, f"/gebiete/{AREA}/angebote/{offer['id']}/geprueft",
                                 version="2")  # fmt: skip
        may = role in ("lead", "admin") and me not in edited_by
        stored = demo_store.get(AREA, "offers", offer["id"])["properties"]
        assert (stored["version"] == 3) is may
    else:
        note = fresh_note(demo_store, samples)
        props = {**note["properties"], "author": author, "review_state": "eingereicht",
                 "edited_by": edited_by}  # fmt: skip
        props = {k: v for k, v in props.items() if k not in ("version", "updated_at")}
        demo_store.update(AREA, "notes", note["id"], {**note, "properties": props},
                          expected_version=1, actor="test")  # fmt: skip
        response = _post_release(client, f"/gebiete/{AREA}/pruefung/{note['id']}", release, "2")
        may = role == "lead" and me not in edited_by
        stored = demo_store.get(AREA, "notes", note["id"])["properties"]
        assert (stored["review_state"] != "eingereicht") is may
    assert response.status_code == (303 if may else 403), (role, editors, response.status_code)
    if role in ("lead", "admin") and not may and (release == "check_offer" or role == "lead"):
        assert "Vier-Augen-Prinzip" in response.get_data(as_text=True)


@both_backends
@pytest.mark.parametrize("role", ROLES[1:])
@pytest.mark.parametrize("own", [True, False], ids=["my proposal", "someone else's"])
def test_accepting_a_proposal_by_role_and_proposer(app, demo_store, role, own):
    me = DEMO_LOGINS[role][0]
    proposal = fresh_proposal(demo_store, sample_values(demo_store))
    props = {**proposal["properties"], "proposed_by": me if own else "jemand-anders"}
    props = {k: v for k, v in props.items() if k not in ("version", "updated_at")}
    demo_store.update(AREA, "offer_proposals", proposal["id"], {**proposal, "properties": props},
                      expected_version=1, actor="test")  # fmt: skip
    client = login(app.test_client(), role)
    response = _post_release(
        client, f"/gebiete/{AREA}/angebote/vorschlaege/{proposal['id']}", "annehmen", "2"
    )
    may = role in ("lead", "admin") and not own
    assert response.status_code == (303 if may else 403), (role, own, response.status_code)
    state = demo_store.get(AREA, "offer_proposals", proposal["id"])["properties"]["state"]
    assert (state == "angenommen") is may


# --- the admin pages ("Verwaltung") --------------------------------------------------------


@both_backends
def test_every_admin_route_is_admin_only(app, demo_store):
    """Anonymous: 401 (the login page), viewer/caseworker/lead: 403 and nothing changed,
    admin: the page (200) or the redirect after a form (303)."""
    admin_routes = [(r, m) for r in ROUTES if r.access == "admin" for m in r.methods]
    assert {r.endpoint for r, _ in admin_routes} >= {
        "admin", "admin_accounts", "admin_create_account", "admin_disable_account",
        "admin_enable_account", "admin_reset_password", "admin_change_role", "admin_teams",
        "admin_create_team", "admin_rename_team", "admin_districts", "admin_assign_team",
        "admin_rename_district", "admin_upload_districts", "admin_draw_district",
    }  # fmt: skip
    samples = sample_values(demo_store)
    for role in ROLES:
        client = app.test_client()
        if role:
            login(client, role)
        token = csrf_token(client, "/anmelden")
        for route, method in admin_routes:
            url = rule_path(route.rule, samples)
            before = accounts_state(demo_store), store_revisions(demo_store, AREA)
            form = {"csrf_token": token}
            response = client.get(url) if method == "GET" else client.post(url, data=form)
            after = accounts_state(demo_store), store_revisions(demo_store, AREA)
            if role is None:
                assert response.status_code == 401, (url, method)
                assert 'name="username"' in response.get_data(as_text=True)  # the login form
            elif role != "admin":
                assert response.status_code == 403, (role, url, method)
                assert after == before, (role, url, method)
            else:
                expected = {"GET": {200}, "POST": {200, 303}}[method]
                assert response.status_code in expected, (url, method, response.status_code)


def test_admin_link_in_the_navigation_for_admins_only(app):
    for role in ROLES[1:]:
        html = login(app.test_client(), role).get("/").get_data(as_text=True)
        assert ('href="/verwaltung/"' in html) is (role == "admin"), role
