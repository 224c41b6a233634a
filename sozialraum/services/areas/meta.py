"""What an area's metadata says: the data date, warnings, whether a walk network exists."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def has_walk_network(meta: dict) -> bool:
    """Whether the last import built a walk network for the area (see ``walk_network``)."""
    return bool((meta.get("walk_network") or {}).get("nodes"))


#: How the OSM data's date was found (area.json ``osm_data.source``) → German note.
DATA_DATE_SOURCES = {
    "header": "Datenstand der OSM-Datei",
    "overpass": "Datenstand des OSM-Servers",
    "newest_object": "jüngste Änderung in den Daten",
}


def _local_day(value: str | None) -> str | None:
    """A UTC ISO time (or an ISO date) as a German day ``TT.MM.JJJJ`` in Europe/Berlin."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo("Europe/Berlin"))
    return moment.strftime("%d.%m.%Y")


def data_date(meta: dict) -> dict:
    """When an area's map data is from, for handouts ("Stand der Kartendaten").

    The OSM data's own date (``osm_data`` in area.json: the file header's replication
    time, the Overpass server's data time or the newest object's timestamp) — not the
    import day. Areas imported before this was recorded show the import day, labelled
    as such.

    Returns
    -------
    dict
        ``date`` (``TT.MM.JJJJ`` or ``None``), ``note`` (German: where the date comes
        from), ``imported_on`` (``TT.MM.JJJJ`` or ``None``) and ``text``: the whole German
        line, e.g. ``"14.07.2026 (Datenstand der OSM-Datei), importiert am 02.12.2026"``.
    """
    imported = _local_day(meta.get("imported_at"))
    osm = meta.get("osm_data")
    if not isinstance(osm, dict):  # imported before the data date was recorded
        return {
            "date": None,
            "note": "Datenstand nicht erfasst",
            "imported_on": imported,
            "text": f"Import vom {imported} (Datenstand der OSM-Daten nicht erfasst)"
            if imported
            else "unbekannt",
        }
    day = _local_day(osm.get("date"))
    if day is None:
        text = "unbekannt (die OSM-Daten nennen kein Datum)"
        note = "die OSM-Daten nennen kein Datum"
    else:
        note = DATA_DATE_SOURCES.get(osm.get("source") or "", "Datenstand")
        text = f"{day} ({note})"
    if imported:
        text += f", importiert am {imported}"
    return {"date": day, "note": note, "imported_on": imported, "text": text}


def area_warnings(meta: dict) -> list[str]:
    """German warnings about an area's state (unfinished import, notes with vanished links)."""
    warnings = []
    if meta.get("import_in_progress"):
        warnings.append("Der letzte Import wurde nicht abgeschlossen. Bitte erneut importieren.")
    if not has_walk_network(meta):
        warnings.append(
            "Für dieses Gebiet gibt es kein Fußwegenetz: Wege und Gehzeiten fehlen. "
            "Bitte das Gebiet neu importieren (mit Straßen und Wegen)."
        )
    orphaned = len(meta.get("orphaned_notes") or [])
    if orphaned:
        warnings.append(
            f"{orphaned} Notiz(en) verweisen auf Orte, die es in OpenStreetMap nicht "
            "mehr gibt. Die Notizen bleiben erhalten; bitte prüfen."
        )
    return warnings
