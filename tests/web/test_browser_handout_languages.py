"""The handouts in every language in real headless Chromium, printed to PDF (issue 24).

Offers handout (finder) and Wegweiser, in each handout language alone and in two languages
side by side: one A4 page for six offers, the catalog's texts in the PDF's text layer,
right-to-left order for Arabic and Persian with numbers kept left to right, the fonts served
by the app itself, offers' own texts or the German ones with the marked note.
"""

from __future__ import annotations

import pytest
from support.browser import check, log_in, watch_console
from support.handouts import (
    FINDER,
    GUIDE,
    OWN_TEXTS,
    SIXTH,
    TRANSLATED,
    add_sixth_offer,
    comparable,
    give_own_texts,
    pdf_page_count,
    pdf_text,
    submit_finder,
    submit_guide,
    words,
)

from sozialraum import settings
from sozialraum.handouts import LANGUAGES, HandoutText

pytestmark = pytest.mark.browser

CODES = list(LANGUAGES)
#: Texts every offers handout prints (catalog message ids)
OFFER_TEXTS = (
    "Hilfe-Angebote für Sie",
    "Diese Stellen können Ihnen helfen. Rufen Sie am besten vorher an.",
)
GUIDE_TEXTS = ("Hilfe-Angebote in der Nähe", "Apotheke", "Supermarkt")
#: where the element's box starts and ends, its computed direction and font family
BOX = """(el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return { left: r.left, right: r.right, direction: s.direction, font: s.fontFamily }; }"""
FONTS_READY = "() => document.fonts.ready.then(() => document.fonts.status === 'loaded')"


@pytest.fixture
def six_offers(demo_store):
    add_sixth_offer(demo_store, settings.today())
    give_own_texts(demo_store)
    return demo_store


def _found_in_pdf(expected: str, text: str) -> bool:
    """The catalog text in the PDF text: as written, or (right to left) all its words."""
    if comparable(expected) in comparable(text):
        return True
    found = set(words(text))
    return all(word in found for word in words(expected))


def _print(page) -> bytes:
    page.emulate_media(media="print")
    page.wait_for_function(FONTS_READY)
    pdf = page.pdf(format="A4")
    page.emulate_media(media="screen")
    return pdf


@pytest.mark.parametrize("code", CODES)
def test_offers_handout_in_every_language_prints_one_page(s, live_server, six_offers, code):
    console = watch_console(s)
    page = s.page
    log_in(page, live_server)
    page.goto(f"{live_server}{FINDER}")
    submit_finder(page, code)
    handout = page.locator("article.offer-handout")
    assert handout.locator("li.handout-offer").count() == 6
    t = HandoutText(LANGUAGES[code])
    assert handout.get_attribute("lang") == t.lang and handout.get_attribute("dir") == t.dir
    assert handout.locator("#handout-title").inner_text() == t.text("Hilfe-Angebote für Sie")
    pdf = _print(page)
    assert pdf_page_count(pdf) == 1
    text = pdf_text(pdf)
    for message in OFFER_TEXTS:
        assert _found_in_pdf(t.text(message), text), (code, message)
    # the offer with its own text shows it; the others are German with the note in the language
    own = handout.locator(f'li[data-offer="{TRANSLATED}"] .offer-lang')
    suffix = {"de-LS": "de_ls"}.get(code, code)
    if f"name_{suffix}" in OWN_TEXTS:
        assert own.locator("h2").inner_text() == OWN_TEXTS[f"name_{suffix}"]
        assert own.locator(".german-only").count() == 0
        assert _found_in_pdf(OWN_TEXTS[f"name_{suffix}"], text)
    sixth = handout.locator("li.handout-offer", has_text=SIXTH).locator(".offer-lang")
    assert sixth.locator("h2").inner_text() == SIXTH
    if code == "de":
        assert sixth.locator(".german-only").count() == 0
    else:
        assert sixth.locator("h2").get_attribute("lang") == "de"
        assert sixth.locator(".german-only").inner_text() == t.text("Nur auf Deutsch verfügbar")
        assert _found_in_pdf(t.text("Nur auf Deutsch verfügbar"), text)
    # opening hours in words in the language (the sixth offer's tag is OSM syntax)
    hours = sixth.locator(".offer-hours").inner_text()
    assert t.text("Montag") in hours and "09:00" not in hours and "Mo-Fr" not in hours
    assert "9:00" in hours and "14:00" in hours
    # the fonts come from the app (no font host: the session checks foreign requests)
    fonts = [url for url in s.requests if "/static/fonts/" in url]
    wanted = "NotoNaskhArabic-Regular.ttf" if t.dir == "rtl" else "NotoSans-Regular.ttf"
    assert any(url.endswith(wanted) for url in fonts), fonts
    check(s, console)


@pytest.mark.parametrize("code", CODES)
def test_wegweiser_in_every_language_prints_one_page(s, live_server, six_offers, code):
    console = watch_console(s)
    page = s.page
    log_in(page, live_server)
    page.goto(f"{live_server}{GUIDE}")
    submit_guide(page, code)
    t = HandoutText(LANGUAGES[code])
    handout = page.locator("article.handout")
    assert handout.get_attribute("dir") == t.dir
    assert handout.locator("table.guide-table th[scope=row]").first.inner_text() == t.text(
        "Apotheke"
    )
    pdf = _print(page)
    assert pdf_page_count(pdf) == 1
    text = pdf_text(pdf)
    for message in GUIDE_TEXTS:
        assert _found_in_pdf(t.text(message), text), (code, message)
    assert "Lindenstraße" in text and "12" in text
    check(s, console)


def _rtl_checks(page, handout, code: str) -> None:
    """Right to left: the article and its texts run from the right; numbers stay left to right."""
    assert handout.evaluate(BOX)["direction"] == "rtl"
    title = handout.locator("#handout-title .lt")
    first, second = title.nth(0).evaluate(BOX), title.nth(1).evaluate(BOX)
    assert first["direction"] == "rtl" and second["direction"] == "ltr"
    assert first["left"] > second["left"]  # the first language at the start: on the right
    assert "Handout Arabic" in first["font"]
    numbers = handout.locator('bdi[dir="ltr"]')
    assert numbers.count() >= 3
    assert all(numbers.nth(i).evaluate(BOX)["direction"] == "ltr" for i in range(3))


@pytest.mark.parametrize("code", ["ar", "fa"])
def test_two_language_handouts_side_by_side_right_to_left(s, live_server, six_offers, code):
    console = watch_console(s)
    page = s.page
    log_in(page, live_server)
    t, de = HandoutText(LANGUAGES[code]), HandoutText(LANGUAGES["de"])
    page.goto(f"{live_server}{FINDER}")
    submit_finder(page, code, "de")
    handout = page.locator("article.offer-handout")
    assert handout.get_attribute("data-languages") == f"{code} de"
    _rtl_checks(page, handout, code)
    # each offer: the language's column on the right, German on the left, both with the offer
    columns = handout.locator(f'li[data-offer="{TRANSLATED}"] .offer-lang')
    right, left = columns.nth(0).evaluate(BOX), columns.nth(1).evaluate(BOX)
    assert right["left"] > left["right"] - 1
    # the phone number reads left to right inside the right-to-left text
    phone = handout.locator("li.handout-offer p.contact bdi[dir=ltr]").first
    assert phone.evaluate(BOX)["direction"] == "ltr"
    pdf = _print(page)
    assert pdf_page_count(pdf) == 1
    text = pdf_text(pdf)
    for message in OFFER_TEXTS:
        assert _found_in_pdf(t.text(message), text) and _found_in_pdf(de.text(message), text)

    page.goto(f"{live_server}{GUIDE}")
    submit_guide(page, code, "de")
    handout = page.locator("article.handout")
    _rtl_checks(page, handout, code)
    cells = handout.locator("table.guide-table tr").nth(1).locator("td, th")
    # mirrored table: the number column is the rightmost
    assert cells.nth(0).evaluate(BOX)["left"] > cells.nth(1).evaluate(BOX)["left"]
    pdf = _print(page)
    assert pdf_page_count(pdf) == 1
    text = pdf_text(pdf)
    for message in GUIDE_TEXTS:
        assert _found_in_pdf(t.text(message), text) and _found_in_pdf(de.text(message), text)
    check(s, console)


def test_english_beside_leichte_sprache_and_an_unknown_language(s, live_server, six_offers):
    console = watch_console(s)
    page = s.page
    log_in(page, live_server)
    page.goto(f"{live_server}{FINDER}")
    submit_finder(page, "de-LS", "en")
    handout = page.locator("article.offer-handout")
    assert handout.get_attribute("dir") == "ltr"
    title = handout.locator("#handout-title .lt")
    assert title.nth(0).evaluate(BOX)["left"] < title.nth(1).evaluate(BOX)["left"]
    pdf = _print(page)
    assert pdf_page_count(pdf) == 1
    text = pdf_text(pdf)
    assert _found_in_pdf(OWN_TEXTS["name_de_ls"], text) and _found_in_pdf(
        OWN_TEXTS["name_en"], text
    )
    # the choice is not kept: a new form is German again
    page.goto(f"{live_server}{FINDER}")
    assert page.locator("#sprache").input_value() == "de"
    assert page.locator("#sprache2").input_value() == ""
    check(s, console)
