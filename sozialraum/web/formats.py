"""German display formats: dates, times and distances.

Jinja filters ``datum``, ``datum_zeit`` and ``entfernung`` (its twin in JavaScript is
``static/sozialraum/formats.js``).
"""

from __future__ import annotations

import functools
import math
from datetime import date, datetime
from zoneinfo import ZoneInfo


def german_date(value: str | None) -> str:
    """``2026-11-21`` → ``21.11.2026`` (anything else unchanged)."""
    return _german_date(None if value is None else str(value))  # cached by its text


@functools.lru_cache(maxsize=4096)  # a list of notes repeats its few dates many times
def _german_date(value: str | None) -> str:
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


def german_distance(metres: float | None) -> str:
    """A distance for people: whole metres below 1 km, else kilometres with one decimal.

    ``850`` → ``850 m``, ``3000`` → ``3,0 km``, ``12345`` → ``12,3 km`` (German decimal
    comma, thousands with a dot); ``None`` → ``""``. The same rule as
    ``sozialraumDistance`` in ``static/sozialraum/formats.js``.

    Parameters
    ----------
    metres : float or None
        The distance in metres.
    """
    if metres is None:
        return ""
    whole = math.floor(float(metres) + 0.5)  # half up, as Math.round
    if whole < 1000:
        return f"{whole} m"
    tenths = (whole + 50) // 100  # half up, in integers (as the JavaScript twin)
    return f"{german_count(tenths // 10)},{tenths % 10} km"


def german_count(number: int) -> str:
    """A whole number with German thousands dots: ``1234`` → ``1.234``."""
    return f"{int(number):,}".replace(",", ".")
