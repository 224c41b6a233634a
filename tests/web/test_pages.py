"""Pages: overview, area and district pages with list view, map documents, cards, headers.

Pages after a change through the store run on both store backends (``@both_backends``)."""

from __future__ import annotations

import json
import re
import stat

import pytest
from support.backends import both_backends
from support.data import resource

from sozialraum.demo.osm import TRICKY_NAME
from sozialraum.web import create_app

URL = re.compile(r"""(?:https?:)?//[^\s"'<>)\\]+""", re.IGNORECASE)
AREA = "musterstadt-nord"


def external_urls(html: str) -> set[str]:
    """URLs to other hosts anywhere in the page, also inside JSON where "/" is written "\\/"."""
    return set(URL.findall(html.replace("\\/", "/")))


def test_overview_lists_districts_with_team_and_counts(client, demo_store):
    page = client.get("/").get_data(as_text=True)
    assert "Musterstadt-Nord (fiktiv)" in page
    assert f'href="/gebiete/{AREA}/"' in page
    for name, team in (("Nord-West", "Team Nord"), ("Mühlenviertel", "Team Mühle")):
        assert re.search(rf">{name}</a></th>\s*<td class=\"text\">{team}</td>", page)
    assert "Briefkasten der Post" in page
    post_boxes = sum(
        1
        for f in demo_store.query(AREA, "resources", category="post_box")
        if f["properties"]["district"] == "r3"
    )
    row = re.search(r">Mühlenviertel</a></th>(.*?)</tr>", page, re.S).group(1)
    cells = re.findall(r"<td>(\d+)</td>", row)
    assert int(cells[1 + 4]) == post_boxes  # addresses, then categories in table order


def test_area_page_has_map_frame_and_list(client):
    page = client.get(f"/gebiete/{AREA}/").get_data(as_text=True)
    # the map is part of the page (issue 21 §5), no iframe
    assert "<iframe" not in page and 'id="karte"' in page and 'class="folium-map"' in page
    assert f"/api/areas/{AREA}/layers/bakery" in page.replace("\\/", "/")
    assert "user-scalable=no" not in page and "html, body" not in page
    assert 'id="liste-tabelle"' in page and "Filtern" in page
    assert "Fiktives Demogebiet" in page
    layers = re.search(r'data-layers="([^"]+)"', page).group(1)
    urls = json.loads(layers.replace("&#34;", '"'))
    assert urls["bakery"] == f"/api/areas/{AREA}/layers/bakery"


def test_district_page_focuses_the_district(client):
    page = client.get(f"/gebiete/{AREA}/bezirke/r3/").get_data(as_text=True)
    assert "Bezirk Mühlenviertel" in page and "Team: Team Mühle" in page
    assert f"/api/areas/{AREA}/layers/bakery?district=r3" in page.replace("\\/", "/")
    html = client.get(f"/gebiete/{AREA}/karte?district=r3").get_data(as_text=True)
    assert f"/api/areas/{AREA}/layers/bakery?district=r3" in html.replace("\\/", "/")
    assert '"highlight":"r3"' in html


def test_map_document_loads_layers_from_the_api_and_holds_no_data(client, demo_store):
    html = client.get(f"/gebiete/{AREA}/karte").get_data(as_text=True)
    meta = demo_store.read_meta(AREA)
    for label, cat_id in (("Bäckerei", "bakery"), ("Briefkasten der Post", "post_box")):
        assert json.dumps(f"{label} ({meta['counts'][cat_id]})") in html  # folium's tojson
        assert f"/api/areas/{AREA}/layers/{cat_id}" in html.replace("\\/", "/")
    # + districts, addresses, notes
    assert html.count("sozialraumRemoteLayer(") == len(meta["counts"]) + 4
    assert "Zuckerb" not in html  # names come from the API, not inlined
    assert "L.control.layers" in html and "sozialraumLegend(" in html
    assert "© OpenStreetMap-Mitwirkende" in html
    assert "Wo bin ich?" in html and "Vollbild" in html
    assert len(html) < 60_000


@pytest.mark.parametrize(
    "path",
    [
        "/",
        f"/gebiete/{AREA}/",
        f"/gebiete/{AREA}/karte",
        f"/gebiete/{AREA}/suche",
        f"/gebiete/{AREA}/bezirke/r1/",
        "/anmelden",
    ],
)
def test_pages_reference_no_third_party_host(client, path):
    assert external_urls(client.get(path).get_data(as_text=True)) == set()


def test_only_the_configured_tile_server_is_referenced(demo_store):
    from support.web import login

    app = create_app(
        {
            "TESTING": True,
            "DATA_DIR": str(demo_store.data_dir),
            "TILE_URL": "https://karten.example.org/tiles/{z}/{x}/{y}.png",
        }
    )
    client = login(app.test_client())
    response = client.get(f"/gebiete/{AREA}/karte")
    hosts = {
        u.split("//", 1)[1].split("/", 1)[0] for u in external_urls(response.get_data(as_text=True))
    }
    assert hosts == {"karten.example.org"}
    csp = response.headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://karten.example.org;" in csp


def test_default_is_no_tile_server(demo_store):
    """No public tile server by default: it would receive every visitor's IP address."""
    from support.web import login

    client = login(create_app({"DATA_DIR": str(demo_store.data_dir)}).test_client())
    response = client.get(f"/gebiete/{AREA}/karte")
    assert "L.tileLayer" not in response.get_data(as_text=True)
    assert "img-src 'self' data:;" in response.headers["Content-Security-Policy"]


def test_every_asset_the_pages_load_is_served_locally(client):
    html = client.get(f"/gebiete/{AREA}/karte").get_data(as_text=True)
    html += client.get(f"/gebiete/{AREA}/").get_data(as_text=True)
    assets = set(re.findall(r'(?:src|href)="(/static/[^"]+)"', html))
    assert len(assets) >= 12
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


@both_backends
def test_resource_card_page_shows_hostile_text_as_text(client, demo_store):
    payload = "</script><script>alert(1)</script><img src=x onerror=alert(2)>${alert(3)}"
    demo_store.add(
        AREA,
        "resources",
        resource(999999999, payload, "bakery", opening_hours="C:\\daten\\2019"),
        actor="test",
    )
    page = client.get(f"/gebiete/{AREA}/orte/n999999999").get_data(as_text=True)
    assert "<img src=x" not in page and "<script>alert(1)" not in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "C:\\daten\\2019" in page
    assert "https://www.openstreetmap.org/node/999999999" in page  # as text in <code>


def test_demo_tricky_name_on_card_page(client, demo_store):
    tricky = next(
        f for f in demo_store.query(AREA, "resources") if f["properties"]["name"] == TRICKY_NAME
    )
    page = client.get(f"/gebiete/{AREA}/orte/{tricky['id']}").get_data(as_text=True)
    assert "<b>Zuckerbäcker</b>" not in page
    assert "&lt;b&gt;Zuckerbäcker&lt;/b&gt;" in page


def test_address_card_page_lists_nearby_resources(client):
    search = client.get(f"/api/areas/{AREA}/addresses/search?q=Lindenstra%C3%9Fe%2012").json
    address_id = search["results"][0]["id"]
    page = client.get(f"/gebiete/{AREA}/adressen/{address_id}").get_data(as_text=True)
    assert "Lindenstraße 12" in page and "In der Nähe" in page
    assert re.search(r"\d+ m</li>", page)


@pytest.mark.parametrize(
    "path",
    [
        "/gebiete/gibtsnicht/",
        "/gebiete/gibtsnicht/karte",
        f"/gebiete/{AREA}/bezirke/r99/",
        f"/gebiete/{AREA}/orte/x1",
        f"/gebiete/{AREA}/adressen/x1",
        "/gebiete/..%2f..%2fetc/",
        "/nix",
    ],
)
def test_unknown_pages_are_404_in_german(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Diese Seite gibt es nicht." in response.get_data(as_text=True)


def test_security_headers_on_pages_and_errors(client, anon_client):
    for response in (client.get("/"), client.get("/nix"), anon_client.get("/")):
        headers = response.headers
        assert headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert "frame-ancestors 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_corrupt_layer_gives_503_not_500(client, demo_store):
    # GeoJSON only (a damaged layer file); not parametrised over the backends
    (demo_store.data_dir / AREA / "resources.geojson").write_text("{kaputt")
    response = client.get(f"/api/areas/{AREA}/layers/bakery")
    assert response.status_code == 503
    assert response.json["error"].startswith("Die Daten sind gerade nicht verfügbar")
    page = client.get(f"/gebiete/{AREA}/")
    assert page.status_code == 503 and "nicht verfügbar" in page.get_data(as_text=True)


def test_configuration_from_environment(monkeypatch, demo_store):
    monkeypatch.setenv("SOZIALRAUM_TILE_URL", "https://{s}.kacheln.example.org/{z}/{x}/{y}.png")
    monkeypatch.setenv("SOZIALRAUM_DATA_DIR", str(demo_store.data_dir))
    monkeypatch.setenv("SOZIALRAUM_SESSION_IDLE_MINUTES", "15")
    app = create_app({"TESTING": True})
    assert app.config["DATA_DIR"] == str(demo_store.data_dir)
    assert app.config["SESSION_IDLE_MINUTES"] == 15
    csp = app.test_client().get("/anmelden").headers["Content-Security-Policy"]
    assert "https://*.kacheln.example.org" in csp


def test_configuration_from_instance_file(_isolated_instance, demo_store):
    from support.web import login

    (_isolated_instance / "config.py").write_text(
        f"DATA_DIR = {str(demo_store.data_dir)!r}\nTILE_URL = ''\n"
    )
    app = create_app()
    assert app.config["TILE_URL"] == ""
    assert "Musterstadt-Nord" in login(app.test_client()).get("/").get_data(as_text=True)


def test_secret_key_is_generated_once_into_the_instance_folder(_isolated_instance, demo_store):
    first = create_app({"DATA_DIR": str(demo_store.data_dir)})
    second = create_app({"DATA_DIR": str(demo_store.data_dir)})
    key_file = _isolated_instance / "secret_key"
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_categories_file_in_instance_folder_changes_the_map(_isolated_instance, demo_store):
    from support.web import login

    (_isolated_instance / "categories.toml").write_text(
        '[[category]]\nid = "bakery"\nlabel = "Backstube"\n\n'
        '[[category]]\nid = "playground"\nenabled = false\n',
        encoding="utf-8",
    )
    app = create_app({"DATA_DIR": str(demo_store.data_dir), "TILE_URL": ""})
    client = login(app.test_client())
    html = client.get(f"/gebiete/{AREA}/karte").get_data(as_text=True)
    assert json.dumps("Backstube (4)") in html
    assert json.dumps("Spielplatz") not in html
    assert client.get(f"/api/areas/{AREA}/layers/playground").status_code == 404


@both_backends
def test_overview_warns_about_unfinished_import_and_flagged_notes(client, demo_store):
    meta = demo_store.read_meta(AREA)
    demo_store.write_meta(
        AREA,
        {**meta, "import_in_progress": True, "orphaned_notes": [{"note": "a", "osm_ref": "n1"}]},
        actor="t",
    )
    page = client.get("/").get_data(as_text=True)
    assert "nicht abgeschlossen" in page and "1 Notiz(en) verweisen" in page


def test_search_page_has_the_list_view_too(client):
    page = client.get(f"/gebiete/{AREA}/suche").get_data(as_text=True)
    assert 'id="liste-tabelle"' in page and 'id="adresse"' in page
    assert "sozialraum/list.js" in page


@both_backends
def test_area_counts_are_live_not_from_import_time(client, demo_store):
    before = demo_store.read_meta(AREA)["counts"]["pharmacy"]
    demo_store.add(
        AREA, "resources", resource(999999990, "Neue Apotheke", "pharmacy"), actor="test"
    )
    html = client.get(f"/gebiete/{AREA}/karte").get_data(as_text=True)
    assert json.dumps(f"Apotheke ({before + 1})") in html
    assert client.get(f"/api/areas/{AREA}").json["counts"]["pharmacy"] == before + 1
    total = len(demo_store.query(AREA, "resources"))
    assert f"{total} Orte" in client.get(f"/gebiete/{AREA}/").get_data(as_text=True)
    assert f"{total} Orte" in client.get("/").get_data(as_text=True)


def _list_pages() -> list[str]:
    """Every GET page of an area whose address has no other placeholder than the area."""
    from sozialraum.web.routes import ROUTES

    return [
        route.rule.replace("<area>", AREA)
        for route in ROUTES
        if "GET" in route.methods
        and route.rule.startswith("/gebiete/<area>/")
        and route.rule.count("<") == 1
        and not route.rule.endswith("/")
        and "." not in route.rule.rsplit("/", 1)[1]
    ]


def test_list_pages_answer_with_and_without_a_trailing_slash(client):
    pages = _list_pages()
    assert {f"/gebiete/{AREA}/{p}" for p in ("rundgaenge", "notizen", "angebote")} <= set(pages)
    for page in pages:
        answer = client.get(page + "/?bezirk=r3")
        assert answer.status_code == 308, page
        assert answer.headers["Location"].endswith(page + "?bezirk=r3"), page
        followed = client.get(page + "/", follow_redirects=True)
        assert followed.request.path == page, page
        assert followed.status_code == client.get(page).status_code != 404, page
    # the other way round: the area and a district end with a slash, and are found without
    assert client.get(f"/gebiete/{AREA}").status_code == 308
    assert client.get(f"/gebiete/{AREA}/bezirke/r3", follow_redirects=True).status_code == 200
    # nothing else is guessed: unknown pages, the API and writing requests stay as they were
    assert client.get(f"/gebiete/{AREA}/gibtsnicht/").status_code == 404
    assert client.get(f"/api/areas/{AREA}/walks/").status_code == 404
    assert client.post(f"/gebiete/{AREA}/rundgaenge/").status_code in (404, 405)
