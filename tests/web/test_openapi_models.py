"""The OpenAPI document is generated from the route table and the views' pydantic models.

Every ``/api/`` route of the route table has a declared operation and appears in the
document with all its methods; every field of every model (bodies, answers, query strings)
and every parameter has a description; request bodies refuse unknown fields; validation
errors name the field and the problem in German.
"""

from __future__ import annotations

import re

import pytest
from pydantic import BaseModel

from sozialraum.errors import InvalidInput
from sozialraum.web.notes.schemas import NoteInput
from sozialraum.web.offers.schemas import FinderInput, ProposalInput
from sozialraum.web.openapi import openapi_document
from sozialraum.web.routes import ROUTES
from sozialraum.web.schemas import Operation, PointShape, Shape, validate

API_ROUTES = [route for route in ROUTES if route.rule.startswith("/api/")]


def _template(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def _models(model: type[BaseModel], seen: set) -> None:
    """``model`` and every model its fields name (nested, in lists and unions)."""
    if model in seen:
        return
    seen.add(model)
    for field in model.model_fields.values():
        stack = [field.annotation]
        while stack:
            kind = stack.pop()
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                _models(kind, seen)
            stack.extend(getattr(kind, "__args__", ()))


def _declared_models() -> set[type[BaseModel]]:
    seen: set = set()
    for route in API_ROUTES:
        op: Operation = route.view.operation
        for model in (op.body, op.query, op.ok, op.conflict):
            if isinstance(model, type) and issubclass(model, BaseModel):
                _models(model, seen)
    return seen


def test_every_api_route_has_a_generated_operation():
    spec = openapi_document()
    assert len(API_ROUTES) > 40
    for route in API_ROUTES:
        assert isinstance(getattr(route.view, "operation", None), Operation), route.rule
        item = spec["paths"][_template(route.rule)]
        for method in route.methods:
            operation = item[method.lower()]
            assert operation["summary"] and operation["responses"], (route.rule, method)
            public = operation.get("security") == []
            assert public == (route.access == "public"), route.rule
    documented = {(path, m.upper()) for path, item in spec["paths"].items() for m in item}
    routed = {(_template(r.rule), m) for r in API_ROUTES for m in r.methods}
    assert documented == routed


def test_every_model_field_and_parameter_has_a_description():
    models = _declared_models()
    assert len(models) > 40
    missing = [
        f"{model.__name__}.{name}"
        for model in models
        for name, field in model.model_fields.items()
        if not (field.description or "").strip()
    ]
    assert not missing, missing
    assert all((model.__doc__ or "").strip() for model in models), [
        m.__name__ for m in models if not m.__doc__
    ]
    spec = openapi_document()
    for name, schema in spec["components"]["schemas"].items():
        for prop, body in schema.get("properties", {}).items():
            assert body.get("description"), f"{name}.{prop}"
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            for parameter in operation["parameters"]:
                assert parameter.get("description"), (method, path, parameter["name"])


def test_request_bodies_refuse_unknown_fields_in_the_document():
    """Bodies refuse unknown fields, point bodies GeoJSON members (other fields ignored)."""
    spec = openapi_document()
    bodies = {r.view.operation.body for r in API_ROUTES} - {None}
    assert len(bodies) >= 7
    for body in bodies:
        if issubclass(body, PointShape):
            with pytest.raises(InvalidInput, match="crs"):
                validate(body, {"lon": 6.9, "lat": 51.4, "crs": {}})
            assert validate(body, {"lon": 6.9, "lat": 51.4, "text": "ignored"})
        elif issubclass(body, Shape):
            schema = spec["components"]["schemas"][body.__name__]
            assert schema["additionalProperties"] is False, body.__name__


@pytest.mark.parametrize(
    ("model", "data", "detail"),
    [
        (NoteInput, {"category": "x", "text": "y", "lon": "sechs"}, "lon: bitte eine Zahl"),
        (NoteInput, {"category": "x", "text": "y", "lat": 95}, "lat: muss zwischen -90 und 90"),
        (NoteInput, {"category": "x", "text": "y", "lon": True}, "lon: bitte eine Zahl"),
        (NoteInput, {"text": "y"}, "category: fehlt"),
        (NoteInput, {"category": "x", "text": "x" * 2001}, "text: zu lang"),
        (NoteInput, {"category": "x", "text": "y", "crs": 1, "b": 2}, "Unbekannte Felder: b, crs"),
        (NoteInput, {"category": "x", "text": "y", "review_state": "x"}, "review_state: möglich"),
        (NoteInput, [1], "JSON-Objekt"),
        (ProposalInput, {"offer": {"provider": 1}}, "Träger: bitte einen Text angeben"),
        (ProposalInput, {"offer": {}, "base_version": 2}, "„base_version“ gibt es nur mit"),
        (FinderInput, {"situation": {"x": 1}}, "unbekannte Felder situation.x"),
    ],
)
def test_validation_errors_name_the_field_and_the_problem_in_german(model, data, detail):
    with pytest.raises(InvalidInput) as caught:
        validate(model, data)
    assert detail in caught.value.message
