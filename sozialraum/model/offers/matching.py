"""The finder: a person's situation (in memory only) matched against offers.

The situation is never stored or logged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from sozialraum.errors import InvalidInput
from sozialraum.model.offers.ages import age_limit_text, parse_age, stored_age_limit
from sozialraum.model.offers.flags import offer_flags
from sozialraum.model.offers.vocabulary import (
    CONDITIONS,
    LANGUAGES,
    LEGAL_BASES,
    TARGET_GROUP_AGES,
    TARGET_GROUPS,
    TOPICS,
    Condition,
)


@dataclass(frozen=True)
class Situation:
    """A person's situation as ticked in the finder; held in memory only, never stored.

    Attributes
    ----------
    target_groups, circuits, languages, topics : frozenset of str
        Ids from :data:`TARGET_GROUPS`, :data:`LEGAL_BASES`, :data:`LANGUAGES`,
        :data:`TOPICS`. Empty: not asked (no filter).
    employed : bool or None
        Has a job (``None``: unknown).
    disability_recognised : bool or None
        Recognised severe disability (GdB ≥ 50) or equal status (``None``: unknown).
    age_years : int or None
        Age in whole years (``None``: unknown). Offers with an age limit are then listed
        to clarify, never simply fitting.
    """

    target_groups: frozenset = field(default_factory=frozenset)
    circuits: frozenset = field(default_factory=frozenset)
    languages: frozenset = field(default_factory=frozenset)
    topics: frozenset = field(default_factory=frozenset)
    employed: bool | None = None
    disability_recognised: bool | None = None
    age_years: int | None = None

    def age_groups(self) -> frozenset:
        """Target groups the age puts the person into (:data:`TARGET_GROUP_AGES`)."""
        if self.age_years is None:
            return frozenset()
        return frozenset(
            group
            for group, (low, high) in TARGET_GROUP_AGES.items()
            if (low is None or self.age_years >= low) and (high is None or self.age_years <= high)
        )


def _tri(value: object, name: str) -> bool | None:
    if value in (None, "", "offen", "unbekannt"):
        return None
    if value in (True, "ja", "yes", "true", "1"):
        return True
    if value in (False, "nein", "no", "false", "0"):
        return False
    raise InvalidInput(f"{name}: bitte ja, nein oder offen angeben.")


def situation_from(data: Mapping) -> Situation:
    """Build a :class:`Situation` from form or JSON values; :class:`InvalidInput` on bad ids.

    ``data`` keys: ``target_groups``, ``circuits``, ``languages``, ``topics`` (lists of ids)
    and ``employed``, ``disability_recognised`` (``ja``/``nein``/``offen`` or booleans) and
    ``age_years`` (whole years 0–120 as a number or text; empty: unknown).
    """
    vocabularies = {
        "target_groups": (TARGET_GROUPS, "Zielgruppen"),
        "circuits": (LEGAL_BASES, "Rechtskreis"),
        "languages": (LANGUAGES, "Sprachen"),
        "topics": (TOPICS, "Anliegen"),
    }
    sets = {}
    for key, (vocabulary, label) in vocabularies.items():
        value = data.get(key) or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise InvalidInput(f"{label}: bitte eine Liste angeben.")
        bad = [v for v in value if v not in vocabulary]
        if bad:
            raise InvalidInput(f"{label}: „{bad[0][:40]}“ ist unbekannt.")
        sets[key] = frozenset(value)
    return Situation(
        **sets,
        employed=_tri(data.get("employed"), "Arbeitsverhältnis"),
        disability_recognised=_tri(data.get("disability_recognised"), "Schwerbehinderung"),
        age_years=parse_age(data.get("age_years"), "Alter"),
    )


def condition_state(condition: Condition, situation: Situation) -> str:
    """``"erfuellt"``, ``"nicht_erfuellt"`` or ``"offen"`` (the situation does not say)."""
    if condition.fact is None:
        return "erfuellt"
    if condition.fact == "circuits":
        if not situation.circuits:
            return "offen"
        return "erfuellt" if condition.needs in situation.circuits else "nicht_erfuellt"
    value = getattr(situation, condition.fact)
    if value is None:
        return "offen"
    return "erfuellt" if value == condition.needs else "nicht_erfuellt"


@dataclass
class Match:
    """How one offer fits a situation.

    Attributes
    ----------
    fits : bool
        Nothing rules it out (target group, language, topic, eligibility, end date).
    reasons : list of str
        Why it fits, in German.
    to_check : list of str
        Conditions the situation does not answer ("bitte klären").
    misses : list of str
        Why it does not fit (empty when ``fits``).
    score : int
        How many things speak for it (target groups, topics, circuit, languages).
    """

    fits: bool
    reasons: list[str]
    to_check: list[str]
    misses: list[str]
    score: int


def _labels(ids: Iterable[str], vocabulary: Mapping[str, str]) -> str:
    return ", ".join(vocabulary[i] for i in ids if i in vocabulary)


def match_offer(properties: Mapping, situation: Situation, today: date) -> Match:
    """Match one offer's properties against a situation.

    Rules: an offer with target groups needs one of them in the situation, ticked or implied
    by the age (:data:`TARGET_GROUP_AGES`; an offer without any is open to all); an offer's
    age limit must hold for the age (unknown age: listed to clarify); ticked topics and
    languages need one in common (an offer without languages is in German); every
    eligibility condition must not contradict the situation (unanswered ones are listed to
    clarify); offers past ``valid_to`` do not fit. The legal
    basis never excludes: a person in SGB II may use an SGB IX offer unless a condition
    restricts it to a legal circuit.
    """
    found = Match(True, [], [], [], 0)
    groups = [g for g in properties.get("target_groups") or [] if g in TARGET_GROUPS]
    _match_target_groups(found, groups, situation)
    low, high = stored_age_limit(properties)
    limit = age_limit_text(low, high)
    if not groups:  # with an age limit "offen für alle" would contradict the age line below
        found.reasons.append("offen für alle Zielgruppen" if limit else "offen für alle")
    if limit:
        _match_age(found, low, high, limit, situation.age_years)
    _match_topics_and_languages(found, properties, situation)
    bases = [b for b in properties.get("legal_bases") or [] if b in LEGAL_BASES]
    common = [b for b in bases if b in situation.circuits]
    if common:
        found.reasons.append("Rechtskreis: " + _labels(common, LEGAL_BASES))
        found.score += 1
    _match_conditions(found, properties.get("eligibility") or [], situation)
    flags = offer_flags(properties, today)
    if flags["ended"]:
        found.misses.append(flags["labels"][0])
    found.fits = not found.misses
    return found


def _match_target_groups(found: Match, groups: list[str], situation: Situation) -> None:
    """Target groups: one ticked or implied by the age (none on the offer: open to all)."""
    if not groups:
        return
    common = [g for g in groups if g in situation.target_groups]
    by_age = [g for g in groups if g in situation.age_groups() and g not in common]
    if common or by_age:
        found.reasons.append(
            "Zielgruppe: "
            + ", ".join(
                [TARGET_GROUPS[g] for g in common]
                + [f"{TARGET_GROUPS[g]} (nach dem Alter)" for g in by_age]
            )
        )
        found.score += 2 * len(common) + 2 * len(by_age)
    else:
        found.misses.append("nur für: " + _labels(groups, TARGET_GROUPS))


def _match_age(
    found: Match, low: int | None, high: int | None, limit: str, age_years: int | None
) -> None:
    """The offer's age limit (whole years, inclusive) against the age (unknown: to clarify)."""
    if age_years is None:
        found.to_check.append(f"Alter: nur für Menschen {limit}")
    elif (low is None or age_years >= low) and (high is None or age_years <= high):
        found.reasons.append(f"Alter passt: für Menschen {limit}")
        found.score += 1
    else:
        found.misses.append(f"Alter passt nicht: nur für Menschen {limit}")


def _match_topics_and_languages(found: Match, properties: Mapping, situation: Situation) -> None:
    """Ticked topics and languages need one in common (no languages: German)."""
    if situation.topics:
        topics = [t for t in properties.get("topics") or [] if t in TOPICS]
        common = [t for t in topics if t in situation.topics]
        if common:
            found.reasons.append("Anliegen: " + _labels(common, TOPICS))
            found.score += 2 * len(common)
        else:
            found.misses.append("hilft bei anderem: " + (_labels(topics, TOPICS) or "ohne Angabe"))
    if situation.languages:
        languages = [x for x in properties.get("languages") or ["de"] if x in LANGUAGES]
        common = [x for x in languages if x in situation.languages]
        if common:
            found.reasons.append("Sprache: " + _labels(common, LANGUAGES))
            found.score += 1
        else:
            found.misses.append("nur in: " + _labels(languages, LANGUAGES))


def _match_conditions(found: Match, condition_ids: Iterable[str], situation: Situation) -> None:
    """Eligibility conditions: met, unanswered (to clarify) or contradicted (a miss)."""
    for condition_id in condition_ids:
        condition = CONDITIONS.get(condition_id)
        if condition is None:
            continue
        state = condition_state(condition, situation)
        if state == "erfuellt":
            found.reasons.append(
                condition.label if condition.fact is None else f"erfüllt: {condition.label}"
            )
        elif state == "offen":
            found.to_check.append(condition.label)
        else:
            found.misses.append(f"Voraussetzung fehlt: {condition.label}")


def plain_conditions(properties: Mapping) -> list[str]:
    """The offer's eligibility conditions and age limit in plain German.

    For the citizen's handout: the offer's limit, never the person's age.
    """
    texts = [CONDITIONS[c].plain for c in properties.get("eligibility") or [] if c in CONDITIONS]
    limit = age_limit_text(*stored_age_limit(properties))
    if limit:
        texts.append(f"Das Angebot ist für Menschen {limit}.")
    return texts
