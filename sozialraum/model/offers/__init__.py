"""Support offers (Angebote): vocabularies, checking an offer, eligibility and matching (pure).

An offer is a support service in the region — e.g. a job-coaching project for severely
disabled jobseekers run by an employers' association and funded by the Integrationsamt from
the Ausgleichsabgabe. It has a place (a point, lon/lat degrees, EPSG:4326) or is region-wide
(no point). Offers describe services and their providers, never clients.

The finder matches a person's *situation* (target groups, legal circuit, languages,
employment, recognised disability, topics, age) against offers. The situation is an in-memory
object: it is never stored or logged.

Modules: :mod:`.vocabulary` (ids, labels, fields), :mod:`.parsing` and :mod:`.ages` (one
field each), :mod:`.checking` (a whole offer), :mod:`.flags` (ended, unchecked, editors),
:mod:`.matching` (the finder). Their public names are importable from here.
"""

from sozialraum.model.offers.ages import (
    age_limit_text,
    parse_age,
    stored_age_limit,
)
from sozialraum.model.offers.checking import (
    OfferInput,
    check_offer_input,
)
from sozialraum.model.offers.flags import (
    check_due,
    content_changed,
    editors_after,
    offer_editors,
    offer_flags,
)
from sozialraum.model.offers.matching import (
    Match,
    Situation,
    condition_state,
    match_offer,
    plain_conditions,
    situation_from,
)
from sozialraum.model.offers.parsing import (
    label_lookup,
    parse_day_field,
    parse_ids,
    parse_offer_day,
    parse_point,
    parse_text,
    parse_yes_no,
)
from sozialraum.model.offers.vocabulary import (
    ARCHIVED_FIELD,
    CHECK_MONTHS,
    CHECKED_BY_ROLES,
    CONDITIONS,
    CONTENT_FIELDS,
    EDITORS_FIELD,
    FIELD_LABELS,
    FIELDS,
    FUNDERS,
    LANGUAGES,
    LEGAL_BASES,
    LIST_FIELDS,
    MAX_AGE_YEARS,
    MAX_NAME_CHARS,
    MAX_SHORT_CHARS,
    MAX_TEXT_CHARS,
    MIN_AGE_YEARS,
    TARGET_GROUP_AGES,
    TARGET_GROUPS,
    TEXT_LANGUAGE_LABELS,
    TEXT_LANGUAGES,
    TOPICS,
    Condition,
)

__all__ = [
    "ARCHIVED_FIELD",
    "CHECKED_BY_ROLES",
    "CHECK_MONTHS",
    "CONDITIONS",
    "CONTENT_FIELDS",
    "EDITORS_FIELD",
    "FIELDS",
    "FIELD_LABELS",
    "FUNDERS",
    "LANGUAGES",
    "LEGAL_BASES",
    "LIST_FIELDS",
    "MAX_AGE_YEARS",
    "MAX_NAME_CHARS",
    "MAX_SHORT_CHARS",
    "MAX_TEXT_CHARS",
    "MIN_AGE_YEARS",
    "TARGET_GROUPS",
    "TARGET_GROUP_AGES",
    "TEXT_LANGUAGES",
    "TEXT_LANGUAGE_LABELS",
    "TOPICS",
    "Condition",
    "Match",
    "OfferInput",
    "Situation",
    "age_limit_text",
    "check_due",
    "check_offer_input",
    "condition_state",
    "content_changed",
    "editors_after",
    "label_lookup",
    "match_offer",
    "offer_editors",
    "offer_flags",
    "parse_age",
    "parse_day_field",
    "parse_ids",
    "parse_offer_day",
    "parse_point",
    "parse_text",
    "parse_yes_no",
    "plain_conditions",
    "situation_from",
    "stored_age_limit",
]
