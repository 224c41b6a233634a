"""Field-note pages without a browser: form errors in German, team rights, conflicts, links."""

from __future__ import annotations

import pytest
from support.web import csrf_token, login

AREA = "musterstadt-nord"
PAGES = f"/gebiete/{AREA}/notizen"


@pytest.fixture
def demo_store(backend_demo_store):
    """The demo data on each backend: the tests here run once per backend (files, PostgreSQL)."""
    return backend_demo_store


@pytest.fixture
def token(client):
    return csrf_token(client, "/")


def _address(demo_store, district="r1"):
    return demo_store.query(AREA, "addresses", district=district)[0]


def _form(token, **fields):
    data = {"csrf_token": token, "category": "beobachtung", "text": "Bank am Platz.",
            "review_state": "entwurf"}  # fmt: skip
    data.update(fields)
    return data


def _create(client, token, demo_store, **fields):
    address = _address(demo_store)
    response = client.post(f"{PAGES}/neu", data=_form(token, address_id=address["id"], **fields))
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"].split("?")[0].rsplit("/", 1)[1]


def test_form_errors_are_german_and_keep_the_input(client, token, demo_store):
    address = _address(demo_store)
    response = client.post(
        f"{PAGES}/neu",
        data=_form(token, address_id=address["id"], text="Frau Yilmaz, Tel. 0171 1234567"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Sozialdatenschutz" in page and "Telefonnummer" in page
    assert "Frau Yilmaz, Tel. 0171 1234567</textarea>" in page  # nothing typed is lost
    # the form still names the house the note is about, as before the refusal
    street = f"Adresse: {address['properties']['street']} {address['properties']['housenumber']}"
    assert street in page
    missing = client.post(f"{PAGES}/neu", data=_form(token))
    assert missing.status_code == 400 and "lon" in missing.get_data(as_text=True)


def test_other_teams_district_is_refused_with_an_explanation(client, token, demo_store):
    address = _address(demo_store, "r3")
    response = client.post(f"{PAGES}/neu", data=_form(token, address_id=address["id"]))
    assert response.status_code == 403
    assert "Bezirk eines anderen Teams" in response.get_data(as_text=True)


def test_stale_edit_shows_both_versions_and_writes_nothing(app, client, token, demo_store):
    note_id = _create(client, token, demo_store)
    where = {"address_id": _address(demo_store)["id"]}
    lead = login(app.test_client(), "lead")
    saved = lead.post(
        f"{PAGES}/{note_id}",
        data=_form(csrf_token(lead, "/"), version="1", text="Fassung der Leitung.", **where),
    )
    assert saved.status_code == 303
    stale = client.post(
        f"{PAGES}/{note_id}", data=_form(token, version="1", text="Meine.", **where)
    )
    page = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "inzwischen geändert" in page and "Fassung der Leitung." in page and "Meine." in page
    assert 'name="version" value="2"' in page  # saving again is a deliberate overwrite
    assert demo_store.get(AREA, "notes", note_id)["properties"]["text"] == "Fassung der Leitung."
    gone = client.post(f"{PAGES}/{note_id}/loeschen", data={"csrf_token": token, "version": "1"})
    assert gone.status_code == 409
    assert demo_store.get(AREA, "notes", note_id)["properties"]["version"] == 2
    deleted = client.post(f"{PAGES}/{note_id}/loeschen", data={"csrf_token": token, "version": "2"})
    assert deleted.status_code == 303 and client.get(f"{PAGES}/{note_id}").status_code == 404


def test_viewer_reads_but_gets_no_forms(app, client, token, demo_store):
    note_id = _create(client, token, demo_store, review_state="eingereicht")
    viewer = login(app.test_client(), "viewer")
    assert viewer.get(f"{PAGES}/{note_id}").status_code == 404  # not released yet
    lead = login(app.test_client(), "lead")
    released = lead.post(
        f"/gebiete/{AREA}/pruefung/{note_id}",
        data={"csrf_token": csrf_token(lead, "/"), "version": "1", "action": "freigeben"},
    )
    assert released.status_code == 303
    page = viewer.get(f"{PAGES}/{note_id}").get_data(as_text=True)
    assert "Bank am Platz." in page and "Bearbeiten" not in page and "lesen, aber nicht" in page
    assert "Neue Notiz" not in viewer.get(PAGES).get_data(as_text=True)
    refused = viewer.post(f"{PAGES}/{note_id}", data=_form(csrf_token(viewer, "/"), version="1"))
    assert refused.status_code == 403


def test_address_and_resource_cards_list_their_notes(client, token, demo_store):
    address = _address(demo_store)
    _create(client, token, demo_store, category="briefkasten", mailbox_status="ohne_namen",
            text="Briefkästen ohne Namen.")  # fmt: skip
    page = client.get(f"/gebiete/{AREA}/adressen/{address['id']}").get_data(as_text=True)
    assert "Briefkasten: ohne Namen" in page and "Notiz zu dieser Adresse" in page
    resource = demo_store.query(AREA, "resources", category="library")[0]
    new = client.get(f"{PAGES}/neu", query_string={"resource_id": resource["id"]})
    assert new.status_code == 200 and "Ort: " in new.get_data(as_text=True)
    assert client.get(f"{PAGES}/neu", query_string={"resource_id": "nix"}).status_code == 404


def test_list_filters_and_export_links(client, token, demo_store):
    page = client.get(PAGES, query_string={"category": "briefkasten", "district": "r1"})
    text = page.get_data(as_text=True)
    expected = [
        n
        for n in demo_store.query(AREA, "notes", category="briefkasten")
        if n["properties"]["district"] == "r1"
    ]
    assert text.count("<tr><td>Briefkasten") == len(expected) > 0
    assert f"/api/areas/{AREA}/notes.csv?district=r1&amp;category=briefkasten" in text
    assert client.get(PAGES, query_string={"category": "nix"}).status_code == 400
    assert client.get(PAGES, query_string={"district": "nix"}).status_code == 404


def test_every_listed_note_links_to_its_own_page(client, token, demo_store):
    import re

    note_id = _create(client, token, demo_store, text="Klingel am Hinterhaus fehlt.")
    text = client.get(PAGES).get_data(as_text=True)
    links = re.findall(r'<td><a href="([^"]+)">([^<]*)</a>', text)
    assert len(links) > 1 and (f"{PAGES}/{note_id}", "Klingel am Hinterhaus fehlt.") in links
    for href, _label in [*links[:5], (f"{PAGES}/{note_id}", "")]:
        note = href.rsplit("/", 1)[1]
        assert client.get(href).status_code == 200, href
        assert demo_store.get(AREA, "notes", note)["id"] == note


def test_long_lists_come_in_pages_newest_first_with_the_filters_kept(
    client, token, demo_store, monkeypatch
):
    import re

    from sozialraum.web.notes import pages as note_pages

    monkeypatch.setattr(note_pages, "PAGE_SIZE", 3)
    ours = [_create(client, token, demo_store, text=f"Seitennotiz {n}.") for n in range(4)]
    row = re.compile(r'<td><a href="[^"]+/notizen/([^"]+)">')
    first = client.get(PAGES, query_string={"district": "r1"}).get_data(as_text=True)
    # today's notes lead, the one added last on top; the count is the whole list's
    assert row.findall(first) == ours[::-1][:3]
    pages = int(re.search(r"Seite 1 von (\d+)", first).group(1))
    shown = [n for n in demo_store.query(AREA, "notes") if n["properties"]["district"] == "r1"]
    assert pages == -(-len(shown) // 3) and pages > 1
    assert f"{len(shown)} Notizen (hier 1–3)" in first
    assert 'href="?district=r1&amp;seite=2" rel="next"' in first and 'rel="prev"' not in first
    seen = []
    for number in range(1, pages + 1):
        text = client.get(PAGES, query_string={"district": "r1", "seite": number}).get_data(
            as_text=True
        )
        seen += row.findall(text)
    assert sorted(seen) == sorted(n["id"] for n in shown)  # every note once, none twice
    last = client.get(PAGES, query_string={"district": "r1", "seite": 999}).get_data(as_text=True)
    assert f"Seite {pages} von {pages}" in last and 'rel="next"' not in last
    assert 'rel="prev"' in last
    for odd in ("abc", "-2", "0"):
        text = client.get(PAGES, query_string={"seite": odd}).get_data(as_text=True)
        assert "Seite 1 von" in text and row.findall(text)[0] == ours[-1]


def _moved(lon, lat, east_m, north_m=0.0):
    from pyproj import Transformer

    x, y = Transformer.from_crs(4326, 25832, always_xy=True).transform(lon, lat)
    back = Transformer.from_crs(25832, 4326, always_xy=True)
    return back.transform(x + east_m, y + north_m)


def test_map_point_form_proposes_the_nearest_addresses_with_distances(client, demo_store):
    address = _address(demo_store)
    lon, lat = _moved(*address["geometry"]["coordinates"], 2.0)
    page = client.get(f"{PAGES}/neu", query_string={"lon": lon, "lat": lat}).get_data(as_text=True)
    label = f"{address['properties']['street']} {address['properties']['housenumber']}"
    assert "Adresse des Hauses" in page
    first = page.index('name="address_choice"')
    assert f'value="{address["id"]}" checked> {label} · 2 m' in page[first - 40 :]
    assert page.count('name="address_choice"') >= 2  # the neighbours can be picked instead
    assert 'name="address_confirmed"' in page


def test_mailbox_note_from_the_map_needs_a_confirmed_address(client, token, demo_store):
    address = _address(demo_store)
    lon, lat = _moved(*address["geometry"]["coordinates"], 2.0)
    fields = dict(
        category="briefkasten", mailbox_status="fehlt", text="Kein Briefkasten.", lon=lon, lat=lat
    )
    before = len(demo_store.query(AREA, "notes"))
    missing = client.post(f"{PAGES}/neu", data=_form(token, **fields))
    assert missing.status_code == 400
    assert "bitte die Adresse des Hauses" in missing.get_data(as_text=True)
    unconfirmed = client.post(
        f"{PAGES}/neu", data=_form(token, address_choice=address["id"], **fields)
    )
    page = unconfirmed.get_data(as_text=True)
    assert unconfirmed.status_code == 400 and "Bitte bestätigen Sie die Adresse" in page
    assert f'value="{address["id"]}" checked>' in page  # the choice is offered again
    assert len(demo_store.query(AREA, "notes")) == before
    neighbour = demo_store.query(AREA, "addresses", district="r1")[1]
    saved = client.post(
        f"{PAGES}/neu",
        data=_form(token, address_choice=neighbour["id"], address_confirmed="1", **fields),
    )
    assert saved.status_code == 303, saved.get_data(as_text=True)
    note_id = saved.headers["Location"].split("?")[0].rsplit("/", 1)[1]
    props = demo_store.get(AREA, "notes", note_id)["properties"]
    assert props["address_id"] == neighbour["id"]  # another address than the nearest: picked
    assert props["address_key"] == neighbour["properties"]["key"]


def test_other_categories_ignore_the_proposed_address(client, token, demo_store):
    address = _address(demo_store)
    lon, lat = _moved(*address["geometry"]["coordinates"], 2.0)
    saved = client.post(
        f"{PAGES}/neu",
        data=_form(token, address_choice=address["id"], lon=lon, lat=lat),
    )
    assert saved.status_code == 303
    note_id = saved.headers["Location"].split("?")[0].rsplit("/", 1)[1]
    assert "address_id" not in demo_store.get(AREA, "notes", note_id)["properties"]


def test_editing_a_note_tied_by_its_key_keeps_the_address(client, token, demo_store):
    note = next(
        n for n in demo_store.query(AREA, "notes", category="briefkasten")
        if n["properties"]["team"] == "Team Nord" and "address_id" not in n["properties"]
    )  # fmt: skip
    key = note["properties"]["address_key"]
    address = next(a for a in demo_store.query(AREA, "addresses") if a["properties"]["key"] == key)
    page = client.get(f"{PAGES}/{note['id']}").get_data(as_text=True)
    assert f'name="address_id" value="{address["id"]}"' in page
    assert 'name="address_choice"' not in page  # no proposals: the address is known
    props = note["properties"]
    saved = client.post(
        f"{PAGES}/{note['id']}",
        data=_form(
            token, version=str(props["version"]), category="briefkasten",
            mailbox_status=props["mailbox_status"], text="Briefkasten erneut geprüft.",
            address_id=address["id"], lon=note["geometry"]["coordinates"][0],
            lat=note["geometry"]["coordinates"][1], review_state="eingereicht",
        ),
    )  # fmt: skip
    assert saved.status_code == 303, saved.get_data(as_text=True)
    after = demo_store.get(AREA, "notes", note["id"])["properties"]
    assert after["address_key"] == key and after["address_id"] == address["id"]
