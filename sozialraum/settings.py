"""Settings the web app and the CLI share.

Paths (project, instance, data folder, audit key), the file mode mask, today's date, and the typed
import and store settings.

The Flask app's configuration defaults are set in ``web.create_app``, partly from the
values here (tile URL, attribution, data folder, audit key file); it then overrides them
from ``instance/config.py`` and ``SOZIALRAUM_*`` environment variables. The CLI takes
``--data-dir`` or ``SOZIALRAUM_DATA_DIR``.
"""

from __future__ import annotations

import os
import runpy
from dataclasses import dataclass
from datetime import date
from pathlib import Path

#: The project checkout (parent of the package); ``static/`` and ``data/`` live here.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Default tile server: none. Loading tiles from a public server would hand every visitor's IP
#: address to a third party; set ``SOZIALRAUM_TILE_URL`` to the municipality's own tile server.
DEFAULT_TILE_URL = ""

#: Attribution shown on every map (required by the ODbL).
OSM_ATTRIBUTION = "© OpenStreetMap-Mitwirkende"


#: The umask of every sozialraum process (server, CLI): files 0600, folders 0700. Layers,
#: kept note versions, the audit log, accounts, sessions and keys are for the app's user only.
FILE_UMASK = 0o077


def restrict_umask() -> None:
    """Set the process umask to :data:`FILE_UMASK` (called at the start of the app and CLI)."""
    os.umask(FILE_UMASK)


def today() -> date:
    """The current local day; notes expire by it (tests replace this function)."""
    return date.today()


def instance_path() -> Path:
    """Return the instance folder: ``SOZIALRAUM_INSTANCE_PATH`` or ``<project>/instance``."""
    env = os.environ.get("SOZIALRAUM_INSTANCE_PATH")
    return Path(env).resolve() if env else PROJECT_ROOT / "instance"


def _instance_config_value(name: str):
    """A setting from ``instance/config.py`` (the file the web app reads), or None."""
    path = instance_path() / "config.py"
    if not path.is_file():
        return None
    return runpy.run_path(str(path)).get(name)


def data_dir(explicit: str | os.PathLike | None = None) -> Path:
    """Return the data folder, the same one the web app uses.

    ``explicit`` (``--data-dir``), else ``SOZIALRAUM_DATA_DIR``, else ``DATA_DIR`` in
    ``instance/config.py``, else ``<instance>/data``.
    """
    if explicit:
        return Path(explicit).resolve()
    env = os.environ.get("SOZIALRAUM_DATA_DIR")
    if env:
        return Path(env).resolve()
    configured = _instance_config_value("DATA_DIR")
    return Path(configured).resolve() if configured else instance_path() / "data"


def audit_key_file(instance: str | os.PathLike | None = None) -> Path:
    """Return the audit key file, the same one the web app uses.

    ``SOZIALRAUM_AUDIT_KEY_FILE``, else ``AUDIT_KEY_FILE`` in ``instance/config.py``, else
    ``<instance>/audit_key`` (the instance folder: ``SOZIALRAUM_INSTANCE_PATH`` or
    ``<project>/instance``). It must lie outside the data folder.
    """
    env = os.environ.get("SOZIALRAUM_AUDIT_KEY_FILE")
    if env:
        return Path(env).resolve()
    configured = _instance_config_value("AUDIT_KEY_FILE")
    if configured:
        return Path(configured).resolve()
    return Path(instance).resolve() / "audit_key" if instance else instance_path() / "audit_key"


@dataclass(frozen=True)
class ImportSettings:
    """Settings of the OSM import.

    Attributes
    ----------
    overpass_url : str
        Overpass API endpoint (``SOZIALRAUM_OVERPASS_URL``).
    nominatim_url : str
        Nominatim endpoint for ``--place`` (``SOZIALRAUM_NOMINATIM_URL``).
    timeout_s : float
        Timeout of one HTTP request in seconds (``SOZIALRAUM_OVERPASS_TIMEOUT_S``).
    coordinate_decimals : int
        Decimals kept for lon/lat (6 ≈ 0.1 m).
    """

    overpass_url: str = "https://overpass-api.de/api"
    nominatim_url: str = "https://nominatim.openstreetmap.org/"
    timeout_s: float = 60.0
    coordinate_decimals: int = 6

    @classmethod
    def from_env(cls) -> ImportSettings:
        """Build settings from ``SOZIALRAUM_*`` environment variables over the defaults."""
        env = os.environ
        return cls(
            overpass_url=env.get("SOZIALRAUM_OVERPASS_URL", cls.overpass_url),
            nominatim_url=env.get("SOZIALRAUM_NOMINATIM_URL", cls.nominatim_url),
            timeout_s=float(env.get("SOZIALRAUM_OVERPASS_TIMEOUT_S", cls.timeout_s)),
        )


@dataclass(frozen=True)
class StoreSettings:
    """Settings of the GeoJSON store.

    Attributes
    ----------
    lock_timeout_s : float
        How long a writer waits for another process's lock before giving up (seconds).
    """

    lock_timeout_s: float = 10.0


#: The environment variable that selects PostgreSQL (``postgresql://…``); unset: GeoJSON files.
DATABASE_URL_ENV = "SOZIALRAUM_DATABASE_URL"


def database_url(explicit: str | None = None) -> str | None:
    """Return the PostgreSQL URL, or ``None`` for the embedded GeoJSON store.

    ``explicit`` (``--database-url``), else ``SOZIALRAUM_DATABASE_URL``, else ``DATABASE_URL``
    in ``instance/config.py``. An empty value means "no database" (GeoJSON).

    Raises
    ------
    ValueError
        If the URL is set but is not a ``postgresql://`` or ``postgres://`` URL.
    """
    url = explicit or os.environ.get(DATABASE_URL_ENV) or _instance_config_value("DATABASE_URL")
    if not url:
        return None
    if not str(url).startswith(("postgresql://", "postgres://")):
        raise ValueError(
            f"{DATABASE_URL_ENV} must be a postgresql:// URL (e.g. "
            "postgresql:///sozialraum?host=/run/postgresql)"
        )
    return str(url)


@dataclass(frozen=True)
class DatabaseSettings:
    """Settings of the PostgreSQL backend (used only when a database URL is set).

    Attributes
    ----------
    url : str
        libpq connection URL, e.g. ``postgresql://sozialraum@/sozialraum?host=/run/postgresql``
        (``SOZIALRAUM_DATABASE_URL`` or ``--database-url``). The password belongs in
        ``~/.pgpass`` or ``PGPASSWORD``, not in the URL.
    pool_min, pool_max : int
        Connections each process keeps open / may open (``SOZIALRAUM_DATABASE_POOL_MIN``,
        ``SOZIALRAUM_DATABASE_POOL_MAX``).
    pool_timeout_s : float
        How long a request waits for a free connection (seconds), then ``StoreBusy``.
    lock_timeout_s : float
        How long a writer waits for another writer of the same area (seconds).
    """

    url: str
    pool_min: int = 1
    pool_max: int = 8
    pool_timeout_s: float = 10.0
    lock_timeout_s: float = 10.0

    @classmethod
    def from_env(cls, explicit_url: str | None = None) -> DatabaseSettings | None:
        """Settings from the URL (see :func:`database_url`) and ``SOZIALRAUM_DATABASE_*``.

        ``None`` when no database URL is set (the GeoJSON store is used).
        """
        url = database_url(explicit_url)
        if url is None:
            return None
        env = os.environ
        return cls(
            url=url,
            pool_min=int(env.get("SOZIALRAUM_DATABASE_POOL_MIN", cls.pool_min)),
            pool_max=int(env.get("SOZIALRAUM_DATABASE_POOL_MAX", cls.pool_max)),
            pool_timeout_s=float(env.get("SOZIALRAUM_DATABASE_POOL_TIMEOUT_S", cls.pool_timeout_s)),
        )
