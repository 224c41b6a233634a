"""Roles: parsing, German labels, the permission matrix."""

from __future__ import annotations

import pytest

from sozialraum.errors import InvalidInput
from sozialraum.model.roles import (
    ROLE_LABELS,
    Role,
    can_administer,
    can_read,
    can_review,
    can_write,
    parse_role,
)


def test_roles_are_strings_with_stable_values():
    assert [r.value for r in Role] == ["viewer", "caseworker", "lead", "admin"]
    assert Role.LEAD == "lead" and f"{Role.ADMIN}" == "admin"


def test_every_role_has_a_german_label():
    assert ROLE_LABELS == {
        Role.VIEWER: "Lesezugriff",
        Role.CASEWORKER: "Fachkraft",
        Role.LEAD: "Teamleitung",
        Role.ADMIN: "Administration",
    }


@pytest.mark.parametrize(
    ("text", "role"),
    [("viewer", Role.VIEWER), (" Caseworker ", Role.CASEWORKER), ("LEAD", Role.LEAD)],
)
def test_parse_role(text, role):
    assert parse_role(text) is role
    assert parse_role(role) is role


@pytest.mark.parametrize("text", ["", "boss", "Fachkraft", None, 3])
def test_parse_role_rejects_unknown_roles_and_lists_the_valid_ones(text):
    with pytest.raises(InvalidInput, match="viewer, caseworker, lead, admin") as info:
        parse_role(text)
    assert info.value.status == 400


# role: (read, write own, write other, review own, review other, administer)
MATRIX = {
    Role.VIEWER: (True, False, False, False, False, False),
    Role.CASEWORKER: (True, True, False, False, False, False),
    Role.LEAD: (True, True, False, True, False, False),
    Role.ADMIN: (True, True, True, True, True, True),
}


@pytest.mark.parametrize("role", list(Role))
def test_permission_matrix(role):
    expected = MATRIX[role]
    actual = (
        can_read(role),
        can_write(role, own_team=True),
        can_write(role, own_team=False),
        can_review(role, own_team=True),
        can_review(role, own_team=False),
        can_administer(role),
    )
    assert actual == expected


def test_own_team_is_keyword_only():
    with pytest.raises(TypeError):
        can_write(Role.LEAD, True)  # type: ignore[misc]
