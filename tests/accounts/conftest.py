"""The ``accounts_backend`` fixture: the account stores of every backend, for the contract tests."""

from __future__ import annotations

import pytest

from sozialraum.accounts import (
    FileLoginLimiter,
    FileSessionStore,
    FileTeamStore,
    FileUserStore,
    accounts_dir,
)


class FakeClock:
    """A clock the test moves by hand (seconds since the epoch)."""

    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FilesBackend:
    """Account stores on the files of one data folder; every call is a new instance."""

    name = "files"

    def __init__(self, data_dir):
        self.folder = accounts_dir(data_dir)

    def users(self) -> FileUserStore:
        return FileUserStore(self.folder / "users.json")

    def sessions(self, **kwargs) -> FileSessionStore:
        return FileSessionStore(self.folder / "sessions.json", **kwargs)

    def limiter(self, **kwargs) -> FileLoginLimiter:
        return FileLoginLimiter(self.folder / "logins.json", **kwargs)

    def teams(self) -> FileTeamStore:
        return FileTeamStore(self.folder / "teams.json")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


class PostgresBackend:
    """Account stores in one database; every call is a new instance (as on another server)."""

    name = "postgres"

    def __init__(self, pool):
        self.pool = pool

    def users(self):
        from sozialraum.accounts.postgres import PostgresUserStore

        return PostgresUserStore(self.pool)

    def sessions(self, **kwargs):
        from sozialraum.accounts.postgres import PostgresSessionStore

        return PostgresSessionStore(self.pool, **kwargs)

    def limiter(self, **kwargs):
        from sozialraum.accounts.postgres import PostgresLoginLimiter

        return PostgresLoginLimiter(self.pool, **kwargs)

    def teams(self):
        from sozialraum.accounts.postgres import PostgresTeamStore

        return PostgresTeamStore(self.pool)


@pytest.fixture(params=["files", "postgres"])
def accounts_backend(request, tmp_path):
    """The account stores of one backend, on empty storage (each test runs once per backend).

    The PostgreSQL cluster (``pg_url``, see ``tests/conftest.py``) starts only when a
    postgres case runs.
    """
    if request.param == "files":
        return FilesBackend(tmp_path / "data")
    from sozialraum.db import get_pool

    return PostgresBackend(get_pool(request.getfixturevalue("pg_url")))
