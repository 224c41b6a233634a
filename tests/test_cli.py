"""The sozialraum command: help everywhere, import, areas, audit verify, demo, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click
import pytest
from support.paths import EXTRACTS

from sozialraum.cli import main
from sozialraum.cli._common import counted
from sozialraum.model.categories import load_categories
from sozialraum.osm.importer import default_title


def _commands(group: click.Group, prefix=()):
    for name, command in group.commands.items():
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


COMMANDS = list(_commands(main))


def test_all_commands_are_there():
    assert {"import", "areas", "audit", "demo", "serve"} <= {c[0] for c in COMMANDS}
    assert ("areas", "list") in COMMANDS and ("areas", "show") in COMMANDS
    assert ("audit", "verify") in COMMANDS


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help(runner, command):
    result = runner.invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output
    leaf = main
    for part in command:
        leaf = leaf.commands[part]
    if not isinstance(leaf, click.Group):
        # the database commands take --database-url instead (db upgrade has no data folder)
        assert "--data-dir" in result.output or "--database-url" in result.output


def test_import_list_show_verify(runner, tmp_path):
    data = str(tmp_path / "d")
    result = runner.invoke(
        main,
        [
            "import",
            "--data-dir",
            data,
            "--quiet",
            "--area",
            "neuss",
            "--osm-file",
            str(EXTRACTS["neuss-innenstadt"]),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Bäckerei" in result.output and "bakery" in result.output
    assert "1454" in result.output  # addresses in the summary table

    result = runner.invoke(main, ["areas", "list", "--data-dir", data])
    assert result.exit_code == 0 and "neuss" in result.output

    result = runner.invoke(main, ["areas", "show", "neuss", "--data-dir", data, "--json"])
    meta = json.loads(result.output)
    assert meta["counts"]["bakery"] == 5 and meta["counts"]["post_office"] == 4
    assert meta["addresses"] == 1454 and meta["districts"] == 1
    assert meta["source"] == {"kind": "file", "file": "neuss-innenstadt.osm"}
    assert meta["title"] == "Neuss"  # readable without --title, not the lower-case id
    assert len(meta["bbox"]) == 4 and meta["imported_at"]

    result = runner.invoke(main, ["areas", "show", "neuss", "--data-dir", data])
    assert "post_office" in result.output and "addresses: 1454" in result.output

    result = runner.invoke(main, ["audit", "verify", "--data-dir", data])
    assert result.exit_code == 0 and "neuss: ok" in result.output

    log = tmp_path / "d" / "neuss" / "audit.jsonl"
    log.write_text(log.read_text().replace('"action":"sync"', '"action":"sink"', 1))
    result = runner.invoke(main, ["audit", "verify", "--data-dir", data])
    assert result.exit_code == 1 and "FAILED" in result.output


def test_data_dir_from_environment(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("SOZIALRAUM_DATA_DIR", str(tmp_path / "env"))
    result = runner.invoke(
        main,
        ["import", "--quiet", "--area", "apl", "--osm-file", str(EXTRACTS["dortmund-aplerbeck"])],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "env" / "apl" / "area.json").exists()


def test_default_data_dir_is_in_the_instance_folder(runner, _isolated_instance):
    result = runner.invoke(
        main,
        ["import", "--quiet", "--area", "apl", "--osm-file", str(EXTRACTS["dortmund-aplerbeck"])],
    )
    assert result.exit_code == 0, result.output
    assert (_isolated_instance / "data" / "apl" / "resources.geojson").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--area", "x", "--osm-file", "fehlt.osm"], "OSM file not found"),
        (["--area", "x"], "give --osm-file FILE, --place NAME or --bbox"),
        (["--area", "X Y", "--osm-file", "fehlt.osm"], "invalid area name"),
        (["--area", "x", "--bbox", "1,2,3"], "invalid bbox"),
        (["--area", "x", "--place", "A", "--bbox", "1,2,3,4"], "either --place or --bbox"),
    ],
)
def test_import_errors_are_clear_english_messages(runner, tmp_path, args, message):
    result = runner.invoke(main, ["import", "--data-dir", str(tmp_path), "--quiet", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_show_unknown_area(runner, tmp_path):
    result = runner.invoke(main, ["areas", "show", "gibtsnicht", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1 and "does not exist" in result.output


def test_categories_file_in_instance_changes_import(runner, tmp_path, _isolated_instance):
    (_isolated_instance / "categories.toml").write_text(
        '[[category]]\nid = "bus"\nlabel = "Bushaltestelle"\ncolour = "#123456"\n'
        'icon = "bus"\nmatch = ["highway=bus_stop"]\n',
        encoding="utf-8",
    )
    data = str(tmp_path / "d")
    runner.invoke(
        main,
        [
            "import",
            "--data-dir",
            data,
            "--quiet",
            "--area",
            "apl",
            "--osm-file",
            str(EXTRACTS["dortmund-aplerbeck"]),
        ],
    )
    result = runner.invoke(main, ["areas", "show", "apl", "--data-dir", data, "--json"])
    assert json.loads(result.output)["counts"]["bus"] == 6


def test_demo_builds_once(runner, tmp_path):
    data = str(tmp_path / "d")
    first = runner.invoke(main, ["demo", "--data-dir", data])
    assert first.exit_code == 0 and "built" in first.output
    second = runner.invoke(main, ["demo", "--data-dir", data])
    assert second.exit_code == 0 and "exists" in second.output


def test_areas_list_shows_unfinished_import_and_flagged_notes(runner, tmp_path):
    from sozialraum.store import GeoJSONStore

    data = tmp_path / "d"
    runner.invoke(
        main,
        [
            "import",
            "--data-dir",
            str(data),
            "--quiet",
            "--area",
            "apl",
            "--osm-file",
            str(EXTRACTS["dortmund-aplerbeck"]),
        ],
    )
    store = GeoJSONStore(data)
    meta = store.read_meta("apl")
    store.write_meta(
        "apl",
        {**meta, "import_in_progress": True, "orphaned_notes": [{"note": "x", "osm_ref": "n1"}]},
        actor="t",
    )
    result = runner.invoke(main, ["areas", "list", "--data-dir", str(data)])
    assert "import unfinished" in result.output and "1 note flagged" in result.output


def test_profile_table_and_csv(runner, demo_store, tmp_path):
    from sozialraum.analysis.profile import profile_table
    from sozialraum.services.areas import area_profile

    data = str(demo_store.data_dir)
    result = runner.invoke(main, ["profile", "--data-dir", data, "--area", "musterstadt-nord"])
    assert result.exit_code == 0, result.output
    assert "Mühlenviertel" in result.output and "4.5 km/h" in result.output
    target = tmp_path / "profil.csv"
    result = runner.invoke(
        main,
        ["profile", "--data-dir", data, "--area", "musterstadt-nord", "--slow", "--csv", target],
    )
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and "3 districts" in result.output
    text = target.read_text(encoding="utf-8")
    header, body = profile_table(
        area_profile(demo_store, "musterstadt-nord", load_categories(), speed=3.0),
        load_categories(),
    )
    assert text.startswith("\ufeff" + ";".join(header))
    assert len(text.strip().splitlines()) == len(body) + 1
    result = runner.invoke(
        main, ["profile", "--data-dir", data, "--area", "musterstadt-nord", "--csv", "-"]
    )
    assert result.output.startswith("\ufeffBezirk;")


def test_profile_errors_are_clear(runner, tmp_path):
    result = runner.invoke(main, ["profile", "--data-dir", str(tmp_path), "--area", "gibtsnicht"])
    assert result.exit_code == 1 and "does not exist" in result.output


def test_purge_deletes_expired_notes_for_good(runner, demo_store):
    area = "musterstadt-nord"
    notes = demo_store.query(area, "notes")
    secret = "Nur dieser Text darf nach dem Löschen nirgends mehr stehen."
    for note in notes[:2]:
        props = note["properties"]
        changed = {
            **note,
            "properties": {
                **props,
                "text": secret,
                "observed_on": "2020-01-01",
                "expires_on": "2021-01-01",
            },
        }
        demo_store.update(
            area, "notes", note["id"], changed, expected_version=props["version"], actor="t"
        )
    data = ["--data-dir", str(demo_store.data_dir)]
    dry = runner.invoke(main, ["purge", *data, "--dry-run"])
    assert dry.exit_code == 0 and (
        f"{area}: 2 expired notes and 0 expired returned-mail records would be deleted"
        in dry.output
    )
    assert len(demo_store.query(area, "notes")) == len(notes)
    result = runner.invoke(main, ["purge", *data, "--area", area])
    assert result.exit_code == 0 and (
        f"{area}: 2 expired notes and 0 expired returned-mail records deleted" in result.output
    )
    assert len(demo_store.query(area, "notes")) == len(notes) - 2
    folder = demo_store.area_dir(area)
    for path in folder.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path
    entry = json.loads((folder / "audit.jsonl").read_text().splitlines()[-1])
    assert entry["action"] == "purge" and entry["count"] == 2 and entry["actor"].startswith("cli")
    assert runner.invoke(main, ["audit", "verify", *data]).exit_code == 0
    again = runner.invoke(main, ["purge", *data])
    assert f"{area}: 0 expired notes and 0 expired returned-mail records deleted" in again.output


def test_coverage_summary_csv_and_errors(runner, demo_store, tmp_path):
    from sozialraum import settings
    from sozialraum.analysis.streets import STREETS_ARTIFACT
    from sozialraum.services import coverage

    data, area = str(demo_store.data_dir), "musterstadt-nord"
    result = runner.invoke(main, ["coverage", "--data-dir", data, "--area", area])
    assert result.exit_code == 0, result.output
    assert "Mühlenviertel" in result.output and "Nord-West" in result.output
    target = tmp_path / "abdeckung.csv"
    result = runner.invoke(
        main,
        ["coverage", "--data-dir", data, "--area", area, "--district", "r3", "-o", target],
    )
    assert result.exit_code == 0, result.output
    (r3,) = coverage.district_coverage(demo_store, area, today=settings.today(), district="r3")
    assert f"1 district, {r3.streets_total} streets" in result.output
    text = target.read_text(encoding="utf-8")
    assert text.startswith("\ufeff" + ";".join(coverage.CSV_HEADER))
    assert len(text.strip().splitlines()) == r3.streets_total + 1
    result = runner.invoke(main, ["coverage", "--data-dir", data, "--area", area, "-o", "-"])
    assert result.output.startswith("\ufeffBezirk;Straße;")

    result = runner.invoke(
        main, ["coverage", "--data-dir", data, "--area", area, "--district", "nirgendwo"]
    )
    assert result.exit_code == 1 and "does not exist" in result.output
    demo_store.delete_artifact(area, STREETS_ARTIFACT, actor="test")
    result = runner.invoke(main, ["coverage", "--data-dir", data, "--area", area])
    assert result.exit_code == 1 and "import it again" in result.output


@pytest.mark.parametrize(
    "damage, reason",
    [
        (lambda raw: raw[:-40], "truncated"),
        (lambda raw: b"".join(raw.splitlines(keepends=True)[:-2]), "entries removed"),
        (lambda raw: raw.replace(b'"actor":"demo"', b'"actor":"jemand"', 1), "edited"),
    ],
    ids=["cut-mid-line", "last-lines-removed", "actor-edited"],
)
def test_audit_verify_detects_a_truncated_or_edited_log(runner, demo_store, damage, reason):
    data = ["--data-dir", str(demo_store.data_dir)]
    assert runner.invoke(main, ["audit", "verify", *data]).exit_code == 0
    log = demo_store.data_dir / "musterstadt-nord" / "audit.jsonl"
    log.write_bytes(damage(log.read_bytes()))
    result = runner.invoke(main, ["audit", "verify", *data])
    assert result.exit_code == 1 and "FAILED" in result.output
    assert reason in result.output


def test_audit_verify_seal_and_rotate_key_name_the_key_ids(
    runner, demo_store, tmp_path, monkeypatch
):
    """The keyed audit chain from the command line (issue 26, finding 9)."""
    from sozialraum.store import audit as audit_log
    from sozialraum.store.keys import KeyFile

    key_file = tmp_path / "schluessel" / "audit_key"
    key_file.parent.mkdir(mode=0o700)
    shutil.copy(demo_store.audit_keys.current().path, key_file)  # this test rotates it
    monkeypatch.setenv("SOZIALRAUM_AUDIT_KEY_FILE", str(key_file))
    data = ["--data-dir", str(demo_store.data_dir)]
    old = demo_store.audit_keys.current()
    legacy = demo_store.data_dir / "alt"  # an area written before audit keys existed
    legacy.mkdir()
    (legacy / "area.json").write_text('{"name": "Alt"}')
    for number in range(2):
        audit_log.append(legacy, actor="cli:anna", action="meta", layer=None, n=number)

    result = runner.invoke(main, ["audit", "verify", *data])
    assert result.exit_code == 0, result.output
    assert f"checking with audit key {old.kid} ({key_file})" in result.output
    assert "musterstadt-nord: ok (" in result.output
    assert f"keyed with audit key {old.kid})" in result.output
    assert "alt: ok (2 entries, NOT KEYED)" in result.output and "not keyed yet" in result.output
    result = runner.invoke(main, ["audit", "verify", "--require-key", *data])
    assert result.exit_code == 1 and "alt: FAILED: not keyed yet" in result.output

    result = runner.invoke(main, ["audit", "seal", "--area", "alt", *data])
    assert result.exit_code == 0 and f"alt: sealed with audit key {old.kid}" in result.output
    result = runner.invoke(main, ["audit", "verify", "--require-key", *data])
    assert result.exit_code == 0, result.output
    assert "entries 1-2 predate the audit key" in result.output

    result = runner.invoke(main, ["audit", "rotate-key", *data])
    assert result.exit_code == 0, result.output
    new = KeyFile(key_file).current()
    assert f"retired audit key {old.kid} (kept as {key_file}.{old.kid})" in result.output
    assert f"new audit key {new.kid}" in result.output
    result = runner.invoke(main, ["audit", "verify", "--require-key", *data])
    assert result.exit_code == 0, result.output
    assert f"alt: ok (4 entries, keyed with audit key {old.kid}, {new.kid})" in result.output
    assert old.secret.hex() not in result.output and new.secret.hex() not in result.output


def test_returns_withdraw_and_rewrite_reasons(runner, demo_store):
    """A wrong returned-mail record is withdrawn with a reason that passes the
    data-protection rules; free-text reasons of older records are rewritten once."""
    from datetime import timedelta

    from sozialraum import settings
    from sozialraum.services.mailbox_returns import active_returns, import_returns

    area = "musterstadt-nord"
    today = settings.today()
    house = demo_store.query(area, "addresses")[5]["properties"]
    day = (today - timedelta(days=10)).isoformat()
    data = f"Datum;Straße;Hausnummer\n{day};{house['street']};{house['housenumber']}\n"
    import_returns(demo_store, area, data.encode(), today=today, actor="t")
    (record,) = demo_store.query(area, "returns")
    base = ["returns", "withdraw", "--data-dir", str(demo_store.data_dir), "--area", area]
    result = runner.invoke(main, [*base, record["id"], "--reason", "Herr Meier rief an"])
    assert result.exit_code == 1
    assert "the reason seems to contain personal data" in result.output
    assert "Meier" not in result.output
    result = runner.invoke(main, [*base, "rlgibtesnicht", "--reason", "falsche Adresse"])
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    result = runner.invoke(main, [*base, record["id"], "--reason", "falsche Adresse"])
    assert result.exit_code == 0, result.output
    assert f"{area}: returned-mail record {record['id']} withdrawn" in result.output
    assert active_returns(demo_store, area, today=today) == []
    old = {**record, "id": "rlalt"}
    old["properties"] = {
        k: v for k, v in record["properties"].items() if k not in ("version", "updated_at")
    } | {"reason": "Empfänger Meier verzogen"}
    demo_store.add_many(area, "returns", [old], actor="t")
    rewrite = ["returns", "rewrite-reasons", "--data-dir", str(demo_store.data_dir)]
    result = runner.invoke(main, [*rewrite, "--area", area])
    assert result.exit_code == 0 and f"{area}: 1 returned-mail reason rewritten" in result.output
    assert demo_store.get(area, "returns", "rlalt")["properties"]["reason"] == "verzogen"


def test_counts_are_said_in_english_singular_and_plural():
    assert counted(1, "district") == "1 district"
    assert counted(0, "district") == "0 districts"
    assert counted(2, "audit entry", "audit entries") == "2 audit entries"
    assert counted(1, "audit entry", "audit entries") == "1 audit entry"
    assert counted(1234, "address", "addresses", grouped=True) == "1,234 addresses"


def test_an_area_without_title_is_called_by_its_name_in_words_or_its_place():
    assert default_title("neuss") == "Neuss"
    assert default_title("neuss-nord_west") == "Neuss Nord West"
    assert default_title("x", "Mülheim an der Ruhr,  Styrum") == "Mülheim an der Ruhr, Styrum"


def test_the_readme_documents_every_option_of_import():
    """The command-line reference names --title (and how the title defaults)."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    line = next(
        row for row in readme.splitlines() if row.startswith("| `sozialraum import --osm-file")
    )
    for option in ("--title", "--team", "--districts", "--clip", "--bbox"):
        assert option in line, option
    assert "Neuss Nord" in line
