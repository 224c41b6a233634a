"""Strict JSON for every request body: a Flask JSON provider and a body reader for the API.

:class:`StrictJSONProvider` is installed as ``app.json``, so ``request.get_json()`` parses
with :func:`strict_loads` everywhere: what Python's :mod:`json` lets through but no other
JSON reader (or our data files) should see is a :class:`ValueError` (werkzeug answers 400;
``get_json(silent=True)`` returns ``None``):

- ``NaN``, ``Infinity``, ``-Infinity`` and numbers that overflow to infinity (``1e400``);
- integers with more than :data:`MAX_INT_DIGITS` digits;
- duplicate keys in an object (which one wins differs between readers);
- nesting deeper than :data:`MAX_DEPTH` (checked before parsing, in C-speed passes, so a
  20 MB ``[[[[…`` costs no recursion and little time);
- bytes that are not UTF-8, and lone UTF-16 surrogates (``"\\ud800"``), which cannot be
  written back as UTF-8.

``dumps`` is Flask's. The messages are German: the API hands them on as ``detail``.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
from flask import current_app, request
from flask.json.provider import DefaultJSONProvider

from sozialraum.errors import InvalidInput, TooLarge

#: Deepest nesting of arrays and objects accepted (a MultiPolygon needs 4 levels).
MAX_DEPTH = 64
#: Most digits of an integer (ids, versions and counts need far fewer).
MAX_INT_DIGITS = 30

# an escape \uD800–\uDFFF with the backslashes before it (an even number is no escape)
_SURROGATE_ESCAPE = re.compile(r"(\\+)u[dD]([89a-fA-F])[0-9a-fA-F]{2}")
_BRACKETS = np.zeros(256, dtype=np.int8)
_BRACKETS[[ord("["), ord("{")]] = 1
_BRACKETS[[ord("]"), ord("}")]] = -1
_QUOTE, _BACKSLASH = ord('"'), ord("\\")
_CHUNK = 1 << 20


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


def nesting_depth(source: str | bytes) -> int:
    """How deeply arrays and objects nest in ``source``, or any number above
    :data:`MAX_DEPTH` once it is clear the limit is passed. Brackets inside strings do not
    count.

    Linear, without recursion and in bounded memory: the UTF-8 bytes are scanned in chunks
    with numpy (quotes preceded by an odd number of backslashes do not end a string). For
    malformed input the number may be off; the parser rejects such text anyway."""
    data = source if isinstance(source, bytes) else source.encode("utf-8", "surrogatepass")
    if data.count(b"[") + data.count(b"{") <= MAX_DEPTH:
        return min(data.count(b"[") + data.count(b"{"), MAX_DEPTH)
    depth, deepest, in_string, backslashes = 0, 0, 0, 0
    view = np.frombuffer(data, dtype=np.uint8)
    for start in range(0, len(view), _CHUNK):
        chunk = view[start : start + _CHUNK]
        index = np.arange(len(chunk))
        # index of the last byte that is not a backslash, at or before each position
        last_plain = np.maximum.accumulate(np.where(chunk != _BACKSLASH, index, -1))
        before = np.concatenate(([-1], last_plain[:-1]))
        run = index - 1 - before + np.where(before < 0, backslashes, 0)  # backslashes before
        quotes = (chunk == _QUOTE) & (run % 2 == 0)
        toggles = np.cumsum(quotes, dtype=np.int64) + in_string
        steps = np.where(toggles % 2 == 0, _BRACKETS[chunk], 0)
        levels = np.cumsum(steps, dtype=np.int64) + depth
        deepest = max(deepest, int(levels.max()))
        if deepest > MAX_DEPTH:
            return deepest
        depth, in_string = int(levels[-1]), int(toggles[-1]) % 2
        tail = len(chunk) - 1 - int(last_plain[-1])
        backslashes = tail + (backslashes if last_plain[-1] < 0 else 0)
    return deepest


def _has_lone_surrogate(text: str) -> bool:
    """Whether a ``\\uD800``–``\\uDFFF`` escape in ``text`` is not part of a pair."""
    escapes = []  # (start, end, is_high) of real escapes
    for match in _SURROGATE_ESCAPE.finditer(text):
        if len(match.group(1)) % 2:
            escapes.append((match.end(1) - 1, match.end(), match.group(2) in "89abAB"))
    i = 0
    while i < len(escapes):
        _start, end, high = escapes[i]
        paired = (
            high and i + 1 < len(escapes) and escapes[i + 1][0] == end and not escapes[i + 1][2]
        )
        if not paired:
            return True
        i += 2
    return False


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
    if nesting_depth(source if isinstance(source, bytes) else text) > MAX_DEPTH:
        raise JSONRejected(
            f"JSON ist fehlerhaft: höchstens {MAX_DEPTH} Ebenen Verschachtelung sind erlaubt."
        )
    if "\\u" in text and _has_lone_surrogate(text):
        raise JSONRejected(
            "JSON ist fehlerhaft: ein einzelnes UTF-16-Ersatzzeichen (\\ud800–\\udfff) ist "
            "kein gültiger Text."
        )
    try:
        return json.loads(
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
    except RecursionError:  # a safety net: the depth check above comes first
        raise JSONRejected(
            f"JSON ist fehlerhaft: höchstens {MAX_DEPTH} Ebenen Verschachtelung sind erlaubt."
        ) from None
    except ValueError as exc:  # e.g. a number the int/float parsers refuse
        raise JSONRejected(f"JSON ist fehlerhaft: {str(exc)[:80]}") from None


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider with :func:`strict_loads` for reading; ``dumps`` unchanged."""

    def loads(self, s: str | bytes, **kwargs) -> object:
        if kwargs:  # options for the standard library's reader (callers asking for them)
            return super().loads(s, **kwargs)
        return strict_loads(s)


def json_body(max_bytes: int | None = None) -> object:
    """The request body, parsed strictly; :class:`InvalidInput` (400) with the reason.

    Needs ``Content-Type: application/json``. Bodies over ``max_bytes`` (or over the app's
    ``MAX_CONTENT_LENGTH``, which werkzeug enforces while reading) are a 413."""
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
