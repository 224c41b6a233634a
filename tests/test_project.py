"""Project rules a test keeps honest: two commands, pinned assets, shipped demo file, docs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from support.paths import ROOT

from sozialraum.cli import main
from sozialraum.demo.area import DEMO_OSM_FILE
from sozialraum.demo.osm import write_demo_osm


def test_readme_quickstart_has_exactly_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["make run", "make test"]


def test_readme_documents_every_cli_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, command in main.commands.items():
        subcommands = getattr(command, "commands", {None: command})
        for sub in subcommands:
            assert f"sozialraum {name}{' ' + sub if sub else ''}" in readme


def test_front_end_packages_are_pinned_and_not_committed():
    package = json.loads((ROOT / "package.json").read_text())
    for name, version in package["dependencies"].items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), name
    assert "static/vendor/" in (ROOT / ".gitignore").read_text()
    result = subprocess.run(
        ["git", "ls-files", "static/vendor"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


def test_shipped_demo_file_is_what_the_script_makes(tmp_path):
    assert write_demo_osm(tmp_path / "demo.osm").read_bytes() == DEMO_OSM_FILE.read_bytes()


def test_changelog_exists_with_entries():
    assert (ROOT / "CHANGELOG.md").read_text(encoding="utf-8").count("\n- ") >= 3


def test_ci_script_runs_make_test_and_handles_no_tests():
    script = (ROOT / ".ci" / "run").read_text()
    assert "make test" in script and '"$rc" -eq 5' in script


#: The folders of pure code: they run without the real extracts in ../shared/osm.
PURE_TEST_FOLDERS = ("tests/model", "tests/store", "tests/property")


def _pytest_without_extracts(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SOZIALRAUM_SHARED_OSM": str(ROOT / "no-such-folder")}
    env.pop("SOZIALRAUM_AUDIT_KEY_FILE", None)  # the inner session makes its own
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)


def test_pure_tests_run_without_the_real_extracts():
    result = _pytest_without_extracts("-x", *PURE_TEST_FOLDERS)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert re.search(r"\b\d{3,} passed", result.stdout), result.stdout[-500:]
    assert "skipped" not in result.stdout


def test_tests_that_read_real_extracts_stop_the_run_when_they_are_missing():
    result = _pytest_without_extracts("--collect-only", "tests/osm/test_reimport.py")
    assert result.returncode == 4  # pytest's usage error: never a skip, never a pass
    assert "real OSM extracts missing" in result.stderr


def _development_section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("\n## Development", 1)[1].split("\n## ", 1)[0]


def test_readme_layout_tree_names_existing_folders():
    block = re.search(r"```text\n(.*?)```", _development_section(), re.S).group(1)
    stack: list[str] = []
    folders = []
    for line in block.splitlines():
        name = re.search(r"[^│├└─\s]\S*", line)
        depth = name.start() // 4
        stack[depth:] = [name.group().rstrip("/")]
        folders.append("/".join(stack))
    assert {"sozialraum/services", "sozialraum/web/offers", "tests/support"} <= set(folders)
    assert [f for f in folders if not (ROOT / f).is_dir()] == []


def test_readme_where_is_table_names_existing_paths():
    section = _development_section().split("### Where is", 1)[1]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    bases = [re.search(r"`([^`]+)`", cell) for cell in header]
    features, missing = [], []
    for line in rows[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        assert len(cells) == len(header), line
        features.append(cells[0])
        for base, cell in zip(bases[1:], cells[1:], strict=True):
            paths = re.findall(r"`([^`]+)`", cell)
            assert paths or cell == "—", line
            missing += [
                f"{base.group(1)}{p}" for p in paths if not (ROOT / base.group(1) / p).exists()
            ]
    assert missing == []
    assert features == ["areas", "walking", "notes", "review", "meetings", "walks", "mailbox",
                        "offers", "handout languages", "coverage", "accounts", "admin",
                        "backup", "basemap", "field", "offline"]  # fmt: skip
