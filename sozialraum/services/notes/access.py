"""Who may read and write field notes.

The actor, the note rules, write permission and visibility (own team, released notes for viewers,
archived notes left out).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sozialraum.errors import Forbidden
from sozialraum.model.notes import (
    NoteCategories,
)
from sozialraum.model.privacy import PrivacyGuard
from sozialraum.model.review import (
    visible_to_viewers,
)
from sozialraum.model.roles import Role, can_write

LAYER = "notes"


@dataclass(frozen=True)
class Actor:
    """Who acts: account name, role and team (``None`` for admins without a team)."""

    name: str
    role: Role
    team: str | None


@dataclass(frozen=True)
class NoteRules:
    """A municipality's note categories and data-protection guard."""

    categories: NoteCategories
    guard: PrivacyGuard


def may_write(actor: Actor, team: str | None) -> bool:
    """Whether ``actor`` may create or change a note of ``team``."""
    return can_write(actor.role, own_team=team is not None and team == actor.team)


def district_team_for(actor: Actor, district_team: str | None) -> str | None:
    """The team a note or walk in a district belongs to when ``actor`` writes it.

    One rule for notes, walks, review and offers: a district without a team is open to
    every team, so there the writer's own team owns what they write (``None`` for an admin
    without a team); otherwise the district's team.
    """
    return district_team or actor.team


def district_refusal(actor: Actor, district_team: str | None, what: str = "Notizen") -> str | None:
    """Why ``actor`` may not write ``what`` in a district of ``district_team`` (German), or None.

    Pages show it before the form (a form never fails after it was filled for a reason known
    when it was shown). A district without a team refuses nobody but viewers.
    """
    if may_write(actor, district_team_for(actor, district_team)):
        return None
    if actor.role == Role.VIEWER:
        return f"Mit Lesezugriff können Sie keine {what} anlegen."
    return (
        f"Dieser Bezirk gehört einem anderen Team („{district_team}“); {what} dort legt nur "
        "dieses Team an."
    )


def require_write(actor: Actor, team: str | None) -> None:
    """:class:`~sozialraum.errors.Forbidden` unless ``actor`` may change a note of ``team``."""
    if not may_write(actor, team):
        if actor.role == Role.VIEWER:
            raise Forbidden("viewers read notes but cannot change them")
        raise Forbidden(f"this note belongs to team {team!r}; only that team may change it")


def visible(props: Mapping, reader: Actor | None, categories: NoteCategories | None) -> bool:
    """Whether ``reader`` sees a note.

    Notes belong to a team: a reader with a team sees only that team's notes; admins and
    accounts without a team see every team's. Viewers see released notes only.

    Parameters
    ----------
    props : mapping
        The note's properties.
    reader : Actor or None
        Who reads; ``None`` for internal reads (CLI, analyses), which see everything.
    categories : NoteCategories or None
        Needed for viewers: a category's ``release_required`` decides.
    """
    if reader is None:
        return True
    if reader.team is not None and reader.role != Role.ADMIN and props.get("team") != reader.team:
        return False
    if reader.role != Role.VIEWER:
        return True
    category = props.get("category")
    required = (
        categories[category].release_required
        if categories is not None and category in categories
        else True
    )
    return visible_to_viewers(props, required)


def visibility_scope(reader: Actor | None) -> tuple:
    """A key that is equal for two readers exactly when they see the same notes.

    As :func:`visible` decides; for caches of results built from notes, e.g. the coverage.

    ``("all", False)`` for internal reads, admins and accounts without a team,
    ``("team", name, False)`` for a caseworker or lead of a team; the last item is
    ``True`` for viewers (released notes only).
    """
    if reader is None:
        return ("all", False)
    viewer = reader.role == Role.VIEWER
    if reader.team is None or reader.role == Role.ADMIN:
        return ("all", viewer)
    return ("team", reader.team, viewer)
