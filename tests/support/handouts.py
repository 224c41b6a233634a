"""Handout languages in tests and benchmarks: a finder situation with six offers on the
handout, offers' own texts per language, submitting the forms and reading printed PDFs."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date

from sozialraum.demo.area import DEMO_AREA
from sozialraum.model import offers as model

FINDER = f"/gebiete/{DEMO_AREA}/angebote/finden"
GUIDE = f"/gebiete/{DEMO_AREA}/wegweiser"
#: The finder's ticks (German labels) that put five demo offers on the handout; with
#: :func:`add_sixth_offer` six.
TARGET_GROUPS = (
    "schwerbehinderte Menschen",
    "Jugendliche und junge Erwachsene",
    "Alleinerziehende",
)
ADDRESS = "Lindenstraße 12"
#: The offer that has its own Arabic, English and Leichte-Sprache texts (the others fall back).
TRANSLATED = "demo-schuldnerberatung"
OWN_TEXTS = {
    "name_ar": "استشارة الديون",
    "description_ar": "استشارة مجانية وسرية إذا كانت لديك ديون أو فواتير لا تستطيع دفعها.",
    "name_en": "Debt counselling",
    "description_en": "Free and confidential advice if you have debts or bills you cannot pay.",
    "name_de_ls": "Beratung bei Schulden",
    "description_de_ls": "Sie haben Schulden? Sie können Rechnungen nicht bezahlen? "
    "Wir beraten Sie. Die Beratung kostet nichts.",
}
SIXTH = "Beratung für Zugewanderte"


def add_sixth_offer(store, today: date) -> dict:
    """A checked offer open to everyone, so that the handout holds six offers.

    Placed a few metres from :data:`TRANSLATED` (inside the demo area, on the walk network).
    """
    lon, lat = store.get(DEMO_AREA, "offers", TRANSLATED)["geometry"]["coordinates"][:2]
    checked = model.check_offer_input(
        {
            "name": SIXTH,
            "provider": "Migrationsdienst Musterstadt",
            "funders": ["kommune"],
            "description": "Beratung zu Aufenthalt, Sprachkursen, Wohnung und Arbeit.",
            "phone": "01234 5678-77",
            "opening_hours": "Mo-Fr 09:00-12:00; Th 14:00-17:00; PH off",
            "languages": ["de", "ar", "fa", "uk"],
            "lon": lon + 0.0004,
            "lat": lat,
            "checked_on": today.isoformat(),
            "checked_by": "teamleitung",
        },
        today,
    )
    return store.add(DEMO_AREA, "offers", checked.feature(), actor="test")


def give_own_texts(store, offer_id: str = TRANSLATED, **texts) -> dict:
    """Store texts in other languages for an offer (default: :data:`OWN_TEXTS`)."""
    feature = store.get(DEMO_AREA, "offers", offer_id)
    props = {**feature["properties"], **(texts or OWN_TEXTS)}
    return store.update(
        DEMO_AREA,
        "offers",
        offer_id,
        {**feature, "properties": props},
        expected_version=feature["properties"]["version"],
        actor="test",
    )


def choose_languages(page, first: str, second: str = "") -> None:
    """Pick the handout's language(s) on the finder's or the Wegweiser's form."""
    page.select_option("#sprache", first)
    page.select_option("#sprache2", second)


def submit_finder(page, first: str, second: str = "") -> None:
    """Tick :data:`TARGET_GROUPS`, give :data:`ADDRESS`, pick the languages and send."""
    group = page.get_by_role("group", name="Zielgruppen")
    for label in TARGET_GROUPS:
        group.get_by_label(label, exact=True).check()
    page.get_by_role("group", name="In Arbeit?").get_by_label("nein", exact=True).check()
    question = "Schwerbehinderung anerkannt (GdB ab 50) oder gleichgestellt?"
    page.get_by_role("group", name=question).get_by_label("ja", exact=True).check()
    page.fill("#adresse", ADDRESS)
    choose_languages(page, first, second)
    with page.expect_navigation():
        page.get_by_role("button", name="Angebote finden").click()


def submit_guide(page, first: str, second: str = "") -> None:
    """Give :data:`ADDRESS` to the Wegweiser with the languages and send."""
    page.fill("#adresse", ADDRESS)
    choose_languages(page, first, second)
    with page.expect_navigation():
        page.get_by_role("button", name="Wege anzeigen").click()


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF (pypdf), one string for all pages."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def pdf_page_count(pdf: bytes) -> int:
    """Pages of a PDF (pypdf)."""
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


_MARKS = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\u0640]")


def comparable(text: str) -> str:
    """Text for comparing a PDF's extracted text with a catalog's: Arabic presentation forms
    folded (NFKC), direction marks and tatweel dropped, no whitespace (a PDF's text layer puts
    spaces and line breaks where the layout broke the line)."""
    text = _MARKS.sub("", unicodedata.normalize("NFKC", text))
    return re.sub(r"\s+", "", text)


def words(text: str) -> list[str]:
    """The words of a text (letters only), for order-free checks of right-to-left PDF text."""
    return [w for w in re.findall(r"\w+", unicodedata.normalize("NFKC", text)) if not w.isdigit()]
