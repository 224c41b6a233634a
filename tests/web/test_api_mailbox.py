"""POST /api/areas/<area>/mailbox-check: results with evidence, and every error a 4xx;
nothing of a checked list is stored or logged."""

from __future__ import annotations

import logging

import pytest
from conftest import csrf_token, noted_address

AREA = "musterstadt-nord"
URL = f"/api/areas/{AREA}/mailbox-check"


@pytest.fixture
def token(client):
    return csrf_token(client, "/")


def _post(client, token, body, url=URL):
    return client.post(url, json=body, headers={"X-CSRFToken": token})


def test_lines_and_parts_get_status_evidence_risk_and_action(client, token, demo_store):
    note, missing = noted_address(demo_store, "fehlt")
    missing = missing["properties"]
    present = noted_address(demo_store, "vorhanden")[1]["properties"]
    body = [
        f"{missing['street'].replace('straße', 'str.')} {missing['housenumber']}",
        {"street": present["street"], "housenumber": present["housenumber"]},
        {"street": "Nirgendwostraße", "housenumber": "3"},
    ]
    response = _post(client, token, body)
    assert response.status_code == 200, response.json
    assert response.headers["Cache-Control"] == "private, no-store"
    data = response.json
    assert data["counts"] == {"hoch": 1, "mittel": 0, "niedrig": 1, "unbekannt": 1}
    first, second, third = data["results"]
    assert [r["index"] for r in data["results"]] == [0, 1, 2]
    assert first["match_kind"] in ("exact", "normalised")
    assert first["matched"]["street"] == missing["street"]
    assert (first["mailbox_status"], first["risk"]) == ("fehlt", "hoch")
    # Team Mühle's observation counts for the caseworker of Team Nord, without text or link
    assert note["properties"]["team"] == "Team Mühle"
    assert first["evidence"][0]["ref"] is None and first["evidence"][0]["detail"] == ""
    assert first["evidence"][0]["source_label"] == "Notiz"
    assert "Postzustellungsurkunde" in first["action"]
    assert second["risk"] == "niedrig" and second["match_kind"] == "exact"
    assert third["match_kind"] == "none" and third["matched"] is None
    assert third["risk"] == "unbekannt" and "gibt es im Gebiet nicht" in third["reasons"][0]


def test_ambiguous_addresses_list_candidates(client, token, demo_store):
    address = demo_store.query(AREA, "addresses")[0]["properties"]
    response = _post(client, token, [f"{address['street']} 9999"])
    (result,) = response.json["results"]
    assert result["match_kind"] in ("ambiguous", "none") and result["matched"] is None
    assert result["risk"] == "unbekannt"


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"lon": 1}, 400, "JSON list"),
        ([], 400, "JSON list"),
        ("Lindenweg 1", 400, "JSON list"),
        ([1], 400, "address 0: expected a string or an object"),
        (["x" * 301], 400, "address 0: at most 300"),
        ([{"strasse": "x"}], 400, "unknown fields"),
        ([{"street": 12, "housenumber": "1"}], 400, "street must be a string"),
        ([{"housenumber": "1"}], 400, "give street"),
        (["Lindenweg 1"] * 10_001, 413, "at most 10,000"),
    ],
)
def test_bad_bodies_get_a_4xx_with_a_reason(client, token, body, status, detail):
    response = _post(client, token, body)
    assert response.status_code == status
    assert detail in response.json["detail"]


def test_unknown_area_wrong_content_and_missing_login(client, token, anon_client):
    assert _post(client, token, ["a 1"], "/api/areas/gibtsnicht/mailbox-check").status_code == 404
    response = client.post(URL, data="kaputt{", headers={"X-CSRFToken": token})
    assert response.status_code == 400
    assert anon_client.post(URL, json=["a 1"]).status_code in (400, 401)


def test_the_list_is_neither_stored_nor_logged(client, token, demo_store, caplog):
    address = noted_address(demo_store, "defekt")[1]["properties"]
    line = f"{address['street']} {address['housenumber']}"
    before = {p: p.stat().st_mtime_ns for p in demo_store.data_dir.rglob("*") if p.is_file()}
    with caplog.at_level(logging.DEBUG):
        response = _post(client, token, [line, "Geheimweg 4711"])
    assert response.status_code == 200
    assert "Geheimweg" not in caplog.text and line not in caplog.text
    after = {p: p.stat().st_mtime_ns for p in demo_store.data_dir.rglob("*") if p.is_file()}
    changed = [p for p in after if after[p] != before.get(p)]
    # only the login bookkeeping may change (sessions); never an area file
    assert all("accounts" in p.parts for p in changed), changed
    for path in demo_store.data_dir.rglob("*"):
        if path.is_file():
            assert b"Geheimweg" not in path.read_bytes()


def test_every_piece_of_evidence_carries_its_review_state(client, token, demo_store):
    # the demo's unreleased observation (a draft of Team Nord: "Post kam zurück")
    note = next(
        n for n in demo_store.query(AREA, "notes", category="briefkasten")
        if n["properties"]["review_state"] == "entwurf" and n["properties"]["team"] == "Team Nord"
    )  # fmt: skip
    key = note["properties"]["address_key"]
    address = next(a for a in demo_store.query(AREA, "addresses") if a["properties"]["key"] == key)
    props = address["properties"]
    body = [{"street": props["street"], "housenumber": props["housenumber"]}]
    response = _post(client, token, body)
    assert response.status_code == 200, response.json
    first = response.json["results"][0]
    assert first["risk"] == "hoch" and first["unreleased"] is True
    assert any("noch nicht freigegeben" in reason for reason in first["reasons"])
    states = {e["source"]: e["review_state"] for e in first["evidence"]}
    assert states["notiz"] == "entwurf"
    evidence = next(e for e in first["evidence"] if e["source"] == "notiz")
    assert evidence["unreleased"] is True and evidence["review_state_label"] == "Entwurf"
    assert all("review_state" in e for e in first["evidence"])


def test_released_evidence_is_not_marked(client, token, demo_store):
    note, address = noted_address(demo_store, "fehlt")
    assert note["properties"]["review_state"] == "freigegeben"
    props = address["properties"]
    response = _post(
        client, token, [{"street": props["street"], "housenumber": props["housenumber"]}]
    )
    result = response.json["results"][0]
    assert result["unreleased"] is False
    assert not any("noch nicht freigegeben" in reason for reason in result["reasons"])
    assert [e["review_state"] for e in result["evidence"] if e["source"] == "notiz"] == [
        "freigegeben"
    ]
