"""API models of the walks (read only): the walk, its stops, the filters."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sozialraum.analysis.route import MAX_STOPS
from sozialraum.model.walks import MAX_LABEL_CHARS
from sozialraum.web.schemas import Answer, Lat, Lon, Query, Shape, number_between, rule


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


# -- the walk planner (nothing stored) ---------------------------------------------------

StopKind = Literal["resource", "address", "note", "point"]


class StopPick(Shape):
    """A stop chosen in the planner: a stored feature by id, or a free point."""

    kind: StopKind = Field(
        description="resource, address or note (with ref), or point (with lon and lat)"
    )
    ref: str | None = Field(None, description="id of the resource, address or note")
    lon: Lon | None = Field(None, description="longitude of a point in degrees (EPSG:4326)")
    lat: Lat | None = Field(None, description="latitude of a point in degrees (EPSG:4326)")
    label: str | None = Field(
        None, description=f"name of a point (at most {MAX_LABEL_CHARS} characters are kept)"
    )

    @model_validator(mode="after")
    def _ref_or_point(self) -> StopPick:
        if self.kind == "point":
            if self.lon is None or self.lat is None:
                raise rule("lon, lat: fehlen (ein Punkt braucht beide, Grad EPSG:4326)")
        elif self.ref is None:
            raise rule(f"ref: fehlt (eine Station der Art {self.kind} braucht ihre Id)")
        return self


class PlannerRouteInput(Shape):
    """The stops of a planned walk (nothing is stored; the places are in no URL)."""

    example = '{"stops": [{"kind": "resource", "ref": "…"}], "propose": false}'

    stops: list[StopPick] = Field(
        min_length=1,
        max_length=MAX_STOPS,
        description=f"the stops in the order chosen, 1 to {MAX_STOPS}",
    )
    propose: bool = Field(
        False, description="true: the shortest order from the first stop; false: as sent"
    )


class PlannedStop(Answer):
    """A stop of the planned walk (repeats merged), in walking order."""

    kind: StopKind = Field(description="what it is")
    ref: str | None = Field(None, description="id of the resource, address or note")
    label: str = Field(description="what the stop is called")
    lon: float = Field(description="longitude in degrees (EPSG:4326)")
    lat: float = Field(description="latitude in degrees (EPSG:4326)")


class WalkPlan(Answer):
    """The planned walk: its stops in walking order and the route along the streets."""

    stops: list[PlannedStop] = Field(description="the stops in walking order")
    route_m: int | None = Field(description="length of the route in metres (null: unknown)")
    leg_m: list[int | None] = Field(description="length of each leg in metres")
    walk_min: int | None = Field(description="minutes on foot at 4.5 km/h")
    route_kind: Literal["strassen", "luftlinie"] = Field(
        description="along the streets or as the crow flies"
    )
    route: Route = Field(description="the route, one line per leg (lon/lat, EPSG:4326)")


class PlacesInput(Shape):
    """The text typed into the planner's start field (POST: it is in no URL or log)."""

    example = '{"q": "Markt 1", "limit": 10}'

    q: str = Field("", max_length=200, description="the typed text, at most 200 characters")
    limit: number_between(int, 1, 20) = Field(10, description="most suggestions, 1-20")


class Place(Answer):
    """A suggestion for the planner's start field."""

    kind: Literal["resource", "address"] = Field(description="what it is")
    ref: str = Field(description="id of the resource or address")
    value: str = Field(description="the text for the field")
    label: str = Field(description="what it is called")
    what: str = Field(description="what kind of place, in German")
    match: str = Field(description="how it matches the text (exakt, …)")
    lon: float = Field(description="longitude in degrees (EPSG:4326)")
    lat: float = Field(description="latitude in degrees (EPSG:4326)")


class Places(Answer):
    """Suggestions for the planner's start field, best first."""

    results: list[Place] = Field(description="the suggestions")
