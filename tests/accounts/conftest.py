"""The ``backend`` fixture: the account stores of every backend, for the contract tests."""

from __future__ import annotations

import pytest

from sozialraum.accounts import FileLoginLimiter, FileSessionStore, FileUserStore, accounts_dir


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


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["files"])
def backend(request, tmp_path):
    """The account stores of one backend (each test: empty storage)."""
    return FilesBackend(tmp_path / "data")
