"""Addresses without walking times say why, on real extracts, everywhere they show.

In the Neuss extract the north end of Düsseldorfer Straße is a piece of streets whose
connection to the rest lies outside the extract: its addresses are "außerhalb des
importierten Wegenetzes" (with the remedy), not "abseits der erfassten Wege". In the Karlsruhe
extract "Kanalweg 1" has no walkable way within 250 m in the data: it keeps the old message.
Checked in the walk API, the address card, the address guide (Wegweiser), the offer finder,
the district profile (API, CSV, page) and the walk planner.
"""

from __future__ import annotations

import re
import shutil
from datetime import date

import pytest
from support.openapi import validate
from support.paths import EXTRACTS
from support.web import csrf_token, login

from sozialraum.analysis.walking import CUT_OFF_HINTS, CUT_OFF_TEXTS
from sozialraum.errors import InvalidInput
from sozialraum.model.notes import load_note_categories
from sozialraum.model.privacy import load_privacy_guard
from sozialraum.model.roles import Role
from sozialraum.osm.importer import import_area
from sozialraum.services import walks
from sozialraum.services.notes import Actor, NoteRules
from sozialraum.store import GeoJSONStore
from sozialraum.web.openapi import openapi_document

OUTSIDE = "außerhalb des importierten Wegenetzes"
OFF_WAYS = "abseits der erfassten Wege"
#: (area, street, house number) → why it has no walking times (None: it has them)
CASES = {
    ("neuss", "Düsseldorfer Straße", "174"): "outside_network",
    ("karlsruhe", "Kanalweg", "1"): "off_ways",
    ("neuss", "Rheydter Straße", "102"): None,
}


@pytest.fixture(scope="module")
def real_store(demo_data_dir, tmp_path_factory) -> GeoJSONStore:
    """The demo data plus two real extracts, imported once for the module (read only)."""
    folder = tmp_path_factory.mktemp("cut-off") / "data"
    shutil.copytree(demo_data_dir, folder)
    store = GeoJSONStore(folder)
    import_area(store, "neuss", osm_file=EXTRACTS["neuss-innenstadt"])
    import_area(store, "karlsruhe", osm_file=EXTRACTS["karlsruhe-neureut-kirchfeld"])
    return store


@pytest.fixture
def real_client(real_store):
    from sozialraum.web import create_app

    app = create_app({"TESTING": True, "DATA_DIR": str(real_store.data_dir), "TILE_URL": ""})
    return login(app.test_client(), "caseworker")


def _address(store, area: str, street: str, housenumber: str) -> dict:
    (found,) = [
        f
        for f in store.query(area, "addresses")
        if (f["properties"]["street"], f["properties"]["housenumber"]) == (street, housenumber)
    ]
    return found


@pytest.mark.parametrize(("case", "reason"), list(CASES.items()))
def test_walk_api_says_why_an_address_has_no_walking_times(real_client, real_store, case, reason):
    area, street, housenumber = case
    address = _address(real_store, area, street, housenumber)
    response = real_client.get(f"/api/areas/{area}/addresses/{address['id']}/walk")
    assert response.status_code == 200
    validate(openapi_document(), "/api/areas/{area}/addresses/{address_id}/walk", response)
    walk = response.json
    assert walk["cut_off"] is (reason is not None)
    assert walk["cut_off_reason"] == reason
    assert walk["cut_off_text"] == CUT_OFF_TEXTS.get(reason)
    assert walk["cut_off_hint"] == CUT_OFF_HINTS.get(reason)
    if reason:
        assert all(item["distance_m"] is None for item in walk["items"])
    else:
        assert any(item["distance_m"] is not None for item in walk["items"])


def _guide(client, area: str, typed: str) -> str:
    url = f"/gebiete/{area}/wegweiser"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "adresse": typed})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _finder(client, area: str, typed: str) -> str:
    url = f"/gebiete/{area}/angebote/finden"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "adresse": typed})
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize(("case", "reason"), list(CASES.items()))
def test_pages_say_why_an_address_has_no_walking_times(real_client, real_store, case, reason):
    area, street, housenumber = case
    address = _address(real_store, area, street, housenumber)
    card = real_client.get(f"/gebiete/{area}/adressen/{address['id']}").get_data(as_text=True)
    guide = _guide(real_client, area, f"{street} {housenumber}")
    title = re.sub(r"</?(?:bdi|span)\b[^>]*>", "", guide)  # the handout's language spans
    assert f"Wege zu Fuß ab {street} {housenumber}" in title
    finder = _finder(real_client, area, f"{street} {housenumber}")
    for page in (card, guide, finder):
        assert (OUTSIDE in page) is (reason == "outside_network")
        assert (OFF_WAYS in page) is (reason == "off_ways")
    if reason == "outside_network":
        for page in (card, guide, finder):
            assert "am Rand des importierten Gebiets abgeschnitten" in page
            assert "das Gebiet größer importieren" in page
        assert f'data-cut-off="{reason}"' in card and f'data-cut-off="{reason}"' in guide


def test_profile_counts_addresses_outside_the_imported_network(real_client):
    neuss = real_client.get("/api/areas/neuss/profile")
    validate(openapi_document(), "/api/areas/{area}/profile", neuss)
    total = neuss.json["districts"][-1]
    assert (total["cut_off"], total["outside_network"]) == (7, 7)
    total = real_client.get("/api/areas/karlsruhe/profile").json["districts"][-1]
    assert (total["cut_off"], total["outside_network"]) == (3, 0)
    csv_text = real_client.get("/api/areas/neuss/profile.csv").get_data(as_text=True)
    header, *_, last = csv_text.lstrip("\ufeff").strip().split("\r\n")
    column = header.split(";").index("davon außerhalb des importierten Wegenetzes")
    assert last.split(";")[column] == "7"
    page = real_client.get("/gebiete/neuss/profil").get_data(as_text=True)
    assert "Ohne Wegeanbindung (keine Gehzeiten): 7" in page and f"davon\n  7 {OUTSIDE}" in page
    page = real_client.get("/gebiete/karlsruhe/profil").get_data(as_text=True)
    assert "Ohne Wegeanbindung (keine Gehzeiten): 3" in page
    assert "Abhilfe" not in page and f"{OUTSIDE}:" not in page


def test_walk_planner_tells_a_stop_outside_the_network_from_one_off_the_ways(real_store):
    cut = _address(real_store, "neuss", "Düsseldorfer Straße", "174")
    joined = _address(real_store, "neuss", "Rheydter Straße", "102")
    district = real_store.query("neuss", "districts")[0]["id"]
    details = {"title": "Erkundung Nord", "walk_on": date.today().isoformat(), "district": district}
    picks = [{"kind": "address", "ref": a["id"]} for a in (joined, cut)]
    rules = NoteRules(load_note_categories(), load_privacy_guard())
    admin = Actor("demo-admin", Role.ADMIN, None)
    with pytest.raises(InvalidInput) as refused:
        walks.create_walk(real_store, "neuss", details, picks, actor=admin, rules=rules)
    assert refused.value.message.startswith(f"Station 2 liegt {OUTSIDE}")
    assert OFF_WAYS not in refused.value.message


@pytest.mark.parametrize(("case", "reason"), list(CASES.items()))
def test_finder_api_says_why_an_address_has_no_walking_times(real_client, real_store, case, reason):
    area, street, housenumber = case
    address = _address(real_store, area, street, housenumber)
    response = real_client.post(
        f"/api/areas/{area}/offers/find",
        json={"situation": {}, "address_id": address["id"]},
        headers={"X-CSRFToken": csrf_token(real_client, "/")},
    )
    assert response.status_code == 200, response.json
    validate(openapi_document(), "/api/areas/{area}/offers/find", response, "post")
    assert response.json["cut_off"] is (reason is not None)
    assert response.json["cut_off_reason"] == reason
    assert response.json["cut_off_text"] == CUT_OFF_TEXTS.get(reason)
    assert response.json["cut_off_hint"] == CUT_OFF_HINTS.get(reason)


def test_a_place_without_an_address_is_near_the_nearest_one_in_the_handout_language(
    real_client, real_store
):
    """OSM places often have no address: the Wegweiser names the nearest address with the
    catalog's "nahe {address}" in the chosen language, never the German word on an English
    handout."""
    url = "/gebiete/neuss/wegweiser"
    token = csrf_token(real_client, url)
    german = real_client.post(url, data={"csrf_token": token, "adresse": "Rheydter Straße 102"})
    english = real_client.post(
        url, data={"csrf_token": token, "adresse": "Rheydter Straße 102", "sprache": "en"}
    )
    assert german.status_code == english.status_code == 200
    german_text, english_text = (_handout_text(r.get_data(as_text=True)) for r in (german, english))
    assert "nahe " in german_text  # the extract has such places near this address
    assert "near " in english_text
    assert "nahe " not in english_text


def _handout_text(page: str) -> str:
    """The printed handout's text (the page around it stays German)."""
    start = page.index('<article class="handout')
    return re.sub(r"<[^>]+>", "", page[start : page.index("</article>", start)])
