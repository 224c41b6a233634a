"""Storage behind one interface; GeoJSON files are the embedded default."""

from sozialraum.store.base import Store, SyncSummary
from sozialraum.store.geojson import GeoJSONStore

__all__ = ["GeoJSONStore", "Store", "SyncSummary", "open_store"]


def open_store(data_dir) -> Store:
    """Open the store in ``data_dir`` (the GeoJSON backend, the embedded default)."""
    return GeoJSONStore(data_dir)
