"""API models of field mode: the position and what is there."""

from __future__ import annotations

from pydantic import Field

from sozialraum.web.schemas import Answer, Lat, Lon, PointShape


class PositionInput(PointShape):
    """The caseworker's position (POST: it is in no URL or log), optionally on a walk."""

    example = '{"lon": …, "lat": …, "rundgang": "<walk id>", "erreicht": [1, 2]}'

    lon: Lon = Field(description="longitude in degrees (EPSG:4326)")
    lat: Lat = Field(description="latitude in degrees (EPSG:4326)")
    rundgang: str | None = Field(None, description="id of the walk being walked (optional)")
    erreicht: list[int] = Field(
        default_factory=list,
        description="numbers of the stops reached before (from 1; the first 500 count)",
    )


class StopDistance(Answer):
    """A stop of the walk and how far it is."""

    number: int = Field(description="stop number, from 1")
    label: str = Field(description="what the stop is called")
    distance_m: float = Field(description="straight-line distance in metres (EPSG:25832)")


class FieldNote(Answer):
    """A known note of the address (newest first)."""

    id: str = Field(description="note id")
    category_label: str | None = Field(description="German label of the note's category")
    mailbox_status_label: str | None = Field(None, description="German mailbox status")
    text: str = Field(description="the note's text")
    observed_on: str | None = Field(
        None, json_schema_extra={"format": "date"}, description="day of the observation"
    )
    url: str = Field(description="the note's page")


class MailboxState(Answer):
    """The address's mailbox status from the notes."""

    status: str | None = Field(None, description="mailbox status id")
    status_label: str | None = Field(None, description="mailbox status in German")
    risk: str | None = Field(None, description="risk of letters not arriving")
    action: str | None = Field(None, description="what to do, in German")


class NearAddress(Answer):
    """The nearest address within the radius."""

    id: str = Field(description="address id")
    label: str = Field(description="the address as one line")
    distance_m: float = Field(description="straight-line distance in metres (EPSG:25832)")
    url: str = Field(description="the address's card")
    notes: list[FieldNote] = Field(description="known notes, newest first (at most 5)")
    mailbox: MailboxState = Field(description="mailbox status")


class FieldPosition(Answer):
    """What is at a position (answered no-store)."""

    radius_m: float = Field(description="radius in metres the nearest address is sought in")
    address: NearAddress | None = Field(description="the nearest address (null: none)")
    stops: list[StopDistance] = Field(description="the walk's stops (empty without rundgang)")
    reached: list[int] = Field(description="numbers of the stops reached so far")
    next_stop: StopDistance | None = Field(description="the next stop (null: none or done)")
