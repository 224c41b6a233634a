"""The meeting protocol as CSV rows."""

from __future__ import annotations

from datetime import date

from sozialraum.services.meetings.records import local_time

#: Header of the protocol CSV.
PROTOCOL_HEADER = [
    "Besprechung am",
    "Team",
    "Beginn",
    "Zeit",
    "Entscheidung",
    "Durch",
    "Kommentar",
    "Antwort",
    "Antwort am",
    "Notiz-Id",
    "Kategorie",
    "Ort",
    "Bezirk",
    "Text",
]


def protocol_rows(meeting: dict, found: list[dict]) -> list[list]:
    """Rows of the protocol CSV: one per decision (see :func:`decisions`).

    Times in local time (Europe/Berlin), the meeting's day as ``TT.MM.JJJJ`` and its start beside
    it.
    """
    props = meeting["properties"]
    day = date.fromisoformat(props["held_on"]).strftime("%d.%m.%Y")
    rows = []
    for item in found:
        note = (item["note"] or {}).get("properties") or {}
        place = note.get("address_label") or note.get("resource_label") or ""
        rows.append(
            [
                day,
                props["team"],
                local_time(props.get("started_at")),
                local_time(item["at"]),
                item["action_label"],
                item["by"],
                item.get("comment") or "",
                item.get("answer") or "",
                local_time(item.get("answered_at")),
                item["note_id"],
                note.get("category_label") or "",
                place,
                note.get("district_name") or "",
                note.get("text") or ("(nicht sichtbar)" if item["note"] is None else ""),
            ]
        )
    return rows
