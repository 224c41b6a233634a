"""Resource categories: the table from OSM tags to sozialraum's categories.

Each category has a stable id (used as key in files, the API and ``areas show``),
a German label, a colour (hex, used on the map and in the legend), a Font Awesome
icon name and a list of OSM tag rules. An OSM object can be in several
categories: a supermarket that is also a post partner counts in both.

A municipality changes the table without code changes by putting a
``categories.toml`` into the instance folder::

    [[category]]            # add a new category
    id = "food_bank"
    label = "Tafel"
    colour = "#8c564b"
    icon = "utensils"
    match = ["social_facility=food_bank"]

    [[category]]            # change an existing one (only the given fields)
    id = "bakery"
    match = ["shop=bakery", "shop=pastry"]

    [[category]]            # remove one
    id = "playground"
    enabled = false

A rule is ``key=value``, ``key=value1|value2`` or ``key=*`` (key present).
Values separated by ``;`` in OSM (``school;kindergarten``) match each part.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from sozialraum.errors import ConfigError
from sozialraum.model._tables import IdTable, read_entries

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_ICON = re.compile(r"^[a-z0-9-]{1,40}$")
_KEY = re.compile(r"^[A-Za-z0-9_:.-]{1,60}$")


@dataclass(frozen=True)
class Rule:
    """One OSM tag rule: ``key`` with one of ``values`` (``None`` = any value)."""

    key: str
    values: frozenset[str] | None

    @classmethod
    def parse(cls, text: str) -> Rule:
        """Parse ``key=value``, ``key=a|b`` or ``key=*``."""
        key, sep, value = text.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not _KEY.match(key) or not value:
            raise ConfigError(f"invalid tag rule {text!r}: expected key=value, key=a|b or key=*")
        if value == "*":
            return cls(key, None)
        return cls(key, frozenset(v.strip() for v in value.split("|") if v.strip()))

    def matches(self, tags: Mapping[str, str]) -> bool:
        """Return True if ``tags`` satisfy this rule."""
        value = tags.get(self.key)
        if value is None:
            return False
        if self.values is None:
            return True
        return any(part.strip() in self.values for part in value.split(";"))

    def __str__(self) -> str:
        return f"{self.key}=" + ("*" if self.values is None else "|".join(sorted(self.values)))


@dataclass(frozen=True)
class Category:
    """A resource category with its German label, map colour, icon and tag rules."""

    id: str
    label: str
    colour: str
    icon: str
    rules: tuple[Rule, ...] = field(default_factory=tuple)

    def matches(self, tags: Mapping[str, str]) -> bool:
        """Return True if any rule matches ``tags``."""
        return any(rule.matches(tags) for rule in self.rules)


def _cat(id_: str, label: str, colour: str, icon: str, *rules: str) -> Category:
    return Category(id_, label, colour, icon, tuple(Rule.parse(r) for r in rules))


DEFAULT_CATEGORIES: tuple[Category, ...] = (
    _cat("bakery", "Bäckerei", "#b5651d", "bread-slice", "shop=bakery"),
    _cat("hairdresser", "Friseur", "#9467bd", "scissors", "shop=hairdresser"),
    _cat("pharmacy", "Apotheke", "#d62728", "prescription-bottle-medical", "amenity=pharmacy"),
    _cat("place_of_worship", "Kirche/Gemeinde", "#7f7f7f", "church", "amenity=place_of_worship"),
    _cat("post_box", "Briefkasten der Post", "#ffd700", "envelope", "amenity=post_box"),
    _cat(
        "post_office",
        "Post/Paketshop",
        "#111111",
        "box",
        "amenity=post_office",
        "post_office=*",
    ),
    _cat("doctor", "Arztpraxis", "#1f77b4", "user-doctor", "amenity=doctors", "healthcare=doctor"),
    _cat("school", "Schule", "#2ca02c", "school", "amenity=school"),
    _cat("kita", "Kita", "#98df8a", "children", "amenity=kindergarten|childcare"),
    _cat(
        "social_facility",
        "Soziale Einrichtung",
        "#e377c2",
        "hands-holding-child",
        "amenity=social_facility",
    ),
    _cat(
        "community_centre",
        "Begegnungsstätte",
        "#ff7f0e",
        "people-roof",
        "amenity=community_centre",
    ),
    _cat("library", "Bibliothek", "#8c564b", "book", "amenity=library"),
    _cat("supermarket", "Supermarkt", "#17becf", "cart-shopping", "shop=supermarket"),
    _cat(
        "stop",
        "Haltestelle",
        "#393b79",
        "bus",
        "highway=bus_stop",
        "railway=station|halt|tram_stop",
    ),
    _cat(
        "authority",
        "Behörde",
        "#637939",
        "landmark",
        "amenity=townhall",
        "office=government|employment_agency",
    ),
    _cat("playground", "Spielplatz", "#bcbd22", "child-reaching", "leisure=playground"),
)


class CategoryTable(IdTable):
    """An ordered set of categories with tag classification.

    Parameters
    ----------
    categories : iterable of Category
        Categories in display order; ids must be unique.
    """

    def __init__(self, categories: Iterable[Category]):
        super().__init__(categories, "category")
        # key -> [(position, rule, category id)], so classify looks only at keys present
        self._rules_by_key: dict[str, list[tuple[int, Rule, str]]] = {}
        for position, cat in enumerate(self._by_id.values()):
            for rule in cat.rules:
                self._rules_by_key.setdefault(rule.key, []).append((position, rule, cat.id))

    def classify(self, tags: Mapping[str, str]) -> list[str]:
        """Return the ids of all categories whose rules match ``tags`` (may be empty)."""
        hits: dict[int, str] = {}
        for key in self._rules_by_key.keys() & tags.keys():
            for position, rule, cat_id in self._rules_by_key[key]:
                if position not in hits and rule.matches(tags):
                    hits[position] = cat_id
        return [hits[position] for position in sorted(hits)]

    def osm_keys(self) -> list[str]:
        """All OSM keys any rule looks at (for pre-filtering a file pass)."""
        return sorted({rule.key for cat in self for rule in cat.rules})

    def rules_for(self, key: str) -> list[Rule]:
        """All rules that look at ``key``."""
        return [rule for _, rule, _ in self._rules_by_key.get(key, [])]

    def osmnx_tags(self) -> dict[str, bool | list[str]]:
        """The rules as an osmnx ``tags`` filter (keys ORed, values listed, ``True`` = any)."""
        tags: dict[str, bool | list[str]] = {}
        for cat in self:
            for rule in cat.rules:
                if rule.values is None or tags.get(rule.key) is True:
                    tags[rule.key] = True
                else:
                    tags[rule.key] = sorted(set(tags.get(rule.key) or []) | rule.values)
        return tags


def _apply_override(base: dict[str, Category], entry: Mapping, source: Path) -> None:
    where = f"{source}: category {entry.get('id')!r}"
    cat_id = entry.get("id")
    if not isinstance(cat_id, str) or not _ID.match(cat_id):
        raise ConfigError(f"{where}: 'id' must be lower-case letters, digits and _")
    unknown = set(entry) - {"id", "label", "colour", "icon", "match", "enabled"}
    if unknown:
        raise ConfigError(f"{where}: unknown fields {sorted(unknown)}")
    if entry.get("enabled", True) is False:
        base.pop(cat_id, None)
        return
    current = base.get(cat_id)
    if current is None:
        missing = {"label", "colour", "icon", "match"} - set(entry)
        if missing:
            raise ConfigError(f"{where}: a new category needs {sorted(missing)}")
        current = Category(cat_id, "", "#000000", "circle")
    changes = {}
    if "label" in entry:
        if not isinstance(entry["label"], str) or not entry["label"].strip():
            raise ConfigError(f"{where}: 'label' must be a non-empty text")
        changes["label"] = entry["label"].strip()
    if "colour" in entry:
        if not isinstance(entry["colour"], str) or not _COLOUR.match(entry["colour"]):
            raise ConfigError(f"{where}: 'colour' must look like #1f77b4")
        changes["colour"] = entry["colour"]
    if "icon" in entry:
        if not isinstance(entry["icon"], str) or not _ICON.match(entry["icon"]):
            raise ConfigError(f"{where}: 'icon' must be a Font Awesome name like 'book'")
        changes["icon"] = entry["icon"]
    if "match" in entry:
        rules = entry["match"]
        if not isinstance(rules, list) or not rules or not all(isinstance(r, str) for r in rules):
            raise ConfigError(f"{where}: 'match' must be a non-empty list of 'key=value' rules")
        try:
            changes["rules"] = tuple(Rule.parse(r) for r in rules)
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    base[cat_id] = replace(current, **changes)


def load_categories(override_file: Path | None = None) -> CategoryTable:
    """Return the default category table, changed by ``override_file`` if it exists.

    Parameters
    ----------
    override_file : pathlib.Path, optional
        A TOML file with ``[[category]]`` entries (see the module docstring).
        A missing file means the defaults.

    Returns
    -------
    CategoryTable
    """
    base = {cat.id: cat for cat in DEFAULT_CATEGORIES}
    if override_file is None or not override_file.exists():
        return CategoryTable(base.values())
    for entry in read_entries(override_file, "category", "category file"):
        _apply_override(base, entry, override_file)
    if not base:
        raise ConfigError(f"{override_file}: no categories left")
    return CategoryTable(base.values())
