"""API models of the support offers: input, filters, the offer, proposals, the finder.

The input models describe shapes (types, unknown fields); the vocabularies, lengths, ages,
dates and the four-eyes rule are checked by :func:`sozialraum.model.offers.check_offer_input`
with German messages, so their limits appear here as documentation only.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, create_model, model_validator

from sozialraum.model import offers as model
from sozialraum.services.offers import PROPOSAL_STATES
from sozialraum.services.offers.proposals import MAX_COMMENT_CHARS
from sozialraum.web.schemas import Answer, Lat, Lon, Point, Query, Shape, rule

#: Largest JSON body accepted by the offer routes (an offer is a few kilobytes).
MAX_BODY_BYTES = 64 * 1024
AGE = {"minimum": model.MIN_AGE_YEARS, "maximum": model.MAX_AGE_YEARS}
DAY_TEXT = "2026-10-01 or 01.10.2026"
Tri = bool | Literal["ja", "nein", "offen", ""] | None


def _ids(vocabulary, what: str) -> object:
    """A list field of the input: ids or German labels, as a list or ``|``/``,``/``;`` text."""
    return Field(
        None,
        description=f"{what}: ids ({', '.join(vocabulary)}) or their German labels; a list "
        "or text separated by | , or ;",
    )


def _limit(size: int, what: str) -> object:
    return Field(None, json_schema_extra={"maxLength": size}, description=what)


def _translations() -> dict:
    """Name and description per handout language (``name_ar``, ``description_ar``, …).

    Field name → ``(type, FieldInfo)`` for :func:`pydantic.create_model`; the languages are
    :data:`sozialraum.model.offers.TEXT_LANGUAGES`, the lengths are checked by the model.
    """
    return {
        f"{field}_{suffix}": (
            str | None,
            Field(
                None,
                json_schema_extra={"maxLength": limit},
                description=f"{what} in {code} ({model.TEXT_LANGUAGE_LABELS[code]}), written "
                f"by a person (optional, at most {limit} characters; none: the German text "
                "is printed)",
            ),
        )
        for code, suffix in model.TEXT_LANGUAGES.items()
        for field, what, limit in (
            ("name", "name", model.MAX_NAME_CHARS),
            ("description", "description", model.MAX_TEXT_CHARS),
        )
    }


class _OfferInputFields(Shape):
    """An offer as a lead enters it (German fields; see :class:`OfferInput`)."""

    model_config = {
        "json_schema_extra": {"required": ["name", "provider", "funders", "description"]}
    }
    example = (
        '{"name": "…", "provider": "…", "funders": ["kommune"], "description": "…", '
        '"phone": "…", "lon": 6.95, "lat": 51.43}'
    )
    labels = model.FIELD_LABELS

    name: str | None = _limit(model.MAX_NAME_CHARS, "name of the offer")
    provider: str | None = _limit(model.MAX_NAME_CHARS, "provider (Träger)")
    funders: list[str] | str | None = _ids(model.FUNDERS, "Förderer, at least one")
    legal_bases: list[str] | str | None = _ids(model.LEGAL_BASES, "Rechtsgrundlage")
    target_groups: list[str] | str | None = _ids(
        model.TARGET_GROUPS, "Zielgruppen (none: open to all)"
    )
    eligibility: list[str] | str | None = _ids(model.CONDITIONS, "Voraussetzungen")
    eligibility_note: str | None = _limit(model.MAX_SHORT_CHARS, "note on the conditions")
    min_age_years: int | None = Field(
        None,
        json_schema_extra=AGE,
        description="age limit: from this age in whole years (inclusive; 50plus: 50)",
    )
    max_age_years: int | None = Field(
        None,
        json_schema_extra=AGE,
        description="age limit: up to this age in whole years (inclusive; U25: 24)",
    )
    description: str | None = _limit(model.MAX_TEXT_CHARS, "what the offer is")
    topics: list[str] | str | None = _ids(model.TOPICS, "Themen")
    phone: str | None = Field(None, description="phone number")
    email: str | None = Field(None, description="e-mail address")
    web: str | None = Field(None, description="http(s) URL")
    opening_hours: str | None = _limit(model.MAX_SHORT_CHARS, "opening hours")
    languages: list[str] | str | None = _ids(model.LANGUAGES, "Sprachen (default: de)")
    address: str | None = _limit(model.MAX_SHORT_CHARS, "postal address")
    region_wide: bool | Literal["ja", "nein", ""] | None = Field(
        None, description="true: no point (lon/lat must be absent)"
    )
    valid_from: str | None = Field(None, description=f"first day, {DAY_TEXT}")
    valid_to: str | None = Field(None, description=f"last day, {DAY_TEXT}")
    checked_on: str | None = Field(
        None, description=f"day last checked ({DAY_TEXT}), not after today"
    )
    checked_by: str | None = Field(None, description="a role id or label (never a person's name)")
    lon: Lon | None = Field(None, description="longitude in degrees (EPSG:4326)")
    lat: Lat | None = Field(None, description="latitude in degrees (EPSG:4326)")


OfferInput = create_model(
    "OfferInput",
    __base__=_OfferInputFields,
    __module__=__name__,
    __doc__="""An offer as a lead enters it.

    lon/lat in degrees (EPSG:4326), in or near the area; or region_wide true and no point.
    Contact: phone, email, web or address. Name and description may also be given per
    handout language (``name_en``, ``description_ar``, …).
    """,
    **_translations(),
)


def _known(names) -> str:
    return ", ".join(sorted(names))


class ProposalInput(Shape):
    """A proposed new offer or change to one (anyone who writes); a lead or an admin decides."""

    example = '{"offer": {…}, "offer_id": "…" (bei Änderungen), "comment": "…"}'
    unknown_text = (
        "Vorschlag: unbekannte Felder {names}; möglich sind "
        + _known(("offer", "offer_id", "base_version", "comment"))
        + "."
    )
    labels = {**model.FIELD_LABELS, "comment": "Kommentar"}

    # in this order: the proposal's own fields are named before the offer's problems
    offer_id: str | None = Field(None, min_length=1, description="the offer to change; none: new")
    base_version: int | None = Field(
        None,
        ge=1,
        description="the offer version the change is based on (default: current)",
    )
    comment: str | None = Field(
        None,
        json_schema_extra={"maxLength": MAX_COMMENT_CHARS},
        description="checked by the data-protection rules (no client data)",
    )
    offer: OfferInput = Field(description="the offer's fields")

    @model_validator(mode="before")
    @classmethod
    def _base_needs_offer(cls, data: object) -> object:
        has_base = isinstance(data, dict) and data.get("base_version") is not None
        if has_base and data.get("offer_id") is None:
            raise rule("Vorschlag: „base_version“ gibt es nur mit „offer_id“.")
        return data


class Situation(Shape):
    """A person's situation; empty lists: not asked. Held in memory only."""

    unknown_text = "Lage: unbekannte Felder {names}"

    target_groups: list[Literal[tuple(model.TARGET_GROUPS)]] | None = Field(
        None, description="target group ids"
    )
    circuits: list[Literal[tuple(model.LEGAL_BASES)]] | None = Field(
        None, description="legal circuits (Rechtskreise): legal basis ids"
    )
    languages: list[Literal[tuple(model.LANGUAGES)]] | None = Field(
        None, description="language ids"
    )
    topics: list[Literal[tuple(model.TOPICS)]] | None = Field(None, description="topic ids")
    employed: Tri = Field(None, description="in employment: ja, nein, offen or a boolean")
    disability_recognised: Tri = Field(
        None, description="recognised severe disability (GdB from 50) or equal status"
    )
    age_years: int | None = Field(
        None,
        json_schema_extra=AGE,
        description="age in whole years (null: unknown; offers with an age limit are then "
        "listed under to_check); never stored or logged",
    )


class FinderInput(Shape):
    """What the finder is asked (nothing of it is stored or logged)."""

    example = '{"situation": {"target_groups": ["schwerbehinderte"], "employed": "nein"}}'
    unknown_text = "Anfrage: unbekannte Felder {names}; möglich sind address_id, situation, speed."

    situation: Situation | None = Field(None, description="the person's situation")
    address_id: str | None = Field(None, description="sort by walking time from here")
    speed: Literal["normal", "langsam", ""] | None = Field(
        None, description="walking speed: normal 4.5 or langsam 3 km/h"
    )


class OfferFilters(Query):
    """Filters of the offer list and exports (all optional)."""

    q: str | None = Field(
        None, description="words in name, provider, description or address (max. 100)"
    )
    zielgruppe: str | None = Field(
        None, json_schema_extra={"enum": list(model.TARGET_GROUPS)}, description="target group"
    )
    foerderer: str | None = Field(
        None, json_schema_extra={"enum": list(model.FUNDERS)}, description="funder id"
    )
    rechtsgrundlage: str | None = Field(
        None, json_schema_extra={"enum": list(model.LEGAL_BASES)}, description="legal basis id"
    )
    thema: str | None = Field(
        None, json_schema_extra={"enum": list(model.TOPICS)}, description="topic id"
    )
    hinweis: str | None = Field(
        None,
        json_schema_extra={"enum": ["pruefen", "aktuell"]},
        description="pruefen: unchecked or ended; aktuell: fit for handouts",
    )
    archiv: str | None = Field(
        None,
        json_schema_extra={"enum": ["nur", "alle"]},
        description="archived offers: left out unless nur (only them) or alle",
    )


# -- answers -----------------------------------------------------------------------------


class OfferFlags(Answer):
    """What is wrong with the offer today.

    handout: may go on a citizen's handout (not ended, not archived, checked in the last 12
    months).
    """

    ended: bool = Field(description="its last day has passed")
    not_yet: bool = Field(description="its first day lies ahead")
    unchecked: bool = Field(description="not checked in the last 12 months, or changed since")
    changed: list[str] | None = Field(
        None,
        description="who changed the content since the last check (four-eyes: another person "
        "must mark it as checked; until then it counts as unchecked)",
    )
    archived: str | None = Field(
        None,
        json_schema_extra={"format": "date"},
        description="the day the offer was archived (hidden from finder, handouts, map and "
        "this list unless archiv=nur or archiv=alle), or null",
    )
    labels: list[str] = Field(description="the flags in German")
    handout: bool = Field(description="may go on a citizen's handout")


class _OfferFields(Answer):
    """The stored fields of an offer (German; see :class:`OfferProperties`)."""

    name: str = Field(max_length=model.MAX_NAME_CHARS, description="name")
    provider: str = Field(max_length=model.MAX_NAME_CHARS, description="provider (Träger)")
    funders: list[Literal[tuple(model.FUNDERS)]] = Field(description="funder ids")
    legal_bases: list[Literal[tuple(model.LEGAL_BASES)]] | None = Field(
        None, description="legal basis ids"
    )
    target_groups: list[Literal[tuple(model.TARGET_GROUPS)]] | None = Field(
        None, description="target group ids (none: open to all)"
    )
    eligibility: list[Literal[tuple(model.CONDITIONS)]] | None = Field(
        None, description="condition ids"
    )
    eligibility_note: str | None = Field(None, description="note on the conditions")
    min_age_years: int | None = Field(None, json_schema_extra=AGE, description="from age")
    max_age_years: int | None = Field(None, json_schema_extra=AGE, description="up to age")
    description: str = Field(max_length=model.MAX_TEXT_CHARS, description="what it is")
    topics: list[Literal[tuple(model.TOPICS)]] | None = Field(None, description="topic ids")
    phone: str | None = Field(None, description="phone number")
    email: str | None = Field(None, description="e-mail address")
    web: str | None = Field(None, description="web site")
    opening_hours: str | None = Field(None, description="opening hours")
    languages: list[Literal[tuple(model.LANGUAGES)]] | None = Field(
        None, description="language ids"
    )
    address: str | None = Field(None, description="postal address")
    region_wide: bool = Field(description="for the whole area (no point)")
    valid_from: str | None = Field(None, json_schema_extra={"format": "date"}, description="from")
    valid_to: str | None = Field(None, json_schema_extra={"format": "date"}, description="to")
    checked_on: str | None = Field(
        None, json_schema_extra={"format": "date"}, description="day last checked"
    )
    checked_by: Literal[tuple(model.CHECKED_BY_ROLES)] | None = Field(
        None, description="role that checked it"
    )


OfferProperties = create_model(
    "OfferProperties",
    __base__=_OfferFields,
    __module__=__name__,
    __doc__="""The stored fields of an offer, with name and description per handout language
    where a person wrote them (``name_en``, ``description_ar``, …).""",
    **_translations(),
)


class OfferAnswerProperties(OfferProperties):
    """An offer's fields with its version, flags and whether the user may change it."""

    version: int = Field(description="version number (the ETag is v<version>)")
    updated_at: str | None = Field(None, description="time of the last change (UTC)")
    edited_by: list[str] | None = Field(
        None,
        description="who changed the content since the last check; none of them may mark it "
        "as checked",
    )
    flags: OfferFlags = Field(description="what is wrong with it today")
    can_edit: bool = Field(description="whether the current user may change it (leads, admins)")


class Offer(Answer):
    """A support offer as a GeoJSON Feature (null geometry: region-wide)."""

    type: Literal["Feature"] = Field(description="always Feature")
    id: str = Field(description="offer id")
    geometry: Point | None = Field(description="where it is (null: region-wide)")
    properties: OfferAnswerProperties = Field(description="the offer")


class OfferCollection(Answer):
    """Offers as a GeoJSON FeatureCollection."""

    type: Literal["FeatureCollection"] = Field(description="always FeatureCollection")
    features: list[Offer] = Field(description="the offers")


class OfferExport(Answer):
    """An exported offer (the stored fields)."""

    type: Literal["Feature"] = Field(description="always Feature")
    id: str = Field(description="offer id")
    geometry: Point | None = Field(description="where it is (null: region-wide)")
    properties: OfferProperties = Field(description="the offer")


class OfferExportCollection(Answer):
    """Exported offers as a GeoJSON FeatureCollection."""

    type: Literal["FeatureCollection"] = Field(description="always FeatureCollection")
    features: list[OfferExport] = Field(description="the offers")


class OfferConflict(Answer):
    """A 412 answer: the error and the current version of the offer."""

    error: str = Field(description="one German sentence per status")
    status: int = Field(description="412")
    detail: str | None = Field(None, description="the reason (German)")
    current: Offer = Field(description="the current version")


class ProposalProperties(Answer):
    """A proposal."""

    kind: Literal["neu", "aenderung"] = Field(description="new offer or change")
    state: Literal[tuple(PROPOSAL_STATES)] = Field(description="open, accepted or refused")
    offer: dict = Field(description="the checked offer fields plus lon/lat")
    offer_id: str | None = Field(description="the offer to change (null: new)")
    base_version: int | None = Field(None, description="the version the change is based on")
    comment: str = Field(description="the comment")
    proposed_by: str = Field(description="who proposed it")
    proposed_at: str = Field(description="when (UTC)")
    version: int | None = Field(None, description="version number")
    updated_at: str | None = Field(None, description="time of the last change (UTC)")


class OfferProposal(Answer):
    """A stored proposal as a GeoJSON Feature without geometry."""

    type: Literal["Feature"] = Field(description="always Feature")
    id: str = Field(description="proposal id")
    geometry: None = Field(description="always null")
    properties: ProposalProperties = Field(description="the proposal")


class Fit(Answer):
    """An offer that fits."""

    id: str = Field(description="offer id")
    name: str = Field(description="name")
    reasons: list[str] = Field(description="what speaks for it (German)")
    to_check: list[str] = Field(description="conditions the situation does not answer")
    walk_min: float | None = Field(description="minutes on foot from the address")
    distance_m: int | None = Field(ge=0, description="metres on foot from the address")
    flags: OfferFlags = Field(description="what is wrong with it today")
    handout: bool = Field(description="may go on the citizen's handout")


class Miss(Answer):
    """An offer that does not fit."""

    id: str = Field(description="offer id")
    name: str = Field(description="name")
    misses: list[str] = Field(min_length=1, description="why not (German)")


class FinderResult(Answer):
    """The finder's answer."""

    fits: list[Fit] = Field(
        description="sorted by walking time with address_id (region-wide and unreachable ones "
        "last), else by how much speaks for them"
    )
    others: list[Miss] = Field(description="offers that do not fit")
    cut_off: bool = Field(description="the address is far from the network")
    cut_off_reason: Literal["off_ways", "outside_network"] | None = Field(
        description="off_ways: no walkable way within 250 m; outside_network: the ways near it "
        "are not connected to the network in the imported data (cut off at the edge of the "
        "imported area)"
    )
    cut_off_text: str | None = Field(description="the reason in German, for people")
    cut_off_hint: str | None = Field(
        description="why and what to do, in German for staff (outside_network only)"
    )
    walk_times: bool = Field(
        description="walking times were computed (false without address_id or when the area "
        "has no walk network)"
    )


class Choice(Answer):
    """An id and its German label."""

    id: str = Field(description="id")
    label: str = Field(description="German label")


class Condition(Choice):
    """An eligibility condition."""

    plain: str = Field(description="in plain German, for the handout")


class OfferVocabularies(Answer):
    """The vocabularies of offers (id → German label)."""

    funders: list[Choice] = Field(description="funders")
    legal_bases: list[Choice] = Field(description="legal bases")
    target_groups: list[Choice] = Field(description="target groups")
    topics: list[Choice] = Field(description="topics")
    languages: list[Choice] = Field(description="languages")
    eligibility: list[Condition] = Field(description="eligibility conditions")
    checked_by: list[Choice] = Field(description="roles that check offers")
    fields: list[Choice] = Field(description="field names")
    check_months: int | None = Field(None, description="months after which an offer is due")
