"""API models of walking: isochrones, nearest resources on foot, profiles, far addresses."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sozialraum.analysis.profile import POST_BOX_MAX_M
from sozialraum.web.areas.schemas import Counts, Polygonal
from sozialraum.web.schemas import Answer, Lat, Lon, Point, PointShape, Query, number_between

#: Farthest ``min_distance_m`` of the far-addresses list (metres).
MAX_FAR_DISTANCE_M = 100_000
WalkingProfile = Literal["normal", "langsam", ""]
PROFILE_TEXT = "Walking speed: normal 4.5 km/h (default) or langsam 3 km/h"


class SpeedQuery(Query):
    """The walking speed."""

    profil: WalkingProfile | None = Field(None, description=PROFILE_TEXT)


class FarQuery(Query):
    """Which addresses count as far, and where."""

    min_distance_m: number_between(float, 0, MAX_FAR_DISTANCE_M) = Field(
        float(POST_BOX_MAX_M), description="least distance on foot in metres (default 1,000)"
    )
    district: str | None = Field(None, description="only addresses in this district (id)")
    profil: WalkingProfile | None = Field(None, description=PROFILE_TEXT)


class IsochroneInput(PointShape):
    """A point to draw walking areas around (may be a caseworker's position)."""

    example = '{"lon": …, "lat": …, "profil": "normal"}'

    lon: Lon = Field(description="longitude in degrees (EPSG:4326)")
    lat: Lat = Field(description="latitude in degrees (EPSG:4326)")
    profil: WalkingProfile | None = Field(None, description=PROFILE_TEXT)


class WalkResource(Answer):
    """The nearest resource of a category."""

    id: str = Field(description="resource id")
    name: str | None = Field(description="name")
    address: str | None = Field(None, description="its address")
    lon: float = Field(description="longitude in degrees (EPSG:4326)")
    lat: float = Field(description="latitude in degrees (EPSG:4326)")


class WalkItem(Answer):
    """The nearest resource of one category on foot."""

    category: str = Field(description="category id")
    label: str = Field(description="German label of the category")
    colour: str = Field(description="map colour (#rrggbb)")
    resource: WalkResource | None = Field(description="the nearest resource (null: none)")
    distance_m: int | None = Field(ge=0, description="metres along the streets")
    walk_min: float | None = Field(description="minutes on foot")


class AddressWalk(Answer):
    """The nearest resource of each category on foot from an address."""

    cut_off: bool = Field(description="Farther than 250 m from the walk network")
    cut_off_reason: Literal["off_ways", "outside_network"] | None = Field(
        description="why cut off: off_ways = no walkable way within 250 m; outside_network = "
        "the ways near it are not connected to the network in the imported data (a street "
        "cut off at the edge of the imported area: import a larger area); null = not cut off"
    )
    cut_off_text: str | None = Field(description="the reason in German, for people")
    cut_off_hint: str | None = Field(
        description="why and what to do, in German for staff (outside_network only)"
    )
    speed_kmh: float = Field(description="walking speed in km/h")
    items: list[WalkItem] = Field(description="one per category")


class ProfileRow(Answer):
    """The profile of one district."""

    id: str = Field(description="district id")
    name: str = Field(description="district name")
    team: str | None = Field(None, description="team responsible for it")
    addresses: int = Field(description="number of addresses")
    cut_off: int | None = Field(
        None, description="addresses farther than 250 m from the walk network"
    )
    outside_network: int | None = Field(
        None,
        description="of those, addresses whose ways are not connected to the network (cut "
        "off at the edge of the imported area)",
    )
    counts: Counts = Field(description="resources per category id")
    per_1000: dict[str, float | None] = Field(description="resources per 1,000 addresses")
    within: dict[str, float | None] = Field(
        description="Share (0-1) of addresses within reach on foot"
    )
    far_from_post_box: int | None = Field(
        description="addresses more than post_box_max_m from a post box"
    )


class Profile(Answer):
    """The district profile of an area."""

    area: str = Field(description="area name")
    speed_kmh: float = Field(description="walking speed in km/h")
    within_min: float = Field(description="minutes on foot that count as within reach")
    post_box_max_m: float = Field(description="metres to a post box that count as far")
    districts: list[ProfileRow] = Field(description="one row per district")


class FarAddressProperties(Answer):
    """An address far from a category."""

    street: str = Field(description="street name")
    housenumber: str = Field(description="house number")
    postcode: str | None = Field(None, description="postcode")
    district: str | None = Field(None, description="district id")
    distance_m: int | None = Field(description="metres on foot (null: not reachable)")
    walk_min: float | None = Field(description="minutes on foot")


class FarAddressFeature(Answer):
    """An address far from a category, as a GeoJSON Feature."""

    type: Literal["Feature"] = Field(description="always Feature")
    id: str = Field(description="address id")
    geometry: Point = Field(description="where it is")
    properties: FarAddressProperties = Field(description="the address and its distance")


class FarAddressCollection(Answer):
    """Far addresses as a GeoJSON FeatureCollection."""

    type: Literal["FeatureCollection"] = Field(description="always FeatureCollection")
    features: list[FarAddressFeature] = Field(description="the addresses")


class IsochroneProperties(Answer):
    """One walking band."""

    walk_min: float = Field(description="minutes on foot")
    distance_m: float = Field(description="metres on foot")
    speed_kmh: float = Field(description="walking speed in km/h")


class Isochrone(Answer):
    """The area reachable in some minutes on foot, as a GeoJSON Feature."""

    type: Literal["Feature"] = Field(description="always Feature")
    geometry: Polygonal = Field(description="the area")
    properties: IsochroneProperties = Field(description="the band")


class IsochroneCollection(Answer):
    """Walking areas, largest band first."""

    type: Literal["FeatureCollection"] = Field(description="always FeatureCollection")
    features: list[Isochrone] = Field(description="largest band first")
