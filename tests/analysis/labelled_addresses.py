"""A labelled set of typed address variants built from real extracts, with expected results.

Used by ``tests/analysis/test_matching.py`` and by ``benchmarks/mailbox.py``. Every case is
``(description, input parts, allowed kinds, truth key or None)``: abbreviations, case,
hyphens, suffix and range forms, missing postcode, one-line input, typos, wrong city,
addresses that do not exist. Deterministic for a given seed.
"""

from __future__ import annotations

import random
import re
from collections import Counter

from sozialraum.model.addresses import normalise_housenumber, normalise_street

CONFIDENT = {"exact", "normalised", "fuzzy"}


def truth_key(props) -> tuple[str, str, str]:
    """The normalised (street, housenumber, postcode) of an address's properties."""
    return (
        normalise_street(props["street"]),
        normalise_housenumber(props["housenumber"]),
        (props.get("postcode") or "").strip(),
    )


def _abbreviate(street: str) -> str:
    return re.sub(r"(?i)stra(ß|ss)e\b", "Str.", street)


def _typo(street: str, rng: random.Random) -> str:
    letters = [  # two different letters side by side: swapping them is a real typo
        i
        for i in range(2, len(street) - 4)
        if street[i].isalpha() and street[i + 1].isalpha() and street[i] != street[i + 1]
    ]
    i = rng.choice(letters)
    return street[:i] + street[i + 1] + street[i] + street[i + 2 :]


def labelled_set(addresses: list[dict], seed: int, count: int) -> list[tuple]:
    """(description, input parts, allowed kinds, truth key or None) per variant."""
    rng = random.Random(seed)
    distinct = {truth_key(a["properties"]) for a in addresses}
    by_street_number = Counter((street, number) for street, number, _ in distinct)
    numbers_on: dict[str, set[str]] = {}
    for a in addresses:
        k = truth_key(a["properties"])
        numbers_on.setdefault(k[0], set()).add(k[1])
    usable = [a for a in addresses if a["properties"].get("postcode")]
    cases = []
    for feature in rng.sample(usable, count):
        p = feature["properties"]
        street, number, postcode, city = p["street"], p["housenumber"], p["postcode"], p.get("city")
        truth = truth_key(p)
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


def run_case(matcher, parts):
    """Match one case's input parts: one part is a one-line address."""
    return matcher.match_line(parts[0]) if len(parts) == 1 else matcher.match(*parts)


def judge(kind: str, got, allowed: set[str], truth) -> tuple[bool, bool]:
    """(correct, wrong confident match) for a result of ``kind`` with truth key ``got``."""
    wrong_confident = kind in CONFIDENT and got != truth
    return kind in allowed and not wrong_confident, wrong_confident
