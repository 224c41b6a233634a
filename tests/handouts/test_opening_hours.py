"""Opening hours in words (issue 24): the common forms read exactly (checked against the
maintained OSM parser opening-hours-py as an oracle), everything else printed as written."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sozialraum.handouts import LANGUAGES, HandoutText
from sozialraum.handouts.opening_hours import WEEKDAYS, hours_in_words, parse_opening_hours

oh = pytest.importorskip("opening_hours", reason="opening-hours-py is a dev dependency")

MONDAY = datetime(2026, 11, 30)  # a week without public holidays in the oracle's default


def _text(code: str, tag: str) -> str:
    return str(hours_in_words(HandoutText(LANGUAGES[code]), tag))


def _plain(markup: str) -> str:
    import re

    return re.sub(r"<[^>]+>", "", markup)


@pytest.mark.parametrize(
    ("tag", "code", "words"),
    [
        ("Mo-Fr 08:00-16:00", "de", "Montag bis Freitag: 8:00 bis 16:00 Uhr"),
        ("Mo–Fr 8–16 Uhr", "de", "Montag bis Freitag: 8:00 bis 16:00 Uhr"),
        (
            "Mo–Fr 8–12 Uhr, Do 14–18 Uhr",
            "de",
            "Montag bis Mittwoch und Freitag: 8:00 bis 12:00 Uhr; "
            "Donnerstag: 8:00 bis 12:00 Uhr und 14:00 bis 18:00 Uhr",
        ),
        ("Di und Do 9–13 Uhr", "de", "Dienstag und Donnerstag: 9:00 bis 13:00 Uhr"),
        ("Mo-Su 07:00-22:00", "de", "täglich: 7:00 bis 22:00 Uhr"),
        ("Mo 08:00-12:00,12:00-14:00", "de", "Montag: 8:00 bis 14:00 Uhr"),
        ("24/7", "de", "immer geöffnet, Tag und Nacht"),
        (
            "Mo-Fr 09:00-18:00; We 09:00-12:00; PH off",
            "en",
            "Monday, Tuesday, Thursday and Friday: 9:00 to 18:00; Wednesday: 9:00 to 12:00; "
            "closed on public holidays",
        ),
        ("Mo,We 10:00-12:00", "de-LS", "Montag und Mittwoch: 10:00 bis 12:00 Uhr"),
        ("Sa 10:00-13:00", "uk", "субота: з 10:00 до 13:00"),
        ("Mo-Fr 09:00-17:00", "ar", "من الاثنين إلى الجمعة: من 9:00 إلى 17:00"),
        ("Mo-Fr 09:00-17:00", "fa", "دوشنبه تا جمعه: 9:00 تا 17:00"),
        ("Fr-Mo 10:00-12:00", "ru", "понедельник и пятница – воскресенье: с 10:00 до 12:00"),
    ],
)
def test_common_forms_in_words(tag, code, words):
    assert _plain(_text(code, tag)) == words


@pytest.mark.parametrize(
    "tag",
    [
        "Mo–Do 9–15 Uhr und nach Vereinbarung",
        "sunrise-sunset",
        "Mo-Fr 22:00-02:00",  # past midnight
        "Jan-Mar Mo 10:00-12:00",
        "Mo[1] 10:00-12:00",
        'Mo-Fr 08:00-12:00 "nach Vereinbarung"',
        "Mo-Fr 08:00+",
        'Mo-Fr 10:00-12:00 || "auf Anfrage"',
        "Mo 12:00-10:00",
        "Mo 08:00-12:00,11:00-13:00",  # overlapping times
        "off",
        "<b>Mo</b> 9-12",
        "",
    ],
)
def test_anything_else_is_printed_as_written(tag):
    assert parse_opening_hours(tag) is None
    shown = hours_in_words(HandoutText(LANGUAGES["ar"]), tag)
    if tag:
        assert 'class="raw-hours"' in str(shown) and 'dir="ltr"' in str(shown)
        assert "<b>" not in str(shown)  # escaped, never markup
    else:
        assert shown is None


# -- the oracle: what opening-hours-py says for a week ----------------------------------------
def _oracle_week(tag: str) -> list[tuple]:
    """Per weekday the open intervals in minutes, as opening-hours-py evaluates the tag."""
    days: list[list] = [[] for _ in WEEKDAYS]
    for start, end, state, _comment in oh.OpeningHours(tag).intervals(
        MONDAY, MONDAY + timedelta(days=7)
    ):
        if state == oh.State.OPEN:
            day = (start - MONDAY).days
            a = start.hour * 60 + start.minute
            b = a + int((end - start).total_seconds() // 60)
            while b > 24 * 60:  # split at midnight (24/7)
                days[day].append((a, 24 * 60))
                day, a, b = day + 1, 0, b - 24 * 60
            if day < 7:
                days[day].append((a, b))
    merged = []
    for intervals in days:
        out: list[list[int]] = []
        for a, b in sorted(intervals):
            if out and out[-1][1] == a:
                out[-1][1] = b
            else:
                out.append([a, b])
        merged.append(tuple(tuple(i) for i in out))
    return merged


_day = st.sampled_from(WEEKDAYS)
_days = st.lists(st.one_of(_day, st.tuples(_day, _day).map("-".join)), min_size=1, max_size=3).map(
    ",".join
)
_hour = st.integers(0, 23)


@st.composite
def _times(draw):
    starts = sorted(draw(st.sets(st.integers(0, 46), min_size=1, max_size=3)))
    out, last_end = [], -1
    for s in starts:
        a = s * 30
        if a <= last_end:
            continue
        b = min(a + draw(st.integers(1, 10)) * 30, 24 * 60)
        out.append(f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}")
        last_end = b
    return ",".join(out)


@st.composite
def _tags(draw):
    rules = []
    for index in range(draw(st.integers(1, 3))):
        times = draw(st.one_of(_times(), st.just("off")))
        rule = f"{draw(_days)} {times}"
        separator = "; " if index == 0 or draw(st.booleans()) else ", "
        if times == "off" and separator == ", ":
            separator = "; "
        rules.append((separator, rule))
    tag = rules[0][1] + "".join(sep + rule for sep, rule in rules[1:])
    return tag


@settings(max_examples=300, deadline=None)
@given(_tags())
def test_the_words_match_the_maintained_parser(tag):
    ours = parse_opening_hours(tag)
    oracle = _oracle_week(tag)
    if ours is None:  # we may refuse (then the tag is printed as written), never differ
        return
    assert list(ours.days) == oracle, tag


def test_the_oracle_agrees_on_the_german_style_after_normalising():
    ours = parse_opening_hours("Mo–Fr 8–12 Uhr, Do 14–18 Uhr")
    assert list(ours.days) == _oracle_week("Mo-Fr 08:00-12:00, Th 14:00-18:00")
