"""Loading the handout catalogs and the text object the handout templates use.

The catalogs are ``locale/<catalog>/LC_MESSAGES/handout.po`` (German source texts as message
ids, ``{name}`` placeholders). ``make setup`` and the wheel build compile them to ``.mo``
(``scripts/compile_catalogs.py``); a checkout without a current ``.mo`` reads the ``.po``
directly, so a changed catalog is never shadowed by an old compiled one.
"""

from __future__ import annotations

import io
import math
import re
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations
from markupsafe import Markup, escape

from sozialraum.handouts.languages import LANGUAGES, Language

#: The catalogs' folder and gettext domain.
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "handout"
#: A ``{name}`` placeholder in a message.
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def catalog_paths(language: Language) -> tuple[Path, Path]:
    """The ``.po`` and ``.mo`` file of a language's catalog."""
    folder = LOCALE_DIR / language.catalog / "LC_MESSAGES"
    return folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"


def compile_catalog(po_path: Path) -> bytes:
    """A ``.po`` file compiled to ``.mo`` bytes (fuzzy entries left out, as gettext does)."""
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=None, domain=DOMAIN)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


@cache
def translations(code: str) -> Translations:
    """The gettext translations of a handout language (``.mo`` if current, else the ``.po``).

    Raises
    ------
    KeyError
        For an unknown language code.
    FileNotFoundError
        When the language has no catalog.
    """
    po_path, mo_path = catalog_paths(LANGUAGES[code])
    if mo_path.exists() and (
        not po_path.exists() or mo_path.stat().st_mtime >= po_path.stat().st_mtime
    ):
        data = mo_path.read_bytes()
    else:
        data = compile_catalog(po_path)
    return Translations(fp=io.BytesIO(data), domain=DOMAIN)


def ltr(value: object, *, nowrap: bool = False) -> Markup:
    """A number, phone number, address, time or e-mail kept left to right in any language.

    ``<bdi dir="ltr">``: isolated from the surrounding (possibly right-to-left) text; the
    value is escaped. ``nowrap``: never broken across lines (phone numbers).
    """
    if nowrap:
        return Markup('<bdi dir="ltr" class="nowrap">{}</bdi>').format(value)
    return Markup('<bdi dir="ltr">{}</bdi>').format(value)


class HandoutText:
    """The fixed texts of a handout in one language (what templates call ``t``).

    ``t("Hilfe-Angebote für Sie")`` is the text in the language; ``t("… {minutes} …",
    minutes=ltr(5))`` fills placeholders (values escaped unless they are markup, e.g. from
    :func:`ltr`). Texts missing from the catalog come back in German.
    """

    def __init__(self, language: Language):
        self.language = language
        self._translations = translations(language.code)
        self._locale = "de" if language.code == "de-LS" else language.code

    @property
    def lang(self) -> str:
        """The HTML ``lang`` attribute."""
        return self.language.html_lang

    @property
    def dir(self) -> str:
        """The HTML ``dir`` attribute (``ltr``/``rtl``)."""
        return self.language.direction

    @property
    def code(self) -> str:
        """The language's code (``de-LS`` for Leichte Sprache)."""
        return self.language.code

    def text(self, message: str, **values: object) -> str:
        """The message as plain text, placeholders filled with ``str(value)``."""
        translated = self._translations.gettext(message)
        return translated.format(**values) if values else translated

    def __call__(self, message: str, **values: object) -> Markup:
        """The message as markup (escaped), placeholders filled with escaped values."""
        translated = self._translations.gettext(message)
        if not values:
            return Markup(escape(translated))
        return Markup(escape(translated)).format(**values)

    def join(self, parts: list) -> Markup:
        """Parts joined in the language: ``a, b und c`` (``""`` for none)."""
        parts = list(parts)
        if not parts:
            return Markup("")
        joined = parts[0]
        for part in parts[1:-1]:
            joined = self("{first}, {second}", first=joined, second=part)
        if len(parts) > 1:
            joined = self("{first} und {second}", first=joined, second=parts[-1])
        return Markup(escape(joined))

    def number(self, value: float) -> str:
        """An integer with the language's grouping, always in Latin digits (``1.234``)."""
        return format_decimal(round(value), locale=self._locale, group_separator=True)

    def minutes(self, minutes: float) -> Markup:
        """Walking minutes: ``5 Min.`` or ``unter 1 Min.`` in the language."""
        if minutes < 1:
            return self("unter 1 Min.")
        return self("{minutes} Min.", minutes=ltr(f"{minutes:.0f}"))

    def metres(self, metres: float) -> Markup:
        """A distance in metres (``350 m``), left to right."""
        return self("{metres} m", metres=ltr(self.number(metres)))

    def distance(self, metres: float) -> Markup:
        """A distance for people: ``350 m`` below 1 km, else ``3,0 km`` (one decimal).

        The number in the language's format (Latin digits, left to right), the unit in the
        language; rounded as the Jinja filter ``entfernung`` rounds
        (:func:`sozialraum.web.formats.german_distance`).
        """
        whole = math.floor(float(metres) + 0.5)
        if whole < 1000:
            return self.metres(whole)
        tenths = Decimal((whole + 50) // 100) / 10
        km = format_decimal(tenths, format="#,##0.0", locale=self._locale)
        return self("{km} km", km=ltr(km))

    def day(self, value: date | str) -> Markup:
        """A date as ``dd.mm.yyyy`` (digits, left to right)."""
        if isinstance(value, str):
            value = date.fromisoformat(value[:10])
        return ltr(value.strftime("%d.%m.%Y"))


def handout_texts(languages: tuple[Language, ...]) -> list[HandoutText]:
    """One :class:`HandoutText` per chosen language."""
    return [HandoutText(language) for language in languages]
