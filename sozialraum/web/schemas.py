"""Typed API models (pydantic v2): the base classes, shared shapes and the operation decorator.

Every request body and query string of the JSON API is a :class:`Shape` (unknown fields
refused, no type coercion), every answer body an :class:`Answer`. A view declares its models
with :func:`operation`; the decorator validates the request before the view runs and the
OpenAPI document (:mod:`sozialraum.web.openapi`) is generated from the same declarations and
the route table (:mod:`sozialraum.web.routes`).

The body is read by :func:`sozialraum.web._json.json_body` first, so duplicate keys, NaN,
huge numbers, deep nesting and lone surrogates are refused (400, German reason) before
pydantic sees the data. A validation error becomes :class:`~sozialraum.errors.InvalidInput`
(400) whose ``detail`` names the field and the problem in German (``"lon: bitte eine Zahl
angeben"``). The models describe shapes only: the domain rules (vocabularies, dates, four
eyes, expiry) stay in :mod:`sozialraum.model` and the services.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import wraps
from typing import Annotated, Any, ClassVar, Literal

from flask import request
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from sozialraum.errors import InvalidInput
from sozialraum.web._json import json_body
from sozialraum.web.responses import expected_version

JSON = "application/json"
GEOJSON = "application/geo+json"
#: The schema of a file answer that is text (CSV).
STRING = {"type": "string"}


def rule(message: str) -> PydanticCustomError:
    """An error of a rule across fields (for a model validator), with its message."""
    return PydanticCustomError("rule", message)


class Shape(BaseModel):
    """A request body or query string: unknown fields are refused, values are not coerced.

    ``unknown_text`` is the German message for unknown fields (``{names}``: their names);
    ``labels`` names fields in messages (field name or dotted path → German label).
    """

    model_config = ConfigDict(extra="forbid", strict=True, hide_input_in_errors=True)
    unknown_text: ClassVar[str] = "Unbekannte Felder: {names}"
    labels: ClassVar[Mapping[str, str]] = {}
    #: what to send instead of a non-object body (named in the error)
    example: ClassVar[str] = "{…}"


#: GeoJSON members refused in a point body: the point is ``lon``/``lat`` (WGS 84) only.
GEOJSON_MEMBERS = frozenset({"crs", "geometry", "coordinates", "type", "bbox", "features"})


class PointShape(Shape):
    """A body around a point (``lon``/``lat``).

    Other fields are ignored, as they always were, but GeoJSON members (``crs``,
    ``geometry`` …) are refused rather than ignored.
    """

    model_config = ConfigDict(extra="ignore", strict=True, hide_input_in_errors=True)

    @model_validator(mode="before")
    @classmethod
    def _no_geojson(cls, data: object) -> object:
        found = sorted(GEOJSON_MEMBERS & set(data)) if isinstance(data, dict) else []
        if found:  # e.g. a "crs" (RFC 7946 forbids it) or a geometry that would be ignored
            raise rule(
                f"unknown fields {', '.join(found)}: send the point as lon and lat "
                "(WGS 84 degrees, EPSG:4326) only"
            )
        return data


class Query(Shape):
    """A query string: numbers are read from the text; unknown parameters are ignored."""

    model_config = ConfigDict(extra="ignore", strict=False, hide_input_in_errors=True)


class Answer(BaseModel):
    """A response body (documentation only: answers are not validated at run time)."""

    model_config = ConfigDict(extra="allow")


# -- shared field types ------------------------------------------------------------------


def between(low: float, high: float) -> AfterValidator:
    """A validator: a finite number from ``low`` to ``high`` (the message names both)."""

    def check(value: float) -> float:
        if not math.isfinite(value):
            raise PydanticCustomError("finite", "bitte eine Zahl angeben")
        if not low <= value <= high:
            raise PydanticCustomError("between", f"muss zwischen {low} und {high} liegen")
        return value

    return AfterValidator(check)


def number_between(kind: type, low: float, high: float) -> object:
    """A number type from ``low`` to ``high`` (validated and documented)."""
    return Annotated[
        kind, between(low, high), Field(json_schema_extra={"minimum": low, "maximum": high})
    ]


def _empty_is_none(value: object) -> object:
    return None if value == "" else value


#: Longitude in degrees (WGS 84, EPSG:4326).
Lon = number_between(float, -180, 180)
#: Latitude in degrees (WGS 84, EPSG:4326).
Lat = number_between(float, -90, 90)
#: An id of a stored feature (letters, digits, ``_``, ``-``); ``""`` counts as none.
Ref = Annotated[
    Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")] | None,
    BeforeValidator(_empty_is_none),
]
#: An ISO date ``YYYY-MM-DD`` as text; ``""`` counts as none (the services read it).
Day = Annotated[
    Annotated[
        str,
        StringConstraints(pattern=r"^\s*\d{4}-\d{2}-\d{2}\s*$"),
        Field(json_schema_extra={"format": "date"}),
    ]
    | None,
    BeforeValidator(_empty_is_none),
]


class Point(Answer):
    """A GeoJSON Point (RFC 7946), EPSG:4326."""

    type: Literal["Point"] = Field(description="always Point")
    coordinates: list[float] = Field(
        min_length=2, max_length=3, description="longitude, latitude in degrees (EPSG:4326)"
    )


class Error(Answer):
    """An error answer: a German sentence per status and the reason."""

    error: str = Field(description="one German sentence per status")
    status: int = Field(description="the HTTP status code")
    detail: str | None = Field(
        None, description="the reason: German for input a person made, or a protocol hint"
    )


# -- errors ------------------------------------------------------------------------------

_PROBLEMS = {
    "missing": "fehlt",
    "float_type": "bitte eine Zahl angeben",
    "int_type": "bitte eine ganze Zahl angeben",
    "int_from_float": "bitte eine ganze Zahl angeben",
    "int_parsing": "bitte eine ganze Zahl angeben",
    "float_parsing": "bitte eine Zahl angeben",
    "string_type": "bitte einen Text angeben",
    "bool_type": "bitte true oder false angeben",
    "dict_type": "bitte ein JSON-Objekt angeben",
    "model_type": "bitte ein JSON-Objekt angeben",
    "model_attributes_type": "bitte ein JSON-Objekt angeben",
    "list_type": "bitte eine Liste angeben",
    "literal_error": "möglich sind: {expected}",
    "enum": "möglich sind: {expected}",
    "string_too_long": "zu lang (höchstens {max_length} Zeichen)",
    "string_too_short": "zu kurz (mindestens {min_length} Zeichen)",
    "too_long": "zu viele Einträge (höchstens {max_length})",
    "too_short": "mindestens {min_length} Einträge",
    "string_pattern_mismatch": "ungültiger Wert",
    "greater_than_equal": "muss mindestens {ge} sein",
    "less_than_equal": "darf höchstens {le} sein",
    "greater_than": "muss größer als {gt} sein",
    "less_than": "muss kleiner als {lt} sein",
    "finite_number": "bitte eine Zahl angeben",
}


def german_problem(error: Mapping[str, Any], labels: Mapping[str, str] | None = None) -> str:
    """One pydantic error as ``"field: problem"`` in German (``labels``: German field names)."""
    path = ".".join(str(part) for part in error["loc"])
    last = str(error["loc"][-1]) if error["loc"] else ""
    where = (labels or {}).get(path) or (labels or {}).get(last) or path
    kind = error["type"]
    if kind == "rule":  # a rule across fields (see ``rule``): the message says it all
        return error["msg"]
    if kind in ("finite", "between"):  # ours (see between): the message is German already
        problem = error["msg"]
    elif kind in _PROBLEMS:
        try:
            problem = _PROBLEMS[kind].format(**error.get("ctx", {}))
        except (KeyError, IndexError):
            problem = _PROBLEMS[kind]
    else:
        problem = "ungültiger Wert"
    return f"{where}: {problem}"


def validate(model: type[Shape], data: object) -> Shape:
    """``data`` as ``model``; :class:`InvalidInput` (400) naming the first problem in German.

    Unknown fields are named together (``model.unknown_text``), before any other problem.
    """
    if not isinstance(data, dict):
        raise InvalidInput(f"Bitte ein JSON-Objekt senden, z. B. {model.example}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        unknown = [".".join(map(str, e["loc"])) for e in errors if e["type"] == "extra_forbidden"]
        if unknown:
            names = ", ".join(sorted(unknown))[:200]
            raise InvalidInput(model.unknown_text.format(names=names)) from None
        raise InvalidInput(german_problem(errors[0], model.labels)) from None


# -- operations --------------------------------------------------------------------------

#: What an error status means (the OpenAPI description), unless an operation says otherwise.
STATUS_TEXTS = {
    204: "Deleted",
    304: "Not modified (If-None-Match)",
    400: "Bad input (German message in detail)",
    401: "Not logged in",
    403: "Not allowed (viewers, or data of another team)",
    404: "Not found",
    412: "Stale If-Match: the body holds the current version",
    413: "Body too large",
    422: "Text looks like client data (names, birth dates, case numbers, phone, e-mail)",
    428: "If-Match missing",
}


@dataclass(frozen=True)
class Operation:
    """What the OpenAPI document says about one view, and what the decorator validates.

    Parameters
    ----------
    summary : str
        The operation's summary (English, for client developers).
    body, query : type or None
        The request body and query string models.
    ok : type, dict or None
        The success answer: an :class:`Answer` model, a raw JSON schema (files), or None
        (no body, e.g. 204).
    status : int
        The success status (200, 201, 204).
    media : str
        The success answer's media type.
    etag : bool
        Whether the success answer carries an ETag header.
    errors : tuple of int
        The other statuses it answers with (304, 400, 401 …).
    texts : mapping
        Descriptions of statuses that differ from :data:`STATUS_TEXTS`.
    conflict : type or None
        The 412 answer's model (the current version).
    if_match : bool
        Whether ``If-Match`` is required (the expected version is passed as ``expected``).
    max_bytes : int or None
        Largest body accepted (413 above; default: the app's ``MAX_CONTENT_LENGTH``).
    before : callable or None
        Called with the view's URL values before any input is read; an answer it returns
        is the answer (e.g. a 403 that points elsewhere).
    read_body : bool
        Whether the decorator reads and validates the JSON body (False: the view reads it,
        e.g. a body that may also be CSV; ``body`` then only documents it).
    body_media : mapping
        Further media types of the request body and their raw schemas (``text/csv``).
    """

    summary: str
    body: type[BaseModel] | None = None
    query: type[Query] | None = None
    ok: type[Answer] | dict | None = None
    status: int = 200
    media: str = JSON
    etag: bool = True
    errors: tuple[int, ...] = ()
    texts: Mapping[int, str] = field(default_factory=dict)
    conflict: type[Answer] | None = None
    if_match: bool = False
    deprecated: bool = False
    max_bytes: int | None = None
    before: Callable | None = None
    read_body: bool = True
    body_media: Mapping[str, dict] = field(default_factory=dict)


def operation(summary: str, **options) -> Callable:
    """Declare a view's API operation (see :class:`Operation`) and validate its input.

    Before the view runs: ``If-Match`` is read if required (428 without; passed as
    ``expected``), the query string is validated (passed as ``query``) and the JSON body is
    read strictly and validated (passed as ``body``). The view gets the models, never raw
    input.
    """
    op = Operation(summary, **options)

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if op.before is not None:
                refused = op.before(**kwargs)
                if refused is not None:
                    return refused
            if op.if_match:
                kwargs["expected"] = expected_version()
            if op.query is not None:
                kwargs["query"] = validate(op.query, request.args.to_dict())
            if op.body is not None and op.read_body:
                kwargs["body"] = validate(op.body, json_body(op.max_bytes))
            return view(*args, **kwargs)

        wrapped.operation = op
        return wrapped

    return decorate
