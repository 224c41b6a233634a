"""Schemathesis against the app's own OpenAPI document (``/api/openapi.json``), in-process.

For every operation of the document, cases are generated (valid data, and invalid data where
the operation has something to make invalid) and sent through the WSGI app as the logged-in
demo caseworker: the session cookie of a real login and the CSRF token in ``X-CSRFToken`` (the
header is harmless on reads). Each answer must

* never be a server error (5xx; with ``TESTING`` an unhandled exception surfaces as such),
* never be 401: the session is real, so the API must keep accepting it,
* have a status code the document declares for the operation,
* have the declared content type, headers and (for JSON) a body matching the schema.

Path parameters are sometimes replaced by real ones (the demo area, ids of its features), so
generated cases reach the handlers behind the 404 of an unknown area. Every operation gets a
fresh copy of the demo data (the ``app`` fixture), so writes never leak into other tests.

The operations are listed from :func:`openapi_document` at collection time (schemathesis'
own pytest integration with fixtures does not work with pytest 9); the schema the cases are
generated from is the one the app serves.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from support.web import csrf_token, login

from sozialraum.demo.area import DEMO_AREA
from sozialraum.web.openapi import openapi_document

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
METHODS = ("get", "put", "post", "delete", "patch")
OPERATIONS = sorted(
    (method.upper(), path)
    for path, item in openapi_document()["paths"].items()
    for method in item
    if method in METHODS
)

#: path parameter -> layer whose feature ids are real values for it
ID_LAYERS = {
    "address_id": "addresses",
    "resource_id": "resources",
    "note_id": "notes",
    "walk_id": "walks",
    "offer_id": "offers",
}

SETTINGS = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture
def api_schema(app):
    """The app's OpenAPI document, loaded from the app itself (in-process WSGI)."""
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


@pytest.fixture
def caseworker(app) -> dict[str, str]:
    """Session cookie and CSRF token of the demo caseworker, logged in through the real form."""
    client = login(app.test_client(), "caseworker")
    token = csrf_token(client, "/")
    return {"session": client.get_cookie("session").value, "token": token}


@pytest.fixture
def real_ids(demo_store) -> dict[str, list[str]]:
    """A few real values per path parameter (from this test's copy of the demo data): feature
    ids, and resource categories for ``{category}``."""
    ids = {
        name: [f["id"] for f in demo_store.query(DEMO_AREA, layer)[:3]]
        for name, layer in ID_LAYERS.items()
    }
    # notes the caseworker (Team Nord) may see: other teams' notes are a 404 for it
    team_notes = [
        f for f in demo_store.query(DEMO_AREA, "notes") if f["properties"]["team"] == "Team Nord"
    ]
    ids["note_id"] = [f["id"] for f in team_notes[:3]]
    ids["district"] = [f["id"] for f in demo_store.query(DEMO_AREA, "districts")[:3]]
    categories = {
        c for f in demo_store.query(DEMO_AREA, "resources") for c in f["properties"]["categories"]
    }
    ids["category"] = sorted(categories)[:3]
    assert all(ids.values()), ids  # the demo data has features in every layer used here
    return ids


def _cases(operation):
    """Valid cases, and invalid ones where the operation has something to make invalid."""
    strategies = [operation.as_strategy(GenerationMode.POSITIVE)]
    if operation.path_parameters or operation.query or operation.headers or operation.body:
        strategies.append(operation.as_strategy(GenerationMode.NEGATIVE))
    return st.one_of(strategies)


def _use_real_path_parameters(case, real_ids, data) -> None:
    """Replace generated path parameters by real ones when hypothesis says so."""
    params = case.path_parameters or {}
    if "area" in params and data.draw(st.booleans(), label="real area"):
        params["area"] = DEMO_AREA
        for name in sorted(set(params) & set(real_ids)):
            if data.draw(st.booleans(), label=f"real {name}"):
                params[name] = data.draw(st.sampled_from(real_ids[name]), label=name)
        query = case.query or {}
        if "district" in query and data.draw(st.booleans(), label="real district"):
            query["district"] = data.draw(st.sampled_from(real_ids["district"]), label="district")


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_api_conforms_to_its_openapi_document(method, path, api_schema, caseworker, real_ids):
    operation = api_schema[path][method]
    statuses = []

    @SETTINGS
    @given(case=_cases(operation), data=st.data())
    def check(case, data):
        _use_real_path_parameters(case, real_ids, data)
        # identity: the WSGI transport of schemathesis does not undo the app's gzip encoding
        headers = {"X-CSRFToken": caseworker["token"], "Accept-Encoding": "identity"}
        # the real session cookie replaces any "session" cookie generated from the document
        response = case.call(headers=headers, cookies={"session": caseworker["session"]})
        statuses.append((response.status_code, case.path_parameters, case.query))
        assert response.status_code != 401, "the logged-in caseworker lost the session"
        case.validate_response(response, checks=CHECKS, headers=headers)

    check()
    # the real path parameters lead past "unknown area" to the handlers
    assert any(status != 404 for status, *_ in statuses), statuses
