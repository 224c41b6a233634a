"""Shared fixtures (flaskr style): app, client, runner, stores with real and demo data."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.paths import SHARED_OSM, missing_extracts
from support.web import login

from sozialraum.demo.area import DEMO_AREA, install_demo
from sozialraum.store import GeoJSONStore

#: One audit key for the whole test session, outside every data folder: data built once
#: per session (the demo area) verifies in every test and in the servers tests start.
#: Tests of the key itself remove the variable (then ``<instance>/audit_key`` is used).
_SESSION_KEYS = Path(tempfile.mkdtemp(prefix="sozialraum-test-keys-"))
os.environ.setdefault("SOZIALRAUM_AUDIT_KEY_FILE", str(_SESSION_KEYS / "audit_key"))


def pytest_unconfigure(config):
    shutil.rmtree(_SESSION_KEYS, ignore_errors=True)


#: Names a test module imports when it reads the real extracts in ../shared/osm.
_REAL_DATA_NAMES = ("EXTRACTS", "SHARED_OSM")


def _needs_real_data(item) -> bool:
    module = getattr(item, "module", None)
    uses_name = any(hasattr(module, name) for name in _REAL_DATA_NAMES)
    return uses_name or "built" in getattr(item, "fixturenames", ())  # tests/basemap


def pytest_collection_modifyitems(config, items):
    """Stop the run when a collected test reads a real extract that is not there.

    Tests of pure code (``tests/model``, ``tests/store``, ``tests/property`` …) run without
    ``../shared/osm`` (or with ``SOZIALRAUM_SHARED_OSM`` pointing nowhere); a missing extract
    is never a skip.
    """
    missing = missing_extracts()
    if missing and any(_needs_real_data(item) for item in items):
        raise pytest.UsageError(
            f"real OSM extracts missing ({SHARED_OSM}, SOZIALRAUM_SHARED_OSM to move it): {missing}"
        )


@pytest.fixture(autouse=True)
def _isolated_instance(tmp_path_factory, monkeypatch):
    """Never touch the developer's instance folder."""
    instance = tmp_path_factory.mktemp("instance")
    monkeypatch.setenv("SOZIALRAUM_INSTANCE_PATH", str(instance))
    monkeypatch.delenv("SOZIALRAUM_DATA_DIR", raising=False)
    # GeoJSON unless a test asks for PostgreSQL; set (empty), so that whatever a test sets
    # (e.g. `sozialraum --database-url` in os.environ) is undone after it
    monkeypatch.setenv("SOZIALRAUM_DATABASE_URL", "")
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
def demo_store(request, demo_data_dir, tmp_path):
    """A private, writable copy of the demo data.

    GeoJSON files, unless the test asks for ``backend`` (e.g. ``@both_backends`` from
    ``support.backends``): then the demo data on that backend (``backend_demo_store``).
    """
    if "backend" in request.fixturenames:
        return request.getfixturevalue("backend_demo_store")
    target = tmp_path / "data"
    shutil.copytree(demo_data_dir, target)
    return GeoJSONStore(target)


@pytest.fixture
def store(tmp_path) -> GeoJSONStore:
    """An empty store in a temporary folder."""
    return GeoJSONStore(tmp_path / "data")


@pytest.fixture(scope="session")
def pg_cluster():
    """A throwaway PostgreSQL + PostGIS cluster on a Unix socket, started once per session.

    Started only when a test asks for it. Without PostgreSQL the test is skipped locally and
    fails under ``CI=true`` (``make setup-test`` installs it as root).
    """
    from support.postgres import PostgresCluster, PostgresMissing

    try:
        cluster = PostgresCluster()
    except PostgresMissing as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs PostgreSQL: {exc}", pytrace=False)
        pytest.skip(str(exc))
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_url(pg_cluster) -> str:
    """URL of the migrated test database, emptied for this test (schema at head)."""
    return pg_cluster.clean()


@pytest.fixture(params=["geojson", "postgres"])
def backend(request) -> str:
    """The store backend a test runs against: each test using it runs once per backend."""
    return request.param


@pytest.fixture
def any_store(backend, tmp_path, request):
    """An empty store of ``backend`` (GeoJSON in a temp folder, or PostgreSQL)."""
    if backend == "geojson":
        return GeoJSONStore(tmp_path / "data")
    from sozialraum.store.postgres import PostgresStore

    return PostgresStore(request.getfixturevalue("pg_url"), data_dir=tmp_path / "data")


@pytest.fixture(scope="session")
def pg_demo_template(pg_cluster, demo_data_dir, tmp_path_factory) -> str:
    """Name of a database holding the demo area (migrated once per session; a template)."""
    from sozialraum.db import close_pool
    from sozialraum.db.migrate import upgrade
    from sozialraum.store.postgres import PostgresStore
    from sozialraum.store.postgres.transfer import migrate_area

    url = pg_cluster.create_database("demo_template")
    upgrade(url)
    local = tmp_path_factory.mktemp("demo-local")
    migrate_area(GeoJSONStore(demo_data_dir), PostgresStore(url, data_dir=local), DEMO_AREA)
    from sozialraum.accounts import USERS_FILE, FileUserStore, accounts_dir
    from sozialraum.accounts.postgres import PostgresUserStore

    # the app keeps its accounts in the database too: the demo logins go with the area
    PostgresUserStore(url).copy_from(FileUserStore(accounts_dir(demo_data_dir) / USERS_FILE))
    close_pool(url)
    return "demo_template"


@pytest.fixture
def backend_demo_store(backend, demo_data_dir, tmp_path, request):
    """A private, writable copy of the demo data on ``backend`` (GeoJSON or PostgreSQL).

    With PostgreSQL the data folder keeps what is not the store's (the basemap); the demo
    accounts are in the database too (see ``pg_demo_template``).
    """
    target = tmp_path / "data"
    if backend == "geojson":
        shutil.copytree(demo_data_dir, target)
        return GeoJSONStore(target)
    from sozialraum.store.postgres import PostgresStore

    cluster = request.getfixturevalue("pg_cluster")
    url = cluster.clone_database(request.getfixturevalue("pg_demo_template"))
    request.addfinalizer(lambda: cluster.drop_database(url))
    shutil.copytree(demo_data_dir, target)
    for layer_file in (target / DEMO_AREA).glob("*.geojson"):
        layer_file.unlink()  # nothing may read the files by mistake: the database has them
    return PostgresStore(url, data_dir=target)


@pytest.fixture
def app(demo_store):
    from sozialraum.web import create_app

    config = {"TESTING": True, "DATA_DIR": str(demo_store.data_dir), "TILE_URL": ""}
    if getattr(demo_store, "url", None):
        config["DATABASE_URL"] = demo_store.url  # the PostgreSQL store
    return create_app(config)


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
