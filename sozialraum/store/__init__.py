"""Storage behind one interface; GeoJSON files are the embedded default, PostgreSQL by URL."""

from sozialraum import settings as _settings
from sozialraum.errors import ConfigError
from sozialraum.settings import StoreSettings
from sozialraum.store.base import Store, SyncSummary
from sozialraum.store.geojson import GeoJSONStore

__all__ = ["FROM_SETTINGS", "GeoJSONStore", "Store", "SyncSummary", "open_store"]

#: ``open_store(database_url=FROM_SETTINGS)``: take the URL from :func:`settings.database_url`.
FROM_SETTINGS = object()


def open_store(
    data_dir,
    *,
    read_only: bool = False,
    lock_timeout_s: float | None = None,
    audit_key_file=None,
    database_url=FROM_SETTINGS,
) -> Store:
    """Open the store: PostgreSQL when a database URL is set, else GeoJSON files in ``data_dir``.

    With ``read_only`` every write raises :class:`~sozialraum.errors.ReadOnly`;
    ``lock_timeout_s`` is how long a writer waits for another process or server (seconds);
    ``audit_key_file`` is the audit key (default: ``settings.audit_key_file()``).
    ``database_url`` is a ``postgresql://`` URL, ``None`` for GeoJSON, or (default) whatever
    :func:`sozialraum.settings.database_url` says (``SOZIALRAUM_DATABASE_URL``,
    ``--database-url``, ``DATABASE_URL`` in ``instance/config.py``). With PostgreSQL,
    ``data_dir`` holds only the local files (basemaps).
    """
    try:
        url = _settings.database_url() if database_url is FROM_SETTINGS else database_url
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    if url:
        from sozialraum.store.postgres import PostgresStore

        return PostgresStore(
            url,
            data_dir=data_dir,
            read_only=read_only,
            audit_key_file=audit_key_file,
            lock_timeout_s=10.0 if lock_timeout_s is None else lock_timeout_s,
        )
    settings = StoreSettings() if lock_timeout_s is None else StoreSettings(lock_timeout_s)
    return GeoJSONStore(data_dir, settings, read_only=read_only, audit_key_file=audit_key_file)
