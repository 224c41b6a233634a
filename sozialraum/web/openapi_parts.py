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


def conflict_body(item: str) -> dict:
    """The schema of a 412 answer: the ``Error`` fields and the ``current`` version of ``item``.

    Parameters
    ----------
    item : str
        The schema name of the changed resource (``"Note"``, ``"Offer"``).

    Returns
    -------
    dict
        An object schema with ``error``, ``status``, ``detail`` and ``current``.
    """
    return {
        "type": "object",
        "required": ["error", "status", "current"],
        "properties": {"error": STR, "status": INT, "detail": STR, "current": ref(item)},
    }


def param(name: str, where: str = "query", required: bool = False, **extra) -> dict:
    """A string parameter (query by default)."""
    return {"name": name, "in": where, "required": required, "schema": STR, **extra}


def error_answers(texts: dict[int, str], conflict: str, *codes: int) -> dict:
    """Error answers by status.

    ``texts`` describes them, ``conflict`` is the schema of the 412 body (the current version);
    204/304 have no body, the rest the ``Error`` schema.
    """
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


def file_export(summary: str, media: str, schema: dict, parameters: list, errors: dict) -> dict:
    """The OpenAPI path item of a file export: ``GET`` answering a ``media`` file or ``errors``.

    Parameters
    ----------
    summary : str
        The operation's summary.
    media : str
        The media type of the file (``text/csv``, ``application/geo+json`` …).
    schema : dict
        The schema of the file.
    parameters : list
        The operation's parameters (area, filters).
    errors : dict
        The error answers by status, from :func:`error_answers`.

    Returns
    -------
    dict
        ``{"get": operation}``.
    """
    return {
        "get": {
            "summary": summary,
            "parameters": parameters,
            "responses": {
                "200": {"description": "File", "content": {media: {"schema": schema}}},
                **errors,
            },
        }
    }


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


#: The ``area`` path parameter of the read routes.
AREA_PARAM = {
    "name": "area",
    "in": "path",
    "required": True,
    "schema": STR,
    "description": "Area name, e.g. musterstadt-nord",
}


#: Only features in one district (query).
DISTRICT_PARAM = {
    "name": "district",
    "in": "query",
    "required": False,
    "schema": STR,
    "description": "Only features in this district (id)",
}


def cached_ok(schema: str, media: str = "application/json", text: str = "OK") -> dict:
    """A 200 answer with ``schema`` and an ETag header."""
    return {
        "description": text,
        "content": {media: {"schema": ref(schema)}},
        "headers": {"ETag": {"schema": STR}},
    }


def read_errors(*codes: int) -> dict:
    """Error answers of the read routes (areas, walking) for ``codes``."""
    texts = {
        304: "Not modified (If-None-Match)",
        400: "Bad input",
        401: "Not logged in",
        404: "Not found (also: the area has no walk network; import it again)",
        413: "Body too large",
    }
    answers = {}
    for code in codes:
        answers[str(code)] = (
            {"description": texts[code]}
            if code == 304
            else {
                "description": texts[code],
                "content": {"application/json": {"schema": ref("Error")}},
            }
        )
    return answers


def read_get(summary: str, parameters: list, ok: dict, *errors: int, public=False) -> dict:
    """A cached GET operation (304 included) with ``errors``."""
    operation = {
        "summary": summary,
        "parameters": parameters,
        "responses": {"200": ok, **read_errors(304, *errors)},
    }
    if public:
        operation["security"] = []
    return {"get": operation}
