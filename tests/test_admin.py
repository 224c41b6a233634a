# ruff: noqa: E501  (tables of test files, one per line)
"""The admin rules (sozialraum.services.admin), shared by the web pages and the CLI: the last
admin, teams (create, rename everywhere), districts (rename, a file, a drawn polygon)."""

from __future__ import annotations

import hashlib
import json

import pytest
from click.testing import CliRunner

from sozialraum.accounts import FileUserStore, accounts_dir, open_accounts
from sozialraum.cli import main
from sozialraum.errors import InvalidInput, NotFound
from sozialraum.services import admin
from sozialraum.services.areas import assign_team

AREA = "musterstadt-nord"


@pytest.fixture
def files(demo_store) -> admin.AccountFiles:
    return admin.AccountFiles.of(open_accounts(demo_store.data_dir))


def _hashes(folder):
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }


# --- accounts ------------------------------------------------------------------------------


def test_the_last_admin_cannot_be_disabled_or_demoted(files, demo_store):
    with pytest.raises(InvalidInput) as refused:
        admin.set_disabled(files, "demo-admin", True)
    assert "letzte aktive Administrationskonto" in refused.value.german
    with pytest.raises(InvalidInput):
        admin.change_role_and_team(files, demo_store, "demo-admin", "lead", "Team Nord")
    assert files.users.get("demo-admin").role == "admin"
    assert not files.users.get("demo-admin").disabled
    # with a second admin both work, and then the second is the last one
    admin.create_account(files, demo_store, "zweite.admin", "admin", None, "langes-passwort-1")
    admin.change_role_and_team(files, demo_store, "demo-admin", "lead", "team nord")
    assert files.users.get("demo-admin").team == "Team Nord"  # the existing spelling
    with pytest.raises(InvalidInput):
        admin.set_disabled(files, "zweite.admin", True)


def test_the_cli_follows_the_same_last_admin_rule(demo_store):
    result = CliRunner().invoke(
        main, ["users", "disable", "demo-admin", "--data-dir", str(demo_store.data_dir)]
    )
    assert result.exit_code == 1 and "last enabled admin" in result.output
    users = FileUserStore(accounts_dir(demo_store.data_dir) / "users.json")
    assert not users.get("demo-admin").disabled


def test_a_disabled_admin_does_not_count(files, demo_store):
    admin.create_account(files, demo_store, "zweite.admin", "admin", None, "langes-passwort-1")
    admin.set_disabled(files, "zweite.admin", True)
    with pytest.raises(InvalidInput):
        admin.set_disabled(files, "demo-admin", True)


def test_one_time_passwords_and_sessions(files, demo_store):
    user, generated = admin.create_account(
        files, demo_store, "neu.person", "caseworker", "team nord"
    )
    assert user.team == "Team Nord" and len(generated) == admin.accounts.ONE_TIME_PASSWORD_CHARS
    assert files.users.authenticate("neu.person", generated) is not None
    token = files.sessions.create("neu.person")
    _, again, ended = admin.reset_password(files, "neu.person")
    assert ended == 1 and again != generated
    assert files.users.authenticate("neu.person", generated) is None
    assert files.users.authenticate("neu.person", again) is not None
    assert files.sessions.lookup(token) is None
    _, given, _ = admin.reset_password(files, "neu.person", "ein-eigenes-passwort")
    assert given is None
    with pytest.raises(InvalidInput) as short:
        admin.reset_password(files, "neu.person", "kurz")
    assert "mindestens 10 Zeichen" in short.value.german
    with pytest.raises(InvalidInput) as no_team:
        admin.create_account(files, demo_store, "ohne.team", "caseworker", None)
    assert "braucht ein Team" in no_team.value.german


# --- teams ---------------------------------------------------------------------------------


def test_create_team_refuses_another_spelling_of_an_existing_one(files, demo_store):
    assert admin.create_team(files, demo_store, "  Team   Süd ") == "Team Süd"
    for name in ("team sued", "TEAM NORD", "Team Mühle"):
        with pytest.raises(InvalidInput) as refused:
            admin.create_team(files, demo_store, name)
        assert "gibt es schon" in refused.value.german
    with pytest.raises(InvalidInput):
        admin.create_team(files, demo_store, "x" * 61)
    names = {t["name"] for t in admin.team_overview(files, demo_store)}
    assert {"Team Süd", "Team Nord", "Team Mühle"} <= names


def test_renaming_a_team_renames_it_everywhere(files, demo_store):
    notes_before = [
        n for n in demo_store.query(AREA, "notes") if n["properties"]["team"] == "Team Nord"
    ]
    walks_before = [
        w for w in demo_store.query(AREA, "walks") if w["properties"]["team"] == "Team Nord"
    ]
    assert notes_before and walks_before
    result = admin.rename_team(files, demo_store, "Team Nord", "Team Nordstadt", actor="demo-admin")
    assert result["districts"] == 2 and result["accounts"] >= 3
    teams = demo_store.read_meta(AREA)["teams"]
    assert teams == {"r1": "Team Nordstadt", "r2": "Team Nordstadt", "r3": "Team Mühle"}
    assert files.users.get("demo-fachkraft").team == "Team Nordstadt"
    for note in notes_before:
        stored = demo_store.get(AREA, "notes", note["id"])["properties"]
        assert stored["team"] == "Team Nordstadt"
        assert stored["text"] == note["properties"]["text"]  # the content stays
    for walk in walks_before:
        assert demo_store.get(AREA, "walks", walk["id"])["properties"]["team"] == "Team Nordstadt"
    # in the audit log, by the admin
    assert any(e["actor"] == "demo-admin" for e in demo_store.changes(AREA, "notes"))
    # the name of another team is refused; an unknown team is NotFound
    with pytest.raises(InvalidInput):
        admin.rename_team(files, demo_store, "Team Nordstadt", "team mühle", actor="x")
    with pytest.raises(NotFound):
        admin.rename_team(files, demo_store, "Team Nord", "Team Neu", actor="x")


def test_renaming_a_created_team_that_nothing_uses(files, demo_store):
    admin.create_team(files, demo_store, "Team Ost")
    admin.rename_team(files, demo_store, "Team Ost", "Team Osten", actor="x")
    assert files.teams.list() == ["Team Osten"]


# --- districts -----------------------------------------------------------------------------


def test_rename_district_keeps_id_and_team(demo_store):
    admin.rename_district(demo_store, AREA, "r3", "  Mühlen   Viertel ", actor="demo-admin")
    feature = demo_store.get(AREA, "districts", "r3")
    assert feature["properties"]["name"] == "Mühlen Viertel"
    assert demo_store.read_meta(AREA)["teams"]["r3"] == "Team Mühle"
    with pytest.raises(InvalidInput) as taken:
        admin.rename_district(demo_store, AREA, "r3", "nord-west", actor="x")
    assert "gibt es in diesem Gebiet schon" in taken.value.german
    with pytest.raises(InvalidInput):
        admin.rename_district(demo_store, AREA, "r3", "   ", actor="x")


def _square(cx, cy, d=0.002):
    return [
        [[cx - d, cy - d], [cx + d, cy - d], [cx + d, cy + d], [cx - d, cy + d], [cx - d, cy - d]]
    ]


def _collection(*features):
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def _feature(geometry, name=None):
    return {"type": "Feature", "properties": {"name": name} if name else {}, "geometry": geometry}


BOWTIE = {"type": "Polygon", "coordinates": [[[6.94, 51.425], [6.96, 51.435], [6.96, 51.425],
                                              [6.94, 51.435], [6.94, 51.425]]]}  # fmt: skip

BAD_FILES = {
    "empty": (b"", "leer"),
    "utf-16": ('{"type": "FeatureCollection"}'.encode("utf-16"), "UTF-16"),
    "windows-1252": ('{"type": "Feature", "properties": {"name": "Süd"}}'.encode("cp1252"), "UTF-8"),
    "not json": (b'{"type": "FeatureCollection", "features": [', "kein gültiges JSON"),
    "json, not geojson": (b"[1, 2, 3]", "kein GeoJSON"),
    "features not a list": (b'{"type": "FeatureCollection", "features": 3}', "features"),
    "points only": (_collection(_feature({"type": "Point", "coordinates": [6.9, 51.4]})), "kein Polygon"),
    "no features": (_collection(), "kein Polygon"),
    "broken geometry": (_collection(_feature({"type": "Polygon", "coordinates": [[1]]})), "Objekt 1"),
    "self-intersecting": (_collection(_feature(BOWTIE, "A")), "kein gültiges Polygon"),
    "not lon/lat": (_collection(_feature({"type": "Polygon", "coordinates": _square(350000, 5700000, 100)})), "EPSG:4326"),
    "same name twice": (_collection(_feature({"type": "Polygon", "coordinates": _square(6.9, 51.4)}, "A"),
                                    _feature({"type": "Polygon", "coordinates": _square(6.95, 51.4)}, "a")), "zweimal"),
    "too large": (b" " * (admin.MAX_UPLOAD_BYTES + 1), "MB"),
    "too deep": (b"[" * 100_000 + b"]" * 100_000, "GeoJSON"),
}  # fmt: skip


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_district_files_are_refused_in_german_and_change_nothing(demo_store, name):
    data, word = BAD_FILES[name]
    before = _hashes(demo_store.data_dir)
    with pytest.raises(InvalidInput) as refused:
        admin.parse_district_file(data, "bezirke.geojson")
    assert word in refused.value.german, refused.value.german
    assert _hashes(demo_store.data_dir) == before


def test_too_many_vertices_are_refused_before_geometry_work(monkeypatch):
    from sozialraum.services.admin import districts

    monkeypatch.setattr(districts, "MAX_POLYGON_VERTICES", 4)
    with pytest.raises(InvalidInput) as refused:
        admin.parse_district_file(
            _collection(_feature({"type": "Polygon", "coordinates": _square(6.9, 51.4)}, "A"))
        )
    assert "Eckpunkte" in refused.value.german


def test_a_district_file_replaces_the_districts_like_an_import(demo_store):
    w, s, e, n = demo_store.read_meta(AREA)["bbox"]
    mid = (w + e) / 2
    west = {"type": "Polygon", "coordinates": [[[w - 0.01, s - 0.01], [mid, s - 0.01], [mid, n + 0.01], [w - 0.01, n + 0.01], [w - 0.01, s - 0.01]]]}  # fmt: skip
    east = {"type": "Polygon", "coordinates": [[[mid, s - 0.01], [e + 0.01, s - 0.01], [e + 0.01, n + 0.01], [mid, n + 0.01], [mid, s - 0.01]]]}  # fmt: skip
    districts = admin.parse_district_file(
        ("\ufeff" + _collection(_feature(west, "West"), _feature(east, "Ost")).decode()).encode()
    )
    result = admin.replace_districts(demo_store, AREA, districts, actor="demo-admin")
    assert {d["id"] for d in demo_store.query(AREA, "districts")} == {"west", "ost"}
    assert sorted(result.added) == ["Ost", "West"] and len(result.removed) == 3
    assert demo_store.read_meta(AREA)["teams"] == {}  # the teams of removed districts end
    assert result.teams_dropped == {"r1": "Team Nord", "r2": "Team Nord", "r3": "Team Mühle"}
    assert demo_store.read_meta(AREA)["districts"] == 2
    for layer in ("addresses", "resources", "notes"):
        assert {f["properties"]["district"] for f in demo_store.query(AREA, layer)} <= {
            "west",
            "ost",
        }
    assert {w["properties"]["district"] for w in demo_store.query(AREA, "walks")} <= {"west", "ost"}


def test_a_drawn_district_is_cut_out_of_the_others(demo_store):
    import shapely
    from shapely.geometry import shape

    r1 = shape(demo_store.get(AREA, "districts", "r1")["geometry"])
    cx, cy = r1.representative_point().coords[0]
    polygon = admin.parse_drawn_polygon(
        json.dumps({"type": "Polygon", "coordinates": _square(cx, cy, 0.0005)})
    )
    new_id, result = admin.add_drawn_district(
        demo_store, AREA, polygon, "Marktplatz", actor="demo-admin"
    )
    assert new_id == "marktplatz" and result.added == ["Marktplatz"]
    drawn = shape(demo_store.get(AREA, "districts", new_id)["geometry"])
    rest = shape(demo_store.get(AREA, "districts", "r1")["geometry"])
    assert drawn.area > 0 and shapely.intersection(drawn, rest).area < 1e-10
    assert demo_store.read_meta(AREA)["teams"]["r1"] == "Team Nord"  # r1 keeps its team
    assert new_id not in demo_store.read_meta(AREA)["teams"]  # the new one has none yet
    inside = [
        a for a in demo_store.query(AREA, "addresses") if drawn.contains(shape(a["geometry"]))
    ]
    assert all(a["properties"]["district"] == new_id for a in inside)
    assign_team(demo_store, AREA, new_id, "team nord", actor="demo-admin")
    assert demo_store.read_meta(AREA)["teams"][new_id] == "Team Nord"


def test_a_drawn_polygon_outside_the_area_or_not_a_polygon_is_refused(demo_store):
    before = _hashes(demo_store.data_dir)
    far = admin.parse_drawn_polygon(
        json.dumps({"type": "Polygon", "coordinates": _square(13.4, 52.5)})
    )
    with pytest.raises(InvalidInput) as outside:
        admin.add_drawn_district(demo_store, AREA, far, "Berlin", actor="x")
    assert "außerhalb" in outside.value.german
    for text in (
        "",
        "{",
        json.dumps({"type": "LineString", "coordinates": [[6.9, 51.4], [6.91, 51.41]]}),
    ):
        with pytest.raises(InvalidInput):
            admin.parse_drawn_polygon(text)
    assert _hashes(demo_store.data_dir) == before
