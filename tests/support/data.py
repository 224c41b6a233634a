"""Features as the store holds them: a resource to add, a mailbox note to find."""

from __future__ import annotations

from sozialraum.demo.area import DEMO_AREA


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
