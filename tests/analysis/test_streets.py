"""Named streets at import: which ways count, the stored artifact, re-imports (real extracts)."""

from __future__ import annotations

import osmium
import pytest
import shapely
from support.paths import EXTRACTS

from sozialraum.analysis.streets import (
    STREETS_ARTIFACT,
    Streets,
    StreetsUnavailable,
    is_named_street,
    load_streets,
    read_streets,
    streets_from_lines,
)
from sozialraum.analysis.walking import walkable
from sozialraum.errors import NotFound, StorageError
from sozialraum.osm.importer import import_area
from sozialraum.store import GeoJSONStore

NEUSS = EXTRACTS["neuss-innenstadt"]
#: Real street names of the Neuss extract (checked with a pyosmium pass).
NEUSS_NAMES = ("Düsseldorfer Straße", "Gielenstraße", "Rheydter Straße", "Salzstraße")


def _way_counts(path) -> dict[str, int]:
    """Independent pass over the file: walkable highway ways by name/footway/platform."""
    counts = {"named": 0, "unnamed": 0, "unnamed_footway": 0, "named_platform": 0}
    names = set()
    processor = osmium.FileProcessor(str(path), osmium.osm.WAY).with_filter(
        osmium.filter.KeyFilter("highway")
    )
    for way in processor:
        if not walkable(way.tags):
            continue
        name = way.tags.get("name")
        if not name:
            counts["unnamed"] += 1
            counts["unnamed_footway"] += way.tags["highway"] == "footway"
        elif way.tags["highway"] == "platform":
            counts["named_platform"] += 1
        else:
            counts["named"] += 1
            names.add(name)
    return {**counts, "names": names}


@pytest.fixture(scope="module")
def neuss() -> Streets:
    return read_streets(NEUSS)


def test_neuss_has_its_real_street_names_and_only_named_ways(neuss):
    expected = _way_counts(NEUSS)
    names = set(neuss.names.tolist())
    assert set(NEUSS_NAMES) <= names
    assert names == expected["names"]
    # every named walkable way is one line (the extract keeps whole ways); the unnamed
    # ways (hundreds, many footways) and the named platform are not in it
    assert neuss.lines == expected["named"]
    assert expected["unnamed"] > 300 and expected["unnamed_footway"] > 100
    assert expected["named_platform"] >= 1
    assert 80 <= len(names) <= 100 and "" not in names
    assert neuss.segments > neuss.lines


def test_lengths_are_plausible_metres(neuss):
    lines = neuss.lines_m()
    lengths = shapely.length(lines)
    assert len(lines) == neuss.lines and (lengths > 0).all()
    by_name = {}
    for name, length in zip(neuss.line_names(), lengths, strict=True):
        by_name[name] = by_name.get(name, 0.0) + length
    # the inner city of Neuss: a few hundred metres to a few kilometres per street
    assert 300 < by_name["Salzstraße"] < 3000
    assert 20_000 < lengths.sum() < 60_000
    x, y = shapely.get_coordinates(lines).mean(axis=0)
    assert 330_000 < x < 350_000 and 5_670_000 < y < 5_690_000  # EPSG:25832 around Neuss


def _osm(path, ways: list[tuple[int, dict]]):
    """A small OSM file: a row of nodes and one two-node way per entry."""
    lines = ["<?xml version='1.0' encoding='UTF-8'?>", "<osm version='0.6'>"]
    for i in range(2 * len(ways)):
        lines.append(f"<node id='{i + 1}' lat='51.4' lon='{6.9 + i * 0.001:.3f}' version='1'/>")
    for k, (way_id, tags) in enumerate(ways):
        nds = f"<nd ref='{2 * k + 1}'/><nd ref='{2 * k + 2}'/>"
        tag_xml = "".join(f"<tag k='{key}' v='{value}'/>" for key, value in tags.items())
        lines.append(f"<way id='{way_id}' version='1'>{nds}{tag_xml}</way>")
    lines.append("</osm>")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_which_ways_are_streets(tmp_path):
    path = _osm(
        tmp_path / "ways.osm",
        [
            (1, {"highway": "residential", "name": "Lindenstraße"}),
            (2, {"highway": "residential"}),  # no name
            (3, {"highway": "footway"}),  # no name
            (4, {"highway": "footway", "name": "Kirchpfad"}),  # named footway counts
            (5, {"highway": "motorway", "name": "A 57"}),  # not walkable
            (6, {"highway": "residential", "name": "Privatweg", "access": "private"}),
            (7, {"highway": "platform", "name": "Neuss Hbf"}),
            (8, {"highway": "residential", "name": "  "}),
            (9, {"building": "yes", "name": "Haus"}),
            (10, {"highway": "pedestrian", "name": "Markt"}),
        ],
    )
    streets = read_streets(path)
    assert streets.names.tolist() == ["Kirchpfad", "Lindenstraße", "Markt"]
    assert streets.lines == 3
    assert is_named_street({"highway": "living_street", "name": "Am Anger"})
    assert not is_named_street({"highway": "living_street", "name": "X", "foot": "no"})


def test_artifact_round_trip_is_pickle_free_and_checks_damage(neuss):
    data = neuss.to_bytes()
    again = Streets.from_bytes(data)
    assert again.summary() == neuss.summary()
    assert again.names.tolist() == neuss.names.tolist()
    assert (again.lons == neuss.lons).all() and (again.offsets == neuss.offsets).all()
    assert b"pickle" not in data and len(data) < 200_000
    with pytest.raises(StorageError, match="re-import"):
        Streets.from_bytes(data[: len(data) // 2])
    with pytest.raises(StorageError):
        Streets.from_bytes(b"not a zip file")


def test_lines_are_split_where_a_node_has_no_location_and_short_ones_dropped():
    streets = streets_from_lines(
        [
            ("Weg", [(6.9, 51.4), (6.9, 51.4)]),  # one point twice: dropped
            ("Weg", [(6.9, 51.4), (6.901, 51.4), (6.902, 51.4)]),
            (" Gasse ", [(6.9, 51.41), (6.9, 51.411)]),
        ]
    )
    assert streets.names.tolist() == ["Gasse", "Weg"]
    assert streets.lines == 2 and streets.segments == 3
    empty = streets_from_lines([])
    assert empty.lines == 0 and empty.summary() == {"streets": 0, "lines": 0, "segments": 0}
    assert len(empty.lines_m()) == 0
    assert Streets.from_bytes(empty.to_bytes()).lines == 0


def test_import_stores_streets_and_meta_and_reimport_without_ways_removes_them(tmp_path, neuss):
    store = GeoJSONStore(tmp_path / "data")
    import_area(store, "neuss", osm_file=NEUSS)
    stored = load_streets(store, "neuss")
    assert stored.summary() == neuss.summary() == store.read_meta("neuss")["streets"]
    assert (stored.lons == neuss.lons).all()

    nowalk = _osm(tmp_path / "nowalk.osm", [(9, {"highway": "motorway", "name": "A 57"})])
    text = nowalk.read_text(encoding="utf-8").replace(
        "</osm>",
        "<node id='99' lat='51.4' lon='6.9' version='1'><tag k='amenity' v='pharmacy'/></node>"
        "\n</osm>",
    )
    nowalk.write_text(text, encoding="utf-8")  # a pharmacy: something to import
    import_area(store, "neuss", osm_file=nowalk)
    assert "no walkable ways" in store.read_meta("neuss")["streets"]["error"]
    assert store.artifact_revision("neuss", STREETS_ARTIFACT) == "0"
    with pytest.raises(StreetsUnavailable, match="import it again"):
        load_streets(store, "neuss")
    with pytest.raises(NotFound):
        load_streets(store, "gibtsnicht")
