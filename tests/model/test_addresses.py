"""German address normalisation for the address key."""

from __future__ import annotations

import pytest

from sozialraum.model.addresses import address_key, normalise_housenumber, normalise_street


@pytest.mark.parametrize(
    "spelling",
    [
        "Rheydter Straße",
        "Rheydter Strasse",
        "Rheydter Str.",
        "rheydter str",
        "Rheydter-Straße",
        "RHEYDTER STR.",
        "  Rheydter  Straße ",
    ],
)
def test_street_spellings_share_one_key(spelling):
    assert normalise_street(spelling) == "rheydterstrasse"


@pytest.mark.parametrize("spelling", ["Rheydterstr.", "Rheydterstraße", "Rheydterstr"])
def test_joined_street_suffix(spelling):
    assert normalise_street(spelling) == "rheydterstrasse"


def test_sankt_and_umlauts():
    assert normalise_street("St. Anna-Str.") == normalise_street("Sankt-Anna-Straße")
    assert normalise_street("Am Mühlenbach") == "ammuehlenbach"
    assert normalise_street("Stadtwaldgürtel") == "stadtwaldguertel"  # "St" of a word stays


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("12", "12"),
        ("12a", "12a"),
        ("12 a", "12a"),
        ("12-A", "12a"),
        ("12 A", "12a"),
        ("12-14", "12-14"),
        ("12/14", "12-14"),
        ("012", "12"),
        ("Hinterhaus", "hinterhaus"),
    ],
)
def test_housenumbers(raw, key):
    assert normalise_housenumber(raw) == key


def test_address_key():
    assert address_key("Rheydter Str.", "12 A", "41460") == "rheydterstrasse|12a|41460"
    assert address_key("Rheydter Straße", "12a") == "rheydterstrasse|12a|"
