"""Note categories (defaults and the municipality's file), expiry and input checks."""

from __future__ import annotations

from datetime import date

import pytest

from sozialraum.errors import ConfigError, InvalidInput
from sozialraum.model.notes import (
    MAILBOX_STATUSES,
    add_months,
    check_note_input,
    is_expired,
    is_stale,
    load_note_categories,
    recheck_due,
)

TODAY = date(2026, 11, 21)


@pytest.fixture
def categories():
    return load_note_categories()


def _input(**changes):
    data = {"lon": 6.95, "lat": 51.43, "category": "beobachtung", "text": "Gehweg ist eng."}
    data.update(changes)
    return data


def test_default_categories_cover_the_issue(categories):
    labels = categories.labels()
    for label in (
        "Beobachtung",
        "Ressource",
        "Schlüsselperson/Rolle",
        "Angebot",
        "Problem/Barriere",
        "Treffpunkt",
        "Briefkasten",
        "Lieblingsort",
        "Angstraum",
        "Treffpunkt Jugendlicher",
    ):
        assert label in labels.values()
    assert categories["briefkasten"].kind == "mailbox"
    assert categories["briefkasten"].expiry_months == 12
    assert categories["beobachtung"].expiry_months == 24
    assert {c.id for c in categories if c.kind == "needle"} == {
        "lieblingsort",
        "angstraum",
        "treffpunkt_jugendliche",
    }
    assert list(MAILBOX_STATUSES.values()) == [
        "vorhanden",
        "fehlt",
        "defekt",
        "ohne Namen",
        "Post über Hausverwaltung",
        "Post kam zurück",
    ]


def test_municipality_file_adds_changes_and_removes(tmp_path):
    path = tmp_path / "note_categories.toml"
    path.write_text(
        '[[category]]\nid = "bolzplatz"\nlabel = "Lieblingsbolzplatz"\nkind = "needle"\n'
        '[[category]]\nid = "briefkasten"\nexpiry_months = 6\nrecheck_months = 3\n'
        '[[category]]\nid = "ressource"\nrelease_required = false\n'
        '[[category]]\nid = "angstraum"\nenabled = false\n',
        encoding="utf-8",
    )
    categories = load_note_categories(path)
    assert categories["bolzplatz"].kind == "needle"
    assert categories["bolzplatz"].expiry_months == 24
    assert categories["bolzplatz"].recheck_months == 12
    assert categories["bolzplatz"].release_required is True
    assert categories["briefkasten"].expiry_months == 6
    assert categories["briefkasten"].recheck_months == 3
    assert categories["ressource"].release_required is False
    assert "angstraum" not in categories


def test_recheck_is_due_by_category_and_never_for_archived_notes():
    categories = load_note_categories()
    mailbox = {
        "category": "briefkasten",
        "observed_on": "2026-01-31",
        "review_state": "eingereicht",
    }
    other = {**mailbox, "category": "beobachtung"}
    assert recheck_due(mailbox, categories) == date(2026, 7, 31)  # 6 months
    assert recheck_due(other, categories) == date(2027, 1, 31)  # 12 months
    assert not is_stale(mailbox, categories, date(2026, 7, 31))
    assert is_stale(mailbox, categories, date(2026, 8, 1))
    assert not is_stale({**mailbox, "review_state": "archiviert"}, categories, date(2027, 1, 1))
    assert recheck_due({"category": "x", "observed_on": "kaputt"}, categories) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[category]]\nid = "x"\n', "needs a 'label'"),
        ('[[category]]\nid = "Bad Id"\nlabel = "x"\n', "'id'"),
        ('[[category]]\nid = "x"\nlabel = "x"\nkind = "mailbox"\n', "'kind'"),
        ('[[category]]\nid = "x"\nlabel = "x"\nexpiry_months = 0\n', "expiry_months"),
        ('[[category]]\nid = "x"\nlabel = "x"\nrecheck_months = 99\n', "recheck_months"),
        ('[[category]]\nid = "x"\nlabel = "x"\nrelease_required = "ja"\n', "true or false"),
        ('[[category]]\nid = "x"\nlabel = "x"\ncolor = "#fff"\n', "unknown fields"),
        ('[[category]]\nid = "briefkasten"\nenabled = false\n', "cannot be switched off"),
        ("[[category]\n", "cannot read"),
    ],
)
def test_bad_category_files_are_clear_errors(tmp_path, text, message):
    path = tmp_path / "note_categories.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_note_categories(path)


def test_add_months_clamps_to_the_end_of_month():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2027, 12, 15), 12) == date(2028, 12, 15)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)


def test_defaults_today_and_expiry_by_category(categories):
    note = check_note_input(_input(), categories, TODAY)
    assert note.observed_on == TODAY
    assert note.expires_on == date(2028, 11, 21)
    assert note.review_state == "entwurf"
    mailbox = check_note_input(
        _input(category="briefkasten", mailbox_status="fehlt", observed_on="2026-10-01"),
        categories,
        TODAY,
    )
    assert mailbox.expires_on == date(2027, 10, 1)


def test_expiry_is_by_day():
    assert is_expired({"expires_on": "2026-11-20"}, TODAY)
    assert not is_expired({"expires_on": "2026-11-21"}, TODAY)
    assert not is_expired({}, TODAY)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"text": ""}, "Text"),
        ({"text": "x" * 2001}, "zu lang"),
        ({"text": "a\x00b"}, "Steuerzeichen"),
        ({"category": "unbekannt"}, "Unbekannte Kategorie"),
        ({"lon": "6.95"}, "lon"),
        ({"lat": 95}, "lat"),
        ({"observed_on": "2026-11-22"}, "Zukunft"),
        ({"observed_on": "21.11.2026"}, "kein gültiges Datum"),
        ({"observed_on": "2010-01-01"}, "Jahre zurück"),
        ({"expires_on": "2026-11-21"}, "nach dem Beobachtungsdatum"),
        ({"expires_on": "2032-01-01"}, "höchstens"),
        ({"review_state": "freigegeben"}, "Status"),
        ({"category": "briefkasten"}, "Zustand"),
        ({"category": "briefkasten", "mailbox_status": "kaputt"}, "Zustand"),
        ({"mailbox_status": "fehlt"}, "nur bei der Kategorie Briefkasten"),
        ({"address_id": "../etc"}, "address_id"),
        ({"colour": "red"}, "Unbekannte Felder"),
    ],
)
def test_bad_input_is_refused_in_german(categories, changes, message):
    with pytest.raises(InvalidInput, match=message):
        check_note_input(_input(**changes), categories, TODAY)


def test_text_of_exactly_2000_characters_passes(categories):
    assert len(check_note_input(_input(text="x" * 2000), categories, TODAY).text) == 2000
