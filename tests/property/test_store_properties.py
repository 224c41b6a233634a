"""Property tests of the GeoJSON store: round trips, versions, and add/update/delete sequences
checked against a plain dict (hypothesis stateful testing).

Valid features are generated per layer (see ``sozialraum/store/validation.py``): the layer's
geometry (Point, MultiPoint or null) with lon/lat in range, its required properties non-empty,
and arbitrary JSON properties: unicode text with control characters, emoji, quotes and
``</script>``, very long strings, nested lists and dicts, integers within the exactly
representable JSON range and finite floats.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    precondition,
    rule,
)

from sozialraum.errors import InvalidInput, NotFound, VersionConflict
from sozialraum.store import GeoJSONStore
from sozialraum.store.validation import LAYERS, RESERVED

AREA = "prop-area"
#: layers with every kind of geometry the store takes, except polygons
ROUND_TRIP_LAYERS = (
    "notes",
    "resources",
    "addresses",
    "returns",
    "walks",
    "meetings",
    "offers",
    "offer_proposals",
)

SPECIAL_TEXT = st.sampled_from(
    [
        "",
        "</script><script>alert(1)</script>",
        '"\'\\"',
        "\x00\x01\x1f\x7f\x85",
        "\u2028\u2029",
        "👩‍👩‍👧 🏳️‍🌈",
        "Straße \u0308 ẞ",
        "\ufeff\u200b\u202e",
        "\r\n\t",
    ]
)
LONG_TEXT = st.builds(
    lambda part, times: part * times, st.text(min_size=1, max_size=4), st.integers(2_000, 20_000)
)
TEXT = st.one_of(st.text(max_size=40), SPECIAL_TEXT, LONG_TEXT)
JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**53) + 1, 2**53 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=10,
)
#: a value a required property accepts (not None, "" or [])
PRESENT = JSON_VALUES.filter(lambda v: v not in (None, "", []))

LON = st.floats(-180, 180, allow_nan=False) | st.integers(-180, 180)
LAT = st.floats(-90, 90, allow_nan=False) | st.integers(-90, 90)
ALTITUDE = st.floats(allow_nan=False, allow_infinity=False)
POSITION = st.one_of(
    st.tuples(LON, LAT).map(list),
    st.tuples(LON, LAT, ALTITUDE).map(list),
)
POINT = st.builds(lambda p: {"type": "Point", "coordinates": p}, POSITION)
MULTIPOINT = st.builds(
    lambda ps: {"type": "MultiPoint", "coordinates": ps}, st.lists(POSITION, min_size=1, max_size=5)
)
FEATURE_ID = st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True)


def geometries(layer: str):
    schema = LAYERS[layer]
    if not schema.geometry_types:
        return st.none()
    options = [POINT if schema.geometry_types == ("Point",) else MULTIPOINT]
    if schema.geometry_optional:
        options.append(st.none())
    return st.one_of(options)


def properties(layer: str):
    """Arbitrary properties with the layer's required ones present; sometimes the reserved
    ``version``/``updated_at`` too (the store must ignore them)."""
    required = st.fixed_dictionaries({key: PRESENT for key in LAYERS[layer].required})
    reserved = st.fixed_dictionaries({}, optional={key: JSON_VALUES for key in RESERVED})
    extra = st.dictionaries(TEXT, JSON_VALUES, max_size=5)
    return st.builds(lambda e, r, q: {**e, **r, **q}, extra, reserved, required)


def features(layer: str):
    return st.builds(
        lambda g, p: {"type": "Feature", "geometry": g, "properties": p},
        geometries(layer),
        properties(layer),
    )


LAYER_FEATURES = st.sampled_from(ROUND_TRIP_LAYERS).flatmap(
    lambda layer: st.tuples(st.just(layer), features(layer))
)


def content(feature: dict) -> dict:
    """What the store keeps of a feature's input: type, geometry, non-reserved properties."""
    props = {k: v for k, v in feature["properties"].items() if k not in RESERVED}
    return {"type": "Feature", "geometry": feature["geometry"], "properties": props}


def new_store() -> GeoJSONStore:
    store = GeoJSONStore(Path(tempfile.mkdtemp(prefix="prop-store-")) / "data")
    store.write_meta(AREA, {"name": AREA, "title": "Property tests"}, actor="prop")
    return store


@contextmanager
def fresh_store():
    """A new store with the area, for one hypothesis example; removed afterwards."""
    store = new_store()
    try:
        yield store
    finally:
        shutil.rmtree(store.data_dir.parent, ignore_errors=True)


def assert_valid_feature_collection(path: Path) -> list[dict]:
    data = json.loads(path.read_bytes())
    assert data["type"] == "FeatureCollection"
    assert isinstance(data["features"], list)
    ids = [f["id"] for f in data["features"]]
    assert len(ids) == len(set(ids)), "duplicate ids in the layer file"
    for feature in data["features"]:
        assert feature["type"] == "Feature"
        assert set(feature) == {"type", "id", "geometry", "properties"}
        assert isinstance(feature["properties"]["version"], int)
    return data["features"]


# -- round trips ---------------------------------------------------------------------------
@settings(max_examples=30)
@given(layer_feature=LAYER_FEATURES, with_id=st.booleans(), feature_id=FEATURE_ID)
def test_added_feature_comes_back_equal(layer_feature, with_id, feature_id):
    layer, feature = layer_feature
    if with_id:
        feature = {**feature, "id": feature_id}
    with fresh_store() as store:
        added = store.add(AREA, layer, feature, actor="prop")

        assert content(added) == content(feature)
        assert added["properties"]["version"] == 1
        if with_id:
            assert added["id"] == feature_id
        assert store.get(AREA, layer, added["id"]) == added
        assert store.query(AREA, layer) == [added]
        # a new instance reads the file (no cache) and finds the same feature
        reread = GeoJSONStore(store.data_dir)
        assert reread.get(AREA, layer, added["id"]) == added
        assert reread.query(AREA, layer) == [added]
        assert assert_valid_feature_collection(store.data_dir / AREA / f"{layer}.geojson") == [
            added
        ]
        assert store.verify_audit(AREA).ok


@settings(max_examples=20)
@given(layer_feature=LAYER_FEATURES, data=st.data())
def test_update_with_the_right_version_increments_it_and_round_trips(layer_feature, data):
    layer, first = layer_feature
    with fresh_store() as store:
        feature_id = store.add(AREA, layer, first, actor="prop")["id"]
        version = 1
        for _ in range(data.draw(st.integers(1, 3), label="updates")):
            change = data.draw(features(layer), label="change")
            updated = store.update(
                AREA, layer, feature_id, change, expected_version=version, actor="prop"
            )
            version += 1
            assert updated["properties"]["version"] == version
            assert updated["id"] == feature_id
            assert content(updated) == content(change)
            assert store.get(AREA, layer, feature_id) == updated
            assert GeoJSONStore(store.data_dir).get(AREA, layer, feature_id) == updated
        if LAYERS[layer].keep_versions:  # every version's content is kept for the history
            history = store.history(AREA, layer, feature_id)
            assert [h["version"] for h in history] == list(range(1, version + 1))
            assert history[-1]["feature"] == updated
        assert store.verify_audit(AREA).ok


@settings(max_examples=25)
@given(
    layer_feature=LAYER_FEATURES,
    change=st.data(),
    wrong=st.integers(-(2**31), 2**31).filter(lambda v: v != 1),
    delete=st.booleans(),
)
def test_wrong_version_is_a_conflict_and_changes_nothing(layer_feature, change, wrong, delete):
    layer, feature = layer_feature
    with fresh_store() as store:
        added = store.add(AREA, layer, feature, actor="prop")
        folder = store.data_dir / AREA
        before = {p.name: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
        changes_before = store.changes(AREA, layer)

        with pytest.raises(VersionConflict) as info:
            if delete:
                store.delete(AREA, layer, added["id"], expected_version=wrong, actor="other")
            else:
                other = change.draw(features(layer), label="change")
                store.update(AREA, layer, added["id"], other, expected_version=wrong, actor="other")

        assert info.value.current_version == 1
        assert store.get(AREA, layer, added["id"]) == added
        assert GeoJSONStore(store.data_dir).get(AREA, layer, added["id"]) == added
        assert store.changes(AREA, layer) == changes_before
        after = {p.name: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
        assert after == before
        assert store.verify_audit(AREA).ok


def test_text_that_is_not_unicode_is_refused_and_leaves_no_trace():
    """A lone surrogate (JSON allows the escape ``"\\ud800"``) cannot be stored as UTF-8.

    The write must be refused as invalid input, and nothing may claim it happened: no feature,
    no entry in ``changes()`` or ``history()``.
    """
    with fresh_store() as store:
        feature = {
            "type": "Feature",
            "id": "lone",
            "geometry": {"type": "Point", "coordinates": [6.95, 51.43]},
            "properties": {
                "category": "ressource",
                "text": "a\ud800b",
                "observed_on": "2026-01-01",
            },
        }
        changes_before = store.changes(AREA, "notes")
        with pytest.raises(InvalidInput):
            store.add(AREA, "notes", feature, actor="prop")
        assert store.query(AREA, "notes") == []
        assert store.changes(AREA, "notes") == changes_before
        with pytest.raises(NotFound):
            store.history(AREA, "notes", "lone")


# -- sequences of writes against a model -------------------------------------------------
MODEL_LAYERS = ("notes", "resources", "offers")


class StoreMachine(RuleBasedStateMachine):
    """Random add/update/delete sequences (also with stale versions and missing ids) on a
    store must behave like a dict ``(layer, id) -> (content, version)``."""

    keys = Bundle("keys")

    def __init__(self):
        super().__init__()
        self.store = new_store()
        self.model: dict[tuple[str, str], tuple[dict, int]] = {}
        self.gone: set[tuple[str, str]] = set()

    def teardown(self):
        shutil.rmtree(self.store.data_dir.parent, ignore_errors=True)

    @rule(
        target=keys,
        layer_feature=st.sampled_from(MODEL_LAYERS).flatmap(
            lambda layer: st.tuples(st.just(layer), features(layer))
        ),
    )
    def add(self, layer_feature):
        layer, feature = layer_feature
        added = self.store.add(AREA, layer, feature, actor="prop")
        assert added["properties"]["version"] == 1
        key = (layer, added["id"])
        assert key not in self.model
        self.model[key] = (content(feature), 1)
        return key

    @rule(key=keys, data=st.data(), stale=st.booleans())
    def update(self, key, data, stale):
        layer, feature_id = key
        change = data.draw(features(layer), label="change")
        if key not in self.model:
            with pytest.raises(NotFound):
                self.store.update(AREA, layer, feature_id, change, expected_version=1, actor="p")
            return
        _, version = self.model[key]
        if stale:
            wrong = data.draw(st.integers(0, version + 3).filter(lambda v: v != version))
            with pytest.raises(VersionConflict):
                self.store.update(
                    AREA, layer, feature_id, change, expected_version=wrong, actor="p"
                )
            return
        updated = self.store.update(
            AREA, layer, feature_id, change, expected_version=version, actor="p"
        )
        assert updated["properties"]["version"] == version + 1
        self.model[key] = (content(change), version + 1)

    @rule(key=consumes(keys), stale=st.booleans())
    def delete(self, key, stale):
        layer, feature_id = key
        if key not in self.model:
            with pytest.raises(NotFound):
                self.store.delete(AREA, layer, feature_id, expected_version=1, actor="p")
            return
        _, version = self.model[key]
        if stale:
            with pytest.raises(VersionConflict):
                self.store.delete(AREA, layer, feature_id, expected_version=version + 1, actor="p")
            return
        self.store.delete(AREA, layer, feature_id, expected_version=version, actor="p")
        del self.model[key]
        self.gone.add(key)

    @precondition(lambda self: self.gone)
    @rule(data=st.data())
    def write_to_a_deleted_feature(self, data):
        layer, feature_id = data.draw(st.sampled_from(sorted(self.gone)), label="deleted")
        with pytest.raises(NotFound):
            self.store.get(AREA, layer, feature_id)
        with pytest.raises(NotFound):
            self.store.delete(AREA, layer, feature_id, expected_version=1, actor="p")

    @rule()
    def reopen(self):
        """A new instance (another worker, the CLI) sees the same data from the files."""
        self.store = GeoJSONStore(self.store.data_dir)

    @invariant()
    def store_matches_model(self):
        for layer in MODEL_LAYERS:
            stored = {f["id"]: f for f in self.store.query(AREA, layer)}
            expected = {fid: value for (lay, fid), value in self.model.items() if lay == layer}
            assert set(stored) == set(expected)
            for feature_id, (expected_content, version) in expected.items():
                assert content(stored[feature_id]) == expected_content
                assert stored[feature_id]["properties"]["version"] == version
                assert self.store.get(AREA, layer, feature_id) == stored[feature_id]

    @invariant()
    def files_are_feature_collections_and_audit_is_intact(self):
        folder = self.store.data_dir / AREA
        for layer in MODEL_LAYERS:
            path = folder / f"{layer}.geojson"
            if path.exists():
                on_disk = {f["id"]: f for f in assert_valid_feature_collection(path)}
                assert on_disk == {f["id"]: f for f in self.store.query(AREA, layer)}
        result = self.store.verify_audit(AREA)
        assert result.ok, result.problems

    @invariant()
    def history_ends_with_the_current_note(self):
        for (layer, feature_id), (_, version) in self.model.items():
            if layer == "notes":
                last = self.store.history(AREA, layer, feature_id)[-1]
                assert last["version"] == version
                assert last["feature"] == self.store.get(AREA, layer, feature_id)


StoreMachine.TestCase.settings = settings(max_examples=12, stateful_step_count=12)
test_store_behaves_like_a_dict = StoreMachine.TestCase
