"""The PostgreSQL infrastructure: settings, the pool, the migrations, the test cluster."""

from __future__ import annotations

import pytest

from sozialraum import settings
from sozialraum.db import get_pool
from sozialraum.db.migrate import current_revision, downgrade, head_revision, upgrade


def test_no_url_means_geojson(monkeypatch):
    monkeypatch.delenv("SOZIALRAUM_DATABASE_URL", raising=False)
    assert settings.database_url() is None
    assert settings.DatabaseSettings.from_env() is None


def test_url_from_environment_and_explicit(monkeypatch):
    monkeypatch.setenv("SOZIALRAUM_DATABASE_URL", "postgresql:///a")
    monkeypatch.setenv("SOZIALRAUM_DATABASE_POOL_MAX", "3")
    assert settings.database_url() == "postgresql:///a"
    assert settings.database_url("postgresql:///b") == "postgresql:///b"
    assert settings.DatabaseSettings.from_env().pool_max == 3


def test_url_from_instance_config(_isolated_instance, monkeypatch):
    monkeypatch.delenv("SOZIALRAUM_DATABASE_URL", raising=False)
    (_isolated_instance / "config.py").write_text('DATABASE_URL = "postgresql:///c"\n')
    assert settings.database_url() == "postgresql:///c"


def test_other_schemes_are_refused(monkeypatch):
    monkeypatch.setenv("SOZIALRAUM_DATABASE_URL", "mysql://x/y")
    with pytest.raises(ValueError, match="postgresql://"):
        settings.database_url()


def test_cluster_has_postgis_and_the_schema_at_head(pg_url):
    assert current_revision(pg_url) == head_revision()
    with get_pool(pg_url).connection() as conn:
        assert conn.execute("SELECT postgis_lib_version()").fetchone()[0].startswith("3")
        assert conn.execute("SHOW listen_addresses").fetchone()[0] == ""
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables")}
    assert {"areas", "features", "feature_versions", "audit_log", "artifacts"} <= tables


def test_migrations_go_down_and_up_again(pg_cluster):
    url = pg_cluster.create_database()
    assert current_revision(url) is None
    upgrade(url)
    assert current_revision(url) == head_revision()
    downgrade(url, "base")
    assert current_revision(url) is None
    upgrade(url)
    assert current_revision(url) == head_revision()


def test_the_app_refuses_a_database_that_is_not_migrated(pg_cluster, tmp_path):
    from sozialraum.errors import DamagedData
    from sozialraum.web import create_app

    url = pg_cluster.create_database()
    with pytest.raises(DamagedData, match="sozialraum db upgrade"):
        create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "d"), "DATABASE_URL": url})
    upgrade(url)
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "d"), "DATABASE_URL": url})
    assert type(app.extensions["sozialraum"].store).__name__ == "PostgresStore"


def test_a_bad_url_is_a_one_line_cli_error(runner, monkeypatch):
    from sozialraum.cli import main

    monkeypatch.setenv("SOZIALRAUM_DATABASE_URL", "mysql://x/y")
    result = runner.invoke(main, ["audit", "verify"])
    assert result.exit_code == 1 and "postgresql://" in result.output
    assert "Traceback" not in result.output
