"""Address matching on a labelled set of variants built from real extracts (Neuss, Dreieich):
abbreviations, case, hyphens, suffix and range forms, missing postcode, one-line input, typos,
wrong city, addresses that do not exist. Target: >= 99 % correct, no wrong confident match."""

from __future__ import annotations

from collections import Counter

import pytest
from analysis.labelled_addresses import judge, labelled_set, run_case, truth_key
from conftest import EXTRACTS

from sozialraum.analysis.matching import AddressMatcher, parse_line
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
