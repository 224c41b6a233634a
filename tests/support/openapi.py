"""Checking a response of the JSON API against its operation in the OpenAPI document."""

from __future__ import annotations

import jsonschema


def _validator(spec, schema):
    """A validator for an inline schema whose "#/components/..." refs point into the spec."""
    return jsonschema.Draft202012Validator({**schema, "components": spec["components"]})


def validate(spec, path_template, response, method="get"):
    operation = spec["paths"][path_template][method]
    answer = operation["responses"][str(response.status_code)]
    content = answer["content"]
    media = response.mimetype
    assert media in content, (media, list(content))
    schema = content[media]["schema"]
    if media == "text/csv":
        assert response.get_data(as_text=True).startswith("\ufeff")
        return
    if media == "application/geopackage+sqlite3":
        assert response.data.startswith(b"SQLite format 3")
        return
    validator = _validator(spec, schema)
    errors = list(validator.iter_errors(response.get_json(force=True)))
    assert not errors, [e.message for e in errors[:3]]
