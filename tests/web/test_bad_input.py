"""Bad input on every write route and upload, generated from the route table.

Oversized bodies are a 413, malformed or non-strict JSON a 400 with the reason, bad
geometries and points outside the area a 400 with the reason, hostile ids in any URL
parameter a 400/404 — never a 500, no data file changed by a rejected write and nothing
created outside the data folder. A new route is covered automatically.

The tests that send requests run on both store backends (``@both_backends``: GeoJSON files,
PostgreSQL); "nothing changed" is checked on the files and through the store.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections import Counter
from pathlib import Path

import pytest
from support.backends import both_backends, store_revisions
from support.samples import (
    AREA,
    address_line,
    fresh_meeting,
    fresh_note,
    fresh_offer,
    fresh_proposal,
    json_body,
    offer_fields,
    sample_values,
)
from support.web import csrf_token, login, mapping_fields

from sozialraum import settings
from sozialraum.web._json import MAX_DEPTH, JSONRejected, StrictJSONProvider, strict_loads
from sozialraum.web.errors import GERMAN
from sozialraum.web.routes import ROUTES

#: MAX_CONTENT_LENGTH of the test app: small, so oversized bodies stay cheap.
LIMIT = 64 * 1024
WRITE_METHODS = ("POST", "PUT", "DELETE")
WRITES = [(r, m) for r in ROUTES for m in r.methods if m in WRITE_METHODS]
API_WRITES = [(r, m) for r, m in WRITES if r.rule.startswith("/api/")]
#: API writes that read a JSON body (DELETE reads none).
JSON_WRITES = [(r, m) for r, m in API_WRITES if m != "DELETE"]
UPLOADS = {  # endpoint → file names it takes (the first is the regular one)
    "import_offers": ("angebote.csv", "angebote.geojson"),
    "import_returns": ("ruecklaeufer.csv",),
    "mailbox_list": ("liste.csv",),
}

#: How many bad inputs × routes were tried, per kind (printed at the end, for the README).
TRIED: Counter = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report_counts():
    yield
    total = sum(TRIED.values())
    lines = [f"  {kind}: {count}" for kind, count in sorted(TRIED.items())]
    print("\nbad inputs × routes tried:\n" + "\n".join(lines) + f"\n  total: {total}")


# -- helpers ---------------------------------------------------------------------------


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _written(store) -> tuple:
    """What a write would change: the data folder's files (with PostgreSQL only what is
    beside the database) and the store's layers, metadata and audit, read through it."""
    return _hashes(store.data_dir), store_revisions(store, AREA)


def _listing(folder: Path) -> set[str]:
    return {str(p) for p in folder.rglob("*")}


@pytest.fixture
def small_app(app):
    app.config["MAX_CONTENT_LENGTH"] = LIMIT
    return app


@pytest.fixture
def lead(small_app):
    """A client logged in as a team lead (may write everything but admin pages)."""
    client = login(small_app.test_client(), "lead")
    return client, csrf_token(client, "/anmelden")


@pytest.fixture
def admin(small_app):
    """A client logged in as an admin (for the admin pages)."""
    client = login(small_app.test_client(), "admin")
    return client, csrf_token(client, "/anmelden")


def _url(route, values: dict, **override) -> str:
    out = route.rule
    for name in route.rule.split("<")[1:]:
        name = name.split(">")[0]
        out = out.replace(f"<{name}>", override.get(name, values[name]))
    return out


def _values(demo_store, route, samples) -> dict:
    """Real ids for the route's URL parameters (fresh notes, meetings, offers, proposals)."""
    values = dict(samples)
    # converter parameters (the basemap tile's <int:z>/<int:x>/<int:y>) by their full name
    values.update({f"int:{k}": samples[k] for k in "zxy" if k in samples})
    rule = route.rule
    if "<note_id>" in rule:
        values["note_id"] = fresh_note(demo_store, samples)["id"]
    if "<meeting_id>" in rule or route.endpoint == "start_meeting":
        meeting = fresh_meeting(demo_store, add="<meeting_id>" in rule)
        values["meeting_id"] = meeting["id"] if meeting else ""
    if "<offer_id>" in rule:
        values["offer_id"] = fresh_offer(demo_store, samples)["id"]
    if "<proposal_id>" in rule:
        values["proposal_id"] = fresh_proposal(demo_store, samples)["id"]
    return values


def _form(url: str, samples, demo_store) -> dict:
    """Form fields every HTML write route accepts (as in the permission test)."""
    form = {
        **samples["json"],
        "version": "1",
        "review_state": "entwurf",
        "district": "r1",
        "title": "Rundgang",
        "walk_on": "2026-12-01",
        "addresses": address_line(demo_store),
        "adresse": address_line(demo_store),
        "text-0": "Aushang möglich.",
        "action": "einreichen" if "/pruefung/" in url else "vorschlagen",
        "Teamleitung": "1",
    }
    if "/angebote" in url:
        form.update(offer_fields(samples))
    return form


def _send(client, token, method, url, *, body=None, raw=None, form=None, files=None):
    """One request: JSON (``body`` or ``raw`` text/bytes) for the API, a form otherwise."""
    headers = {"X-CSRFToken": token, "If-Match": '"v1"'}
    if url.startswith("/api/"):
        data = raw if raw is not None else json.dumps(body)
        return client.open(
            url, method=method, data=data, content_type="application/json", headers=headers
        )
    data = {"csrf_token": token, **(form or {}), **(files or {})}
    return client.open(url, method=method, data=data)


def _german_413(response) -> bool:
    if response.is_json:
        return response.json["error"] == GERMAN[413] and response.json["status"] == 413
    return GERMAN[413] in response.get_data(as_text=True) or "zu groß" in response.get_data(
        as_text=True
    )


def _reason(response) -> str:
    """The reason a 4xx names: ``detail`` of the API, the error paragraph of a page."""
    if response.is_json:
        return response.json.get("detail") or ""
    text = response.get_data(as_text=True)
    start = max(text.find('class="error"'), text.find('class="problems"'))
    return text[start : start + 400] if start >= 0 else ""


# -- the JSON provider -----------------------------------------------------------------

BAD_JSON = {
    "nan": ("NaN", "keine gültige Zahl"),
    "infinity": ("Infinity", "keine gültige Zahl"),
    "minus_infinity": ("-Infinity", "keine gültige Zahl"),
    "overflow": ("1e400", "keine gültige Zahl"),
    "negative_overflow": ("-1e400", "keine gültige Zahl"),
    "huge_integer": ("1" + "0" * 40, "Ziffern"),
    "huge_negative_integer": ("-" + "9" * 5000, "Ziffern"),
    "deep_nesting": ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "Verschachtelung"),
    "very_deep_nesting": ("[" * 30_000 + "]" * 30_000, "Verschachtelung"),
    "deep_objects": ('{"a":' * 100 + "1" + "}" * 100, "Verschachtelung"),
    "lone_surrogate": ('"\\ud800"', "Ersatzzeichen"),
}


@pytest.mark.parametrize("name", BAD_JSON)
def test_provider_rejects_non_strict_json(name):
    token, reason = BAD_JSON[name]
    for text in (token, f'{{"x": {token}}}', f"[1, {token}]"):
        with pytest.raises(JSONRejected, match=reason):
            strict_loads(text)
        with pytest.raises(ValueError, match=reason):  # werkzeug's 400 path catches ValueError
            strict_loads(text.encode())


def test_provider_rejects_duplicate_keys_and_bad_bytes():
    with pytest.raises(ValueError, match="doppelt"):
        strict_loads('{"lon": 6.9, "lat": 51.4, "lon": 0}')
    with pytest.raises(ValueError, match="doppelt"):
        strict_loads('[{"a": {"b": 1, "b": 1}}]')
    for data in (b"\xff\xfe{}", '{"a": "ä"}'.encode("latin-1"), '{"a": 1}'.encode("utf-16")):
        with pytest.raises(ValueError, match="UTF-8"):
            strict_loads(data)
    with pytest.raises(ValueError, match="fehlerhaft"):
        strict_loads('{"a": ')


def test_provider_accepts_strict_json():
    text = (
        '{"a": [1, -2.5, 1e300, 123456789012345678901234567890, "[[[{{", "\\"[", '
        '"\\ud83d\\ude00", null, true], "b": {"c": "\\\\"}}'
    )
    assert strict_loads(text) == json.loads(text)
    assert strict_loads(b"\xef\xbb\xbf[1]") == [1]  # a UTF-8 byte order mark is fine
    deepest = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert strict_loads(deepest) == json.loads(deepest)
    brackets_in_strings = json.dumps(["[" * 10_000, "{" * 10_000])
    assert strict_loads(brackets_in_strings) == ["[" * 10_000, "{" * 10_000]


def test_deep_nesting_is_rejected_before_parsing_a_huge_body():
    """20 MB of ``[`` is refused by the depth check (json's C parser would recurse)."""
    with pytest.raises(ValueError, match="Verschachtelung"):
        strict_loads(b"[" * (20 * 1024 * 1024))
    escaped = b'["\\\\", ' + b"[" * 100 + b"]" * 100 + b"]"  # a backslash, then real nesting
    with pytest.raises(ValueError, match="Verschachtelung"):
        strict_loads(escaped)


def test_provider_is_the_apps_and_get_json_answers_400(app):
    assert isinstance(app.json, StrictJSONProvider)
    assert app.json.dumps({"a": 1}) == '{"a": 1}'
    with app.test_request_context(method="POST", data="[NaN]", content_type="application/json"):
        from flask import request
        from werkzeug.exceptions import BadRequest

        assert request.get_json(silent=True) is None
        with pytest.raises(BadRequest):
            request.get_json()


# -- every write route: oversized bodies -----------------------------------------------


@both_backends
def test_every_write_route_answers_413_to_an_oversized_body(small_app, lead, demo_store):
    client, token = lead
    samples = sample_values(demo_store)
    big = "x" * (LIMIT + 1)
    for route, method in WRITES:
        values = _values(demo_store, route, samples)
        url = _url(route, values)
        before = _written(demo_store)
        if url.startswith("/api/"):
            body = json_body(url, samples, demo_store)
            body = {"addresses": body} if isinstance(body, list) else body
            attempts = [_send(client, token, method, url, body={**body, "padding": big})]
        else:
            form = _form(url, samples, demo_store)
            attempts = [_send(client, token, method, url, form={**form, "padding": big})]
            if route.endpoint in UPLOADS:
                files = {"datei": (io.BytesIO(big.encode()), UPLOADS[route.endpoint][0])}
                attempts.append(_send(client, token, method, url, form=form, files=files))
        for response in attempts:
            TRIED["oversized body"] += 1
            assert response.status_code == 413, (method, url, response.status_code)
            assert _german_413(response), (method, url)
        assert _written(demo_store) == before, (method, url)


# -- JSON routes: non-strict JSON ------------------------------------------------------


def _variants(valid) -> dict[str, tuple[str | bytes, str]]:
    """Bad bodies built around a valid one: (raw body, a word the reason must contain)."""
    text = json.dumps(valid, ensure_ascii=False)
    rest = text[1:]
    if isinstance(valid, dict):
        first = next(iter(valid))
        bad = {
            name: ('{"x": ' + token + ", " + rest, reason)
            for name, (token, reason) in BAD_JSON.items()
        }
        bad["duplicate_key"] = ("{" + json.dumps(first) + ": 1, " + rest, "doppelt")
    else:
        bad = {
            name: ("[" + token + ", " + rest, reason) for name, (token, reason) in BAD_JSON.items()
        }
        bad["duplicate_key"] = ('[{"street": "a", "street": "b"}, ' + rest, "doppelt")
    opening = '{"x": "Straße", ' if isinstance(valid, dict) else '["Straße", '
    bad["latin1"] = ((opening + rest).encode("cp1252"), "UTF-8")
    bad["utf16"] = (text.encode("utf-16"), "UTF-8")
    bad["truncated"] = (text[:-1], "fehlerhaft")
    bad["garbage"] = (b"\x89PNG\r\n\x1a\n\x00\x00", "UTF-8")
    bad["empty"] = ("", "fehlerhaft")
    return bad


@both_backends
def test_json_routes_answer_400_with_the_reason(lead, demo_store):
    client, token = lead
    samples = sample_values(demo_store)
    for route, method in JSON_WRITES:
        values = _values(demo_store, route, samples)
        url = _url(route, values)
        for name, (raw, reason) in _variants(json_body(url, samples, demo_store)).items():
            before = _written(demo_store)
            response = _send(client, token, method, url, raw=raw)
            TRIED["non-strict JSON body"] += 1
            assert response.status_code == 400, (name, method, url, response.status_code)
            assert response.json["error"] == GERMAN[400]
            assert reason in response.json["detail"], (name, url, response.json)
            assert _written(demo_store) == before, (name, url)
        for raw in ("[]", "null", '"x"', "1"):  # valid JSON but no usable body
            response = _send(client, token, method, url, raw=raw)
            TRIED["non-strict JSON body"] += 1
            assert response.status_code == 400, (raw, url, response.status_code)
            assert response.json["detail"]
        wrong_type = client.open(
            url, method=method, data="lon=1", headers={"X-CSRFToken": token, "If-Match": '"v1"'}
        )
        TRIED["non-strict JSON body"] += 1
        assert wrong_type.status_code == 400 and "JSON" in wrong_type.json["detail"], url


def test_lone_surrogates_need_a_real_escape():
    assert strict_loads(r'"\\ud800"') == "\\ud800"  # an escaped backslash, then text
    assert strict_loads(r'"\ud83d\ude00"') == "\U0001f600"
    for text in (r'"\\\ud800"', r'"\ude00\ud83d"', r'["\udc00"]'):
        with pytest.raises(ValueError, match="Ersatzzeichen"):
            strict_loads(text)


# -- hostile ids in every URL parameter ------------------------------------------------

BAD_IDS = {
    "dot_dot_slash": "../../../etc/passwd",
    "encoded_slash_lower": "..%2f..%2fsecrets",
    "encoded_slash_upper": "..%2F..%2Fsecrets",
    "encoded_dots": "%2e%2e%2f%2e%2e%2fx",
    "double_encoded": "..%252f..%252fx",
    "dot_dot": "..",
    "backslashes": "..%5c..%5cwindows",
    "nul": "note%00.json",
    "nul_only": "%00",
    "long": "a" * 300,
    "very_long": "b" * 5000,
    "control": "x%0d%0aSet-Cookie:%20a=b",
    "space_and_umlaut": "%20%C3%A4%20",
    "invalid_utf8": "%ff%fe",
    "glob": "%2A",
    "dot_json": "notes.json",
}


@both_backends
def test_hostile_ids_in_every_url_parameter_are_400_or_404(lead, admin, demo_store, tmp_path):
    samples = sample_values(demo_store)
    outside = tmp_path.parent
    listing = _listing(outside) - _listing(demo_store.data_dir)
    routes = [(r, m) for r in ROUTES for m in r.methods if "<" in r.rule]
    assert len(routes) > 40
    for route, method in routes:
        client, token = admin if route.access == "admin" else lead  # the lead may not go there
        values = _values(demo_store, route, samples)
        before = _written(demo_store)
        for name in [p.split(">")[0] for p in route.rule.split("<")[1:]]:
            for label, bad in BAD_IDS.items():
                url = _url(route, values, **{name: bad})
                if method == "GET":
                    response = client.get(url)
                elif url.startswith("/api/"):
                    response = _send(
                        client, token, method, url, body=json_body(url, samples, demo_store)
                    )
                else:
                    response = _send(
                        client, token, method, url, form=_form(url, samples, demo_store)
                    )
                TRIED["hostile id in a URL parameter"] += 1
                assert response.status_code in (400, 404), (
                    label, method, url[:120], response.status_code,
                )  # fmt: skip
        assert _written(demo_store) == before, (method, route.rule)
    assert _listing(outside) - _listing(demo_store.data_dir) == listing


# -- points and GeoJSON ----------------------------------------------------------------

BOWTIE = {"type": "Polygon", "coordinates": [[[6.94, 51.425], [6.96, 51.435], [6.96, 51.425],
                                              [6.94, 51.435], [6.94, 51.425]]]}  # fmt: skip
CRS = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}}


def _points(demo_store) -> dict[str, tuple[object, object, str]]:
    """Bad (lon, lat) pairs for routes that take a point, with a word of the reason."""
    lon, lat = sample_values(demo_store)["json"]["lon"], sample_values(demo_store)["json"]["lat"]
    return {
        # isochrones: "farther than 250 m from any walkable way" (of the area)
        "swapped": (lat, lon, ("außerhalb", "walkable way")),
        "elsewhere_in_germany": (13.405, 52.52, ("außerhalb", "walkable way")),  # Berlin
        "null_island": (0.0, 0.0, ("außerhalb", "walkable way")),
        "out_of_range": (200.0, 95.0, ("zwischen", "between")),
        "negative_out_of_range": (-181.0, -91.0, ("zwischen", "between")),
        "text": ("sechs", "einundfünfzig", ("Zahl", "number")),
        "list": ([lon, lat], [lat, lon], ("Zahl", "number")),
        "bool": (True, False, ("Zahl", "number")),
    }


def _geo_members() -> dict[str, tuple[dict, str]]:
    """Extra GeoJSON members a body with lon/lat must refuse, with a word of the reason."""
    return {
        "crs": ({"crs": CRS}, "crs"),
        "self_intersecting_polygon": ({"geometry": BOWTIE}, "geometry"),
        "invalid_geometry": (
            {"geometry": {"type": "Point", "coordinates": "6.9,51.4"}},
            "geometry",
        ),
        "feature": ({"type": "Feature"}, "type"),
    }


#: endpoint → how a JSON body with a point is made from (lon, lat) and extra members.
def _point_bodies(samples) -> dict[str, object]:
    note = samples["json"]
    offer = offer_fields(samples)
    return {
        "create_note": lambda lon, lat, **x: {**note, "lon": lon, "lat": lat, **x},
        "update_note": lambda lon, lat, **x: {**note, "lon": lon, "lat": lat, **x},
        "create_offer": lambda lon, lat, **x: {**offer, "lon": lon, "lat": lat, **x},
        "update_offer": lambda lon, lat, **x: {**offer, "lon": lon, "lat": lat, **x},
        "propose_offer": lambda lon, lat, **x: {"offer": {**offer, "lon": lon, "lat": lat, **x}},
        "isochrones": lambda lon, lat, **x: {"lon": lon, "lat": lat, **x},
        "find_offers": lambda lon, lat, **x: {"situation": {}, "lon": lon, "lat": lat, **x},
    }


@both_backends
def test_api_points_outside_the_area_and_geojson_members_are_400(lead, demo_store):
    client, token = lead
    samples = sample_values(demo_store)
    makers = _point_bodies(samples)
    routes = [(r, m) for r, m in JSON_WRITES if r.endpoint in makers]
    assert {r.endpoint for r, _ in routes} == set(makers)
    failures = []
    for route, method in routes:
        values = _values(demo_store, route, samples)
        url = _url(route, values)
        make = makers[route.endpoint]
        cases = {name: (make(lon, lat), reason) for name, (lon, lat, reason) in
                 _points(demo_store).items()}  # fmt: skip
        good = samples["json"]["lon"], samples["json"]["lat"]
        for name, (members, reason) in _geo_members().items():
            cases[name] = (make(*good, **members), reason)
        if route.endpoint == "find_offers":  # takes no point at all: every point is unknown
            cases = {k: (body, ("unbekannte Felder",)) for k, (body, _) in cases.items()}
        before = _written(demo_store)
        for name, (body, reason) in cases.items():
            response = _send(client, token, method, url, body=body)
            TRIED["bad point or GeoJSON member (API)"] += 1
            detail = response.json.get("detail", "") if response.is_json else ""
            if response.status_code != 400 or not any(word in detail for word in reason):
                failures.append((route.endpoint, name, response.status_code, detail[:100]))
        assert _written(demo_store) == before, url
    assert not failures, "\n".join(map(str, failures))


def _million_vertices(prefix: bytes) -> bytes:
    """A JSON object ``prefix`` + a polygon of a million vertices (about 13 MB)."""
    ring = b"[6.95,51.43]," * 999_999 + b"[6.95,51.43]"
    return prefix + b'"geometry":{"type":"Polygon","coordinates":[[' + ring + b"]]}}"


@both_backends
def test_a_million_vertices_and_20_mb_of_brackets_are_413_or_400(app, demo_store):
    """Under the app's real 20 MB limit: parsed and refused with the reason; over a small
    limit: 413 before parsing."""
    client = login(app.test_client(), "lead")
    token = csrf_token(client, "/anmelden")
    url = f"/api/areas/{AREA}/notes"
    body = _million_vertices(b'{"lon":6.95,"lat":51.43,"category":"beobachtung","text":"x",')
    collection = _million_vertices(b'{"type":"FeatureCollection",')
    before = _written(demo_store)
    response = _send(client, token, "POST", url, raw=body)
    assert response.status_code == 400 and "geometry" in response.json["detail"]
    response = _send(client, token, "POST", url, raw=b"[" * (19 * 1024 * 1024))
    assert response.status_code == 400 and "Verschachtelung" in response.json["detail"]
    files = {"datei": (io.BytesIO(collection), "x.geojson")}  # over the import's 5 MB
    response = _send(client, token, "POST", f"/gebiete/{AREA}/angebote/import", files=files)
    assert response.status_code == 413 and "zu groß" in _reason(response)
    app.config["MAX_CONTENT_LENGTH"] = LIMIT
    response = _send(client, token, "POST", url, raw=body)
    assert response.status_code == 413 and response.json["error"] == GERMAN[413]
    files = {"datei": (io.BytesIO(collection), "x.geojson")}
    response = _send(client, token, "POST", f"/gebiete/{AREA}/angebote/import", files=files)
    assert response.status_code == 413 and _german_413(response)
    TRIED["a million vertices / 20 MB of brackets"] += 5
    assert _written(demo_store) == before


@both_backends
def test_form_points_outside_the_area_are_400(lead, demo_store):
    client, token = lead
    samples = sample_values(demo_store)
    lon, lat = samples["json"]["lon"], samples["json"]["lat"]
    points = {
        "swapped": (lat, lon),
        "elsewhere_in_germany": (13.405, 52.52),
        "null_island": (0, 0),
        "out_of_range": (200, 95),
        "nan": ("nan", "nan"),
        "infinity": ("inf", "-inf"),
        "overflow": ("1e400", "1e400"),
        "text": ("sechs", "einundfünfzig"),
    }
    forms = {
        "new_note": {},
        "edit_note": {"version": "1"},
        "new_offer": {},
        "edit_offer": {"version": "1"},
    }
    failures = []
    for route in ROUTES:
        if route.endpoint not in {*forms, "new_walk"} or "POST" not in route.methods:
            continue
        values = _values(demo_store, route, samples)
        url = _url(route, values)
        before = _written(demo_store)
        for name, (x, y) in points.items():
            form = {**_form(url, samples, demo_store), **forms.get(route.endpoint, {})}
            if route.endpoint == "new_walk":  # free points: "Breite, Länge, Bezeichnung"
                form.update(points=f"{y}, {x}, Bank", addresses="")
            else:
                form.update(lon=str(x), lat=str(y))
            response = _send(client, token, "POST", url, form=form)
            TRIED["bad point (form)"] += 1
            if response.status_code != 400 or not _reason(response):
                failures.append((route.endpoint, name, response.status_code, _reason(response)))
        assert _written(demo_store) == before, url
    assert not failures, "\n".join(map(str, failures))


# -- uploads ---------------------------------------------------------------------------


def _offer_feature(lon, lat, **extra) -> dict:
    props = {"name": "Kochtreff", "provider": "Verein", "funders": ["kommune"],
             "description": "Kochen.", "phone": "01234 5678"}  # fmt: skip
    geometry = {"type": "Point", "coordinates": [lon, lat]}
    return {"type": "Feature", "geometry": geometry, "properties": props, **extra}


def _collection(*features, **extra) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features), **extra}).encode()


def _bad_files(demo_store) -> dict[str, dict[str, tuple[bytes, str, int, str]]]:
    """Per upload endpoint: name → (content, file name, status, a word of the message)."""
    lon, lat = sample_values(demo_store)["json"]["lon"], sample_values(demo_store)["json"]["lat"]
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    garbage = bytes((i * 7919) % 256 for i in range(4096))
    csv_utf16 = "Straße;Hausnummer;Datum\nLindenweg;1;01.11.2026\n".encode("utf-16")
    common = {
        "png_as_csv": (png, "liste.csv", 400, "Binärdaten"),
        "png": (png, "bild.png", 400, "Binärdaten"),
        "garbage": (garbage, "liste.csv", 400, "Binärdaten"),
        "utf16": (csv_utf16, "liste.csv", 400, "Binärdaten"),
        "empty": (b"", "liste.csv", 400, "leer"),
        "blank": (b"  \n\n", "liste.csv", 400, "leer"),
        "huge": (b"a;b\n" * (LIMIT // 4 + 1), "liste.csv", 413, "zu groß"),
    }
    geojson = {
        "crs": (_collection(_offer_feature(lon, lat), crs=CRS), "a.geojson", 400, "crs"),
        "swapped": (_collection(_offer_feature(lat, lon)), "a.geojson", 400, "außerhalb"),
        "outside": (_collection(_offer_feature(13.405, 52.52)), "a.geojson", 400, "außerhalb"),
        "out_of_range": (_collection(_offer_feature(200, 95)), "a.geojson", 400, "zwischen"),
        "self_intersecting": (
            _collection({**_offer_feature(lon, lat), "geometry": BOWTIE}), "a.geojson", 400,
            "Punkte",
        ),
        "invalid_geometry": (
            _collection({**_offer_feature(lon, lat), "geometry": {"type": "Point",
                                                                  "coordinates": "x"}}),
            "a.geojson", 400, "Punkte",
        ),
        "nan": (b'{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": '
                b'{"type": "Point", "coordinates": [NaN, 51.4]}, "properties": {}}]}',
                "a.geojson", 400, "GeoJSON"),
        "overflow": (_collection(_offer_feature(lon, lat)).replace(str(lon).encode(), b"1e400"),
                     "a.geojson", 400, "zwischen"),
        "duplicate_keys": (b'{"type": "FeatureCollection", "type": "x", "features": []}',
                           "a.geojson", 400, "doppelte"),
        "deep": (b'{"type": "FeatureCollection", "features": ' + b"[" * 5000 + b"]" * 5000
                 + b"}", "a.geojson", 400, "GeoJSON"),
        "not_geojson": (b"[1, 2]", "a.geojson", 400, "FeatureCollection"),
        "latin1": ('{"type": "FeatureCollection", "features": [], "x": "Straße"}'.encode("cp1252"),
                   "a.geojson", 400, "UTF-8"),
        "png_as_geojson": (png, "a.geojson", 400, "GeoJSON"),
        "empty_geojson": (b"", "a.geojson", 400, "GeoJSON"),
    }  # fmt: skip
    return {
        "import_offers": {**common, **geojson},
        "import_returns": common,
        "mailbox_list": common,
    }


@both_backends
def test_uploads_refuse_bad_files_with_a_clear_message(lead, demo_store, tmp_path):
    client, token = lead
    samples = sample_values(demo_store)
    outside = tmp_path.parent
    listing = _listing(outside) - _listing(demo_store.data_dir)
    failures = []
    uploads = [r for r in ROUTES if r.endpoint in UPLOADS and "POST" in r.methods]
    assert {r.endpoint for r in uploads} == set(UPLOADS)
    for route in uploads:
        url = _url(route, samples)
        before = _written(demo_store)
        for name, (data, filename, status, word) in _bad_files(demo_store)[route.endpoint].items():
            files = {"datei": (io.BytesIO(data), filename)}
            response = _send(client, token, "POST", url, files=files)
            TRIED["bad upload"] += 1
            reason = _reason(response)
            if response.status_code != status or word not in reason:
                failures.append((route.endpoint, name, response.status_code, reason[:160]))
        assert _written(demo_store) == before, url
    assert _listing(outside) - _listing(demo_store.data_dir) == listing
    assert not failures, "\n".join(map(str, failures))


@both_backends
def test_the_regular_uploads_still_work(lead, demo_store):
    """The bad-file cases above fail for the bad content, not for the way they are sent."""
    client, token = lead
    day = settings.today().strftime("%d.%m.%Y")
    line = address_line(demo_store)
    csv = f"Datum;Adresse\n{day};{line}\n".encode()
    for path in ("briefkasten/liste", "briefkasten/ruecklaeufer"):
        files = {"datei": (io.BytesIO(csv), "liste.csv")}
        answer = _send(client, token, "POST", f"/gebiete/{AREA}/{path}", files=files)
        assert answer.status_code == 200
        if path == "briefkasten/liste":  # the column-mapping step, then the check itself
            page = answer.get_data(as_text=True)
            assert "Spalten zuordnen" in page
            files = {"datei": (io.BytesIO(csv), "liste.csv"), **mapping_fields(page)}
            answer = _send(client, token, "POST", f"/gebiete/{AREA}/{path}", files=files)
            assert answer.status_code == 200 and "data-risk" in answer.get_data(as_text=True)
    samples = sample_values(demo_store)
    good = _collection(_offer_feature(samples["json"]["lon"], samples["json"]["lat"]))
    files = {"datei": (io.BytesIO(good), "a.geojson")}
    response = _send(client, token, "POST", f"/gebiete/{AREA}/angebote/import", files=files)
    assert response.status_code == 200, _reason(response)


@both_backends
def test_control_characters_in_form_texts_are_400(lead, demo_store):
    client, token = lead
    samples = sample_values(demo_store)
    cases = {
        "new_walk": {"title": "Rundgang\x00", "points": "", "addresses": ""},
        "new_offer": {"name": "Kochtreff\x00"},
        "new_note": {"text": "Bank\x00am Platz."},
    }
    before = _written(demo_store)
    for route in ROUTES:
        if route.endpoint in cases and "POST" in route.methods:
            url = _url(route, samples)
            form = {**_form(url, samples, demo_store), **cases[route.endpoint]}
            response = _send(client, token, "POST", url, form=form)
            TRIED["control characters (form)"] += 1
            assert response.status_code == 400, (url, response.status_code)
            assert "Steuerzeichen" in _reason(response), url
    assert _written(demo_store) == before
