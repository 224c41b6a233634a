"""The import step that builds the area's own basemap (issue 20): ``<area>/basemap.pmtiles``.

The basemap is derived data, like the walk network: it is built from the same OSM file as
the layers, after them, and a failed build never fails the import (the old archive stays,
a half-built one is never in place: :func:`sozialraum.basemap.build_basemap` renames a
complete temp file into place). An online import has no OSM file: the area's OSM data is
fetched once more from Overpass as a whole and kept as ``<area>/analysis/overpass.osm.gz``
(see :func:`write_osm_xml`), so ``sozialraum basemap build`` can rebuild from it later.

The area the tiles cover: the import's clip polygon, else the union of the stored
districts, else the bbox in ``area.json`` (all EPSG:4326).
"""

from __future__ import annotations

import gzip
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import quoteattr

import shapely
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from sozialraum.basemap import BasemapArchive, BasemapArchiveError, BasemapStats, build_basemap
from sozialraum.errors import InvalidInput, NotFound, SozialraumError
from sozialraum.store.base import Store

#: File name of the basemap archive in the area folder.
BASEMAP_NAME = "basemap.pmtiles"
#: Where an online import keeps the OSM data the basemap is built from.
OVERPASS_OSM_NAME = "analysis/overpass.osm.gz"


@dataclass
class BasemapResult:
    """What the basemap step did: ``stats`` when built, ``error`` (English) when not."""

    stats: BasemapStats | None = None
    error: str | None = None
    osm_file: Path | None = None

    def summary(self, previous: dict | None = None) -> dict:
        """The ``basemap`` entry of ``area.json``: what was built and from which file.

        After a failure it is the previous entry (its archive stays) with the ``error``.
        """
        if self.stats is None:
            kept = {k: v for k, v in (previous or {}).items() if k != "error"}
            return {**kept, "error": self.error}
        return {
            "osm_file": str(self.osm_file.resolve()) if self.osm_file else None,
            "tiles": self.stats.tiles,
            "bytes": self.stats.bytes,
            "seconds": round(self.stats.seconds, 2),
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }


def basemap_path(store: Store, area: str) -> Path:
    """The basemap archive of ``area`` (it may not exist)."""
    return store.area_dir(area) / BASEMAP_NAME


def area_polygon(store: Store, area: str, clip: BaseGeometry | None = None) -> BaseGeometry:
    """The polygon the basemap covers (degrees, EPSG:4326).

    ``clip`` when given (the import's clip or place polygon), else the union of the stored
    districts, else the bbox in ``area.json``; :class:`InvalidInput` if there is none.
    """
    if clip is not None and not clip.is_empty:
        return clip
    try:
        districts = store.query(area, "districts")
    except NotFound:
        districts = []
    shapes = [shapely.geometry.shape(f["geometry"]) for f in districts if f.get("geometry")]
    if shapes:
        return shapely.union_all(shapes)
    bbox = store.read_meta(area).get("bbox")
    if not bbox or len(bbox) != 4:
        raise InvalidInput(f"area {area!r} has neither districts nor a bbox for the basemap")
    return box(*bbox)


def build_area_basemap(
    store: Store, area: str, osm_file: Path, clip: BaseGeometry | None = None
) -> BasemapStats:
    """Build ``<area>/basemap.pmtiles`` from ``osm_file`` (atomic; raises on failure).

    Parameters
    ----------
    store : Store
        The data store; the area must exist.
    area : str
        Area name.
    osm_file : pathlib.Path
        The OSM file (``.osm``, ``.osm.gz``, ``.osm.bz2``, ``.osm.pbf``).
    clip : shapely geometry, optional
        The area polygon in EPSG:4326 (default: :func:`area_polygon`).
    """
    polygon = area_polygon(store, area, clip)
    return build_basemap(Path(osm_file), polygon, basemap_path(store, area))


def try_build(
    store: Store, area: str, osm_file: Path | None, clip: BaseGeometry | None = None
) -> BasemapResult:
    """:func:`build_area_basemap`, but a failure is returned, never raised.

    The import goes on; an existing archive stays as it was.
    """
    if osm_file is None:
        return BasemapResult(error="no OSM file to build the basemap from")
    try:
        stats = build_area_basemap(store, area, osm_file, clip)
        return BasemapResult(stats=stats, osm_file=Path(osm_file))
    except SozialraumError as exc:
        return BasemapResult(error=exc.message)
    except (OSError, ValueError, MemoryError) as exc:
        return BasemapResult(error=f"{type(exc).__name__}: {exc}")


def archive_info(store: Store, area: str) -> dict | None:
    """Size (bytes) and tile count of the area's archive, ``None`` without one.

    An archive that cannot be read gives ``error`` (English).
    """
    path = basemap_path(store, area)
    if not path.exists():
        return None
    try:
        with BasemapArchive(path) as archive:
            tiles = sum(1 for _ in archive.coordinates())
            header = archive.header
            return {
                "bytes": archive.size,
                "tiles": tiles,
                "minzoom": header["min_zoom"],
                "maxzoom": header["max_zoom"],
            }
    except BasemapArchiveError as exc:
        return {"bytes": path.stat().st_size, "error": exc.message}


def write_osm_xml(elements: list[dict], path: Path) -> Path:
    """Write Overpass JSON elements as a gzip OSM XML file (atomic, mode 600).

    Parameters
    ----------
    elements : list of dict
        Overpass ``[out:json]`` elements (``node`` with ``lat``/``lon``, ``way`` with
        ``nodes``, ``relation`` with ``members``; ``tags`` optional), degrees EPSG:4326.
    path : pathlib.Path
        The target, e.g. ``<area>/analysis/overpass.osm.gz``.
    """
    order = {"node": 0, "way": 1, "relation": 2}
    elements = sorted(
        (e for e in elements if e.get("type") in order),
        key=lambda e: (order[e["type"]], int(e["id"])),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=".tmp-overpass.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb") as out:
            out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
            out.write(b'<osm version="0.6" generator="sozialraum (Overpass)">\n')
            for element in elements:
                out.write(_element_xml(element).encode("utf-8"))
            out.write(b"</osm>\n")
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return path


def _tags_xml(tags: dict) -> str:
    return "".join(f"<tag k={quoteattr(str(k))} v={quoteattr(str(v))}/>" for k, v in tags.items())


def _element_xml(e: dict) -> str:
    kind, osm_id, tags = e["type"], int(e["id"]), e.get("tags") or {}
    attrs = f'id="{osm_id}" version="1"'
    if kind == "node":
        if "lat" not in e or "lon" not in e:
            return ""
        head = f'<node {attrs} lat="{float(e["lat"]):.7f}" lon="{float(e["lon"]):.7f}"'
        return f"{head}>{_tags_xml(tags)}</node>\n" if tags else f"{head}/>\n"
    if kind == "way":
        nds = "".join(f'<nd ref="{int(n)}"/>' for n in e.get("nodes") or [])
        return f"<way {attrs}>{nds}{_tags_xml(tags)}</way>\n"
    members = "".join(
        f'<member type="{m["type"]}" ref="{int(m["ref"])}" role={quoteattr(m.get("role") or "")}/>'
        for m in e.get("members") or []
        if m.get("type") in ("node", "way", "relation")
    )
    return f"<relation {attrs}>{members}{_tags_xml(tags)}</relation>\n"
