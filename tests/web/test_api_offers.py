"""The support-offer API: directory with flags and filters, create/change/delete with
ETag/If-Match by leads and admins, proposals by caseworkers, the finder (nothing stored),
exports, and every response checked against the OpenAPI document.

Tests that write (or check that nothing was written) run on both store backends
(``@both_backends``: GeoJSON files and PostgreSQL); read-only ones on the files."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import timedelta

import jsonschema
import pytest
from support.backends import both_backends, store_state
from support.web import csrf_token, login

from sozialraum import settings
from sozialraum.analysis.reachability import NETWORK_ARTIFACT
from sozialraum.web.openapi import openapi_document

AREA = "musterstadt-nord"
BASE = f"/api/areas/{AREA}/offers"
PROPOSALS = f"/api/areas/{AREA}/offer-proposals"
FIND = f"{BASE}/find"
TEMPLATE = "/api/areas/{area}/offers/{offer_id}"
DEMO_IDS = {
    "demo-jobcoaching-inklusiv",
    "demo-arbeitsassistenz",
    "demo-jugendberufsagentur",
    "demo-migrationsberatung",
    "demo-schuldnerberatung",
    "demo-alleinerziehende",
    "demo-sozialtelefon",
    "demo-bewerbung-50plus",
    "demo-sprachlotsen",
}
#: Target groups of most demo offers, nothing else asked: every placed offer but two fits.
EVERYONE = {
    "target_groups": ["schwerbehinderte", "jugendliche", "zugewanderte", "alleinerziehende"]
}
JOBSEEKER = {
    "target_groups": ["schwerbehinderte"],
    "employed": "nein",
    "disability_recognised": "ja",
    "topics": ["arbeit"],
}


@pytest.fixture(scope="module")
def spec():
    return openapi_document()


def validate(spec, template, response, method="get"):
    """The response's status, media type and body as the OpenAPI document describes them."""
    operation = spec["paths"][template][method]
    answer = operation["responses"][str(response.status_code)]
    if response.status_code in (204, 304):
        assert "content" not in answer
        return
    content = answer["content"]
    assert response.mimetype in content, (response.mimetype, list(content))
    if response.mimetype == "text/csv":
        return
    schema = {**content[response.mimetype]["schema"], "components": spec["components"]}
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(response.get_json()))
    assert not errors, [e.message for e in errors[:3]]


def _client(app, role):
    client = login(app.test_client(), role)
    return client, {"X-CSRFToken": csrf_token(client, "/")}


@pytest.fixture
def lead(app):
    return _client(app, "lead")


@pytest.fixture
def caseworker(app):
    return _client(app, "caseworker")


def _point(demo_store):
    return demo_store.query(AREA, "addresses", district="r1")[0]["geometry"]["coordinates"]


def _offer(demo_store, **changes):
    lon, lat = _point(demo_store)
    body = {
        "name": "Kochtreff Nord",
        "provider": "Nachbarschaftsverein Nord",
        "funders": ["kommune"],
        "target_groups": ["familien"],
        "topics": ["begegnung"],
        "eligibility": ["kostenlos"],
        "description": "Gemeinsam kochen und essen, jeden Mittwoch.",
        "phone": "01234 5678-90",
        "lon": lon,
        "lat": lat,
    }
    body.update(changes)
    return body


def _audit(demo_store) -> list[dict]:
    return demo_store.audit_entries(AREA)  # through the store: the same on both backends


def _data_files(demo_store) -> dict[str, str]:
    """Every file in the data folder (with PostgreSQL: what is not in the database)."""
    return {
        str(p.relative_to(demo_store.data_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(demo_store.data_dir.rglob("*"))
        if p.is_file()
    }


# -- reading --------------------------------------------------------------------------


def test_list_returns_the_demo_offers_with_flags(client, spec):
    response = client.get(BASE)
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    validate(spec, "/api/areas/{area}/offers", response)
    features = {f["id"]: f for f in response.json["features"]}
    assert set(features) == DEMO_IDS
    ended = features["demo-sprachlotsen"]["properties"]["flags"]
    assert ended["ended"] and not ended["handout"]
    assert ended["labels"][0].startswith("abgelaufen am")
    unchecked = features["demo-bewerbung-50plus"]["properties"]["flags"]
    assert unchecked["unchecked"] and not unchecked["handout"]
    assert "nicht geprüft" in unchecked["labels"][0]
    fine = features["demo-jobcoaching-inklusiv"]["properties"]
    assert fine["flags"] == {
        "ended": False,
        "not_yet": False,
        "unchecked": False,
        "changed": [],
        "archived": None,
        "labels": [],
        "handout": True,
    }
    assert fine["funders"] == ["integrationsamt"] and fine["version"] == 1
    assert fine["can_edit"] is False  # a caseworker proposes
    assert features["demo-sozialtelefon"]["geometry"] is None
    assert features["demo-sozialtelefon"]["properties"]["region_wide"] is True


def test_can_edit_follows_the_role(app):
    for role, allowed in (("viewer", False), ("lead", True), ("admin", True)):
        client = login(app.test_client(), role)
        features = client.get(BASE).json["features"]
        assert {f["properties"]["can_edit"] for f in features} == {allowed}, role
        one = client.get(f"{BASE}/demo-sozialtelefon").json
        assert one["properties"]["can_edit"] is allowed


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            {"zielgruppe": "schwerbehinderte"},
            {"demo-jobcoaching-inklusiv", "demo-arbeitsassistenz"},
        ),
        ({"foerderer": "esf"}, {"demo-alleinerziehende", "demo-sprachlotsen"}),
        ({"rechtsgrundlage": "sgb12"}, {"demo-schuldnerberatung"}),
        ({"thema": "wohnen"}, {"demo-sozialtelefon"}),
        ({"q": "jobcoach"}, {"demo-jobcoaching-inklusiv"}),
        ({"hinweis": "pruefen"}, {"demo-sprachlotsen", "demo-bewerbung-50plus"}),
        ({"zielgruppe": "schwerbehinderte", "q": "Arbeitsplatz"}, {"demo-arbeitsassistenz"}),
    ],
)
def test_filters(client, query, expected):
    features = client.get(BASE, query_string=query).json["features"]
    assert {f["id"] for f in features} == expected


def test_current_filter_leaves_out_what_needs_checking(client):
    features = client.get(BASE, query_string={"hinweis": "aktuell"}).json["features"]
    assert {f["id"] for f in features} == DEMO_IDS - {"demo-sprachlotsen", "demo-bewerbung-50plus"}
    assert all(f["properties"]["flags"]["handout"] for f in features)


@pytest.mark.parametrize(
    "query",
    [{"zielgruppe": "katzen"}, {"foerderer": "x"}, {"hinweis": "alt"}, {"q": "x" * 101}],
)
def test_bad_filter_is_400_even_when_cached(client, spec, query):
    client.get(BASE)  # fill the cache
    response = client.get(BASE, query_string=query)
    assert response.status_code == 400 and response.mimetype == "application/json"
    assert response.json["detail"]
    validate(spec, "/api/areas/{area}/offers", response)


@both_backends
def test_list_etag_and_revalidation(app, demo_store):
    lead, headers = _client(app, "lead")
    first = lead.get(BASE)
    etag = first.headers["ETag"]
    assert lead.get(BASE, headers={"If-None-Match": etag}).status_code == 304
    viewer = login(app.test_client(), "viewer")
    assert viewer.get(BASE).headers["ETag"] != etag  # can_edit differs per role
    lead.post(BASE, json=_offer(demo_store), headers=headers)
    after = lead.get(BASE, headers={"If-None-Match": etag})
    assert after.status_code == 200 and len(after.json["features"]) == len(DEMO_IDS) + 1


def test_one_offer_with_etag(client, spec):
    response = client.get(f"{BASE}/demo-jobcoaching-inklusiv")
    assert response.status_code == 200 and response.headers["ETag"] == '"v1"'
    validate(spec, TEMPLATE, response)
    assert response.json["properties"]["name"] == "Jobcoaching inklusiv"
    again = client.get(f"{BASE}/demo-jobcoaching-inklusiv", headers={"If-None-Match": '"v1"'})
    assert again.status_code == 304
    missing = client.get(f"{BASE}/gibtsnicht")
    assert missing.status_code == 404
    validate(spec, TEMPLATE, missing)
    assert client.get("/api/areas/gibtsnicht/offers/demo-sozialtelefon").status_code == 404


def test_vocabularies(client, spec):
    response = client.get("/api/offer-vocabularies")
    assert response.status_code == 200
    validate(spec, "/api/offer-vocabularies", response)
    body = response.json
    assert {"id": "integrationsamt", "label": "Integrationsamt (Ausgleichsabgabe)"} in body[
        "funders"
    ]
    assert {"id": "sgb9", "label": "SGB IX (Rehabilitation und Teilhabe)"} in body["legal_bases"]
    conditions = {c["id"]: c for c in body["eligibility"]}
    assert conditions["arbeitsverhaeltnis_erforderlich"]["plain"] == (
        "Sie brauchen eine Arbeitsstelle."
    )
    assert {c["id"] for c in body["checked_by"]} >= {"teamleitung", "traeger"}
    for key in ("target_groups", "topics", "languages", "fields"):
        assert body[key] and all(item["id"] and item["label"] for item in body[key])
    etag = response.headers["ETag"]
    assert client.get("/api/offer-vocabularies", headers={"If-None-Match": etag}).status_code == 304


# -- writing --------------------------------------------------------------------------


@both_backends
def test_lead_creates_an_offer(lead, demo_store, spec):
    client, headers = lead
    response = client.post(BASE, json=_offer(demo_store), headers=headers)
    assert response.status_code == 201, response.json
    validate(spec, "/api/areas/{area}/offers", response, "post")
    assert response.headers["ETag"] == '"v1"'
    offer = response.json
    assert response.headers["Location"].endswith(f"/offers/{offer['id']}")
    assert offer["properties"]["languages"] == ["de"]  # the default
    assert offer["properties"]["flags"]["unchecked"] is True  # never checked
    shown = client.get(response.headers["Location"])
    assert shown.status_code == 200 and shown.json["properties"]["name"] == "Kochtreff Nord"
    assert offer["id"] in {f["id"] for f in client.get(BASE).json["features"]}


@both_backends
def test_admin_creates_a_region_wide_offer(app, demo_store):
    client, headers = _client(app, "admin")
    body = _offer(demo_store, lon=None, lat=None, region_wide=True)
    response = client.post(BASE, json=body, headers=headers)
    assert response.status_code == 201, response.json
    assert response.json["geometry"] is None


@both_backends
def test_caseworker_and_viewer_cannot_create(app, caseworker, demo_store, spec):
    client, headers = caseworker
    before = len(demo_store.query(AREA, "offers"))
    response = client.post(BASE, json=_offer(demo_store), headers=headers)
    assert response.status_code == 403
    validate(spec, "/api/areas/{area}/offers", response, "post")
    assert "schlagen" in response.json["detail"] and "offer-proposals" in response.json["detail"]
    viewer, viewer_headers = _client(app, "viewer")
    assert viewer.post(BASE, json=_offer(demo_store), headers=viewer_headers).status_code == 403
    assert len(demo_store.query(AREA, "offers")) == before


@both_backends
def test_writes_need_the_csrf_header(lead, demo_store):
    client, _ = lead
    assert client.post(BASE, json=_offer(demo_store)).status_code == 400
    assert len(demo_store.query(AREA, "offers")) == len(DEMO_IDS)


def _raw(client, headers, data, content_type="application/json"):
    return client.post(BASE, data=data, content_type=content_type, headers=headers)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ('{"name": ', "fehlerhaft"),
        ("[1, 2]", "JSON-Objekt"),
        ('"Kochtreff"', "JSON-Objekt"),
        ("null", "JSON-Objekt"),
        (b"\xff\xfe\xfa", "fehlerhaft"),
    ],
)
def test_malformed_bodies_are_400(lead, demo_store, spec, data, reason):
    client, headers = lead
    response = _raw(client, headers, data)
    assert response.status_code == 400
    assert reason in response.json["detail"]
    validate(spec, "/api/areas/{area}/offers", response, "post")


@both_backends
def test_nan_and_infinity_are_400(lead, demo_store):
    client, headers = lead
    for value in (float("nan"), float("inf"), float("-inf")):
        text = json.dumps(_offer(demo_store, lon=value))  # NaN, Infinity, -Infinity
        response = _raw(client, headers, text)
        assert response.status_code == 400
        assert "keine gültige Zahl" in response.json["detail"]
    assert len(demo_store.query(AREA, "offers")) == len(DEMO_IDS)


def test_not_json_is_400(lead, demo_store):
    client, headers = lead
    response = _raw(client, headers, "name=x", "application/x-www-form-urlencoded")
    assert response.status_code == 400 and "JSON" in response.json["detail"]


def test_large_body_is_413(lead, demo_store):
    client, headers = lead
    body = _offer(demo_store, description="x" * 70_000)
    assert client.post(BASE, json=body, headers=headers).status_code == 413


@both_backends
@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"farbe": "rot"}, "Unbekannte Felder: farbe"),
        ({"region_wide": True}, "gebietsweites Angebot hat keinen Punkt"),
        ({"lon": 13.4, "lat": 52.5}, "außerhalb des Gebiets"),
        ({"lon": None, "lat": None}, "Punkt angeben"),
        ({"name": ""}, "Name"),
        ({"funders": []}, "Förderer"),
        ({"funders": ["mond"]}, "unbekannt"),
        ({"phone": None}, "Kontakt"),
        ({"valid_from": "2026-05-01", "valid_to": "2026-04-01"}, "gültig bis"),
        ({"checked_on": "2999-01-01", "checked_by": "teamleitung"}, "Zukunft"),
        ({"checked_on": "2026-01-01", "checked_by": "Frau Meier"}, "keinen Namen"),
        ({"lat": "abc"}, "Zahl"),
        ({"max_age_years": 121}, "Alter bis: bitte eine ganze Zahl von 0 bis 120"),
        ({"min_age_years": 50, "max_age_years": 24}, "Alter bis: die Zahl liegt unter"),
    ],
)
def test_bad_offers_are_400_with_a_reason(lead, demo_store, changes, reason):
    client, headers = lead
    response = client.post(BASE, json=_offer(demo_store, **changes), headers=headers)
    assert response.status_code == 400, response.json
    assert reason in response.json["detail"]
    assert response.json["error"] == "Die Anfrage ist ungültig."
    assert len(demo_store.query(AREA, "offers")) == len(DEMO_IDS)


@both_backends
def test_update_needs_if_match(lead, demo_store, spec):
    client, headers = lead
    url = f"{BASE}/demo-jobcoaching-inklusiv"
    body = _offer(demo_store, name="Jobcoaching inklusiv (neu)")
    missing = client.put(url, json=body, headers=headers)
    assert missing.status_code == 428
    validate(spec, TEMPLATE, missing, "put")
    star = client.put(url, json=body, headers={**headers, "If-Match": "*"})
    assert star.status_code == 428
    assert demo_store.get(AREA, "offers", "demo-jobcoaching-inklusiv")["properties"]["version"] == 1


@both_backends
def test_update_with_if_match_and_the_stale_conflict(lead, demo_store, spec):
    client, headers = lead
    url = f"{BASE}/demo-jobcoaching-inklusiv"
    body = _offer(demo_store, name="Jobcoaching inklusiv (neu)")
    good = client.put(url, json=body, headers={**headers, "If-Match": '"v1"'})
    assert good.status_code == 200, good.json
    validate(spec, TEMPLATE, good, "put")
    assert good.headers["ETag"] == '"v2"'
    assert good.json["properties"]["version"] == 2
    assert good.json["properties"]["name"] == "Jobcoaching inklusiv (neu)"
    stale = client.put(
        url, json=_offer(demo_store, name="Alt"), headers={**headers, "If-Match": '"v1"'}
    )
    assert stale.status_code == 412
    validate(spec, TEMPLATE, stale, "put")
    assert stale.headers["ETag"] == '"v2"'
    assert stale.json["current"]["properties"]["version"] == 2
    assert stale.json["current"]["properties"]["name"] == "Jobcoaching inklusiv (neu)"
    assert "geändert" in stale.json["detail"]
    foreign = client.put(url, json=body, headers={**headers, "If-Match": '"abc"'})
    assert foreign.status_code == 412
    assert client.get(url).json["properties"]["name"] == "Jobcoaching inklusiv (neu)"


@both_backends
def test_update_errors(lead, caseworker, demo_store, spec):
    client, headers = lead
    url = f"{BASE}/demo-jobcoaching-inklusiv"
    bad = client.put(url, json={"name": "x"}, headers={**headers, "If-Match": '"v1"'})
    assert bad.status_code == 400
    validate(spec, TEMPLATE, bad, "put")
    missing = client.put(
        f"{BASE}/gibtsnicht", json=_offer(demo_store), headers={**headers, "If-Match": '"v1"'}
    )
    assert missing.status_code == 404
    worker, worker_headers = caseworker
    refused = worker.put(
        url, json=_offer(demo_store), headers={**worker_headers, "If-Match": '"v1"'}
    )
    assert refused.status_code == 403 and "offer-proposals" in refused.json["detail"]
    validate(spec, TEMPLATE, refused, "put")
    assert demo_store.get(AREA, "offers", "demo-jobcoaching-inklusiv")["properties"]["version"] == 1


@both_backends
def test_delete_with_if_match(lead, caseworker, demo_store, spec):
    client, headers = lead
    url = f"{BASE}/demo-sozialtelefon"
    worker, worker_headers = caseworker
    assert worker.delete(url, headers={**worker_headers, "If-Match": '"v1"'}).status_code == 403
    missing = client.delete(url, headers=headers)
    assert missing.status_code == 428
    validate(spec, TEMPLATE, missing, "delete")
    stale = client.delete(url, headers={**headers, "If-Match": '"v7"'})
    assert stale.status_code == 412
    assert stale.json["current"]["id"] == "demo-sozialtelefon"
    gone = client.delete(url, headers={**headers, "If-Match": '"v1"'})
    assert gone.status_code == 204 and gone.data == b""
    validate(spec, TEMPLATE, gone, "delete")
    assert client.get(url).status_code == 404
    assert client.delete(url, headers={**headers, "If-Match": '"v1"'}).status_code == 404
    assert "demo-sozialtelefon" not in {f["id"] for f in client.get(BASE).json["features"]}


# -- proposals ------------------------------------------------------------------------


@both_backends
def test_caseworker_proposes_a_new_offer(caseworker, demo_store, spec):
    client, headers = caseworker
    body = {"offer": _offer(demo_store), "comment": "Neu im Stadtteilzentrum."}
    response = client.post(PROPOSALS, json=body, headers=headers)
    assert response.status_code == 201, response.json
    validate(spec, "/api/areas/{area}/offer-proposals", response, "post")
    props = response.json["properties"]
    assert props["kind"] == "neu" and props["state"] == "offen"
    assert props["proposed_by"] == "demo-fachkraft" and props["offer_id"] is None
    assert props["offer"]["name"] == "Kochtreff Nord"
    assert len(demo_store.query(AREA, "offers")) == len(DEMO_IDS)  # no offer added
    stored = demo_store.get(AREA, "offer_proposals", response.json["id"])
    assert stored["properties"]["comment"] == "Neu im Stadtteilzentrum."


@both_backends
def test_caseworker_proposes_a_change(caseworker, demo_store):
    client, headers = caseworker
    body = {"offer": _offer(demo_store), "offer_id": "demo-alleinerziehende"}
    response = client.post(PROPOSALS, json=body, headers=headers)
    assert response.status_code == 201, response.json
    props = response.json["properties"]
    assert props["kind"] == "aenderung" and props["base_version"] == 1
    offer = demo_store.get(AREA, "offers", "demo-alleinerziehende")
    assert offer["properties"]["name"] == "Treff für Alleinerziehende"
    missing = client.post(PROPOSALS, json={**body, "offer_id": "gibtsnicht"}, headers=headers)
    assert missing.status_code == 404


@both_backends
def test_proposal_with_client_data_is_refused(caseworker, demo_store, spec):
    client, headers = caseworker
    body = {"offer": _offer(demo_store), "comment": "Für Frau Müller, geb. 01.02.1980"}
    before = _audit(demo_store)
    response = client.post(PROPOSALS, json=body, headers=headers)
    assert response.status_code == 422
    validate(spec, "/api/areas/{area}/offer-proposals", response, "post")
    assert "Müller" not in response.get_data(as_text=True)
    assert demo_store.query(AREA, "offer_proposals") == []
    assert _audit(demo_store) == before


@both_backends
@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"lon": 6.9, "lat": 51.4, "category": "beobachtung", "text": "x"}, "unbekannte Felder"),
        ({"offer": "Kochtreff"}, "JSON-Objekt"),
        ({"offer": {"name": "Kochtreff"}}, "Träger"),
        ({"offer": {}, "offer_id": 7}, "offer_id"),
        ({"offer": {}, "base_version": 2}, "base_version"),
        ({"offer": {}, "comment": ["a"]}, "Kommentar"),
    ],
)
def test_bad_proposals_are_400(caseworker, demo_store, body, reason):
    client, headers = caseworker
    response = client.post(PROPOSALS, json=body, headers=headers)
    assert response.status_code == 400
    assert reason in response.json["detail"]
    assert demo_store.query(AREA, "offer_proposals") == []


def test_viewers_cannot_propose(app, demo_store):
    client, headers = _client(app, "viewer")
    response = client.post(PROPOSALS, json={"offer": _offer(demo_store)}, headers=headers)
    assert response.status_code == 403


# -- the finder -----------------------------------------------------------------------


def _find(client, headers, **body):
    return client.post(FIND, json=body, headers=headers)


def test_finder_for_a_severely_disabled_jobseeker(caseworker, demo_store, spec):
    client, headers = caseworker
    response = _find(client, headers, situation=JOBSEEKER)
    assert response.status_code == 200
    validate(spec, "/api/areas/{area}/offers/find", response, "post")
    assert "no-store" in response.headers["Cache-Control"]
    found = response.json
    fits = {f["id"]: f for f in found["fits"]}
    others = {o["id"]: o for o in found["others"]}
    coaching = fits["demo-jobcoaching-inklusiv"]
    assert coaching["handout"] is True and coaching["flags"]["handout"] is True
    assert any("schwerbehinderte" in r for r in coaching["reasons"])
    assert coaching["walk_min"] is None and coaching["distance_m"] is None
    assert any("Arbeitsverhältnis" in m for m in others["demo-arbeitsassistenz"]["misses"])
    assert "demo-sprachlotsen" in others  # ended and another target group
    assert found["cut_off"] is False and found["walk_times"] is False
    assert set(fits) | set(others) == DEMO_IDS


def test_finder_lists_what_to_clarify(caseworker):
    client, headers = caseworker
    situation = {"target_groups": ["schwerbehinderte"], "topics": ["arbeit"]}
    fits = {f["id"]: f for f in _find(client, headers, situation=situation).json["fits"]}
    assert any("Schwerbehinderung" in t for t in fits["demo-arbeitsassistenz"]["to_check"])
    assert any("Arbeitsverhältnis" in t for t in fits["demo-arbeitsassistenz"]["to_check"])


def test_finder_matches_age_limits(caseworker, demo_store, spec):
    """U25 and 50plus: to clarify without an age, matched on it with one."""
    client, headers = caseworker
    young, older = "demo-jugendberufsagentur", "demo-bewerbung-50plus"
    groups = {"target_groups": ["jugendliche", "aeltere"]}
    response = _find(client, headers, situation=groups)
    assert response.status_code == 200
    validate(spec, "/api/areas/{area}/offers/find", response, "post")
    fits = {f["id"]: f for f in response.json["fits"]}
    assert fits[young]["to_check"] == ["Alter: nur für Menschen unter 25 Jahren"]
    assert "Alter: nur für Menschen ab 50 Jahren" in fits[older]["to_check"]
    response = _find(client, headers, situation={**groups, "age_years": 61})
    assert response.status_code == 200
    validate(spec, "/api/areas/{area}/offers/find", response, "post")
    fits = {f["id"]: f for f in response.json["fits"]}
    others = {o["id"]: o for o in response.json["others"]}
    assert "Alter passt: für Menschen ab 50 Jahren" in fits[older]["reasons"]
    assert not any(t.startswith("Alter") for t in fits[older]["to_check"])
    assert others[young]["misses"] == ["Alter passt nicht: nur für Menschen unter 25 Jahren"]
    offer = client.get(f"{BASE}/{young}")
    validate(spec, "/api/areas/{area}/offers/{offer_id}", offer)
    assert offer.json["properties"]["max_age_years"] == 24
    assert offer.json["properties"]["min_age_years"] is None


@both_backends
def test_finder_sorts_by_walking_time_from_an_address(app, demo_store, spec):
    client, headers = _client(app, "viewer")  # reading is enough
    address_id = demo_store.query(AREA, "addresses", district="r1")[0]["id"]
    response = _find(client, headers, situation=EVERYONE, address_id=address_id)
    assert response.status_code == 200, response.json
    validate(spec, "/api/areas/{area}/offers/find", response, "post")
    fits = response.json["fits"]
    assert response.json["walk_times"] is True
    placed = [f for f in fits if f["walk_min"] is not None]
    assert len(placed) == 6
    times = [f["walk_min"] for f in placed]
    assert times == sorted(times)
    assert [f["distance_m"] for f in placed] == sorted(f["distance_m"] for f in placed)
    assert fits[: len(placed)] == placed  # region-wide and unreachable ones last
    phone = next(f for f in fits if f["id"] == "demo-sozialtelefon")
    assert phone["walk_min"] is None
    slow = _find(
        client,
        headers,
        situation=EVERYONE,
        address_id=address_id,
        speed="langsam",
    ).json["fits"]
    slow_times = {f["id"]: f["walk_min"] for f in slow if f["walk_min"] is not None}
    assert all(slow_times[f["id"]] > f["walk_min"] for f in placed if f["walk_min"] >= 1)


@both_backends
def test_finder_stores_and_writes_nothing(caseworker, demo_store):
    client, headers = caseworker
    address_id = demo_store.query(AREA, "addresses", district="r1")[0]["id"]
    client.get(BASE)
    before_state, before_files = store_state(demo_store, AREA), _data_files(demo_store)
    for body in (
        {"situation": JOBSEEKER},
        {"situation": JOBSEEKER, "address_id": address_id},
        {"situation": {"target_groups": ["katzen"]}},
    ):
        assert _find(client, headers, **body).status_code in (200, 400)
    assert store_state(demo_store, AREA) == before_state
    assert _data_files(demo_store) == before_files


@both_backends
def test_finder_without_walk_network_answers_without_times(caseworker, demo_store):
    client, headers = caseworker
    demo_store.delete_artifact(AREA, NETWORK_ARTIFACT, actor="test")
    address_id = demo_store.query(AREA, "addresses", district="r1")[0]["id"]
    response = _find(client, headers, situation=JOBSEEKER, address_id=address_id)
    assert response.status_code == 200, response.json
    assert response.json["walk_times"] is False
    assert all(f["walk_min"] is None for f in response.json["fits"])
    assert "demo-jobcoaching-inklusiv" in {f["id"] for f in response.json["fits"]}


@pytest.mark.parametrize(
    "body",
    [
        {"situation": {"target_groups": ["katzen"]}},
        {"situation": {"target_group": ["schwerbehinderte"]}},
        {"situation": {"employed": "vielleicht"}},
        {"situation": {"topics": "arbeit", "circuits": [1]}},
        {"situation": ["schwerbehinderte"]},
        {"situation": JOBSEEKER, "speed": "rennen"},
        {"situation": JOBSEEKER, "speed": 5},
        {"situation": JOBSEEKER, "address_id": 12},
        {"situation": {"age_years": 121}},
        {"situation": {"age_years": "alt"}},
        {"situation": {"age_years": True}},
        {"lon": 6.9, "lat": 51.4, "category": "beobachtung", "text": "Bank am Platz."},
    ],
)
def test_finder_bad_input_is_400(caseworker, spec, body):
    client, headers = caseworker
    response = _find(client, headers, **body)
    assert response.status_code == 400, body
    validate(spec, "/api/areas/{area}/offers/find", response, "post")
    assert response.json["detail"]


def test_finder_unknown_address_is_404_without_echo(caseworker, spec):
    client, headers = caseworker
    response = _find(client, headers, situation=JOBSEEKER, address_id="a-gibtsnicht-123")
    assert response.status_code == 404
    validate(spec, "/api/areas/{area}/offers/find", response, "post")
    assert "a-gibtsnicht-123" not in response.get_data(as_text=True)


def test_finder_with_an_empty_situation_lists_offers_open_to_all(caseworker):
    client, headers = caseworker
    found = _find(client, headers).json
    fits = {f["id"] for f in found["fits"]}
    assert "demo-sozialtelefon" in fits and "demo-jobcoaching-inklusiv" not in fits


# -- exports --------------------------------------------------------------------------


@both_backends
def test_csv_export(lead, demo_store, spec):
    client, headers = lead
    created = client.post(BASE, json=_offer(demo_store, name="=HYPERLINK(1)"), headers=headers).json
    response = client.get(f"{BASE}.csv")
    assert response.status_code == 200
    validate(spec, "/api/areas/{area}/offers.csv", response)
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="angebote-{AREA}.csv"'
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["ID", "Name", "Träger", "Förderer"]
    assert len(body) == len(DEMO_IDS) + 1
    by_id = {row[0]: row for row in body}
    assert by_id[created["id"]][1] == "'=HYPERLINK(1)"
    assert set(by_id) == DEMO_IDS | {created["id"]}
    filtered = client.get(f"{BASE}.csv", query_string={"zielgruppe": "schwerbehinderte"})
    assert len(filtered.get_data(as_text=True).strip().splitlines()) == 3
    assert client.get(f"{BASE}.csv", query_string={"thema": "x"}).status_code == 400


def test_geojson_export_round_trips(client, demo_store, spec):
    response = client.get(f"{BASE}.geojson")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    validate(spec, "/api/areas/{area}/offers.geojson", response)
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="angebote-{AREA}.geojson"'
    collection = json.loads(response.data)
    assert collection["type"] == "FeatureCollection"
    features = {f["id"]: f for f in collection["features"]}
    assert set(features) == DEMO_IDS
    assert features["demo-sozialtelefon"]["geometry"] is None
    stored = demo_store.get(AREA, "offers", "demo-jobcoaching-inklusiv")
    exported = features["demo-jobcoaching-inklusiv"]
    assert exported["geometry"] == stored["geometry"]
    assert exported["properties"]["funders"] == stored["properties"]["funders"]
    assert "version" not in exported["properties"]


def test_exports_need_a_known_area(client):
    assert client.get("/api/areas/gibtsnicht/offers.csv").status_code == 404
    assert client.get("/api/areas/gibtsnicht/offers").status_code == 404


def test_list_etag_changes_with_the_day(caseworker, monkeypatch):
    client, _ = caseworker
    first = client.get(BASE)
    later = settings.today() + timedelta(days=800)
    monkeypatch.setattr(settings, "today", lambda: later)
    second = client.get(BASE, headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200  # flags depend on the day: a new ETag
    flags = {f["id"]: f["properties"]["flags"] for f in second.json["features"]}
    assert flags["demo-jobcoaching-inklusiv"]["unchecked"] is True


@both_backends
def test_a_put_records_the_editor_and_the_offer_needs_a_second_check(app, lead, demo_store, spec):
    """Four-eyes through the API: the lead's PUT (even with today's check date) leaves the
    offer unchecked, names the lead in edited_by and flags; the lead's own check is refused
    on the page; the directory's "aktuell" filter leaves it out."""
    client, headers = lead
    url = f"{BASE}/demo-jobcoaching-inklusiv"
    current = client.get(url).json
    assert current["properties"]["flags"]["handout"]
    body = _offer(demo_store, name="Jobcoaching inklusiv", checked_on="2026-11-01",
                  checked_by="teamleitung")  # fmt: skip
    put = client.put(url, json=body, headers={**headers, "If-Match": '"v1"'})
    assert put.status_code == 200, put.json
    validate(spec, TEMPLATE, put, "put")
    props = put.json["properties"]
    assert props["edited_by"] == ["demo-leitung"]
    assert props["flags"]["changed"] == ["demo-leitung"] and not props["flags"]["handout"]
    assert "zweiten Person" in props["flags"]["labels"][-1]
    listed = client.get(f"{BASE}?hinweis=aktuell")
    validate(spec, "/api/areas/{area}/offers", listed)
    assert "demo-jobcoaching-inklusiv" not in {f["id"] for f in listed.json["features"]}
    check = client.post(
        f"/gebiete/{AREA}/angebote/demo-jobcoaching-inklusiv/geprueft",
        data={"csrf_token": headers["X-CSRFToken"], "version": "2"},
    )
    assert check.status_code == 403 and "Vier-Augen-Prinzip" in check.get_data(as_text=True)
    created = client.post(BASE, json=_offer(demo_store), headers=headers)
    assert created.status_code == 201
    assert created.json["properties"]["edited_by"] == ["demo-leitung"]
    assert created.json["properties"]["flags"]["unchecked"]
