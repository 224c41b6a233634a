"""Import of the real OSM extracts in ../shared/osm: counts equal SOURCES.md."""

from __future__ import annotations

import bz2
import json
import shutil

import numpy as np
import osmium
import pytest
from support.paths import EXTRACTS, SHARED_OSM

from sozialraum.errors import InvalidInput, OsmImportError
from sozialraum.osm.importer import import_area, parse_bbox

# SOURCES.md counts mapped to our categories. post_office = amenity=post_office plus
# post_office=* partner shops; kita = kindergarten plus childcare (Aplerbeck and
# Karlsruhe have one amenity=childcare each, not in SOURCES.md's table).
EXPECTED = {
    "dortmund-aplerbeck": dict(
        bakery=2,
        pharmacy=1,
        place_of_worship=2,
        post_box=0,
        hairdresser=3,
        post_office=0,
        doctor=1,
        school=0,
        kita=0 + 1,
        social_facility=1,
    ),
    "neuss-innenstadt": dict(
        bakery=5,
        pharmacy=1,
        place_of_worship=2,
        post_box=5,
        hairdresser=10,
        post_office=1 + 3,
        doctor=1,
        school=5,
        kita=4,
        social_facility=4,
    ),
    "karlsruhe-neureut-kirchfeld": dict(
        bakery=1,
        pharmacy=1,
        place_of_worship=2,
        post_box=5,
        hairdresser=1,
        post_office=2 + 0,
        doctor=2,
        school=5,
        kita=6 + 1,
        social_facility=6,
    ),
    "dreieich-dreieichenhain": dict(
        bakery=3,
        pharmacy=2,
        place_of_worship=1,
        post_box=8,
        hairdresser=2,
        post_office=0,
        doctor=2,
        school=1,
        kita=4,
        social_facility=1,
    ),
}
# SOURCES.md "address points" (objects with addr:housenumber) and how many lack addr:street.
ADDRESS_POINTS = {
    "dortmund-aplerbeck": 97,
    "neuss-innenstadt": 1454,
    "karlsruhe-neureut-kirchfeld": 1565,
    "dreieich-dreieichenhain": 915,
}
WITHOUT_STREET = {"karlsruhe-neureut-kirchfeld": {"w1056411960", "w1222847591"}}
PBF_OF = {
    "dortmund-aplerbeck": "aplerbeck.osm.pbf",
    "neuss-innenstadt": "neuss-s11.osm.pbf",
    "karlsruhe-neureut-kirchfeld": "karlsruhe-kirchfeld.osm.pbf",
    "dreieich-dreieichenhain": "dreieich.osm.gz",
}


def _address_objects(path) -> set[str]:
    """Independent pass: ids of all objects with addr:street and addr:housenumber."""
    ids = set()
    for obj in osmium.FileProcessor(str(path)).with_filter(
        osmium.filter.KeyFilter("addr:housenumber")
    ):
        if obj.tags.get("addr:street") and obj.tags.get("addr:housenumber"):
            ids.add(f"{obj.type_str()}{obj.id}")
    return ids


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    from sozialraum.store import GeoJSONStore

    store = GeoJSONStore(tmp_path_factory.mktemp("extracts"))
    for name, path in EXTRACTS.items():
        import_area(store, name, osm_file=path)
    return store


@pytest.mark.parametrize("name", list(EXTRACTS))
def test_counts_per_category_equal_sources(imported, name):
    counts = imported.read_meta(name)["counts"]
    for category, expected in EXPECTED[name].items():
        assert counts[category] == expected, category
    resources = imported.query(name, "resources")
    for category, expected in EXPECTED[name].items():
        assert sum(category in f["properties"]["categories"] for f in resources) == expected


@pytest.mark.parametrize("name", list(EXTRACTS))
def test_every_address_object_appears_exactly_once(imported, name):
    addresses = imported.query(name, "addresses")
    ids = [f["id"] for f in addresses]
    assert len(ids) == len(set(ids))
    missing_street = WITHOUT_STREET.get(name, set())
    assert len(ids) == ADDRESS_POINTS[name] - len(missing_street)
    assert set(ids) == _address_objects(EXTRACTS[name])
    assert not missing_street & set(ids)
    assert imported.read_meta(name)["addresses"] == len(ids)


def test_relation_address_is_placed_inside_its_building(imported):
    feature = imported.get("karlsruhe-neureut-kirchfeld", "addresses", "r3229490")
    props = feature["properties"]
    assert (props["street"], props["housenumber"]) == ("Moldaustraße", "16")
    assert props["osm_type"] == "relation"
    lon, lat = feature["geometry"]["coordinates"]
    assert 8.36 < lon < 8.52 and 49.01 < lat < 49.17


def test_post_partner_shops_are_post_offices(imported):
    partners = [
        f
        for f in imported.query("neuss-innenstadt", "resources")
        if f["properties"].get("post_office") == "post_partner"
    ]
    assert len(partners) == 3
    assert all("post_office" in f["properties"]["categories"] for f in partners)


def test_supermarket_that_is_post_partner_counts_in_both(demo_store, demo_area):
    both = [
        f
        for f in demo_store.query(demo_area, "resources")
        if {"supermarket", "post_office"} <= set(f["properties"]["categories"])
    ]
    assert len(both) == 1
    counts = demo_store.read_meta(demo_area)["counts"]
    assert counts["supermarket"] == len(
        demo_store.query(demo_area, "resources", category="supermarket")
    )


def test_resource_properties_keep_osm_details(imported):
    pharmacy = imported.query("neuss-innenstadt", "resources", category="pharmacy")[0]
    props = pharmacy["properties"]
    assert props["osm_type"] in ("node", "way", "relation") and isinstance(props["osm_id"], int)
    assert props["name"]
    assert pharmacy["id"] == props["osm_type"][0] + str(props["osm_id"])


@pytest.mark.parametrize("name", list(EXTRACTS))
def test_pbf_and_gzip_originals_give_the_same_result_as_xml(imported, store, name):
    import_area(store, "orig", osm_file=SHARED_OSM / "orig" / PBF_OF[name])
    for layer in ("resources", "addresses"):
        xml = {f["id"]: (f["geometry"], f["properties"]) for f in imported.query(name, layer)}
        orig = {f["id"]: (f["geometry"], f["properties"]) for f in store.query("orig", layer)}
        assert xml.keys() == orig.keys()
        for fid in xml:
            assert xml[fid][1] == {
                **orig[fid][1],
                "version": xml[fid][1]["version"],
                "updated_at": xml[fid][1]["updated_at"],
            }
            assert xml[fid][0] == orig[fid][0]


def test_bz2_file_is_read(store, tmp_path):
    target = tmp_path / "aplerbeck.osm.bz2"
    target.write_bytes(bz2.compress(EXTRACTS["dortmund-aplerbeck"].read_bytes()))
    report = import_area(store, "bz", osm_file=target)
    assert report.addresses == 97


def test_bbox_clip_keeps_only_objects_inside(store):
    bbox = (6.672, 51.19, 6.698, 51.21)
    report = import_area(store, "neuss", osm_file=EXTRACTS["neuss-innenstadt"], bbox=bbox)
    assert 0 < report.addresses < 1454
    for layer in ("resources", "addresses"):
        for feature in store.query("neuss", layer):
            lon, lat = feature["geometry"]["coordinates"]
            assert bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]
    meta = store.read_meta("neuss")
    assert meta["bbox"] == list(bbox)
    # one district = the clip area when the data has no complete boundaries
    (district,) = store.query("neuss", "districts")
    assert district["properties"]["source"] == "area"
    assert {f["properties"]["district"] for f in store.query("neuss", "addresses")} == {
        district["id"]
    }


def test_clip_file_polygon(store, tmp_path):
    clip = tmp_path / "clip.geojson"
    polygon = [[6.68, 51.195], [6.69, 51.195], [6.69, 51.205], [6.68, 51.205], [6.68, 51.195]]
    clip.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": "Kern"},
                        "geometry": {"type": "Polygon", "coordinates": [polygon]},
                    }
                ],
            }
        )
    )
    report = import_area(store, "kern", osm_file=EXTRACTS["neuss-innenstadt"], clip_file=clip)
    assert 0 < report.addresses < 1454


def test_districts_from_file_assign_every_point(store, tmp_path):
    west = [[6.60, 51.10], [6.685, 51.10], [6.685, 51.25], [6.60, 51.25], [6.60, 51.10]]
    east = [[6.685, 51.10], [6.75, 51.10], [6.75, 51.25], [6.685, 51.25], [6.685, 51.10]]
    path = tmp_path / "bezirke.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": "West"},
                        "geometry": {"type": "Polygon", "coordinates": [west]},
                    },
                    {
                        "type": "Feature",
                        "properties": {"name": "Ost"},
                        "geometry": {"type": "Polygon", "coordinates": [east]},
                    },
                ],
            }
        )
    )
    import_area(
        store,
        "neuss",
        osm_file=EXTRACTS["neuss-innenstadt"],
        bbox=(6.672, 51.19, 6.698, 51.21),
        districts_file=path,
    )
    districts = {f["id"]: f["properties"]["name"] for f in store.query("neuss", "districts")}
    assert districts == {"west": "West", "ost": "Ost"}
    for feature in store.query("neuss", "addresses"):
        lon = feature["geometry"]["coordinates"][0]
        assert feature["properties"]["district"] == ("west" if lon < 6.685 else "ost")


def test_real_duisburg_boundary_file_as_districts(store):
    """A GeometryCollection file (codeforduisburg) is read; its name comes from the file."""
    path = SHARED_OSM / "boundaries" / "duisburg-stadtteile" / "501_altstadt.json"
    import_area(store, "x", osm_file=EXTRACTS["dortmund-aplerbeck"], districts_file=path)
    (district,) = store.query("x", "districts")
    assert district["properties"]["name"] == "501_altstadt"
    assert district["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_demo_boundaries_become_districts(demo_store, demo_area):
    districts = demo_store.query(demo_area, "districts")
    assert sorted(f["properties"]["name"] for f in districts) == [
        "Mühlenviertel",
        "Nord-Ost",
        "Nord-West",
    ]
    assert all(f["properties"]["source"] == "osm" for f in districts)
    addresses = demo_store.query(demo_area, "addresses")
    assert all(f["properties"]["district"] for f in addresses)


def test_reimport_keeps_notes_updates_by_osm_id_and_flags_vanished_links(store, tmp_path):
    source = EXTRACTS["dortmund-aplerbeck"]
    import_area(store, "apl", osm_file=source)
    bakery = store.query("apl", "resources", category="bakery")[0]
    address = store.query("apl", "addresses")[0]
    note = {
        "type": "Feature",
        "geometry": bakery["geometry"],
        "properties": {
            "category": "ressource",
            "text": "Backt für das Stadtteilfest",
            "observed_on": "2026-10-01",
            "osm_ref": bakery["id"],
        },
    }
    note2 = {
        "type": "Feature",
        "geometry": address["geometry"],
        "properties": {
            "category": "briefkasten",
            "text": "Briefkasten ohne Namen",
            "observed_on": "2026-10-01",
            "address_key": address["properties"]["key"],
        },
    }
    kept = [store.add("apl", "notes", note, actor="t"), store.add("apl", "notes", note2, actor="t")]
    notes_before = (store.data_dir / "apl" / "notes.geojson").read_bytes()

    # the same file again: nothing changes
    report = import_area(store, "apl", osm_file=source)
    assert report.changes["resources"]["unchanged"] == report.resources
    assert report.changes["addresses"]["updated"] == 0 and not report.orphaned_notes

    # an edited extract: the bakery vanished, the address' name changed
    text = source.read_text(encoding="utf-8")
    osm_id = str(bakery["properties"]["osm_id"])
    edited = tmp_path / "edited.osm"
    kind = bakery["properties"]["osm_type"]
    start = text.index(f'<{kind} id="{osm_id}"')
    end = text.index(f"</{kind}>", start) + len(f"</{kind}>")
    edited.write_text(text[:start] + text[end:], encoding="utf-8")
    report = import_area(store, "apl", osm_file=edited)
    assert bakery["id"] not in {f["id"] for f in store.query("apl", "resources")}
    assert report.changes["resources"]["removed"] >= 1
    assert (store.data_dir / "apl" / "notes.geojson").read_bytes() == notes_before
    assert [f["id"] for f in store.query("apl", "notes")] == [k["id"] for k in kept]
    flagged = store.read_meta("apl")["orphaned_notes"]
    assert {"note": kept[0]["id"], "osm_ref": bakery["id"]} in flagged
    assert all(entry["note"] != kept[1]["id"] for entry in flagged)
    assert store.verify_audit("apl").ok


def test_reimport_bumps_version_of_changed_objects_only(store, tmp_path):
    source = EXTRACTS["dortmund-aplerbeck"]
    import_area(store, "apl", osm_file=source)
    pharmacy = store.query("apl", "resources", category="pharmacy")[0]
    text = source.read_text(encoding="utf-8")
    name = pharmacy["properties"]["name"]
    edited = tmp_path / "renamed.osm"
    edited.write_text(text.replace(f'v="{name}"', 'v="Neue Apotheke"', 1), encoding="utf-8")
    report = import_area(store, "apl", osm_file=edited)
    after = store.get("apl", "resources", pharmacy["id"])
    assert after["properties"]["name"] == "Neue Apotheke"
    assert after["properties"]["version"] == pharmacy["properties"]["version"] + 1
    assert report.changes["resources"]["updated"] == 1


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "fehlt.osm", "not found"),
        (lambda d: _write(d / "daten.csv", "a;b"), "unsupported file format"),
        (lambda d: _write(d / "kaputt.osm", "<osm><node id="), "cannot read"),
        (
            lambda d: _write(d / "leer.osm", '<osm version="0.6"></osm>'),
            "no resources or addresses",
        ),
    ],
)
def test_clear_errors_for_bad_files(store, tmp_path, make, message):
    with pytest.raises(OsmImportError, match=message):
        import_area(store, "x", osm_file=make(tmp_path))
    assert "x" not in store.areas()


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_empty_result_after_clip_is_an_error(store):
    with pytest.raises(OsmImportError, match="inside the clip area"):
        import_area(
            store, "x", osm_file=EXTRACTS["dortmund-aplerbeck"], bbox=(10.0, 50.0, 10.1, 50.1)
        )


def test_invalid_clip_polygon_is_refused_with_reason(store, tmp_path):
    bowtie = [[6.68, 51.19], [6.69, 51.20], [6.69, 51.19], [6.68, 51.20], [6.68, 51.19]]
    path = _write(
        tmp_path / "clip.geojson", json.dumps({"type": "Polygon", "coordinates": [bowtie]})
    )
    with pytest.raises(OsmImportError, match="invalid polygon.*Self-intersection"):
        import_area(store, "x", osm_file=EXTRACTS["neuss-innenstadt"], clip_file=path)


@pytest.mark.parametrize(
    "content",
    ["nicht json", json.dumps({"type": "Point", "coordinates": [1, 2]}), json.dumps([1, 2])],
)
def test_clip_file_that_is_not_a_polygon(store, tmp_path, content):
    path = _write(tmp_path / "clip.geojson", content)
    with pytest.raises(OsmImportError, match="clip file"):
        import_area(store, "x", osm_file=EXTRACTS["dortmund-aplerbeck"], clip_file=path)


def test_windows_1252_clip_file_is_refused(store, tmp_path):
    path = tmp_path / "clip.geojson"
    path.write_bytes('{"type": "Polygon", "name": "Mülheim"}'.encode("cp1252"))
    with pytest.raises(OsmImportError, match="not UTF-8"):
        import_area(store, "x", osm_file=EXTRACTS["dortmund-aplerbeck"], clip_file=path)


@pytest.mark.parametrize("text", ["1,2,3", "a,b,c,d", "7,51,6,52", "7,51,8,95"])
def test_bad_bbox(text):
    with pytest.raises(InvalidInput):
        parse_bbox(text)


def test_bad_area_name(store):
    with pytest.raises(InvalidInput, match="area name"):
        import_area(store, "../etc", osm_file=EXTRACTS["dortmund-aplerbeck"])


def test_pbf_copy_with_other_suffix_is_refused(store, tmp_path):
    target = tmp_path / "aplerbeck.bin"
    shutil.copy(SHARED_OSM / "orig" / "aplerbeck.osm.pbf", target)
    with pytest.raises(OsmImportError, match="unsupported"):
        import_area(store, "x", osm_file=target)


def test_district_that_rounding_would_break_is_repaired():
    from shapely.geometry import Polygon, shape

    from sozialraum.osm.districts import geometry_to_geojson

    # a sliver narrower than 1e-6 degrees collapses when rounded to 6 decimals
    sliver = Polygon(
        [
            (7.0, 51.0),
            (7.01, 51.0),
            (7.01, 51.0000001),
            (7.005, 51.00000004),
            (7.0, 51.0000001),
            (7.0, 51.0),
        ]
    ).union(Polygon([(7.0, 51.001), (7.01, 51.001), (7.01, 51.01), (7.0, 51.01), (7.0, 51.001)]))
    result = shape(geometry_to_geojson(sliver))
    assert result.is_valid and not result.is_empty


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "give a source"),
        ({"osm_file": "x.osm", "place": "Neuss"}, "not both"),
        ({"place": "Neuss", "bbox": (6.6, 51.1, 6.7, 51.2)}, "not both"),
    ],
)
def test_source_arguments_are_checked(store, kwargs, message):
    with pytest.raises(InvalidInput, match=message):
        import_area(store, "x", **kwargs)


def test_custom_category_on_ways_is_found(store, tmp_path):
    """A municipality's rule on a key that is pre-filtered for ways (highway) still works."""
    from sozialraum.demo.area import DEMO_OSM_FILE
    from sozialraum.model.categories import load_categories
    from sozialraum.osm._reader import way_keys

    path = tmp_path / "categories.toml"
    path.write_text(
        '[[category]]\nid = "spielstrasse"\nlabel = "Spielstraße"\ncolour = "#00aa00"\n'
        'icon = "child"\nmatch = ["highway=living_street"]\n',
        encoding="utf-8",
    )
    table = load_categories(path)
    assert "highway" in way_keys(table)
    assert "highway" not in way_keys(load_categories())
    report = import_area(store, "demo", osm_file=DEMO_OSM_FILE, categories=table)
    assert report.counts["spielstrasse"] == 4  # Im Winkel, Sperlingsgasse, Zum Kirchplatz, Am Anger


# -- heavy district files (issue 26, finding 11) ----------------------------------------------
def wiggly_districts(border_vertices: int, west=6.66, border=6.685, east=6.71) -> dict:
    """Two adjacent districts whose shared border is a line of ``border_vertices`` points,
    wiggling by 0.15 m, as a traced boundary with far too many vertices (fictional)."""
    south, north = 51.18, 51.22
    lats = np.linspace(south, north, border_vertices)
    lons = border + 2e-6 * np.sin(np.arange(border_vertices))
    line = [[float(x), float(y)] for x, y in zip(lons, lats, strict=True)]
    west_ring = [[west, south], *line, [west, north], [west, south]]
    east_ring = [[east, south], [east, north], *line[::-1], [east, south]]
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"name": name},
             "geometry": {"type": "Polygon", "coordinates": [ring]}}
            for name, ring in (("West", west_ring), ("Ost", east_ring))
        ],
    }  # fmt: skip


def test_a_district_file_over_the_vertex_cap_is_refused_before_any_work(runner, tmp_path):
    from sozialraum.cli import main
    from sozialraum.osm.districts import MAX_POLYGON_VERTICES

    path = tmp_path / "schwer.geojson"
    path.write_text(json.dumps(wiggly_districts(MAX_POLYGON_VERTICES // 2 + 10)))
    data = tmp_path / "daten"
    result = runner.invoke(
        main,
        ["import", "--quiet", "--area", "neuss", "--osm-file", str(EXTRACTS["neuss-innenstadt"]),
         "--districts", str(path), "--data-dir", str(data)],
    )  # fmt: skip
    assert result.exit_code == 1
    assert (
        f"districts file schwer.geojson has {2 * (MAX_POLYGON_VERTICES // 2 + 10) + 6:,} "
        f"vertices; at most {MAX_POLYGON_VERTICES:,} are accepted: simplify it first"
    ) in result.output
    assert not (data / "neuss").exists()


def test_heavy_adjacent_districts_are_simplified_and_keep_their_shared_border(runner, tmp_path):
    from shapely.geometry import shape

    from sozialraum.cli import main
    from sozialraum.store import GeoJSONStore

    path = tmp_path / "bezirke.geojson"
    path.write_text(json.dumps(wiggly_districts(40_000)))
    data = tmp_path / "daten"
    result = runner.invoke(
        main,
        ["import", "--quiet", "--area", "neuss", "--osm-file", str(EXTRACTS["neuss-innenstadt"]),
         "--bbox", "6.672,51.19,6.698,51.21", "--districts", str(path), "--data-dir", str(data)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (
        "districts simplified with a tolerance of 1 m, shared borders kept (coverage_simplify): "
        "80,006 -> "
    ) in result.output
    store = GeoJSONStore(data)
    stored = {f["id"]: shape(f["geometry"]) for f in store.query("neuss", "districts")}
    west, east = stored["west"], stored["ost"]
    assert len(west.exterior.coords) + len(east.exterior.coords) < 80_006 // 100
    # no gap and no overlap: the two still share one border along its whole length
    assert west.intersection(east).area == 0
    assert west.intersection(east).length == pytest.approx(0.04, rel=1e-3)
    assert west.union(east).area == pytest.approx((6.71 - 6.66) * 0.04, rel=1e-6)
    for feature in store.query("neuss", "addresses"):
        lon = feature["geometry"]["coordinates"][0]
        assert feature["properties"]["district"] == ("west" if lon < 6.685 else "ost")


def test_simplification_of_districts_that_overlap_is_per_polygon():
    from shapely.geometry import Point

    from sozialraum.osm.districts import District, simplify_districts

    circles = [
        District("a", "A", "file", Point(6.68, 51.2).buffer(0.01, quad_segs=4000)),
        District("b", "B", "file", Point(6.69, 51.2).buffer(0.01, quad_segs=4000)),
    ]
    simplified, report = simplify_districts(circles)
    assert report.method == "per polygon" and report.tolerance_m == 1.0
    assert report.vertices_before == 2 * 16_001 and report.vertices_after < report.vertices_before
    for before, after in zip(circles, simplified, strict=True):
        assert after.geometry.is_valid
        assert (
            after.geometry.symmetric_difference(before.geometry).area < 1e-3 * before.geometry.area
        )


# the OSM data's own date (SOURCES.md "Data date"): the XML copies have no header time, so
# the newest object's timestamp; the PBF originals carry the replication time in the header
NEWEST_OBJECT_DAY = {
    "dortmund-aplerbeck": "2026-07-14",
    "neuss-innenstadt": "2026-03-28",
    "karlsruhe-neureut-kirchfeld": "2026-02-13",
    "dreieich-dreieichenhain": "2022-10-16",
}


@pytest.mark.parametrize("name", list(EXTRACTS))
def test_osm_data_date_is_the_newest_object_not_the_import_day(imported, name):
    meta = imported.read_meta(name)
    osm = meta["osm_data"]
    assert osm["source"] == "newest_object"
    assert osm["date"] == osm["newest_object"]
    assert osm["date"][:10] == NEWEST_OBJECT_DAY[name]
    assert osm["date"].endswith("+00:00")
    assert osm["date"][:10] != meta["imported_at"][:10]


@pytest.mark.parametrize(
    ("file", "replication", "newest_day"),
    [
        ("aplerbeck.osm.pbf", "2026-07-14T15:23:33+00:00", "2026-07-14"),
        ("karlsruhe-kirchfeld.osm.pbf", "2026-02-13T16:14:43+00:00", "2026-02-13"),
        ("neuss-s11.osm.pbf", None, "2026-03-28"),  # no replication time in its header
    ],
)
def test_osm_data_date_from_the_pbf_header(store, file, replication, newest_day):
    import_area(store, "orig", osm_file=SHARED_OSM / "orig" / file)
    osm = store.read_meta("orig")["osm_data"]
    assert osm["newest_object"][:10] == newest_day
    if replication:
        assert osm == {
            "date": replication,
            "source": "header",
            "newest_object": osm["newest_object"],
        }
        assert osm["newest_object"] <= replication
    else:
        assert osm["source"] == "newest_object" and osm["date"] == osm["newest_object"]


def test_osm_data_date_unknown_without_metadata(store, tmp_path):
    # a fictional file without timestamps (as written by tools that drop metadata)
    target = tmp_path / "ohne-zeit.osm"
    target.write_text(
        "<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6' generator='test'>\n"
        "<node id='1' version='1' lat='51.2' lon='6.69'>"
        "<tag k='amenity' v='pharmacy'/><tag k='name' v='Apotheke am Markt'/>"
        "<tag k='addr:street' v='Marktweg'/><tag k='addr:housenumber' v='4'/></node>\n"
        "</osm>\n",
        encoding="utf-8",
    )
    import_area(store, "ohne-zeit", osm_file=target)
    assert store.read_meta("ohne-zeit")["osm_data"] == {
        "date": None,
        "source": None,
        "newest_object": None,
    }
