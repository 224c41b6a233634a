"""Re-import keeps what teams built: districts, team assignments, notes in valid districts.

On the real Dreieich-Dreieichenhain extract (../shared/osm); the district files are written
here (fictional districts, shaped like a municipal GeoJSON export).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from support.paths import SHARED_OSM

from sozialraum.cli import main
from sozialraum.osm.districts import District, compare_districts
from sozialraum.store import GeoJSONStore

DREIEICH = SHARED_OSM / "dreieich-dreieichenhain.osm"
BBOX = "8.7006,49.9935,8.7256,50.0099"
SPLIT_LON, SPLIT_LAT = 8.713, 50.0


def _rect(west, south, east, north):
    return [[[west, south], [east, south], [east, north], [west, north], [west, south]]]


def _districts_file(path, named: dict) -> str:
    """A FeatureCollection as a GIS export writes it: name plus other columns."""
    features = [
        {
            "type": "Feature",
            "properties": {"name": name, "flaeche_ha": 42, "stand": "2026-09"},
            "geometry": {"type": "Polygon", "coordinates": ring},
        }
        for name, ring in named.items()
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return str(path)


WEST = _rect(8.70, 49.99, SPLIT_LON, 50.011)
EAST = _rect(SPLIT_LON, 49.99, 8.727, 50.011)
# the second version: the west renamed, the east cut to its north part
NORTH_EAST = _rect(SPLIT_LON, SPLIT_LAT, 8.727, 50.011)


def _run(runner, data, *args):
    return runner.invoke(
        main,
        ["import", "--quiet", "--area", "dreieich", "--osm-file", str(DREIEICH),
         "--bbox", BBOX, "--data-dir", str(data), *args],
    )  # fmt: skip


def _address(store, keep):
    for feature in store.query("dreieich", "addresses"):
        lon, lat = feature["geometry"]["coordinates"]
        if keep(lon, lat):
            return feature
    raise AssertionError("no address found for the test")


def _note(store, address, team):
    return store.add(
        "dreieich",
        "notes",
        {
            "type": "Feature",
            "geometry": address["geometry"],
            "properties": {
                "category": "briefkasten",
                "text": "Briefkasten ohne Namensschild",
                "observed_on": "2026-10-01",
                "district": address["properties"]["district"],
                "team": team,
                "address_key": address["properties"]["key"],
            },
        },
        actor="t",
    )


def test_reimport_keeps_districts_teams_and_replaces_only_when_asked(runner, tmp_path):
    data = tmp_path / "daten"
    first = _districts_file(tmp_path / "bezirke.geojson", {"Hain-West": WEST, "Hain-Ost": EAST})
    result = _run(runner, data, "--districts", first, "--title", "Dreieich – Dreieichenhain")
    assert result.exit_code == 0, result.output
    for district, team in (("hain-west", "Team Süd"), ("Hain-Ost", "Team Nord")):
        assigned = runner.invoke(
            main,
            ["districts", "assign", "--area", "dreieich", district, team, "--data-dir", str(data)],
        )
        assert assigned.exit_code == 0, assigned.output
    store = GeoJSONStore(data)
    west_address = _address(store, lambda lon, lat: lon < SPLIT_LON)
    south_east = _address(store, lambda lon, lat: lon > SPLIT_LON + 0.001 and lat < SPLIT_LAT)
    north_east = [
        _address(store, lambda lon, lat: lon > SPLIT_LON + 0.001 and lat > SPLIT_LAT + 0.001)
    ]
    west_note = _note(store, west_address, "Team Süd")
    east_note = _note(store, south_east, "Team Nord")
    stops = [north_east[0]["geometry"]["coordinates"], south_east["geometry"]["coordinates"]]
    stops.append(north_east[0]["geometry"]["coordinates"])
    walk = store.add(
        "dreieich",
        "walks",
        {
            "type": "Feature",
            "geometry": {"type": "MultiPoint", "coordinates": stops},
            "properties": {
                "title": "Rundgang Ost",
                "walk_on": "2026-11-05",
                "district": "hain-ost",
                "team": "Team Nord",
                "stops": [
                    {"kind": "point", "label": f"Halt {n}", "lon": lon, "lat": lat}
                    for n, (lon, lat) in enumerate(stops, start=1)
                ],
            },
        },
        actor="t",
    )
    offer = store.add(
        "dreieich",
        "offers",
        {
            "type": "Feature",
            "geometry": south_east["geometry"],
            "properties": {"name": "Jobcoaching Hain", "provider": "Beschäftigungshilfe e. V."},
        },
        actor="t",
    )
    # a note left behind by an earlier re-import with a district that no longer exists
    stale = _note(store, west_address, "Team Süd")
    stale = store.update(
        "dreieich",
        "notes",
        stale["id"],
        {**stale, "properties": {**stale["properties"], "district": "gesamt"}},
        expected_version=1,
        actor="t",
    )
    districts_before = store.query("dreieich", "districts")

    # the routine update: the same OSM file, no --districts
    result = _run(runner, data)
    assert result.exit_code == 0, result.output
    assert "districts and team assignments kept" in result.output
    assert "re-assigned 1 note and 0 walks" in " ".join(result.output.split())
    assert store.get("dreieich", "notes", stale["id"])["properties"]["district"] == "hain-west"
    assert store.query("dreieich", "districts") == districts_before
    meta = store.read_meta("dreieich")
    assert meta["teams"] == {"hain-west": "Team Süd", "hain-ost": "Team Nord"}
    assert meta["title"] == "Dreieich – Dreieichenhain"
    ids = {f["id"] for f in store.query("dreieich", "districts")}
    assert ids == {"hain-west", "hain-ost"}
    for note in store.query("dreieich", "notes"):
        assert note["properties"]["district"] in ids
    assert store.get("dreieich", "addresses", west_address["id"])["properties"]["district"] == (
        "hain-west"
    )

    # the same districts file again changes nothing and needs no flag
    assert _run(runner, data, "--districts", first).exit_code == 0
    assert store.query("dreieich", "districts") == districts_before

    # other districts: refused with what would change, nothing written
    second = _districts_file(
        tmp_path / "bezirke-2027.geojson", {"Westlicher Hain": WEST, "Nordost": NORTH_EAST}
    )
    result = _run(runner, data, "--districts", second)
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "added: Nordost" in output
    assert "removed: Hain-Ost" in output
    assert "renamed: Hain-West -> Westlicher Hain" in output
    moved = int(output.split("addresses moved to another district: ")[1].split()[0])
    assert moved > 0
    assert "--replace-districts" in output
    assert store.query("dreieich", "districts") == districts_before
    assert store.get("dreieich", "notes", east_note["id"])["properties"]["district"] == "hain-ost"

    # with --replace-districts: re-assigned, the ones outside reported
    result = _run(runner, data, "--districts", second, "--replace-districts")
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "re-assigned: 3 notes, 1 walk" in output
    assert "team 'Team Nord' of removed district hain-ost is no longer assigned" in output
    assert f"notes {east_note['id']} briefkasten 2026-10-01" in output
    assert f"offers {offer['id']} Jobcoaching Hain" in output
    assert {f["id"] for f in store.query("dreieich", "districts")} == {"westlicher-hain", "nordost"}
    meta = store.read_meta("dreieich")
    assert meta["teams"] == {"westlicher-hain": "Team Süd"}
    assert {"layer": "notes", "id": east_note["id"]} in meta["outside_districts"]
    kept = store.get("dreieich", "notes", west_note["id"])["properties"]
    assert (kept["district"], kept["team"], kept["text"]) == (
        "westlicher-hain",
        "Team Süd",
        "Briefkasten ohne Namensschild",
    )
    outside = store.get("dreieich", "notes", east_note["id"])["properties"]
    assert outside["district"] is None and outside["team"] == "Team Nord"
    # the history has every version: the re-assignment is one, with its content kept
    for note_id in (west_note["id"], east_note["id"]):
        current = store.get("dreieich", "notes", note_id)
        history = store.history("dreieich", "notes", note_id)
        assert [h["version"] for h in history] == list(
            range(1, current["properties"]["version"] + 1)
        )
        assert history[-1]["feature"]["properties"]["district"] == current["properties"]["district"]
    walk_history = store.history("dreieich", "walks", walk["id"])
    assert walk_history[-1]["feature"]["properties"]["district"] == "nordost"
    # two of three stops lie in the north-east: the walk goes there
    assert store.get("dreieich", "walks", walk["id"])["properties"]["district"] == "nordost"
    for feature in store.query("dreieich", "addresses"):
        lon, lat = feature["geometry"]["coordinates"]
        expected = "westlicher-hain" if lon < SPLIT_LON else "nordost" if lat >= SPLIT_LAT else None
        if abs(lon - SPLIT_LON) > 1e-5 and abs(lat - SPLIT_LAT) > 1e-5:
            assert feature["properties"]["district"] == expected
    shown = runner.invoke(main, ["areas", "show", "dreieich", "--data-dir", str(data)])
    assert "Dreieich – Dreieichenhain" in shown.output
    assert f"notes {east_note['id']}" in " ".join(shown.output.split())
    assert store.verify_audit("dreieich").ok


def test_compare_districts_names_each_kind_of_change():
    from shapely.geometry import box

    old = [
        District("a", "Altstadt", "file", box(0, 0, 1, 1)),
        District("b", "Bahnhof", "file", box(1, 0, 2, 1)),
        District("c", "Chausseeviertel", "file", box(2, 0, 3, 1)),
    ]
    new = [
        District("a", "Altstadt", "file", box(0, 0, 1.5, 1)),  # reshaped, takes some of b
        District("bahnhofsviertel", "Bahnhofsviertel", "file", box(1, 0, 2, 1.001)),
        District("d", "Dorf", "file", box(3, 0, 4, 1)),
    ]
    xs = np.array([0.5, 1.25, 1.75, 2.5])
    ys = np.array([0.5, 0.5, 0.5, 0.5])
    changes = compare_districts(old, new, xs, ys)
    assert changes.added == ["Dorf"]
    assert changes.removed == ["Chausseeviertel"]
    assert changes.renamed == [("b", "Bahnhof", "bahnhofsviertel", "Bahnhofsviertel")]
    assert changes.reshaped == ["Altstadt"]
    # 1.25 goes from b to a; 2.5 from c to none; 1.75 stays in the renamed district
    assert changes.addresses_moved == 2
    assert changes.any
    same = compare_districts(old, old, xs, ys)
    assert not same.any


def test_a_bad_title_is_refused_before_any_work(runner, tmp_path):
    result = _run(runner, tmp_path / "daten", "--title", "   ")
    assert result.exit_code == 1
    assert "a title has 1 to 80 characters" in result.output
    assert not (tmp_path / "daten" / "dreieich").exists()


@pytest.mark.parametrize("team", ["sued", "Team  süd ", "TEAM SÜD"])
def test_team_spellings_are_one_team(runner, tmp_path, team):
    data = tmp_path / "daten"
    first = _districts_file(tmp_path / "bezirke.geojson", {"Hain-West": WEST, "Hain-Ost": EAST})
    assert _run(runner, data, "--districts", first).exit_code == 0
    assign = ["districts", "assign", "--area", "dreieich", "--data-dir", str(data)]
    assert runner.invoke(main, [*assign, "hain-west", "Team Süd"]).exit_code == 0
    result = runner.invoke(main, [*assign, "hain-ost", team])
    store = GeoJSONStore(data)
    if team == "sued":
        # only part of the name: a new team
        assert result.exit_code == 0, result.output
        assert store.read_meta("dreieich")["teams"]["hain-ost"] == "sued"
    else:
        assert result.exit_code == 0, result.output
        assert "existing team 'Team Süd'" in result.output
        assert store.read_meta("dreieich")["teams"]["hain-ost"] == "Team Süd"
    # a new assignment says which team it replaced; removing one, too
    moved = runner.invoke(main, [*assign, "hain-ost", "Team Nord"])
    assert moved.exit_code == 0 and "(was: " in moved.output, moved.output
    again = runner.invoke(main, [*assign, "hain-ost", "Team Nord"])
    assert "hain-ost: Team Nord (unchanged)" in again.output
    removed = runner.invoke(main, [*assign, "hain-ost", "--remove"])
    assert "hain-ost: no team (was: Team Nord)" in removed.output


def test_the_automatic_whole_area_district_follows_the_area_and_keeps_its_team(runner, tmp_path):
    from shapely.geometry import shape

    data = tmp_path / "daten"
    small = "8.705,49.995,8.715,50.005"
    result = runner.invoke(
        main,
        ["import", "--quiet", "--area", "dreieich", "--osm-file", str(DREIEICH),
         "--bbox", small, "--data-dir", str(data)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assign = ["districts", "assign", "--area", "dreieich", "--data-dir", str(data)]
    assert runner.invoke(main, [*assign, "gesamt", "Team Hain"]).exit_code == 0
    store = GeoJSONStore(data)
    before = len(store.query("dreieich", "addresses"))
    result = _run(runner, data)  # the wider box
    assert result.exit_code == 0, result.output
    (district,) = store.query("dreieich", "districts")
    assert district["id"] == "gesamt"
    assert shape(district["geometry"]).bounds == pytest.approx((8.7006, 49.9935, 8.7256, 50.0099))
    assert store.read_meta("dreieich")["teams"] == {"gesamt": "Team Hain"}
    addresses = store.query("dreieich", "addresses")
    assert len(addresses) > before
    assert all(a["properties"]["district"] == "gesamt" for a in addresses)


def test_import_with_team_gives_every_new_district_that_team(runner, tmp_path):
    data = tmp_path / "daten"
    first = _districts_file(tmp_path / "bezirke.geojson", {"Hain-West": WEST, "Hain-Ost": EAST})
    refused = _run(runner, data, "--districts", first, "--team", "   ")
    assert refused.exit_code == 2 and "1 to 60 characters" in refused.output
    assert not (data / "dreieich").exists()  # checked before anything was imported
    result = _run(runner, data, "--districts", first, "--team", "Team  Hain ")
    assert result.exit_code == 0, result.output
    assert "team 'Team Hain' assigned to 2 districts: hain-west, hain-ost" in result.output
    store = GeoJSONStore(data)
    assert store.read_meta("dreieich")["teams"] == {
        "hain-west": "Team Hain",
        "hain-ost": "Team Hain",
    }
    # a district that already has a team keeps it; a new one gets the given team
    assign = ["districts", "assign", "--area", "dreieich", "--data-dir", str(data)]
    assert runner.invoke(main, [*assign, "hain-ost", "Team Ost"]).exit_code == 0
    second = _districts_file(
        tmp_path / "bezirke-2.geojson", {"Hain-West": WEST, "Hain-Ost": EAST, "Nordost": NORTH_EAST}
    )
    result = _run(runner, data, "--districts", second, "--replace-districts", "--team", "team hain")
    assert result.exit_code == 0, result.output
    teams = store.read_meta("dreieich")["teams"]
    assert teams["hain-ost"] == "Team Ost" and teams["nordost"] == "Team Hain"
    again = _run(runner, data, "--team", "Team Hain")
    assert "every district already has a team (unchanged)" in again.output
