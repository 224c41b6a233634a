"""``sozialraum offers``: list, export, import (all or nothing, problems per row in English)."""

from __future__ import annotations

import json

from sozialraum.cli import main
from sozialraum.demo.area import DEMO_AREA


def _invoke(runner, demo_store, *args):
    return runner.invoke(
        main, ["offers", *args, "--area", DEMO_AREA, "--data-dir", str(demo_store.data_dir)]
    )


def test_list_shows_offers_and_flags(runner, demo_store):
    result = _invoke(runner, demo_store, "list")
    assert result.exit_code == 0, result.output
    assert "9 offers" in result.output and "Jobcoaching inklusiv" in result.output
    flagged = _invoke(runner, demo_store, "list", "--flagged")
    assert "2 offers" in flagged.output
    assert "Bewerbungswerkstatt 50plus" in flagged.output and "Jobcoaching" not in flagged.output


def test_export_and_import_round_trip(runner, demo_store, tmp_path):
    target = tmp_path / "angebote.geojson"
    result = _invoke(runner, demo_store, "export", "-o", str(target))
    assert result.exit_code == 0 and "9 offers" in result.output
    assert len(json.loads(target.read_text())["features"]) == 9
    csv_file = tmp_path / "angebote.csv"
    assert _invoke(runner, demo_store, "export", "-o", str(csv_file)).exit_code == 0
    text = csv_file.read_text(encoding="utf-8-sig")
    csv_file.write_text(text.replace("Mo 13–17 Uhr, Mi 9–12 Uhr", "Mo 13–18 Uhr"), "utf-8")
    result = _invoke(runner, demo_store, "import", str(csv_file))
    assert result.exit_code == 0, result.output
    assert "9 offers: 0 added, 1 updated, 8 unchanged" in result.output
    entry = demo_store.changes(DEMO_AREA, "offers")[-1]
    assert entry["action"] == "upsert" and entry["actor"].startswith("cli")


def test_import_of_a_bad_file_lists_problems_and_changes_nothing(runner, demo_store, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Name;Träger;Förderer;Angebot;Telefon;gebietsweit\nA;B;Lotto;x;1;ja\n;B;ESF;x;1;ja\n"
    )
    before = (demo_store.area_dir(DEMO_AREA) / "offers.geojson").read_bytes()
    result = _invoke(runner, demo_store, "import", str(bad))
    assert result.exit_code == 1
    assert "row 2: Förderer: „Lotto“ ist unbekannt" in result.output
    assert "row 3: Name: bitte angeben." in result.output
    assert "2 of 2 rows have problems; nothing imported" in result.output
    assert (demo_store.area_dir(DEMO_AREA) / "offers.geojson").read_bytes() == before
    unknown = _invoke(runner, demo_store, "import", str(tmp_path / "missing.csv"))
    assert unknown.exit_code == 2


def test_reimport_lists_missing_offers_and_archives_them_only_with_the_flag(
    runner, demo_store, tmp_path
):
    csv_file = tmp_path / "angebote.csv"
    assert _invoke(runner, demo_store, "export", "-o", str(csv_file)).exit_code == 0
    header, *rows = csv_file.read_text(encoding="utf-8-sig").splitlines()
    gone = rows[0].split(";")[0]
    csv_file.write_text("\n".join([header, *rows[1:]]) + "\n", encoding="utf-8")
    result = _invoke(runner, demo_store, "import", str(csv_file))
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "8 offers: 0 added, 0 updated, 8 unchanged" in output
    assert f"no longer in the file: {gone} " in output
    assert "--archive-missing" in output
    assert "archived_on" not in demo_store.get(DEMO_AREA, "offers", gone)["properties"]
    result = _invoke(runner, demo_store, "import", str(csv_file), "--archive-missing")
    assert result.exit_code == 0, result.output
    assert f"no longer in the file, archived: {gone} " in " ".join(result.output.split())
    assert demo_store.get(DEMO_AREA, "offers", gone)["properties"]["archived_on"]
    listed = _invoke(runner, demo_store, "list")
    assert "8 offers" in listed.output and gone not in listed.output


def test_import_of_an_impossible_german_date_names_the_date(runner, demo_store, tmp_path):
    bad = tmp_path / "angebote.csv"
    bad.write_text(
        "Name;Träger;Förderer;Angebot;Telefon;gebietsweit;gültig bis\n"
        "Tafel;Tafel e. V.;Kommune;Lebensmittel.;01234;ja;01.10.2026\n"
        "Mietschuldenhilfe;Stadt;Kommune;Hilfe bei Mietschulden.;01234;ja;31.02.2026\n",
        encoding="utf-8",
    )
    result = _invoke(runner, demo_store, "import", str(bad))
    assert result.exit_code == 1
    assert "row 3: gültig bis: den 31.02.2026 gibt es nicht" in result.output
    assert "1 of 2 rows has problems; nothing imported" in result.output
