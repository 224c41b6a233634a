"""POST /api/areas/<area>/mailbox-check: results with evidence, and every error a 4xx;
nothing of a checked list is stored or logged.

Tests that read notes and returns or check that nothing was stored run on both store
backends (``@both_backends``: GeoJSON files, PostgreSQL)."""

from __future__ import annotations

import logging

import pytest
from support.backends import both_backends, store_state
from support.data import noted_address
from support.web import csrf_token

AREA = "musterstadt-nord"
URL = f"/api/areas/{AREA}/mailbox-check"


@pytest.fixture
def token(client):
    return csrf_token(client, "/")


def _post(client, token, body, url=URL):
    return client.post(url, json=body, headers={"X-CSRFToken": token})


@both_backends
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


@both_backends
def test_the_list_is_neither_stored_nor_logged(client, token, demo_store, caplog):
    address = noted_address(demo_store, "defekt")[1]["properties"]
    line = f"{address['street']} {address['housenumber']}"
    before = {p: p.stat().st_mtime_ns for p in demo_store.data_dir.rglob("*") if p.is_file()}
    before_state = store_state(demo_store, AREA)
    with caplog.at_level(logging.DEBUG):
        response = _post(client, token, [line, "Geheimweg 4711"])
    assert response.status_code == 200
    assert "Geheimweg" not in caplog.text and line not in caplog.text
    assert store_state(demo_store, AREA) == before_state  # nothing stored (either backend)
    after = {p: p.stat().st_mtime_ns for p in demo_store.data_dir.rglob("*") if p.is_file()}
    changed = [p for p in after if after[p] != before.get(p)]
    # only the login bookkeeping may change (sessions); never an area file
    assert all("accounts" in p.parts for p in changed), changed
    for path in demo_store.data_dir.rglob("*"):
        if path.is_file():
            assert b"Geheimweg" not in path.read_bytes()


@both_backends
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


@both_backends
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


def _csv(client, token, data: bytes, query: str = ""):
    return client.post(
        URL + query, data=data, headers={"X-CSRFToken": token, "Content-Type": "text/csv"}
    )


def _export(demo_store, numbers) -> tuple[bytes, list[dict]]:
    """Nr;Straße;Hausnummer;PLZ;Ort in cp1252, as a municipality exports it."""
    risky = noted_address(demo_store, "fehlt")[1]["properties"]
    addresses = [risky, *[a["properties"] for a in demo_store.query(AREA, "addresses")][:4]]
    lines = ["Nr;Straße;Hausnummer;PLZ;Ort"] + [
        f"{n};{a['street']};{a['housenumber']};{a.get('postcode') or ''};{a.get('city') or ''}"
        for n, a in zip(numbers, addresses, strict=True)
    ]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252"), addresses


@both_backends
def test_a_csv_list_as_exported_is_checked_with_its_columns_detected(client, token, demo_store):
    data, addresses = _export(demo_store, [1, 2, 3, 4, 5])
    response = _csv(client, token, data)
    assert response.status_code == 200, response.json
    answer = response.json
    assert answer["columns"] == {
        "street": "Straße", "housenumber": "Hausnummer", "postcode": "PLZ", "city": "Ort"
    }  # fmt: skip
    found = [r["matched"]["housenumber"] for r in answer["results"]]
    assert found == [a["housenumber"] for a in addresses]  # never the running number
    assert {r["match_label"] for r in answer["results"]} <= {"genau", "normalisiert"}
    assert answer["counts"]["hoch"] == 1


def test_unclear_csv_columns_are_a_400_naming_them_and_the_parameter(client, token, demo_store):
    data, addresses = _export(demo_store, [3, 9, 3, 5, 12])
    response = _csv(client, token, data)
    assert response.status_code == 400
    assert response.json["detail"] == (
        "cannot tell which column is the house number: 'Nr', 'Hausnummer' — name them with "
        "the columns parameter: columns=street=Straße,housenumber=Hausnummer,postcode=PLZ,"
        "city=Ort"
    )
    named = _csv(client, token, data, "?columns=street=Straße,housenumber=Hausnummer")
    assert named.status_code == 200, named.json
    assert [r["matched"]["housenumber"] for r in named.json["results"]] == [
        a["housenumber"] for a in addresses
    ]
    wrong = _csv(client, token, data, "?columns=street=Straße,housenumber=Hnr")
    assert wrong.status_code == 400 and "columns: no column 'Hnr'" in wrong.json["detail"]
    assert _csv(client, token, b"\x00\x01junk").status_code == 400
    many = b"Adresse\n" + b"Lindenweg 1\n" * 10_001
    assert _csv(client, token, many).status_code == 413


def test_a_street_with_another_number_is_never_a_match(client, token, demo_store):
    """'Lindenstraße 12' in the street and a running number as the house number: neither
    house is reported as found."""
    address = noted_address(demo_store, "fehlt")[1]["properties"]
    other = str(int("".join(c for c in address["housenumber"] if c.isdigit())) + 1)
    body = [{"street": f"{address['street']} {address['housenumber']}", "housenumber": other}]
    (result,) = _post(client, token, body).json["results"]
    assert result["match_kind"] == "ambiguous" and result["matched"] is None
    assert result["match_label"] == "mehrdeutig" and result["risk"] == "unbekannt"
    assert "Zwei verschiedene Hausnummern" in result["match_reason"]
