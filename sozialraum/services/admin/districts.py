"""Districts as an admin changes them: rename, new districts from a file or a drawn polygon.

New districts go through the same steps as ``sozialraum import --districts …
--replace-districts`` (:mod:`sozialraum.osm.import_districts`, :mod:`sozialraum.osm.reassign`):
teams follow renamed districts, teams of removed ones end, resources and addresses get the
district containing them, notes go to the district containing them (and its team; a note
keeps its team when the district has none), walks to the district holding most of their
stops. Everything is checked before the first write; every write is one atomic file
replacement through the store and is in the area's audit log. Polygons are EPSG:4326; the
simplification of an uploaded file is done in EPSG:25832 (1 m, as on import). No Flask.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import shape

from sozialraum.errors import InvalidInput, NotFound
from sozialraum.osm import districts as geo
from sozialraum.osm.import_districts import stored_districts, stored_points, teams_after
from sozialraum.osm.import_features import district_features
from sozialraum.osm.polygon_files import MAX_POLYGON_VERTICES, count_vertices
from sozialraum.osm.reassign import reassign_to_districts
from sozialraum.store.base import Store

#: Largest district file accepted by the upload (bytes).
MAX_UPLOAD_BYTES = 5 * 1024 * 1024

#: A district name has 1 to this many characters.
MAX_NAME_CHARS = 80

#: Decimals of stored district coordinates (EPSG:4326 degrees; 6 ≈ 0.1 m, as on import).
DECIMALS = 6

_NAME_KEYS = ("name", "Name", "NAME", "bezeichnung")


@dataclass
class DistrictsReplaced:
    """What replacing the districts of an area did.

    Attributes
    ----------
    added, removed : list of str
        Names of new districts and of those that are gone.
    renamed : list of tuple of (str, str)
        (old name, new name) of districts with the same shape.
    reshaped : list of str
        Names of districts whose polygon changed.
    addresses_moved : int
        Addresses now in another district.
    teams_dropped : dict
        District id → team of removed districts.
    notes, walks : int
        Notes and walks re-assigned to another district.
    outside : int
        Notes, walks and offers outside every district.
    """

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    reshaped: list[str] = field(default_factory=list)
    addresses_moved: int = 0
    teams_dropped: dict[str, str] = field(default_factory=dict)
    notes: int = 0
    walks: int = 0
    outside: int = 0

    def describe_de(self) -> str:
        """One German sentence for the page."""
        parts = []
        if self.added:
            parts.append("neu: " + ", ".join(self.added))
        if self.removed:
            parts.append("entfernt: " + ", ".join(self.removed))
        if self.renamed:
            parts.append("umbenannt: " + ", ".join(f"{a} → {b}" for a, b in self.renamed))
        if self.reshaped:
            parts.append("Grenze geändert: " + ", ".join(self.reshaped))
        parts.append(f"{self.addresses_moved} Adressen in einem anderen Bezirk")
        if self.notes or self.walks:
            parts.append(f"{self.notes} Notizen und {self.walks} Rundgänge neu zugeordnet")
        if self.teams_dropped:
            parts.append(
                "Zuständigkeit beendet: "
                + ", ".join(f"{t} ({d})" for d, t in sorted(self.teams_dropped.items()))
            )
        if self.outside:
            parts.append(f"{self.outside} Einträge liegen außerhalb aller Bezirke")
        return "; ".join(parts) + "."


def checked_name(name: str) -> str:
    """A district name: blanks joined, 1 to :data:`MAX_NAME_CHARS` printable characters."""
    clean = " ".join(name.split()) if isinstance(name, str) else ""
    if not 1 <= len(clean) <= MAX_NAME_CHARS or not clean.isprintable():
        raise InvalidInput(
            f"a district name has 1 to {MAX_NAME_CHARS} printable characters",
            f"Ein Bezirksname hat 1 bis {MAX_NAME_CHARS} druckbare Zeichen.",
        )
    return clean


def _unique_name(store: Store, area: str, name: str, *, except_id: str | None = None) -> None:
    for feature in store.query(area, "districts"):
        if feature["id"] != except_id and (
            (feature["properties"].get("name") or "").casefold() == name.casefold()
        ):
            raise InvalidInput(
                f"district {name!r} exists",
                f"Einen Bezirk „{name}“ gibt es in diesem Gebiet schon.",
            )


def rename_district(store: Store, area: str, district: str, name: str, *, actor: str) -> dict:
    """Rename a district; its id, polygon and team stay (audited as a new version).

    Returns
    -------
    dict
        The district feature as stored.
    """
    clean = checked_name(name)
    try:
        feature = store.get(area, "districts", district)
    except (NotFound, InvalidInput):
        raise NotFound(
            f"district {district!r} does not exist", "Diesen Bezirk gibt es nicht."
        ) from None
    _unique_name(store, area, clean, except_id=district)
    props = {k: v for k, v in feature["properties"].items() if k not in ("version", "updated_at")}
    return store.update(
        area,
        "districts",
        district,
        {**feature, "properties": {**props, "name": clean}},
        expected_version=feature["properties"]["version"],
        actor=actor,
    )


# --- reading an uploaded file ----------------------------------------------------------------


def _bad(german: str) -> InvalidInput:
    return InvalidInput(f"district file refused: {german}", german)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise _bad(
            "Die Datei ist in UTF-16 gespeichert. Bitte als GeoJSON in UTF-8 speichern "
            "(in QGIS: „Exportieren – Objekte speichern als…“, Kodierung UTF-8)."
        )
    raise _bad(
        "Die Datei ist nicht in UTF-8 kodiert (vielleicht Windows-1252/ANSI). Bitte als "
        "GeoJSON in UTF-8 speichern (in QGIS: Kodierung UTF-8)."
    )


def parse_district_file(data: bytes, file_name: str = "") -> list[geo.District]:
    """The districts of an uploaded GeoJSON file, or :class:`InvalidInput` in German.

    Parameters
    ----------
    data : bytes
        The file's content: a GeoJSON FeatureCollection, Feature or geometry of Polygons or
        MultiPolygons in EPSG:4326, UTF-8 (with or without BOM), at most
        :data:`MAX_UPLOAD_BYTES` and :data:`MAX_POLYGON_VERTICES` vertices.
    file_name : str
        For the name of a single unnamed polygon.

    Returns
    -------
    list of District
        Named from the property ``name`` (or ``Name``, ``NAME``, ``bezeichnung``; else
        "Bezirk 1", …), ids from the names as slugs, not yet simplified.

    Raises
    ------
    InvalidInput
        With a German reason (``german``): empty or too large, not UTF-8, not JSON (with the
        line), not GeoJSON, no polygon, an invalid polygon (with the feature number), not
        lon/lat, too many vertices, two districts of the same name.
    """
    if not data:
        raise _bad("Die Datei ist leer.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise _bad(
            f"Die Datei ist größer als {MAX_UPLOAD_BYTES // (1024 * 1024)} MB. Bitte die "
            "Polygone vereinfachen (z. B. QGIS „Vereinfachen“ mit 1 m) und erneut hochladen."
        )
    text = _decode(data)
    try:
        document = json.loads(text)
    except RecursionError:
        raise _bad("Die Datei ist zu tief verschachtelt, um GeoJSON zu sein.") from None
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        where = f" (Zeile {line})" if line else ""
        raise _bad(f"Die Datei ist kein gültiges JSON{where}; ist es eine GeoJSON-Datei?") from None
    if not isinstance(document, dict) or not isinstance(document.get("type"), str):
        raise _bad("Die Datei ist kein GeoJSON (es fehlt „type“).")
    kind = document["type"]
    if kind == "FeatureCollection":
        raw = document.get("features")
        if not isinstance(raw, list):
            raise _bad("Die FeatureCollection hat keine Liste „features“.")
        items = [
            ((f.get("properties") or {}) if isinstance(f, dict) else {},
             f.get("geometry") if isinstance(f, dict) else None)
            for f in raw
        ]  # fmt: skip
    elif kind == "Feature":
        items = [(document.get("properties") or {}, document.get("geometry"))]
    else:
        items = [({}, document)]
    vertices = sum(count_vertices(g) for _, g in items)
    if vertices > MAX_POLYGON_VERTICES:
        raise _bad(
            f"Die Datei hat {vertices:,} Eckpunkte; höchstens {MAX_POLYGON_VERTICES:,} sind "
            "erlaubt. Bitte die Polygone vereinfachen (z. B. QGIS „Vereinfachen“ mit 1 m).".replace(
                ",", "."
            )
        )
    polygons = []
    for number, (props, geometry) in enumerate(items, start=1):
        if not isinstance(props, dict):
            props = {}
        polygon = _polygon(geometry, number)
        if polygon is None:
            continue  # points and lines in the file are left out
        name = next((str(props[k]).strip() for k in _NAME_KEYS if props.get(k)), None)
        polygons.append((name, polygon))
    if not polygons:
        raise _bad(
            "Die Datei enthält kein Polygon. Bezirke sind Flächen (Polygon oder MultiPolygon), "
            "keine Punkte oder Linien."
        )
    return _districts(polygons, file_name)


def _polygon(geometry, number: int):
    """Feature ``number``'s polygon (EPSG:4326); ``None`` for points and lines."""
    if not isinstance(geometry, dict) or not geometry.get("type"):
        raise _bad(f"Objekt {number} hat keine Geometrie.")
    try:
        polygon = shape(geometry)
    except (TypeError, ValueError, AttributeError, KeyError, IndexError,
            shapely.errors.GEOSException):  # fmt: skip
        raise _bad(f"Objekt {number} hat keine gültige Geometrie.") from None
    if polygon.geom_type == "GeometryCollection":
        parts = [
            p for p in shapely.get_parts(polygon) if p.geom_type in ("Polygon", "MultiPolygon")
        ]
        polygon = shapely.union_all(parts) if parts else shapely.Polygon()
    if polygon.geom_type not in ("Polygon", "MultiPolygon") or polygon.is_empty:
        return None
    minx, miny, maxx, maxy = polygon.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise _bad(
            f"Objekt {number}: die Koordinaten sind keine Längen und Breiten (EPSG:4326). "
            "Bitte die Datei in WGS 84 (EPSG:4326) speichern."
        )
    if not polygon.is_valid:
        reason = shapely.is_valid_reason(polygon)
        raise _bad(
            f"Objekt {number} ist kein gültiges Polygon ({reason}), z. B. eine Fläche, die "
            "sich selbst schneidet. Bitte in QGIS mit „Geometrien reparieren“ korrigieren."
        )
    return polygon


def _districts(polygons: list, file_name: str) -> list[geo.District]:
    stem = file_name.rsplit("/", 1)[-1].split(".")[0] if file_name else ""
    result, seen_ids, seen_names = [], set(), set()
    for number, (name, polygon) in enumerate(polygons, start=1):
        name = checked_name(name or (stem if len(polygons) == 1 and stem else f"Bezirk {number}"))
        if name.casefold() in seen_names:
            raise _bad(f"Der Name „{name}“ kommt in der Datei zweimal vor.")
        seen_names.add(name.casefold())
        result.append(geo.District(_new_id(name, seen_ids), name, "upload", polygon))
    return result


def _new_id(name: str, taken: set[str]) -> str:
    base = district_id = geo._slug(name)
    suffix = 2
    while district_id in taken:
        district_id, suffix = f"{base}-{suffix}", suffix + 1
    taken.add(district_id)
    return district_id


# --- replacing the districts -----------------------------------------------------------------


def replace_districts(
    store: Store, area: str, districts: list[geo.District], *, actor: str, simplify: bool = True
) -> DistrictsReplaced:
    """Make ``districts`` the districts of ``area``, as an import with new districts does.

    Parameters
    ----------
    store : Store
    area : str
    districts : list of District
        The new districts (EPSG:4326), unique ids.
    actor : str
        Who changes them (audit log).
    simplify : bool
        Simplify them as on import (1 m in EPSG:25832, shared borders kept).

    Returns
    -------
    DistrictsReplaced
    """
    if not districts:
        raise InvalidInput("no districts", "Ein Gebiet braucht mindestens einen Bezirk.")
    meta = store.read_meta(area)
    if simplify:
        districts, _ = geo.simplify_districts(districts)
    stored = stored_districts(store, area)
    xs, ys = stored_points(store, area, "addresses")
    changes = geo.compare_districts(stored, districts, xs, ys)
    teams, dropped = teams_after(dict(meta.get("teams") or {}), changes, districts)
    point_updates = {
        layer: _moved_points(store, area, layer, districts) for layer in ("resources", "addresses")
    }
    # all checked and computed: now the writes, each one atomic
    store.sync_layer(area, "districts", district_features(districts, DECIMALS), actor=actor)
    for layer, changed in point_updates.items():
        if changed:
            store.upsert_many(area, layer, changed, actor=actor)
    moved = reassign_to_districts(store, area, districts, teams, actor=actor)
    meta = store.read_meta(area)
    meta.update(
        teams=teams,
        districts=len(districts),
        outside_districts=[{"layer": o["layer"], "id": o["id"]} for o in moved.outside],
    )
    store.write_meta(area, meta, actor=actor)
    return DistrictsReplaced(
        added=list(changes.added),
        removed=list(changes.removed),
        renamed=[(old, new) for _, old, _, new in changes.renamed],
        reshaped=list(changes.reshaped),
        addresses_moved=changes.addresses_moved,
        teams_dropped=dropped,
        notes=moved.notes,
        walks=moved.walks,
        outside=len(moved.outside),
    )


def _moved_points(store: Store, area: str, layer: str, districts: list[geo.District]) -> list:
    """Features of a point layer whose district changes, with the new one."""
    try:
        features = store.query(area, layer)
    except NotFound:
        return []
    if not features:
        return []
    xs = np.fromiter((f["geometry"]["coordinates"][0] for f in features), float, len(features))
    ys = np.fromiter((f["geometry"]["coordinates"][1] for f in features), float, len(features))
    found = geo.assign(districts, xs, ys)
    return [
        {**f, "properties": {**f["properties"], "district": d}}
        for f, d in zip(features, found, strict=True)
        if f["properties"].get("district") != d
    ]


def parse_drawn_polygon(text: str) -> shapely.Geometry:
    """The polygon drawn on the map (GeoJSON geometry or Feature as text, EPSG:4326)."""
    try:
        document = json.loads(text or "")
    except (ValueError, RecursionError):
        document = None
    if isinstance(document, dict) and document.get("type") == "FeatureCollection":
        features = document.get("features") or []
        document = features[0] if len(features) == 1 else None
    if isinstance(document, dict) and document.get("type") == "Feature":
        document = document.get("geometry")
    if not isinstance(document, dict):
        raise _bad("Bitte zuerst genau eine Fläche auf der Karte zeichnen.")
    polygon = _polygon(document, 1)
    if polygon is None:
        raise _bad("Bitte eine Fläche (Polygon) zeichnen, keine Linie oder Punkt.")
    return polygon


def add_drawn_district(
    store: Store, area: str, polygon: shapely.Geometry, name: str, *, actor: str
) -> tuple[str, DistrictsReplaced]:
    """Split a new district off the area's districts along a drawn polygon.

    The new district is the polygon inside the area's districts (the whole polygon when the
    area has none); the districts it covers lose that part, and a district covered
    completely ends (its team assignment too, or it passes to the new district when it has
    the same shape).

    Returns
    -------
    tuple of (str, DistrictsReplaced)
        The new district's id and what changed.
    """
    clean = checked_name(name)
    _unique_name(store, area, clean)
    stored = stored_districts(store, area)
    if stored:
        inside = geo.polygonal(
            polygon.intersection(shapely.union_all([d.geometry for d in stored]))
        )
    else:
        inside = polygon
    if inside.is_empty or inside.area < 1e-12:
        raise _bad("Die gezeichnete Fläche liegt außerhalb der Bezirke dieses Gebiets.")
    kept = []
    for district in stored:
        rest = geo.polygonal(district.geometry.difference(inside))
        if not rest.is_empty and rest.area > 1e-12:
            kept.append(geo.District(district.id, district.name, district.source, rest))
    new_id = _new_id(clean, {d.id for d in stored})
    result = replace_districts(
        store,
        area,
        [*kept, geo.District(new_id, clean, "drawn", inside)],
        actor=actor,
        simplify=False,
    )
    return new_id, result
