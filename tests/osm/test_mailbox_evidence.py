"""OSM letterboxes and communal accommodation are put on addresses at import."""

from __future__ import annotations

from datetime import date

import osmium
import pytest
from support.paths import EXTRACTS

from sozialraum.osm.importer import import_area
from sozialraum.services.mailbox_check import check_one

HEAD = "<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6' generator='test'>\n"


def _node(nid, lon, lat, tags, stamp="2025-04-01T10:00:00Z"):
    tag_xml = "".join(f"<tag k='{k}' v='{v}'/>" for k, v in tags.items())
    return (
        f"<node id='{nid}' version='1' timestamp='{stamp}' lat='{lat}' lon='{lon}'>"
        f"{tag_xml}</node>\n"
    )


def _address(nid, lon, lat, number, **extra):
    tags = {"addr:street": "Lindenweg", "addr:housenumber": number, "addr:postcode": "41460"}
    return _node(nid, lon, lat, {**tags, **extra})


@pytest.fixture
def small(store, tmp_path):
    # houses 10 m apart along a line of longitude 6.7; 0.0001° lat ≈ 11 m
    parts = [
        _address(1, 6.7, 51.2000, "1"),
        _address(2, 6.7, 51.2010, "3"),
        _address(3, 6.7, 51.2020, "5", building="dormitory"),
        _address(4, 6.7, 51.2030, "7"),
        # a letterbox without address 5 m from house 1 (dated by its last edit)
        _node(10, 6.70007, 51.2000, {"amenity": "letter_box"}, "2025-04-01T10:00:00Z"),
        # a letterbox with its own check_date on house 3's address
        _node(
            11,
            6.71,
            51.25,
            {
                "amenity": "letter_box",
                "check_date": "2026-06-02",
                "addr:street": "Lindenweg",
                "addr:housenumber": "3",
                "addr:postcode": "41460",
            },
        ),
        # a shelter node without address next to house 7
        _node(
            12,
            6.7,
            51.20302,
            {
                "amenity": "social_facility",
                "social_facility": "shelter",
                "social_facility:for": "homeless",
            },
        ),
        # a letterbox 300 m from every house: joined to none
        _node(13, 6.704, 51.2015, {"amenity": "letter_box"}),
    ]
    path = tmp_path / "small.osm"
    path.write_text(HEAD + "".join(parts) + "</osm>\n", encoding="utf-8")
    import_area(store, "klein", osm_file=path)
    return {
        f["properties"]["housenumber"]: f["properties"]
        for f in store.query("klein", "addresses")
        if f["id"] != "n11"
    }


def test_osm_evidence_and_communal_accommodation_in_the_check(store, small):
    today = date(2026, 11, 21)
    recent = check_one(store, "klein", line="Lindenweg 3", today=today).assessment
    assert (recent.status, recent.risk) == ("vorhanden", "niedrig")
    assert recent.evidence[0].source == "osm" and recent.evidence[0].role == "OpenStreetMap"
    old = check_one(store, "klein", line="Lindenweg 1", today=today).assessment
    assert (old.status, old.risk) == ("vorhanden", "unbekannt")  # 2025-04-01: too old
    assert "01.04.2025" in old.reasons[0]
    expired = check_one(store, "klein", line="Lindenweg 1", today=date(2027, 6, 1)).assessment
    assert expired.risk == "mittel" and "abgelaufen" in expired.reasons[0]
    shelter = check_one(store, "klein", line="Lindenweg 7", today=today).assessment
    assert shelter.risk == "mittel"
    assert "Gemeinschaftsunterkunft (Notunterkunft)" in shelter.reasons[0]


def test_letter_box_without_address_marks_the_nearest_house(small):
    assert small["1"]["letter_box_ref"] == "n10"
    assert small["1"]["letter_box_on"] == "2025-04-01"


def test_letter_box_with_address_uses_its_check_date(small):
    assert small["3"]["letter_box_ref"] == "n11"
    assert small["3"]["letter_box_on"] == "2026-06-02"


def test_far_letter_box_marks_nothing(small):
    assert all(p.get("letter_box_ref") != "n13" for p in small.values())


def test_communal_accommodation_from_building_and_nearby_shelter(small):
    assert small["5"]["communal"] == "Wohnheim"
    assert (small["7"]["communal"], small["7"]["communal_ref"]) == ("Notunterkunft", "n12")
    assert "communal" not in small["1"] and "communal" not in small["3"]


def test_real_refugee_shelter_in_neuss_is_communal(store):
    import_area(store, "neuss", osm_file=EXTRACTS["neuss-innenstadt"])
    communal = {
        (f["properties"]["street"], f["properties"]["housenumber"]): f["properties"]["communal"]
        for f in store.query("neuss", "addresses")
        if f["properties"].get("communal")
    }
    # independent pass over the file: every addressed object tagged as a shelter
    expected = set()
    for obj in osmium.FileProcessor(str(EXTRACTS["neuss-innenstadt"])).with_filter(
        osmium.filter.KeyFilter("social_facility")
    ):
        if obj.tags.get("social_facility") == "shelter" and "addr:street" in obj.tags:
            expected.add((obj.tags["addr:street"], obj.tags["addr:housenumber"]))
    assert expected == {("Düsseldorfer Straße", "174")}
    assert expected <= communal.keys()
    assert communal[("Düsseldorfer Straße", "174")] == "Unterkunft für Geflüchtete"
    result = check_one(store, "neuss", line="Düsseldorfer Str. 174, 41460 Neuss")
    assert result.match.kind == "normalised" and result.assessment.risk == "mittel"
    assert "Gemeinschaftsunterkunft (Unterkunft für Geflüchtete)" in result.assessment.reasons[0]
