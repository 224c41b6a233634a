"""The offer finder page, its citizen handout and the offers in the address guide.

The case of the issue: a severely disabled jobseeker without a job, looking for help to
find work, finds the job-coaching project and not the job assistance that needs a job.

Tests that change the store or check that nothing is stored run on both store backends
(``@both_backends``: GeoJSON files, PostgreSQL).
"""

from __future__ import annotations

import html
import logging
import re
from urllib.parse import urlsplit

import pytest
from support.backends import both_backends, database_hits, store_state
from support.web import csrf_token, login

from sozialraum import settings
from sozialraum.analysis.reachability import NETWORK_ARTIFACT, REACHABILITY_ARTIFACT
from sozialraum.model import offers as model
from sozialraum.services import offers
from sozialraum.web.formats import german_distance

AREA = "musterstadt-nord"
FINDER = f"/gebiete/{AREA}/angebote/finden"
GUIDE = f"/gebiete/{AREA}/wegweiser"
COACHING = "demo-jobcoaching-inklusiv"
ASSISTANCE = "demo-arbeitsassistenz"
OVER_50 = "demo-bewerbung-50plus"
LANGUAGE_GUIDES = "demo-sprachlotsen"
PHONE_LINE = "demo-sozialtelefon"

#: The issue's person: severely disabled, recognised, no job, looking for work.
JOBSEEKER = {
    "target_groups": ["schwerbehinderte"],
    "employed": "nein",
    "disability_recognised": "ja",
    "topics": ["arbeit"],
}
#: Fits the unchecked "Bewerbungswerkstatt 50plus" (and, for refugees, the ended project).
OLDER = {
    "target_groups": ["aeltere", "gefluechtete"],
    "circuits": ["sgb2"],
    "employed": "nein",
    "topics": ["arbeit", "sprache"],
}
#: Many fitting offers with a place: to see them sorted by walking time.
BROAD = {
    "target_groups": ["schwerbehinderte", "jugendliche", "alleinerziehende", "zugewanderte"],
    "employed": "nein",
    "disability_recognised": "ja",
}


def _find(client, **form):
    token = csrf_token(client, FINDER)
    return client.post(FINDER, data={"csrf_token": token, **form})


def _address(demo_store, street="Lindenstraße", housenumber="12") -> dict:
    for feature in demo_store.query(AREA, "addresses"):
        props = feature["properties"]
        if props["street"] == street and props["housenumber"] == housenumber:
            return feature
    raise AssertionError("demo address missing")


def _part(page: str, start: str, end: str) -> str:
    assert start in page, start
    return page.split(start, 1)[1].split(end, 1)[0]


def _fits(page: str) -> str:
    return _part(page, '<ol class="offer-results">', "</ol>")


def _others(page: str) -> str:
    return _part(page, '<details class="offer-misses">', "</details>")


def _handout(page: str) -> str:
    return _part(page, '<article class="handout offer-handout"', "</article>")


def _ids(block: str) -> list[str]:
    return re.findall(r'data-offer="([^"]+)"', block)


def _text(block: str) -> str:
    """The text of an HTML block: inline elements joined as a browser shows them."""
    inline = re.sub(r"</?(?:span|bdi|a|strong)\b[^>]*>", "", block)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", inline)))


def _situation(form: dict) -> model.Situation:
    return model.situation_from(form)


# -- the form ----------------------------------------------------------------------------------
def test_finder_form_is_not_cached_and_asks_everything(client):
    response = client.get(FINDER)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert 'method="post"' in page and 'name="csrf_token"' in page
    for legend in (
        "Zielgruppen",
        "Rechtskreis",
        "Sprachen, in denen beraten werden kann",
        "Anliegen",
        "In Arbeit?",
        "Schwerbehinderung anerkannt (GdB ab 50) oder gleichgestellt?",
    ):
        assert f"<legend>{legend}</legend>" in page
    for name, vocabulary in (
        ("target_groups", model.TARGET_GROUPS),
        ("circuits", model.LEGAL_BASES),
        ("languages", model.LANGUAGES),
        ("topics", model.TOPICS),
    ):
        assert len(re.findall(rf'type="checkbox" name="{name}"', page)) == len(vocabulary)
    for name in ("employed", "disability_recognised"):
        values = re.findall(rf'type="radio" name="{name}" value="(\w+)"', page)
        assert values == ["ja", "nein", "offen"]
    assert 'name="adresse"' in page and 'name="profil"' in page
    assert "<legend>Alter (freiwillig)</legend>" in page and 'name="age_years"' in page
    assert '<ol class="offer-results">' not in page
    assert '<article class="handout offer-handout"' not in page
    assert "Hilfe-Angebote" in client.get(f"/gebiete/{AREA}/angebote/finden").get_data(as_text=True)


# -- the case of the issue -----------------------------------------------------------------------
def test_disabled_jobseeker_finds_the_coaching_not_the_job_assistance(client):
    response = _find(client, **JOBSEEKER)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    fits, others = _fits(page), _others(page)
    assert COACHING in _ids(fits)
    assert "Jobcoaching inklusiv" in fits
    assert ASSISTANCE not in _ids(fits) and "Arbeitsassistenz" not in fits
    # … but under "Nicht passend", with the reason
    assert ASSISTANCE in _ids(others)
    assistance = _part(others, f'data-offer="{ASSISTANCE}"', "</li></ul>")
    assert "Voraussetzung fehlt: bestehendes Arbeitsverhältnis erforderlich" in _text(assistance)
    # the coaching's reasons and a link to the offer page
    coaching = _part(fits, f'data-offer="{COACHING}"', "</li>\n")
    assert "Zielgruppe: schwerbehinderte Menschen" in coaching
    assert "Anliegen: Arbeit und Beruf" in coaching
    assert f'href="/gebiete/{AREA}/angebote/{COACHING}"' in coaching
    # the coaching goes on the handout
    assert COACHING in _ids(_handout(page))
    # what was ticked is ticked again (from the POST)
    checked = set(re.findall(r'name="(\w+)" value="(\w+)"\s*checked', page))
    assert {
        ("target_groups", "schwerbehinderte"),
        ("topics", "arbeit"),
        ("employed", "nein"),
        ("disability_recognised", "ja"),
        ("profil", "normal"),
    } == checked


def test_a_question_left_open_is_listed_to_clarify(client):
    form = {**JOBSEEKER, "disability_recognised": "offen"}
    page = _find(client, **form).get_data(as_text=True)
    coaching = _part(_fits(page), f'data-offer="{COACHING}"', "</li>\n")
    assert "Bitte klären:" in coaching
    assert model.CONDITIONS["schwerbehinderung_anerkannt"].label in coaching


def test_with_an_address_fitting_offers_are_sorted_by_walking_time(client, demo_store):
    response = _find(client, **BROAD, adresse="Lindenstraße 12")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    fits = _fits(page)
    expected = offers.find_offers(
        demo_store,
        AREA,
        _situation(BROAD),
        today=settings.today(),
        address=_address(demo_store),
    )["fits"]
    assert _ids(fits) == [item["offer"]["id"] for item in expected]
    minutes = [float(m) for m in re.findall(r'data-walk-min="([\d.]+)"', fits)]
    placed = [i for i in expected if i["walk_min"] is not None]
    assert len(minutes) == len(placed) >= 3
    assert minutes == sorted(minutes)
    for item in placed:
        block = _part(fits, f'data-offer="{item["offer"]["id"]}"', "</li>\n")
        shown = "unter 1" if item["walk_min"] < 1 else f"{item['walk_min']:.0f}"
        assert f"{shown} Min. zu Fuß · {german_distance(item['distance_m'])}" in block
    # region-wide offers come after those with a place
    assert _ids(fits)[-1] == PHONE_LINE
    assert "gebietsweit / telefonisch" in _part(fits, f'data-offer="{PHONE_LINE}"', "</li>\n")
    # the handout gives walking minutes, but not the address they start from
    handout = _handout(page)
    assert "Zu Fuß: etwa" in handout and "Lindenstraße" not in handout
    assert "Sortiert nach Gehzeit" in page


def test_without_an_address_no_walking_times(client):
    page = _find(client, **BROAD).get_data(as_text=True)
    assert "data-walk-min" not in page and "Min. zu Fuß" not in page
    assert "Zu Fuß" not in _handout(page)


# -- the handout ---------------------------------------------------------------------------------
def test_handout_leaves_out_unchecked_and_ended_offers(client):
    page = _find(client, **OLDER).get_data(as_text=True)
    fits, others, handout = _fits(page), _others(page), _handout(page)
    # the workshop fits, is flagged and stays off the handout
    assert OVER_50 in _ids(fits)
    workshop = _part(fits, f'data-offer="{OVER_50}"', "</li>\n")
    assert "seit über 12 Monaten nicht geprüft" in workshop
    assert "nicht im Handzettel" in workshop
    assert OVER_50 not in _ids(handout) and "Bewerbungswerkstatt" not in handout
    # the ended project does not fit (and says why)
    assert LANGUAGE_GUIDES in _ids(others) and LANGUAGE_GUIDES not in _ids(fits)
    assert "abgelaufen am" in _part(others, f'data-offer="{LANGUAGE_GUIDES}"', "</li>\n")
    assert "Sprachlotsen" not in handout
    # the handout holds exactly the items offers.handout_items picks
    assert _ids(handout)
    assert all(i in _ids(fits) for i in _ids(handout))
    assert "Hilfe-Angebote für Sie" in handout
    assert re.search(
        r"Stand: \d\d\.\d\d\.\d{4} · Angaben ohne Gewähr, bitte vorher anrufen\.", _text(handout)
    )


def test_handout_states_nothing_about_the_person(client, demo_store):
    typed = "Lindenstraße 12"
    page = _find(client, **JOBSEEKER, adresse=typed).get_data(as_text=True)
    handout = _handout(page)
    text = _text(handout)
    assert "Jobcoaching inklusiv" in text and "Das sollten Sie wissen:" in text
    assert "Sie brauchen keine Arbeitsstelle." in text  # the offer's conditions, in plain German
    # take out what the offers themselves say: the rest must say nothing about the person
    for offer_id in _ids(handout):
        props = demo_store.get(AREA, "offers", offer_id)["properties"]
        own = [props[k] for k in ("name", "provider", "description", "address") if props[k]]
        own += [props[k] for k in ("opening_hours", "eligibility_note") if props.get(k)]
        own += model.plain_conditions(props)
        for value in sorted(own, key=len, reverse=True):
            assert value in text, value
            text = text.replace(value, " ")
    lowered = text.casefold()
    for word in (
        "schwerbehindert",
        "behinderung",
        "gdb",
        "arbeitsverhältnis",
        "in arbeit",
        "ohne arbeit",
        "zielgruppe",
        "anliegen",
        "arbeit und beruf",
        "passend, weil",
        "erfüllt",
        "lindenstraße",
        "bitte klären",
    ):
        assert word not in lowered, word
    assert "Für Sie passend, weil" not in page


YOUTH_AGENCY = "demo-jugendberufsagentur"  # U25: up to 24


def _to_check(page: str, offer_id: str) -> list[str]:
    """The "Bitte klären" items of one fitting offer."""
    chunks = _fits(page).split('<li class="offer-result')
    (item,) = [c for c in chunks if f'data-offer="{offer_id}"' in c]
    if '<ul class="to-check">' not in item:
        return []
    return [
        _text(t).strip() for t in re.findall(r"<li>(.*?)</li>", _part(item, '"to-check">', "</ul>"))
    ]


def test_offers_with_an_age_limit_are_matched_on_the_age(client, demo_store):
    """U25 and 50plus offers: without an age "Bitte klären", with one matched on it; the age
    stays in the form and never reaches the handout."""
    groups = {"target_groups": ["jugendliche", "aeltere"]}
    page = _find(client, **groups).get_data(as_text=True)
    assert YOUTH_AGENCY in _ids(_fits(page)) and OVER_50 in _ids(_fits(page))
    assert _to_check(page, YOUTH_AGENCY) == ["Alter: nur für Menschen unter 25 Jahren"]
    assert "Alter: nur für Menschen ab 50 Jahren" in _to_check(page, OVER_50)
    response = _find(client, age_years="19")  # nothing ticked: the age alone
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert YOUTH_AGENCY in _ids(_fits(page)) and _to_check(page, YOUTH_AGENCY) == []
    assert "Alter passt: für Menschen unter 25 Jahren" in _text(_fits(page))
    assert OVER_50 in _ids(_others(page))
    assert 'id="age_years" name="age_years"' in page and 'value="19"' in page
    handout = _handout(page)
    assert YOUTH_AGENCY in _ids(handout)
    text = _text(handout)
    assert "Das Angebot ist für Menschen unter 25 Jahren." in text  # the offer's limit
    for offer_id in _ids(handout):
        props = demo_store.get(AREA, "offers", offer_id)["properties"]
        for key in ("name", "provider", "description", "address", "opening_hours", "phone",
                    "email", "web"):  # fmt: skip
            text = text.replace(props.get(key) or "\0", " ")
    text = re.sub(r"Stand: [0-9.]+", " ", text)
    assert not re.search(r"\b19\b", text) and "alter" not in text.casefold().replace(
        "alleinerziehende", ""
    )
    page = _find(client, age_years="57", target_groups="jugendliche").get_data(as_text=True)
    assert YOUTH_AGENCY in _ids(_others(page))
    assert "Alter passt nicht: nur für Menschen unter 25 Jahren" in _text(_others(page))


def test_handout_entries_have_a_print_checkbox_hidden_without_javascript(client):
    page = _find(client, **BROAD).get_data(as_text=True)
    handout = _handout(page)
    entries = len(_ids(handout))
    assert entries >= 3
    assert handout.count("data-handout-toggle") == entries
    assert handout.count('class="handout-pick no-print" hidden') == entries
    assert "/static/sozialraum/finder.js" in page and "/static/sozialraum/print.js" in page
    assert "data-print" in page and "Handzettel drucken" in page


@both_backends
def test_offer_texts_reach_the_page_as_text(client, demo_store):
    current = demo_store.get(AREA, "offers", COACHING)
    evil = '<img src=x onerror="window.__xss=1"> ${alert(1)}'
    props = {**current["properties"], "name": evil, "description": "<script>alert(2)</script>"}
    demo_store.update(
        AREA,
        "offers",
        COACHING,
        {**current, "properties": props},
        expected_version=current["properties"]["version"],
        actor="test",
    )
    page = _find(client, **JOBSEEKER).get_data(as_text=True)
    assert "<img src=x" not in page and "<script>alert(2)" not in page
    assert "&lt;img src=x onerror=&#34;window.__xss=1&#34;&gt; ${alert(1)}" in page


@both_backends
# -- privacy ---------------------------------------------------------------------------------
def test_situation_and_address_are_stored_nowhere(client, demo_store, caplog):
    typed = "LINDENstrasse    12"
    before = {p: p.stat().st_mtime_ns for p in demo_store.data_dir.rglob("*") if p.is_file()}
    before_state = store_state(demo_store, AREA)  # layers, metadata, audit: either backend
    caplog.set_level(logging.DEBUG)
    response = _find(client, **JOBSEEKER, adresse=typed)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Min. zu Fuß" in page  # the address was used
    assert response.request.url.endswith(FINDER)
    # nothing of it in any URL of the page
    for url in re.findall(r'(?:href|src|action)="([^"]*)"', page):
        assert "linden" not in url.casefold() and "strasse" not in url.casefold(), url
        query = urlsplit(html.unescape(url)).query
        for word in ("adresse", "target_groups", "employed", "disability", "schwerbehindert"):
            assert word not in query, url
    # nor in the log, the session cookie or any file
    assert typed not in caplog.text and "LINDEN" not in caplog.text
    assert "schwerbehindert" not in caplog.text
    cookies = " ".join(c.value for c in client._cookies.values())
    assert "LINDEN" not in cookies and "schwer" not in cookies
    after = {p: p.stat().st_mtime_ns for p in demo_store.data_dir.rglob("*") if p.is_file()}
    changed = [p for p in after if after[p] != before.get(p)]
    assert all("accounts" in p.parts for p in changed), changed  # login bookkeeping only
    assert store_state(demo_store, AREA) == before_state
    assert database_hits(demo_store, [typed]) == []  # PostgreSQL: in no table
    for path in demo_store.data_dir.rglob("*"):
        if path.is_file():
            assert typed.encode() not in path.read_bytes(), path


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_every_answer_is_no_store(client, method):
    if method == "GET":
        response = client.get(FINDER)
    else:
        response = client.post(FINDER, data={"target_groups": "aeltere"})  # no token
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Pragma"] == "no-cache"


# -- addresses -------------------------------------------------------------------------------
def test_ambiguous_address_offers_choices_that_carry_the_situation(client, demo_store):
    page = _find(client, **JOBSEEKER, adresse="Lindenstraße").get_data(as_text=True)
    assert "Bitte wählen Sie die gemeinte Adresse." in page
    assert '<ol class="offer-results">' not in page
    forms = re.findall(r'<li><form method="post".*?</form></li>', page, re.S)
    assert len(forms) >= 2
    for form in forms:
        hidden = set(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', form))
        assert {
            ("target_groups", "schwerbehinderte"),
            ("topics", "arbeit"),
            ("employed", "nein"),
            ("disability_recognised", "ja"),
            ("profil", "normal"),
        } <= hidden
        assert "csrf_token" in {name for name, _ in hidden}
    chosen_id = re.findall(r'name="address_id" value="([^"]+)"', forms[1])[0]
    fields = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', forms[1]))
    fields.pop("csrf_token")
    fields.pop("address_id")
    response = _find(client, **fields, address_id=chosen_id)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert COACHING in _ids(_fits(page)) and "Min. zu Fuß" in _fits(page)
    chosen = demo_store.get(AREA, "addresses", chosen_id)["properties"]
    assert f'value="{chosen["street"]} {chosen["housenumber"]}"' in page


def test_unknown_address_gives_results_without_walking_times(client):
    response = _find(client, **JOBSEEKER, adresse="Gibtsnichtweg 99")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Diese Adresse kennen wir in diesem Gebiet nicht" in page
    assert COACHING in _ids(_fits(page)) and "Min. zu Fuß" not in page
    gone = _find(client, **JOBSEEKER, address_id="w999999999").get_data(as_text=True)
    assert "Diese Adresse gibt es nicht mehr." in gone and COACHING in _ids(_fits(gone))


@both_backends
def test_without_walk_network_results_without_walking_times(client, demo_store):
    meta = demo_store.read_meta(AREA)
    demo_store.write_meta(AREA, {**meta, "walk_network": None}, actor="test")
    for name in (NETWORK_ARTIFACT, REACHABILITY_ARTIFACT):
        demo_store.delete_artifact(AREA, name, actor="test")
    response = _find(client, **JOBSEEKER, adresse="Lindenstraße 12")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Für dieses Gebiet gibt es kein Fußwegenetz" in page
    assert COACHING in _ids(_fits(page)) and "Min. zu Fuß" not in page


# -- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"target_groups": "gibtsnicht"}, "Zielgruppen: „gibtsnicht“ ist unbekannt."),
        ({"circuits": "sgb99"}, "Rechtskreis: „sgb99“ ist unbekannt."),
        ({"languages": "klingonisch"}, "Sprachen: „klingonisch“ ist unbekannt."),
        ({"topics": ["arbeit", "<b>x</b>"]}, "Anliegen: „&lt;b&gt;x&lt;/b&gt;“ ist unbekannt."),
        ({"employed": "vielleicht"}, "Arbeitsverhältnis: bitte ja, nein oder offen angeben."),
        ({"disability_recognised": "x"}, "Schwerbehinderung: bitte ja, nein oder offen angeben."),
        ({"age_years": "zwanzig"}, "Alter: bitte eine ganze Zahl von 0 bis 120 (Jahre) angeben."),
        ({"age_years": "121"}, "Alter: bitte eine ganze Zahl von 0 bis 120 (Jahre) angeben."),
        ({"age_years": "-4"}, "Alter: bitte eine ganze Zahl von 0 bis 120 (Jahre) angeben."),
        ({"adresse": "x" * 201}, "Bitte prüfen Sie die Eingabe"),
        ({"adresse": "Lindenstraße 12", "profil": "rennen"}, "Bitte prüfen Sie die Eingabe"),
    ],
)
def test_bad_values_get_a_german_400(client, form, message):
    response = _find(client, **form)
    assert response.status_code == 400
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert message in page
    assert '<ol class="offer-results">' not in page


def test_expired_form_is_refused_but_keeps_the_ticks(client):
    response = client.post(FINDER, data={**JOBSEEKER, "csrf_token": "abgelaufen"})
    assert response.status_code == 400
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "Formular abgelaufen" in page and '<ol class="offer-results">' not in page
    assert re.search(r'name="target_groups" value="schwerbehinderte"\s*checked', page)
    assert client.post(FINDER, data=JOBSEEKER).status_code == 400


# -- roles ------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["viewer", "caseworker", "lead", "admin"])
def test_every_logged_in_role_may_use_the_finder(app, role):
    client = login(app.test_client(), role)
    response = _find(client, **JOBSEEKER)
    assert response.status_code == 200
    assert COACHING in _ids(_fits(response.get_data(as_text=True)))


def test_anonymous_users_must_log_in(anon_client):
    assert anon_client.get(FINDER).status_code == 401


def test_generic_form_of_the_permission_test_is_answered(client, demo_store):
    props = demo_store.query(AREA, "addresses", district="r1")[0]["properties"]
    line = f"{props['street']} {props['housenumber']}"
    response = _find(
        client,
        lon="7.0",
        lat="51.4",
        category="beobachtung",
        text="Bank am Platz.",
        version="1",
        review_state="entwurf",
        district="r1",
        title="Rundgang",
        walk_on="2026-12-01",
        addresses=line,
        adresse=line,
        action="vorschlagen",
        Teamleitung="1",
        **{"text-0": "Aushang möglich."},
    )
    assert response.status_code == 200, response.get_data(as_text=True)


# -- the address guide -------------------------------------------------------------------------
def test_guide_lists_offers_nearby_and_region_wide_ones(client, demo_store):
    token = csrf_token(client, GUIDE)
    response = client.post(GUIDE, data={"csrf_token": token, "adresse": "Lindenstraße 12"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    section = _part(page, '<section class="guide-offers"', "</section>")
    assert "Hilfe-Angebote in der Nähe" in section
    expected = offers.nearby_offers(demo_store, AREA, _address(demo_store), today=settings.today())
    assert 1 <= len(expected) <= 5
    assert all(i["flags"]["handout"] for i in expected)
    rows = re.findall(r"<tr>(.*?)</tr>", _part(section, "<tbody>", "</tbody>"), re.S)
    assert len(rows) == len(expected)
    for row, item in zip(rows, expected, strict=True):
        props = item["offer"]["properties"]
        assert html.escape(props["name"]) in row
        assert f'href="/gebiete/{AREA}/angebote/{item["offer"]["id"]}"' in row
        shown = "unter 1" if item["walk_min"] < 1 else f"{item['walk_min']:.0f}"
        assert f"{shown} Min." in _text(row)
    assert "Bewerbungswerkstatt" not in section and "Sprachlotsen" not in section
    region = _text(_part(section, '<p class="region-offers">', "</p>"))
    assert "Weitere Angebote ohne festen Ort:" in region
    assert "Sozialberatung am Telefon (Telefon 01234 5678-00)" in region
    # inside the printed handout
    assert section in _part(page, '<article class="handout with-offers"', "</article>")


@both_backends
def test_guide_names_a_contact_for_offers_without_a_phone_and_a_german_data_date(
    client, demo_store
):
    """An offer reachable by e-mail only showed "Telefon: –" on the handout: the column is
    "Kontakt" with the phone, else the e-mail or web address. The data date is German."""
    nearby = offers.nearby_offers(demo_store, AREA, _address(demo_store), today=settings.today())
    feature = nearby[0]["offer"]
    props = {**feature["properties"], "phone": "", "email": "beratung@traeger.example"}
    demo_store.update(
        AREA,
        "offers",
        feature["id"],
        {**feature, "properties": props},
        expected_version=feature["properties"]["version"],
        actor="test",
    )
    token = csrf_token(client, GUIDE)
    page = client.post(GUIDE, data={"csrf_token": token, "adresse": "Lindenstraße 12"})
    section = _part(page.get_data(as_text=True), '<section class="guide-offers"', "</section>")
    assert "Kontakt" in _text(_part(section, "<thead>", "</thead>"))
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", section, re.S) if feature["id"] in r)
    assert "beratung@traeger.example" in row and "Telefon" not in row
    imported = demo_store.read_meta(AREA)["imported_at"][:10]
    day = ".".join(reversed(imported.split("-")))
    assert f"importiert am {day}" in page.get_data(as_text=True)  # German, not ISO
    assert f"Stand des Imports {day} ·" in client.get("/").get_data(as_text=True)


# -- handouts say where: the address, or the nearest one; opening hours and e-mail ------------
def _change_offer(demo_store, offer_id: str, **changes) -> dict:
    current = demo_store.get(AREA, "offers", offer_id)
    changed = {**current, "properties": {**current["properties"], **changes}}
    return demo_store.update(
        AREA,
        "offers",
        offer_id,
        changed,
        expected_version=current["properties"]["version"],
        actor="test",
    )


def _nearest_label(demo_store, offer: dict) -> str:
    from sozialraum.services import areas as services

    lon, lat = offer["geometry"]["coordinates"][:2]
    (nearest,) = services.address_points(demo_store, AREA).nearest(lon, lat, radius_m=150, limit=1)
    return f"nahe {nearest['street']} {nearest['housenumber']}"


@both_backends
def test_guide_offers_show_opening_hours_e_mail_and_the_nearest_address(client, demo_store):
    expected = offers.nearby_offers(demo_store, AREA, _address(demo_store), today=settings.today())
    offer = expected[0]["offer"]
    changed = _change_offer(
        demo_store,
        offer["id"],
        address="",
        opening_hours="Mo–Fr 9–12 Uhr",
        email="kontakt@traeger-beispiel.de",
    )
    token = csrf_token(client, GUIDE)
    page = client.post(GUIDE, data={"csrf_token": token, "adresse": "Lindenstraße 12"})
    section = _part(page.get_data(as_text=True), '<section class="guide-offers"', "</section>")
    (row,) = [
        r
        for r in re.findall(r"<tr>(.*?)</tr>", _part(section, "<tbody>", "</tbody>"), re.S)
        if f"/angebote/{offer['id']}" in r
    ]
    assert "Öffnungszeiten: Montag bis Freitag: 9:00 bis 12:00 Uhr" in _text(row)  # in words
    assert "kontakt@traeger-beispiel.de" in row
    assert html.escape(_nearest_label(demo_store, changed)) in row
    # with its own address, that one (no "nahe")
    _change_offer(demo_store, offer["id"], address="Lindenstraße 40, 45900 Musterstadt")
    page = client.post(GUIDE, data={"csrf_token": token, "adresse": "Lindenstraße 12"})
    section = _part(page.get_data(as_text=True), '<section class="guide-offers"', "</section>")
    assert "Lindenstraße 40, 45900 Musterstadt" in section
    assert html.escape(_nearest_label(demo_store, changed)) not in section


def test_finder_handout_names_the_nearest_address_of_an_offer_without_one(client, demo_store):
    changed = _change_offer(
        demo_store,
        COACHING,
        address="",
        opening_hours="Di und Do 14–17 Uhr",
        email="jobcoaching@traeger-beispiel.de",
    )
    page = _find(client, **JOBSEEKER).get_data(as_text=True)
    entry = _text(_part(_handout(page), f'data-offer="{COACHING}"', '<li class="handout-offer"'))
    assert f"Adresse: {_nearest_label(demo_store, changed)}" in entry
    assert "Öffnungszeiten: Dienstag und Donnerstag: 14:00 bis 17:00 Uhr" in entry
    assert "E-Mail: jobcoaching@traeger-beispiel.de" in entry
