"""The OpenAPI 3.1 document of the JSON API (``/api/openapi.json``), generated.

Every ``/api/`` route of the route table (:data:`sozialraum.web.routes.ROUTES`) has a view
declared with :func:`sozialraum.web.schemas.operation`; its models (pydantic) give the
request body, the query parameters and the answers, the route's rule the path parameters and
its access level whether a login is needed. Tests check that every route has an operation,
that every model field has a description and that real answers validate against the
document (schemathesis over every operation).
"""

from __future__ import annotations

import re
from functools import cache

from pydantic.json_schema import models_json_schema

from sozialraum import __version__
from sozialraum.web.schemas import JSON, STATUS_TEXTS, Answer, Error, Operation

REF = "#/components/schemas/"
STR = {"type": "string"}

#: Descriptions of the path parameters, by name.
PATH_PARAMETERS = {
    "area": "Area name, e.g. musterstadt-nord",
    "district": "District id",
    "category": "Resource category id, e.g. bakery",
    "address_id": "Address id",
    "resource_id": "Resource id",
    "note_id": "Note id",
    "walk_id": "Walk id",
    "offer_id": "Offer id",
}
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": True,
    "schema": STR,
    "description": 'ETag of the changed version, "v3"',
}
_SUCCESS = {200: "OK", 201: "Created", 204: "No content"}


def _api_routes():
    from sozialraum.web.routes import ROUTES  # the route table imports every view

    return [route for route in ROUTES if route.rule.startswith("/api/")]


def _operation_of(route) -> Operation:
    op = getattr(route.view, "operation", None)
    if op is None:
        raise LookupError(
            f"{route.rule} ({route.endpoint}): declare the view with @operation "
            "(sozialraum.web.schemas)"
        )
    return op


def _models(operations: list[Operation]) -> list[tuple[type, str]]:
    """Every model the operations name, with the mode its schema is made in."""
    found: dict[type, str] = {Error: "serialization"}
    for op in operations:
        if op.body is not None:  # query models become parameters, not components
            found[op.body] = "validation"
        for model in (op.ok, op.conflict):
            if isinstance(model, type) and issubclass(model, Answer):
                found[model] = "serialization"
    return list(found.items())


def _schema(model, refs) -> dict:
    if isinstance(model, dict):  # a raw schema (files: CSV, GeoPackage)
        return model
    return refs[(model, _mode(model))]


def _mode(model: type) -> str:
    return "serialization" if issubclass(model, Answer) else "validation"


def _not_null(schema: dict) -> dict:
    """A query parameter's schema without the ``null`` branch (absent means null)."""
    branches = schema.get("anyOf")
    if branches:
        rest = [b for b in branches if b.get("type") != "null"]
        if len(rest) == 1:
            schema = {**{k: v for k, v in schema.items() if k != "anyOf"}, **rest[0]}
    return {k: v for k, v in schema.items() if k not in ("default", "title", "description")}


def _parameters(route, op: Operation) -> list[dict]:
    names = re.findall(r"<(?:\w+:)?(\w+)>", route.rule)
    params = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": STR,
            "description": PATH_PARAMETERS.get(name, name),
        }
        for name in names
    ]
    if op.query is not None:
        schema = op.query.model_json_schema()
        required = set(schema.get("required", ()))
        for name, prop in schema["properties"].items():
            params.append(
                {
                    "name": name,
                    "in": "query",
                    "required": name in required,
                    "schema": _not_null(prop),
                    "description": prop.get("description", name),
                }
            )
    if op.if_match:
        params.append(IF_MATCH)
    return params


def _responses(op: Operation, refs) -> dict:
    answers: dict[str, dict] = {}
    ok: dict = {"description": op.texts.get(op.status, _SUCCESS.get(op.status, "OK"))}
    if op.ok is not None:
        ok["content"] = {op.media: {"schema": _schema(op.ok, refs)}}
    if op.etag:
        ok["headers"] = {"ETag": {"schema": STR}}
    answers[str(op.status)] = ok
    error = {JSON: {"schema": refs[(Error, "serialization")]}}
    for code in op.errors:
        text = op.texts.get(code, STATUS_TEXTS[code])
        if code in (204, 304):
            answers[str(code)] = {"description": text}
        elif code == 412 and op.conflict is not None:
            answers["412"] = {
                "description": text,
                "content": {JSON: {"schema": _schema(op.conflict, refs)}},
                "headers": {"ETag": {"schema": STR}},
            }
        else:
            answers[str(code)] = {"description": text, "content": error}
    return answers


@cache
def openapi_document() -> dict:
    """The OpenAPI 3.1 document as a dict (built once per process)."""
    routes = _api_routes()
    operations = [_operation_of(route) for route in routes]
    refs, definitions = models_json_schema(_models(operations), ref_template=REF + "{model}")
    paths: dict[str, dict] = {}
    for route, op in zip(routes, operations, strict=True):
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route.rule)
        item = {"summary": op.summary, "parameters": _parameters(route, op)}
        if op.body is not None:
            content = {JSON: {"schema": _schema(op.body, refs)}, **op.body_media}
            item["requestBody"] = {"required": True, "content": content}
        item["responses"] = _responses(op, refs)
        if op.deprecated:
            item["deprecated"] = True
        if route.access == "public":
            item["security"] = []
        for method in route.methods:
            paths.setdefault(path, {})[method.lower()] = item
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "sozialraum API",
            "version": __version__,
            "description": "Resources, addresses, districts, field notes and support offers of "
            "imported areas. "
            "Coordinates in EPSG:4326 (RFC 7946). Requires a login session "
            "(cookie); writes need the X-CSRFToken header.",
        },
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "session"}},
        },
        "security": [{"session": []}],
        "paths": paths,
    }
