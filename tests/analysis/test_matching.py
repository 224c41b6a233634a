"""Address matching on a labelled set of variants built from real extracts (Neuss, Dreieich):
abbreviations, case, hyphens, suffix and range forms, missing postcode, one-line input, typos,
wrong city, addresses that do not exist. Target: >= 99 % correct, no wrong confident match."""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest
from conftest import EXTRACTS

from sozialraum.analysis.matching import AddressMatcher, parse_line
from sozialraum.model.addresses import normalise_housenumber, normalise_street
from sozialraum.osm.importer import import_area

CONFIDENT = {"exact", "normalised", "fuzzy"}


def _key(props) -> tuple[str, str, str]:
    return (
        normalise_street(props["street"]),
        normalise_housenumber(props["housenumber"]),
        (props.get("postcode") or "").strip(),
    )


def _abbreviate(street: str) -> str:
    return re.sub(r"(?i)stra(ß|ss)e\b", "Str.", street)


def _typo(street: str, rng: random.Random) -> str:
    letters = [
        i for i in range(2, len(street) - 4) if street[i].isalpha() and street[i + 1].isalpha()
    ]
    i = rng.choice(letters)
    return street[:i] + street[i + 1] + street[i] + street[i + 2 :]


def labelled_set(addresses: list[dict], seed: int, count: int) -> list[tuple]:
    """(description, input parts, allowed kinds, truth key or None) per variant."""
    rng = random.Random(seed)
    by_street_number = Counter((_key(a["properties"])[0], _key(a["properties"])[1]) for a in {
        _key(a["properties"]): a for a in addresses}.values())  # fmt: skip
    numbers_on: dict[str, set[str]] = {}
    for a in addresses:
        k = _key(a["properties"])
        numbers_on.setdefault(k[0], set()).add(k[1])
    usable = [a for a in addresses if a["properties"].get("postcode")]
    cases = []
    for feature in rng.sample(usable, count):
        p = feature["properties"]
        street, number, postcode, city = p["street"], p["housenumber"], p["postcode"], p.get("city")
        truth = _key(p)
        unique = by_street_number[(truth[0], truth[1])] == 1
        cases.append(("as in OSM", (street, number, postcode, city), {"exact"}, truth))
        variant = _abbreviate(street)
        if variant == street:
            variant = street.upper()
        cases.append(
            ("abbreviated", (variant, number, postcode, None), {"exact", "normalised"}, truth)
        )
        hyphenated = street.lower().replace(" ", "-")
        cases.append(
            (
                "lower case, hyphen",
                (hyphenated, number, postcode, None),
                {"exact", "normalised"},
                truth,
            )
        )
        cases.append(("one line", (f"{_abbreviate(street)} {number}, {postcode} {city or ''}",),
                      {"exact", "normalised"}, truth))  # fmt: skip
        if unique:
            cases.append(
                ("no postcode", (street, number, None, None), {"exact", "normalised"}, truth)
            )
        else:
            cases.append(("no postcode, twice", (street, number, None, None), {"ambiguous"}, None))
        if re.fullmatch(r"\d+[a-zA-Z]", number.strip()):
            digits, letter = number.strip()[:-1], number.strip()[-1]
            for form in (
                f"{digits} {letter}",
                f"{digits}-{letter.upper()}",
                f"{digits} {letter.upper()}",
            ):
                cases.append(("suffix form", (street, form, postcode, None), {"normalised"}, truth))
        if "-" in number or "/" in number:
            cases.append(("range form", (street, number.replace("-", "/"), postcode, None),
                          {"exact", "normalised"}, truth))  # fmt: skip
        if len(street) >= 10:
            cases.append(("typo", (_typo(street, rng), number, postcode, None), {"fuzzy"}, truth))
        cases.append(("wrong city", (street, number, None, "Berlin"), {"none"}, None))
        missing = str(max(int(re.match(r"\d+", n).group()) for n in numbers_on[truth[0]]
                          if re.match(r"\d+", n)) + 500)  # fmt: skip
        cases.append(("no such number", (street, missing, postcode, None), {"none"}, None))
        cases.append(("no such street", ("Zyxwvutweg", number, postcode, None), {"none"}, None))
        if not number.strip()[-1].isalpha() and f"{truth[1]}z" not in numbers_on[truth[0]]:
            cases.append(
                ("no such suffix", (street, number + "z", postcode, None), {"ambiguous"}, None)
            )
    return cases


@pytest.fixture(scope="module", params=["neuss-innenstadt", "dreieich-dreieichenhain"])
def labelled(request, tmp_path_factory):
    from sozialraum.store import GeoJSONStore

    store = GeoJSONStore(tmp_path_factory.mktemp("match"))
    import_area(store, "a", osm_file=EXTRACTS[request.param])
    addresses = store.query("a", "addresses")
    return AddressMatcher(addresses), labelled_set(addresses, seed=5, count=40)


def _run(matcher, parts):
    return matcher.match_line(parts[0]) if len(parts) == 1 else matcher.match(*parts)


def test_labelled_set_is_big_and_varied(labelled):
    _, cases = labelled
    assert len(cases) >= 300
    kinds = Counter(description for description, *_ in cases)
    for description in ("abbreviated", "typo", "wrong city", "no such street", "no postcode"):
        assert kinds[description] >= 10, kinds


def test_share_correct_and_no_wrong_confident_match(labelled):
    matcher, cases = labelled
    wrong_confident, incorrect = [], []
    for description, parts, allowed, truth in cases:
        result = _run(matcher, parts)
        got = _key(result.feature["properties"]) if result.feature else None
        if result.kind in CONFIDENT and got != truth:
            wrong_confident.append((description, parts, result.kind, got))
        ok = result.kind in allowed and (result.kind not in CONFIDENT or got == truth)
        if not ok:
            incorrect.append((description, parts, result.kind, result.reason))
    assert wrong_confident == []
    assert len(incorrect) / len(cases) <= 0.01, incorrect[:10]


def test_every_result_says_why_when_not_matched(labelled):
    matcher, cases = labelled
    for _, parts, _, _ in cases[:80]:
        result = _run(matcher, parts)
        assert 0 <= result.score <= 100
        if result.kind in ("ambiguous", "none"):
            assert result.reason and result.feature is None
        if result.kind == "ambiguous":
            assert 1 <= len(result.candidates) <= 5


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Rheydter Str. 12a, 41460 Neuss", ("Rheydter Str", "12a", "41460", "Neuss")),
        ("  Rheydter Straße 12 - 14 ", ("Rheydter Straße", "12 - 14", None, None)),
        ('"Markt 1", 41460', ("Markt", "1", "41460", None)),
        ("Am Alten Bach 7 B Neuss", ("Am Alten Bach", "7 B", None, "Neuss")),
    ],
)
def test_parse_line(text, parts):
    assert parse_line(text) == parts
