"""Exports for spreadsheets and GIS: CSV (German Excel), GeoJSON (RFC 7946), GeoPackage.

All coordinates are lon/lat degrees (EPSG:4326). CSV cells that a spreadsheet would
run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return)
are prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """One CSV cell: empty for None, decimal comma (≤ 6 decimals), formulas neutralised."""
    if type(value) is str:  # the common case first (100,000-row lists)
        return "'" + value if value.startswith(FORMULA_START) else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".").replace(".", ",")
    text = str(value)
    if text.startswith(FORMULA_START):
        text = "'" + text
    return text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A CSV document for German spreadsheets: ``;``, CRLF, UTF-8 byte-order mark."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return out.getvalue()


def geojson_bytes(features: list[dict]) -> bytes:
    """A FeatureCollection (RFC 7946, EPSG:4326) as UTF-8 bytes."""
    body = {"type": "FeatureCollection", "features": features}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def geopackage_bytes(features: list[dict], columns: Sequence[str], layer: str) -> bytes:
    """A GeoPackage with one layer for QGIS (EPSG:4326).

    Parameters
    ----------
    features : list of dict
        GeoJSON features (EPSG:4326); their ``id`` becomes the ``id`` column.
    columns : sequence of str
        Property names to keep, in this order (missing ones are empty).
    layer : str
        The layer name inside the file.

    Returns
    -------
    bytes
        The ``.gpkg`` file.
    """
    import geopandas as gpd
    from shapely.geometry import shape

    records = [
        {"id": f.get("id"), **{c: _plain(f["properties"].get(c)) for c in columns}}
        for f in features
    ]
    frame = gpd.GeoDataFrame(
        records,
        columns=["id", *columns],
        geometry=[shape(f["geometry"]) for f in features],
        crs="EPSG:4326",
    )
    with tempfile.TemporaryDirectory(prefix="sozialraum-export-") as folder:
        path = Path(folder) / "export.gpkg"
        frame.to_file(path, driver="GPKG", layer=layer, engine="pyogrio")
        return path.read_bytes()


def _plain(value: object) -> object:
    """Lists and dicts become text (GeoPackage columns hold scalars)."""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value
