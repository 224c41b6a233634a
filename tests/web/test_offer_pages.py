"""Offer pages without a browser: directory and filters, one offer, edit and proposals,
check and delete, the proposal queue and the import."""

from __future__ import annotations

import io
import json
import re

import pytest
from support.backends import both_backends
from support.web import csrf_token, login

from sozialraum import settings
from sozialraum.model.roles import Role
from sozialraum.services import offers, offers_io
from sozialraum.services.notes import Actor

AREA = "musterstadt-nord"
PAGES = f"/gebiete/{AREA}/angebote"
LEAD = Actor("demo-leitung", Role.LEAD, "Team Nord")


@pytest.fixture
def lead(app):
    return login(app.test_client(), "lead")


@pytest.fixture
def viewer(app):
    return login(app.test_client(), "viewer")


def _form(client, **fields):
    """A valid region-wide offer as the form posts it (lists as repeated fields)."""
    data = {
        "csrf_token": csrf_token(client, "/"),
        "name": "Kochtreff im Quartier",
        "provider": "Nachbarschaftsverein Nord",
        "funders": ["kommune", "stiftung"],
        "target_groups": ["familien"],
        "topics": ["begegnung"],
        "languages": ["de", "ar"],
        "description": "Gemeinsam kochen und essen, jeden Freitag.",
        "phone": "01234 5678-99",
        "region_wide": "ja",
    }
    data.update(fields)
    return data


def _offer(demo_store, offer_id):
    return demo_store.get(AREA, "offers", offer_id)


def _edit(client, demo_store, offer_id, **changes) -> dict:
    """An offer's stored fields as its edit form posts them, with ``changes``."""
    values = offers.offer_form_values(_offer(demo_store, offer_id))
    data = {k: str(v) if isinstance(v, float) else v for k, v in values.items()}
    data = {k: v for k, v in data.items() if v not in (None, False)}
    return {"csrf_token": csrf_token(client, "/"), **data, **changes}


def _proposals(demo_store, state="offen"):
    return offers.list_proposals(demo_store, AREA, state=state)


def _row(page: str, offer_id: str) -> str:
    """The directory's table row of one offer (empty if it is not listed)."""
    start = page.find(f'id="angebot-{offer_id}"')
    return "" if start < 0 else page[start : page.index("</tr>", start)]


# --- directory -----------------------------------------------------------------------


def test_directory_lists_demo_offers_with_flags_and_links(client, lead, viewer):
    page = lead.get(PAGES).get_data(as_text=True)
    assert "Jobcoaching inklusiv" in page and "Sozialberatung am Telefon" in page
    assert "gebietsweit" in _row(page, "demo-sozialtelefon")
    assert "seit über 12 Monaten nicht geprüft" in _row(page, "demo-bewerbung-50plus")
    assert "abgelaufen am" in _row(page, "demo-sprachlotsen")
    assert "badge" not in _row(page, "demo-jobcoaching-inklusiv")
    assert "2 von 9 Angeboten müssen geprüft werden" in page
    assert f"/api/areas/{AREA}/offers.csv" in page and f"/api/areas/{AREA}/offers.geojson" in page
    assert f"{PAGES}/finden" in page
    assert ">Neues Angebot<" in page and f"{PAGES}/import" in page
    assert f"{PAGES}/vorschlaege" in page
    mine = client.get(PAGES).get_data(as_text=True)
    assert ">Angebot vorschlagen<" in mine and f"{PAGES}/import" not in mine
    assert f"{PAGES}/vorschlaege" in mine
    read = viewer.get(PAGES).get_data(as_text=True)
    assert f"{PAGES}/neu" not in read and f"{PAGES}/vorschlaege" not in read
    assert "Jobcoaching inklusiv" in read


@pytest.mark.parametrize(
    ("query", "listed", "left_out"),
    [
        ("zielgruppe=schwerbehinderte", ["demo-jobcoaching-inklusiv"], ["demo-sozialtelefon"]),
        ("foerderer=esf", ["demo-sprachlotsen", "demo-alleinerziehende"], ["demo-sozialtelefon"]),
        ("rechtsgrundlage=sgb9", ["demo-arbeitsassistenz"], ["demo-jugendberufsagentur"]),
        ("thema=geld", ["demo-schuldnerberatung", "demo-sozialtelefon"], ["demo-sprachlotsen"]),
        ("hinweis=pruefen", ["demo-bewerbung-50plus", "demo-sprachlotsen"], ["demo-sozialtelefon"]),
        ("hinweis=aktuell", ["demo-sozialtelefon"], ["demo-bewerbung-50plus"]),
        ("q=telefon+beratung", ["demo-sozialtelefon"], ["demo-jobcoaching-inklusiv"]),
    ],
)
def test_filters_narrow_the_list(client, query, listed, left_out):
    response = client.get(f"{PAGES}?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for offer_id in listed:
        assert _row(page, offer_id), offer_id
    for offer_id in left_out:
        assert not _row(page, offer_id), offer_id
    assert "Filter zurücksetzen" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("foerderer=erfunden", "Unbekannter Filterwert für foerderer"),
        ("hinweis=alles", "Unbekannter Filterwert für hinweis"),
        ("zielgruppe=%3Cscript%3E", "Unbekannter Filterwert für zielgruppe"),
        ("q=" + "x" * 101, "Der Suchtext ist zu lang"),
    ],
)
def test_bad_filters_are_400_with_a_german_message(client, query, message):
    response = client.get(f"{PAGES}?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page and "<script>" not in page
    assert 'id="angebot-' not in page


@both_backends
def test_offer_texts_are_escaped(client, demo_store):
    created = offers.create_offer(
        demo_store,
        AREA,
        {
            "name": "<script>alert(1)</script> Treff",
            "provider": 'Verein "<b>Nord</b>"',
            "funders": ["kommune"],
            "description": "<img src=x onerror=alert(2)>",
            "email": "treff@example.org",
            "region_wide": True,
        },
        actor=LEAD,
        today=settings.today(),
    )
    listing = client.get(PAGES).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Treff" in listing
    assert "<script>alert(1)" not in listing and "<b>Nord</b>" not in listing
    page = client.get(f"{PAGES}/{created['id']}").get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(2)&gt;" in page and "<img src=x" not in page
    assert "<script>alert(1)" not in page
    assert 'href="mailto:treff@example.org"' in page


# --- one offer -----------------------------------------------------------------------


def test_offer_page_shows_fields_contact_links_and_flags(client):
    page = client.get(f"{PAGES}/demo-jobcoaching-inklusiv").get_data(as_text=True)
    assert "Unternehmensverband Musterstadt e. V." in page
    assert (
        "Integrationsamt (Ausgleichsabgabe)" in page
        and "SGB IX (Rehabilitation und Teilhabe)" in page
    )
    assert "anerkannte Schwerbehinderung erforderlich" in page and "Leichte Sprache" in page
    assert 'href="tel:01234567810"' in page and 'href="mailto:jobcoaching@example.org"' in page
    assert (
        '<a href="https://example.org/jobcoaching" rel="noopener noreferrer" target="_blank">'
        in page
    )
    assert "zuletzt geprüft am" in page and "(Teamleitung)" in page
    old = client.get(f"{PAGES}/demo-bewerbung-50plus").get_data(as_text=True)
    assert "seit über 12 Monaten nicht geprüft" in old
    phone = client.get(f"{PAGES}/demo-sozialtelefon").get_data(as_text=True)
    assert "gebietsweit" in phone and "Punkt:" not in phone


def test_unknown_offer_is_404(client):
    response = client.get(f"{PAGES}/gibt-es-nicht")
    assert response.status_code == 404
    assert "Diese Seite gibt es nicht." in response.get_data(as_text=True)


def test_viewer_reads_without_forms(viewer):
    page = viewer.get(f"{PAGES}/demo-jobcoaching-inklusiv").get_data(as_text=True)
    assert "Jobcoaching inklusiv" in page
    assert 'name="version"' not in page and "Bearbeiten" not in page
    assert "Änderung vorschlagen" not in page and "Als geprüft markieren" not in page
    refused = viewer.post(f"{PAGES}/demo-jobcoaching-inklusiv", data=_form(viewer, version="1"))
    assert refused.status_code == 403
    assert viewer.get(f"{PAGES}/neu").status_code == 403


def test_lead_and_caseworker_see_their_forms(client, lead):
    page = lead.get(f"{PAGES}/demo-jobcoaching-inklusiv").get_data(as_text=True)
    assert "Änderungen speichern" in page and "Als geprüft markieren" in page
    assert ">Löschen<" in page and 'name="comment"' not in page
    assert 'value="integrationsamt" checked' in page and 'name="version" value="1"' in page
    mine = client.get(f"{PAGES}/demo-jobcoaching-inklusiv").get_data(as_text=True)
    assert "Änderung vorschlagen" in mine and 'name="comment"' in mine
    assert "Als geprüft markieren" not in mine and ">Löschen<" not in mine


@both_backends
def test_lead_creates_an_offer_with_the_right_lists(lead, demo_store):
    before = len(demo_store.query(AREA, "offers"))
    response = lead.post(f"{PAGES}/neu", data=_form(lead))
    assert response.status_code == 303, response.get_data(as_text=True)
    offer_id = response.headers["Location"].split("?")[0].rsplit("/", 1)[1]
    stored = _offer(demo_store, offer_id)
    props = stored["properties"]
    assert props["funders"] == ["kommune", "stiftung"]
    assert props["target_groups"] == ["familien"] and props["languages"] == ["de", "ar"]
    assert props["legal_bases"] == [] and props["region_wide"] is True
    assert stored["geometry"] is None
    assert len(demo_store.query(AREA, "offers")) == before + 1
    assert _proposals(demo_store) == []
    page = lead.get(response.headers["Location"]).get_data(as_text=True)
    assert "Das Angebot wurde angelegt." in page and "noch nie geprüft" in page


@both_backends
def test_point_from_the_form_and_region_wide_drops_the_point(lead, demo_store):
    lon, lat = demo_store.query(AREA, "addresses")[0]["geometry"]["coordinates"][:2]
    placed = lead.post(
        f"{PAGES}/neu",
        data=_form(lead, region_wide="", lon=str(lon), lat=str(lat).replace(".", ",")),
    )
    assert placed.status_code == 303
    stored = _offer(demo_store, placed.headers["Location"].split("?")[0].rsplit("/", 1)[1])
    assert stored["geometry"]["coordinates"] == pytest.approx([lon, lat], abs=1e-6)
    wide = lead.post(f"{PAGES}/neu", data=_form(lead, name="Zweiter Treff", lon="1", lat="2"))
    assert wide.status_code == 303
    stored = _offer(demo_store, wide.headers["Location"].split("?")[0].rsplit("/", 1)[1])
    assert stored["geometry"] is None and stored["properties"]["region_wide"] is True


@both_backends
def test_form_errors_are_german_and_keep_the_input(lead, demo_store):
    before = len(demo_store.query(AREA, "offers"))
    response = lead.post(f"{PAGES}/neu", data=_form(lead, funders=[], name="Mein <Treff>"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Förderer: bitte mindestens einen angeben." in page
    assert 'value="Mein &lt;Treff&gt;"' in page  # nothing typed is lost, and it is escaped
    assert 'value="familien" checked' in page and 'value="ar" checked' in page
    nowhere = lead.post(f"{PAGES}/neu", data=_form(lead, region_wide=""))
    assert nowhere.status_code == 400 and "gebietsweit" in nowhere.get_data(as_text=True)
    far = lead.post(f"{PAGES}/neu", data=_form(lead, region_wide="", lon="13.4", lat="52.5"))
    assert far.status_code == 400 and "außerhalb des Gebiets" in far.get_data(as_text=True)
    web = lead.post(f"{PAGES}/neu", data=_form(lead, web="javascript:alert(1)"))
    assert web.status_code == 400 and "keine gültige Angabe" in web.get_data(as_text=True)
    future = lead.post(
        f"{PAGES}/neu", data=_form(lead, checked_on="2999-01-01", checked_by="teamleitung")
    )
    assert future.status_code == 400 and "in der Zukunft" in future.get_data(as_text=True)
    assert len(demo_store.query(AREA, "offers")) == before


@both_backends
def test_age_limits_in_the_offer_form_and_on_the_offer_page(lead, demo_store):
    form = lead.get(f"{PAGES}/neu").get_data(as_text=True)
    assert 'name="min_age_years"' in form and 'name="max_age_years"' in form
    response = lead.post(f"{PAGES}/neu", data=_form(lead, min_age_years="18", max_age_years="24"))
    assert response.status_code == 303, response.get_data(as_text=True)
    offer_id = response.headers["Location"].split("?")[0].rsplit("/", 1)[1]
    props = _offer(demo_store, offer_id)["properties"]
    assert (props["min_age_years"], props["max_age_years"]) == (18, 24)
    page = lead.get(f"{PAGES}/{offer_id}").get_data(as_text=True)
    assert "nur für Menschen von 18 bis 24 Jahren" in page
    assert "ohne Altersgrenze" in lead.get(f"{PAGES}/demo-sozialtelefon").get_data(as_text=True)
    edit = lead.get(f"{PAGES}/demo-jugendberufsagentur").get_data(as_text=True)
    assert re.search(r'name="max_age_years"[^>]*value="24"', edit)
    before = len(demo_store.query(AREA, "offers"))
    bad = lead.post(f"{PAGES}/neu", data=_form(lead, name="Treff", max_age_years="U25"))
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "Alter bis: bitte eine ganze Zahl von 0 bis 120 (Jahre) angeben." in page
    assert re.search(r'name="max_age_years"[^>]*value="U25"', page)  # kept as typed
    crossed = lead.post(f"{PAGES}/neu", data=_form(lead, min_age_years="50", max_age_years="24"))
    assert crossed.status_code == 400
    assert "Alter bis: die Zahl liegt unter „Alter von“." in crossed.get_data(as_text=True)
    assert len(demo_store.query(AREA, "offers")) == before


@both_backends
def test_lead_edits_and_a_stale_edit_is_409_and_writes_nothing(app, lead, demo_store):
    url = f"{PAGES}/demo-jobcoaching-inklusiv"
    offer_id = "demo-jobcoaching-inklusiv"
    saved = lead.post(
        url, data=_edit(lead, demo_store, offer_id, name="Jobcoaching inklusiv plus", version="1")
    )
    assert saved.status_code == 303, saved.get_data(as_text=True)
    stored = _offer(demo_store, "demo-jobcoaching-inklusiv")["properties"]
    assert stored["name"] == "Jobcoaching inklusiv plus" and stored["version"] == 2
    assert stored["funders"] == ["integrationsamt"] and stored["target_groups"] == [
        "schwerbehinderte"
    ]
    other = login(app.test_client(), "admin")
    stale = other.post(
        url, data=_edit(other, demo_store, offer_id, name="Alte Fassung", version="1")
    )
    page = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "inzwischen geändert" in page and "Alte Fassung" in page
    assert 'name="version" value="2"' in page and 'value="Jobcoaching inklusiv plus"' in page
    assert _offer(demo_store, "demo-jobcoaching-inklusiv")["properties"]["name"] == (
        "Jobcoaching inklusiv plus"
    )
    invalid = other.post(url, data=_edit(other, demo_store, offer_id, name="", version="1"))
    assert invalid.status_code == 400 and "Name: bitte angeben." in invalid.get_data(as_text=True)
    assert 'name="version" value="1"' in invalid.get_data(as_text=True)  # still notices the change
    missing = lead.post(url, data=_edit(lead, demo_store, offer_id))
    assert missing.status_code == 400 and "Fassung" in missing.get_data(as_text=True)


@both_backends
def test_check_sets_today_and_the_flag_disappears(lead, client, demo_store):
    url = f"{PAGES}/demo-bewerbung-50plus/geprueft"
    token = csrf_token(lead, "/")
    refused = client.post(url, data={"csrf_token": csrf_token(client, "/"), "version": "1"})
    assert refused.status_code == 403 and "Teamleitung" in refused.get_data(as_text=True)
    response = lead.post(url, data={"csrf_token": token, "version": "1"})
    assert response.status_code == 303
    props = _offer(demo_store, "demo-bewerbung-50plus")["properties"]
    assert props["checked_on"] == settings.today().isoformat()
    assert props["checked_by"] == "teamleitung"
    page = lead.get(response.headers["Location"]).get_data(as_text=True)
    assert "Als geprüft markiert." in page and "nicht geprüft" not in page
    listing = lead.get(PAGES).get_data(as_text=True)
    assert "badge" not in _row(listing, "demo-bewerbung-50plus")
    assert "1 von 9 Angeboten muss geprüft werden" in listing  # only the ended one is left
    again = lead.post(url, data={"csrf_token": token, "version": "1"})
    assert again.status_code == 409 and "nicht als geprüft markiert" in again.get_data(as_text=True)


@both_backends
def test_delete_needs_a_lead_and_the_current_version(lead, client, demo_store):
    url = f"{PAGES}/demo-sprachlotsen/loeschen"
    refused = client.post(url, data={"csrf_token": csrf_token(client, "/"), "version": "1"})
    assert refused.status_code == 403
    assert _offer(demo_store, "demo-sprachlotsen")["properties"]["version"] == 1
    token = csrf_token(lead, "/")
    stale = lead.post(url, data={"csrf_token": token, "version": "7"})
    assert stale.status_code == 409 and "nicht gelöscht" in stale.get_data(as_text=True)
    deleted = lead.post(url, data={"csrf_token": token, "version": "1"})
    assert deleted.status_code == 303 and "geloescht=1" in deleted.headers["Location"]
    assert lead.get(f"{PAGES}/demo-sprachlotsen").status_code == 404
    assert "Das Angebot wurde gelöscht." in lead.get(deleted.headers["Location"]).get_data(
        as_text=True
    )


# --- proposals -----------------------------------------------------------------------


@both_backends
def test_caseworker_proposes_a_new_offer_and_the_lead_accepts_it(client, lead, demo_store):
    before = len(demo_store.query(AREA, "offers"))
    response = client.post(f"{PAGES}/neu", data=_form(client, comment="Gesehen im Stadtteil."))
    assert response.status_code == 303
    assert response.headers["Location"].startswith(f"{PAGES}/vorschlaege")
    assert len(demo_store.query(AREA, "offers")) == before  # a proposal, not an offer
    (proposal,) = _proposals(demo_store)
    assert proposal["properties"]["kind"] == "neu"
    assert proposal["properties"]["proposed_by"] == "demo-fachkraft"
    mine = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ihr Vorschlag wurde gespeichert" in mine and "Kochtreff im Quartier" in mine
    assert "Gesehen im Stadtteil." in mine and 'data-action="annehmen"' not in mine
    queue = lead.get(f"{PAGES}/vorschlaege").get_data(as_text=True)
    assert 'data-action="annehmen"' in queue and "Kochtreff im Quartier" in queue
    assert "Stiftung oder Spenden" in queue  # the proposed values, as labels
    accepted = lead.post(
        f"{PAGES}/vorschlaege/{proposal['id']}",
        data={"csrf_token": csrf_token(lead, "/"), "action": "annehmen", "version": "1"},
    )
    assert accepted.status_code == 303, accepted.get_data(as_text=True)
    stored = _offer(demo_store, proposal["id"])
    assert stored["properties"]["funders"] == ["kommune", "stiftung"]
    assert _proposals(demo_store) == []
    decided = client.get(f"{PAGES}/vorschlaege").get_data(as_text=True)
    assert "übernommen" in decided and f"{PAGES}/{proposal['id']}" in decided


@both_backends
def test_rejection_needs_a_comment(client, lead, demo_store):
    assert client.post(f"{PAGES}/neu", data=_form(client)).status_code == 303
    (proposal,) = _proposals(demo_store)
    url = f"{PAGES}/vorschlaege/{proposal['id']}"
    token = csrf_token(lead, "/")
    bare = lead.post(url, data={"csrf_token": token, "action": "ablehnen", "version": "1"})
    assert bare.status_code == 400
    assert "Bitte begründen Sie die Ablehnung" in bare.get_data(as_text=True)
    assert get_state(demo_store, proposal["id"]) == ("offen", 1)
    by_caseworker = client.post(
        url, data={"csrf_token": csrf_token(client, "/"), "action": "annehmen", "version": "1"}
    )
    assert by_caseworker.status_code == 403 and get_state(demo_store, proposal["id"])[0] == "offen"
    unknown = lead.post(url, data={"csrf_token": token, "action": "loeschen", "version": "1"})
    assert unknown.status_code == 400
    rejected = lead.post(
        url,
        data={"csrf_token": token, "action": "ablehnen", "version": "1",
              "comment": "Gibt es schon als Familientreff."},
    )  # fmt: skip
    assert rejected.status_code == 303
    assert get_state(demo_store, proposal["id"])[0] == "abgelehnt"
    page = client.get(f"{PAGES}/vorschlaege").get_data(as_text=True)
    assert "abgelehnt" in page and "Gibt es schon als Familientreff." in page
    assert lead.post(f"{PAGES}/vorschlaege/xyz", data={"csrf_token": token}).status_code == 404


def get_state(demo_store, proposal_id):
    props = offers.get_proposal(demo_store, AREA, proposal_id)["properties"]
    return props["state"], props["version"]


@both_backends
def test_change_proposal_on_an_offer_edited_meanwhile_is_409(client, lead, demo_store):
    url = f"{PAGES}/demo-schuldnerberatung"
    offer_id = "demo-schuldnerberatung"
    proposed = client.post(
        url, data=_edit(client, demo_store, offer_id, opening_hours="Mo 13–18 Uhr", version="1",
                        comment="Neue Zeiten laut Aushang.")
    )  # fmt: skip
    assert proposed.status_code == 303, proposed.get_data(as_text=True)
    assert _offer(demo_store, "demo-schuldnerberatung")["properties"]["version"] == 1
    (proposal,) = _proposals(demo_store)
    assert proposal["properties"]["kind"] == "aenderung"
    queue = lead.get(f"{PAGES}/vorschlaege").get_data(as_text=True)
    assert "Mo 13–18 Uhr" in queue and "Mo 13–17 Uhr, Mi 9–12 Uhr" in queue  # new and old
    edited = lead.post(
        url, data=_edit(lead, demo_store, offer_id, phone="01234 5678-51", version="1")
    )
    assert edited.status_code == 303
    accepted = lead.post(
        f"{PAGES}/vorschlaege/{proposal['id']}",
        data={"csrf_token": csrf_token(lead, "/"), "action": "annehmen", "version": "1"},
    )
    page = accepted.get_data(as_text=True)
    assert accepted.status_code == 409 and "nachdem der Vorschlag gemacht wurde" in page
    props = _offer(demo_store, "demo-schuldnerberatung")["properties"]
    assert props["version"] == 2 and props["opening_hours"] == "Mo 13–17 Uhr, Mi 9–12 Uhr"
    assert get_state(demo_store, proposal["id"])[0] == "offen"
    assert "Übernehmen ist nicht möglich" in lead.get(f"{PAGES}/vorschlaege").get_data(as_text=True)


@both_backends
def test_change_proposal_on_a_stale_page_is_409(client, lead, demo_store):
    url = f"{PAGES}/demo-alleinerziehende"
    offer_id = "demo-alleinerziehende"
    assert lead.post(url, data=_edit(lead, demo_store, offer_id, version="1")).status_code == 303
    stale = client.post(
        url, data=_edit(client, demo_store, offer_id, name="Treff neu", version="1")
    )
    assert stale.status_code == 409 and "Treff neu" in stale.get_data(as_text=True)
    assert _proposals(demo_store) == []


@both_backends
def test_proposal_comment_with_client_data_is_refused(client, demo_store):
    response = client.post(
        f"{PAGES}/neu", data=_form(client, comment="Für Frau Yilmaz, Tel. 0171 1234567")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Sozialdatenschutz" in page
    assert "Frau Yilmaz, Tel. 0171 1234567</textarea>" in page
    assert _proposals(demo_store) == []


@both_backends
def test_caseworkers_see_only_their_own_proposals(app, client, lead, demo_store):
    data = {
        k: v for k, v in _form(client, name="Vorschlag der Leitung").items() if k != "csrf_token"
    }
    guard = app.extensions["sozialraum"].note_rules.guard
    offers.propose(demo_store, AREA, data, actor=LEAD, guard=guard, today=settings.today())
    assert client.post(f"{PAGES}/neu", data=_form(client)).status_code == 303
    mine = client.get(f"{PAGES}/vorschlaege").get_data(as_text=True)
    assert "Kochtreff im Quartier" in mine and "Vorschlag der Leitung" not in mine
    everything = lead.get(f"{PAGES}/vorschlaege").get_data(as_text=True)
    assert "Kochtreff im Quartier" in everything and "Vorschlag der Leitung" in everything
    assert "(2 offen)" in lead.get(PAGES).get_data(as_text=True)
    assert "(1 offen)" in client.get(PAGES).get_data(as_text=True)


# --- import --------------------------------------------------------------------------

HEADER = "Name;Träger;Förderer;Zielgruppen;Angebot;Telefon;gebietsweit"


def _upload(client, data: bytes, filename="angebote.csv"):
    form = {"csrf_token": csrf_token(client, "/"), "datei": (io.BytesIO(data), filename)}
    return client.post(f"{PAGES}/import", data=form, content_type="multipart/form-data")


@both_backends
def test_import_of_a_good_csv_adds_offers(lead, demo_store):
    csv = (
        f"{HEADER}\n"
        "Kochtreff;Nachbarschaftsverein;Kommune|Stiftung oder Spenden;Familien mit Kindern;"
        "Gemeinsam kochen.;01234 5678-99;ja\n"
        "Repair-Café;Bürgerverein;kommune;;Reparieren statt wegwerfen.;01234 5678-98;ja\n"
    ).encode()
    before = len(demo_store.query(AREA, "offers"))
    response = _upload(lead, csv)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "Übernommen" in page and "<strong>2</strong> neu" in page
    assert "Kochtreff" in page and "Repair-Café" in page
    stored = {f["properties"]["name"]: f for f in demo_store.query(AREA, "offers")}
    assert len(stored) == before + 2
    assert stored["Kochtreff"]["properties"]["funders"] == ["kommune", "stiftung"]
    assert stored["Kochtreff"]["properties"]["target_groups"] == ["familien"]
    again = _upload(lead, csv).get_data(as_text=True)
    assert "<strong>0</strong> neu" in again and "2 unverändert" in again


@both_backends
def test_import_of_geojson(lead, demo_store):
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": None,
                "properties": {
                    "name": "Hilfetelefon",
                    "provider": "Land",
                    "funders": ["land"],
                    "description": "Beratung am Telefon.",
                    "phone": "0800 123456",
                    "region_wide": True,
                },
            }
        ],
    }
    response = _upload(lead, json.dumps(collection).encode(), "angebote.geojson")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert any(f["properties"]["name"] == "Hilfetelefon" for f in demo_store.query(AREA, "offers"))


@both_backends
def test_import_of_a_bad_csv_shows_row_problems_and_adds_nothing(lead, demo_store):
    csv = (
        f"{HEADER}\n"
        "Kochtreff;Nachbarschaftsverein;Kommune;;Gemeinsam kochen.;01234 5678-99;ja\n"
        "Foo-Treff;Verein;Foo;;Etwas.;01234 5678-97;ja\n"
        "<b>Ohne</b>;Verein;Kommune;;Etwas.;;ja\n"
    ).encode()
    before = len(demo_store.query(AREA, "offers"))
    response = _upload(lead, csv)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nichts übernommen" in page
    assert "Zeile 3: Förderer: „Foo“ ist unbekannt" in page
    assert "Zeile 4: Kontakt: bitte Telefon, E-Mail, Web oder Adresse angeben." in page
    assert "<b>Ohne</b>" not in page
    assert len(demo_store.query(AREA, "offers")) == before


@both_backends
def test_import_file_problems_and_rights(lead, client, demo_store):
    unknown = _upload(lead, b"Name;Kundennummer\nA;1\n")
    assert unknown.status_code == 400
    assert "Unbekannte Spalten: Kundennummer" in unknown.get_data(as_text=True)
    empty = _upload(lead, b"")
    assert empty.status_code == 400
    missing = lead.post(f"{PAGES}/import", data={"csrf_token": csrf_token(lead, "/")})
    assert missing.status_code == 400
    assert "Bitte eine CSV- oder GeoJSON-Datei wählen." in missing.get_data(as_text=True)
    assert client.get(f"{PAGES}/import").status_code == 403
    refused = _upload(client, f"{HEADER}\nA;B;Kommune;;C;0123;ja\n".encode())
    assert refused.status_code == 403
    assert "Teamleitungen" in refused.get_data(as_text=True)
    form = lead.get(f"{PAGES}/import").get_data(as_text=True)
    assert 'type="file"' in form and "Träger" in form and "Breite" in form and "„|“" in form


def test_oversized_uploads_are_413(app, lead, monkeypatch):
    monkeypatch.setattr(offers_io, "MAX_FILE_BYTES", 2000)
    big = (HEADER + "\n" + "A;B;Kommune;;C;0123;ja\n" * 200).encode()
    response = _upload(lead, big)
    assert response.status_code == 413
    assert "Die Datei ist zu groß" in response.get_data(as_text=True)
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = _upload(lead, big)
    assert response.status_code == 413
    assert "Die Datei ist zu groß." in response.get_data(as_text=True)


# --- four-eyes -----------------------------------------------------------------------


def _second_lead(app, demo_store):
    """A second lead (only one demo lead exists), logged in."""
    from support.accounts import accounts_of

    accounts_of(demo_store).add("leitung-zwei", "lead", "Team Nord", "leitung-zwei-2026")
    client = app.test_client()
    form = {"csrf_token": csrf_token(client), "username": "leitung-zwei",
            "password": "leitung-zwei-2026"}  # fmt: skip
    assert client.post("/anmelden", data=form).status_code == 302
    return client


@both_backends
def test_a_lead_who_edited_an_offer_cannot_mark_it_checked(app, lead, demo_store):
    offer_id = "demo-jobcoaching-inklusiv"
    edited = lead.post(f"{PAGES}/{offer_id}", data=_edit(lead, demo_store, offer_id,
                       phone="0800 5555", version="1"))  # fmt: skip
    assert edited.status_code == 303
    props = _offer(demo_store, offer_id)["properties"]
    assert props["edited_by"] == ["demo-leitung"]
    page = lead.get(f"{PAGES}/{offer_id}").get_data(as_text=True)
    assert "Als geprüft markieren</button>" not in page
    assert "Vier-Augen-Prinzip" in page and "andere Person" in page
    assert "Seit der letzten Prüfung geändert von" in page
    assert "noch nicht von einer zweiten Person geprüft" in page
    assert "Erscheint nicht auf Merkblättern" in page
    url = f"{PAGES}/{offer_id}/geprueft"
    refused = lead.post(url, data={"csrf_token": csrf_token(lead, "/"), "version": "2"})
    assert refused.status_code == 403 and "Vier-Augen-Prinzip" in refused.get_data(as_text=True)
    assert _offer(demo_store, offer_id)["properties"]["version"] == 2
    other = _second_lead(app, demo_store)
    assert "Als geprüft markieren</button>" in other.get(f"{PAGES}/{offer_id}").get_data(
        as_text=True
    )
    checked = other.post(url, data={"csrf_token": csrf_token(other, "/"), "version": "2"})
    assert checked.status_code == 303
    props = _offer(demo_store, offer_id)["properties"]
    assert props["edited_by"] == [] and props["checked_on"] == settings.today().isoformat()


@both_backends
def test_a_lead_cannot_accept_their_own_proposal(app, lead, demo_store):
    offers.propose(
        demo_store, AREA, _offer_fields_for_proposal(demo_store), actor=LEAD,
        guard=app.extensions["sozialraum"].note_rules.guard, today=settings.today(),
    )  # fmt: skip
    (proposal,) = _proposals(demo_store)
    queue = lead.get(f"{PAGES}/vorschlaege").get_data(as_text=True)
    item = queue.split(f'id="vorschlag-{proposal["id"]}"')[1].split("</li>")[0]
    assert 'data-action="annehmen"' not in item and 'data-action="ablehnen"' in item
    assert "Vier-Augen-Prinzip" in item
    decide = f"{PAGES}/vorschlaege/{proposal['id']}"
    form = {"csrf_token": csrf_token(lead, "/"), "action": "annehmen", "version": "1"}
    refused = lead.post(decide, data=form)
    assert refused.status_code == 403 and "Vier-Augen-Prinzip" in refused.get_data(as_text=True)
    assert _proposals(demo_store) == [proposal]
    other = _second_lead(app, demo_store)
    form["csrf_token"] = csrf_token(other, "/")
    assert other.post(decide, data=form).status_code == 303
    assert _offer(demo_store, proposal["id"])["properties"]["edited_by"] == []


def _offer_fields_for_proposal(demo_store) -> dict:
    return {"name": "Nähcafé", "provider": "Familienzentrum", "funders": ["kommune"],
            "description": "Gemeinsam nähen.", "phone": "01234 66",
            "region_wide": True}  # fmt: skip


@both_backends
def test_offers_missing_from_a_reimport_are_named_and_archived_after_confirmation(
    lead, client, demo_store
):
    stored = sorted(demo_store.query(AREA, "offers"), key=lambda f: f["id"])
    gone, kept = stored[0], stored[1:]
    export = offers_io.export_csv(kept, settings.today()).encode("utf-8")
    response = _upload(lead, export)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    name, provider = gone["properties"]["name"], gone["properties"]["provider"]
    assert f"nicht mehr in der Datei: {name} ({provider})" in page
    assert f'name="id" value="{gone["id"]}"' in page
    assert "archived_on" not in demo_store.get(AREA, "offers", gone["id"])["properties"]
    archive = f"{PAGES}/archivieren"
    # without the confirmation nothing happens; caseworkers may not
    unconfirmed = lead.post(archive, data={"csrf_token": csrf_token(lead, "/"), "id": gone["id"]})
    assert unconfirmed.status_code == 400
    assert "Bitte bestätigen Sie" in unconfirmed.get_data(as_text=True)
    form = {"csrf_token": csrf_token(client, "/"), "id": gone["id"], "bestaetigt": "ja"}
    assert client.post(archive, data=form).status_code == 403
    assert "archived_on" not in demo_store.get(AREA, "offers", gone["id"])["properties"]
    form["csrf_token"] = csrf_token(lead, "/")
    done = lead.post(archive, data=form)
    assert done.status_code == 303 and "archiv=nur" in done.headers["Location"]
    assert demo_store.get(AREA, "offers", gone["id"])["properties"]["archived_on"]
    # the directory hides it unless the archive filter asks for it
    assert "1 Angebot archiviert." in lead.get(done.headers["Location"]).get_data(as_text=True)
    assert "archiviert." not in lead.get(f"{PAGES}?archiviert=<b>x</b>").get_data(as_text=True)
    directory = client.get(PAGES).get_data(as_text=True)
    assert gone["id"] not in directory and "1 archivierte Angebot ist ausgeblendet" in directory
    archived = client.get(f"{PAGES}?archiv=nur").get_data(as_text=True)
    assert gone["id"] in archived and "archiviert am" in archived
    # the next import of the same file names nothing as missing
    again = _upload(lead, export).get_data(as_text=True)
    assert "nicht mehr in der Datei:" not in again and 'id="fehlende"' not in again
