"""Address search: "Rheydter Str 12" in any spelling → ranked suggestions.

Street names are compared in normalised form (see :mod:`sozialraum.model.addresses`):
prefix matches first, then substring matches, then fuzzy matches (rapidfuzz) for typos.
House numbers match exactly or by prefix ("12" finds "12", "12a", "12-14").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from sozialraum.model.addresses import normalise_housenumber, normalise_street

_QUERY = re.compile(
    r"^(?P<street>.*?)[\s,]*(?P<number>\d+\s*[a-zA-Z]?(?:\s*[-/]\s*\d+\s*[a-zA-Z]?)?)?"
    r"(?:[\s,]+\d{5}\b.*)?\s*$"
)
_NUMBER = re.compile(r"\d+")
FUZZY_MIN_SCORE = 80


@dataclass(frozen=True)
class Suggestion:
    """One search result: feature id, display label, match kind and score (0–100)."""

    id: str
    label: str
    street: str
    housenumber: str
    postcode: str | None
    district: str | None
    match: str  # "exakt", "Straße", "ähnlich"
    score: int


def _sort_key(housenumber: str) -> tuple[int, str]:
    match = _NUMBER.match(housenumber)
    return (int(match.group()) if match else 10**9, housenumber)


class AddressIndex:
    """Addresses of an area grouped by normalised street, for fast suggestions.

    Parameters
    ----------
    addresses : list of dict
        Address features from the store (EPSG:4326).
    """

    def __init__(self, addresses: list[dict]):
        self._streets: dict[str, list[tuple[str, dict]]] = {}
        for feature in addresses:
            props = feature["properties"]
            key = normalise_street(props["street"])
            self._streets.setdefault(key, []).append(
                (normalise_housenumber(props["housenumber"]), feature)
            )
        for houses in self._streets.values():
            houses.sort(key=lambda item: _sort_key(item[0]))
        self._names = list(self._streets)

    def __len__(self) -> int:
        return sum(len(houses) for houses in self._streets.values())

    def _streets_for(self, query: str) -> list[tuple[str, int, str]]:
        prefix = [(s, 100, "Straße") for s in self._names if s.startswith(query)]
        inner = [(s, 95, "Straße") for s in self._names if query in s and not s.startswith(query)]
        found = prefix + inner
        if not found and len(query) >= 4:
            for name, score, _ in process.extract(
                query, self._names, scorer=fuzz.ratio, limit=5, score_cutoff=FUZZY_MIN_SCORE
            ):
                found.append((name, int(score), "ähnlich"))
        return found

    def search(self, text: str, limit: int = 10) -> list[Suggestion]:
        """Return up to ``limit`` suggestions for a typed address.

        Parameters
        ----------
        text : str
            e.g. ``"Rheydter Str 12"``, ``"rheydter strasse 12 a, 41460 Neuss"``.
        limit : int
            Maximum number of suggestions.
        """
        match = _QUERY.match(text.strip()[:200])
        if not match:
            return []
        street = normalise_street(match.group("street") or "")
        number = match.group("number")
        if len(street) < 2:
            return []
        wanted = normalise_housenumber(number) if number else None
        results: list[tuple[tuple, Suggestion]] = []
        for rank, (name, score, kind) in enumerate(self._streets_for(street)):
            for hn, feature in self._streets[name]:
                if wanted is not None and not (hn == wanted or hn.startswith(wanted)):
                    continue
                exact = wanted is not None and hn == wanted and kind != "ähnlich"
                props = feature["properties"]
                suggestion = Suggestion(
                    id=feature["id"],
                    label=_label(props),
                    street=props["street"],
                    housenumber=props["housenumber"],
                    postcode=props.get("postcode"),
                    district=props.get("district"),
                    match="exakt" if exact else kind,
                    score=100 if exact else score,
                )
                results.append(((not exact, -score, rank, _sort_key(hn)), suggestion))
        results.sort(key=lambda item: item[0])
        unique: dict[str, Suggestion] = {}  # OSM may map one address twice (node + building)
        for _, suggestion in results:
            unique.setdefault(suggestion.label, suggestion)
            if len(unique) == limit:
                break
        return list(unique.values())


def _label(props: dict) -> str:
    town = " ".join(filter(None, (props.get("postcode"), props.get("city"))))
    street = f"{props['street']} {props['housenumber']}"
    return f"{street}, {town}" if town else street
