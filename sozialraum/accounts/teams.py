"""Teams created by an admin before any account or district has them (``teams.json``).

A team is a name (see :mod:`sozialraum.model.teams`). It exists wherever it is used: on
accounts (``users.json``) and in the district assignments of the areas (``teams`` in
``area.json``). This file only adds the teams that an admin created in the web app and that
nothing uses yet, so that they can be chosen in the forms (the interface is
:class:`~sozialraum.accounts.base.TeamStore`; the database keeps them in the table
``teams``). Same locking as ``users.json``.
"""

from __future__ import annotations

from pathlib import Path

from sozialraum.accounts._jsonfile import JsonFile, require
from sozialraum.accounts.audit import ACTOR_CLI, FileAccountAudit, file_audit
from sozialraum.accounts.base import TeamStore

__all__ = ["TEAMS_FILE", "FileTeamStore", "TeamStore"]

FILE_FORMAT = "sozialraum-teams"
TEAMS_FILE = "teams.json"


def _empty() -> dict:
    return {"format": FILE_FORMAT, "version": 1, "teams": []}


def _validate(data: dict) -> None:
    require(data.get("format") == FILE_FORMAT, "not a sozialraum teams file")
    teams = data.get("teams")
    require(isinstance(teams, list), "'teams' is not a list")
    require(all(isinstance(t, str) and t for t in teams), "a team name is not text")


class FileTeamStore(TeamStore):
    """Team names kept in one JSON file (``<data_dir>/_accounts/teams.json``).

    Parameters
    ----------
    path : pathlib.Path
        The file; its folder is created on the first write.
    lock_timeout_s : float, optional
        How long a writer waits for another process's lock (seconds).
    audit : FileAccountAudit, optional
        The audit log of account changes (default: ``audit.jsonl`` beside ``path``).
    """

    def __init__(
        self, path: Path, lock_timeout_s: float = 10.0, *, audit: FileAccountAudit | None = None
    ):
        self.path = Path(path)
        self._file = JsonFile(
            self.path, empty=_empty, validate=_validate, lock_timeout_s=lock_timeout_s
        )
        self.audit = audit if audit is not None else file_audit(self.path.parent)

    def list(self) -> list[str]:
        """The team names in the file, sorted."""
        return sorted(self._file.read()["teams"])

    def add(self, name: str, *, actor: str = ACTOR_CLI) -> None:
        """Add ``name`` (cleaned and resolved by the caller); nothing if it is there."""

        def change(data: dict) -> None:
            if name not in data["teams"]:
                data["teams"].append(name)
                log("team_add", team=name)

        with self.audit.writing(actor) as log:
            self._file.update(change)

    def rename(self, old: str, new: str) -> None:
        """Replace ``old`` by ``new`` (``new`` is added if ``old`` is not in the file)."""

        def change(data: dict) -> None:
            teams = [t for t in data["teams"] if t not in (old, new)]
            data["teams"] = [*teams, new]

        self._file.update(change)
