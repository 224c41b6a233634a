"""Flask app factory (flaskr pattern): instance folder, config layers, routes, accounts."""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect

from sozialraum import settings
from sozialraum.errors import DamagedData
from sozialraum.fieldnotes import NoteRules
from sozialraum.maps.assets import use_local_assets
from sozialraum.model.categories import load_categories
from sozialraum.model.mailbox import load_actions
from sozialraum.model.notes import load_note_categories
from sozialraum.model.privacy import load_privacy_guard
from sozialraum.store import open_store
from sozialraum.store._atomic import is_writable, make_dir
from sozialraum.web._json import StrictJSONProvider

csrf = CSRFProtect()


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


def german_date(value: str | None) -> str:
    """``2026-11-21`` → ``21.11.2026`` (anything else unchanged)."""
    try:
        return date.fromisoformat(str(value)).strftime("%d.%m.%Y")
    except ValueError:
        return "" if value is None else str(value)


def german_datetime(value: str | None) -> str:
    """An ISO 8601 UTC time → ``21.11.2026, 09:35`` in German local time."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return "" if value is None else str(value)
    return moment.astimezone(ZoneInfo("Europe/Berlin")).strftime("%d.%m.%Y, %H:%M")


def _generation(categories) -> str:
    """Changes when the category table changes (part of every API ETag)."""
    text = repr([(c.id, c.label, c.colour, c.icon, [str(r) for r in c.rules]) for c in categories])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def create_app(test_config: dict | None = None) -> Flask:
    """Create the sozialraum web app.

    Configuration, later layers win: defaults below → ``instance/config.py`` →
    ``SOZIALRAUM_*`` environment variables → ``test_config``.

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
        static_folder=str(settings.PROJECT_ROOT / "static"),
        static_url_path="/static",
    )
    app.json = StrictJSONProvider(app)  # NaN, 1e400, duplicate keys, deep nesting: 400
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
        LOGIN_MAX_FAILURES_PER_USER=5,
        LOGIN_MAX_FAILURES_PER_IP=20,
        LOGIN_WINDOW_MINUTES=15,
        WTF_CSRF_TIME_LIMIT=None,
        READ_ONLY=False,
        STORE_LOCK_TIMEOUT_S=10.0,
        PROXY_COUNT=0,
        HSTS_MAX_AGE_S=365 * 24 * 3600,
        AUDIT_KEY_FILE=str(settings.audit_key_file(instance)),
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("SOZIALRAUM")
    if test_config:
        app.config.from_mapping(test_config)
    make_dir(Path(app.instance_path))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(Path(app.instance_path))

    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters.update(datum=german_date, datum_zeit=german_datetime)
    use_local_assets(app.static_url_path)
    data_dir = Path(app.config["DATA_DIR"])
    read_only = _flag(app.config["READ_ONLY"]) or not is_writable(data_dir)
    app.config["READ_ONLY"] = read_only
    if read_only:
        app.logger.warning("data folder %s is read-only: the app runs read-only", data_dir)
    store = open_store(
        data_dir,
        read_only=read_only,
        lock_timeout_s=float(app.config["STORE_LOCK_TIMEOUT_S"]),
        audit_key_file=Path(app.config["AUDIT_KEY_FILE"]),
    )
    problems = store.check_files()
    if problems:
        raise DamagedData(
            "damaged data files (left unchanged; restore them with 'sozialraum restore' "
            "or move them away): " + "; ".join(problems)
        )
    for area in store.cleanup():
        app.logger.warning("area %s is locked by another process; temp files left for later", area)
    categories = load_categories(Path(app.config["CATEGORIES_FILE"]))
    app.extensions["sozialraum"] = {
        "store": store,
        "categories": categories,
        "generation": _generation(categories),
        "accounts": _accounts(app, data_dir, read_only),
        "note_rules": NoteRules(
            load_note_categories(Path(app.config["NOTE_CATEGORIES_FILE"])),
            load_privacy_guard(Path(app.config["PRIVACY_RULES_FILE"])),
        ),
        "mailbox_actions": load_actions(Path(app.config["MAILBOX_RULES_FILE"])),
    }

    from sozialraum.web import auth, errors, headers, routes

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
    return app


def _flag(value) -> bool:
    """A config flag that may come from the environment as text (``"1"``, ``"true"``)."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


class _SecureWhenHttps(SecureCookieSessionInterface):
    """The session cookie is ``Secure`` when configured or when the request came by HTTPS
    (directly, or through a proxy trusted with ``PROXY_COUNT``)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (
            has_request_context() and request.is_secure
        )


def _accounts(app: Flask, data_dir: Path, read_only: bool) -> dict:
    from sozialraum.accounts import LoginLimiter, SessionStore, UserStore, accounts_dir

    folder = accounts_dir(data_dir)
    # with a read-only data folder, logins still work: sessions and the login limiter
    # move to the instance folder (users are only read)
    runtime = Path(app.instance_path) / "sessions" if read_only else folder
    config = app.config
    return {
        "users": UserStore(folder / "users.json"),
        "sessions": SessionStore(
            runtime / "sessions.json", idle_timeout_s=60 * float(config["SESSION_IDLE_MINUTES"])
        ),
        "limiter": LoginLimiter(
            runtime / "logins.json",
            max_failures_per_user=int(config["LOGIN_MAX_FAILURES_PER_USER"]),
            max_failures_per_ip=int(config["LOGIN_MAX_FAILURES_PER_IP"]),
            window_s=60 * float(config["LOGIN_WINDOW_MINUTES"]),
        ),
    }
