"""The handout catalogs (issue 24): complete, no fuzzy entry, placeholders kept, the template
current with the templates and code, every vocabulary text a handout prints translated,
Leichte Sprache without abbreviations, and every character covered by the served fonts."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from sozialraum.analysis.walking import CUT_OFF_TEXTS
from sozialraum.handouts import LANGUAGES, HandoutText, messages, translations
from sozialraum.handouts.catalogs import DOMAIN, LOCALE_DIR, PLACEHOLDER, catalog_paths
from sozialraum.handouts.fonts import FONT_STACKS, fonts_folder
from sozialraum.handouts.opening_hours import DAY_NAMES
from sozialraum.model import offers as model
from sozialraum.model.categories import load_categories
from sozialraum.services.areas import GUIDE_CATEGORIES
from sozialraum.web.walking.pages import PROFILE_LABELS

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
CODES = list(LANGUAGES)


def _read(path: Path):
    with path.open("rb") as handle:
        return read_po(handle, locale=None)


def _ids(catalog) -> set[str]:
    return {m.id for m in catalog if m.id}


@pytest.mark.parametrize("code", CODES)
def test_every_catalog_is_complete_without_fuzzy_entries(code):
    po_path, _ = catalog_paths(LANGUAGES[code])
    catalog = _read(po_path)
    template = _ids(_read(TEMPLATE))
    assert _ids(catalog) == template  # nothing missing, nothing obsolete
    assert not [m.id for m in catalog if m.id and not m.string], "untranslated"
    assert not [m.id for m in catalog if m.id and m.fuzzy], "fuzzy"
    assert not list(catalog.obsolete)


@pytest.mark.parametrize("code", CODES)
def test_every_placeholder_of_the_german_text_is_in_the_translation(code):
    for message in _read(catalog_paths(LANGUAGES[code])[0]):
        if message.id:
            wanted = sorted(PLACEHOLDER.findall(message.id))
            assert sorted(PLACEHOLDER.findall(message.string)) == wanted, message.id
            # no stray braces that str.format would choke on
            assert message.string.count("{") == message.string.count("}") == len(wanted)


def test_the_german_catalog_says_what_the_source_says():
    for message in _read(catalog_paths(LANGUAGES["de"])[0]):
        if message.id:
            assert message.string == message.id


def test_translations_differ_from_the_german_source():
    """A catalog that copies German text is not a translation (names and symbols excepted)."""
    same_allowed = re.compile(r"^[{}\w\s:;,.()/-]*$")
    for code in ("en", "ar", "uk", "tr", "ru", "fa"):
        catalog = _read(catalog_paths(LANGUAGES[code])[0])
        copied = [
            m.id
            for m in catalog
            if m.id and m.string == m.id and not same_allowed.match(m.id.replace("Nr.", ""))
        ]
        words = [m.id for m in catalog if m.id and m.string == m.id and len(m.id.split()) > 2]
        assert copied == [] or all("{" in c for c in copied), (code, copied)
        assert words == [], (code, words)


def test_the_template_is_current(tmp_path):
    """`pybabel extract` over the templates and code finds exactly the template's messages."""
    out = tmp_path / "handout.pot"
    CommandLineInterface().run(
        [
            "pybabel", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "N_", "-k", "t",
            "-k", "both:2", "--no-location", "-o", str(out), str(ROOT),
        ]
    )  # fmt: skip
    assert _ids(_read(out)) == _ids(_read(TEMPLATE))


def test_every_vocabulary_text_on_a_handout_has_a_message():
    template = _ids(_read(TEMPLATE))
    table = load_categories()
    needed = {
        *(c.plain for c in model.CONDITIONS.values()),
        *model.LANGUAGES.values(),
        *(table[c].label for c in GUIDE_CATEGORIES),
        *CUT_OFF_TEXTS.values(),
        *DAY_NAMES,
        *messages.AGE_LIMITS.values(),
        *messages.PACES.values(),
    }
    assert needed - template == set()
    assert set(messages.PACES) == set(PROFILE_LABELS)


def test_compiled_catalogs_translate():
    assert translations("ar").gettext("Hilfe-Angebote für Sie") == "خدمات المساعدة لك"
    assert translations("de-LS").gettext("Nr.") == "Nummer"
    fa = HandoutText(LANGUAGES["fa"])
    assert fa.dir == "rtl" and fa.lang == "fa"
    assert str(fa("Wege zu Fuß ab {address}", address="<b>")) == "راه‌های پیاده از &lt;b&gt;"
    # a message the catalog does not know comes back in German
    assert HandoutText(LANGUAGES["en"]).text("Unbekannter Text") == "Unbekannter Text"


def test_compile_script_writes_mo_files_that_load(tmp_path):
    import shutil
    import subprocess
    import sys

    package = tmp_path / "sozialraum"
    shutil.copytree(LOCALE_DIR, package / "handouts" / "locale")
    for mo in (package / "handouts" / "locale").rglob("*.mo"):
        mo.unlink()
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "compile_catalogs.py"), str(package)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "8 compiled" in done.stdout
    from babel.support import Translations

    with (package / "handouts/locale/uk/LC_MESSAGES/handout.mo").open("rb") as handle:
        assert Translations(handle).gettext("Apotheke") == "Аптека"


# -- Leichte Sprache (Netzwerk Leichte Sprache: short sentences, no abbreviations) ----------
ABBREVIATIONS = re.compile(
    r"\b(z\. ?B\.|Nr\.|Min\.|km/h|ca\.|bzw\.|usw\.|ggf\.|d\. ?h\.|evtl\.|DGS|Kita|SGB|u\. ?a\.)"
)


def test_leichte_sprache_has_no_abbreviations_and_short_sentences():
    catalog = _read(catalog_paths(LANGUAGES["de-LS"])[0])
    for message in catalog:
        if not message.id:
            continue
        text = message.string
        assert not ABBREVIATIONS.search(text), text
        for sentence in re.split(r"[.:?!]\s", text):
            assert len(sentence.split()) <= 15, sentence


# -- glyphs: every character of every catalog string is in the served fonts ----------------
def _cmaps(files: tuple[str, ...]) -> list[set[int]]:
    from fontTools.ttLib import TTFont

    folder = fonts_folder(ROOT / "static")
    missing = [name for name in files if not (folder / name).exists()]
    assert not missing, f"fonts missing in static/fonts (make setup): {missing}"
    return [set(TTFont(folder / name).getBestCmap()) for name in files]


@pytest.mark.parametrize("code", CODES)
def test_every_character_of_the_catalog_is_in_the_served_fonts(code):
    language = LANGUAGES[code]
    catalog = _read(catalog_paths(language)[0])
    for stack in FONT_STACKS[language.direction]:  # regular and bold
        cmaps = _cmaps(stack)
        covered = set().union(*cmaps)
        for message in catalog:
            if not message.id:
                continue
            missing = {
                ch
                for ch in message.string
                if ord(ch) not in covered and unicodedata.category(ch) != "Cc"
            }
            assert not missing, (code, stack, message.string, sorted(missing))
        if language.rtl:  # the letters themselves from the Arabic font, not from a fallback
            letters = {
                ch
                for m in catalog
                if m.id
                for ch in m.string
                if "ARABIC" in unicodedata.name(ch, "")
            }
            assert letters and all(ord(ch) in cmaps[0] for ch in letters)


@pytest.mark.parametrize(
    ("code", "shown"),
    [
        ("de", ["850 m", "1,0 km", "3,0 km", "12,3 km"]),
        ("de-LS", ["850 Meter", "1,0 Kilometer", "3,0 Kilometer", "12,3 Kilometer"]),
        ("en", ["850 m", "1.0 km", "3.0 km", "12.3 km"]),
        ("ru", ["850 м", "1,0 км", "3,0 км", "12,3 км"]),
        ("ar", ["850 م", "1.0 كم", "3.0 كم", "12.3 كم"]),
    ],
)
def test_distances_are_metres_below_a_kilometre_and_kilometres_above(code, shown):
    """A handout says "3,0 km", not "3.000 m"; the number stays left to right."""
    text = HandoutText(LANGUAGES[code])
    said = [str(text.distance(metres)) for metres in (850, 999.6, 3000, 12345)]
    assert [re.sub(r"</?bdi[^>]*>", "", s) for s in said] == shown
    assert all('<bdi dir="ltr">' in s for s in said)
