"""Data-protection guard: refuse text that looks like client data (pure, no I/O besides rules).

Notes describe places, never clients (§§ 67 ff. SGB X, DSGVO). The rules live in
``privacy_rules.toml`` next to this module; a municipality adds rules (or switches
one off by id with ``enabled = false``) in ``privacy_rules.toml`` in the instance
folder. A rule is a pattern plus ``allow`` patterns for known harmless forms (a match
lying wholly inside an ``allow`` match does not count: "Mo-Fr Frühstück" is no
"Fr. Name", "Frau-Holle-Straße" no person) and ``refuse``/``accept`` examples that are
checked when the file is loaded, so every rule carries its own positive and negative
test. The refusal names what was found but never repeats the matched text, so the
message can be shown and logged safely.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sozialraum.errors import ConfigError, InvalidInput
from sozialraum.model._tables import read_entries

DEFAULT_RULES_FILE = Path(__file__).with_name("privacy_rules.toml")
#: how far around a match ``allow`` patterns are looked for (characters)
ALLOW_WINDOW = 120
#: invisible characters that word processors and phones put into words (soft hyphen, zero widths)
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_FIELDS = {
    "id", "label", "pattern", "case_sensitive", "enabled", "allow", "hint", "refuse", "accept",
}  # fmt: skip


class PrivacyViolation(InvalidInput):
    """Text that looks like client data; ``rules`` names the rule ids that matched."""

    status = 422

    def __init__(self, message: str, rules: list[str]):
        super().__init__(message)
        self.rules = rules


@dataclass(frozen=True)
class PrivacyRule:
    """One rule.

    Attributes
    ----------
    id : str
        Lower-case id (``enabled = false`` in a municipality's file switches it off).
    label : str
        What it finds, in German ("eine Telefonnummer").
    pattern : re.Pattern
        What it finds.
    allow : tuple of re.Pattern
        Known harmless forms: a match of ``pattern`` wholly inside a match of one of
        these does not count.
    hint : str
        Optional German advice added to the refusal (e.g. where a phone number belongs).
    """

    id: str
    label: str
    pattern: re.Pattern
    allow: tuple[re.Pattern, ...] = ()
    hint: str = ""

    def matches(self, text: str) -> bool:
        """Whether ``text`` holds a match that no ``allow`` pattern covers.

        ``allow`` patterns are looked for only within ``ALLOW_WINDOW`` characters around
        a match (they describe short phrases), which keeps long texts fast.
        """
        for match in self.pattern.finditer(text):
            start, end = match.span()
            if not self._allowed(text, start, end):
                return True
        return False

    def _allowed(self, text: str, start: int, end: int) -> bool:
        low, high = max(0, start - ALLOW_WINDOW), min(len(text), end + ALLOW_WINDOW)
        return any(
            a.start() <= start and end <= a.end()
            for allow in self.allow
            for a in allow.finditer(text, low, high)
        )


def _compile(pattern: object, flags: int, where: str, field: str) -> re.Pattern:
    """A pattern, or a list of alternatives (one a line in the file, joined with ``|``)."""
    name = "pattern" if field == "pattern" else f"{field} pattern"
    if isinstance(pattern, list) and pattern and all(isinstance(p, str) and p for p in pattern):
        pattern = "|".join(f"(?:{p})" for p in pattern)
    if not isinstance(pattern, str) or not pattern:
        raise ConfigError(f"{where}: '{field}' must be a regular expression or a list of them")
    try:
        compiled = re.compile(pattern, flags)
    except re.error as exc:
        raise ConfigError(f"{where}: invalid {name} ({exc})") from None
    if compiled.search(""):
        raise ConfigError(f"{where}: the {name} matches empty text")
    return compiled


def _texts(entry: dict, field: str, where: str) -> list[str]:
    value = entry.get(field, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{where}: '{field}' must be a list of texts")
    return value


def _rule(entry: dict, path: Path) -> PrivacyRule | None:
    where = f"{path}: rule {entry.get('id')!r}"
    rule_id = entry.get("id")
    if not isinstance(rule_id, str) or not _ID.match(rule_id):
        raise ConfigError(f"{where}: 'id' must be lower-case letters, digits and _")
    unknown = set(entry) - _FIELDS
    if unknown:
        raise ConfigError(f"{where}: unknown fields {sorted(unknown)}")
    if entry.get("enabled", True) is False:
        return None
    label, hint = entry.get("label"), entry.get("hint", "")
    if not isinstance(label, str) or not label.strip():
        raise ConfigError(f"{where}: 'label' must be a non-empty text")
    if not isinstance(hint, str):
        raise ConfigError(f"{where}: 'hint' must be a text")
    flags = 0 if entry.get("case_sensitive") else re.IGNORECASE
    pattern = _compile(entry.get("pattern"), flags, where, "pattern")
    allow = tuple(_compile(a, flags, where, "allow") for a in _texts(entry, "allow", where))
    rule = PrivacyRule(rule_id, label.strip(), pattern, allow, hint.strip())
    for example in _texts(entry, "refuse", where):
        if not rule.matches(example):
            raise ConfigError(f"{where}: does not find its own example {example!r}")
    for example in _texts(entry, "accept", where):
        if rule.matches(example):
            raise ConfigError(f"{where}: refuses its own harmless example {example!r}")
    return rule


class PrivacyGuard:
    """The rules of a municipality.

    Parameters
    ----------
    rules : iterable of PrivacyRule
        Rules in the order they are reported.
    """

    def __init__(self, rules: Iterable[PrivacyRule]):
        self.rules = tuple(rules)

    def findings(self, text: str) -> list[PrivacyRule]:
        """Rules that match ``text`` (empty: the text looks fine).

        The text is checked in Unicode NFC ("ä" typed or pasted as "a" + diaeresis is the
        same) and without invisible characters (soft hyphens, zero-width spaces).
        """
        text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
        return [rule for rule in self.rules if rule.matches(text)]

    def check(self, *texts: str | None) -> None:
        """Refuse ``texts`` that look like client data.

        Raises
        ------
        PrivacyViolation
            With a German explanation that names what was found, never the text itself.
        """
        found: dict[str, PrivacyRule] = {}
        for text in texts:
            if text:
                for rule in self.findings(text):
                    found.setdefault(rule.id, rule)
        if found:
            what = german_list(list(dict.fromkeys(rule.label for rule in found.values())))
            hints = "".join(f" {h}" for h in dict.fromkeys(r.hint for r in found.values()) if h)
            raise PrivacyViolation(
                f"Der Text enthält anscheinend {what}. Notizen beschreiben Orte, nie "
                "Klientinnen oder Klienten: Namen, Geburtsdaten, Aktenzeichen, BG-Nummern, "
                "Telefonnummern und E-Mail-Adressen gehören nicht in dieses Werkzeug "
                "(Sozialdatenschutz, §§ 67 ff. SGB X). Bitte beschreiben Sie den Ort "
                "oder die Rolle (z. B. „Pfarrer der Gemeinde“) ohne persönliche Daten." + hints,
                list(found),
            )


def german_list(items: list[str]) -> str:
    """Join ``items`` as German prose: "a", "a und b", "a, b und c"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " und " + items[-1]


def load_privacy_guard(
    extra_file: Path | None = None, *, base_file: Path = DEFAULT_RULES_FILE
) -> PrivacyGuard:
    """Return the built-in rules, extended (or switched off by id) by ``extra_file``.

    Parameters
    ----------
    extra_file : pathlib.Path, optional
        A municipality's ``privacy_rules.toml``; a missing file means the built-in rules.
        A rule with the id of a built-in rule replaces it.
    base_file : pathlib.Path, optional
        The built-in rules (another file only for comparisons, e.g. in the benchmark).

    Returns
    -------
    PrivacyGuard

    Raises
    ------
    ConfigError
        If a file is unreadable, a rule is invalid or a rule fails its own ``refuse`` /
        ``accept`` examples.
    """
    rules: dict[str, PrivacyRule | None] = {}
    files = [Path(base_file)]
    if extra_file is not None and Path(extra_file).exists():
        files.append(Path(extra_file))
    for path in files:
        for entry in read_entries(path, "rule", "privacy rule file"):
            rule = _rule(entry, path)
            rules[entry["id"]] = rule
    return PrivacyGuard(rule for rule in rules.values() if rule is not None)
