"""The demo area's OSM XML file: streets, houses, resources and districts (all invented).

Built deterministically from :data:`SEED` on the grid of :mod:`sozialraum.demo.geometry`, so
``data/musterstadt-nord.osm`` is reproduced byte for byte.
"""

from __future__ import annotations

import functools
import itertools
import math
import os
import random
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from sozialraum.demo.geometry import HEIGHT_M, WIDTH_M, demo_bounds, lonlat

#: Seed of the random choices (house numbers, resources; the notes use ``SEED + 1``).
SEED = 20260101
_TIMESTAMP = "2026-01-01T00:00:00Z"

_XS = [60.0 + i * 185.0 for i in range(9)]  # x of the north-south streets, metres
_YS = [60.0 + j * 1080.0 / 7 for j in range(8)]  # y of the east-west streets, metres
_MAIN_ROW, _MAIN_COL = 3, 4  # Hauptstraße / Bahnhofstraße, also the district borders
_CITY = "Musterstadt"
_POSTCODES = {"Nord-West": "45901", "Nord-Ost": "45902", "Mühlenviertel": "45903"}

_H_NAMES = (
    "Amselweg", "Lindenstraße", "Am Mühlenbach", "Drosselweg", "Birkenallee", "Finkenstraße",
    "Kastanienweg", "Schulstraße", "Gartenstraße", "Eichendorffstraße", "Wiesenweg",
    "Kirchstraße", "Rosenstraße", "Ahornweg", "Lerchenweg", "Mühlenstraße", "Am Anger",
    "Tulpenweg", "Feldstraße", "Im Winkel", "Kiefernweg",
)  # fmt: skip
_V_NAMES = (
    "Sankt-Anna-Straße", "Buchenweg", "Meisenweg", "Hofstraße", "Grüner Weg", "Brunnenstraße",
    "Eschenweg", "Am Steinacker", "Weidenstraße", "Holunderweg", "Sperlingsgasse",
    "Auf der Heide", "Ulmenstraße", "Zum Kirchplatz", "Erlenweg", "Schwalbenweg",
)  # fmt: skip
_HIGHWAY = {
    "Hauptstraße": "tertiary", "Bahnhofstraße": "tertiary", "Lindenstraße": "tertiary",
    "Im Winkel": "living_street", "Sperlingsgasse": "living_street",
    "Zum Kirchplatz": "living_street", "Am Anger": "living_street",
}  # fmt: skip

TRICKY_NAME = 'Café <b>Zuckerbäcker</b> & "Söhne" ${x} `tick`'
BACKSLASH_NAME = "Lager C:\\daten\\2019"

_SHOP_HOURS = "Mo-Fr 08:00-18:00; Sa 08:00-13:00"
_OFFICE_HOURS = "Mo-Th 08:00-16:00; Fr 08:00-12:00"
# (tags, opening_hours or None, how many of the names become building ways, building=, names)
_RESOURCES: tuple[tuple[dict[str, str], str | None, int, str, tuple[str, ...]], ...] = (
    ({"shop": "bakery"}, "Mo-Sa 06:30-18:00; Su 08:00-11:00", 0, "",
     ("Bäckerei Kornblume", "Backstube am Markt", "Bäckerei Sonnenkorn", TRICKY_NAME)),
    ({"shop": "hairdresser"}, "Tu-Fr 09:00-18:00; Sa 08:00-13:00", 0, "",
     ("Salon Schnittpunkt", "Haarwerk Nord", "Friseur Lockenpracht")),
    ({"amenity": "pharmacy", "healthcare": "pharmacy"}, _SHOP_HOURS, 0, "",
     ("Linden-Apotheke", "Mühlen-Apotheke", "Apotheke am Bahnhof")),
    ({"amenity": "place_of_worship", "religion": "christian", "denomination": "catholic"},
     None, 1, "church", ("Kirche Sankt Anna", "Kapelle am Anger")),
    ({"amenity": "place_of_worship", "religion": "christian", "denomination": "protestant"},
     None, 1, "church", ("Evangelische Friedenskirche",)),
    ({"amenity": "place_of_worship", "religion": "muslim"}, None, 0, "",
     ("Moscheegemeinde Musterstadt-Nord",)),
    ({"amenity": "post_office"}, "Mo-Fr 09:00-18:00; Sa 09:00-12:00", 0, "",
     ("Postfiliale Musterstadt-Nord", "Postfiliale Mühlenviertel", "Post am Rathausplatz")),
    ({"shop": "convenience", "post_office": "post_partner"}, "Mo-Sa 07:00-22:00", 0, "",
     ("Kiosk am Mühlenbach", "Büdchen Lindeneck")),
    ({"shop": "convenience"}, "Mo-Sa 07:00-22:00", 0, "", ("Trinkhalle Amselweg",)),
    ({"shop": "supermarket", "post_office": "post_partner"}, "Mo-Sa 07:00-21:00", 1, "retail",
     ("Frischemarkt Nord",)),
    ({"shop": "supermarket"}, "Mo-Sa 07:00-22:00", 1, "retail",
     ("Marktladen Mühlenviertel", "Markthalle Musterstadt")),
    ({"amenity": "doctors", "healthcare": "doctor"}, _OFFICE_HOURS, 0, "",
     ("Hausarztpraxis am Lindenplatz", "Kinderarztpraxis Nord", "Praxis Mühlenviertel")),
    ({"amenity": "doctors"}, _OFFICE_HOURS, 0, "",
     ("Gemeinschaftspraxis Bahnhofstraße", "Praxis am Anger")),
    ({"amenity": "school"}, None, 2, "school",
     ("Grundschule Am Mühlenbach", "Gesamtschule Musterstadt-Nord", "Lindenschule")),
    ({"amenity": "kindergarten"}, "Mo-Fr 07:00-16:30", 0, "",
     ("Kita Regenbogen", "Kita Sankt Anna", "Familienzentrum Sonnenblume", "Kita Wiesenwichtel")),
    ({"amenity": "childcare"}, "Mo-Fr 07:30-15:00", 0, "",
     ("Großtagespflege Kleine Füchse", "Spielgruppe Krümel", "Betreuung Mühlenzwerge")),
    ({"amenity": "social_facility", "social_facility": "shelter",
      "social_facility:for": "homeless"}, "Mo-Su 18:00-09:00", 0, "", ("Notunterkunft Nordlicht",)),
    ({"amenity": "social_facility", "social_facility": "group_home"}, None, 0, "",
     ("Wohngruppe Lindenhof",)),
    ({"amenity": "social_facility", "social_facility": "outreach"}, _OFFICE_HOURS, 0, "",
     ("Beratungsstelle Brücke",)),
    ({"amenity": "social_facility", "social_facility": "food_bank"}, "We 14:00-17:00", 0, "",
     (BACKSLASH_NAME,)),
    ({"amenity": "community_centre"}, "Mo-Fr 10:00-20:00", 1, "civic",
     ("Stadtteilzentrum Nord", "Nachbarschaftstreff Mühlenviertel", "Bürgerhaus Am Anger")),
    ({"amenity": "library"}, "Tu-Fr 10:00-18:00; Sa 10:00-13:00", 1, "civic",
     ("Stadtteilbibliothek Nord", "Katholische Bücherei Sankt Anna", "Bücherstube Am Anger")),
    ({"railway": "halt", "public_transport": "station"}, None, 0, "",
     ("Musterstadt-Nord Hp", "Musterstadt Mühlenbach", "Musterstadt Lindenhof")),
    ({"amenity": "townhall"}, _OFFICE_HOURS, 1, "civic",
     ("Rathaus Musterstadt", "Bürgeramt Nord", "Bezirksverwaltungsstelle Mühlenviertel")),
    ({"office": "government"}, _OFFICE_HOURS, 0, "",
     ("Jugendamt Außenstelle Nord", "Sozialamt Musterstadt", "Wohngeldstelle Musterstadt")),
    ({"office": "employment_agency"}, _OFFICE_HOURS, 0, "",
     ("Jobcenter Musterstadt", "Agentur für Arbeit Musterstadt", "Jobcenter Mühlenviertel")),
    ({"leisure": "playground"}, None, 0, "",
     ("Spielplatz Am Anger", "Spielplatz Lindenhof", "Wasserspielplatz Mühlenbach",
      "Spielplatz Amselweg", "Spielplatz Bolzwiese")),
)  # fmt: skip
_BUS_STOPS = ("Hauptstraße West", "Schulstraße", "Rathausplatz", "Hauptstraße Ost",
              "Sankt Anna", "Bahnhofstraße Nord", "Bahnhofstraße Süd")  # fmt: skip


@dataclass
class _Osm:
    """Collected OSM objects; ids are handed out in creation order (ascending)."""

    nodes: list[tuple[int, float, float, dict[str, str]]] = field(default_factory=list)
    ways: list[tuple[int, list[int], dict[str, str]]] = field(default_factory=list)
    relations: list[tuple[int, list[int], dict[str, str]]] = field(default_factory=list)
    addresses: list[dict] = field(default_factory=list)
    resources: list[dict] = field(default_factory=list)

    def node(self, x: float, y: float, tags: dict[str, str] | None = None) -> int:
        lon, lat = lonlat(x, y)
        self.nodes.append((len(self.nodes) + 1, lon, lat, tags or {}))
        return len(self.nodes)

    def way(self, refs: list[int], tags: dict[str, str]) -> int:
        self.ways.append((len(self.ways) + 1, refs, tags))
        return len(self.ways)

    def rect(self, cx, cy, ux, uy, half_len, half_dep, tags) -> int:
        """A closed rectangle way centred at (cx, cy) m, long side along the unit vector u."""
        corners = ((-1, -1), (1, -1), (1, 1), (-1, 1))
        refs = [
            self.node(
                cx + a * half_len * ux - b * half_dep * uy,
                cy + a * half_len * uy + b * half_dep * ux,
            )
            for a, b in corners
        ]
        return self.way([*refs, refs[0]], tags)


def _district(x: float, y: float) -> str:
    if y < _YS[_MAIN_ROW]:
        return "Mühlenviertel"
    return "Nord-West" if x < _XS[_MAIN_COL] else "Nord-Ost"


def _next_number(rng: random.Random, side: list) -> str:
    """Next house number on one street side; ``side`` is ``[next n, last n, suffixes used]``."""
    n, last, used = side
    r = rng.random()
    if last is not None and used < 2 and r < 0.05:
        side[2] += 1
        letter = "ab"[used]
        return f"{last}{letter}" if rng.random() < 0.5 else f"{last} {letter}"
    if r > 0.97:
        side[:] = [n + 4, None, 0]
        return f"{n}-{n + 2}"
    side[:] = [n + 2, n, 0]
    return str(n)


def _address(street: str, number: str, x: float, y: float) -> tuple[dict, dict[str, str]]:
    """Return (address record, OSM addr:* tags) for a point at (x, y) m."""
    postcode = _POSTCODES[_district(x, y)]
    lon, lat = lonlat(x, y)
    record = {"street": street, "housenumber": number, "postcode": postcode, "lon": lon, "lat": lat}
    tags = {"addr:street": street, "addr:housenumber": number}
    return record, {**tags, "addr:postcode": postcode, "addr:city": _CITY}


def _streets(osm: _Osm, rng: random.Random) -> tuple[dict, list, dict]:
    """Street grid with jittered crossings; returns (crossings, street parts, south streets)."""
    grid: dict[tuple[int, int], int] = {}
    xy: dict[tuple[int, int], tuple[float, float]] = {}
    for j, y in enumerate(_YS):
        for i, x in enumerate(_XS):
            dx = 0.0 if i == _MAIN_COL else rng.uniform(-4.0, 4.0)
            dy = 0.0 if j == _MAIN_ROW else rng.uniform(-4.0, 4.0)
            xy[i, j] = (x + dx, y + dy)
            grid[i, j] = osm.node(x + dx, y + dy)
    parts: list[tuple[str, list[tuple[int, int]]]] = []
    block_street: dict[tuple[int, int], str] = {}  # (i, j) block -> street on its south side
    h_names, v_names = iter(_H_NAMES), iter(_V_NAMES)
    for j in range(len(_YS)):
        spans = [(0, 8)] if j == _MAIN_ROW else [(0, 3), (3, 6), (6, 8)]
        for a, b in spans:
            name = "Hauptstraße" if j == _MAIN_ROW else next(h_names)
            parts.append((name, [(i, j) for i in range(a, b + 1)]))
            block_street.update({(i, j): name for i in range(a, b)})
    for i in range(len(_XS)):
        for a, b in [(0, 7)] if i == _MAIN_COL else [(0, 4), (4, 7)]:
            name = "Bahnhofstraße" if i == _MAIN_COL else next(v_names)
            parts.append((name, [(i, j) for j in range(a, b + 1)]))
    for name, keys in parts:
        osm.way(
            [grid[k] for k in keys], {"highway": _HIGHWAY.get(name, "residential"), "name": name}
        )
    return xy, parts, block_street


def _houses(osm: _Osm, rng: random.Random, xy: dict, parts: list) -> dict[str, list]:
    """Houses on both sides of every street: odd numbers left, even right of its direction."""
    numbering: dict[str, list] = {}
    kinds = ("house", "house", "house", "apartments", "residential")
    for name, keys in parts:
        sides = numbering[name] = [[1, None, 0], [2, None, 0]]
        for k0, k1 in itertools.pairwise(keys):
            (ax, ay), (bx, by) = xy[k0], xy[k1]
            length = math.hypot(bx - ax, by - ay)
            ux, uy = (bx - ax) / length, (by - ay) / length
            count = int((length - 64.0) // 17.0) + 1
            step = (length - 64.0) / (count - 1)
            for slot in range(count):
                s = 32.0 + slot * step
                for side, sign in zip(sides, (1.0, -1.0), strict=True):
                    cx, cy = ax + ux * s - sign * 16.0 * uy, ay + uy * s + sign * 16.0 * ux
                    record, tags = _address(name, _next_number(rng, side), cx, cy)
                    if rng.random() < 0.7:
                        tags = {"building": rng.choice(kinds), **tags}
                        half_len = rng.uniform(4.0, 5.5)
                        record["ref"] = f"w{osm.rect(cx, cy, ux, uy, half_len, 4.0, tags)}"
                    else:
                        record["ref"] = f"n{osm.node(cx, cy, tags)}"
                    osm.addresses.append(record)
    return numbering


def _resource(osm: _Osm, x: float, y: float, tags: dict, building: str = "") -> None:
    if building:
        ref = "w" + str(osm.rect(x, y, 1.0, 0.0, 12.0, 8.0, {"building": building, **tags}))
    else:
        ref = f"n{osm.node(x, y, tags)}"
    lon, lat = lonlat(x, y)
    osm.resources.append({"ref": ref, "name": tags.get("name", ""), "lon": lon, "lat": lat})


def _resources(osm, rng, xy, block_street, numbering) -> None:
    """Resources in free slots inside the blocks, post boxes and bus stops at the streets."""
    slots = []
    for i in range(len(_XS) - 1):
        for j in range(len(_YS) - 1):
            w, h = _XS[i + 1] - _XS[i] - 64.0, _YS[j + 1] - _YS[j] - 64.0
            for c in range(3):
                for r in range(2):
                    slots.append(
                        (i, j, _XS[i] + 32 + (c + 0.5) * w / 3, _YS[j] + 32 + (r + 0.5) * h / 2)
                    )
    rng.shuffle(slots)
    serial = 0
    for base, hours, n_building, building, names in _RESOURCES:
        for index, name in enumerate(names):
            serial += 1
            i, j, x, y = slots.pop()
            tags = {**base, "name": name}
            if hours and rng.random() < 0.75:
                tags["opening_hours"] = hours
            if rng.random() < 0.6:
                tags["wheelchair"] = rng.choice(("yes", "limited", "no"))
            if "leisure" not in base and rng.random() < 0.5:
                tags["phone"] = f"+49 201 {serial:07d}"
            if "leisure" not in base and rng.random() < 0.5:
                tags["website"] = f"https://example.org/musterstadt/ort-{serial}"
            if "railway" not in base and "leisure" not in base and rng.random() < 0.55:
                street = block_street[i, j]
                side = numbering[street][0]  # the block is on the odd side of that street
                side[:] = [side[0] + 2, None, 0]
                tags.update(_address(street, str(side[0] - 2), x, y)[1])
            _resource(osm, x, y, tags, building if index < n_building else "")
    crossings = rng.sample(sorted(xy), 8)
    for k, key in enumerate(crossings):
        x, y = xy[key]
        times = "Mo-Fr 17:45; Sa 12:00" if k % 2 else "Mo-Sa 09:30"
        tags = {"amenity": "post_box", "operator": "Deutsche Post", "collection_times": times}
        _resource(osm, x + 9.0, y + 7.0, tags)
    main = [(i, _MAIN_ROW, i + 1, _MAIN_ROW) for i in (1, 3, 5, 7)]
    main += [(_MAIN_COL, j, _MAIN_COL, j + 1) for j in (1, 3, 5)]
    for k, (i0, j0, i1, j1) in enumerate(main):
        (ax, ay), (bx, by) = xy[i0, j0], xy[i1, j1]
        sign = 7.0 if k % 2 else -7.0
        x, y = (ax + bx) / 2 + (sign if i0 == i1 else 0), (ay + by) / 2 + (sign if j0 == j1 else 0)
        tags = {"highway": "bus_stop", "public_transport": "platform", "name": _BUS_STOPS[k]}
        if k % 3 == 0:
            tags["shelter"] = "yes"
        _resource(osm, x, y, tags)


def _districts(osm: _Osm) -> None:
    """Three boundary relations that tile the whole rectangle."""
    mx, sy = _XS[_MAIN_COL], _YS[_MAIN_ROW]
    a, b, c = osm.node(0, HEIGHT_M), osm.node(mx, HEIGHT_M), osm.node(WIDTH_M, HEIGHT_M)
    d, e, f = osm.node(0, sy), osm.node(mx, sy), osm.node(WIDTH_M, sy)
    g, h = osm.node(0, 0), osm.node(WIDTH_M, 0)
    tags = {"boundary": "administrative", "admin_level": "10"}
    top_w, top_e, mid = osm.way([a, b], tags), osm.way([b, c], tags), osm.way([b, e], tags)
    split_w, split_e = osm.way([e, d], tags), osm.way([f, e], tags)
    west, east, south = osm.way([d, a], tags), osm.way([c, f], tags), osm.way([d, g, h, f], tags)
    members = {
        "Nord-West": [top_w, mid, split_w, west],
        "Nord-Ost": [top_e, east, split_e, mid],
        "Mühlenviertel": [split_w, south, split_e],
    }
    base = {"type": "boundary", **tags, "note": "Fiktives Demogebiet"}
    for rel_id, (name, refs) in enumerate(members.items(), start=1):
        osm.relations.append(
            (rel_id, refs, {**base, "name": name, "postal_code": _POSTCODES[name]})
        )


@functools.cache
def build_osm() -> _Osm:
    """The demo map's OSM objects (built once per process; the same on every run)."""
    rng = random.Random(SEED)
    osm = _Osm()
    xy, parts, block_street = _streets(osm, rng)
    numbering = _houses(osm, rng, xy, parts)
    _resources(osm, rng, xy, block_street, numbering)
    _districts(osm)
    return osm


def _attr(value: object) -> str:
    return '"' + escape(str(value), {'"': "&quot;", "\n": "&#10;", "\t": "&#9;"}) + '"'


def _tag_lines(tags: dict[str, str]) -> list[str]:
    return [f"    <tag k={_attr(k)} v={_attr(v)}/>" for k, v in tags.items()]


def demo_osm_xml() -> str:
    """Return the demo district as OSM XML 0.6 text (coordinates in EPSG:4326)."""
    osm = build_osm()
    meta = f'version="1" timestamp="{_TIMESTAMP}"'
    min_lon, min_lat, max_lon, max_lat = demo_bounds()
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<osm version="0.6" generator="sozialraum-demo">',
        "  <!-- Musterstadt-Nord: fiktives Demogebiet, alle Daten sind erfunden. -->",
        f'  <bounds minlat="{min_lat:.7f}" minlon="{min_lon:.7f}" '
        f'maxlat="{max_lat:.7f}" maxlon="{max_lon:.7f}"/>',
    ]
    for node_id, lon, lat, tags in osm.nodes:
        head = f'  <node id="{node_id}" {meta} lat="{lat:.7f}" lon="{lon:.7f}"'
        lines += [f"{head}>", *_tag_lines(tags), "  </node>"] if tags else [f"{head}/>"]
    for way_id, refs, tags in osm.ways:
        lines.append(f'  <way id="{way_id}" {meta}>')
        lines += [f'    <nd ref="{ref}"/>' for ref in refs]
        lines += [*_tag_lines(tags), "  </way>"]
    for rel_id, refs, tags in osm.relations:
        lines.append(f'  <relation id="{rel_id}" {meta}>')
        lines += [f'    <member type="way" ref="{ref}" role="outer"/>' for ref in refs]
        lines += [*_tag_lines(tags), "  </relation>"]
    lines.append("</osm>")
    return "\n".join(lines) + "\n"


def write_demo_osm(path: Path) -> Path:
    """Write the demo district as an OSM XML 0.6 file.

    The file is written atomically (a temporary file in the same folder, then
    ``os.replace``) and is byte-identical on every call. Coordinates are WGS 84
    degrees (EPSG:4326) with 7 decimals; the area is about 1.6 km × 1.2 km.

    Parameters
    ----------
    path : pathlib.Path
        Target file (``.osm``); missing parent folders are created.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = demo_osm_xml().encode("utf-8")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
