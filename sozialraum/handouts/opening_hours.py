"""OSM ``opening_hours`` in words, for the common forms; anything else stays as written.

:func:`parse_opening_hours` reads the forms that most offices and offers use — weekday
selectors (``Mo-Fr``, ``Mo,We``, ranges over the week's end), time ranges (``08:00-12:30``,
several separated by ``,``), ``off``/``closed``, public holidays (``PH``), ``24/7``, rules
that replace earlier ones (``;``) and rules that add to them (``, `` before a weekday) — and
the German way of writing them that caseworkers type (``Mo–Do 9–15 Uhr``, ``Di und Do``).
It answers ``None`` for everything else (months, weeks, sunrise, comments, open ends,
hours past midnight …): the handout then prints the tag as written, never wrong words.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from markupsafe import Markup

#: OSM weekday abbreviations, Monday first.
WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
#: German abbreviations that differ from OSM's.
_GERMAN_DAYS = {"Di": "Tu", "Mi": "We", "Do": "Th", "So": "Su"}
#: German weekday names (the catalog's message ids), Monday first.
DAY_NAMES = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")

_DAY = r"(?:Mo|Tu|We|Th|Fr|Sa|Su)"
_DAY_SELECTOR = re.compile(rf"^{_DAY}(?:-{_DAY})?(?:,{_DAY}(?:-{_DAY})?)*$")
_TIME = r"(?:[01]?\d|2[0-4])(?::[0-5]\d)?"
_TIME_RANGE = re.compile(rf"^({_TIME})-({_TIME})$")
_ADDITIONAL = re.compile(rf"(?<=\d)\s*,\s*(?={_DAY}\b|PH\b)")


@dataclass(frozen=True)
class OpeningHours:
    """Weekly opening hours read from a tag.

    Attributes
    ----------
    days : tuple
        Per weekday (Monday first) a tuple of ``(start, end)`` minutes after midnight,
        ``()`` for closed.
    holidays : tuple or None
        Public holidays: intervals, ``()`` for closed, ``None`` when the tag says nothing.
    always : bool
        ``24/7``.
    """

    days: tuple
    holidays: tuple | None = None
    always: bool = False


def _normalise(tag: str) -> str:
    text = re.sub(r"[\u2012-\u2015\u2212]", "-", tag.strip())
    text = re.sub(r"\s*-\s*", "-", text)
    text = re.sub(r"\s+Uhr\b", "", text)
    text = re.sub(r"\s+und\s+", ",", text)
    text = re.sub(r"\b(Di|Mi|Do|So)\b", lambda m: _GERMAN_DAYS[m.group(1)], text)
    text = re.sub(r"\s*,\s*", ",", text)
    text = re.sub(r"\s*;\s*", ";", text)
    return re.sub(r"\s+", " ", text)


def _minutes(text: str) -> int:
    hours, _, minutes = text.partition(":")
    return int(hours) * 60 + int(minutes or 0)


def _days(selector: str) -> list[int] | None:
    if not _DAY_SELECTOR.match(selector):
        return None
    days: list[int] = []
    for part in selector.split(","):
        first, _, last = part.partition("-")
        start = WEEKDAYS.index(first)
        end = WEEKDAYS.index(last) if last else start
        span = (end - start) % 7
        days.extend((start + i) % 7 for i in range(span + 1))
    return days


def _times(text: str) -> tuple | None:
    if text in ("off", "closed"):
        return ()
    intervals = []
    for part in text.split(","):
        match = _TIME_RANGE.match(part)
        if not match:
            return None
        start, end = _minutes(match.group(1)), _minutes(match.group(2))
        if start >= end or start >= 24 * 60 or end > 24 * 60:
            return None  # past midnight or empty: not in words
        intervals.append((start, end))
    intervals.sort()
    if any(a[1] > b[0] for a, b in itertools.pairwise(intervals)):
        return None
    return tuple(intervals)


def parse_opening_hours(tag: str | None) -> OpeningHours | None:
    """The weekly hours of an ``opening_hours`` tag, or ``None`` when it is not a common form.

    Parameters
    ----------
    tag : str or None
        The OSM tag (or the German way of writing it).

    Returns
    -------
    OpeningHours or None
        Times in minutes after midnight (local time); ``None`` for anything not read exactly.
    """
    if not tag or not tag.strip() or len(tag) > 300:
        return None
    text = _normalise(tag)
    if text == "24/7":
        return OpeningHours(days=tuple(((0, 24 * 60),) for _ in WEEKDAYS), always=True)
    days: list[tuple] = [() for _ in WEEKDAYS]
    holidays: tuple | None = None
    for group in text.split(";"):
        if not group:
            return None
        for index, rule in enumerate(_ADDITIONAL.split(group)):
            selector, _, times_text = rule.partition(" ")
            if not times_text:  # a rule without weekdays holds for every day
                selector, times_text = "", rule
            intervals = _times(times_text)
            if intervals is None:
                return None
            additional = index > 0 and intervals != ()
            if selector == "PH":
                holidays = (holidays or ()) + intervals if additional else intervals
                continue
            selected = _days(selector) if selector else list(range(7))
            if selected is None:
                return None
            for day in selected:
                days[day] = tuple(sorted(days[day] + intervals)) if additional else intervals
    for intervals in (*days, holidays or ()):
        if any(a[1] > b[0] for a, b in itertools.pairwise(intervals)):
            return None
    if not any(days):
        return None
    holidays = None if holidays is None else _joined(holidays)
    return OpeningHours(days=tuple(_joined(d) for d in days), holidays=holidays)


def _joined(intervals: tuple) -> tuple:
    """Touching intervals as one (``08:00-12:00,12:00-14:00`` is ``8:00 bis 14:00``)."""
    out: list[tuple[int, int]] = []
    for start, end in intervals:
        if out and out[-1][1] == start:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return tuple(out)


def _clock(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def _day_list(t, selected: list[int]) -> Markup:
    if len(selected) == 7:
        return t("täglich")
    runs: list[list[int]] = []
    for day in selected:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(
                t("{first} bis {last}", first=t(DAY_NAMES[run[0]]), last=t(DAY_NAMES[run[-1]]))
            )
        else:
            parts.extend(t(DAY_NAMES[day]) for day in run)
    return t.join(parts)


def _interval_list(t, intervals: tuple) -> Markup:
    from sozialraum.handouts.catalogs import ltr

    return t.join(
        [
            t("{start} bis {end} Uhr", start=ltr(_clock(a)), end=ltr(_clock(b)))
            for a, b in intervals
        ],
    )


def hours_in_words(t, tag: str | None) -> Markup | None:
    """Opening hours in words in the language of ``t`` (a :class:`HandoutText`).

    Returns
    -------
    Markup or None
        ``None`` without a tag; the tag as written (left to right, marked German) when
        :func:`parse_opening_hours` cannot read it.
    """
    if not tag or not tag.strip():
        return None
    hours = parse_opening_hours(tag)
    if hours is None:
        return Markup('<bdi dir="ltr" lang="de" class="raw-hours">{}</bdi>').format(tag.strip())
    if hours.always:
        return t("immer geöffnet, Tag und Nacht")
    groups: dict[tuple, list[int]] = {}
    for day, intervals in enumerate(hours.days):
        if intervals:
            groups.setdefault(intervals, []).append(day)
    lines = [
        t("{days}: {times}", days=_day_list(t, days), times=_interval_list(t, intervals))
        for intervals, days in groups.items()
    ]
    if hours.holidays == ():
        lines.append(t("an Feiertagen geschlossen"))
    elif hours.holidays:
        lines.append(
            t("{days}: {times}", days=t("an Feiertagen"), times=_interval_list(t, hours.holidays))
        )
    joined = lines[0]
    for line in lines[1:]:
        joined = t("{first}; {second}", first=joined, second=line)
    return joined
