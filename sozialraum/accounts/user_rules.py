"""Rules for user accounts: login names, passwords and teams.

Messages never contain a password.
"""

from __future__ import annotations

import re

from sozialraum.errors import InvalidInput
from sozialraum.model.roles import ROLE_LABELS, Role
from sozialraum.model.teams import clean_team

#: Login names: 3–40 characters of ``a-z``, ``0-9``, ``.``, ``_``, ``-``.
USER_NAME = re.compile(r"^[a-z0-9._-]{3,40}$")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
MAX_TEAM_LENGTH = 80


def normalize_name(name: str) -> str:
    """Return the canonical form of a login name (stripped, lower case).

    Parameters
    ----------
    name : str
        The name as typed.

    Returns
    -------
    str
        The name in lower case.

    Raises
    ------
    InvalidInput
        If the name is not 3–40 characters of ``a-z``, ``0-9``, ``.``, ``_``, ``-``.
    """
    clean = name.strip().lower() if isinstance(name, str) else ""
    if not USER_NAME.match(clean):
        raise InvalidInput(
            "invalid user name: use 3 to 40 lower-case letters, digits, '.', '_' or '-'",
            "Der Anmeldename muss 3 bis 40 Zeichen lang sein: Kleinbuchstaben, Ziffern, "
            "'.', '_' oder '-'.",
        )
    return clean


def account_team(role: Role, team: str | None) -> str | None:
    """The cleaned team of an account with ``role``.

    At most :data:`MAX_TEAM_LENGTH` printable characters; ``None`` only for an admin without one.
    """
    if team is not None and not isinstance(team, str):
        raise InvalidInput("the team must be text", "Das Team muss ein Text sein.")
    clean = clean_team(team) if team else ""
    if not clean:
        if role != Role.ADMIN:
            raise InvalidInput(
                f"a user with role '{role.value}' needs a team",
                f"Ein Konto mit der Rolle „{ROLE_LABELS[role]}“ braucht ein Team.",
            )
        return None
    if len(clean) > MAX_TEAM_LENGTH or not clean.isprintable():
        raise InvalidInput(
            f"the team name must be at most {MAX_TEAM_LENGTH} printable characters",
            f"Der Teamname darf höchstens {MAX_TEAM_LENGTH} druckbare Zeichen haben.",
        )
    return clean


def check_password_rules(name: str, password: str) -> None:
    """:class:`InvalidInput` unless ``password`` is acceptable.

    It must be text of :data:`MIN_PASSWORD_LENGTH` to :data:`MAX_PASSWORD_LENGTH` characters other
    than the user name ``name``.

    Messages never contain the password itself.
    """
    if not isinstance(password, str):
        raise InvalidInput("the password must be text", "Das Passwort muss ein Text sein.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"the password must be at least {MIN_PASSWORD_LENGTH} characters long",
            f"Das Passwort muss mindestens {MIN_PASSWORD_LENGTH} Zeichen lang sein.",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            f"the password must be at most {MAX_PASSWORD_LENGTH} characters long",
            f"Das Passwort darf höchstens {MAX_PASSWORD_LENGTH} Zeichen lang sein.",
        )
    if password.strip().lower() == name:
        raise InvalidInput(
            "the password must not be the same as the user name",
            "Das Passwort darf nicht der Anmeldename sein.",
        )


def check_keeps_an_admin(users: dict, name: str, *, role: str, disabled: bool) -> None:
    """:class:`InvalidInput` if changing account ``name`` would leave no enabled admin.

    Parameters
    ----------
    users : dict
        Login name → stored entry (``role``, ``disabled``) before the change.
    name : str
        The account that changes.
    role : str
        Its role after the change (a :class:`~sozialraum.model.roles.Role` value).
    disabled : bool
        Whether it is disabled after the change.
    """
    entry = users.get(name) or {}
    was_admin = entry.get("role") == Role.ADMIN.value and not entry.get("disabled")
    stays_admin = role == Role.ADMIN.value and not disabled
    if not was_admin or stays_admin:
        return
    others = [
        n
        for n, e in users.items()
        if n != name and e.get("role") == Role.ADMIN.value and not e.get("disabled")
    ]
    if not others:
        raise InvalidInput(
            f"{name!r} is the last enabled admin: make another account admin first",
            f"„{name}“ ist das letzte aktive Administrationskonto. Es kann nicht gesperrt oder "
            "herabgestuft werden: Legen Sie zuerst ein weiteres Administrationskonto an.",
        )
