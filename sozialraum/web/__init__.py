"""Flask app factory (flaskr pattern): instance folder, config layers, blueprints."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

from sozialraum import settings
from sozialraum.maps.assets import use_local_assets
from sozialraum.model.categories import load_categories
from sozialraum.store import open_store


def _secret_key(instance: Path) -> str:
    """Read the secret key from the instance folder, generating it on first start."""
    path = instance / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def create_app(test_config: dict | None = None) -> Flask:
    """Create the sozialraum web app.

    Configuration, later layers win: defaults below → ``instance/config.py`` →
    ``SOZIALRAUM_*`` environment variables → ``test_config``.

    Parameters
    ----------
    test_config : dict, optional
        Settings for tests (e.g. ``DATA_DIR``, ``TILE_URL``).
    """
    instance = settings.instance_path()
    app = Flask(
        __name__,
        instance_path=str(instance),
        instance_relative_config=True,
        static_folder=str(settings.PROJECT_ROOT / "static"),
        static_url_path="/static",
    )
    app.config.from_mapping(
        DATA_DIR=str(instance / "data"),
        TILE_URL=settings.DEFAULT_TILE_URL,
        TILE_ATTRIBUTION=settings.OSM_ATTRIBUTION,
        CATEGORIES_FILE=str(instance / "categories.toml"),
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("SOZIALRAUM")
    if test_config:
        app.config.from_mapping(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(Path(app.instance_path))

    use_local_assets(app.static_url_path)
    store = open_store(Path(app.config["DATA_DIR"]))
    for area in store.cleanup():
        app.logger.warning("area %s is locked by another process; temp files left for later", area)
    app.extensions["sozialraum"] = {
        "store": store,
        "categories": load_categories(Path(app.config["CATEGORIES_FILE"])),
    }

    from sozialraum.web import errors, headers, pages

    app.register_blueprint(pages.bp)
    errors.register(app)
    headers.register(app)
    return app
