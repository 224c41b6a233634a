"""The audit log of account changes, on every backend (files and PostgreSQL).

Each change writes exactly one entry with the actor, the action, the account or team and
old/new role and team; the chain verifies with the store's code and key; an edited entry
fails ``sozialraum users audit --verify``; two processes changing accounts at once leave
one unbroken chain; no password or password hash is ever in the log.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from support.backends import edit_account_audit

from sozialraum.accounts import FileUserStore, accounts_dir, open_accounts
from sozialraum.accounts.audit import ACTIONS
from sozialraum.cli.accounts import users as users_cli
from sozialraum.errors import InvalidInput

PASSWORD = "Ruhrort-Bäcker-42"
NEW_PASSWORD = "Meiderich-Kiosk-77"


@pytest.fixture(params=["files", "postgres"])
def target(request, tmp_path, monkeypatch):
    """``(data_dir, database_url or None)`` of one backend, empty; the CLI sees the same."""
    data_dir = tmp_path / "data"
    if request.param == "files":
        return data_dir, None
    url = request.getfixturevalue("pg_url")
    monkeypatch.setenv("SOZIALRAUM_DATABASE_URL", url)
    return data_dir, url


def _accounts(target):
    data_dir, url = target
    return open_accounts(data_dir, database_url=url)


def _raw_log(target) -> str:
    """Everything the log stores, as text (file bytes, or the table's lines)."""
    data_dir, url = target
    if url is None:
        return (accounts_dir(data_dir) / "audit.jsonl").read_text(encoding="utf-8")
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT line FROM accounts_audit ORDER BY seq").fetchall()
        head = conn.execute("SELECT count, hash FROM accounts_audit_head").fetchall()
    return "\n".join(row[0] for row in rows) + json.dumps(head)


def _new(accounts, before: int) -> list[dict]:
    return accounts.users.audit.entries()[before:]


def test_each_change_writes_exactly_one_entry(target):
    accounts = _accounts(target)
    users, teams = accounts.users, accounts.teams
    log = users.audit
    steps = [
        (lambda: users.add("boss", "admin", None, PASSWORD, actor="cli"), "user_add",
         {"actor": "cli", "user": "boss", "role": "admin", "team": None}),
        (lambda: users.add("anna", "caseworker", "Team Nord", PASSWORD, actor="boss"), "user_add",
         {"actor": "boss", "user": "anna", "role": "caseworker", "team": "Team Nord"}),
        (lambda: users.disable("anna", actor="boss"), "user_disable", {"user": "anna"}),
        (lambda: users.enable("anna", actor="boss"), "user_enable", {"user": "anna"}),
        (lambda: users.set_password("anna", NEW_PASSWORD, actor="boss"), "password_set",
         {"user": "anna"}),
        (lambda: users.set_role_and_team("anna", "lead", "Team Süd", actor="boss"), "role_team_set",
         {"user": "anna", "role_old": "caseworker", "role_new": "lead",
          "team_old": "Team Nord", "team_new": "Team Süd"}),
        (lambda: users.set_role_and_team("anna", "viewer", "Team Süd", actor="boss"),
         "role_team_set", {"user": "anna", "role_old": "lead", "role_new": "viewer"}),
        (lambda: teams.add("Team Ost", actor="boss"), "team_add", {"team": "Team Ost"}),
        (lambda: users.rename_team("Team Süd", "Team Süden", actor="boss"), "team_rename",
         {"team_old": "Team Süd", "team_new": "Team Süden", "users": ["anna"]}),
    ]  # fmt: skip
    for step, action, fields in steps:
        before = len(log.entries())
        step()
        (entry,) = _new(accounts, before)
        assert entry["action"] == action
        assert entry["action"] in ACTIONS
        assert {k: entry.get(k) for k in fields} == fields
        assert entry["actor"] == fields.get("actor", "boss")
        assert entry["ts"].endswith("+00:00")
    # only what changed: no role fields when only the team changes, none for a lock
    plain = [e for e in log.entries() if e["action"] in ("user_disable", "password_set")]
    assert all("role_old" not in e and "team_old" not in e for e in plain)
    result = log.verify()
    assert result.ok, result.problems
    assert result.entries == len(steps) and result.keyed


def test_refused_changes_write_no_entry(target):
    accounts = _accounts(target)
    users = accounts.users
    users.add("boss", "admin", None, PASSWORD)
    count = len(users.audit.entries())
    with pytest.raises(InvalidInput):
        users.disable("boss", actor="boss")  # the last enabled admin
    with pytest.raises(InvalidInput):
        users.add("boss", "admin", None, PASSWORD)  # taken
    with pytest.raises(InvalidInput):
        users.set_password("boss", "kurz")
    accounts.teams.add("Team Ost")
    accounts.teams.add("Team Ost")  # there already: no change, no entry
    assert len(users.audit.entries()) == count + 1
    assert users.audit.verify().ok


def test_no_password_or_hash_in_the_log(target):
    accounts = _accounts(target)
    users = accounts.users
    users.add("boss", "admin", None, PASSWORD)
    users.set_password("boss", NEW_PASSWORD, actor="boss")
    _, stored_hash = users._load("boss")
    raw = _raw_log(target)
    assert raw  # something was written
    for secret in (PASSWORD, NEW_PASSWORD, stored_hash, stored_hash.split("$")[-1], "scrypt"):
        assert secret not in raw
    assert "password_hash" not in raw


def test_verify_command_lists_and_finds_an_edited_entry(target, runner):
    data_dir, url = target
    accounts = _accounts(target)
    accounts.users.add("boss", "admin", None, PASSWORD)
    accounts.users.add("anna", "caseworker", "Team Nord", PASSWORD, actor="boss")
    accounts.users.disable("anna", actor="boss")
    listed = runner.invoke(users_cli, ["audit", "--data-dir", str(data_dir)])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.strip().splitlines()
    assert [line.split("\t")[3] for line in lines] == ["user_add", "user_add", "user_disable"]
    assert "user=anna" in lines[-1] and lines[-1].split("\t")[2] == "boss"  # newest last
    newest = runner.invoke(users_cli, ["audit", "--last", "1", "--data-dir", str(data_dir)])
    assert newest.output.strip() == lines[-1]
    ok = runner.invoke(users_cli, ["audit", "--verify", "--data-dir", str(data_dir)])
    assert ok.exit_code == 0 and "ok: 3 entries" in ok.output
    # an insider changes who was locked, keeping the JSON valid
    edit_account_audit(data_dir, url, '"user":"anna"', '"user":"boss"', entry=3)
    broken = runner.invoke(users_cli, ["audit", "--verify", "--data-dir", str(data_dir)])
    assert broken.exit_code == 1
    assert "line 3: entry was edited" in broken.output
    assert "FAILED" in broken.output


def test_removed_last_entry_fails_verify(target):
    data_dir, url = target
    accounts = _accounts(target)
    accounts.users.add("boss", "admin", None, PASSWORD)
    accounts.teams.add("Team Ost")
    if url is None:
        log = accounts_dir(data_dir) / "audit.jsonl"
        log.write_text(log.read_text().splitlines(keepends=True)[0])
    else:
        import psycopg

        with psycopg.connect(url) as conn:
            conn.execute("DELETE FROM accounts_audit WHERE seq = 2")
    result = accounts.users.audit.verify()
    assert not result.ok
    assert "entries removed" in " ".join(result.problems)


_WORKER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from sozialraum.accounts import open_accounts

    data_dir, url, me, count, go = sys.argv[1:]
    accounts = open_accounts(Path(data_dir), database_url=url or None)
    while not Path(go).exists():
        time.sleep(0.005)
    for i in range(int(count)):
        accounts.teams.add(f"Team {me} {i}", actor=me)
        accounts.users.set_role_and_team("anna", "caseworker", f"Team {me} {i}", actor=me)
        accounts.users.disable("bernd", actor=me)
    """
)


def test_two_processes_keep_one_unbroken_chain(target, tmp_path):
    data_dir, url = target
    accounts = _accounts(target)
    accounts.users.add("boss", "admin", None, PASSWORD)
    accounts.users.add("anna", "caseworker", "Team Nord", PASSWORD)
    accounts.users.add("bernd", "caseworker", "Team Nord", PASSWORD)
    go = tmp_path / "go"
    count = 15
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, str(data_dir), url or "", me, str(count), str(go)],
            env=os.environ.copy(),
        )
        for me in ("w1", "w2")
    ]
    go.touch()
    assert [w.wait() for w in workers] == [0, 0]
    log = open_accounts(data_dir, database_url=url).users.audit
    result = log.verify()
    assert result.ok, result.problems
    entries = log.entries()
    assert result.entries == len(entries) == 3 + 2 * 3 * count
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
    for me in ("w1", "w2"):
        mine = [e["action"] for e in entries if e["actor"] == me]
        assert mine == ["team_add", "role_team_set", "user_disable"] * count


def test_copy_carries_the_log_over_into_an_empty_one(target, tmp_path):
    source = FileUserStore(tmp_path / "old" / "_accounts" / "users.json")
    source.add("boss", "admin", None, PASSWORD)
    source.add("anna", "caseworker", "Team Nord", PASSWORD, actor="boss")
    source.disable("anna", actor="boss")
    old_lines = source.audit.entries()
    users = _accounts(target).users
    assert users.copy_from(source, actor="cli") == (2, 0)
    entries = users.audit.entries()
    assert entries[:3] == old_lines  # the same entries, chain and keys unchanged
    assert entries[3]["action"] == "users_copy"
    assert entries[3]["users"] == ["anna", "boss"] and entries[3]["carried"] == 3
    assert users.audit.verify().ok
    # a second copy: this log has its own chain now, nothing is carried twice
    other = FileUserStore(tmp_path / "other" / "_accounts" / "users.json")
    other.add("carla", "lead", "Team Süd", PASSWORD)
    assert users.copy_from(other) == (1, 0)
    last = users.audit.entries()[-1]
    assert (last["action"], last["carried"], last["source_entries"]) == ("users_copy", 0, 1)
    assert users.audit.verify().ok and users.audit.verify().entries == 5


def test_copy_from_command_reports_the_carried_log(target, tmp_path, runner):
    data_dir, _ = target
    old = tmp_path / "old"
    source = FileUserStore(accounts_dir(old) / "users.json")
    source.add("boss", "admin", None, PASSWORD)
    result = runner.invoke(users_cli, ["copy-from", "--data-dir", str(data_dir), str(old)])
    assert result.exit_code == 0, result.output
    assert "account audit log carried over (1 entries)" in result.output
    log = _accounts(target).users.audit
    assert [e["action"] for e in log.entries()] == ["user_add", "users_copy"]
    assert log.verify().ok


def test_cli_changes_are_logged_as_cli(runner, tmp_path):
    data_dir = tmp_path / "data"
    common = ["--data-dir", str(data_dir)]
    runner.invoke(users_cli, ["add", "boss", "--role", "admin", "--password", PASSWORD, *common])
    runner.invoke(
        users_cli,
        ["add", "anna", "--role", "viewer", "--team", "Team Nord", "--password", PASSWORD, *common],
    )
    runner.invoke(users_cli, ["passwd", "anna", "--password", NEW_PASSWORD, *common])
    runner.invoke(users_cli, ["disable", "anna", *common])
    runner.invoke(users_cli, ["enable", "anna", *common])
    entries = open_accounts(data_dir).users.audit.entries()
    assert [(e["actor"], e["action"]) for e in entries] == [
        ("cli", "user_add"),
        ("cli", "user_add"),
        ("cli", "password_set"),
        ("cli", "user_disable"),
        ("cli", "user_enable"),
    ]
    text = (accounts_dir(data_dir) / "audit.jsonl").read_text()
    assert PASSWORD not in text and NEW_PASSWORD not in text


def test_a_failed_write_is_followed_by_an_aborted_entry(tmp_path, monkeypatch):
    users = open_accounts(tmp_path / "data").users
    users.add("boss", "admin", None, PASSWORD)
    from sozialraum.accounts import _jsonfile
    from sozialraum.errors import StorageError

    def fail(self, data):
        raise StorageError("disk full")

    monkeypatch.setattr(_jsonfile.JsonFile, "_write", fail)
    with pytest.raises(StorageError):
        users.add("anna", "viewer", "Team Nord", PASSWORD)
    entries = users.audit.entries()
    assert [e["action"] for e in entries] == ["user_add", "user_add", "aborted"]
    assert entries[2]["aborted_seq"] == 2
    assert users.audit.verify().ok


def test_a_source_log_that_does_not_verify_is_not_carried_over(target, tmp_path, runner):
    data_dir, _ = target
    old = tmp_path / "old"
    source = FileUserStore(accounts_dir(old) / "users.json")
    source.add("boss", "admin", None, PASSWORD)
    source.add("anna", "viewer", "Team Nord", PASSWORD)
    log = accounts_dir(old) / "audit.jsonl"
    log.write_text(log.read_text().replace('"viewer"', '"admin"'))
    result = runner.invoke(users_cli, ["copy-from", "--data-dir", str(data_dir), str(old)])
    assert result.exit_code == 0, result.output
    assert "not carried over: the source's log does not verify" in result.output
    target_log = _accounts(target).users.audit
    (entry,) = target_log.entries()
    assert entry["action"] == "users_copy" and entry["users"] == ["anna", "boss"]
    assert (entry["source_entries"], entry["carried"], entry["source_verified"]) == (2, 0, False)
    assert target_log.verify().ok
