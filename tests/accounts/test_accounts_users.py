"""User store: validation, scrypt hashes, authentication, locking, cache, corruption."""

from __future__ import annotations

import json
import multiprocessing
import pathlib
import stat

import filelock
import pytest

from sozialraum.accounts import FileUserStore, User, accounts_dir
from sozialraum.accounts import base as users_module
from sozialraum.accounts.demo import DEMO_USERS, install_demo_users
from sozialraum.errors import InvalidInput, NotFound, StorageError, StoreBusy
from sozialraum.model.roles import Role

PASSWORD = "Ruhrort-Bäcker-42"


@pytest.fixture
def folder(tmp_path):
    return accounts_dir(tmp_path / "data")


@pytest.fixture
def users(folder) -> FileUserStore:
    return FileUserStore(folder / "users.json")


def test_accounts_dir_is_under_the_data_dir(tmp_path):
    assert accounts_dir(tmp_path) == tmp_path / "_accounts"


def test_add_get_list(users, folder):
    added = users.add("Anna.Schmidt", "caseworker", "Team Nord", PASSWORD)
    assert isinstance(added, User)
    assert added.name == "anna.schmidt" and added.role is Role.CASEWORKER
    assert added.team == "Team Nord" and added.disabled is False
    assert added.created_at == added.password_changed_at and added.created_at.endswith("+00:00")
    assert (folder / "users.json").is_file()
    users.add("bernd", Role.ADMIN, None, PASSWORD)
    users.add("admin-2", "admin", "  Team   Süd ", PASSWORD)
    assert users.get("ANNA.SCHMIDT ") == added
    assert [u.name for u in users.list()] == ["admin-2", "anna.schmidt", "bernd"]
    assert users.get("bernd").team is None
    assert users.get("admin-2").team == "Team Süd"


def test_empty_store_lists_nothing_and_writes_nothing(users):
    assert users.list() == []
    assert users.authenticate("nobody", PASSWORD) is None
    assert not users.path.exists()


@pytest.mark.parametrize(
    "name", ["ab", "a" * 41, "anna schmidt", "jürgen", "anna@amt", "", None, "a/b"]
)
def test_invalid_names_are_refused(users, name):
    with pytest.raises(InvalidInput, match="3 to 40 lower-case letters"):
        users.add(name, "viewer", "Team Nord", PASSWORD)


def test_boundary_names_are_accepted(users):
    users.add("abc", "viewer", "Team Nord", PASSWORD)
    users.add("a" * 40, "viewer", "Team Nord", PASSWORD)
    users.add("a.b_c-1", "viewer", "Team Nord", PASSWORD)
    assert len(users.list()) == 3


def test_duplicate_names_are_refused(users):
    users.add("anna", "viewer", "Team Nord", PASSWORD)
    with pytest.raises(InvalidInput, match="already exists"):
        users.add("ANNA", "lead", "Team Süd", PASSWORD)
    assert users.get("anna").role is Role.VIEWER


@pytest.mark.parametrize("role", ["viewer", "caseworker", "lead"])
@pytest.mark.parametrize("team", [None, "", "   "])
def test_team_is_required_except_for_admins(users, role, team):
    with pytest.raises(InvalidInput, match="needs a team"):
        users.add("anna", role, team, PASSWORD)
    assert users.add("anna", "admin", team, PASSWORD).team is None


def test_team_names_are_checked(users):
    with pytest.raises(InvalidInput, match="at most 80"):
        users.add("anna", "viewer", "T" * 81, PASSWORD)
    with pytest.raises(InvalidInput, match="team must be text"):
        users.add("anna", "viewer", 7, PASSWORD)


def test_invalid_role_is_refused(users):
    with pytest.raises(InvalidInput, match="invalid role"):
        users.add("anna", "boss", "Team Nord", PASSWORD)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("kurz-123", "at least 10 characters"),
        ("123456789", "at least 10 characters"),
        ("anna.schmidt", "not be the same as the user name"),
        ("ANNA.Schmidt", "not be the same as the user name"),
        ("x" * 1025, "at most 1024"),
        (None, "must be text"),
    ],
)
def test_weak_passwords_are_refused_without_echoing_them(users, password, message):
    with pytest.raises(InvalidInput, match=message) as info:
        users.add("anna.schmidt", "viewer", "Team Nord", password)
    if password:
        assert password not in str(info.value) and password not in repr(info.value)
    users.add("anna.schmidt", "viewer", "Team Nord", PASSWORD)
    with pytest.raises(InvalidInput, match=message):
        users.set_password("anna.schmidt", password)


def test_file_holds_scrypt_hashes_and_never_the_password(users):
    users.add("anna", "caseworker", "Team Nord", PASSWORD)
    users.add("bernd", "lead", "Team Nord", "anderes-Passwort-9")
    raw = users.path.read_bytes()
    assert PASSWORD.encode() not in raw and b"anderes-Passwort-9" not in raw
    data = json.loads(raw)
    hashes = [entry["password_hash"] for entry in data["users"].values()]
    assert all(h.startswith("scrypt:") for h in hashes) and hashes[0] != hashes[1]
    assert stat.S_IMODE(users.path.stat().st_mode) == 0o600
    assert not any("hash" in field for field in User.__dataclass_fields__)


def test_authenticate(users):
    users.add("anna", "caseworker", "Team Nord", PASSWORD)
    user = users.authenticate("Anna", PASSWORD)
    assert user == users.get("anna")
    assert users.authenticate("anna", PASSWORD + "x") is None
    assert users.authenticate("anna", PASSWORD.upper()) is None
    assert users.authenticate("anna", "") is None
    assert users.authenticate("anna", None) is None
    assert users.authenticate("anna", "x" * 5000) is None
    assert users.authenticate("nobody", PASSWORD) is None
    assert users.authenticate("not a valid name!", PASSWORD) is None


def test_unknown_users_are_checked_against_a_dummy_hash(users, monkeypatch):
    users.add("anna", "caseworker", "Team Nord", PASSWORD)
    checked = []
    real = users_module.check_password_hash

    def spy(pwhash, password):
        checked.append(pwhash)
        return real(pwhash, password)

    monkeypatch.setattr(users_module, "check_password_hash", spy)
    assert users.authenticate("nobody", PASSWORD) is None
    assert users.authenticate("!!", PASSWORD) is None
    assert users.authenticate("anna", "falsches-passwort") is None
    dummy = users_module.dummy_hash()
    stored = json.loads(users.path.read_bytes())["users"]["anna"]["password_hash"]
    assert checked == [dummy, dummy, stored]
    assert dummy.split("$")[0] == stored.split("$")[0]  # same method and cost


def test_disable_and_enable(users):
    users.add("anna", "caseworker", "Team Nord", PASSWORD)
    assert users.disable("anna").disabled is True
    assert users.get("anna").disabled is True
    assert users.authenticate("anna", PASSWORD) is None
    assert users.disable("anna").disabled is True  # idempotent
    assert users.enable("anna").disabled is False
    assert users.authenticate("anna", PASSWORD) is not None


def test_set_password(users):
    users.add("anna", "caseworker", "Team Nord", PASSWORD)
    before = json.loads(users.path.read_bytes())["users"]["anna"]["password_hash"]
    changed = users.set_password("anna", "neues-Passwort-2026")
    assert changed.name == "anna" and changed.password_changed_at >= changed.created_at
    assert users.authenticate("anna", PASSWORD) is None
    assert users.authenticate("anna", "neues-Passwort-2026") is not None
    raw = users.path.read_bytes()
    assert b"neues-Passwort-2026" not in raw
    assert json.loads(raw)["users"]["anna"]["password_hash"] != before


@pytest.mark.parametrize("method", ["get", "disable", "enable"])
def test_unknown_user_is_not_found(users, method):
    users.add("anna", "caseworker", "Team Nord", PASSWORD)
    with pytest.raises(NotFound, match="no user 'bernd'") as info:
        getattr(users, method)("bernd")
    assert info.value.status == 404


def test_set_password_of_unknown_user_is_not_found(users):
    with pytest.raises(NotFound):
        users.set_password("bernd", PASSWORD)
    assert not users.path.exists()


def test_a_second_instance_sees_changes(users):
    other = FileUserStore(users.path)
    assert other.list() == []
    users.add("anna", "caseworker", "Team Nord", PASSWORD)
    assert [u.name for u in other.list()] == ["anna"]
    users.disable("anna")
    assert other.get("anna").disabled and other.authenticate("anna", PASSWORD) is None


def test_reads_are_served_from_memory_while_the_file_is_unchanged(users, monkeypatch):
    users.add("anna", "caseworker", "Team Nord", PASSWORD)
    users.list()

    def no_reading(self):
        raise AssertionError("file read again")

    monkeypatch.setattr(pathlib.Path, "read_bytes", no_reading)
    assert users.get("anna").name == "anna"
    assert len(users.list()) == 1


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"[]",
        b'{"format": "sozialraum-users", "version": 1}',
        b'{"format": "other", "version": 1, "users": {}}',
        b'{"format": "sozialraum-users", "version": 1, "users": {"anna": {"role": "boss"}}}',
    ],
)
def test_corrupt_file_is_a_storage_error_and_never_overwritten(users, content):
    users.path.parent.mkdir(parents=True)
    users.path.write_bytes(content)
    for action in (
        users.list,
        lambda: users.get("anna"),
        lambda: users.add("bernd", "viewer", "Team Nord", PASSWORD),
        lambda: users.disable("anna"),
        lambda: users.authenticate("anna", PASSWORD),
    ):
        with pytest.raises(StorageError, match="users.json") as info:
            action()
        assert str(users.path) in info.value.message and info.value.status == 503
    assert users.path.read_bytes() == content


def test_locked_file_gives_busy(folder):
    folder.mkdir(parents=True)
    store = FileUserStore(folder / "users.json", lock_timeout_s=0.1)
    with filelock.FileLock(folder / "users.json.lock"):
        with pytest.raises(StoreBusy) as info:
            store.add("anna", "viewer", "Team Nord", PASSWORD)
        assert store.list() == []  # reading needs no lock
    assert info.value.status == 503
    store.add("anna", "viewer", "Team Nord", PASSWORD)


def test_only_own_orphaned_temp_files_are_removed(users, folder):
    folder.mkdir(parents=True)
    (folder / ".tmp-users.json-abc").write_text("half")
    (folder / ".tmp-sessions.json-abc").write_text("being written by another store")
    users.add("anna", "viewer", "Team Nord", PASSWORD)
    assert not (folder / ".tmp-users.json-abc").exists()
    assert (folder / ".tmp-sessions.json-abc").exists()


def _add_users(path: str, worker: int, count: int) -> None:
    store = FileUserStore(path)
    for i in range(count):
        store.add(f"w{worker}-user{i}", "caseworker", f"Team {worker}", f"passwort-{worker}-{i}!")


def test_concurrent_processes_lose_no_user(users):
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_add_users, args=(str(users.path), w, 4)) for w in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert all(w.exitcode == 0 for w in workers)
    names = [u.name for u in users.list()]
    assert names == sorted(f"w{w}-user{i}" for w in range(2) for i in range(4))
    assert users.authenticate("w1-user3", "passwort-1-3!") is not None


def test_demo_users_are_installed_once(folder):
    installed = install_demo_users(folder)
    assert installed == [(name, role, f"{name}-2026") for name, role, _ in DEMO_USERS]
    store = FileUserStore(folder / "users.json")
    for name, role, password in installed:
        user = store.authenticate(name, password)
        assert user is not None and user.role == role
    assert store.get("demo-admin").team is None
    assert store.get("demo-leitung").team == "Team Nord"
    store.set_password("demo-lesend", "geheim-geheim-1")
    before = store.path.stat().st_mtime_ns
    assert install_demo_users(folder) == installed
    assert store.path.stat().st_mtime_ns == before  # nothing written, nothing reset
    assert store.authenticate("demo-lesend", "geheim-geheim-1") is not None
