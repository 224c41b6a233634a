"""API models of the field notes: input, filters, the note, its history, the vocabularies."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sozialraum.web.schemas import Answer, Day, Lat, Lon, Point, PointShape, Query, Ref, Shape

MailboxStatus = Literal[
    "vorhanden", "fehlt", "defekt", "ohne_namen", "hausverwaltung", "post_zurueck"
]


class NoteInput(Shape):
    """A note as a caseworker enters it.

    lon/lat in degrees (EPSG:4326); or address_id/resource_id alone, then the point is that
    object's. Dates ISO 8601. The category, the dates and the privacy guard are checked by
    the domain rules (400/422 with a German reason).
    """

    example = '{"lon": 6.95, "lat": 51.43, "category": "beobachtung", "text": "…"}'

    lon: Lon | None = Field(None, description="longitude in degrees (EPSG:4326)")
    lat: Lat | None = Field(None, description="latitude in degrees (EPSG:4326)")
    category: str = Field(description="note category id (see /api/note-categories)")
    text: str = Field(max_length=2000, description="the observation, at most 2,000 characters")
    observed_on: Day = Field(None, description="day of the observation (default: today)")
    expires_on: Day = Field(None, description="last day the note is shown (default: by category)")
    review_state: Literal["entwurf", "eingereicht", ""] | None = Field(
        None, description="draft (entwurf, default) or submitted for review (eingereicht)"
    )
    mailbox_status: MailboxStatus | Literal[""] | None = Field(
        None, description="state of the mailbox (mailbox category only)"
    )
    address_id: Ref = Field(None, description="id of the address the note is about")
    resource_id: Ref = Field(None, description="id of the resource (OSM place) it is about")


class NoteFilters(Query):
    """Filters of the note list and exports (all optional; expired notes are never listed)."""

    district: str | None = Field(None, description="district id")
    category: str | None = Field(None, description="note category id")
    bbox: str | None = Field(None, description="W,S,E,N in degrees (EPSG:4326)")
    review_state: str | None = Field(None, description="review state id")
    mailbox_status: str | None = Field(None, description="mailbox status id")
    author: str | None = Field(None, description="user name of the author")


class NearestInput(PointShape):
    """A point to find the nearest addresses for (may be a caseworker's own position)."""

    example = '{"lon": …, "lat": …}'

    lon: Lon = Field(description="longitude in degrees (EPSG:4326)")
    lat: Lat = Field(description="latitude in degrees (EPSG:4326)")


class NoteProperties(Answer):
    """The properties of a note, with German labels."""

    category: str = Field(description="note category id")
    category_label: str | None = Field(None, description="German label of the category")
    text: str = Field(max_length=2000, description="the observation")
    observed_on: str = Field(json_schema_extra={"format": "date"}, description="day observed")
    expires_on: str = Field(json_schema_extra={"format": "date"}, description="last day shown")
    review_state: str = Field(description="review state id")
    review_state_label: str | None = Field(None, description="German label of the state")
    mailbox_status: str | None = Field(None, description="mailbox status id")
    mailbox_status_label: str | None = Field(None, description="German label of the status")
    author: str = Field(description="user name of the author")
    team: str | None = Field(None, description="team that owns the note")
    district: str | None = Field(None, description="district id")
    district_name: str | None = Field(None, description="district name")
    address_id: str | None = Field(None, description="id of the address")
    address_key: str | None = Field(None, description="stable key of the address")
    address_label: str | None = Field(None, description="street and house number")
    osm_ref: str | None = Field(None, description="OSM reference of the resource")
    resource_label: str | None = Field(None, description="name of the resource")
    version: int = Field(description="version number (the ETag is v<version>)")
    updated_at: str | None = Field(None, description="time of the last change (UTC, ISO 8601)")
    can_edit: bool | None = Field(None, description="whether the current user may change it")
    review_log: list[dict] | None = Field(
        None, description="review changes, oldest first: at (UTC), by, action, from, to, comment"
    )
    edited_by: list[str] | None = Field(
        None,
        description="who wrote or changed the content since the last release (none of them "
        "may release or query it); missing on notes never edited: the author",
    )
    recheck: dict | None = Field(
        None, description="a lead asked for a re-check: requested_on, by, walk_id"
    )


class Note(Answer):
    """A field note as a GeoJSON Feature (EPSG:4326)."""

    type: Literal["Feature"] = Field(description="always Feature")
    id: str = Field(description="note id")
    geometry: Point = Field(description="where it was observed")
    properties: NoteProperties = Field(description="the note")


class NoteCollection(Answer):
    """Notes as a GeoJSON FeatureCollection."""

    type: Literal["FeatureCollection"] = Field(description="always FeatureCollection")
    features: list[Note] = Field(description="the notes")


class NoteConflict(Answer):
    """A 412 answer: the error and the current version of the note."""

    error: str = Field(description="one German sentence per status")
    status: int = Field(description="412")
    detail: str | None = Field(None, description="the reason (German)")
    current: Note = Field(description="the current version")


class NoteVersion(Answer):
    """One version of a note in its history."""

    version: int = Field(description="version number")
    action: Literal["add", "update", "delete"] = Field(description="what happened")
    actor: str = Field(description="who did it")
    at: str = Field(description="when (UTC, ISO 8601)")
    feature: Note | None = Field(description="the note as it was (null: deleted)")
    content_edit: bool | None = Field(
        None,
        description="this version created or changed the content (its actor is an editor), "
        "not only the review state",
    )


class NoteHistory(Answer):
    """Every version of a note (from the audit log)."""

    id: str = Field(description="note id")
    versions: list[NoteVersion] = Field(description="oldest first")


class NearbyAddress(Answer):
    """An address near a point."""

    id: str = Field(description="address id")
    label: str = Field(description="street, house number, postcode")
    street: str = Field(description="street name")
    housenumber: str = Field(description="house number")
    postcode: str | None = Field(None, description="postcode")
    distance_m: float = Field(description="distance in metres (EPSG:25832)")


class NearestAddresses(Answer):
    """Addresses near a point, nearest first."""

    radius_m: float = Field(description="search radius in metres")
    tie_radius_m: float = Field(description="a mailbox note is tied within this radius (m)")
    addresses: list[NearbyAddress] = Field(description="nearest first")


class NoteCategory(Answer):
    """A note category."""

    id: str = Field(description="category id")
    label: str = Field(description="German label")
    kind: Literal["note", "needle", "mailbox"] = Field(description="what kind of note")
    expiry_months: int = Field(description="default lifetime in months")
    colour: str | None = Field(None, description="map colour (#rrggbb)")


class Label(Answer):
    """An id and its German label."""

    id: str = Field(description="id")
    label: str = Field(description="German label")


class NoteCategories(Answer):
    """The vocabularies of notes."""

    categories: list[NoteCategory] = Field(description="note categories")
    mailbox_statuses: list[Label] = Field(description="mailbox statuses")
    review_states: list[Label] = Field(description="review states")
