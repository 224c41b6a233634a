"""The ``users`` commands: add (with prompt), passwd, disable, enable, list, errors."""

from __future__ import annotations

import pytest

from sozialraum.accounts import FileSessionStore, FileUserStore, accounts_dir
from sozialraum.cli.accounts import users

PASSWORD = "Styrum-Kiosk-2026"


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


@pytest.fixture
def user_store(data_dir) -> FileUserStore:
    return FileUserStore(accounts_dir(data_dir) / "users.json")


def run(runner, data_dir, *args, **kwargs):
    command, *rest = args
    return runner.invoke(users, [command, "--data-dir", str(data_dir), *rest], **kwargs)


@pytest.mark.parametrize(
    "command", ["add", "passwd", "disable", "enable", "list", "copy-from", "audit"]
)
def test_every_command_has_help_and_data_dir(runner, command):
    result = runner.invoke(users, [command, "--help"])
    assert result.exit_code == 0 and "--data-dir" in result.output
    assert "Manage user accounts." in runner.invoke(users, ["-h"]).output


def test_add_with_password_option(runner, data_dir, user_store):
    result = run(
        runner, data_dir, "add", "Anna", "--role", "caseworker", "--team", "Team Nord",
        "--password", PASSWORD,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "user 'anna' added as caseworker in 'Team Nord'" in result.output
    assert PASSWORD not in result.output
    assert user_store.authenticate("anna", PASSWORD).team == "Team Nord"
    assert PASSWORD not in (accounts_dir(data_dir) / "users.json").read_text()


def test_add_prompts_hidden_with_confirmation(runner, data_dir, user_store):
    result = run(
        runner, data_dir, "add", "bernd", "--role", "admin", input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert "Password:" in result.output and "Repeat for confirmation:" in result.output
    assert PASSWORD not in result.output
    user = user_store.authenticate("bernd", PASSWORD)
    assert user.role == "admin" and user.team is None


def test_add_prompt_mismatch_asks_again(runner, data_dir, user_store):
    other = "ganz-anderes-Wort"
    result = run(
        runner, data_dir, "add", "bernd", "--role", "viewer", "--team", "Team Süd",
        input=f"{PASSWORD}\n{other}\n{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output
    assert PASSWORD not in result.output and other not in result.output
    assert user_store.authenticate("bernd", PASSWORD) is not None


def test_uses_the_default_data_dir(runner, _isolated_instance):
    result = runner.invoke(users, ["add", "anna", "--role", "admin", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert (_isolated_instance / "data" / "_accounts" / "users.json").is_file()


def test_uses_the_data_dir_from_the_environment(runner, data_dir, user_store, monkeypatch):
    monkeypatch.setenv("SOZIALRAUM_DATA_DIR", str(data_dir))
    result = runner.invoke(users, ["add", "anna", "--role", "admin", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert user_store.get("anna").role == "admin"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x", "--role", "viewer", "--team", "T"], "3 to 40 lower-case letters"),
        (["anna", "--role", "viewer"], "needs a team"),
        (["anna", "--role", "viewer", "--team", "T", "--password", "kurz-1"], "at least 10"),
        (["anna", "--role", "viewer", "--team", "T", "--password", "anna"], "at least 10"),
        (["anna", "--role", "viewer", "--team", "T", "--password", "ANNA      "], "same as"),
    ],
)
def test_add_errors_are_one_line_and_exit_1(runner, data_dir, args, message):
    result = run(runner, data_dir, "add", *args, input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1].startswith("Error: ")
    assert message in result.output
    assert "kurz-1" not in result.output and "Traceback" not in result.output


def test_add_duplicate_fails_before_asking_for_a_password(runner, data_dir, user_store):
    user_store.add("anna", "viewer", "Team Nord", PASSWORD)
    result = run(runner, data_dir, "add", "anna", "--role", "lead", "--team", "T")
    assert result.exit_code == 1 and "Error: user 'anna' already exists" in result.output
    assert "Password" not in result.output


def test_add_missing_team_fails_before_asking_for_a_password(runner, data_dir):
    result = run(runner, data_dir, "add", "anna", "--role", "lead")
    assert result.exit_code == 1 and "Error: a user with role 'lead' needs a team" in result.output
    assert "Password" not in result.output


def test_add_invalid_role_is_a_usage_error(runner, data_dir):
    result = run(runner, data_dir, "add", "anna", "--role", "boss", "--password", PASSWORD)
    assert result.exit_code == 2 and "boss" in result.output


def test_passwd_changes_password_and_ends_sessions(runner, data_dir, user_store):
    user_store.add("anna", "caseworker", "Team Nord", PASSWORD)
    sessions = FileSessionStore(accounts_dir(data_dir) / "sessions.json")
    tokens = [sessions.create("anna"), sessions.create("anna")]
    other = sessions.create("bernd")
    new = "neues-Passwort-77"
    result = run(runner, data_dir, "passwd", "anna", input=f"{new}\n{new}\n")
    assert result.exit_code == 0, result.output
    assert "password of 'anna' changed; 2 session(s) ended" in result.output
    assert new not in result.output
    assert user_store.authenticate("anna", PASSWORD) is None
    assert user_store.authenticate("anna", new) is not None
    assert all(sessions.lookup(t) is None for t in tokens)
    assert sessions.lookup(other) == "bernd"
    result = run(runner, data_dir, "passwd", "anna", "--password", PASSWORD)
    assert result.exit_code == 0 and "0 session(s) ended" in result.output
    assert user_store.authenticate("anna", PASSWORD) is not None


def test_passwd_errors(runner, data_dir, user_store):
    result = run(runner, data_dir, "passwd", "nobody", "--password", PASSWORD)
    assert result.exit_code == 1 and "Error: no user 'nobody'" in result.output
    result = run(runner, data_dir, "passwd", "nobody", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert "Password" not in result.output  # unknown user: no prompt
    user_store.add("anna", "caseworker", "Team Nord", PASSWORD)
    result = run(runner, data_dir, "passwd", "anna", "--password", "zu-kurz")
    assert result.exit_code == 1 and "at least 10 characters" in result.output
    assert "zu-kurz" not in result.output


def test_disable_ends_sessions_and_enable_restores(runner, data_dir, user_store):
    user_store.add("anna", "caseworker", "Team Nord", PASSWORD)
    sessions = FileSessionStore(accounts_dir(data_dir) / "sessions.json")
    token = sessions.create("anna")
    result = run(runner, data_dir, "disable", "anna")
    assert result.exit_code == 0, result.output
    assert "user 'anna' disabled; 1 session(s) ended" in result.output
    assert sessions.lookup(token) is None
    assert user_store.authenticate("anna", PASSWORD) is None
    result = run(runner, data_dir, "enable", "anna")
    assert result.exit_code == 0 and "user 'anna' enabled" in result.output
    assert user_store.authenticate("anna", PASSWORD) is not None


@pytest.mark.parametrize("command", ["disable", "enable"])
def test_disable_enable_unknown_user(runner, data_dir, command):
    result = run(runner, data_dir, command, "nobody")
    assert result.exit_code == 1 and "Error: no user 'nobody'" in result.output


def test_list(runner, data_dir, user_store):
    result = run(runner, data_dir, "list")
    assert result.exit_code == 0 and "no users yet" in result.output
    user_store.add("anna", "caseworker", "Team Nord", PASSWORD)
    user_store.add("zora", "admin", None, PASSWORD)
    user_store.add("zeno", "admin", None, PASSWORD)  # the last enabled admin stays enabled
    user_store.disable("zora")
    result = run(runner, data_dir, "list")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    anna = next(line for line in lines if "anna" in line)
    zora = next(line for line in lines if "zora" in line)
    assert "caseworker" in anna and "Team Nord" in anna and "no" in anna
    assert "admin" in zora and "yes" in zora
    assert lines.index(anna) < lines.index(zora)
    assert "scrypt" not in result.output and PASSWORD not in result.output


def test_corrupt_users_file_gives_a_clear_error_and_is_kept(runner, data_dir):
    path = accounts_dir(data_dir) / "users.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"users": ')
    for args in (
        ["list"],
        ["add", "anna", "--role", "admin", "--password", PASSWORD],
        ["disable", "anna"],
        ["passwd", "anna", "--password", PASSWORD],
    ):
        result = run(runner, data_dir, *args)
        assert result.exit_code == 1
        assert "Error: account file" in result.output and str(path) in result.output
        assert "corrupt" in result.output and "Traceback" not in result.output
    assert path.read_text() == '{"users": '


def test_add_joins_an_existing_team_in_its_spelling(runner, data_dir, user_store):
    first = run(
        runner, data_dir, "add", "anna", "--role", "caseworker", "--team", "Team Süd",
        "--password", PASSWORD,
    )  # fmt: skip
    assert first.exit_code == 0, first.output
    result = run(
        runner, data_dir, "add", "bert", "--role", "lead", "--team", "team  sued ",
        "--password", PASSWORD,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "user 'bert' added as lead in 'Team Süd' (existing team, entered as 'team  sued ')" in (
        result.output
    )
    assert user_store.get("bert").team == "Team Süd"
    assert {u.team for u in user_store.list()} == {"Team Süd"}


def test_add_takes_the_spelling_of_a_district_team(runner, demo_store):
    from sozialraum.demo.area import DEMO_AREA
    from sozialraum.services.areas import assign_team

    district = demo_store.query(DEMO_AREA, "districts")[0]["id"]
    assign_team(demo_store, DEMO_AREA, district, "Team Mühlenviertel", actor="t")
    data_dir = demo_store.data_dir
    result = run(
        runner, data_dir, "add", "cora", "--role", "caseworker", "--team", "team muehlenviertel",
        "--password", PASSWORD,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    users_file = FileUserStore(accounts_dir(data_dir) / "users.json")
    assert users_file.get("cora").team == "Team Mühlenviertel"


def test_copy_from_another_data_folder(runner, data_dir, user_store, tmp_path):
    old = tmp_path / "old"
    FileUserStore(accounts_dir(old) / "users.json").add("anna", "lead", "Team Nord", PASSWORD)
    user_store.add("bernd", "viewer", "Team Nord", PASSWORD)
    result = run(runner, data_dir, "copy-from", str(old))
    assert result.exit_code == 0, result.output
    assert "1 account(s) copied" in result.output and "0 existed already" in result.output
    assert user_store.authenticate("anna", PASSWORD).role == "lead"
    assert "0 account(s) copied" in run(runner, data_dir, "copy-from", str(old)).output
    same = run(runner, data_dir, "copy-from", str(data_dir))
    assert same.exit_code == 1 and "current data folder" in same.output
    empty = tmp_path / "empty"
    empty.mkdir()
    missing = run(runner, data_dir, "copy-from", str(empty))
    assert missing.exit_code == 1 and "no accounts" in missing.output
