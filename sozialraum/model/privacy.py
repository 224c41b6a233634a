"""Data-protection guard: refuse text that looks like client data (pure, no I/O besides rules).

Notes describe places, never clients (§§ 67 ff. SGB X, DSGVO). The rules live in
``privacy_rules.toml`` next to this module; a municipality adds rules (or switches
one off by id with ``enabled = false``) in ``privacy_rules.toml`` in the instance
folder. The refusal names what was found but never repeats the matched text, so
the message can be shown and logged safely.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sozialraum.errors import ConfigError, InvalidInput
from sozialraum.model._tables import read_entries

DEFAULT_RULES_FILE = Path(__file__).with_name("privacy_rules.toml")
_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class PrivacyViolation(InvalidInput):
    """Text that looks like client data; ``rules`` names the rule ids that matched."""

    status = 422

    def __init__(self, message: str, rules: list[str]):
        super().__init__(message)
        self.rules = rules


@dataclass(frozen=True)
class PrivacyRule:
    """One rule: id, what it finds in German (``label``), compiled pattern."""

    id: str
    label: str
    pattern: re.Pattern


def _rule(entry: dict, path: Path) -> PrivacyRule | None:
    where = f"{path}: rule {entry.get('id')!r}"
    rule_id = entry.get("id")
    if not isinstance(rule_id, str) or not _ID.match(rule_id):
        raise ConfigError(f"{where}: 'id' must be lower-case letters, digits and _")
    unknown = set(entry) - {"id", "label", "pattern", "case_sensitive", "enabled"}
    if unknown:
        raise ConfigError(f"{where}: unknown fields {sorted(unknown)}")
    if entry.get("enabled", True) is False:
        return None
    label, pattern = entry.get("label"), entry.get("pattern")
    if not isinstance(label, str) or not label.strip():
        raise ConfigError(f"{where}: 'label' must be a non-empty text")
    if not isinstance(pattern, str) or not pattern:
        raise ConfigError(f"{where}: 'pattern' must be a regular expression")
    flags = 0 if entry.get("case_sensitive") else re.IGNORECASE
    try:
        compiled = re.compile(pattern, flags)
    except re.error as exc:
        raise ConfigError(f"{where}: invalid pattern ({exc})") from None
    if compiled.search(""):
        raise ConfigError(f"{where}: the pattern matches empty text")
    return PrivacyRule(rule_id, label.strip(), compiled)


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
        """Rules that match ``text`` (empty: the text looks fine)."""
        return [rule for rule in self.rules if rule.pattern.search(text)]

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
            what = ", ".join(rule.label for rule in found.values())
            raise PrivacyViolation(
                f"Der Text enthält anscheinend {what}. Notizen beschreiben Orte, nie "
                "Klientinnen oder Klienten: Namen, Geburtsdaten, Aktenzeichen, BG-Nummern, "
                "Telefonnummern und E-Mail-Adressen gehören nicht in dieses Werkzeug "
                "(Sozialdatenschutz, §§ 67 ff. SGB X). Bitte beschreiben Sie den Ort "
                "oder die Rolle (z. B. „Pfarrer der Gemeinde“) ohne persönliche Daten.",
                list(found),
            )


def load_privacy_guard(extra_file: Path | None = None) -> PrivacyGuard:
    """Return the built-in rules, extended (or switched off by id) by ``extra_file``.

    Parameters
    ----------
    extra_file : pathlib.Path, optional
        A municipality's ``privacy_rules.toml``; a missing file means the built-in rules.

    Returns
    -------
    PrivacyGuard

    Raises
    ------
    ConfigError
        If a file is unreadable or a rule is invalid.
    """
    rules: dict[str, PrivacyRule | None] = {}
    files = [DEFAULT_RULES_FILE]
    if extra_file is not None and Path(extra_file).exists():
        files.append(Path(extra_file))
    for path in files:
        for entry in read_entries(path, "rule", "privacy rule file"):
            rule = _rule(entry, path)
            rules[entry["id"]] = rule
    return PrivacyGuard(rule for rule in rules.values() if rule is not None)
