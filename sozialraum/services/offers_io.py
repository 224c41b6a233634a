"""Import and export of support offers: CSV (German spreadsheets) and GeoJSON (no Flask).

CSV columns are the German field names of :data:`sozialraum.model.offers.FIELD_LABELS`
(``Name``, ``Träger``, ``Förderer``, …, ``Breite``, ``Länge``) plus an optional ``ID``;
lists are separated by ``|`` (ids or German labels), dates are ``2026-10-01`` or
``01.10.2026``. GeoJSON is a FeatureCollection of Points (or null geometries for
region-wide offers) in EPSG:4326 with the English property names of
:data:`~sozialraum.model.offers.FIELDS`.

An import is all or nothing: every row is checked first and each problem is reported with
its row; only a file without problems is written, in one write. A row with the ``ID`` of an
offer updates it; a row without one updates the offer with the same name and provider, if
there is exactly one, and adds a new offer otherwise — so importing the same file twice
changes nothing.

A row with an address but no coordinates (and not region-wide) is placed at that address
when it matches one address of the area exactly or in normalised form
(:class:`~sozialraum.analysis.matching.AddressMatcher`); otherwise the row is a problem.
Stored offers that are not in the file are reported (``missing``), never deleted or kept
silently: ``archive_missing`` archives them in the same write. A row of an archived offer
makes it active again.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date

from sozialraum.errors import Forbidden, InvalidInput, TooLarge
from sozialraum.model import offers as model
from sozialraum.model.roles import can_edit_offers
from sozialraum.services import offers as services
from sozialraum.services.columns import CsvProblem, column_key
from sozialraum.services.exports import csv_text, geojson_bytes, undo_formula_guard
from sozialraum.services.notes import Actor
from sozialraum.services.uploads import RowProblem, decode, parse_day
from sozialraum.store.base import Store

#: Largest file an import takes (bytes).
MAX_FILE_BYTES = 5 * 1024 * 1024
#: Most offers one file may hold.
MAX_ROWS = 5000
#: Export-only columns an import ignores.
IGNORED_COLUMNS = ("Hinweise", "Version")
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_DATE_FIELDS = ("valid_from", "valid_to", "checked_on")


class OffersFileProblem(CsvProblem):
    """A file that cannot be imported as a whole; ``german`` is the message for the UI."""


@dataclass
class ImportReport:
    """What an import found and did.

    Attributes
    ----------
    rows : int
        Offers in the file.
    added, updated : list of str
        Ids of offers added and changed (empty when there were problems: nothing written).
    unchanged : int
        Offers that were already stored exactly like this.
    problems : list of RowProblem
        One entry per bad row (row 1 is the CSV header; GeoJSON counts features from 1).
    placed : int
        Rows placed at their address (no coordinates in the file).
    missing : list of dict
        Stored offers (not archived) that the file does not hold: ``id``, ``name``,
        ``provider``.
    archived : list of str
        Ids of the missing offers archived by this import (``archive_missing``).
    """

    rows: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    placed: int = 0
    missing: list[dict] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)

    def missing_text(self) -> str:
        """German line naming the missing offers ("nicht mehr in der Datei: …")."""
        return "nicht mehr in der Datei: " + ", ".join(
            f"{m['name']} ({m['provider']})" for m in self.missing
        )


def _column_aliases() -> dict[str, str]:
    aliases = {"id": "id"}
    for name in (*model.FIELDS, "lon", "lat"):
        aliases[column_key(name)] = name
        aliases[column_key(model.FIELD_LABELS[name])] = name
    aliases.update(longitude="lon", lng="lon", latitude="lat", gueltigab="valid_from")
    return aliases


_ALIASES = _column_aliases()
_IGNORED = {column_key(c) for c in IGNORED_COLUMNS}


def _problem(kind: str, number: int, message: str) -> RowProblem:
    german = "Zeile" if kind == "row" else "Objekt"
    english = "row" if kind == "row" else "feature"
    return RowProblem(number, f"{english} {number}: {message}", f"{german} {number}: {message}")


def _plain_cell(text: str) -> str:
    """A cell as typed: undo the export's formula guard (``'=…`` → ``=…``, per piece)."""
    return undo_formula_guard(text.strip())


def _csv_records(data: bytes) -> list[tuple[int, dict]]:
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


def _geojson_records(data: bytes) -> list[tuple[int, dict]]:
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


def _normalised_dates(values: dict) -> dict:
    for name in _DATE_FIELDS:
        value = values.get(name)
        if isinstance(value, str) and value.strip():
            day = parse_day(value)
            if day is not None:
                values[name] = day.isoformat()
    return values


_NO_PLACE = {"", None}


def _region_wide(values: dict) -> bool:
    value = values.get("region_wide")
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().casefold() in ("ja", "yes", "true", "1", "x")


def _place_at_address(store: Store, area: str, values: dict) -> tuple[bool, str | None]:
    """Put the point of the row's address into ``values`` when it has none: ``(placed,
    problem)``, the problem in German.

    Only exact and normalised matches count (no fuzzy guesses, no ambiguity)."""
    if values.get("lon") not in _NO_PLACE or values.get("lat") not in _NO_PLACE:
        return False, None
    address = values.get("address")
    if not isinstance(address, str) or not address.strip() or _region_wide(values):
        return False, None
    from sozialraum.services.areas import address_matcher

    match = address_matcher(store, area).match_line(address)
    if match.kind in ("exact", "normalised") and match.feature is not None:
        values["lon"], values["lat"] = match.feature["geometry"]["coordinates"][:2]
        return True, None
    reason = f" ({match.reason})" if match.reason else ""
    return False, (
        f"Adresse: „{address.strip()[:80]}“ wurde im Gebiet nicht eindeutig gefunden{reason}; "
        "bitte Breite und Länge angeben oder „gebietsweit“ = ja."
    )


def read_offers_file(
    store: Store, area: str, data: bytes, filename: str, *, today: date
) -> tuple[list[dict], ImportReport]:
    """Check every offer of a CSV or GeoJSON file; return the features to store and a report.

    Parameters
    ----------
    data : bytes
        The file (at most :data:`MAX_FILE_BYTES`).
    filename : str
        Decides the format: ``.geojson``/``.json`` is GeoJSON, anything else CSV.
    today : datetime.date
        Check dates may not lie after it.

    Returns
    -------
    features : list of dict
        GeoJSON Features with ids (EPSG:4326), ready for ``Store.upsert_many``; empty when
        the report has problems.
    report : ImportReport

    Raises
    ------
    TooLarge
        The file is larger than :data:`MAX_FILE_BYTES`.
    OffersFileProblem
        The file as a whole cannot be read.
    """
    if len(data) > MAX_FILE_BYTES:
        raise TooLarge(f"Die Datei ist zu groß (höchstens {MAX_FILE_BYTES // (1024 * 1024)} MB).")
    kind = "feature" if filename.lower().endswith((".geojson", ".json")) else "row"
    records = _geojson_records(data) if kind == "feature" else _csv_records(data)
    if not records:
        raise OffersFileProblem("the file holds no offers", "Die Datei enthält keine Angebote.")
    report = ImportReport(rows=len(records))
    existing = store.query(area, services.LAYER)
    by_id = {f["id"]: f for f in existing}
    by_name: dict[tuple[str, str], list[str]] = {}
    for feature in existing:
        props = feature["properties"]
        key = (props["name"].casefold(), props["provider"].casefold())
        by_name.setdefault(key, []).append(feature["id"])
    features: list[dict] = []
    seen: dict[str, int] = {}
    for number, values in records:
        if "_error" in values:
            report.problems.append(_problem(kind, number, values.pop("_error")))
            continue
        if values.pop("_extra", False):
            report.problems.append(_problem(kind, number, "mehr Zellen als Spalten"))
            continue
        offer_id = values.pop("id", None)
        if offer_id is not None and (not isinstance(offer_id, str) or not _ID.match(offer_id)):
            report.problems.append(
                _problem(kind, number, "ID: nur Buchstaben, Ziffern, - und _ (höchstens 64)")
            )
            continue
        placed, unplaced = _place_at_address(store, area, values)
        if unplaced:
            report.problems.append(_problem(kind, number, unplaced))
            continue
        report.placed += placed
        try:
            offer = services.check_offer(store, area, _normalised_dates(values), today=today)
        except InvalidInput as exc:
            report.problems.append(_problem(kind, number, exc.message))
            continue
        if offer_id is None:
            props = offer.properties
            matches = by_name.get((props["name"].casefold(), props["provider"].casefold()), [])
            offer_id = matches[0] if len(matches) == 1 else services.new_offer_id()
        if offer_id in seen:
            report.problems.append(
                _problem(kind, number, f"dasselbe Angebot wie in {seen[offer_id]} (ID doppelt)")
            )
            continue
        seen[offer_id] = number
        features.append({**offer.feature(), "id": offer_id})
    if report.problems:
        return [], report
    report.added = [f["id"] for f in features if f["id"] not in by_id]
    report.missing = [
        {"id": f["id"], "name": f["properties"]["name"], "provider": f["properties"]["provider"]}
        for f in existing
        if f["id"] not in seen and not f["properties"].get(model.ARCHIVED_FIELD)
    ]
    return features, report


def import_offers(
    store: Store,
    area: str,
    data: bytes,
    filename: str,
    *,
    actor: Actor,
    today: date,
    archive_missing: bool = False,
) -> ImportReport:
    """Import a CSV or GeoJSON file of offers (leads and admins), all or nothing.

    See :func:`read_offers_file`. Nothing is written when any row has a problem. The
    importer becomes an editor (``edited_by``) of every offer whose content the file adds
    or changes: those are unchecked until another person marks them as checked. Stored
    offers the file does not hold are reported (``missing``); with ``archive_missing``
    they are archived in the same write (``archived``), otherwise left as they are.

    Raises
    ------
    Forbidden
        For caseworkers and viewers.
    TooLarge, OffersFileProblem
        See :func:`read_offers_file`.
    """
    if not can_edit_offers(actor.role):
        raise Forbidden("Angebote importieren dürfen Teamleitungen und die Administration.")
    features, report = read_offers_file(store, area, data, filename, today=today)
    if report.problems:
        return report
    stored = {f["id"]: f for f in store.query(area, services.LAYER)}
    for feature in features:  # four-eyes: the importer is an editor of what they change
        before = stored.get(feature["id"])
        editors = model.editors_after(before, feature, actor.name)
        if editors or (before and model.EDITORS_FIELD in before["properties"]):
            feature["properties"][model.EDITORS_FIELD] = editors
    archived = []
    if archive_missing:
        archived = [services.archived_copy(stored[m["id"]], today) for m in report.missing]
    summary = store.upsert_many(area, services.LAYER, features + archived, actor=actor.name)
    archived_ids = {f["id"] for f in archived}
    report.archived = [f["id"] for f in archived]
    report.added, report.updated, report.unchanged = (
        summary.added,
        [i for i in summary.updated if i not in archived_ids],
        summary.unchanged,
    )
    return report


# --- export --------------------------------------------------------------------------


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
    """Offers as an RFC 7946 FeatureCollection (EPSG:4326; null geometry when region-wide),
    with the English property names and without store bookkeeping (version, updated_at)."""
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
