"""API models of the walks (read only): the walk, its stops, the filters."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sozialraum.web.schemas import Answer, Query


class WalkFilters(Query):
    """Filters of the walk list and exports."""

    district: str | None = Field(None, description="only walks of this district (id)")


class WalkStop(Answer):
    """A stop of a walk, in walking order."""

    kind: Literal["resource", "address", "note", "point"] = Field(description="what it is")
    ref: str | None = Field(None, description="id of the resource, address or note")
    label: str = Field(description="what the stop is called")
    categories: list[str] | None = Field(None, description="resource categories")


class Route(Answer):
    """The route along the streets, one line per leg (lon/lat degrees, EPSG:4326)."""

    type: Literal["MultiLineString"] = Field(description="always MultiLineString")
    coordinates: list = Field(description="one list of positions per leg")


class WalkProperties(Answer):
    """The properties of a walk."""

    title: str = Field(description="title")
    walk_on: str = Field(json_schema_extra={"format": "date"}, description="day of the walk")
    purpose: str | None = Field(None, description="purpose")
    participants: str | None = Field(None, description="who walks")
    district: str = Field(description="district id")
    team: str | None = Field(None, description="team that owns the walk")
    author: str | None = Field(None, description="who planned it")
    route_m: int | None = Field(None, description="length of the route in metres")
    leg_m: list[int | None] | None = Field(None, description="length of each leg in metres")
    route_kind: Literal["strassen", "luftlinie"] | None = Field(
        None, description="along the streets or as the crow flies"
    )
    status: str = Field(description="planning status")
    version: int = Field(description="version number")
    updated_at: str | None = Field(None, description="time of the last change (UTC)")
    stops: list[WalkStop] = Field(description="stops in walking order")
    route: Route | None = Field(None, description="the route (one walk only)")


class StopsGeometry(Answer):
    """The stops as a MultiPoint in walking order (lon/lat degrees, EPSG:4326)."""

    type: Literal["MultiPoint"] = Field(description="always MultiPoint")
    coordinates: list = Field(description="the stops' positions")


class Walk(Answer):
    """A walk (Sozialraumerkundung) as a GeoJSON Feature."""

    type: Literal["Feature"] = Field(description="always Feature")
    id: str = Field(description="walk id")
    geometry: StopsGeometry = Field(description="the stops")
    properties: WalkProperties = Field(description="the walk")


class WalkCollection(Answer):
    """Walks as a GeoJSON FeatureCollection."""

    type: Literal["FeatureCollection"] = Field(description="always FeatureCollection")
    features: list[Walk] = Field(description="the walks")
