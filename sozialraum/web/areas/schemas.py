"""API models of the areas: areas, districts, layers, addresses, search, cards."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sozialraum.web.schemas import Answer, Point, Query, Shape, number_between

#: Number of resources per category id.
Counts = dict[str, int]
#: How many suggestions a search gives (1-50).
Limit = number_between(int, 1, 50)


class AreaFilters(Query):
    """Only features in one district or a box."""

    district: str | None = Field(None, description="only features in this district (id)")
    bbox: str | None = Field(None, description="W,S,E,N in degrees (EPSG:4326)")


class SearchQuery(Query):
    """An address typed by a person (GET; deprecated: the address is in the URL)."""

    q: str = Field("", max_length=200, description="the typed address, at most 200 characters")
    limit: Limit = Field(10, description="most suggestions, 1-50")


class SearchInput(Shape):
    """An address typed by a person, sent in the body (in no URL or log, stored nowhere)."""

    example = '{"q": "Lindenstraße 12", "limit": 10}'

    q: str = Field(max_length=200, description="the typed address, at most 200 characters")
    limit: Limit = Field(10, description="most suggestions, 1-50")


class AreaSummary(Answer):
    """An area with its counts."""

    name: str = Field(description="area name (URL part)")
    title: str = Field(description="title for people")
    fictional: bool | None = Field(None, description="a fictional demo area")
    imported_at: str | None = Field(None, description="time of the import (UTC)")
    bbox: list[float] = Field(
        min_length=4, max_length=4, description="W,S,E,N in degrees (EPSG:4326)"
    )
    resources: int | None = Field(None, description="number of resources")
    addresses: int | None = Field(None, description="number of addresses")
    districts: int | None = Field(None, description="number of districts")
    counts: Counts = Field(description="resources per category id")


class AreaList(Answer):
    """All areas."""

    areas: list[AreaSummary] = Field(description="the areas")


class ResourceCategory(Answer):
    """A resource category."""

    id: str = Field(description="category id")
    label: str = Field(description="German label")
    colour: str = Field(pattern="^#", description="map colour (#rrggbb)")
    icon: str = Field(description="icon name")


class DistrictSummary(Answer):
    """A district with its team and counts."""

    id: str = Field(description="district id")
    name: str = Field(description="district name")
    team: str | None = Field(description="team responsible for it")
    addresses: int = Field(description="number of addresses")
    counts: Counts = Field(description="resources per category id")


class AreaDetail(Answer):
    """One area with categories and districts."""

    name: str = Field(description="area name (URL part)")
    title: str = Field(description="title for people")
    fictional: bool | None = Field(None, description="a fictional demo area")
    imported_at: str | None = Field(None, description="time of the import (UTC)")
    bbox: list[float] = Field(description="W,S,E,N in degrees (EPSG:4326)")
    source: dict | None = Field(None, description="where the data came from")
    resources: int | None = Field(None, description="number of resources")
    addresses: int | None = Field(None, description="number of addresses")
    counts: Counts = Field(description="resources per category id")
    categories: list[ResourceCategory] = Field(description="resource categories")
    districts: list[DistrictSummary] = Field(description="districts")


class Polygonal(Answer):
    """A GeoJSON Polygon or MultiPolygon (EPSG:4326)."""

    type: Literal["Polygon", "MultiPolygon"] = Field(description="geometry type")
    coordinates: list = Field(description="rings of positions in degrees")


class ResourceProperties(Answer):
    """What a resource is."""

    name: str | None = Field(None, description="name")
    categories: list[str] = Field(description="category ids")
    osm_type: Literal["node", "way", "relation"] = Field(description="OSM object type")
    osm_id: int = Field(description="OSM object id")
    district: str | None = Field(None, description="district id")


class ResourceFeature(Answer):
    """A resource (place from OSM) as a GeoJSON Feature."""

    type: Literal["Feature"] = Field(description="always Feature")
    id: str = Field(description="resource id")
    geometry: Point = Field(description="where it is")
    properties: ResourceProperties = Field(description="the resource")


class ResourceCollection(Answer):
    """Resources as a GeoJSON FeatureCollection."""

    type: Literal["FeatureCollection"] = Field(description="always FeatureCollection")
    features: list[ResourceFeature] = Field(description="the resources")


class AddressProperties(Answer):
    """An address."""

    street: str = Field(description="street name")
    housenumber: str = Field(description="house number")
    postcode: str | None = Field(None, description="postcode")
    district: str | None = Field(None, description="district id")


class AddressFeature(Answer):
    """An address as a GeoJSON Feature."""

    type: Literal["Feature"] = Field(description="always Feature")
    id: str = Field(description="address id")
    geometry: Point = Field(description="where it is")
    properties: AddressProperties = Field(description="the address")


class AddressCollection(Answer):
    """Addresses as a GeoJSON FeatureCollection."""

    type: Literal["FeatureCollection"] = Field(description="always FeatureCollection")
    features: list[AddressFeature] = Field(description="the addresses")


class DistrictProperties(Answer):
    """A district."""

    name: str = Field(description="district name")
    source: str | None = Field(None, description="where its boundary came from")
    team: str | None = Field(description="team responsible for it")


class DistrictFeature(Answer):
    """A district as a GeoJSON Feature."""

    type: Literal["Feature"] = Field(description="always Feature")
    id: str = Field(description="district id")
    geometry: Polygonal = Field(description="its boundary")
    properties: DistrictProperties = Field(description="the district")


class DistrictCollection(Answer):
    """Districts as a GeoJSON FeatureCollection."""

    type: Literal["FeatureCollection"] = Field(description="always FeatureCollection")
    features: list[DistrictFeature] = Field(description="the districts")


class Suggestion(Answer):
    """An address suggested for a typed one."""

    id: str = Field(description="address id")
    label: str = Field(description="street, number, postcode")
    street: str = Field(description="street name")
    housenumber: str = Field(description="house number")
    postcode: str | None = Field(None, description="postcode")
    district: str | None = Field(None, description="district id")
    match: Literal["exakt", "Straße", "ähnlich"] = Field(description="how it matched")
    score: int = Field(ge=0, le=100, description="match score, 0-100")


class Suggestions(Answer):
    """Suggestions for a typed address."""

    query: str = Field(description="the typed address")
    results: list[Suggestion] = Field(description="best first")


class PostalAddress(Answer):
    """A postal address."""

    street: str | None = Field(None, description="street name")
    housenumber: str | None = Field(None, description="house number")
    postcode: str | None = Field(None, description="postcode")
    city: str | None = Field(None, description="city")


class NearbyResource(Answer):
    """A resource near an address."""

    id: str = Field(description="resource id")
    name: str | None = Field(None, description="name")
    categories: list = Field(description="category ids")
    distance_m: int = Field(ge=0, description="straight-line distance in metres (EPSG:25832)")


class AddressCard(Answer):
    """An address with the resources nearby."""

    id: str = Field(description="address id")
    address: PostalAddress = Field(description="the address")
    district: str | None = Field(None, description="district id")
    geometry: Point = Field(description="where it is")
    radius_m: float = Field(description="search radius in metres")
    nearby: list[NearbyResource] = Field(description="nearest first")


class CategoryLabel(Answer):
    """A category id and its German label."""

    id: str = Field(description="category id")
    label: str = Field(description="German label")


class ResourceCard(Answer):
    """A resource: name, categories, address, opening hours, contact, OSM link."""

    id: str = Field(description="resource id")
    name: str | None = Field(description="name")
    address: PostalAddress = Field(description="its address")
    categories: list[CategoryLabel] = Field(description="its categories")
    opening_hours: str | None = Field(None, description="opening hours (OSM syntax)")
    wheelchair: str | None = Field(None, description="wheelchair access (OSM value)")
    phone: str | None = Field(None, description="phone number")
    email: str | None = Field(None, description="e-mail address")
    website: str | None = Field(None, description="web site")
    operator: str | None = Field(None, description="operator")
    district: str | None = Field(None, description="district id")
    osm_url: str = Field(description="link to the object on openstreetmap.org")
    geometry: Point | None = Field(None, description="where it is")
