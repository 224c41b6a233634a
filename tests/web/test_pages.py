"""Pages: overview, area page, folium map document, errors, headers, configuration."""

from __future__ import annotations

import json
import re
import stat

import pytest
from conftest import resource

from sozialraum.demo import TRICKY_NAME
from sozialraum.web import create_app

URL = re.compile(r"""(?:https?:)?//[^\s"'<>)\\]+""", re.IGNORECASE)


def external_urls(html: str) -> set[str]:
    return set(URL.findall(html))


def test_overview_lists_demo_area_with_counts(client, demo_store, demo_area):
    page = client.get("/").get_data(as_text=True)
    assert "Musterstadt-Nord (fiktiv)" in page
    assert f'href="/gebiete/{demo_area}/"' in page
    meta = demo_store.read_meta(demo_area)
    assert f"<td>{meta['addresses']}</td>" in page
    assert "Briefkasten der Post" in page


def test_area_page_embeds_map(client, demo_area):
    response = client.get(f"/gebiete/{demo_area}/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'src="/gebiete/{demo_area}/karte"' in page
    assert "Fiktives Demogebiet" in page


def test_map_has_a_layer_per_category_legend_and_attribution(client, demo_store, demo_area):
    html = client.get(f"/gebiete/{demo_area}/karte").get_data(as_text=True)
    meta = demo_store.read_meta(demo_area)
    for label, cat_id in (
        ("Bäckerei", "bakery"),
        ("Apotheke", "pharmacy"),
        ("Briefkasten der Post", "post_box"),
        ("Spielplatz", "playground"),
    ):
        assert json.dumps(f"{label} ({meta['counts'][cat_id]})") in html  # folium's tojson
    assert "sozialraumLegend(" in html
    assert "© OpenStreetMap contributors" in html
    assert "L.control.layers" in html


@pytest.mark.parametrize(
    "path", ["/", "/gebiete/musterstadt-nord/", "/gebiete/musterstadt-nord/karte"]
)
def test_pages_reference_no_third_party_host(client, path):
    html = client.get(path).get_data(as_text=True)
    assert external_urls(html) == set()


def test_only_the_configured_tile_server_is_referenced(demo_store, demo_area):
    app = create_app(
        {
            "TESTING": True,
            "DATA_DIR": str(demo_store.data_dir),
            "TILE_URL": "https://karten.example.org/tiles/{z}/{x}/{y}.png",
        }
    )
    response = app.test_client().get(f"/gebiete/{demo_area}/karte")
    html = response.get_data(as_text=True)
    hosts = {u.split("//", 1)[1].split("/", 1)[0] for u in external_urls(html)}
    assert hosts == {"karten.example.org"}
    assert (
        "img-src 'self' data: https://karten.example.org;"
        in response.headers["Content-Security-Policy"]
    )


def test_every_asset_the_map_loads_is_served_locally(client, demo_area):
    html = client.get(f"/gebiete/{demo_area}/karte").get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert len(assets) >= 8
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


def test_osm_names_reach_the_page_as_text_never_html(client, demo_area):
    html = client.get(f"/gebiete/{demo_area}/karte").get_data(as_text=True)
    assert "<b>Zuckerbäcker</b>" not in html
    assert "Zuckerbäcker" in html
    assert "\\u003cb\\u003eZuckerb" in html
    assert "`tick`" in html  # inside JSON string, not a template literal
    assert TRICKY_NAME.count("<") == 2


def test_hostile_names_in_store_are_escaped(client, app, demo_store, demo_area):
    payload = "</script><script>alert(1)</script><img src=x onerror=alert(2)>${alert(3)}"
    feature = resource(999999999, payload, "bakery")
    demo_store.add(demo_area, "resources", feature, actor="test")
    html = client.get(f"/gebiete/{demo_area}/karte").get_data(as_text=True)
    assert "</script><script>alert(1)" not in html
    assert "<img src=x" not in html
    assert html.count("<script>") == html.count("</script>") - html.count("<script src=")


@pytest.mark.parametrize(
    "path", ["/gebiete/gibtsnicht/", "/gebiete/gibtsnicht/karte", "/gebiete/..%2f..%2fetc/", "/nix"]
)
def test_unknown_pages_are_404_in_german(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Diese Seite gibt es nicht." in response.get_data(as_text=True)


def test_security_headers_on_pages_and_errors(client):
    for path in ("/", "/nix"):
        headers = client.get(path).headers
        assert headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert "frame-ancestors 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_corrupt_layer_gives_503_not_500(client, demo_store, demo_area):
    (demo_store.data_dir / demo_area / "resources.geojson").write_text("{kaputt")
    response = client.get(f"/gebiete/{demo_area}/karte")
    assert response.status_code == 503
    assert "nicht verfügbar" in response.get_data(as_text=True)


def test_configuration_from_environment(monkeypatch, demo_store):
    monkeypatch.setenv("SOZIALRAUM_TILE_URL", "https://{s}.kacheln.example.org/{z}/{x}/{y}.png")
    monkeypatch.setenv("SOZIALRAUM_DATA_DIR", str(demo_store.data_dir))
    app = create_app({"TESTING": True})
    assert app.config["DATA_DIR"] == str(demo_store.data_dir)
    csp = app.test_client().get("/").headers["Content-Security-Policy"]
    assert "https://*.kacheln.example.org" in csp


def test_configuration_from_instance_file(_isolated_instance, demo_store):
    (_isolated_instance / "config.py").write_text(
        f"DATA_DIR = {str(demo_store.data_dir)!r}\nTILE_URL = ''\n"
    )
    app = create_app()
    assert app.config["TILE_URL"] == ""
    assert "Musterstadt-Nord" in app.test_client().get("/").get_data(as_text=True)


def test_secret_key_is_generated_once_into_the_instance_folder(_isolated_instance, demo_store):
    first = create_app({"DATA_DIR": str(demo_store.data_dir)})
    second = create_app({"DATA_DIR": str(demo_store.data_dir)})
    key_file = _isolated_instance / "secret_key"
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_categories_file_in_instance_folder_changes_the_map(
    _isolated_instance, demo_store, demo_area
):
    (_isolated_instance / "categories.toml").write_text(
        '[[category]]\nid = "bakery"\nlabel = "Backstube"\n\n'
        '[[category]]\nid = "playground"\nenabled = false\n',
        encoding="utf-8",
    )
    app = create_app({"DATA_DIR": str(demo_store.data_dir), "TILE_URL": ""})
    html = app.test_client().get(f"/gebiete/{demo_area}/karte").get_data(as_text=True)
    assert json.dumps("Backstube (4)") in html
    assert json.dumps("Spielplatz") not in html


def test_default_is_no_tile_server(demo_store, demo_area):
    """No public tile server by default: it would receive every visitor's IP address."""
    app = create_app({"DATA_DIR": str(demo_store.data_dir)})
    response = app.test_client().get(f"/gebiete/{demo_area}/karte")
    assert "L.tileLayer" not in response.get_data(as_text=True)
    assert "img-src 'self' data:;" in response.headers["Content-Security-Policy"]
