"""Offers' own texts per handout language (issue 24): form, JSON API, CSV import and export,
and the handouts' fallback to the German text with the note."""

from __future__ import annotations

import io
import re

import pytest
from support.backends import both_backends
from support.web import csrf_token, login

from sozialraum import settings
from sozialraum.errors import InvalidInput
from sozialraum.handouts import offer_text
from sozialraum.handouts.offer_texts import handout_conditions, offer_columns
from sozialraum.model import offers as model
from sozialraum.services.offers_io.export import CSV_HEADER

AREA = "musterstadt-nord"
PAGES = f"/gebiete/{AREA}/angebote"
FINDER = f"{PAGES}/finden"
ARABIC = {"name_ar": "ملتقى الطبخ", "description_ar": "نطبخ ونأكل معًا كل يوم جمعة."}


@pytest.fixture
def lead(app):
    return login(app.test_client(), "lead")


def _form(client, **fields):
    data = {
        "csrf_token": csrf_token(client, "/"),
        "name": "Kochtreff im Quartier",
        "provider": "Nachbarschaftsverein Nord",
        "funders": ["kommune"],
        "description": "Gemeinsam kochen und essen, jeden Freitag.",
        "phone": "01234 5678-99",
        "region_wide": "ja",
        "checked_on": settings.today().isoformat(),
        "checked_by": "teamleitung",
    }
    data.update(fields)
    return data


def test_the_model_keeps_texts_per_language_and_checks_them():
    today = settings.today()
    base = {
        "name": "Treff",
        "provider": "Verein",
        "funders": "kommune",
        "description": "Offener Treff.",
        "phone": "01234 5678",
        "region_wide": True,
    }
    checked = model.check_offer_input({**base, **ARABIC, "name_en": "  ", "name_fa": None}, today)
    assert checked.properties["name_ar"] == ARABIC["name_ar"]
    assert "name_en" not in checked.properties and "name_fa" not in checked.properties
    with pytest.raises(InvalidInput) as err:
        model.check_offer_input({**base, "description_uk": "x" * 2001}, today)
    assert "Angebot (Ukrainisch)" in str(err.value)
    assert "name_de_ls" in model.FIELDS and "description_tr" in model.CONTENT_FIELDS
    assert "Name (Arabisch)" in CSV_HEADER and "Angebot (Leichte Sprache)" in CSV_HEADER


def test_offer_text_falls_back_to_german_with_a_note():
    props = {"name": "Treff", "description": "Offener Treff.", **ARABIC, "name_en": "Meeting point"}
    arabic = offer_text(props, "ar")
    assert (arabic.name, arabic.description, arabic.german_only) == (
        ARABIC["name_ar"], ARABIC["description_ar"], False,
    )  # fmt: skip
    english = offer_text(props, "en")
    assert english.name == "Meeting point" and english.description == "Offener Treff."
    assert english.description_german and not english.name_german and english.german_only
    german = offer_text(props, "de")
    assert german.name == "Treff" and not german.german_only
    persian = offer_text(props, "fa")
    assert persian.name == "Treff" and persian.name_german and persian.description_german
    # never empty where the German text is not
    assert all(
        offer_text({"name": "A", "description": "B"}, c).description == "B" for c in ["ar", "uk"]
    )


def test_a_german_description_is_printed_once_beside_german():
    props = {"name": "Treff", "description": "Offener Treff."}
    assert [show for _, show in offer_columns(props, ["ar", "de"])] == [False, True]
    assert [show for _, show in offer_columns(props, ["de-LS", "en"])] == [True, False]
    assert [show for _, show in offer_columns({**props, **ARABIC}, ["ar", "de"])] == [True, True]


def test_age_limits_are_catalog_messages_with_numbers():
    texts = handout_conditions({"eligibility": ["kostenlos"], "max_age_years": 24})
    assert texts[0] == ("Das Angebot kostet nichts.", {})
    message, values = texts[1]
    assert message == "Das Angebot ist für Menschen unter {age} Jahren."
    assert str(values["age"]) == '<bdi dir="ltr">25</bdi>'


@both_backends
def test_the_form_stores_texts_per_language_and_shows_them_again(lead, demo_store):
    response = lead.post(f"{PAGES}/neu", data=_form(lead, **ARABIC, name_de_ls="Koch-Treff"))
    assert response.status_code == 303, response.get_data(as_text=True)
    offer_id = response.headers["Location"].split("?")[0].rsplit("/", 1)[1]
    props = demo_store.get(AREA, "offers", offer_id)["properties"]
    assert props["name_ar"] == ARABIC["name_ar"] and props["name_de_ls"] == "Koch-Treff"
    assert "name_en" not in props
    page = lead.get(f"{PAGES}/{offer_id}").get_data(as_text=True)
    assert 'name="name_ar"' in page and ARABIC["description_ar"] in page
    assert re.search(r'<details class="offer-translations" open>', page)


@both_backends
def test_csv_import_reads_columns_per_language(lead, demo_store):
    csv = (
        "Name;Träger;Förderer;Angebot;Telefon;gebietsweit;Name (Arabisch);Angebot (Arabisch)\n"
        f"Kochtreff;Verein;kommune;Gemeinsam kochen.;01234 5678-99;ja;{ARABIC['name_ar']};"
        f"{ARABIC['description_ar']}\n"
    ).encode()
    form = {"csrf_token": csrf_token(lead, "/"), "datei": (io.BytesIO(csv), "angebote.csv")}
    response = lead.post(f"{PAGES}/import", data=form, content_type="multipart/form-data")
    assert response.status_code == 200, response.get_data(as_text=True)
    stored = {f["properties"]["name"]: f for f in demo_store.query(AREA, "offers")}
    assert stored["Kochtreff"]["properties"]["description_ar"] == ARABIC["description_ar"]


@both_backends
def test_the_api_takes_and_gives_texts_per_language(app, demo_store):
    client = login(app.test_client(), "lead")
    headers = {"X-CSRFToken": csrf_token(client, "/")}
    body = {
        "name": "Kochtreff",
        "provider": "Verein",
        "funders": ["kommune"],
        "description": "Gemeinsam kochen.",
        "phone": "01234 5678-99",
        "region_wide": True,
        "description_en": "Cooking together.",
    }
    response = client.post(f"/api/areas/{AREA}/offers", json=body, headers=headers)
    assert response.status_code == 201, response.json
    assert response.json["properties"]["description_en"] == "Cooking together."


@both_backends
def test_the_finder_handout_prints_the_chosen_languages_and_german_for_the_form(lead, demo_store):
    offer_id = "demo-schuldnerberatung"
    feature = demo_store.get(AREA, "offers", offer_id)
    demo_store.update(
        AREA, "offers", offer_id,
        {**feature, "properties": {**feature["properties"], **ARABIC}},
        expected_version=feature["properties"]["version"], actor="test",
    )  # fmt: skip
    data = {"csrf_token": csrf_token(lead, FINDER), "sprache": "ar", "sprache2": "de"}
    page = lead.post(FINDER, data=data).get_data(as_text=True)
    article = page.split('<article class="handout offer-handout two-languages"', 1)[1]
    assert article.startswith(' aria-labelledby="handout-title"')
    assert 'lang="ar" dir="rtl" data-languages="ar de"' in article
    assert ARABIC["name_ar"] in article and "متوفر باللغة الألمانية فقط" in article
    assert "<h1>Angebote finden</h1>" in page  # the page itself stays German
    assert '<option value="ar" selected>' in page  # the choice shown again, stored nowhere
    bad = lead.post(FINDER, data={**data, "sprache": "xx"})
    assert bad.status_code == 400 and "Diese Sprache gibt es für den Handzettel nicht." in bad.text
