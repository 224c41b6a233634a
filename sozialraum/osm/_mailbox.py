"""Mailbox evidence from OSM at import: letterboxes and communal accommodation on addresses.

An OSM letterbox (``amenity=letter_box``) or a shelter/refugee housing/dormitory marks the
address it carries; without an address it marks the nearest address point within
:data:`MAX_DISTANCE_M` (metres, EPSG:25832).
"""

from __future__ import annotations

from datetime import date

import numpy as np
from pyproj import Transformer
from scipy.spatial import cKDTree

from sozialraum.model.addresses import address_key
from sozialraum.model.mailbox import communal_label, is_letter_box, osm_evidence_date
from sozialraum.osm._records import OsmObject

MAX_DISTANCE_M = 25.0
_TO_METRES = Transformer.from_crs(4326, 25832, always_xy=True)


def _marks(obj: OsmObject) -> dict:
    marks = {}
    label = communal_label(obj.tags)
    if label:
        marks.update(communal=label, communal_ref=obj.feature_id)
    if is_letter_box(obj.tags):
        edit = date.fromisoformat(obj.last_edit) if obj.last_edit else None
        seen = osm_evidence_date(obj.tags, edit)
        marks["letter_box_ref"] = obj.feature_id
        if seen is not None:
            marks["letter_box_on"] = seen.isoformat()
    return marks


def attach(objects: list[OsmObject], address_features: list[dict]) -> int:
    """Put communal and letterbox references on the address features (in place).

    ``communal``/``communal_ref`` and ``letter_box_ref``/``letter_box_on`` go on the addresses the
    OSM objects belong to; returns how many objects were placed.
    """
    marked = [(obj, marks) for obj in objects if (marks := _marks(obj))]
    if not marked or not address_features:
        return 0
    by_key: dict[str, list[dict]] = {}
    for feature in address_features:
        by_key.setdefault(feature["properties"]["key"], []).append(feature)
    lons, lats = zip(*(f["geometry"]["coordinates"] for f in address_features), strict=True)
    tree = cKDTree(np.column_stack(_TO_METRES.transform(lons, lats)))
    placed = 0
    for obj, marks in marked:
        tags = obj.tags
        targets = []
        if tags.get("addr:street", "").strip() and tags.get("addr:housenumber", "").strip():
            key = address_key(tags["addr:street"].strip(), tags["addr:housenumber"].strip(),
                              (tags.get("addr:postcode") or "").strip() or None)  # fmt: skip
            targets = by_key.get(key, [])
        if not targets:
            distance_m, index = tree.query(_TO_METRES.transform(obj.lon, obj.lat))
            if distance_m <= MAX_DISTANCE_M:
                key = address_features[index]["properties"]["key"]
                targets = by_key[key]
        for feature in targets:
            feature["properties"].update(marks)
        placed += bool(targets)
    return placed
