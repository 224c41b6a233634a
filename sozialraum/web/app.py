"""Flask app factory (flaskr pattern): instance folder, config layers, services, routes."""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

from flask import Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect

from sozialraum import settings
from sozialraum.accounts import open_accounts
from sozialraum.errors import DamagedData
from sozialraum.maps.assets import use_local_assets
from sozialraum.model.categories import load_categories
from sozialraum.model.mailbox import load_actions
from sozialraum.model.notes import load_note_categories
from sozialraum.model.privacy import load_privacy_guard
from sozialraum.services.basemap import ArchiveCache
from sozialraum.services.notes import NoteRules
from sozialraum.store import Store, open_store
from sozialraum.store._atomic import is_writable, make_dir
from sozialraum.web import handouts
from sozialraum.web._json import StrictJSONProvider
from sozialraum.web.context import (
    EXTENSION,
    Accounts,
    AppServices,
    close_snapshot,
    open_snapshot,
)
from sozialraum.web.formats import german_count, german_date, german_datetime, german_distance

csrf = CSRFProtect()

#: The static files: inside the installed package (a wheel carries them there), else the
#: repository's top-level ``static/`` folder (a source checkout or an editable install).
PACKAGED_STATIC = Path(__file__).resolve().parent.parent / "static"


def static_folder() -> Path:
    """The folder the app serves ``/static`` from (see :data:`PACKAGED_STATIC`)."""
    return PACKAGED_STATIC if PACKAGED_STATIC.is_dir() else settings.PROJECT_ROOT / "static"


def _secret_key(instance: Path) -> str:
    """Read the secret key from the instance folder, generating it on first start."""
    path = instance / "secret_key"
    if not path.exists():
        # write a complete file under a temp name, then link it into place: a crash never
        # leaves an empty key, and of two workers starting at once exactly one key wins
        fd, tmp = tempfile.mkstemp(prefix=".tmp-secret-", dir=instance)
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
                fh.flush()
                os.fsync(fh.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    return path.read_text().strip()


def _generation(categories) -> str:
    """Changes when the category table changes (part of every API ETag)."""
    text = repr([(c.id, c.label, c.colour, c.icon, [str(r) for r in c.rules]) for c in categories])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def create_app(test_config: dict | None = None) -> Flask:
    """Create the sozialraum web app.

    Configuration, later layers win: the defaults in :func:`_configure` →
    ``instance/config.py`` → ``SOZIALRAUM_*`` environment variables → ``test_config``.

    Parameters
    ----------
    test_config : dict, optional
        Settings for tests (e.g. ``DATA_DIR``, ``TILE_URL``).
    """
    settings.restrict_umask()  # every file the app writes: 0600, every folder 0700
    instance = settings.instance_path()
    app = Flask(
        __name__,
        instance_path=str(instance),
        instance_relative_config=True,
        static_folder=str(static_folder()),
        static_url_path="/static",
    )
    app.json = StrictJSONProvider(app)  # NaN, 1e400, duplicate keys, deep nesting: 400
    _configure(app, instance, test_config)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters.update(
        datum=german_date,
        datum_zeit=german_datetime,
        entfernung=german_distance,
        zahl=german_count,
    )
    handouts.register(app)
    use_local_assets(app.static_url_path)
    store = _open_store(app)
    app.extensions[EXTENSION] = _services(app, store)
    _install(app)
    return app


def _configure(app: Flask, instance: Path, test_config: dict | None) -> None:
    """Defaults, then the instance's ``config.py``, the environment and ``test_config``."""
    app.config.from_mapping(
        DATA_DIR=str(instance / "data"),
        TILE_URL=settings.DEFAULT_TILE_URL,
        TILE_ATTRIBUTION=settings.OSM_ATTRIBUTION,
        CATEGORIES_FILE=str(instance / "categories.toml"),
        NOTE_CATEGORIES_FILE=str(instance / "note_categories.toml"),
        PRIVACY_RULES_FILE=str(instance / "privacy_rules.toml"),
        MAILBOX_RULES_FILE=str(instance / "mailbox_rules.toml"),
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,
        SESSION_IDLE_MINUTES=60,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=False,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        # the cookie is signed and sent when it changes (login), not with every answer: it lasts
        # 12 h from login; the server ends the session after SESSION_IDLE_MINUTES of inactivity
        SESSION_REFRESH_EACH_REQUEST=False,
        LOGIN_MAX_FAILURES_PER_USER=5,
        LOGIN_MAX_FAILURES_PER_IP=20,
        LOGIN_WINDOW_MINUTES=15,
        WTF_CSRF_TIME_LIMIT=None,
        READ_ONLY=False,
        STORE_LOCK_TIMEOUT_S=10.0,
        PROXY_COUNT=0,
        HSTS_MAX_AGE_S=365 * 24 * 3600,
        AUDIT_KEY_FILE=str(settings.audit_key_file(instance)),
        # PostgreSQL (SOZIALRAUM_DATABASE_URL); unset: the GeoJSON files in DATA_DIR
        DATABASE_URL=None,
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("SOZIALRAUM")
    if test_config:
        app.config.from_mapping(test_config)
    make_dir(Path(app.instance_path))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(Path(app.instance_path))


def _open_store(app: Flask) -> Store:
    """Open the store (read-only when configured or not writable); refuse damaged files.

    ``DATABASE_URL`` selects PostgreSQL; the database must be at the schema's newest revision.
    """
    data_dir = Path(app.config["DATA_DIR"])
    database_url = app.config.get("DATABASE_URL") or None
    # on PostgreSQL the data folder holds only the basemaps: its mode says nothing about writes
    read_only = _flag(app.config["READ_ONLY"]) or (not database_url and not is_writable(data_dir))
    app.config["READ_ONLY"] = read_only
    if read_only:
        app.logger.warning("data folder %s is read-only: the app runs read-only", data_dir)
    store = open_store(
        data_dir,
        read_only=read_only,
        lock_timeout_s=float(app.config["STORE_LOCK_TIMEOUT_S"]),
        audit_key_file=Path(app.config["AUDIT_KEY_FILE"]),
        database_url=database_url,
    )
    problems = store.check_files()
    if problems and getattr(store, "url", None):
        raise DamagedData("the database cannot be used: " + "; ".join(problems))
    if problems:
        raise DamagedData(
            "damaged data files (left unchanged; restore them with 'sozialraum restore' "
            "or move them away): " + "; ".join(problems)
        )
    for area in store.cleanup():
        app.logger.warning("area %s is locked by another process; temp files left for later", area)
    return store


def _services(app: Flask, store: Store) -> AppServices:
    """The services every view shares (see :class:`~sozialraum.web.context.AppServices`)."""
    config = app.config
    categories = load_categories(Path(config["CATEGORIES_FILE"]))
    return AppServices(
        store=store,
        categories=categories,
        generation=_generation(categories),
        accounts=_accounts(app, Path(config["DATA_DIR"]), config["READ_ONLY"]),
        note_rules=NoteRules(
            load_note_categories(Path(config["NOTE_CATEGORIES_FILE"])),
            load_privacy_guard(Path(config["PRIVACY_RULES_FILE"])),
        ),
        mailbox_actions=load_actions(Path(config["MAILBOX_RULES_FILE"])),
        basemaps=ArchiveCache(store),
    )


def _install(app: Flask) -> None:
    """Login, CSRF, proxy headers, the session cookie, routes, error pages, headers."""
    from sozialraum.web import errors, headers, routes
    from sozialraum.web.accounts import auth

    # first: every later hook and the view read the store within the request's snapshot
    app.before_request(open_snapshot)
    app.teardown_request(close_snapshot)
    auth.login_manager.init_app(app)
    csrf.init_app(app)
    if int(app.config["PROXY_COUNT"]):
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    app.session_interface = _SecureWhenHttps()
    app.context_processor(lambda: {"read_only": app.config["READ_ONLY"]})
    routes.register(app)
    errors.register(app)
    headers.register(app)


def _flag(value) -> bool:
    """A config flag that may come from the environment as text (``"1"``, ``"true"``)."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


class _SecureWhenHttps(SecureCookieSessionInterface):
    """The session cookie is ``Secure`` when configured or when the request came by HTTPS.

    Directly, or through a proxy trusted with ``PROXY_COUNT``.
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (
            has_request_context() and request.is_secure
        )


def _accounts(app: Flask, data_dir: Path, read_only: bool) -> Accounts:
    """Users, sessions and the login limiter (see :func:`~sozialraum.accounts.open_accounts`)."""
    config = app.config
    # with a read-only data folder, logins still work: file sessions and the login
    # limiter move to the instance folder (users are only read)
    runtime = Path(app.instance_path) / "sessions" if read_only else None
    return open_accounts(
        data_dir,
        database_url=config.get("DATABASE_URL") or None,
        runtime_dir=runtime,
        idle_timeout_s=60 * float(config["SESSION_IDLE_MINUTES"]),
        max_failures_per_user=int(config["LOGIN_MAX_FAILURES_PER_USER"]),
        max_failures_per_ip=int(config["LOGIN_MAX_FAILURES_PER_IP"]),
        window_s=60 * float(config["LOGIN_WINDOW_MINUTES"]),
        audit_key_file=Path(config["AUDIT_KEY_FILE"]),
    )
