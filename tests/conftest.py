"""Shared fixtures (flaskr style): app, client, runner, stores with real and demo data."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from sozialraum.demo.area import DEMO_AREA, install_demo
from sozialraum.store import GeoJSONStore

ROOT = Path(__file__).resolve().parent.parent
SHARED_OSM = ROOT.parent / "shared" / "osm"
EXTRACTS = {
    "dortmund-aplerbeck": SHARED_OSM / "dortmund-aplerbeck.osm",
    "neuss-innenstadt": SHARED_OSM / "neuss-innenstadt.osm",
    "karlsruhe-neureut-kirchfeld": SHARED_OSM / "karlsruhe-neureut-kirchfeld.osm",
    "dreieich-dreieichenhain": SHARED_OSM / "dreieich-dreieichenhain.osm",
}


#: One audit key for the whole test session, outside every data folder: data built once
#: per session (the demo area) verifies in every test and in the servers tests start.
#: Tests of the key itself remove the variable (then ``<instance>/audit_key`` is used).
_SESSION_KEYS = Path(tempfile.mkdtemp(prefix="sozialraum-test-keys-"))
os.environ.setdefault("SOZIALRAUM_AUDIT_KEY_FILE", str(_SESSION_KEYS / "audit_key"))


def pytest_unconfigure(config):
    shutil.rmtree(_SESSION_KEYS, ignore_errors=True)


def pytest_configure(config):
    missing = [str(p) for p in EXTRACTS.values() if not p.exists()]
    if missing:
        raise pytest.UsageError(f"real OSM extracts missing (../shared/osm): {missing}")


@pytest.fixture(autouse=True)
def _isolated_instance(tmp_path_factory, monkeypatch):
    """Never touch the developer's instance folder."""
    instance = tmp_path_factory.mktemp("instance")
    monkeypatch.setenv("SOZIALRAUM_INSTANCE_PATH", str(instance))
    monkeypatch.delenv("SOZIALRAUM_DATA_DIR", raising=False)
    return instance


@pytest.fixture(scope="session")
def demo_data_dir(tmp_path_factory) -> Path:
    """A data folder with the demo area, built once per session (copy it before writing)."""
    from sozialraum.accounts import accounts_dir
    from sozialraum.accounts.demo import install_demo_users

    folder = tmp_path_factory.mktemp("demo-data")
    install_demo(GeoJSONStore(folder))
    install_demo_users(accounts_dir(folder))
    return folder


@pytest.fixture
def demo_store(demo_data_dir, tmp_path) -> GeoJSONStore:
    """A private, writable copy of the demo data."""
    target = tmp_path / "data"
    shutil.copytree(demo_data_dir, target)
    return GeoJSONStore(target)


@pytest.fixture
def store(tmp_path) -> GeoJSONStore:
    """An empty store in a temporary folder."""
    return GeoJSONStore(tmp_path / "data")


@pytest.fixture
def app(demo_store):
    from sozialraum.web import create_app

    return create_app({"TESTING": True, "DATA_DIR": str(demo_store.data_dir), "TILE_URL": ""})


#: Demo logins per role (see sozialraum/accounts/demo.py).
DEMO_LOGINS = {
    "viewer": ("demo-lesend", "demo-lesend-2026"),
    "caseworker": ("demo-fachkraft", "demo-fachkraft-2026"),
    "lead": ("demo-leitung", "demo-leitung-2026"),
    "admin": ("demo-admin", "demo-admin-2026"),
}


def csrf_token(client, path="/anmelden", **kwargs) -> str:
    """The CSRF token of a page (every page has it in <meta name="csrf-token">)."""
    page = client.get(path, follow_redirects=True, **kwargs).get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)


def mapping_fields(page: str) -> dict[str, str]:
    """The mailbox list's column-mapping step: its fields as the browser sends them back
    (the header hash and the preselected column per part; "" where nothing is preselected)."""
    fields = {"kopf": re.search(r'name="kopf" value="([0-9a-f]+)"', page).group(1)}
    for role, body in re.findall(
        r'<select id="spalte-(\w+)" name="spalte_\w+"[^>]*>(.*?)</select>', page, re.S
    ):
        chosen = re.search(r'<option value="(\d*)" selected>', body)
        fields[f"spalte_{role}"] = chosen.group(1) if chosen else ""
    return fields


def login(client, role="caseworker"):
    """Log ``client`` in through the real form as the demo user of ``role``."""
    name, password = DEMO_LOGINS[role]
    response = client.post(
        "/anmelden", data={"csrf_token": csrf_token(client), "username": name, "password": password}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def anon_client(app):
    return app.test_client()


@pytest.fixture
def client(app):
    """A test client logged in as the demo caseworker."""
    return login(app.test_client(), "caseworker")


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def demo_area() -> str:
    return DEMO_AREA


def noted_address(store, status: str, area: str = DEMO_AREA) -> tuple[dict, dict]:
    """The first mailbox note with ``status`` in the area and the address it is about."""
    note = next(
        n for n in store.query(area, "notes", category="briefkasten")
        if n["properties"]["mailbox_status"] == status
    )  # fmt: skip
    key = note["properties"]["address_key"]
    address = next(a for a in store.query(area, "addresses") if a["properties"]["key"] == key)
    return note, address


def resource(osm_id: int, name: str, category: str, lon=6.95, lat=51.43, **extra) -> dict:
    """A resource feature as the importer writes it (EPSG:4326), for tests."""
    return {
        "type": "Feature",
        "id": f"n{osm_id}",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "name": name,
            "categories": [category],
            "osm_type": "node",
            "osm_id": osm_id,
            **extra,
        },
    }


def browser_required() -> bool:
    """Under CI a missing browser is a failure, not a skip."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")
