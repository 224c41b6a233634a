"""Mailbox-check pages: one address (card with status, evidence, risk, reasons, action),
a list upload (table, counts, CSV download), returned mail; German errors, never a 500,
nothing of a checked list stored or logged.

Tests that write (or check that nothing was stored) run on both store backends
(``@both_backends``: GeoJSON files, PostgreSQL)."""

from __future__ import annotations

import csv
import io
import logging
import re

import pytest
from support.backends import both_backends, store_state
from support.data import noted_address
from support.web import csrf_token, login, mapping_fields

from sozialraum import settings
from sozialraum.model.notes import add_months
from sozialraum.services.mailbox_check import ADDED_COLUMNS

AREA = "musterstadt-nord"
CHECK = f"/gebiete/{AREA}/briefkasten"
LIST = f"{CHECK}/liste"
RETURNS = f"{CHECK}/ruecklaeufer"


def _line(address) -> str:
    return f"{address['properties']['street']} {address['properties']['housenumber']}"


def _post(client, url, **fields):
    return client.post(url, data={"csrf_token": csrf_token(client, CHECK), **fields})


def _files_snapshot(demo_store):
    """Modification times of the data folder's files (with PostgreSQL: what is beside it)."""
    return {p: p.stat().st_mtime_ns for p in demo_store.data_dir.rglob("*") if p.is_file()}


def test_check_page_has_the_form_and_links(client):
    page = client.get(CHECK).get_data(as_text=True)
    assert 'name="adresse"' in page and 'name="csrf_token"' in page
    assert f'href="{LIST}"' in page and f'href="{RETURNS}"' in page
    area_page = client.get(f"/gebiete/{AREA}/").get_data(as_text=True)
    assert f'href="{CHECK}"' in area_page


def test_the_typed_address_travels_in_bodies_and_the_page_says_so(client, app, caplog):
    """Issue 26: the check and the address search promise exactly what happens — the
    address goes in a request body (the form and the suggestions POST), never in a URL,
    and nothing logs it; the suggestions script builds no query string."""
    page = client.get(CHECK).get_data(as_text=True)
    assert 'method="post"' in page
    assert "nie in der Adresszeile" in page and "weder gespeichert noch protokolliert" in page
    search = client.get(f"/gebiete/{AREA}/suche").get_data(as_text=True)
    assert "nie in der Adresszeile" in search
    script = (app.static_folder + "/sozialraum/suggest.js").replace("//", "/")
    with open(script, encoding="utf-8") as handle:
        code = handle.read()
    assert "?q=" not in code and 'method: "POST"' in code
    typed = "Amselweg 7"
    with caplog.at_level(logging.DEBUG):
        answer = client.post(
            f"/api/areas/{AREA}/addresses/search",
            json={"q": typed},
            headers={"X-CSRFToken": csrf_token(client, CHECK)},
        )
        _post(client, CHECK, adresse=typed)
    assert answer.status_code == 200
    assert typed not in caplog.text


def test_risky_address_card_with_evidence_reasons_and_action(client, demo_store):
    note, address = noted_address(demo_store, "fehlt")
    response = _post(client, CHECK, adresse=_line(address).replace("straße", "str."))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    page = response.get_data(as_text=True)
    assert "Zustellrisiko: <strong>hoch</strong>" in page
    assert "Postzustellungsurkunde" in page and "(festgestellt am" in page
    assert "Notiz · Fachkraft" in page
    # the observation is Team Mühle's: it counts for the risk, but the caseworker of Team
    # Nord gets neither its text nor a link; the admin gets both
    assert note["properties"]["team"] == "Team Mühle"
    assert f"/notizen/{note['id']}" not in page and note["properties"]["text"] not in page
    admin = login(client.application.test_client(), "admin")
    page = _post(admin, CHECK, adresse=_line(address)).get_data(as_text=True)
    assert "Zustellrisiko: <strong>hoch</strong>" in page
    assert f"/notizen/{note['id']}" in page  # the evidence links to its note


def test_chosen_suggestion_is_checked_by_id(client, demo_store):
    _, address = noted_address(demo_store, "vorhanden")
    page = _post(client, CHECK, address_id=address["id"]).get_data(as_text=True)
    assert "Zustellrisiko: <strong>niedrig</strong>" in page
    assert "Normaler Postversand" in page


@both_backends
def test_hostile_note_text_is_shown_as_text(client, demo_store):
    _, address = noted_address(demo_store, "defekt")
    hostile = "Klappe <img src=x onerror=alert(1)> kaputt"
    demo_store.add(AREA, "notes", {
        "type": "Feature", "geometry": address["geometry"],
        "properties": {"category": "briefkasten", "mailbox_status": "defekt", "text": hostile,
                       "observed_on": settings.today().isoformat(),
                       "expires_on": add_months(settings.today(), 12).isoformat(),
                       "address_key": address["properties"]["key"], "district": "r1",
                       "team": "Team Nord", "author": "t"},
    }, actor="t")  # fmt: skip
    page = _post(client, CHECK, address_id=address["id"]).get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_ambiguous_address_offers_candidates(client, demo_store):
    address = demo_store.query(AREA, "addresses")[0]
    number = address["properties"]["housenumber"]
    page = _post(client, CHECK, adresse=f"{address['properties']['street']} {number}z")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Adresse nicht eindeutig" in text
    assert "Meinten Sie" in text and f'value="{address["id"]}"' in text


@pytest.mark.parametrize(
    ("fields", "message"),
    [({}, "Bitte eine Adresse eingeben."), ({"address_id": "gibtsnicht"}, "nicht gefunden")],
)
def test_check_errors_are_german_4xx(client, fields, message):
    response = _post(client, CHECK, **fields)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_address_page_shows_the_mailbox_summary(client, demo_store):
    _, address = noted_address(demo_store, "fehlt")
    page = client.get(f"/gebiete/{AREA}/adressen/{address['id']}").get_data(as_text=True)
    assert 'id="briefkasten-kurz"' in page and "Zustellrisiko: <strong>hoch</strong>" in page


def _send(client, data: bytes, url=LIST, **fields):
    token = csrf_token(client, CHECK)
    return client.post(
        url,
        data={"csrf_token": token, "datei": (io.BytesIO(data), "liste.csv"), **fields},
        content_type="multipart/form-data",
    )


_step = mapping_fields


def _upload(client, data: bytes, ausgabe="tabelle", url=LIST):
    """Upload a file; on the list page through the mapping step (detected columns kept)."""
    if url != LIST:
        return _send(client, data, url, ausgabe=ausgabe)
    first = _send(client, data, ausgabe="zuordnung")
    if first.status_code != 200:
        return first
    return _send(client, data, ausgabe=ausgabe, **_step(first.get_data(as_text=True)))


def _list(demo_store) -> bytes:
    _, risky = noted_address(demo_store, "fehlt")
    _, safe = noted_address(demo_store, "vorhanden")
    return (
        "Zeichen;Straße;Hausnummer\n"
        f"GEHEIM-1;{risky['properties']['street']};{risky['properties']['housenumber']}\n"
        f"GEHEIM-2;{safe['properties']['street']};{safe['properties']['housenumber']}\n"
        "GEHEIM-3;Nirgendwostraße;3\n"
    ).encode("cp1252")


@both_backends
def test_list_upload_shows_table_and_counts_and_stores_nothing(client, demo_store, caplog):
    before, before_state = _files_snapshot(demo_store), store_state(demo_store, AREA)
    with caplog.at_level(logging.DEBUG):
        response = _upload(client, _list(demo_store))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<strong data-risk="hoch">1</strong>' in page
    assert '<strong data-risk="niedrig">1</strong>' in page
    assert '<strong data-risk="unbekannt">1</strong>' in page
    assert "GEHEIM-1" in page and "Ergebnis: 3 Adressen" in page
    assert "GEHEIM" not in caplog.text
    assert store_state(demo_store, AREA) == before_state  # nothing stored (either backend)
    changed = [p for p, t in _files_snapshot(demo_store).items() if before.get(p) != t]
    assert all("accounts" in p.parts for p in changed), changed
    for path in demo_store.data_dir.rglob("*"):
        if path.is_file():
            assert b"GEHEIM" not in path.read_bytes()


def test_list_download_is_the_same_csv_with_the_added_columns(client, demo_store):
    response = _upload(client, _list(demo_store), "csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    rows = list(
        csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )
    added = list(ADDED_COLUMNS)
    added.insert(1, "match_label")  # the web's download is German: labels beside the kinds
    assert rows[0] == ["Zeichen", "Straße", "Hausnummer", *added]
    assert [r[0] for r in rows[1:]] == ["GEHEIM-1", "GEHEIM-2", "GEHEIM-3"]
    assert [dict(zip(rows[0], r, strict=True))["risk"] for r in rows[1:]] == [
        "hoch", "niedrig", "unbekannt"]  # fmt: skip


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Die Datei ist leer."),
        (b"\x00\x01\x02\x03" * 100, "keine CSV-Textdatei"),
        (b"Adresse\n", "keine Adressen"),
    ],
)
def test_bad_uploads_get_german_messages(client, data, message):
    response = _upload(client, data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_missing_file_and_too_large_upload(client, app):
    response = _post(client, LIST, ausgabe="tabelle")
    assert response.status_code == 400 and "Bitte eine CSV-Datei wählen." in response.get_data(
        as_text=True
    )
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    response = _upload(client, b"Adresse\n" + b"Lindenweg 1\n" * 2000)
    assert response.status_code == 413
    assert "Die Datei ist zu groß." in response.get_data(as_text=True)


@both_backends
def test_returns_upload_for_caseworkers_and_list_for_everyone(app, client, demo_store):
    noted = {n["properties"].get("address_key") for n in demo_store.query(AREA, "notes")}
    address = next(
        a for a in demo_store.query(AREA, "addresses") if a["properties"]["key"] not in noted
    )
    day = add_months(settings.today(), -1).strftime("%d.%m.%Y")
    data = f"Name;Datum;Adresse;Grund\nErika Muster;{day};{_line(address)};verzogen\n".encode()
    response = _upload(client, data, url=RETURNS)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<strong>1</strong> neu" in page
    assert "Nicht gelesene Spalten: Name" in page and "verzogen" in page
    assert "Erika" not in page
    check = _post(client, CHECK, address_id=address["id"]).get_data(as_text=True)
    assert "Zustellrisiko: <strong>hoch</strong>" in check and "Rückläufer · Poststelle" in check
    viewer = login(app.test_client(), "viewer")
    listing = viewer.get(RETURNS).get_data(as_text=True)
    assert "verzogen" in listing and 'type="file"' not in listing
    assert _upload(viewer, data, url=RETURNS).status_code == 403
    bad = _upload(client, b"Adresse\nLindenweg 1\n", url=RETURNS)
    assert bad.status_code == 400 and "Datum" in bad.get_data(as_text=True)


def _draft_address(demo_store):
    """The address of the demo's draft observation of Team Nord (not released)."""
    note = next(
        n for n in demo_store.query(AREA, "notes", category="briefkasten")
        if n["properties"]["review_state"] == "entwurf" and n["properties"]["team"] == "Team Nord"
    )  # fmt: skip
    key = note["properties"]["address_key"]
    return note, next(
        a for a in demo_store.query(AREA, "addresses") if a["properties"]["key"] == key
    )


@both_backends
def test_risk_from_an_unreleased_note_says_so_everywhere(client, demo_store):
    _, address = _draft_address(demo_store)
    page = _post(client, CHECK, address_id=address["id"]).get_data(as_text=True)
    assert "Zustellrisiko: <strong>hoch</strong>" in page
    assert "Das Risiko beruht auf einer Notiz, die noch nicht freigegeben ist" in page
    assert "<strong>noch nicht freigegeben</strong> (Entwurf)" in page  # the evidence row
    card = client.get(f"/gebiete/{AREA}/adressen/{address['id']}").get_data(as_text=True)
    assert "Zustellrisiko: <strong>hoch</strong>" in card and "noch nicht freigegeben" in card
    props = address["properties"]
    line = f"Straße;Hausnummer\n{props['street']};{props['housenumber']}\n"
    table = _upload(client, line.encode()).get_data(as_text=True)
    assert "noch nicht freigegeben" in table
    download = _upload(client, line.encode(), ausgabe="csv").get_data(as_text=True)
    row = dict(
        zip(*list(csv.reader(io.StringIO(download.lstrip("\ufeff")), delimiter=";")), strict=True)
    )
    assert row["risk"] == "hoch" and "noch nicht freigegeben" in row["reasons"]


def test_released_evidence_shows_its_state_without_the_warning(client, demo_store):
    _, address = noted_address(demo_store, "fehlt")
    page = _post(client, CHECK, address_id=address["id"]).get_data(as_text=True)
    assert "Zustellrisiko: <strong>hoch</strong>" in page
    assert "noch nicht freigegeben" not in page
    assert '<td data-label="Prüfung">Freigegeben</td>' in page


def _export(demo_store, numbers=None) -> tuple[bytes, list[dict]]:
    """A municipal export: Nr;Straße;Hausnummer;PLZ;Ort in cp1252 with running numbers."""
    risky = noted_address(demo_store, "fehlt")[1]["properties"]
    others = [a["properties"] for a in demo_store.query(AREA, "addresses")][:6]
    addresses = [risky, *others]
    numbers = numbers or range(1, len(addresses) + 1)
    lines = ["Nr;Straße;Hausnummer;PLZ;Ort"] + [
        f"{n};{a['street']};{a['housenumber']};{a.get('postcode') or ''};{a.get('city') or ''}"
        for n, a in zip(numbers, addresses, strict=False)
    ]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252"), addresses


@both_backends
def test_the_mapping_step_comes_before_any_check(client, demo_store, caplog):
    data, addresses = _export(demo_store)
    before, before_state = _files_snapshot(demo_store), store_state(demo_store, AREA)
    with caplog.at_level(logging.DEBUG):
        response = _send(client, data, ausgabe="tabelle")  # no confirmed columns yet
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Spalten zuordnen" in page
    assert "mailbox-results" not in page and "data-risk" not in page  # nothing checked
    fields = _step(page)
    assert fields["spalte_street"] == "1" and fields["spalte_housenumber"] == "2"
    assert fields["spalte_postcode"] == "3" and fields["spalte_city"] == "4"
    assert "„Nr“ (laufende Nummer)" in page
    for label in ("Straße", "Hausnummer", "PLZ", "Ort"):
        assert f'">{label}</label>' in page
    sample = re.search(r'<table class="notes-table mapping-sample">.*?</table>', page, re.S)
    assert sample.group().count("<tr>") == 1 + 5  # header and five sample rows
    assert addresses[0]["street"] in sample.group()
    result = _send(client, data, ausgabe="tabelle", **fields).get_data(as_text=True)
    assert '<strong data-risk="hoch">1</strong>' in result
    matched = re.findall(r'<td data-match="(\w+)">([^<(]+)', result)
    assert {kind for kind, _ in matched} <= {"exact", "normalised"}
    assert {label.strip() for _, label in matched} <= {"genau", "normalisiert"}
    houses = [a["housenumber"] for a in addresses]
    assert all(f"{a['street']} {a['housenumber']}" in result for a in addresses), houses
    assert addresses[0]["street"] not in caplog.text
    assert store_state(demo_store, AREA) == before_state  # nothing stored (either backend)
    changed = [p for p, t in _files_snapshot(demo_store).items() if before.get(p) != t]
    assert all("accounts" in p.parts for p in changed), changed


def test_unclear_columns_are_asked_for_and_corrected(client, demo_store):
    data, addresses = _export(demo_store, numbers=[3, 9, 3, 5, 12, 3, 7])  # "Nr" not a run
    page = _send(client, data, ausgabe="zuordnung").get_data(as_text=True)
    assert "Unklar, welche Spalte die Hausnummer enthält: „Nr“, „Hausnummer“" in page
    fields = _step(page)
    assert fields["spalte_housenumber"] == ""  # not guessed
    refused = _send(client, data, ausgabe="tabelle", **fields)
    assert refused.status_code == 400
    assert "Bitte die Spalte mit der Hausnummer wählen" in refused.get_data(as_text=True)
    fields["spalte_housenumber"] = "2"
    result = _send(client, data, ausgabe="csv", **fields)
    rows = list(csv.DictReader(io.StringIO(result.get_data(as_text=True).lstrip("\ufeff")),
                               delimiter=";"))  # fmt: skip
    assert [r["matched_housenumber"] for r in rows] == [a["housenumber"] for a in addresses]
    assert {r["match_label"] for r in rows} <= {"genau", "normalisiert"}
    assert rows[0]["match_kind"] in ("exact", "normalised")


def test_a_mapping_is_never_applied_to_a_file_with_other_columns(client, demo_store):
    data, _ = _export(demo_store)
    fields = _step(_send(client, data, ausgabe="zuordnung").get_data(as_text=True))
    other = data.replace(b"Nr;Stra", b"Lfd;Stra", 1)
    page = _send(client, other, ausgabe="tabelle", **fields).get_data(as_text=True)
    assert "andere Spalten" in page and "mailbox-results" not in page


def test_combined_columns_and_one_address_column_are_accepted(client, demo_store):
    props = noted_address(demo_store, "fehlt")[1]["properties"]
    where = f"{props.get('postcode') or ''} {props.get('city') or ''}".strip()
    for data in (
        f"Kundennummer;Name;Straße und Hausnummer;PLZ Ort\n123A456789;Anna Beispiel;"
        f"{props['street']} {props['housenumber']};{where}\n".encode("cp1252"),
        f'Lfd. Nr.,Anschrift\n1,"{props["street"]} {props["housenumber"]}, {where}"\n'.encode(),
    ):
        page = _upload(client, data).get_data(as_text=True)
        assert '<strong data-risk="hoch">1</strong>' in page, page[-2000:]


@pytest.mark.parametrize("value", ["²", "-1", "99", "1.0", "x"])
def test_odd_column_choices_are_a_german_400(client, demo_store, value):
    data, _ = _export(demo_store)
    fields = _step(_send(client, data, ausgabe="zuordnung").get_data(as_text=True))
    fields["spalte_street"] = value
    response = _send(client, data, ausgabe="tabelle", **fields)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Straße" in page and "Spalten zuordnen" in page and "mailbox-results" not in page


# -- returned mail: choices for near misses, withdrawal (issue 25) ---------------------------


def _returns_upload(client, data: bytes, **fields):
    return _send(client, data, RETURNS, schritt="hochladen" if not fields else "auswahl", **fields)


def _choices(page: str) -> dict[int, list[tuple[str, str]]]:
    """Per skipped row the options of its select (value, text)."""
    found = {}
    for row, body in re.findall(
        r'<select id="wahl-(\d+)" name="wahl_\d+">(.*?)</select>', page, re.S
    ):
        found[int(row)] = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', body)
    return found


@both_backends
def test_returns_upload_lists_near_misses_with_a_choice_per_row(client, demo_store):
    from support.returns import add_houses, post_office_export

    houses = add_houses(demo_store)
    (exact,) = [a["properties"] for a in _unknown(demo_store, 1)]
    data = post_office_export(settings.today(), exact).encode("cp1252")
    response = _returns_upload(client, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<strong>1</strong> neu" in page
    assert "2 zur Auswahl" in page
    assert ("Gelesen: Grund aus Spalte „Grund“, Datum aus „Datum“, Adresse aus „Straße“, "
            "„Hausnummer“, „PLZ“, „Ort“.") in page  # fmt: skip
    assert "Nicht als Grund gelesen: „Vermerk“ (keine bekannten Rücklaufgründe)" in page
    choices = _choices(page)
    assert sorted(choices) == [2, 4]
    wald = (houses["Waldstraße 16"]["id"], "Waldstraße 16, 45903 Musterstadt")
    assert choices[2] == [("nein", "nicht übernehmen"), wald]
    assert "Wallstraße 16, 45903 Musterstadt" in page  # what the file says, to compare
    assert "Schnabelsberger" not in page and "Offenbacher" not in page
    token = re.search(r'name="pruefsumme" value="([0-9a-f]+)"', page).group(1)
    # a candidate of another row, an address that is no candidate: 400, nothing stored
    saal = houses["Saalstraße 4"]["id"]
    for wahl in ({"wahl_2": saal}, {"wahl_4": "n1"}, {"wahl_3": saal}):
        bad = _returns_upload(client, data, pruefsumme=token, **wahl)
        assert bad.status_code == 400 and "Nichts wurde übernommen" in bad.get_data(as_text=True)
    assert len(demo_store.query(AREA, "returns")) == 1
    # another file with the token of the first
    other = _returns_upload(client, data + b"\n", pruefsumme=token, wahl_4=saal)
    assert other.status_code == 400 and "nicht dieselbe" in other.get_data(as_text=True)
    done = _returns_upload(client, data, pruefsumme=token, wahl_4=saal, wahl_2="nein")
    page = done.get_data(as_text=True)
    assert done.status_code == 200 and "<strong>1</strong> neu (davon 1 ausgewählt)" in page
    assert sorted(_choices(page)) == [2]  # "nicht übernehmen": still listed, not recorded
    keys = {r["properties"]["address_key"] for r in demo_store.query(AREA, "returns")}
    assert keys == {exact["key"], houses["Saalstraße 4"]["properties"]["key"]}


def _unknown(demo_store, count):
    noted = {n["properties"].get("address_key") for n in demo_store.query(AREA, "notes")}
    return [a for a in demo_store.query(AREA, "addresses")
            if a["properties"]["key"] not in noted][:count]  # fmt: skip


@both_backends
def test_a_lead_withdraws_a_wrong_record_with_a_reason(app, client, demo_store):
    (address,) = _unknown(demo_store, 1)
    day = add_months(settings.today(), -1).strftime("%d.%m.%Y")
    data = f"Datum;Adresse;Grund\n{day};{_line(address)};verzogen\n".encode()
    assert _returns_upload(client, data).status_code == 200
    (record,) = demo_store.query(AREA, "returns")
    listing = client.get(RETURNS).get_data(as_text=True)
    assert "Zurückziehen" not in listing  # caseworkers do not withdraw
    form = {"zurueckziehen": record["id"], "grund": "Falsche Hausnummer zugeordnet"}
    assert _post(client, RETURNS, **form).status_code == 403
    lead = login(app.test_client(), "lead")
    listing = lead.get(RETURNS).get_data(as_text=True)
    assert f'name="zurueckziehen" value="{record["id"]}"' in listing and "required" in listing
    refused = (
        ("", "Bitte einen Grund angeben."),
        ("Frau Schnabelsberger hat angerufen", "persönliche Daten"),
    )
    for grund, message in refused:
        bad = _post(lead, RETURNS, zurueckziehen=record["id"], grund=grund)
        assert bad.status_code == 400 and message in bad.get_data(as_text=True)
    check = _post(client, CHECK, address_id=address["id"]).get_data(as_text=True)
    assert "Zustellrisiko: <strong>hoch</strong>" in check
    done = _post(lead, RETURNS, **form)
    page = done.get_data(as_text=True)
    props = address["properties"]
    named = (
        f"Der Rückläufer vom {day} für {props['street']} {props['housenumber']} wurde zurückgezogen"
    )
    assert done.status_code == 200 and named in page
    assert "Rückläufer der letzten 12 Monate (0)" in page
    check = _post(client, CHECK, address_id=address["id"]).get_data(as_text=True)
    assert "Zustellrisiko: <strong>hoch</strong>" not in check
    assert "Rückläufer · Poststelle" not in check
    assert _post(lead, RETURNS, zurueckziehen="rlnichtda", grund="falsch").status_code == 404
