"""Building blocks of the OpenAPI document, shared by its per-feature modules."""

from __future__ import annotations

REF = "#/components/schemas/"
GEO = "application/geo+json"
JSON = "application/json"


def ref(name: str) -> dict:
    """A ``$ref`` to a component schema."""
    return {"$ref": REF + name}


def nullable(schema: dict) -> dict:
    """``schema`` or null."""
    return {"anyOf": [schema, {"type": "null"}]}


STR = {"type": "string"}
INT = {"type": "integer"}
NUM = {"type": "number"}
NSTR = nullable(STR)


def feature(geometry: dict, required: list[str], properties: dict, *, with_id: bool = True) -> dict:
    """A GeoJSON Feature schema with the given geometry schema and properties."""
    body: dict = {"type": {"const": "Feature"}}
    if with_id:
        body["id"] = STR
    body["geometry"] = geometry
    body["properties"] = {"type": "object", "required": required, "properties": properties}
    return {"type": "object", "required": list(body), "properties": body}


def collection(item: str) -> dict:
    """A FeatureCollection schema of component ``item``."""
    return {
        "type": "object",
        "required": ["type", "features"],
        "properties": {
            "type": {"const": "FeatureCollection"},
            "features": {"type": "array", "items": ref(item)},
        },
    }


def param(name: str, where: str = "query", required: bool = False, **extra) -> dict:
    """A string parameter (query by default)."""
    return {"name": name, "in": where, "required": required, "schema": STR, **extra}


def error_answers(texts: dict[int, str], conflict: str, *codes: int) -> dict:
    """Error answers by status: ``texts`` describes them, ``conflict`` is the schema of the
    412 body (the current version); 204/304 have no body, the rest the ``Error`` schema."""
    answers = {}
    for code in codes:
        if code in (204, 304):
            answers[str(code)] = {"description": texts[code]}
        elif code == 412:
            answers["412"] = {
                "description": texts[412],
                "content": {JSON: {"schema": ref(conflict)}},
                "headers": {"ETag": {"schema": STR}},
            }
        else:
            answers[str(code)] = {
                "description": texts[code],
                "content": {JSON: {"schema": ref("Error")}},
            }
    return answers


def ok_answer(schema: str, media: str = JSON, code: str = "200", etag: bool = True) -> dict:
    """A successful answer with ``schema`` (and an ETag header unless ``etag`` is false)."""
    answer: dict = {"description": "OK", "content": {media: {"schema": ref(schema)}}}
    if etag:
        answer["headers"] = {"ETag": {"schema": STR}}
    return {code: answer}


IF_MATCH = param("If-Match", "header", True, description='ETag of the changed version, "v3"')


def versioned_item(
    schema: str,
    parameters: list[dict],
    body: dict,
    errors,
    summaries: tuple[str, str, str],
    put_errors: tuple[int, ...],
) -> dict:
    """GET / PUT / DELETE of one versioned GeoJSON feature (ETag; changes need If-Match).

    ``errors`` builds error answers from status codes (the module's ``error_answers``
    with its texts); ``summaries`` are those of get, put and delete.
    """
    get, put, delete = summaries
    changed = [*parameters, IF_MATCH]
    return {
        "get": {
            "summary": get,
            "parameters": parameters,
            "responses": {**ok_answer(schema, GEO), **errors(304, 401, 404)},
        },
        "put": {
            "summary": put,
            "parameters": changed,
            "requestBody": body,
            "responses": {**ok_answer(schema, GEO), **errors(*put_errors)},
        },
        "delete": {
            "summary": delete,
            "parameters": changed,
            "responses": errors(204, 401, 403, 404, 412, 428),
        },
    }
