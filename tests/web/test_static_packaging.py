"""A non-editable install (``pip install .``) carries and serves the CSS, JS and templates.

The repository keeps ``static/`` at its top; ``setup.py`` copies it into the wheel as
``sozialraum/static``, where the app looks when no checkout is around. The test installs
a copy of the project with ``pip --target`` (no index, no network) and asks the installed
app for the files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CSS = "sozialraum/app.css"
VENDORED_JS = "vendor/leaflet/dist/leaflet.js"
PROJECT_FILES = ("setup.py", "setup.cfg", "pyproject.toml", "README.md", "MANIFEST.in")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The project installed non-editable into a folder of its own (``--target``)."""
    if not (ROOT / "static" / VENDORED_JS).is_file():
        pytest.fail("static/vendor is missing: run `make setup` first")
    pytest.importorskip("wheel", reason="building a wheel needs the dev extra 'wheel'")
    tmp = tmp_path_factory.mktemp("packaging")
    source = tmp / "source"
    source.mkdir()
    for name in PROJECT_FILES:
        shutil.copy2(ROOT / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "sozialraum", source / "sozialraum", ignore=ignore)
    shutil.copytree(ROOT / "static", source / "static", ignore=ignore)
    target = tmp / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--no-build-isolation",
            "--no-compile",
            "--target",
            str(target),
            str(source),
        ],
        check=True,
        cwd=tmp,
        capture_output=True,
    )
    return target


def test_the_wheel_carries_css_vendored_js_and_feature_templates(installed):
    package = installed / "sozialraum"
    assert (package / "static" / CSS).read_bytes() == (ROOT / "static" / CSS).read_bytes()
    assert (package / "static" / VENDORED_JS).is_file()
    assert (package / "web" / "templates" / "base.html").is_file()
    assert (package / "web" / "templates" / "notes" / "notiz.html").is_file()
    assert not list((package / "static").rglob(".stamp"))


def test_the_installed_app_serves_css_and_vendored_js(installed, demo_store, tmp_path):
    script = textwrap.dedent(
        f"""
        import sozialraum
        from sozialraum.web import create_app

        assert sozialraum.__file__.startswith({str(installed)!r}), sozialraum.__file__
        app = create_app({{"TESTING": True, "DATA_DIR": {str(demo_store.data_dir)!r}}})
        assert app.static_folder.startswith({str(installed)!r}), app.static_folder
        client = app.test_client()
        for path in ("/static/{CSS}", "/static/{VENDORED_JS}"):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            print(path, len(response.data))
        login = client.get("/anmelden")
        assert login.status_code == 200 and b"/static/{CSS}" in login.data
        """
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(installed),
        "SOZIALRAUM_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    served = dict(line.split() for line in done.stdout.splitlines())
    assert int(served[f"/static/{CSS}"]) == (ROOT / "static" / CSS).stat().st_size
    assert int(served[f"/static/{VENDORED_JS}"]) == (ROOT / "static" / VENDORED_JS).stat().st_size
