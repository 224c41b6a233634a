"""Importing offers from a file: all or nothing, each problem reported with its row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sozialraum.errors import Forbidden, InvalidInput, TooLarge
from sozialraum.model import offers as model
from sozialraum.model.roles import can_edit_offers
from sozialraum.services import offers as services
from sozialraum.services.notes import Actor
from sozialraum.services.offers_io.files import (
    ID_PATTERN,
    MAX_FILE_BYTES,
    OffersFileProblem,
    csv_records,
    geojson_records,
    normalised_dates,
    row_problem,
)
from sozialraum.services.uploads import RowProblem
from sozialraum.store.base import Store


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


_NO_PLACE = {"", None}


def _region_wide(values: dict) -> bool:
    value = values.get("region_wide")
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().casefold() in ("ja", "yes", "true", "1", "x")


def _place_at_address(store: Store, area: str, values: dict) -> tuple[bool, str | None]:
    """Put the point of the row's address into ``values`` when it has none.

    Returns ``(placed, problem)``, the problem in German.

    Only exact and normalised matches count (no fuzzy guesses, no ambiguity).
    """
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
    records = geojson_records(data) if kind == "feature" else csv_records(data)
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
            report.problems.append(row_problem(kind, number, values.pop("_error")))
            continue
        if values.pop("_extra", False):
            report.problems.append(row_problem(kind, number, "mehr Zellen als Spalten"))
            continue
        offer_id = values.pop("id", None)
        if offer_id is not None and (
            not isinstance(offer_id, str) or not ID_PATTERN.match(offer_id)
        ):
            report.problems.append(
                row_problem(kind, number, "ID: nur Buchstaben, Ziffern, - und _ (höchstens 64)")
            )
            continue
        placed, unplaced = _place_at_address(store, area, values)
        if unplaced:
            report.problems.append(row_problem(kind, number, unplaced))
            continue
        report.placed += placed
        try:
            offer = services.check_offer(store, area, normalised_dates(values), today=today)
        except InvalidInput as exc:
            report.problems.append(row_problem(kind, number, exc.message))
            continue
        if offer_id is None:
            props = offer.properties
            matches = by_name.get((props["name"].casefold(), props["provider"].casefold()), [])
            offer_id = matches[0] if len(matches) == 1 else services.new_offer_id()
        if offer_id in seen:
            report.problems.append(
                row_problem(kind, number, f"dasselbe Angebot wie in {seen[offer_id]} (ID doppelt)")
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
