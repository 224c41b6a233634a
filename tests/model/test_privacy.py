"""The data-protection guard: client-like text is refused, place descriptions pass."""

from __future__ import annotations

import pytest

from sozialraum.errors import ConfigError
from sozialraum.model.privacy import PrivacyViolation, load_privacy_guard

PLACE_TEXTS = [
    "Offenes Frühstück mittwochs von 9 bis 11 Uhr.",
    "Pfarrer der Gemeinde bietet Raum für Treffen.",
    "Frau am Empfang nimmt Flyer an.",
    "Seit 12.03.2026 ist die Unterführung gesperrt.",
    "Bus 843 fährt alle 20 Minuten.",
    "Haus 12-14 hat 24 Briefkästen, Sprechstunde 14.30 bis 16.00.",
    "PLZ 41460, Rheydter Str. 120, 2. OG.",
    "Hausmeisterin der Schule hängt Aushänge für das Viertel aus.",
]

CLIENT_TEXTS = {
    "Herr Meier wohnt im 2. OG": "anrede_name",
    "Frau Dr. Yilmaz kommt mittwochs": "anrede_name",
    "Familie Kaya hat keinen Briefkasten": "anrede_name",
    "geb. 12.3.1985": "geburtsdatum",
    "Kundin, 01.02.1979": "geburtsdatum",
    "BG-Nr 12345": "aktenzeichen",
    "12345BG0012345 wohnt hier": "aktenzeichen",
    "Az. 123/45": "aktenzeichen",
    "Tel. 02131 123456": "telefon",
    "mobil 0171-1234567": "telefon",
    "+49 211 123456": "telefon",
    "schreibt an mail@example.org": "email",
    "IBAN DE12 3456 7890 1234 5678 90": "iban",
}


@pytest.fixture(scope="module")
def guard():
    return load_privacy_guard()


@pytest.mark.parametrize("text", PLACE_TEXTS)
def test_place_descriptions_pass(guard, text):
    assert guard.findings(text) == []
    guard.check(text)


@pytest.mark.parametrize(("text", "rule"), CLIENT_TEXTS.items())
def test_client_data_is_refused_without_repeating_it(guard, text, rule):
    with pytest.raises(PrivacyViolation) as info:
        guard.check("Ein Ort.", text)
    assert rule in info.value.rules
    assert info.value.status == 422
    assert "Orte" in info.value.message and "SGB X" in info.value.message
    for word in text.split():
        if any(ch.isdigit() for ch in word) or (word[:1].isupper() and len(word) > 4):
            assert word not in info.value.message


def test_municipality_extends_and_switches_off_rules(tmp_path):
    path = tmp_path / "privacy_rules.toml"
    path.write_text(
        '[[rule]]\nid = "zimmer"\nlabel = "eine Zimmernummer"\npattern = \'\\bZi\\.\\s*\\d+\'\n'
        '[[rule]]\nid = "iban"\nenabled = false\n',
        encoding="utf-8",
    )
    guard = load_privacy_guard(path)
    assert [r.id for r in guard.findings("Termin in Zi. 204")] == ["zimmer"]
    assert guard.findings("IBAN DE12 3456 7890 1234 5678 90") == []
    assert [r.id for r in guard.findings("Herr Meier")] == ["anrede_name"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[rule]]\nid = "x"\nlabel = "x"\npattern = \'(\'\n', "invalid pattern"),
        ('[[rule]]\nid = "x"\nlabel = "x"\npattern = \'a*\'\n', "matches empty text"),
        ('[[rule]]\nid = "x"\npattern = "a"\n', "'label'"),
        ('[[rule]]\nid = "x"\nlabel = "x"\npattern = "a"\nflags = 1\n', "unknown fields"),
        ("rule = 3\n", "expected"),
    ],
)
def test_bad_rule_files_are_clear_errors(tmp_path, text, message):
    path = tmp_path / "privacy_rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_privacy_guard(path)
