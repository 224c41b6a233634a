"""The neutral form both readers (file, Overpass) produce: tagged objects as points."""

from __future__ import annotations

from dataclasses import dataclass, field

from shapely.geometry.base import BaseGeometry

OSM_TYPES = {"n": "node", "w": "way", "r": "relation"}


@dataclass
class OsmObject:
    """One OSM object reduced to a representative point (EPSG:4326, degrees)."""

    osm_type: str  # "n", "w" or "r"
    osm_id: int
    lon: float
    lat: float
    tags: dict[str, str]
    categories: list[str] = field(default_factory=list)
    #: last edit (ISO date), kept for letterboxes only (mailbox evidence)
    last_edit: str | None = None

    @property
    def feature_id(self) -> str:
        """Stable feature id, e.g. ``"w123456"``."""
        return f"{self.osm_type}{self.osm_id}"


@dataclass
class Boundary:
    """An administrative boundary polygon found in the data (EPSG:4326)."""

    osm_type: str
    osm_id: int
    name: str
    admin_level: int
    geometry: BaseGeometry


@dataclass
class OsmData:
    """What a reader found: resource and address candidates and boundaries."""

    objects: list[OsmObject] = field(default_factory=list)
    boundaries: list[Boundary] = field(default_factory=list)
    #: objects found without a usable geometry: (osm_type, osm_id, tags)
    unplaced: list[tuple[str, int, dict[str, str]]] = field(default_factory=list)
    #: walkable ways (online import): per way its nodes as (osm_id, lon, lat) or None
    walk_ways: list[list[tuple[int, float, float] | None]] = field(default_factory=list)
    #: named streets among the walkable ways (online import): (name, [(lon, lat), ...])
    street_lines: list[tuple[str, list[tuple[float, float]]]] = field(default_factory=list)
    #: the newest timestamp of an object read (UTC ISO, seconds), ``None`` without metadata
    newest_object: str | None = None
    #: the data's own time from the file header (``osmosis_replication_timestamp`` or
    #: ``timestamp``) or the Overpass answer (``osm3s.timestamp_osm_base``), UTC ISO
    base_timestamp: str | None = None
    #: where ``base_timestamp`` came from: ``"header"`` (file) or ``"overpass"``
    base_source: str = "header"

    def data_date(self) -> dict:
        """When the OSM data is from (area.json ``osm_data``).

        ``date`` (UTC ISO, the header's / server's time, else the newest object's, else ``None``),
        ``source`` (``"header"``, ``"overpass"``, ``"newest_object"`` or ``None``),
        ``newest_object``.
        """
        if self.base_timestamp:
            date, source = self.base_timestamp, self.base_source
        elif self.newest_object:
            date, source = self.newest_object, "newest_object"
        else:
            date, source = None, None
        return {"date": date, "source": source, "newest_object": self.newest_object}
