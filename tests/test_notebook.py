"""The district profile notebook runs end to end against a fresh data folder (issue 7)."""

from __future__ import annotations

import base64
import csv
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from sozialraum import settings
from sozialraum.analysis.profile import profile_table
from sozialraum.demo.area import DEMO_AREA
from sozialraum.model.categories import load_categories
from sozialraum.services.areas import area_profile
from sozialraum.store import open_store

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOK = NOTEBOOKS / "district_profile.ipynb"
DEMO_DISTRICTS = ("Mühlenviertel", "Nord-Ost", "Nord-West")


def _execute(nb):
    """Run ``nb`` in a fresh ``python3`` kernel (it inherits ``os.environ``), cwd notebooks/."""
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=600,
        startup_timeout=120,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()
    return nb


def _outputs(nb, kind: str) -> list:
    """The ``kind`` (MIME type, or ``stream``) outputs of all code cells."""
    found = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if kind == "stream":
                if output["output_type"] == "stream":
                    found.append(output["text"])
            elif kind in output.get("data", {}):
                found.append(output["data"][kind])
    return found


def _value(cell: str):
    """A CSV cell (German: decimal comma, empty = no value) back as a Python value."""
    if cell == "":
        return None
    try:
        return int(cell)
    except ValueError:
        pass
    try:
        return float(cell.replace(",", "."))
    except ValueError:
        return cell


@pytest.fixture
def notebook_env(tmp_path, monkeypatch) -> Path:
    """An empty data folder, the demo area by default, matplotlib's Jupyter backend."""
    data = tmp_path / "data"
    monkeypatch.setenv("SOZIALRAUM_DATA_DIR", str(data))
    monkeypatch.delenv("SOZIALRAUM_AREA", raising=False)
    monkeypatch.delenv("SOZIALRAUM_PROFILE_CSV", raising=False)
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend draws PNGs
    return data


def test_committed_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)
    assert any("parameters" in cell.metadata.get("tags", []) for cell in code)


def test_builds_demo_profile_table_and_map(notebook_env, tmp_path, monkeypatch):
    csv_path = tmp_path / "profil.csv"
    monkeypatch.setenv("SOZIALRAUM_PROFILE_CSV", str(csv_path))

    nb = _execute(nbformat.read(NOTEBOOK, as_version=4))

    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    streams = "".join(_outputs(nb, "stream"))
    assert "Demo-Gebiet angelegt." in streams
    assert str(csv_path) in streams

    # the map: one PNG image
    images = _outputs(nb, "image/png")
    assert len(images) == 1
    assert base64.b64decode(images[0]).startswith(b"\x89PNG\r\n\x1a\n")

    # the profile table and the normal/slow comparison as HTML tables with the demo districts
    tables = [html for html in _outputs(nb, "text/html") if "<table" in html]
    assert len(tables) == 2
    profile_html, speeds_html = tables
    for name in (*DEMO_DISTRICTS, "Gesamtes Gebiet"):
        assert f"<th>{name}</th>" in profile_html
        assert f"<th>{name}</th>" in speeds_html
    assert "Bezirk" in profile_html and "Adressen" in profile_html
    assert "normal (4,5 km/h)" in speeds_html and "langsam (3 km/h)" in speeds_html

    # the notebook installed the demo into SOZIALRAUM_DATA_DIR; its CSV is the profile table
    store = open_store(notebook_env)
    assert store.areas() == [DEMO_AREA]
    table = load_categories(settings.instance_path() / "categories.toml")
    header, body = profile_table(area_profile(store, DEMO_AREA, table), table)
    with csv_path.open(encoding="utf-8-sig", newline="") as file:
        written = list(csv.reader(file, delimiter=";"))
    assert written[0] == header
    names = [row[0] for row in written[1:]]
    assert names == [line[0] for line in body]
    assert sorted(names) == sorted([*DEMO_DISTRICTS, "Gesamtes Gebiet"])
    assert [int(row[2]) for row in written[1:]] == [line[2] for line in body]
    expected = [[None if value == "" else value for value in line] for line in body]
    assert [[_value(cell) for cell in row] for row in written[1:]] == expected


def test_unknown_area_fails_clearly(notebook_env, monkeypatch):
    monkeypatch.setenv("SOZIALRAUM_AREA", "gibt-es-nicht")

    with pytest.raises(CellExecutionError) as excinfo:
        _execute(nbformat.read(NOTEBOOK, as_version=4))

    assert excinfo.value.ename == "NotFound"
    assert "Das Gebiet 'gibt-es-nicht' gibt es im Datenordner" in excinfo.value.evalue
    assert "Vorhandene Gebiete: keine" in excinfo.value.evalue
    # an unknown area is no reason to build the demo
    assert open_store(notebook_env).areas() == []
