"""What is wrong with an offer today (ended, unchecked, changed, archived) and who edited it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sozialraum.model import review
from sozialraum.model.notes import add_months
from sozialraum.model.offers.vocabulary import (
    ARCHIVED_FIELD,
    CHECK_MONTHS,
    CONTENT_FIELDS,
    EDITORS_FIELD,
)


def _iso(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def offer_editors(properties: Mapping) -> list[str]:
    """Everyone who changed an offer's content since it was last marked as checked.

    From ``edited_by``; offers written before it existed: nobody recorded.
    """
    editors = properties.get(EDITORS_FIELD)
    if not isinstance(editors, list):
        return []
    return [name for name in editors if isinstance(name, str)]


def content_changed(before: Mapping | None, after: Mapping) -> bool:
    """Whether two versions of an offer (GeoJSON Features) differ in content.

    Compares :data:`CONTENT_FIELDS` (missing and empty are equal) and the point;
    ``before`` ``None`` (a new offer) always differs.
    """
    if before is None:
        return True
    return review.content_changed(before, after, CONTENT_FIELDS)


def editors_after(before: Mapping | None, after: Mapping, editor: str) -> list[str]:
    """``edited_by`` of ``after`` when ``editor`` writes it over ``before`` (Features).

    A content change adds the editor; otherwise the editors stay.
    """
    editors = offer_editors((before or {}).get("properties") or {})
    if content_changed(before, after) and editor not in editors:
        editors.append(editor)
    return editors


def check_due(properties: Mapping) -> date | None:
    """The day from which an offer counts as unchecked (``None``: never checked)."""
    checked = _iso(properties.get("checked_on"))
    return add_months(checked, CHECK_MONTHS) if checked else None


def offer_flags(properties: Mapping, today: date) -> dict:
    """What is wrong with an offer today.

    Returns
    -------
    dict
        ``ended`` (past ``valid_to``), ``not_yet`` (before ``valid_from``), ``unchecked``
        (never checked, last checked more than :data:`CHECK_MONTHS` ago, or changed since
        the last check), ``changed`` (who changed the content since the last check:
        another person must mark it as checked — four-eyes), ``archived`` (the day it was
        archived, ISO, or ``None``), ``labels`` (German texts for those) and ``handout``
        (whether it may go on a citizen's handout: neither ended, unchecked nor archived).
    """
    archived = _iso(properties.get(ARCHIVED_FIELD))
    valid_to, valid_from = _iso(properties.get("valid_to")), _iso(properties.get("valid_from"))
    due = check_due(properties)
    ended = valid_to is not None and valid_to < today
    not_yet = valid_from is not None and valid_from > today
    changed = offer_editors(properties)
    unchecked = due is None or due <= today or bool(changed)
    labels = []
    if archived:
        labels.append(f"archiviert am {archived:%d.%m.%Y}")
    if ended:
        labels.append(f"abgelaufen am {valid_to:%d.%m.%Y}")
    if not_yet:
        labels.append(f"beginnt am {valid_from:%d.%m.%Y}")
    if unchecked:
        labels.append(
            "noch nie geprüft"
            if due is None
            else f"seit über {CHECK_MONTHS} Monaten nicht geprüft "
            f"(zuletzt {_iso(properties['checked_on']):%d.%m.%Y})"
            if due <= today
            else f"geändert von {', '.join(changed)}, noch nicht von einer zweiten Person geprüft"
        )
    return {
        "ended": ended,
        "not_yet": not_yet,
        "unchecked": unchecked,
        "changed": changed,
        "archived": archived.isoformat() if archived else None,
        "labels": labels,
        "handout": not ended and not unchecked and not archived,
    }
