"""German display formats for dates and times (Jinja filters ``datum`` and ``datum_zeit``)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def german_date(value: str | None) -> str:
    """``2026-11-21`` → ``21.11.2026`` (anything else unchanged)."""
    try:
        return date.fromisoformat(str(value)).strftime("%d.%m.%Y")
    except ValueError:
        return "" if value is None else str(value)


def german_datetime(value: str | None) -> str:
    """An ISO 8601 UTC time → ``21.11.2026, 09:35`` in German local time."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return "" if value is None else str(value)
    return moment.astimezone(ZoneInfo("Europe/Berlin")).strftime("%d.%m.%Y, %H:%M")
