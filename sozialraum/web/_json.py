r"""Strict JSON for every request body: a Flask JSON provider and a body reader for the API.

:class:`StrictJSONProvider` is installed as ``app.json``, so ``request.get_json()`` parses
with :func:`strict_loads` everywhere: what Python's :mod:`json` lets through but no other
JSON reader (or our data files) should see is a :class:`ValueError` (werkzeug answers 400;
``get_json(silent=True)`` returns ``None``):

- ``NaN``, ``Infinity``, ``-Infinity`` and numbers that overflow to infinity (``1e400``);
- integers with more than :data:`MAX_INT_DIGITS` digits;
- duplicate keys in an object (which one wins differs between readers);
- nesting deeper than :data:`MAX_DEPTH` (json's C parser gives up on very deep input by
  itself, at about 1,000 levels and within milliseconds; the parsed value is then
  measured without recursion);
- bytes that are not UTF-8, and lone UTF-16 surrogates (``"\ud800"``), which cannot be
  written back as UTF-8.

``dumps`` is Flask's. The messages are German: the API hands them on as ``detail``.
"""

from __future__ import annotations

import json
import math

from flask import current_app, request
from flask.json.provider import DefaultJSONProvider

from sozialraum.errors import InvalidInput, TooLarge

#: Deepest nesting of arrays and objects accepted (a MultiPolygon needs 4 levels).
MAX_DEPTH = 64
#: Most digits of an integer (ids, versions and counts need far fewer).
MAX_INT_DIGITS = 30


class JSONRejected(ValueError):
    """A request body that is not strict JSON; the message says why (German)."""


def _reject_constant(name: str):
    raise JSONRejected(f"JSON: {name} ist keine gültige Zahl.")


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JSONRejected(f"JSON: {text[:40]} ist keine gültige Zahl (zu groß).")
    return value


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise JSONRejected(
            f"JSON: eine ganze Zahl hat mehr als {MAX_INT_DIGITS} Ziffern; das ist keine "
            "gültige Zahl."
        )
    return int(text)


def _object(pairs: list[tuple[str, object]]) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        duplicate = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise JSONRejected(
            f"JSON ist fehlerhaft: der Schlüssel „{duplicate[:40]}“ kommt doppelt vor."
        )
    return result


def nesting_depth(value: object) -> int:
    """How deeply arrays and objects nest in a parsed JSON ``value`` (a scalar is 0).

    Or any number above :data:`MAX_DEPTH` once the limit is passed. No recursion.
    """
    if not isinstance(value, list | dict):
        return 0
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((c, level + 1) for c in children if isinstance(c, list | dict))
    return deepest


def strict_loads(source: str | bytes | bytearray) -> object:
    """Parse ``source`` as strict JSON (see the module docstring).

    Raises
    ------
    JSONRejected
        A :class:`ValueError` whose message says (in German) what is wrong.
    """
    if isinstance(source, bytes | bytearray):
        try:
            text = bytes(source).decode("utf-8")
        except UnicodeDecodeError:
            raise JSONRejected("JSON ist fehlerhaft: bitte als UTF-8 senden.") from None
    elif isinstance(source, str):
        text = source
    else:
        raise TypeError(f"JSON must be str or bytes, not {type(source).__name__}")
    text = text.removeprefix("\ufeff")
    nested = JSONRejected(
        f"JSON ist fehlerhaft: höchstens {MAX_DEPTH} Ebenen Verschachtelung sind erlaubt."
    )
    try:
        value = json.loads(
            text,
            parse_constant=_reject_constant,
            parse_float=_float,
            parse_int=_int,
            object_pairs_hook=_object,
        )
    except JSONRejected:
        raise
    except json.JSONDecodeError as exc:
        raise JSONRejected(f"JSON ist fehlerhaft ({exc.msg}, Zeichen {exc.pos}).") from None
    except RecursionError:  # far too deep: json's C parser stops by itself
        raise nested from None
    except ValueError as exc:  # e.g. a number the int/float parsers refuse
        raise JSONRejected(f"JSON ist fehlerhaft: {str(exc)[:80]}") from None
    if nesting_depth(value) > MAX_DEPTH:
        raise nested
    if "\\u" in text:  # an escaped lone surrogate cannot be written back as UTF-8
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise JSONRejected(
                "JSON ist fehlerhaft: ein einzelnes UTF-16-Ersatzzeichen (\\ud800–\\udfff) "
                "ist kein gültiger Text."
            ) from None
    return value


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider with :func:`strict_loads` for reading; ``dumps`` unchanged."""

    def loads(self, s: str | bytes, **kwargs) -> object:
        if kwargs:  # options for the standard library's reader (callers asking for them)
            return super().loads(s, **kwargs)
        return strict_loads(s)


def json_body(max_bytes: int | None = None) -> object:
    """The request body, parsed strictly; :class:`InvalidInput` (400) with the reason.

    Needs ``Content-Type: application/json``. Bodies over ``max_bytes`` (or over the app's
    ``MAX_CONTENT_LENGTH``, which werkzeug enforces while reading) are a 413.
    """
    if not request.is_json:
        raise InvalidInput("Bitte JSON senden (Content-Type: application/json).")
    too_large = TooLarge(
        f"Die Anfrage ist zu groß (höchstens {max_bytes // 1024} KB)." if max_bytes else ""
    )
    if max_bytes is not None and (request.content_length or 0) > max_bytes:
        raise too_large
    raw = request.get_data(cache=True)
    if max_bytes is not None and len(raw) > max_bytes:
        raise too_large
    try:
        return current_app.json.loads(raw)
    except ValueError as exc:
        raise InvalidInput(str(exc) or "JSON ist fehlerhaft.") from None
