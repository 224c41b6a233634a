"""Exports for spreadsheets and GIS: CSV (German Excel), GeoJSON (RFC 7946), GeoPackage.

All coordinates are lon/lat degrees (EPSG:4326). Every CSV the app writes goes through
:func:`csv_text` (or :func:`csv_row`/:func:`csv_line`): a cell that contains either
delimiter (``;`` or ``,``), a quote or a line break is quoted, whatever delimiter the file
uses; and every piece of a cell after ``;``, ``,`` or a line break (and after spaces and
quotes) that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab or
carriage return) gets a ``'`` in front. So a file opened with the other delimiter than it
was written with runs no formula either.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: anything that may need the formula guard or quotes (most cells have none of it)
_SPECIAL = re.compile(r'[;,"\r\n=+\-@\t]')
#: a piece of a cell (start, or after ``;``/``,`` and spaces) that starts like a formula
_FORMULA_PIECE = re.compile(r"(^|[;,\r\n])([ \"]*)(?=[=+\-@\t\r])")
#: cells that are quoted: either delimiter, a quote or a line break
_NEEDS_QUOTES = re.compile(r'[;,"\r\n]')


def formula_safe(text: str) -> str:
    """``text`` with ``'`` before every piece a spreadsheet would run as a formula.

    The pieces are the parts between ``;``, ``,`` and line breaks (a spreadsheet may
    split on either delimiter, and one that splits wrongly may take a line break in a
    quoted cell for the end of a row), each after leading spaces and quotes.
    """
    if _SPECIAL.search(text) is None:
        return text
    return _FORMULA_PIECE.sub(r"\1\2'", text)


_GUARDED_PIECE = re.compile(r"(^|[;,\r\n])([ \"]*)'(?=[=+\-@\t\r])")


def undo_formula_guard(text: str) -> str:
    """The cell as it was typed: the inverse of :func:`formula_safe` (for re-imports)."""
    return _GUARDED_PIECE.sub(r"\1\2", text) if "'" in text else text


def csv_cell(value: object) -> str:
    """One CSV cell: empty for None, decimal comma (≤ 6 decimals), formulas neutralised."""
    if type(value) is str:  # the common case first (100,000-row lists)
        return formula_safe(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".").replace(".", ",")
    return formula_safe(str(value))


def _quoted(cell: str) -> str:
    if _NEEDS_QUOTES.search(cell) is None:
        return cell
    return '"' + cell.replace('"', '""') + '"'


def csv_row(values: Sequence[object], delimiter: str = ";") -> str:
    """One CSV row without its line end: :func:`csv_cell` cells, quoted where needed."""
    plain = all(type(value) is str for value in values)
    if plain and _SPECIAL.search("\x1f".join(values)) is None:  # most rows: nothing to do
        return delimiter.join(values)
    return delimiter.join([_quoted(csv_cell(value)) for value in values])


def csv_line(values: Sequence[object], delimiter: str = ";") -> str:
    """One CSV line (ending in CRLF) of :func:`csv_cell` cells, quoted where needed."""
    return csv_row(values, delimiter) + "\r\n"


def csv_text(
    header: Sequence[str], rows: Iterable[Sequence[object]], *, delimiter: str = ";"
) -> str:
    """A CSV document for German spreadsheets: ``;`` (or ``delimiter``), CRLF, UTF-8 BOM.

    The one writer of every CSV export: cells as :func:`csv_cell`, quoted when they
    contain ``;``, ``,``, ``"`` or a line break.
    """
    lines = ["\ufeff", csv_line(header, delimiter)]
    lines.extend(csv_line(row, delimiter) for row in rows)
    return "".join(lines)


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


def profile_csv(rows: list[dict], table, *, within_min: float | None = None) -> str:
    """A district profile as CSV for German spreadsheets.

    The rows of :func:`sozialraum.analysis.profile.district_profile`; ``;`` separated, decimal
    comma, with a byte-order mark so Excel reads the umlauts; formula-like cells neutralised (see
    :func:`csv_text`).

    ``within_min`` is the walking time in minutes the reach columns count (default
    :data:`sozialraum.analysis.profile.WITHIN_MIN`); ``table`` is the area's
    :class:`~sozialraum.model.categories.CategoryTable`.
    """
    from sozialraum.analysis.profile import WITHIN_MIN, profile_table

    header, body = profile_table(
        rows, table, within_min=WITHIN_MIN if within_min is None else within_min
    )
    return csv_text(header, body)
