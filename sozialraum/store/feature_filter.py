"""Filtering features by bounding box, district and category (the store's queries)."""

from __future__ import annotations


def geometry_bounds(geometry: dict) -> tuple[float, float, float, float]:
    """``(west, south, east, north)`` of a GeoJSON geometry (its coordinates' units)."""
    xs, ys = [], []
    stack = [geometry["coordinates"]]
    while stack:
        item = stack.pop()
        if item and isinstance(item[0], (int, float)):
            xs.append(item[0])
            ys.append(item[1])
        else:
            stack.extend(item)
    return min(xs), min(ys), max(xs), max(ys)


def feature_matches(feature: dict, bbox, district, category) -> bool:
    """Whether a feature passes :meth:`Store.query`'s filters (``None``: no filter).

    ``bbox`` is ``(west, south, east, north)`` in degrees (EPSG:4326).
    """
    props = feature["properties"]
    if district is not None and props.get("district") != district:
        return False
    if (
        category is not None
        and category != props.get("category")
        and category not in (props.get("categories") or ())
    ):
        return False
    if bbox is not None:
        w, s, e, n = bbox
        geom = feature["geometry"]
        if geom is None:
            return False
        if geom["type"] == "Point":
            x, y = geom["coordinates"][:2]
            return w <= x <= e and s <= y <= n
        minx, miny, maxx, maxy = geometry_bounds(geom)
        return not (maxx < w or minx > e or maxy < s or miny > n)
    return True
