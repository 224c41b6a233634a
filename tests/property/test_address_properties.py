"""Property tests of the German address normalisation (``sozialraum.model.addresses``) and of
the address matcher built on it (``sozialraum.analysis.matching``).

What the code promises (docstrings, tests/model/test_addresses.py): street keys are lower
case with umlauts and ß spelled out, spaces/hyphens/dots removed, Str./str/Strasse/Straße
alike and a leading St. read as Sankt; house numbers ignore case, spacing and the separator
of a letter suffix ("12a" = "12 a" = "12 A" = "12-A") and write ranges as "12-14".
"""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from sozialraum.analysis.matching import AddressMatcher
from sozialraum.model.addresses import address_key, normalise_housenumber, normalise_street

#: characters of (German) street names, including the separators the key drops
STREET_CHARS = "abcdefghijklmnopqrstuvwxyzäöüßABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÜẞ0123456789 -.'"
#: pieces the normalisation treats specially, so that they occur often
STREET_TOKENS = ["Str.", "str.", "Str", "Straße", "Strasse", "STRASSE", "St.", "St ", "Sankt "]
STREET_TEXT = st.lists(
    st.sampled_from(list(STREET_CHARS)) | st.sampled_from(STREET_TOKENS), max_size=25
).map("".join)
WHITESPACE = st.text(st.sampled_from(" \t\n\r\u00a0\u2003"), max_size=4)
#: a street name without a suffix: capitalised German words
NAME = st.from_regex(r"[A-ZÄÖÜ][a-zäöüß]{2,12}([ -][A-ZÄÖÜ][a-zäöüß]{2,12})?", fullmatch=True)
STRASSE = st.sampled_from(["Straße", "Strasse", "Str.", "str.", "Str", "str", "straße", "STRASSE"])

NUMBER = st.integers(0, 9999)
LETTER = st.sampled_from("abcdefghijklmnopqrstuvwxyz")
SUFFIX_SEP = st.sampled_from(["", " ", "  ", "-", "/", "\t", " - "])
HOUSENUMBER_TEXT = st.text(st.sampled_from("0123456789 aAbBzZ-/\t."), max_size=12)

SOME = settings(max_examples=200)


# -- streets -------------------------------------------------------------------------------
@SOME
@given(st.one_of(st.text(), STREET_TEXT))
@example("Rheydter Str.")
@example("St. Anna-Str.")
def test_street_key_is_idempotent_and_plain_ascii(street):
    key = normalise_street(street)
    assert normalise_street(key) == key
    assert re.fullmatch(r"[a-z0-9]*", key), key


@SOME
@given(STREET_TEXT)
def test_street_key_ignores_case(street):
    key = normalise_street(street)
    assert normalise_street(street.upper()) == key
    assert normalise_street(street.lower()) == key


@SOME
@given(STREET_TEXT, WHITESPACE, WHITESPACE, st.sampled_from([" ", "  ", "\t", " \t ", "\u00a0"]))
def test_street_key_ignores_surrounding_and_repeated_whitespace(street, before, after, run):
    key = normalise_street(street)
    assert normalise_street(before + street + after) == key
    assert normalise_street(street.replace(" ", run)) == key


@SOME
@given(STREET_TEXT)
def test_street_key_treats_hyphens_between_words_like_spaces(street):
    words = " ".join(street.split())
    assert normalise_street(words.replace(" ", "-")) == normalise_street(words)


@SOME
@given(NAME, st.sampled_from(["", " ", "-", "  "]), STRASSE)
@example("Rheydter", " ", "Str.")
@example("Astrid-Lindgren", "-", "Str.")
def test_every_spelling_of_strasse_gives_one_key(name, separator, strasse):
    assert normalise_street(name + separator + strasse) == normalise_street(name + " Straße")
    assert normalise_street(f"{name}{separator}{strasse}").endswith("strasse")


@SOME
@given(NAME, st.sampled_from(["St.", "St. ", "St ", "St-", "St.-", "Sankt ", "Sankt-", "ST. "]))
def test_leading_st_is_sankt(name, sankt):
    assert normalise_street(sankt + name) == "sankt" + normalise_street(name)


@SOME
@given(NAME)
def test_umlauts_and_sharp_s_are_spelled_out(name):
    spelled = (
        (name.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss"))
        .replace("Ä", "Ae")
        .replace("Ö", "Oe")
        .replace("Ü", "Ue")
    )
    assert normalise_street(name) == normalise_street(spelled)


# -- house numbers -------------------------------------------------------------------------
@SOME
@given(st.one_of(st.text(), HOUSENUMBER_TEXT))
@example("0 1")  # was "01", and "01" -> "1": not idempotent before the fix
@example("01 2a")
def test_housenumber_key_is_idempotent(housenumber):
    key = normalise_housenumber(housenumber)
    assert normalise_housenumber(key) == key


@SOME
@given(HOUSENUMBER_TEXT, WHITESPACE, WHITESPACE)
def test_housenumber_key_ignores_case_and_surrounding_whitespace(housenumber, before, after):
    key = normalise_housenumber(housenumber)
    assert normalise_housenumber(housenumber.upper()) == key
    assert normalise_housenumber(before + housenumber + after) == key


@SOME
@given(NUMBER, st.integers(0, 2), SUFFIX_SEP, LETTER, st.booleans())
def test_housenumber_suffix_spelling(number, zeros, separator, letter, upper):
    typed = "0" * zeros + str(number) + separator + (letter.upper() if upper else letter)
    assert normalise_housenumber(typed) == f"{number}{letter}"


@SOME
@given(
    NUMBER,
    NUMBER,
    st.sampled_from(["-", "/", " - ", " / "]),
    st.sampled_from(["", "a", "B"]),
    st.sampled_from(["", "c"]),
)
def test_housenumber_ranges(first, last, separator, first_suffix, last_suffix):
    typed = f"{first}{first_suffix}{separator}{last}{last_suffix}"
    assert normalise_housenumber(typed) == f"{first}{first_suffix.lower()}-{last}{last_suffix}"


@SOME
@given(
    STREET_TEXT, HOUSENUMBER_TEXT, st.one_of(st.none(), st.from_regex(r"[0-9]{5}", fullmatch=True))
)
def test_address_key_is_made_of_the_normalised_parts(street, housenumber, postcode):
    key = address_key(street, housenumber, postcode)
    assert key == "|".join(
        (normalise_street(street), normalise_housenumber(housenumber), postcode or "")
    )
    # typing the address differently (case, surrounding blanks) gives the same key
    assert address_key(f"  {street.upper()} ", f" {housenumber.upper()}\t", postcode) == key


# -- matching builds on the normalisation ------------------------------------------------
def _address(street: str, housenumber: str, postcode: str) -> dict:
    return {
        "type": "Feature",
        "id": "a1",
        "geometry": {"type": "Point", "coordinates": [6.95, 51.43]},
        "properties": {"street": street, "housenumber": housenumber, "postcode": postcode},
    }


@settings(max_examples=150)
@given(
    name=NAME,
    stored_strasse=STRASSE,
    typed_strasse=STRASSE,
    number=st.integers(1, 999),
    letter=LETTER,
    separator=st.sampled_from(["", " ", "-"]),
    upper=st.booleans(),
    postcode=st.from_regex(r"[1-9][0-9]{4}", fullmatch=True),
)
def test_matcher_finds_an_address_in_any_supported_spelling(
    name, stored_strasse, typed_strasse, number, letter, separator, upper, postcode
):
    address = _address(f"{name} {stored_strasse}", f"{number}{letter}", postcode)
    matcher = AddressMatcher([address])
    typed_number = f"{number}{separator}{letter.upper() if upper else letter}"
    typed_street = f"  {name.upper() if upper else name}  {typed_strasse} "

    found = matcher.match(typed_street, typed_number, postcode)
    assert found.kind in ("exact", "normalised"), found
    assert found.feature is address


@settings(max_examples=100)
@given(
    name=NAME,
    strasse=STRASSE,
    number=st.integers(1, 999),
    letter=LETTER,
    separator=st.sampled_from(["", " ", "-"]),
    upper=st.booleans(),
    postcode=st.from_regex(r"[1-9][0-9]{4}", fullmatch=True),
)
@example("Rheydter", "Str.", 12, "a", "-", True, "41460")  # "Rheydter Str. 12-A, 41460"
def test_matcher_finds_an_address_typed_in_one_line(
    name, strasse, number, letter, separator, upper, postcode
):
    """The module promises "12 a" = "12a" = "12-A"; that holds for a one-line address too."""
    address = _address(f"{name} Straße", f"{number}{letter}", postcode)
    typed_number = f"{number}{separator}{letter.upper() if upper else letter}"
    line = AddressMatcher([address]).match_line(f"{name} {strasse} {typed_number}, {postcode}")
    assert line.kind in ("exact", "normalised"), line
    assert line.feature is address
