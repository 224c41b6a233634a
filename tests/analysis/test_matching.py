"""Address matching on a labelled set of variants built from real extracts (Neuss, Dreieich):
abbreviations, case, hyphens, suffix and range forms, missing postcode, one-line input, typos,
wrong city, addresses that do not exist. Target: >= 99 % correct, no wrong confident match."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from support.labelled_addresses import (
    LAYOUTS,
    judge,
    labelled_set,
    layout_quality,
    run_case,
    truth_key,
)
from support.paths import EXTRACTS

from sozialraum.analysis.matching import MATCH_KINDS, MATCH_LABELS, AddressMatcher, parse_line
from sozialraum.osm.importer import import_area


@pytest.fixture(scope="module", params=["neuss-innenstadt", "dreieich-dreieichenhain"])
def labelled(request, tmp_path_factory):
    from sozialraum.store import GeoJSONStore

    store = GeoJSONStore(tmp_path_factory.mktemp("match"))
    import_area(store, "a", osm_file=EXTRACTS[request.param])
    addresses = store.query("a", "addresses")
    return AddressMatcher(addresses), labelled_set(addresses, seed=5, count=40)


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
        result = run_case(matcher, parts)
        got = truth_key(result.feature["properties"]) if result.feature else None
        ok, confidently_wrong = judge(result.kind, got, allowed, truth)
        if confidently_wrong:
            wrong_confident.append((description, parts, result.kind, got))
        if not ok:
            incorrect.append((description, parts, result.kind, result.reason))
    assert wrong_confident == []
    assert len(incorrect) / len(cases) <= 0.01, incorrect[:10]


def test_every_result_says_why_when_not_matched(labelled):
    matcher, cases = labelled
    for _, parts, _, _ in cases[:80]:
        result = run_case(matcher, parts)
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
        ("Rheydter Str. 12-A, 41460 Neuss", ("Rheydter Str", "12-A", "41460", "Neuss")),
        ("Markt 3/b", ("Markt", "3/b", None, None)),
        ("Hauptstr. 12 Neuss", ("Hauptstr", "12", None, "Neuss")),
    ],
)
def test_parse_line(text, parts):
    assert parse_line(text) == parts


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_list_layouts_as_exported_are_read_and_matched(labelled, layout):
    """Running numbers, customer numbers, names, birth dates, combined columns, one address
    column, cp1252/UTF-8, ';'/',': the address columns are found from the file alone and
    every layout is >= 99 % correct with no wrong confident match."""
    matcher, cases = labelled
    table, rows, correct, wrong, incorrect = layout_quality(matcher, cases, layout)
    assert table.mapping.names() == LAYOUTS[layout][3]
    assert rows >= 0.95 * len(cases)
    assert wrong == 0, incorrect[:5]
    assert correct / rows >= 0.99, incorrect[:10]


def test_a_number_in_the_street_that_differs_is_never_a_match(labelled):
    """ "Miraustraße 40" in the street column and a running number 2 in the number column:
    neither house is reported as found."""
    matcher, cases = labelled
    street, number, postcode, _ = next(
        parts for description, parts, *_ in cases if description == "as in OSM"
    )
    other = str(int(re.match(r"\d+", number).group()) + 1)
    result = matcher.match(f"{street} {number}", other, postcode)
    assert result.kind == "ambiguous" and result.feature is None
    assert "Zwei verschiedene Hausnummern" in result.reason
    same = matcher.match(f"{street} {number}", number, postcode)
    assert same.kind == "exact" or same.kind == "normalised"
    assert same.feature["properties"]["housenumber"] == number


def test_every_kind_has_a_german_label():
    assert set(MATCH_LABELS) == set(MATCH_KINDS)
    assert MATCH_LABELS["exact"] == "genau" and MATCH_LABELS["none"] == "keine"
