"""Every file and folder the app writes is 0600/0700 (issue 26, finding 8).

The test starts with the usual umask 022, runs a realistic session of writes through the
real entry points (the CLI builds an area by importing the demo OSM file, the web app
logs users in, writes and changes notes, the CLI takes a backup and changes accounts;
the audit key is created on the first write)
and then walks the data folder, the instance folder and the backup folder.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from support.web import csrf_token, login

from sozialraum.cli import main
from sozialraum.demo.area import DEMO_AREA

NOTES = f"/api/areas/{DEMO_AREA}/notes"


@pytest.fixture
def loose_umask():
    """The umask most systems start with (group and others may read)."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def _loose(*folders: Path) -> list[str]:
    """Files readable or writable by group or others, and folders they may enter."""
    found = []
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            for name in [*dirs, *files]:
                path = Path(root) / name
                mode = stat.S_IMODE(path.lstat().st_mode)
                if mode & 0o077:
                    found.append(f"{path.relative_to(folder.parent)} {mode:o}")
    return sorted(found)


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def test_every_file_and_folder_the_app_writes_is_private(
    loose_umask, runner, tmp_path, _isolated_instance, monkeypatch
):
    monkeypatch.delenv("SOZIALRAUM_AUDIT_KEY_FILE")  # the audit key goes to the instance folder
    data = tmp_path / "daten"
    backups = tmp_path / "sicherungen"
    result = runner.invoke(main, ["demo", "--data-dir", str(data)])  # import, notes, accounts
    assert result.exit_code == 0, result.output

    os.umask(0o022)  # every entry point sets its own
    from sozialraum.web import create_app

    app = create_app({"DATA_DIR": str(data), "TILE_URL": ""})
    client = login(app.test_client(), "caseworker")  # sessions, login limiter
    token = csrf_token(client, "/")
    store = app.extensions["sozialraum"].store
    address = store.query(DEMO_AREA, "addresses", district="r1")[0]  # the caseworker's team
    body = {"address_id": address["id"], "category": "beobachtung", "text": "Bank am Platz."}
    created = client.post(NOTES, json=body, headers={"X-CSRFToken": token})
    assert created.status_code == 201
    changed = client.put(
        f"{NOTES}/{created.json['id']}",
        json={**body, "text": "Bank am Platz, frisch gestrichen."},
        headers={"X-CSRFToken": token, "If-Match": created.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.get_data(as_text=True)
    assert app.test_client().post("/anmelden", data={"username": "x"}).status_code == 400
    assert client.get(f"/gebiete/{DEMO_AREA}/abdeckung").status_code == 200  # analysis caches

    os.umask(0o022)
    backups.mkdir(mode=0o700)
    result = runner.invoke(main, ["backup", DEMO_AREA, "--data-dir", str(data), "-o", str(backups)])
    assert result.exit_code == 0, result.output
    os.umask(0o022)
    result = runner.invoke(
        main,
        ["users", "add", "neu", "--role", "viewer", "--team", "Nord", "--password",
         "ein-langes-passwort", "--data-dir", str(data)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output

    written = _files(data) | _files(_isolated_instance)
    for expected in (
        f"{DEMO_AREA}/notes.geojson",
        f"{DEMO_AREA}/versions/notes.jsonl",
        f"{DEMO_AREA}/audit.jsonl",
        f"{DEMO_AREA}/audit.head",
        f"{DEMO_AREA}/analysis/reachability.npz",
        f"{DEMO_AREA}/.lock",
        "_accounts/users.json",
        "_accounts/sessions.json",
        "_accounts/logins.json",
        "_accounts/audit.jsonl",
        "_accounts/audit.head",
        "secret_key",
        "audit_key",
    ):
        assert expected in written
    assert len(list(backups.glob("*.tar.gz"))) == 1
    assert _loose(data, _isolated_instance, backups) == []
