"""District profiles: figures checked against independent computations, on real data and demo."""

from __future__ import annotations

import csv
import io

import pytest
from support.paths import SHARED_OSM

from sozialraum.analysis.nearby import project
from sozialraum.analysis.profile import (
    POST_BOX_MAX_M,
    TOTAL_ID,
    district_profile,
    far_from,
    profile_table,
)
from sozialraum.analysis.reachability import load_network
from sozialraum.analysis.walking import SLOW_SPEED_KMH, nearest_by_category
from sozialraum.model.categories import load_categories
from sozialraum.osm.importer import import_area
from sozialraum.services import areas as services
from sozialraum.services.exports import profile_csv
from sozialraum.store import GeoJSONStore

TABLE = load_categories()
KARLSRUHE = SHARED_OSM / "karlsruhe-neureut-kirchfeld.osm"


@pytest.fixture(scope="module")
def karlsruhe(tmp_path_factory):
    store = GeoJSONStore(tmp_path_factory.mktemp("profile"))
    import_area(store, "ka", osm_file=KARLSRUHE)
    return store


def _independent(store, area, speed_kmh, post_box_max_m):
    """Shares and post-box counts from nearest_by_category, without the profile code."""
    addresses = store.query(area, "addresses")
    network = load_network(store, area)
    _, snap_m = network.snap_xy(
        *project(
            [a["geometry"]["coordinates"][0] for a in addresses],
            [a["geometry"]["coordinates"][1] for a in addresses],
        )
    )
    result = nearest_by_category(
        network,
        addresses,
        store.query(area, "resources"),
        ["pharmacy", "post_office", "doctor", "kita", "post_box"],
        speed_kmh=speed_kmh,
    )
    per_district = {}
    for k, feature in enumerate(addresses):
        district = feature["properties"]["district"]
        for key in (district, TOTAL_ID):
            bucket = per_district.setdefault(key, {"n": 0, "within": {}, "far": 0, "cut": 0})
            bucket["n"] += 1
            cut_off = snap_m[k] > 250
            bucket["cut"] += cut_off
            found = result[feature["id"]]
            for category in ("pharmacy", "post_office", "doctor", "kita"):
                entry = found[category]
                ok = entry is not None and entry["distance_m"] <= 10 * speed_kmh * 1000 / 60 + 0.5
                bucket["within"][category] = bucket["within"].get(category, 0) + ok
            box = found["post_box"]
            if not cut_off:  # distances are rounded to metres: near the limit is ambiguous
                bucket["far"] += box is None or box["distance_m"] > post_box_max_m + 0.5
                near = box is not None and abs(box["distance_m"] - post_box_max_m) <= 0.5
                bucket["near"] = bucket.get("near", 0) + near
    return per_district


@pytest.mark.parametrize(
    ("speed_kmh", "post_box_max_m"), [(4.5, POST_BOX_MAX_M), (4.5, 300), (SLOW_SPEED_KMH, 300)]
)
def test_profile_matches_an_independent_computation(karlsruhe, speed_kmh, post_box_max_m):
    rows = district_profile(
        karlsruhe.query("ka", "districts"),
        karlsruhe.query("ka", "addresses"),
        karlsruhe.query("ka", "resources"),
        services.reachability(karlsruhe, "ka", TABLE),
        TABLE,
        speed_kmh=speed_kmh,
        post_box_max_m=post_box_max_m,
    )
    expected = _independent(karlsruhe, "ka", speed_kmh, post_box_max_m)
    assert rows[-1]["id"] == TOTAL_ID
    assert rows[-1]["addresses"] == karlsruhe.read_meta("ka")["addresses"] > 1500
    assert sum(r["addresses"] for r in rows[:-1]) <= rows[-1]["addresses"]
    for row in rows:
        bucket = expected.get(row["id"], {"n": 0, "within": {}, "far": 0, "cut": 0})
        assert row["addresses"] == bucket["n"]
        assert row["cut_off"] == bucket["cut"]
        for category, share in row["within"].items():
            if bucket["n"]:
                assert share == pytest.approx(bucket["within"][category] / bucket["n"], abs=2e-3)
        near = bucket.get("near", 0)
        assert bucket["far"] <= row["far_from_post_box"] <= bucket["far"] + near
    assert expected[TOTAL_ID]["cut"] > 0  # addresses away from the network are exercised
    if post_box_max_m < POST_BOX_MAX_M:
        assert expected[TOTAL_ID]["far"] > 0


def test_counts_and_per_1000_addresses(karlsruhe):
    rows = services.area_profile(karlsruhe, "ka", TABLE)
    summaries = {d["id"]: d for d in services.district_summaries(karlsruhe, "ka", TABLE)}
    total = rows[-1]
    # the whole area's counts are those of the import (SOURCES.md: 1 pharmacy, 6 kindergartens)
    assert total["counts"]["pharmacy"] == 1
    assert total["counts"] == services.live_counts(karlsruhe, "ka", TABLE)["counts"]
    for row in rows[:-1]:
        assert row["counts"] == summaries[row["id"]]["counts"]
        for category, count in row["counts"].items():
            if row["addresses"]:
                assert row["per_1000"][category] == round(count * 1000 / row["addresses"], 2)


def test_slow_profile_never_reaches_more(karlsruhe):
    normal = services.area_profile(karlsruhe, "ka", TABLE)
    slow = services.area_profile(karlsruhe, "ka", TABLE, speed=SLOW_SPEED_KMH)
    for fast_row, slow_row in zip(normal, slow, strict=True):
        for category, share in fast_row["within"].items():
            assert slow_row["within"][category] <= share
    assert slow[-1]["within"]["kita"] < normal[-1]["within"]["kita"]


def test_far_from_lists_exactly_the_far_addresses(demo_store, demo_area):
    layer = services.reachability(demo_store, demo_area, TABLE)
    addresses = demo_store.query(demo_area, "addresses")
    far = far_from(addresses, layer, "post_box", 400)
    column = layer.column("post_box")
    expected = {a["id"] for a in addresses if layer.distance_m[layer.row(a["id"]), column] >= 400}
    assert {f["id"] for f, _ in far} == expected and 0 < len(expected) < len(addresses)
    assert all(d >= 400 for _, d in far)


def test_district_without_addresses_has_no_shares(demo_store, demo_area):
    layer = services.reachability(demo_store, demo_area, TABLE)
    empty = {
        "type": "Feature",
        "id": "leer",
        "geometry": None,
        "properties": {"name": "Leerer Bezirk"},
    }
    rows = district_profile(
        [empty],
        demo_store.query(demo_area, "addresses"),
        demo_store.query(demo_area, "resources"),
        layer,
        TABLE,
    )
    assert rows[0]["addresses"] == 0
    assert all(v is None for v in rows[0]["per_1000"].values())
    assert all(v is None for v in rows[0]["within"].values())
    assert rows[0]["far_from_post_box"] == 0


def test_csv_is_for_german_spreadsheets_and_safe(demo_store, demo_area):
    services.assign_team(demo_store, demo_area, "r1", '=HYPERLINK("x")', actor="test")
    rows = services.area_profile(demo_store, demo_area, TABLE)
    text = profile_csv(rows, TABLE)
    assert text.startswith("\ufeff")
    parsed = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    header, body = profile_table(rows, TABLE)
    assert parsed[0] == header
    assert len(parsed) == len(body) + 1
    by_name = {line[0]: line for line in parsed[1:]}
    team_column = header.index("Team")
    assert by_name["Nord-West"][team_column] == '\'=HYPERLINK("x")'
    share_column = next(i for i, h in enumerate(header) if "Apotheke (%)" in h)
    for line, row in zip(parsed[1:], body, strict=True):
        assert line[2] == str(row[2])  # addresses
        value = row[share_column]
        assert float(line[share_column].replace(",", ".")) == pytest.approx(value)
    assert any("," in line[share_column] for line in parsed[1:])  # decimal comma
