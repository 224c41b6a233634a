"""The category table: OSM tags to categories, overrides from the instance folder."""

from __future__ import annotations

import pytest

from sozialraum.errors import ConfigError
from sozialraum.model.categories import DEFAULT_CATEGORIES, Rule, load_categories

REQUIRED = {
    "bakery": "Bäckerei",
    "hairdresser": "Friseur",
    "pharmacy": "Apotheke",
    "place_of_worship": "Kirche/Gemeinde",
    "post_box": "Briefkasten der Post",
    "post_office": "Post/Paketshop",
    "doctor": "Arztpraxis",
    "school": "Schule",
    "kita": "Kita",
    "social_facility": "Soziale Einrichtung",
    "community_centre": "Begegnungsstätte",
    "library": "Bibliothek",
    "supermarket": "Supermarkt",
    "stop": "Haltestelle",
    "authority": "Behörde",
    "playground": "Spielplatz",
}


def test_required_categories_with_german_labels_colours_icons():
    table = load_categories()
    assert {cat.id: cat.label for cat in table} == REQUIRED
    assert all(cat.colour.startswith("#") and len(cat.colour) == 7 for cat in table)
    assert len({cat.colour for cat in table}) == len(table)
    assert all(cat.icon for cat in table)


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"shop": "bakery"}, ["bakery"]),
        ({"amenity": "post_office"}, ["post_office"]),
        ({"shop": "kiosk", "post_office": "post_partner"}, ["post_office"]),
        ({"shop": "supermarket", "post_office": "post_partner"}, ["post_office", "supermarket"]),
        ({"healthcare": "doctor"}, ["doctor"]),
        ({"amenity": "doctors", "healthcare": "doctor"}, ["doctor"]),
        ({"amenity": "childcare"}, ["kita"]),
        ({"amenity": "school;kindergarten"}, ["school", "kita"]),
        ({"railway": "tram_stop"}, ["stop"]),
        ({"railway": "rail"}, []),
        ({"office": "employment_agency"}, ["authority"]),
        ({"leisure": "playground"}, ["playground"]),
        ({"name": "Irgendwas"}, []),
    ],
)
def test_classify(tags, expected):
    assert sorted(load_categories().classify(tags)) == sorted(expected)


def test_osm_keys_and_osmnx_filter_cover_every_rule():
    table = load_categories()
    keys = set(table.osm_keys())
    assert {
        "shop",
        "amenity",
        "healthcare",
        "post_office",
        "railway",
        "highway",
        "office",
        "leisure",
    } <= keys
    tags = table.osmnx_tags()
    assert tags["post_office"] is True
    assert {"pharmacy", "post_office", "kindergarten", "childcare"} <= set(tags["amenity"])


def test_override_adds_changes_and_removes(tmp_path):
    path = tmp_path / "categories.toml"
    path.write_text(
        '[[category]]\nid = "food_bank"\nlabel = "Tafel"\ncolour = "#8c564b"\nicon = "utensils"\n'
        'match = ["social_facility=food_bank"]\n\n'
        '[[category]]\nid = "bakery"\nmatch = ["shop=bakery|pastry"]\n\n'
        '[[category]]\nid = "playground"\nenabled = false\n',
        encoding="utf-8",
    )
    table = load_categories(path)
    assert "playground" not in table and "food_bank" in table
    assert table.classify({"shop": "pastry"}) == ["bakery"]
    assert table["bakery"].label == "Bäckerei"  # unchanged fields stay
    assert table.classify({"amenity": "social_facility", "social_facility": "food_bank"}) == [
        "social_facility",
        "food_bank",
    ]


def test_missing_override_file_means_defaults(tmp_path):
    assert len(load_categories(tmp_path / "fehlt.toml")) == len(DEFAULT_CATEGORIES)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[category]\n", "cannot read"),
        ('[[category]]\nid = "Neu Kat"\n', "'id' must be"),
        ('[[category]]\nid = "neu"\nlabel = "Neu"\n', "a new category needs"),
        ('[[category]]\nid = "bakery"\ncolour = "rot"\n', "'colour' must"),
        ('[[category]]\nid = "bakery"\nmatch = ["shop"]\n', "invalid tag rule"),
        ('[[category]]\nid = "bakery"\nmatch = []\n', "non-empty list"),
        ('[[category]]\nid = "bakery"\nfarbe = "#000000"\n', "unknown fields"),
    ],
)
def test_bad_override_files_give_clear_errors(tmp_path, text, message):
    path = tmp_path / "categories.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_categories(path)


def test_rule_parse_and_str():
    assert str(Rule.parse("railway=station|halt")) == "railway=halt|station"
    assert Rule.parse("post_office=*").values is None
