"""One spelling per team: "Süd", "sued", "Süd  " are one team (issue 25)."""

from __future__ import annotations

import pytest

from sozialraum.errors import InvalidInput
from sozialraum.model.teams import clean_team, resolve_team, team_key


@pytest.mark.parametrize("spelling", ["Süd", "sued", "SÜD", "Süd  ", " süd", "Su\u0308d", "SUED"])
def test_spellings_of_one_team_share_a_key(spelling):
    assert team_key(spelling) == team_key("Süd") == "sued"


def test_inner_spaces_collapse_and_different_teams_stay_apart():
    assert clean_team("  Team   Nord ") == "Team Nord"
    assert team_key("Team  Großstraße") == team_key("team grossstrasse")
    assert team_key("Süd") != team_key("Süd-West") != team_key("Nord")


def test_resolve_uses_the_existing_spelling():
    existing = ["Team Süd", "Team Nord"]
    assert resolve_team("team sued", existing) == "Team Süd"
    assert resolve_team("TEAM  SÜD ", existing) == "Team Süd"
    assert resolve_team("Team Nord", existing) == "Team Nord"
    assert resolve_team("  Team  West ", existing) == "Team West"  # new team, cleaned


def test_resolve_refuses_when_two_existing_spellings_compete():
    with pytest.raises(InvalidInput, match="matches several existing teams .*'Süd'.*'sued'"):
        resolve_team("SÜD", ["sued", "Süd"])
    assert resolve_team("Süd", ["sued", "Süd"]) == "Süd"  # typed exactly as one of them
