"""Match typed German addresses to an area's addresses: exact → normalised → fuzzy.

Every result says how it was found (``match_kind``) and how sure it is (``score`` 0–100).
Ambiguous or weak results are reported as ``ambiguous`` with their candidates and are never
picked silently; an address that is not in the area is ``none`` ("nicht gefunden"). Street
names are compared in normalised form (case, umlauts and ß, Str./Straße, spaces and hyphens,
St./Sankt; see :mod:`sozialraum.model.addresses`), house numbers with suffixes and ranges
("12 a" = "12a" = "12-A", "12/14" = "12-14"); typos in street names go through rapidfuzz.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process

from sozialraum.model.addresses import normalise_housenumber, normalise_street

MATCH_KINDS = ("exact", "normalised", "fuzzy", "ambiguous", "none")
#: German labels of the match kinds (web result, the web's CSV download).
MATCH_LABELS = {
    "exact": "genau",
    "normalised": "normalisiert",
    "fuzzy": "ähnlich",
    "ambiguous": "mehrdeutig",
    "none": "keine",
}
#: Street similarity (rapidfuzz ratio of normalised names) for a confident fuzzy match.
FUZZY_CONFIDENT = 88
#: Below this a street is not considered at all; between the two it is a weak candidate.
FUZZY_WEAK = 75
#: A second street this close to the best makes the result ambiguous.
FUZZY_MARGIN = 4
CITY_MIN_SCORE = 85

_LINE = re.compile(
    r"^(?P<street>.*?)[\s,]*(?P<number>\d+(?:\s*[-/]?\s*[a-zA-Z](?![a-zA-Z]))?"
    r"(?:\s*[-/]\s*\d+(?:\s*[a-zA-Z](?![a-zA-Z]))?)?)"
    r"(?:\s*,?\s*(?P<postcode>\d{5})?\s*(?P<city>[^\d,][^,]*)?)?\s*$"
)
_NOISE = " \t\r\n,;.:\"'()[]"
_DIGITS = re.compile(r"\d+")
_POSTCODE = re.compile(r"\d{5}")


@dataclass(frozen=True)
class Match:
    """The result for one typed address.

    Attributes
    ----------
    kind : str
        ``exact``, ``normalised``, ``fuzzy``, ``ambiguous`` or ``none``.
    score : int
        0–100: 100 exact; 95 normalised; the street similarity for fuzzy; the best
        candidate's for ambiguous; 0 for none.
    feature : dict or None
        The matched address feature (for exact, normalised, fuzzy).
    candidates : list of dict
        Possible addresses for ``ambiguous`` (at most 5).
    reason : str
        Why, in German (e.g. "Hausnummer 12a nicht gefunden; es gibt 12").
    """

    kind: str
    score: int
    feature: dict | None = None
    candidates: list[dict] = field(default_factory=list)
    reason: str = ""


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    return " ".join(text.strip(_NOISE).split())


def _city_key(city: str) -> str:
    return normalise_street(city)  # same folding; "Neuss" -> "neuss"


def parse_line(text: str) -> tuple[str, str, str | None, str | None]:
    """Split ``"Rheydter Str. 12a, 41460 Neuss"`` into street, number, postcode, city."""
    match = _LINE.match(_fold((text or "").replace('"', " "))[:300])
    if not match or not match.group("street"):
        return _fold(text), "", None, None
    city = (match.group("city") or "").strip(_NOISE) or None
    street, number = match.group("street").strip(_NOISE), match.group("number").strip()
    return street, number, match.group("postcode"), city


@lru_cache(maxsize=65_536)
def _number_part(housenumber: str) -> str:
    found = _DIGITS.match(housenumber)
    return found.group() if found else housenumber


def _same_number(result: Match, housenumber: str) -> Match:
    """A confident match must have the house number that was asked for (normalised).

    Anything else is reported as ambiguous, never as a match.
    """
    if result.feature is None:
        return result
    found = result.feature["properties"]["housenumber"]
    if normalise_housenumber(_fold(found)) == normalise_housenumber(housenumber):
        return result
    return Match(
        "ambiguous",
        min(result.score, 70),
        candidates=[result.feature],
        reason=f"Hausnummer weicht ab ({found[:10]} statt {housenumber[:10]}).",
    )


class AddressMatcher:
    """The addresses of an area, indexed for matching.

    Parameters
    ----------
    addresses : list of dict
        Address features from the store (EPSG:4326) with ``street``, ``housenumber`` and
        optional ``postcode``/``city``. One address mapped twice in OSM (node and
        building) counts once.
    """

    def __init__(self, addresses: list[dict]):
        self._raw: dict[tuple[str, str], list[dict]] = {}
        self._streets: dict[str, dict[str, list[dict]]] = {}
        self.postcodes: set[str] = set()
        self._cities: set[str] = set()
        seen: set[tuple[str, str, str]] = set()
        for feature in addresses:
            props = feature["properties"]
            street, number = props["street"], props["housenumber"]
            postcode = (props.get("postcode") or "").strip()
            norm_street, norm_number = normalise_street(street), normalise_housenumber(number)
            if (norm_street, norm_number, postcode) in seen:
                continue
            seen.add((norm_street, norm_number, postcode))
            self._raw.setdefault((_fold(street), _fold(number)), []).append(feature)
            self._streets.setdefault(norm_street, {}).setdefault(norm_number, []).append(feature)
            if postcode:
                self.postcodes.add(postcode)
            if props.get("city"):
                self._cities.add(_city_key(props["city"]))
        self._names = list(self._streets)

    def __len__(self) -> int:
        return sum(len(v) for houses in self._streets.values() for v in houses.values())

    # -- helpers -------------------------------------------------------------------------
    def _by_postcode(self, features: list[dict], postcode: str | None) -> list[dict]:
        if not postcode:
            return features
        return [f for f in features if (f["properties"].get("postcode") or "") == postcode]

    def _near_numbers(self, houses: dict[str, list[dict]], number: str) -> list[dict]:
        """Addresses on the street with the same numeric part (12 for 12a, 12a for 12)."""
        base = _number_part(number)
        parts = {base, *_DIGITS.findall(number)}
        return [
            f
            for key, features in houses.items()
            if key != number and (_number_part(key) in parts or key.startswith(base + "-"))
            for f in features
        ]

    def _on_street(self, houses, number, postcode, kind, score, street_label) -> Match:
        features = houses.get(number, [])
        chosen = self._by_postcode(features, postcode)
        if len(chosen) == 1:
            return Match(kind, score, chosen[0])
        if len(chosen) > 1:
            return Match(
                "ambiguous",
                score,
                candidates=chosen[:5],
                reason="Die Adresse gibt es mehrfach (verschiedene Postleitzahlen); bitte "
                "Postleitzahl angeben.",
            )
        if features:  # the street and number exist, but with another postcode
            return Match(
                "ambiguous",
                min(score, 80),
                candidates=features[:5],
                reason=f"Postleitzahl {postcode} passt nicht zu dieser Adresse.",
            )
        near = self._by_postcode(self._near_numbers(houses, number), postcode)
        if near:
            others = ", ".join(sorted({f["properties"]["housenumber"] for f in near})[:5])
            return Match(
                "ambiguous",
                min(score, 70),
                candidates=near[:5],
                reason=f"Hausnummer nicht gefunden; in {street_label} gibt es {others}.",
            )
        return Match("none", 0, reason=f"Hausnummer in {street_label} nicht gefunden.")

    # -- matching ------------------------------------------------------------------------
    def match(
        self,
        street: str,
        housenumber: str = "",
        postcode: str | None = None,
        city: str | None = None,
    ) -> Match:
        """Match one address given in parts (missing parts may be empty).

        A street with the number in it ("Rheydter Str. 12") is split first.
        """
        street, housenumber = _fold(street), _fold(housenumber)
        postcode = _fold(postcode or "") or None
        city = _fold(city or "") or None
        if street and not housenumber:
            street, housenumber, line_postcode, line_city = parse_line(street)
            postcode, city = postcode or line_postcode, city or line_city
        elif street and housenumber and normalise_street(street) not in self._streets:
            line_street, line_number, _, _ = parse_line(street)
            if line_number and line_street:  # "Miraustraße 40" with house number "2"
                if normalise_housenumber(line_number) != normalise_housenumber(housenumber):
                    return self._two_numbers(line_street, line_number, housenumber, postcode)
                street = line_street
        if not street or not housenumber:
            return Match("none", 0, reason="Straße oder Hausnummer fehlt.")
        if postcode and not _POSTCODE.fullmatch(postcode):
            return Match("none", 0, reason=f"„{postcode[:10]}“ ist keine Postleitzahl.")
        if postcode and self.postcodes and postcode not in self.postcodes:
            return Match("none", 0, reason=f"Postleitzahl {postcode} liegt nicht im Gebiet.")
        if city and self._cities:
            key = _city_key(city)
            best = max((fuzz.ratio(key, c) for c in self._cities), default=0)
            if best < CITY_MIN_SCORE and not any(key in c or c in key for c in self._cities):
                return Match("none", 0, reason=f"Der Ort „{city[:40]}“ liegt nicht im Gebiet.")
        return _same_number(self._match_parts(street, housenumber, postcode), housenumber)

    def _match_parts(self, street: str, housenumber: str, postcode: str | None) -> Match:
        exact = self._by_postcode(self._raw.get((street, housenumber), []), postcode)
        if len(exact) == 1:
            return Match("exact", 100, exact[0])
        norm_street, norm_number = normalise_street(street), normalise_housenumber(housenumber)
        if norm_street in self._streets:
            return self._on_street(
                self._streets[norm_street], norm_number, postcode, "normalised", 95, street
            )
        return self._fuzzy(norm_street, norm_number, postcode, street)

    def _two_numbers(self, street: str, first: str, second: str, postcode: str | None) -> Match:
        """A street cell with a number and a different house number: never a match.

        The houses of both numbers are the candidates.
        """
        candidates = []
        for number in (first, second):
            found = self._match_parts(street, number, postcode)
            candidates += [found.feature] if found.feature else found.candidates
        reason = (
            f"Zwei verschiedene Hausnummern: „{first[:10]}“ bei der Straße, "
            f"„{second[:10]}“ als Hausnummer – bitte prüfen."
        )
        if not candidates:
            return Match("none", 0, reason=reason)
        return Match("ambiguous", 50, candidates=candidates[:5], reason=reason)

    def _fuzzy(self, norm_street: str, norm_number: str, postcode, street: str) -> Match:
        if len(norm_street) < 4:
            return Match("none", 0, reason=f"Die Straße „{street[:60]}“ gibt es im Gebiet nicht.")
        found = process.extract(
            norm_street, self._names, scorer=fuzz.ratio, limit=5, score_cutoff=FUZZY_WEAK
        )
        with_number = [
            (name, int(score))
            for name, score, _ in found
            if self._by_postcode(self._streets[name].get(norm_number, []), postcode)
        ]
        if not with_number:
            return Match("none", 0, reason=f"Die Straße „{street[:60]}“ gibt es im Gebiet nicht.")
        best_name, best = with_number[0]
        rivals = [name for name, score in with_number[1:] if score >= best - FUZZY_MARGIN]
        if best >= FUZZY_CONFIDENT and not rivals:
            result = self._on_street(
                self._streets[best_name], norm_number, postcode, "fuzzy", best, street
            )
            if result.kind == "fuzzy":
                return Match(
                    "fuzzy",
                    best,
                    result.feature,
                    reason=f"Schreibweise ähnlich („{result.feature['properties']['street']}“).",
                )
            return result
        candidates = [
            f
            for name, _ in with_number[:3]
            for f in self._by_postcode(self._streets[name][norm_number], postcode)
        ]
        return Match(
            "ambiguous",
            best,
            candidates=candidates[:5],
            reason="Unsicher: mehrere ähnliche Straßen."
            if rivals
            else "Unsicher: Straße nur ähnlich.",
        )

    def match_line(self, text: str) -> Match:
        """Match an address written in one line, e.g. ``"Rheydter Str. 12a, 41460 Neuss"``."""
        return self.match(*parse_line(text))
