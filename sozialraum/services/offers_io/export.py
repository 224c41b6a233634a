"""Exporting offers as CSV (German column names) or GeoJSON."""

from __future__ import annotations

from datetime import date

from sozialraum.model import offers as model
from sozialraum.services.exports import csv_text, geojson_bytes


def _cell(name: str, value: object) -> object:
    if name in model.LIST_FIELDS:
        vocabulary = model.LIST_FIELDS[name][0]
        return " | ".join(vocabulary.get(v, v) for v in value or [])
    if name == "checked_by":
        return model.CHECKED_BY_ROLES.get(value, value) if value else ""
    return value


CSV_HEADER = ["ID", *(model.FIELD_LABELS[f] for f in model.FIELDS), "Breite", "Länge", "Hinweise"]


def export_rows(features: list[dict], today: date) -> tuple[list[str], list[list]]:
    """Header and rows of the CSV export (German labels, lists joined by ``|``)."""
    rows = []
    for feature in features:
        props = feature["properties"]
        point = (feature.get("geometry") or {}).get("coordinates") or [None, None]
        flags = model.offer_flags(props, today)
        rows.append(
            [
                feature["id"],
                *(_cell(name, props.get(name)) for name in model.FIELDS),
                point[1],
                point[0],
                "; ".join(flags["labels"]),
            ]
        )
    return CSV_HEADER, rows


def export_csv(features: list[dict], today: date) -> str:
    """Offers as CSV for German spreadsheets (``;``, UTF-8 with BOM, formulas neutralised).

    Importing the file again changes nothing (``ID`` column); the ``Hinweise`` column (flags
    such as "abgelaufen") is for reading only.
    """
    header, rows = export_rows(features, today)
    return csv_text(header, rows)


def export_geojson(features: list[dict]) -> bytes:
    """Offers as an RFC 7946 FeatureCollection (EPSG:4326).

    Null geometry when region-wide; with the English property names and without store bookkeeping
    (version, updated_at).
    """
    clean = [
        {
            "type": "Feature",
            "id": f["id"],
            "geometry": f.get("geometry"),
            "properties": {k: f["properties"].get(k) for k in model.FIELDS},
        }
        for f in features
    ]
    return geojson_bytes(clean)
