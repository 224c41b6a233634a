"""API models of the mailbox check: the address list in, risk and evidence out."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, RootModel

from sozialraum.analysis.matching import MATCH_KINDS, MATCH_LABELS
from sozialraum.model.mailbox import RISK_LEVELS, STATUSES
from sozialraum.model.review import STATES as REVIEW_STATES
from sozialraum.web.schemas import Answer, Query, Shape

#: Most addresses in one request (more: 413).
MAX_ADDRESSES = 10_000
#: Most characters of one address or address part.
MAX_FIELD_CHARS = 300


class AddressParts(Shape):
    """An address in parts (or as one line in ``address``)."""

    street: str | None = Field(None, max_length=MAX_FIELD_CHARS, description="street name")
    housenumber: str | None = Field(None, max_length=MAX_FIELD_CHARS, description="number")
    postcode: str | None = Field(None, max_length=MAX_FIELD_CHARS, description="postcode")
    city: str | None = Field(None, max_length=MAX_FIELD_CHARS, description="city")
    address: str | None = Field(
        None, max_length=MAX_FIELD_CHARS, description="the whole address in one line"
    )


class MailboxAddresses(RootModel):
    """The addresses to check, at most 10,000.

    One line each (``"Lindenstr. 12, 45903 Musterstadt"``) or in parts. A CSV list as
    exported is accepted as ``text/csv`` too.
    """

    root: list[str | AddressParts] = Field(
        min_length=1,
        max_length=MAX_ADDRESSES,
        description="the addresses, in parts or one line each",
    )


class MailboxQuery(Query):
    """The query string of the mailbox check."""

    columns: str | None = Field(
        None,
        description="CSV body only: the address columns, e.g. "
        "street=Straße,housenumber=Hausnummer,postcode=PLZ,city=Ort (detected from names and "
        "content when not given; unclear columns are a 400 naming the candidates)",
    )


class MatchedAddress(Answer):
    """An address of the area."""

    id: str = Field(description="address id")
    street: str = Field(description="street name")
    housenumber: str = Field(description="house number")
    postcode: str | None = Field(None, description="postcode")
    city: str | None = Field(None, description="city")
    label: str = Field(description="street, number, postcode, city")


class Evidence(Answer):
    """What the mailbox status rests on."""

    status: Literal[tuple(STATUSES)] = Field(description="mailbox status id")
    status_label: str | None = Field(None, description="German label of the status")
    observed_on: str = Field(json_schema_extra={"format": "date"}, description="day observed")
    expires_on: str | None = Field(
        None, json_schema_extra={"format": "date"}, description="last day it counts"
    )
    expired: bool = Field(description="whether it no longer counts")
    contradicting: bool | None = Field(None, description="contradicts newer evidence")
    source: Literal["notiz", "rueckläufer", "osm"] = Field(description="where it comes from")
    source_label: str | None = Field(None, description="German label of the source")
    role: str = Field(description="what it says about the status")
    detail: str | None = Field(None, description="more about it")
    ref: str | None = Field(None, description="id of the note or returned mail")
    review_state: Literal[tuple(REVIEW_STATES)] | None = Field(
        description="review state of a note (null: returned mail and OSM are not reviewed); "
        "evidence from a note not released yet counts all the same"
    )
    review_state_label: str | None = Field(None, description="German label of the state")
    unreleased: bool | None = Field(None, description="from a note not released yet")


class MailboxResult(Answer):
    """The check of one address."""

    index: int = Field(description="position in the list sent")
    match_kind: Literal[MATCH_KINDS] = Field(description="how the address was matched")
    match_label: Literal[tuple(MATCH_LABELS.values())] | None = Field(
        None, description="match_kind in German (for display)"
    )
    match_score: int = Field(description="match score, 0-100")
    match_reason: str | None = Field(None, description="why it matched (or not)")
    matched: MatchedAddress | None = Field(None, description="the address of the area")
    candidates: list[MatchedAddress] | None = Field(None, description="possible addresses")
    mailbox_status: Literal[tuple(STATUSES)] | None = Field(None, description="mailbox status")
    mailbox_status_label: str | None = Field(None, description="German label of the status")
    risk: Literal[RISK_LEVELS] = Field(description="delivery risk")
    reasons: list[str] = Field(description="reasons for the risk (German)")
    action: str = Field(description="suggested action (German)")
    communal: str | None = Field(None, description="communal mailbox or house management")
    unreleased: bool | None = Field(
        None,
        description="the risk rests on a note not released yet (the reasons say 'noch nicht "
        "freigegeben')",
    )
    evidence: list[Evidence] | None = Field(None, description="what the status rests on")


class RiskCounts(Answer):
    """Addresses per risk level."""

    hoch: int = Field(description="high risk")
    mittel: int = Field(description="medium risk")
    niedrig: int = Field(description="low risk")
    unbekannt: int = Field(description="unknown")


class MailboxCheck(Answer):
    """The answer of a mailbox check."""

    area: str = Field(description="area name")
    checked_on: str = Field(json_schema_extra={"format": "date"}, description="day of the check")
    counts: RiskCounts = Field(description="addresses per risk level")
    results: list[MailboxResult] = Field(description="one per address, in the order sent")
    columns: dict[str, str] | None = Field(
        None,
        description="For a CSV body: the column used per part (street, housenumber, "
        "postcode, city; one column may hold several)",
    )
