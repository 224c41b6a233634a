"""Shared helpers for the review and meeting tests: the note services called on a note
feature at its version, with the default rules and today's date unless a test gives others."""

from __future__ import annotations

from datetime import date

from sozialraum.model.notes import load_note_categories
from sozialraum.model.privacy import load_privacy_guard
from sozialraum.services import notes as fieldnotes
from sozialraum.services import review
from sozialraum.services.notes import NoteRules

TODAY = date.today()
RULES = NoteRules(load_note_categories(), load_privacy_guard())


def _service_kwargs(note, kwargs) -> dict:
    """``kwargs`` with the note's version, RULES and TODAY filled in where not given."""
    return {
        "expected_version": note["properties"]["version"],
        "rules": RULES,
        "today": TODAY,
        **kwargs,
    }


def edit_data(note, **changes) -> dict:
    """The form data of ``note`` as it is stored, with ``changes`` on top."""
    props = note["properties"]
    lon, lat = note["geometry"]["coordinates"]
    data = {
        "lon": lon,
        "lat": lat,
        "category": props["category"],
        "text": props["text"],
        "observed_on": props["observed_on"],
        "expires_on": props["expires_on"],
    }
    data.update(changes)
    return data


def review_note(store, area, note, action, *, actor, **kwargs) -> dict:
    """``review.review_note`` on ``note`` (its id and, unless given, its version)."""
    return review.review_note(
        store, area, note["id"], action, actor=actor, **_service_kwargs(note, kwargs)
    )


def request_recheck(store, area, note, *, actor, **kwargs) -> tuple[dict, dict]:
    """``review.request_recheck`` on ``note``: the changed note and its walk."""
    return review.request_recheck(
        store, area, note["id"], actor=actor, **_service_kwargs(note, kwargs)
    )


def update_note(store, area, note, data, *, actor, **kwargs) -> dict:
    """``fieldnotes.update_note`` of ``note`` with the new ``data``."""
    return fieldnotes.update_note(
        store, area, note["id"], data, actor=actor, **_service_kwargs(note, kwargs)
    )
