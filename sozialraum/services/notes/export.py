"""Field notes for download: labelled columns and export rows."""

from __future__ import annotations

from collections.abc import Mapping

from sozialraum.model.notes import (
    MAILBOX_STATUSES,
)
from sozialraum.model.review import (
    STATES,
)
from sozialraum.services.notes.access import NoteRules

#: Columns of note exports (GeoPackage/GeoJSON property names) and their German CSV headers.
EXPORT_COLUMNS: dict[str, str] = {
    "category": "Kategorie-Id",
    "category_label": "Kategorie",
    "text": "Text",
    "observed_on": "Beobachtet am",
    "expires_on": "Gültig bis",
    "review_state": "Status",
    "mailbox_status": "Briefkasten",
    "author": "Verfasst von",
    "team": "Team",
    "district": "Bezirk-Id",
    "district_name": "Bezirk",
    "address_label": "Adresse",
    "resource_label": "Ort",
    "osm_ref": "OSM-Objekt",
    "version": "Version",
    "updated_at": "Geändert (UTC)",
}


def labelled(feature: dict, rules: NoteRules, district_names: Mapping[str, str]) -> dict:
    """A note with German labels for category, mailbox status, review state and district."""
    props = dict(feature["properties"])
    category = props.get("category")
    props["category_label"] = (
        rules.categories[category].label if category in rules.categories else category
    )
    status = props.get("mailbox_status")
    props["mailbox_status_label"] = MAILBOX_STATUSES.get(status, status) if status else None
    state = props.get("review_state")
    props["review_state_label"] = STATES.get(state, state) if state else None
    props["district_name"] = district_names.get(props.get("district"))
    return {
        "type": "Feature",
        "id": feature["id"],
        "geometry": feature["geometry"],
        "properties": props,
    }


def export_rows(features: list[dict]) -> tuple[list[str], list[list]]:
    """Header and rows for a CSV of labelled notes (see :func:`labelled`), with lon/lat.

    Longitude and latitude are degrees (WGS 84, EPSG:4326).
    """
    header = ["Id", *EXPORT_COLUMNS.values(), "Länge (WGS84)", "Breite (WGS84)"]
    rows = []
    for feature in features:
        props = feature["properties"]
        values = [props.get(c) for c in EXPORT_COLUMNS]
        status = props.get("mailbox_status_label")
        values[list(EXPORT_COLUMNS).index("mailbox_status")] = status
        values[list(EXPORT_COLUMNS).index("review_state")] = props.get("review_state_label")
        lon, lat = feature["geometry"]["coordinates"][:2]
        rows.append([feature["id"], *values, lon, lat])
    return header, rows
