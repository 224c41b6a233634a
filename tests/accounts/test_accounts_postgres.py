"""Accounts on PostgreSQL: what the tables hold, the migration, the selection by URL, the CLI."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from sozialraum.accounts import FileTeamStore, accounts_dir, open_accounts
from sozialraum.accounts.postgres import (
    PostgresLoginLimiter,
    PostgresSessionStore,
    PostgresTeamStore,
    PostgresUserStore,
)
from sozialraum.cli import main
from sozialraum.db import get_pool
from sozialraum.db.migrate import downgrade, upgrade

PASSWORD = "Ruhrort-Bäcker-42"
ACCOUNT_TABLES = ("users", "sessions", "login_attempts", "login_salt", "teams")


def _dump(url: str) -> str:
    """Every row of the account tables as text."""
    with get_pool(url).connection() as conn:
        return "\n".join(
            repr(conn.execute(f"SELECT * FROM {table}").fetchall()) for table in ACCOUNT_TABLES
        )


def test_the_url_selects_postgresql_and_nothing_is_written_to_files(pg_url, tmp_path):
    accounts = open_accounts(tmp_path / "data", database_url=pg_url, idle_timeout_s=120)
    assert accounts.backend == "postgres"
    assert isinstance(accounts.users, PostgresUserStore)
    assert isinstance(accounts.sessions, PostgresSessionStore)
    assert isinstance(accounts.limiter, PostgresLoginLimiter)
    assert isinstance(accounts.teams, PostgresTeamStore)
    assert accounts.sessions.idle_timeout_s == 120
    accounts.users.add("anna", "caseworker", "Team Nord", PASSWORD)
    accounts.users.add("boss", "admin", None, PASSWORD)
    accounts.users.set_role_and_team("anna", "lead", "team nord")
    accounts.users.rename_team("Team Nord", "Team Nordstadt")
    accounts.sessions.create("anna")
    accounts.limiter.failure("anna", "192.0.2.1")
    accounts.teams.add("Team Ost")
    assert not accounts_dir(tmp_path / "data").exists()
    files = open_accounts(tmp_path / "data")
    assert files.backend == "files" and isinstance(files.teams, FileTeamStore)
    assert files.teams.list() == []


def test_no_password_token_raw_name_or_address_is_stored(pg_url):
    pool = get_pool(pg_url)
    users = PostgresUserStore(pool)
    users.add("anna", "caseworker", "Team Nord", PASSWORD)
    token = PostgresSessionStore(pool).create("anna")
    limiter = PostgresLoginLimiter(pool)
    limiter.failure("anna.schmidt", "192.0.2.77")
    limiter.failure("Mein-Passwort-123", "2001:db8::77")
    dump = _dump(pg_url)
    assert "scrypt:" in dump and "anna" in dump  # the account itself is there
    for secret in (PASSWORD, token, "192.0.2.77", "2001:db8", "anna.schmidt", "Mein-Passwort"):
        assert secret not in dump
    with pool.connection() as conn:
        (salt,) = conn.execute("SELECT salt FROM login_salt").fetchone()
        keys = conn.execute("SELECT kind, key FROM login_attempts").fetchall()
    assert len(bytes.fromhex(salt)) == 32
    assert sorted(kind for kind, _ in keys) == ["ip", "ip", "user", "user"]


def test_the_database_refuses_rows_the_app_would_never_write(pg_url):
    import psycopg

    with pytest.raises(psycopg.errors.CheckViolation), get_pool(pg_url).connection() as conn:
        conn.execute(
            "INSERT INTO users VALUES ('Anna Schmidt', 'viewer', 'T', false, 'h', now(), now())"
        )
    with pytest.raises(psycopg.errors.CheckViolation), get_pool(pg_url).connection() as conn:
        conn.execute("INSERT INTO users VALUES ('anna', 'viewer', NULL, false, 'h', now(), now())")


def test_the_account_tables_go_down_and_up_with_their_revision(pg_cluster):
    url = pg_cluster.create_database()
    upgrade(url)
    PostgresUserStore(get_pool(url)).add("anna", "admin", None, PASSWORD)
    PostgresTeamStore(get_pool(url)).add("Team Ost")
    downgrade(url, "0002")  # the created teams go, the accounts stay
    with get_pool(url).connection() as conn:
        tables = {row[0] for row in conn.execute("SELECT tablename FROM pg_tables")}
    assert "teams" not in tables and "users" in tables
    assert [u.name for u in PostgresUserStore(get_pool(url)).list()] == ["anna"]
    downgrade(url, "0001")
    with get_pool(url).connection() as conn:
        tables = {row[0] for row in conn.execute("SELECT tablename FROM pg_tables")}
    assert not tables & set(ACCOUNT_TABLES) and "features" in tables
    upgrade(url)
    assert PostgresUserStore(get_pool(url)).list() == []
    assert PostgresTeamStore(get_pool(url)).list() == []


def test_users_commands_work_on_the_database(pg_url, tmp_path, monkeypatch):
    monkeypatch.setenv("SOZIALRAUM_DATABASE_URL", "")  # --database-url sets it; undone after
    runner = CliRunner()
    data = str(tmp_path / "data")

    def run(*args):
        result = runner.invoke(main, ["--database-url", pg_url, *args])
        assert result.exit_code == 0, result.output
        return result.output

    run("users", "add", "anna", "--role", "lead", "--team", "Team Nord",
        "--password", PASSWORD, "--data-dir", data)  # fmt: skip
    sessions = PostgresSessionStore(get_pool(pg_url))
    token = sessions.create("anna")
    assert "1 session(s) ended" in run("users", "disable", "anna", "--data-dir", data)
    assert sessions.lookup(token) is None
    assert "anna" in run("users", "list", "--data-dir", data)
    user = PostgresUserStore(get_pool(pg_url)).get("anna")
    assert user.disabled and user.team == "Team Nord"
    assert not accounts_dir(tmp_path / "data").exists()


def test_copy_from_moves_the_file_accounts_into_the_database(pg_url, tmp_path, monkeypatch):
    monkeypatch.setenv("SOZIALRAUM_DATABASE_URL", "")  # --database-url sets it; undone after
    from sozialraum.accounts import FileUserStore

    old = tmp_path / "old"
    FileUserStore(accounts_dir(old) / "users.json").add("anna", "lead", "Team Nord", PASSWORD)
    command = ["--database-url", pg_url, "users", "copy-from", str(old)]
    result = CliRunner().invoke(main, [*command, "--data-dir", str(tmp_path / "data")])
    assert result.exit_code == 0, result.output
    assert "1 account(s) copied into the database" in result.output
    assert PostgresUserStore(get_pool(pg_url)).authenticate("anna", PASSWORD).team == "Team Nord"
