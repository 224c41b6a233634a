"""The JSON API: content types, filters, ETag/304, gzip, errors, and the OpenAPI document.

Every test runs on both store backends (GeoJSON files and PostgreSQL, ``backend_demo_store``)."""

from __future__ import annotations

import gzip
import json
import re

import pytest
from support.openapi import validate
from support.web import csrf_token, login

from sozialraum.web.openapi import openapi_document

AREA = "musterstadt-nord"


@pytest.fixture
def demo_store(backend_demo_store):
    """The demo data on each backend: the tests below run once per backend."""
    return backend_demo_store


@pytest.fixture(scope="module")
def spec():
    return openapi_document()


def _address_id(client):
    return client.get(f"/api/areas/{AREA}/addresses/search?q=Lindenstra%C3%9Fe%2012").json[
        "results"
    ][0]["id"]


def _resource_id(demo_store):
    return demo_store.query(AREA, "resources", category="pharmacy")[0]["id"]


def cases(client, demo_store):
    address_id, resource_id = _address_id(client), _resource_id(demo_store)
    return [
        ("/api/openapi.json", "/api/openapi.json"),
        ("/api/areas", "/api/areas"),
        ("/api/areas/{area}", f"/api/areas/{AREA}"),
        ("/api/areas/{area}/districts", f"/api/areas/{AREA}/districts"),
        ("/api/areas/{area}/layers/{category}", f"/api/areas/{AREA}/layers/bakery"),
        ("/api/areas/{area}/layers/{category}", f"/api/areas/{AREA}/layers/stop?district=r3"),
        ("/api/areas/{area}/addresses", f"/api/areas/{AREA}/addresses?district=r1"),
        ("/api/areas/{area}/addresses/search", f"/api/areas/{AREA}/addresses/search?q=Amsel"),
        ("/api/areas/{area}/addresses/{address_id}", f"/api/areas/{AREA}/addresses/{address_id}"),
        ("/api/areas/{area}/resources/{resource_id}", f"/api/areas/{AREA}/resources/{resource_id}"),
        ("/api/areas/{area}", "/api/areas/gibtsnicht"),
        ("/api/areas/{area}/layers/{category}", f"/api/areas/{AREA}/layers/gibtsnicht"),
        ("/api/areas/{area}/layers/{category}", f"/api/areas/{AREA}/layers/bakery?bbox=1,2"),
        ("/api/areas/{area}/addresses", f"/api/areas/{AREA}/addresses?district=nix"),
        ("/api/areas/{area}/addresses/search", f"/api/areas/{AREA}/addresses/search?q=x&limit=0"),
        ("/api/areas/{area}/addresses/{address_id}", f"/api/areas/{AREA}/addresses/x1"),
        ("/api/areas/{area}/resources/{resource_id}", f"/api/areas/{AREA}/resources/..%2f"),
        (
            "/api/areas/{area}/addresses/{address_id}/walk",
            f"/api/areas/{AREA}/addresses/{address_id}/walk?profil=langsam",
        ),
        ("/api/areas/{area}/addresses/{address_id}/walk", f"/api/areas/{AREA}/addresses/x1/walk"),
        (
            "/api/areas/{area}/addresses/{address_id}/walk",
            f"/api/areas/{AREA}/addresses/{address_id}/walk?profil=rennen",
        ),
        ("/api/areas/{area}/profile", f"/api/areas/{AREA}/profile"),
        ("/api/areas/{area}/profile", f"/api/areas/{AREA}/profile?profil=x"),
        ("/api/areas/{area}/profile.csv", f"/api/areas/{AREA}/profile.csv?profil=langsam"),
        ("/api/areas/{area}/far/{category}", f"/api/areas/{AREA}/far/post_box?min_distance_m=300"),
        ("/api/areas/{area}/far/{category}", f"/api/areas/{AREA}/far/nix"),
        ("/api/areas/{area}/far/{category}", f"/api/areas/{AREA}/far/kita?min_distance_m=-1"),
        ("/api/note-categories", "/api/note-categories"),
        ("/api/areas/{area}/notes", f"/api/areas/{AREA}/notes?district=r1"),
        ("/api/areas/{area}/notes", f"/api/areas/{AREA}/notes?category=nix"),
        ("/api/areas/{area}/notes.csv", f"/api/areas/{AREA}/notes.csv?category=briefkasten"),
        ("/api/areas/{area}/notes.geojson", f"/api/areas/{AREA}/notes.geojson"),
        ("/api/areas/{area}/notes.gpkg", f"/api/areas/{AREA}/notes.gpkg?district=r1"),
        ("/api/areas/{area}/notes/{note_id}", f"/api/areas/{AREA}/notes/{_note_id(demo_store)}"),
        ("/api/areas/{area}/notes/{note_id}", f"/api/areas/{AREA}/notes/nix"),
        (
            "/api/areas/{area}/notes/{note_id}/history",
            f"/api/areas/{AREA}/notes/{_note_id(demo_store)}/history",
        ),
        ("/api/areas/{area}/walks", f"/api/areas/{AREA}/walks?district=r1"),
        ("/api/areas/{area}/walks", f"/api/areas/{AREA}/walks?district=nix"),
        ("/api/areas/{area}/walks/{walk_id}", f"/api/areas/{AREA}/walks/{_walk_id(demo_store)}"),
        ("/api/areas/{area}/walks/{walk_id}", f"/api/areas/{AREA}/walks/nix"),
        ("/api/areas/{area}/offline", f"/api/areas/{AREA}/offline?walk={_walk_id(demo_store)}"),
        ("/api/areas/{area}/offline", f"/api/areas/{AREA}/offline?district=r2"),
        ("/api/areas/{area}/offline", f"/api/areas/{AREA}/offline?district=nix"),
        ("/api/areas/{area}/offline", f"/api/areas/{AREA}/offline"),
        ("/api/areas/{area}/walks.csv", f"/api/areas/{AREA}/walks.csv"),
        ("/api/areas/{area}/walks.geojson", f"/api/areas/{AREA}/walks.geojson?district=r1"),
        ("/api/areas/{area}/walks.gpkg", f"/api/areas/{AREA}/walks.gpkg"),
        ("/api/offer-vocabularies", "/api/offer-vocabularies"),
        ("/api/areas/{area}/offers", f"/api/areas/{AREA}/offers?zielgruppe=schwerbehinderte"),
        ("/api/areas/{area}/offers", f"/api/areas/{AREA}/offers?thema=nix"),
        ("/api/areas/{area}/offers.csv", f"/api/areas/{AREA}/offers.csv?hinweis=aktuell"),
        ("/api/areas/{area}/offers.geojson", f"/api/areas/{AREA}/offers.geojson"),
        ("/api/areas/{area}/offers/{offer_id}", f"/api/areas/{AREA}/offers/demo-sozialtelefon"),
        ("/api/areas/{area}/offers/{offer_id}", f"/api/areas/{AREA}/offers/nix"),
    ]


def _walk_id(demo_store):
    return demo_store.query(AREA, "walks")[0]["id"]


def _note_id(demo_store):
    notes = demo_store.query(AREA, "notes", category="briefkasten", district="r1")
    return notes[0]["id"]


def csrf_header(client) -> dict:
    return {"X-CSRFToken": csrf_token(client, "/")}


def _line(feature) -> str:
    props = feature["properties"]
    return f"{props['street']} {props['housenumber']}"


def post_cases(client, demo_store):
    feature = demo_store.query(AREA, "addresses")[0]
    lon, lat = feature["geometry"]["coordinates"]
    return [
        ("/api/areas/{area}/isochrones", {"lon": lon, "lat": lat}),
        ("/api/areas/{area}/isochrones", {"lon": lon, "lat": lat, "profil": "langsam"}),
        ("/api/areas/{area}/isochrones", {"lon": lon + 1, "lat": lat}),
        ("/api/areas/{area}/isochrones", {"lon": "x", "lat": lat}),
        ("/api/areas/{area}/isochrones", [1, 2]),
        ("/api/areas/{area}/addresses/nearest", {"lon": lon + 0.00002, "lat": lat}),
        ("/api/areas/{area}/addresses/nearest", {"lon": lon + 1, "lat": lat}),
        ("/api/areas/{area}/addresses/nearest", {"lon": "x", "lat": lat}),
        ("/api/areas/{area}/here", {"lon": lon + 0.00002, "lat": lat}),
        ("/api/areas/{area}/here", {"lon": lon + 1, "lat": lat}),
        ("/api/areas/{area}/here", {"lon": lon, "lat": lat, "rundgang": "gibtsnicht"}),
        ("/api/areas/{area}/here", {"lon": lon, "lat": lat, "erreicht": "1"}),
        ("/api/areas/{area}/addresses/search", {"q": _line(feature), "limit": 5}),
        ("/api/areas/{area}/addresses/search", {"q": "x", "limit": 0}),
        ("/api/areas/{area}/addresses/search", {"q": "x", "extra": 1}),
        ("/api/areas/{area}/addresses/search", ["Lindenstraße 12"]),
        ("/api/areas/{area}/walk-planner/places", {"q": _line(feature), "limit": 5}),
        ("/api/areas/{area}/walk-planner/places", {"q": "x", "limit": 0}),
        (
            "/api/areas/{area}/walk-planner/route",
            {"stops": [{"kind": "address", "ref": feature["id"]}] * 2, "propose": True},
        ),
        ("/api/areas/{area}/walk-planner/route", {"stops": [{"kind": "nirgends"}]}),
        (
            "/api/areas/{area}/notes",
            {
                "lon": lon + 0.00002,
                "lat": lat,
                "category": "briefkasten",
                "mailbox_status": "fehlt",
                "text": "Kein Briefkasten.",
            },
        ),
        (
            "/api/areas/{area}/mailbox-check",
            [_line(feature), {"street": "Nirgendwostraße", "housenumber": "1"}, "Linden 1"],
        ),
        ("/api/areas/{area}/mailbox-check", {"lon": lon}),
        (
            "/api/areas/{area}/notes",
            {"lon": lon, "lat": lat, "category": "beobachtung", "text": "Ort"},
        ),
        ("/api/areas/{area}/notes", {"lon": lon, "lat": lat, "category": "x", "text": "Ort"}),
        (
            "/api/areas/{area}/notes",
            {"lon": lon, "lat": lat, "category": "beobachtung", "text": "Frau Meier"},
        ),
        ("/api/areas/{area}/offers", offer_body(lon, lat)),  # a caseworker: 403, propose
        (
            "/api/areas/{area}/offers/find",
            {
                "situation": {"target_groups": ["schwerbehinderte"], "employed": "nein"},
                "address_id": feature["id"],
            },
        ),
        ("/api/areas/{area}/offers/find", {"situation": {"target_groups": ["katzen"]}}),
        ("/api/areas/{area}/offer-proposals", {"offer": offer_body(lon, lat), "comment": "Neu."}),
        (
            "/api/areas/{area}/offer-proposals",
            {"offer": offer_body(lon, lat), "comment": "Frau Meier"},
        ),
        ("/api/areas/{area}/offer-proposals", {"offer": {"name": "Kochtreff"}}),
    ]


def offer_body(lon, lat, **changes) -> dict:
    """A valid offer at a point of the demo area."""
    body = {
        "name": "Kochtreff Nord",
        "provider": "Nachbarschaftsverein Nord",
        "funders": ["kommune"],
        "description": "Gemeinsam kochen und essen.",
        "phone": "01234 5678-90",
        "lon": lon,
        "lat": lat,
    }
    return {**body, **changes}


def test_offer_changes_validate_against_the_openapi_document(app, demo_store, spec):
    lead = login(app.test_client(), "lead")
    headers = csrf_header(lead)
    template = "/api/areas/{area}/offers/{offer_id}"
    lon, lat = demo_store.query(AREA, "addresses")[0]["geometry"]["coordinates"]
    created = lead.post(f"/api/areas/{AREA}/offers", json=offer_body(lon, lat), headers=headers)
    assert created.status_code == 201
    validate(spec, "/api/areas/{area}/offers", created, "post")
    url = f"/api/areas/{AREA}/offers/{created.json['id']}"
    body = offer_body(lon, lat, name="Kochtreff Nord (neu)")
    for if_match, status in ((None, 428), ('"v1"', 200), ('"v1"', 412)):
        extra = {"If-Match": if_match} if if_match else {}
        response = lead.put(url, json=body, headers={**headers, **extra})
        assert response.status_code == status
        validate(spec, template, response, "put")
    response = lead.put(url, json={"name": "x"}, headers={**headers, "If-Match": '"v2"'})
    assert response.status_code == 400
    validate(spec, template, response, "put")
    response = lead.delete(url, headers={**headers, "If-Match": '"v2"'})
    assert response.status_code == 204
    assert "204" in spec["paths"][template]["delete"]["responses"]


def test_every_api_route_is_in_the_openapi_document(app, spec):
    documented = {re.sub(r"\{(\w+)\}", r"<\1>", path) for path in spec["paths"]}
    routes = {rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")}
    assert routes == documented


def test_responses_validate_against_the_openapi_document(client, demo_store, spec):
    seen = set()
    for template, url in cases(client, demo_store):
        response = client.get(url)
        assert response.status_code < 500, url
        validate(spec, template, response)
        seen.add(template)
    for template, body in post_cases(client, demo_store):
        response = client.post(
            template.replace("{area}", AREA), json=body, headers=csrf_header(client)
        )
        assert response.status_code < 500, body
        validate(spec, template, response, "post")
        seen.add(template)
    assert seen == set(spec["paths"])


def test_note_changes_validate_against_the_openapi_document(client, demo_store, spec):
    note_id = _note_id(demo_store)
    url = f"/api/areas/{AREA}/notes/{note_id}"
    template = "/api/areas/{area}/notes/{note_id}"
    lon, lat = demo_store.get(AREA, "notes", note_id)["geometry"]["coordinates"]
    body = {"lon": lon, "lat": lat, "category": "beobachtung", "text": "Neu."}
    headers = csrf_header(client)
    for if_match, status in ((None, 428), ('"v1"', 200), ('"v1"', 412)):
        extra = {"If-Match": if_match} if if_match else {}
        response = client.put(url, json=body, headers={**headers, **extra})
        assert response.status_code == status
        validate(spec, template, response, "put")
    response = client.delete(url, headers={**headers, "If-Match": '"v2"'})
    assert response.status_code == 204
    assert "204" in spec["paths"][template]["delete"]["responses"]


def test_openapi_document_is_public_json(anon_client, spec):
    response = anon_client.get("/api/openapi.json")
    assert response.status_code == 200 and response.json == json.loads(json.dumps(spec))
    assert response.json["openapi"] == "3.1.0"


def test_geojson_content_type_and_filters(client, demo_store):
    response = client.get(f"/api/areas/{AREA}/layers/stop")
    assert response.mimetype == "application/geo+json"
    all_stops = response.json["features"]
    assert len(all_stops) == demo_store.read_meta(AREA)["counts"]["stop"]
    in_r3 = client.get(f"/api/areas/{AREA}/layers/stop?district=r3").json["features"]
    assert 0 < len(in_r3) < len(all_stops)
    assert all(f["properties"]["district"] == "r3" for f in in_r3)
    lons = sorted(f["geometry"]["coordinates"][0] for f in all_stops)
    west = f"{lons[0] - 0.001},51.0,{lons[len(lons) // 2]},52.0"
    boxed = client.get(f"/api/areas/{AREA}/layers/stop?bbox={west}").json["features"]
    assert 0 < len(boxed) < len(all_stops)


def test_address_layer_is_compact(client, demo_store):
    features = client.get(f"/api/areas/{AREA}/addresses").json["features"]
    assert len(features) == demo_store.read_meta(AREA)["addresses"]
    assert set(features[0]["properties"]) == {"street", "housenumber", "postcode", "district"}


def test_etag_and_conditional_get(client, demo_store):
    url = f"/api/areas/{AREA}/layers/bakery"
    first = client.get(url)
    etag = first.headers["ETag"].strip('"')
    again = client.get(url, headers={"If-None-Match": f'"{etag}"'})
    assert again.status_code == 304 and again.data == b""
    other = client.get(f"/api/areas/{AREA}/layers/bakery?district=r1")
    assert other.headers["ETag"] != first.headers["ETag"]
    feature = demo_store.query(AREA, "resources", category="bakery")[0]
    changed = {**feature, "properties": {**feature["properties"], "name": "Neue Bäckerei"}}
    demo_store.update(
        AREA,
        "resources",
        feature["id"],
        changed,
        expected_version=feature["properties"]["version"],
        actor="test",
    )
    after = client.get(url, headers={"If-None-Match": f'"{etag}"'})
    assert after.status_code == 200
    assert "Neue Bäckerei" in after.get_data(as_text=True)


def test_gzip_when_accepted(client):
    url = f"/api/areas/{AREA}/addresses"
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip, deflate"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 4


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/areas/gibtsnicht", 404),
        ("/api/areas/..%2f..%2fetc", 404),
        (f"/api/areas/{AREA}/layers/gibtsnicht", 404),
        (f"/api/areas/{AREA}/layers/bakery?bbox=a,b,c,d", 400),
        (f"/api/areas/{AREA}/layers/bakery?bbox=8,52,7,51", 400),
        (f"/api/areas/{AREA}/layers/bakery?district=r99", 404),
        (f"/api/areas/{AREA}/addresses/search?q=x&limit=abc", 400),
        (f"/api/areas/{AREA}/addresses/search?q=x&limit=999", 400),
        (f"/api/areas/{AREA}/addresses/search?q=" + "x" * 201, 400),
        (f"/api/areas/{AREA}/addresses/gibtsnicht", 404),
        (f"/api/areas/{AREA}/resources/%00", 404),
        ("/api/nix", 404),
    ],
)
def test_bad_input_gives_json_4xx(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert response.json["status"] == status and response.json["error"]


def test_post_to_read_only_route_is_405_json(client):
    response = client.post(f"/api/areas/{AREA}", headers={"X-CSRFToken": "x"})
    assert response.status_code in (400, 405)
    assert response.mimetype == "application/json"


def test_search_finds_any_spelling(client):
    for query in (
        "Lindenstraße 12",
        "lindenstr 12",
        "Lindenstr. 12",
        "LINDEN STRASSE 12",
        "Lindenstrasse 12, 45903 Musterstadt",
    ):
        results = client.get(f"/api/areas/{AREA}/addresses/search", query_string={"q": query}).json
        assert results["results"][0]["label"].startswith("Lindenstraße 12,"), query
        assert results["results"][0]["match"] == "exakt"
    typo = client.get(f"/api/areas/{AREA}/addresses/search", query_string={"q": "Lindnstraße 12"})
    assert typo.json["results"][0]["match"] == "ähnlich"


def test_search_by_post_keeps_the_address_out_of_the_url(client, spec):
    """Issue 26: the same suggestions as GET, the address in the body only, never stored
    by a browser or proxy (no-store); bad bodies are a 400 with a reason. GET stays for
    other tools and is marked deprecated in the OpenAPI document."""
    url = f"/api/areas/{AREA}/addresses/search"
    headers = csrf_header(client)
    for query in ("Lindenstraße 12", "lindenstr 12", "Lindnstraße 12"):
        posted = client.post(url, json={"q": query, "limit": 5}, headers=headers)
        assert posted.status_code == 200 and query not in posted.request.url
        assert posted.headers["Cache-Control"] == "private, no-store"
        got = client.get(url, query_string={"q": query, "limit": 5})
        assert posted.json == got.json
        validate(spec, "/api/areas/{area}/addresses/search", posted, "post")
    assert client.post(url, json={"q": "Lindenstraße 12"}, headers=headers).json["results"]
    for body, reason in (
        ({"q": "x", "limit": 51}, "limit: muss zwischen 1 und 50 liegen"),
        ({"q": "x", "limit": True}, "limit: bitte eine ganze Zahl angeben"),
        ({"q": 12}, "q: bitte einen Text angeben"),
        ({"q": "x" * 201}, "q: zu lang"),
        ({"q": "x", "adresse": "y"}, "Unbekannte Felder: adresse"),
        ("Lindenstraße 12", "JSON-Objekt"),
    ):
        answer = client.post(url, json=body, headers=headers)
        assert answer.status_code == 400 and reason in answer.json["detail"], body
    assert client.post(url, json={"q": "x"}).status_code == 400  # CSRF token needed
    operations = spec["paths"]["/api/areas/{area}/addresses/search"]
    assert operations["get"]["deprecated"] is True and "deprecated" not in operations["post"]


def test_address_card_has_nearby_resources_in_metres(client, demo_store):
    card = client.get(f"/api/areas/{AREA}/addresses/{_address_id(client)}").json
    distances = [r["distance_m"] for r in card["nearby"]]
    assert distances == sorted(distances) and all(d <= card["radius_m"] for d in distances)
    assert card["nearby"]


def test_resource_card_fields(client, demo_store):
    pharmacy = demo_store.query(AREA, "resources", category="pharmacy")[0]
    card = client.get(f"/api/areas/{AREA}/resources/{pharmacy['id']}").json
    assert card["name"] == pharmacy["properties"]["name"]
    assert card["categories"] == [{"id": "pharmacy", "label": "Apotheke"}]
    assert card["osm_url"].startswith("https://www.openstreetmap.org/")
