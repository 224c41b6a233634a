"""Rules for user accounts: login names, passwords and teams.

Messages never contain a password.
"""

from __future__ import annotations

import re

from sozialraum.errors import InvalidInput
from sozialraum.model.roles import Role
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
            "invalid user name: use 3 to 40 lower-case letters, digits, '.', '_' or '-'"
        )
    return clean


def account_team(role: Role, team: str | None) -> str | None:
    """The cleaned team of an account with ``role``.

    At most :data:`MAX_TEAM_LENGTH` printable characters; ``None`` only for an admin without one.
    """
    if team is not None and not isinstance(team, str):
        raise InvalidInput("the team must be text")
    clean = clean_team(team) if team else ""
    if not clean:
        if role != Role.ADMIN:
            raise InvalidInput(f"a user with role '{role.value}' needs a team")
        return None
    if len(clean) > MAX_TEAM_LENGTH or not clean.isprintable():
        raise InvalidInput(f"the team name must be at most {MAX_TEAM_LENGTH} printable characters")
    return clean


def check_password_rules(name: str, password: str) -> None:
    """:class:`InvalidInput` unless ``password`` is acceptable.

    It must be text of :data:`MIN_PASSWORD_LENGTH` to :data:`MAX_PASSWORD_LENGTH` characters other
    than the user name ``name``.

    Messages never contain the password itself.
    """
    if not isinstance(password, str):
        raise InvalidInput("the password must be text")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"the password must be at least {MIN_PASSWORD_LENGTH} characters long")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(f"the password must be at most {MAX_PASSWORD_LENGTH} characters long")
    if password.strip().lower() == name:
        raise InvalidInput("the password must not be the same as the user name")
