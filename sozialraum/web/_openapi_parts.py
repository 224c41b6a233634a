"""Building blocks of the OpenAPI document, shared by its per-feature modules."""

from __future__ import annotations

REF = "#/components/schemas/"
GEO = "application/geo+json"
JSON = "application/json"


def ref(name: str) -> dict:
    """A ``$ref`` to a component schema."""
    return {"$ref": REF + name}


def nullable(schema: dict) -> dict:
    """``schema`` or null."""
    return {"anyOf": [schema, {"type": "null"}]}


STR = {"type": "string"}
INT = {"type": "integer"}
NUM = {"type": "number"}
NSTR = nullable(STR)


def feature(geometry: dict, required: list[str], properties: dict, *, with_id: bool = True) -> dict:
    """A GeoJSON Feature schema with the given geometry schema and properties."""
    body: dict = {"type": {"const": "Feature"}}
    if with_id:
        body["id"] = STR
    body["geometry"] = geometry
    body["properties"] = {"type": "object", "required": required, "properties": properties}
    return {"type": "object", "required": list(body), "properties": body}


def collection(item: str) -> dict:
    """A FeatureCollection schema of component ``item``."""
    return {
        "type": "object",
        "required": ["type", "features"],
        "properties": {
            "type": {"const": "FeatureCollection"},
            "features": {"type": "array", "items": ref(item)},
        },
    }
