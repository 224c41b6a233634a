"""Mailbox status from evidence and the delivery-risk rules (each rule has a test)."""

from __future__ import annotations

from datetime import date

import pytest

from sozialraum.errors import ConfigError
from sozialraum.model.mailbox import (
    RETURN_REASONS,
    UNRELEASED,
    Evidence,
    assess,
    communal_label,
    current_status,
    is_letter_box,
    known_return_reason,
    load_actions,
    osm_evidence_date,
    return_reason,
    return_reason_label,
)

TODAY = date(2026, 11, 21)


def ev(status, observed, source="notiz", role="Fachkraft", expires=None):
    return Evidence(status, date.fromisoformat(observed), source, role,
                    date.fromisoformat(expires) if expires else None)  # fmt: skip


@pytest.mark.parametrize("status", ["fehlt", "defekt", "ohne_namen"])
def test_high_for_missing_broken_or_unnamed(status):
    result = assess([ev(status, "2026-10-01", expires="2027-10-01")], TODAY)
    assert result.risk == "hoch" and result.status == status
    assert "01.10.2026" in result.reasons[0] and "Fachkraft" in result.reasons[0]
    assert "Postzustellungsurkunde" in result.action


def test_high_for_returned_mail_within_six_months():
    result = assess(
        [
            ev("vorhanden", "2026-09-01", expires="2027-09-01"),
            ev("post_zurueck", "2026-08-15", "rueckläufer", "Poststelle", "2027-02-15"),
        ],
        TODAY,
    )
    assert result.risk == "hoch"
    assert any("Post kam" in r and "15.08.2026" in r for r in result.reasons)


def test_returned_mail_older_than_six_months_is_not_high():
    result = assess(
        [
            ev("vorhanden", "2026-09-01", expires="2027-09-01"),
            ev("post_zurueck", "2026-02-01", "rueckläufer", "Poststelle", "2027-02-01"),
        ],
        TODAY,
    )
    assert result.risk == "niedrig"


def test_medium_for_unknown_status_in_communal_accommodation():
    result = assess([], TODAY, communal=True)
    assert (result.status, result.risk) == ("unbekannt", "mittel")
    assert "Gemeinschaftsunterkunft" in result.reasons[0]


def test_medium_for_contradicting_evidence_with_both_shown():
    evidence = [
        ev("vorhanden", "2026-10-10", expires="2027-10-10"),
        ev("post_zurueck", "2026-06-01", "rueckläufer", "Poststelle", "2026-12-01"),
    ]
    status, current, against = current_status(evidence, TODAY)
    assert status == "widerspruechlich" and current[0].status == "vorhanden"
    assert [e.status for e in against] == ["post_zurueck"]
    result = assess([*evidence[:1], ev("fehlt", "2026-08-01", expires="2027-08-01")], TODAY)
    assert result.risk == "mittel" and result.status == "widerspruechlich"
    assert (
        "vorhanden am 10.10.2026" in result.reasons[0]
        and "fehlt am 01.08.2026" in result.reasons[0]
    )


def test_old_contradiction_is_not_one():
    evidence = [ev("vorhanden", "2026-10-10", expires="2027-10-10"),
                ev("fehlt", "2025-12-01", expires="2026-12-01")]  # fmt: skip
    assert current_status(evidence, TODAY)[0] == "vorhanden"


def test_medium_for_evidence_past_its_expiry():
    result = assess([ev("vorhanden", "2024-05-01", expires="2025-05-01")], TODAY)
    assert (result.status, result.risk) == ("unbekannt", "mittel")
    assert "abgelaufen" in result.reasons[0]


def test_low_for_a_mailbox_seen_within_twelve_months():
    result = assess([ev("vorhanden", "2026-01-10", expires="2027-01-10")], TODAY)
    assert (result.status, result.risk) == ("vorhanden", "niedrig")
    assert result.action == "Normaler Postversand."


def test_a_mailbox_seen_long_ago_but_not_expired_is_not_low():
    result = assess([ev("vorhanden", "2025-06-01", expires="2027-06-01")], TODAY)
    assert result.risk == "unbekannt"


def test_unknown_without_evidence_and_caretaker_is_medium():
    assert assess([], TODAY).risk == "unbekannt"
    assert (
        assess([ev("hausverwaltung", "2026-10-01", expires="2027-10-01")], TODAY).risk == "mittel"
    )


def test_municipality_changes_actions(tmp_path):
    path = tmp_path / "mailbox_rules.toml"
    path.write_text('[action]\nhoch = "Hausbesuch durch den Außendienst."\n', encoding="utf-8")
    actions = load_actions(path)
    assert actions["hoch"] == "Hausbesuch durch den Außendienst."
    assert actions["niedrig"] == "Normaler Postversand."
    path.write_text('[action]\nsehr_hoch = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown risk level"):
        load_actions(path)


def test_returned_mail_older_than_six_months_alone_asks_for_a_recheck():
    result = assess(
        [ev("post_zurueck", "2026-03-01", "rueckläufer", "Poststelle", "2027-03-01")], TODAY
    )
    assert (result.status, result.risk) == ("post_zurueck", "mittel")
    assert "01.03.2026" in result.reasons[0] and "neu prüfen" in result.reasons[0]


def test_communal_reason_names_the_kind():
    result = assess([], TODAY, communal="Notunterkunft")
    assert result.risk == "mittel"
    assert "Gemeinschaftsunterkunft (Notunterkunft)" in result.reasons[0]


@pytest.mark.parametrize(
    ("tags", "label"),
    [
        ({"amenity": "social_facility", "social_facility": "shelter"}, "Notunterkunft"),
        (
            {"social_facility": "shelter", "social_facility:for": "migrant"},
            "Unterkunft für Geflüchtete",
        ),
        ({"social_facility:for": "homeless;refugee"}, "Unterkunft für Geflüchtete"),
        ({"amenity": "refugee_site"}, "Unterkunft für Geflüchtete"),
        ({"building": "dormitory"}, "Wohnheim"),
        ({"amenity": "social_facility", "social_facility": "group_home"}, None),
        ({"building": "apartments"}, None),
        ({"amenity": "shelter"}, None),  # a bus or hiking shelter is no accommodation
    ],
)
def test_communal_label(tags, label):
    assert communal_label(tags) == label


def test_osm_evidence_date_prefers_check_date():
    edit = date(2025, 1, 2)
    assert osm_evidence_date({"check_date": "2026-05-04"}, edit) == date(2026, 5, 4)
    assert osm_evidence_date({"survey:date": "2026-03"}, edit) == edit  # not a full date
    assert osm_evidence_date({}, edit) == edit
    assert osm_evidence_date({}, None) is None
    assert is_letter_box({"amenity": "letter_box"}) and not is_letter_box({"amenity": "post_box"})


def test_mailbox_seen_long_ago_but_not_expired_says_so():
    result = assess([ev("vorhanden", "2025-08-01", "osm", "OpenStreetMap", "2027-08-01")], TODAY)
    assert (result.status, result.risk) == ("vorhanden", "unbekannt")
    assert "01.08.2025" in result.reasons[0] and "OpenStreetMap" in result.reasons[0]


@pytest.mark.parametrize(
    "evidence",
    [
        [],
        [ev("vorhanden", "2026-10-01", expires="2027-10-01")],
        [ev("vorhanden", "2025-01-01", expires="2027-01-01")],
        [ev("vorhanden", "2024-01-01", expires="2025-01-01")],
        [ev("hausverwaltung", "2026-10-01", expires="2027-10-01")],
        [ev("post_zurueck", "2026-01-01", "rueckläufer", "Poststelle", "2027-01-01")],
    ],
)
def test_every_assessment_gives_a_reason(evidence):
    assert assess(evidence, TODAY).reasons


def note_ev(status, observed, state, expires="2027-12-31"):
    """Evidence from a mailbox note in review state ``state``."""
    return Evidence(status, date.fromisoformat(observed), "notiz", "Fachkraft",
                    date.fromisoformat(expires), "", "n1", state)  # fmt: skip


@pytest.mark.parametrize(
    ("evidence", "risk"),
    [
        ([note_ev("fehlt", "2026-10-01", "eingereicht")], "hoch"),
        ([note_ev("vorhanden", "2026-10-01", "entwurf")], "niedrig"),
        ([note_ev("hausverwaltung", "2026-10-01", "rueckfrage")], "mittel"),
        ([note_ev("post_zurueck", "2026-09-01", "entwurf")], "hoch"),
        ([note_ev("post_zurueck", "2026-01-10", "eingereicht")], "mittel"),
        ([note_ev("vorhanden", "2025-09-01", "entwurf", "2026-09-01")], "mittel"),
        ([note_ev("vorhanden", "2025-10-01", "entwurf")], "unbekannt"),
        (
            [
                note_ev("fehlt", "2026-10-01", "freigegeben"),
                note_ev("vorhanden", "2026-09-01", "entwurf"),
            ],
            "mittel",
        ),
    ],
)
def test_unreleased_note_counts_and_every_reason_says_so(evidence, risk):
    result = assess(evidence, TODAY)
    assert result.risk == risk  # the note counts for the risk as if it were released
    assert result.unreleased
    assert any(UNRELEASED in reason for reason in result.reasons), result.reasons


def test_released_note_and_unreviewed_sources_are_not_marked():
    released = assess([note_ev("fehlt", "2026-10-01", "freigegeben")], TODAY)
    assert released.risk == "hoch" and not released.unreleased
    assert UNRELEASED not in " ".join(released.reasons)
    returned = ev("post_zurueck", "2026-10-01", "rueckläufer", "Poststelle", "2027-10-01")
    osm = ev("vorhanden", "2026-10-01", "osm", "OpenStreetMap", "2028-10-01")
    assert returned.review_state is None and not returned.unreleased and not osm.unreleased
    assert not assess([returned], TODAY).unreleased and not assess([osm], TODAY).unreleased


def test_contradiction_marks_only_the_unreleased_side():
    result = assess(
        [
            note_ev("fehlt", "2026-10-01", "freigegeben"),
            note_ev("vorhanden", "2026-09-01", "entwurf"),
        ],
        TODAY,
    )
    assert result.status == "widerspruechlich"
    reason = result.reasons[0]
    assert f"vorhanden am 01.09.2026 (Fachkraft, {UNRELEASED})" in reason
    assert "fehlt am 01.10.2026 (Fachkraft)" in reason


def test_returned_mail_reason_counts_the_unreleased_notes():
    result = assess(
        [
            note_ev("post_zurueck", "2026-10-01", "entwurf"),
            ev("post_zurueck", "2026-09-01", "rueckläufer", "Poststelle", "2027-09-01"),
        ],
        TODAY,
    )
    assert result.risk == "hoch"
    assert f"2×, zuletzt am 01.10.2026; 1 davon {UNRELEASED}" in result.reasons[0]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Anna Schnabelsberger verzogen", "verzogen"),
        ("Empfänger Schnabelsberger, Anna unbekannt", "unbekannt"),
        ("verzogen nach Offenbacher Str. 5, Langen", "verzogen"),
        ("Unbekannt verzogen", "verzogen"),
        ("Empfänger nicht zu ermitteln", "unbekannt"),
        ("Nachsendeauftrag abgelaufen", "verzogen"),
        ("Briefkasten fehlt", "briefkasten_fehlt"),
        ("kein Briefkasten vorhanden", "briefkasten_fehlt"),
        ("BRIEFKASTEN DEFEKT", "briefkasten_defekt"),
        ("beschädigter Briefkasten", "briefkasten_defekt"),
        ("Briefkasten ohne Namen", "briefkasten_ohne_namen"),
        ("Name am Briefkasten fehlt", "briefkasten_ohne_namen"),
        ("Name nicht am Briefkasten", "briefkasten_ohne_namen"),
        ("Empfänger nicht auf dem Briefkasten", "briefkasten_ohne_namen"),
        ("kein Name an Klingel/Briefkasten", "briefkasten_ohne_namen"),
        ("Briefkastenschild fehlt", "briefkasten_ohne_namen"),
        ("Unzustellbar", "unzustellbar"),
        ("nicht zustellbar", "unzustellbar"),
        ("Annahme verweigert", "sonstiges"),
        ("Rückruf 0171 1234567", "sonstiges"),
        ("07", "sonstiges"),
        ("", "unzustellbar"),
        ("   ", "unzustellbar"),
        ("briefkasten_defekt", "briefkasten_defekt"),  # a stored key maps to itself
    ],
)
def test_a_return_reason_maps_to_the_fixed_set(text, key):
    assert return_reason(text) == key
    assert return_reason_label(text) == RETURN_REASONS[key]
    known = known_return_reason(text)
    assert known == (None if key == "sonstiges" or not text.strip() else key)


def test_the_fixed_set_of_return_reasons():
    assert set(RETURN_REASONS) == {
        "unbekannt", "verzogen", "briefkasten_fehlt", "briefkasten_defekt",
        "briefkasten_ohne_namen", "unzustellbar", "sonstiges",
    }  # fmt: skip


def test_returned_mail_names_its_reason_only_as_the_fixed_set_label():
    labelled = Evidence("post_zurueck", date(2026, 10, 1), "rueckläufer", "Poststelle",
                        date(2027, 10, 1), "Rückläufer: Briefkasten ohne Namen", "rl1")  # fmt: skip
    result = assess([labelled], TODAY)
    assert result.risk == "hoch"
    assert "(1×, zuletzt am 01.10.2026, Grund: Briefkasten ohne Namen)." in result.reasons[0]
    detail = "Rückläufer: Anna Schnabelsberger verzogen"
    free = Evidence("post_zurueck", date(2026, 10, 1), "rueckläufer", "Poststelle",
                    date(2027, 10, 1), detail, "rl2")  # fmt: skip
    reasons = " ".join(assess([free], TODAY).reasons)
    assert "Schnabelsberger" not in reasons and "(1×, zuletzt am 01.10.2026)." in reasons
