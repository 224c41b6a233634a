"""User roles and what each role may do (pure: no I/O).

Four roles, from least to most rights:

========== ================= ==============================================
role       German label      rights
========== ================= ==============================================
viewer     Lesezugriff       read (the own team's released notes)
caseworker Fachkraft         read (the own team's notes); write in the own team's districts
lead       Teamleitung       as caseworker; review (four-eyes) in own team
admin      Administration    everything in every team; manage accounts
========== ================= ==============================================

The web layer decides what "own team" means for a request (the team of the
district a note belongs to equals the user's team) and asks these helpers. Notes
are read within the team too (:func:`sozialraum.services.notes.visible`): accounts with
a team see only their team's notes; admins and accounts without a team see all.
"""

from __future__ import annotations

import enum

from sozialraum.errors import InvalidInput

__all__ = [
    "ROLE_LABELS",
    "Role",
    "can_administer",
    "can_edit_offers",
    "can_read",
    "can_review",
    "can_write",
    "can_write_somewhere",
    "parse_role",
]


class Role(enum.StrEnum):
    """A user's role; the value is the stable identifier stored in files."""

    VIEWER = "viewer"
    CASEWORKER = "caseworker"
    LEAD = "lead"
    ADMIN = "admin"


#: German labels for the user interface.
ROLE_LABELS: dict[Role, str] = {
    Role.VIEWER: "Lesezugriff",
    Role.CASEWORKER: "Fachkraft",
    Role.LEAD: "Teamleitung",
    Role.ADMIN: "Administration",
}


def parse_role(text: str | Role) -> Role:
    """Turn a role identifier into a :class:`Role`.

    Parameters
    ----------
    text : str or Role
        One of ``viewer``, ``caseworker``, ``lead``, ``admin``; surrounding blanks and
        upper case are accepted.

    Returns
    -------
    Role
        The role.

    Raises
    ------
    InvalidInput
        If ``text`` is not a known role; the message lists the valid roles.
    """
    if isinstance(text, Role):
        return text
    valid = ", ".join(role.value for role in Role)
    german = "Bitte eine Rolle wählen: " + ", ".join(ROLE_LABELS.values()) + "."
    if not isinstance(text, str):
        raise InvalidInput(f"invalid role {text!r}: use one of {valid}", german)
    try:
        return Role(text.strip().lower())
    except ValueError:
        raise InvalidInput(f"invalid role {text!r}: use one of {valid}", german) from None


def can_read(role: Role) -> bool:
    """Return whether ``role`` may read maps, notes and offers (every role may).

    Parameters
    ----------
    role : Role
        The user's role.

    Returns
    -------
    bool
        ``True`` for every role.
    """
    return role in ROLE_LABELS


def can_write(role: Role, *, own_team: bool) -> bool:
    """Return whether ``role`` may create or change field notes and statuses.

    Parameters
    ----------
    role : Role
        The user's role.
    own_team : bool
        Whether the data belongs to the user's own team.

    Returns
    -------
    bool
        ``True`` for caseworkers and leads in their own team, and for admins everywhere.
    """
    if role == Role.ADMIN:
        return True
    return own_team and role in (Role.CASEWORKER, Role.LEAD)


def can_write_somewhere(role: Role) -> bool:
    """Return whether ``role`` may write in at least its own team (every role but viewer).

    Parameters
    ----------
    role : Role
        The user's role.

    Returns
    -------
    bool
        ``can_write(role, own_team=True)``.
    """
    return can_write(role, own_team=True)


def can_review(role: Role, *, own_team: bool) -> bool:
    """Return whether ``role`` may release, re-check or archive notes (four-eyes review).

    Parameters
    ----------
    role : Role
        The user's role.
    own_team : bool
        Whether the data belongs to the user's own team.

    Returns
    -------
    bool
        ``True`` for leads in their own team and for admins everywhere.
    """
    if role == Role.ADMIN:
        return True
    return own_team and role == Role.LEAD


def can_edit_offers(role: Role) -> bool:
    """Return whether ``role`` may create, change, check and delete support offers.

    Parameters
    ----------
    role : Role
        The user's role.

    Returns
    -------
    bool
        ``True`` for leads and admins (offers serve the whole area, not one team);
        caseworkers propose offers and changes instead.
    """
    return role in (Role.LEAD, Role.ADMIN)


def can_administer(role: Role) -> bool:
    """Return whether ``role`` may manage user accounts and areas.

    Parameters
    ----------
    role : Role
        The user's role.

    Returns
    -------
    bool
        ``True`` only for admins.
    """
    return role == Role.ADMIN
