"""Storage behind one interface; GeoJSON files are the embedded default."""

from sozialraum.settings import StoreSettings
from sozialraum.store.base import Store, SyncSummary
from sozialraum.store.geojson import GeoJSONStore

__all__ = ["GeoJSONStore", "Store", "SyncSummary", "open_store"]


def open_store(
    data_dir,
    *,
    read_only: bool = False,
    lock_timeout_s: float | None = None,
    audit_key_file=None,
) -> Store:
    """Open the store in ``data_dir`` (the GeoJSON backend, the embedded default).

    With ``read_only`` every write raises :class:`~sozialraum.errors.ReadOnly`;
    ``lock_timeout_s`` is how long a writer waits for another process (seconds);
    ``audit_key_file`` is the audit key (default: ``settings.audit_key_file()``).
    """
    settings = StoreSettings() if lock_timeout_s is None else StoreSettings(lock_timeout_s)
    return GeoJSONStore(data_dir, settings, read_only=read_only, audit_key_file=audit_key_file)
