"""Reading an offers file: CSV (German column names) or GeoJSON rows.

Checked for size and shape before any row is used.
"""

from __future__ import annotations

import csv
import io
import json
import re

from sozialraum.model import offers as model
from sozialraum.services.columns import CsvProblem, column_key
from sozialraum.services.exports import undo_formula_guard
from sozialraum.services.uploads import RowProblem, decode, parse_day

#: Largest file an import takes (bytes).
MAX_FILE_BYTES = 5 * 1024 * 1024


#: Most offers one file may hold.
MAX_ROWS = 5000


#: Export-only columns an import ignores.
IGNORED_COLUMNS = ("Hinweise", "Version")


ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


_DATE_FIELDS = ("valid_from", "valid_to", "checked_on")


class OffersFileProblem(CsvProblem):
    """A file that cannot be imported as a whole; ``german`` is the message for the UI."""


def _column_aliases() -> dict[str, str]:
    aliases = {"id": "id"}
    for name in (*model.FIELDS, "lon", "lat"):
        aliases[column_key(name)] = name
        aliases[column_key(model.FIELD_LABELS[name])] = name
    aliases.update(longitude="lon", lng="lon", latitude="lat", gueltigab="valid_from")
    return aliases


_ALIASES = _column_aliases()


_IGNORED = {column_key(c) for c in IGNORED_COLUMNS}


def row_problem(kind: str, number: int, message: str) -> RowProblem:
    """A problem of row (CSV) or feature (GeoJSON) ``number``, in English and German."""
    german = "Zeile" if kind == "row" else "Objekt"
    english = "row" if kind == "row" else "feature"
    return RowProblem(number, f"{english} {number}: {message}", f"{german} {number}: {message}")


def _plain_cell(text: str) -> str:
    """A cell as typed: undo the export's formula guard (``'=…`` → ``=…``, per piece)."""
    return undo_formula_guard(text.strip())


def csv_records(data: bytes) -> list[tuple[int, dict]]:
    """The rows of an offers CSV as ``(row number, values by field name)``.

    The header is row 1. :class:`OffersFileProblem` if the file as a whole cannot be read.
    """
    try:
        text = decode(data)
    except CsvProblem as exc:
        raise OffersFileProblem(exc.message, exc.german) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
        columns: list[str | None] = []
        unknown = []
        for name in header:
            key = column_key(name)
            if key in _IGNORED or not key:
                columns.append(None)
            elif key in _ALIASES:
                columns.append(_ALIASES[key])
            else:
                columns.append(None)
                unknown.append(name.strip()[:40])
        if unknown:
            raise OffersFileProblem(
                f"unknown columns: {', '.join(unknown)}",
                f"Unbekannte Spalten: {', '.join(unknown)}. Möglich sind: ID, "
                + ", ".join(model.FIELD_LABELS.values()),
            )
        named = [c for c in columns if c]
        if len(named) != len(set(named)):
            raise OffersFileProblem(
                "a column appears twice", "Eine Spalte kommt doppelt vor. Bitte prüfen."
            )
        missing = [model.FIELD_LABELS[f] for f in ("name", "provider") if f not in named]
        if missing:
            raise OffersFileProblem(
                f"required columns missing: {', '.join(missing)}",
                f"Es fehlen die Spalten: {', '.join(missing)}.",
            )
        records = []
        for number, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(records) >= MAX_ROWS:
                raise OffersFileProblem(
                    f"too many rows: at most {MAX_ROWS:,}",
                    f"Zu viele Zeilen: höchstens {MAX_ROWS:,}.".replace(",", "."),
                )
            values = {}
            for column, cell in zip(columns, row, strict=False):
                if column and cell.strip():
                    values[column] = _plain_cell(cell)
            if len(row) > len(columns) and any(c.strip() for c in row[len(columns) :]):
                values["_extra"] = True
            records.append((number, values))
    except csv.Error:
        raise OffersFileProblem(
            "the file is not valid CSV", "Die Datei ist keine gültige CSV-Datei."
        ) from None
    except StopIteration:
        raise OffersFileProblem("the file is empty", "Die Datei ist leer.") from None
    return records


def _no_duplicates(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _reject_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def geojson_records(data: bytes) -> list[tuple[int, dict]]:
    """The features of an offers GeoJSON as ``(feature number, values by field name)``.

    Lon/lat from Point geometries (EPSG:4326). :class:`OffersFileProblem` if the file as a whole
    cannot be read.
    """
    try:
        body = json.loads(
            data.decode("utf-8-sig"),
            object_pairs_hook=_no_duplicates,
            parse_constant=_reject_constant,
        )
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise OffersFileProblem(
            f"not valid GeoJSON ({str(exc)[:80]})",
            "Die Datei ist kein gültiges GeoJSON (UTF-8, ohne doppelte Schlüssel).",
        ) from None
    if not isinstance(body, dict) or body.get("type") != "FeatureCollection":
        raise OffersFileProblem(
            "expected a GeoJSON FeatureCollection",
            "Erwartet wird eine GeoJSON-FeatureCollection.",
        )
    if "crs" in body:
        raise OffersFileProblem(
            "a 'crs' member is not allowed (RFC 7946: coordinates are lon/lat, EPSG:4326)",
            "Die Datei nennt ein Koordinatensystem („crs“); erlaubt ist nur WGS 84 "
            "(Länge/Breite, RFC 7946).",
        )
    features = body.get("features")
    if not isinstance(features, list):
        raise OffersFileProblem("'features' must be a list", "„features“ muss eine Liste sein.")
    if len(features) > MAX_ROWS:
        raise OffersFileProblem(
            f"too many features: at most {MAX_ROWS:,}",
            f"Zu viele Angebote: höchstens {MAX_ROWS:,}.".replace(",", "."),
        )
    records = []
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            records.append((number, {"_error": "kein GeoJSON-Feature"}))
            continue
        props = feature.get("properties")
        if not isinstance(props, dict):
            records.append((number, {"_error": "„properties“ fehlt"}))
            continue
        values = {k: v for k, v in props.items() if k not in ("flags", "version", "updated_at")}
        if feature.get("id") is not None:
            values["id"] = feature["id"]
        geometry = feature.get("geometry")
        if geometry is not None:
            coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
            if (
                not isinstance(geometry, dict)
                or geometry.get("type") != "Point"
                or not isinstance(coordinates, list)
                or len(coordinates) not in (2, 3)
            ):
                records.append((number, {"_error": "nur Punkte oder null als Geometrie"}))
                continue
            values["lon"], values["lat"] = coordinates[0], coordinates[1]
        records.append((number, values))
    return records


def normalised_dates(values: dict) -> dict:
    """``values`` with German dates (``01.10.2026``) of the date fields turned into ISO dates."""
    for name in _DATE_FIELDS:
        value = values.get(name)
        if isinstance(value, str) and value.strip():
            day = parse_day(value)
            if day is not None:
                values[name] = day.isoformat()
    return values
