"""API answers as JSON bytes (``web.responses.json_bytes``): the same JSON as Python's json."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from sozialraum.web.responses import json_bytes

_text = st.text(st.characters(exclude_categories=["Cs"]))  # no lone surrogates (not UTF-8)
_scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | _text
_values = st.recursive(
    _scalars, lambda inner: st.lists(inner) | st.dictionaries(_text, inner), max_leaves=30
)


def _python(body) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@given(_values)
def test_the_bytes_are_what_python_json_writes(body):
    assert json_bytes(body) == _python(body)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_numbers_read_back_the_same(number):
    body = {"type": "Point", "coordinates": [number, 51.2]}
    assert json.loads(json_bytes(body)) == body


def test_what_orjson_refuses_is_written_by_python_json():
    body = {"big": 2**70, 7: "key as in json"}
    expected = b'{"big":1180591620717411303424,"7":"key as in json"}'
    assert json_bytes(body) == _python(body) == expected


def test_not_a_number_is_null_not_invalid_json():
    assert json.loads(json_bytes({"x": float("nan")})) == {"x": None}
