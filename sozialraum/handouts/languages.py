"""The handout languages: codes, names, writing direction and catalog folder."""

from __future__ import annotations

from dataclasses import dataclass

from sozialraum.errors import InvalidInput


@dataclass(frozen=True)
class Language:
    """A language handouts can print in.

    Attributes
    ----------
    code : str
        The choice's value (form field / query argument), e.g. ``"ar"``, ``"de-LS"``.
    label : str
        German name for the (German) page's language choice.
    native : str
        The language's own name.
    direction : str
        ``"ltr"`` or ``"rtl"``.
    catalog : str
        The catalog folder under ``locale/`` (``de_LS``: Leichte Sprache, no CLDR locale).
    html_lang : str
        The HTML ``lang`` attribute (Leichte Sprache is German: ``de``).
    """

    code: str
    label: str
    native: str
    direction: str = "ltr"
    catalog: str = ""
    html_lang: str = ""

    @property
    def rtl(self) -> bool:
        """Whether the language is written right to left."""
        return self.direction == "rtl"


def _language(code, label, native, direction="ltr", catalog="", html_lang=""):
    return Language(code, label, native, direction, catalog or code, html_lang or code)


#: The handout languages in the order of the choice: code → :class:`Language`.
LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        _language("de", "Deutsch", "Deutsch"),
        _language("de-LS", "Leichte Sprache", "Leichte Sprache", catalog="de_LS", html_lang="de"),
        _language("en", "Englisch", "English"),
        _language("ar", "Arabisch", "العربية", "rtl"),
        _language("uk", "Ukrainisch", "Українська"),
        _language("tr", "Türkisch", "Türkçe"),
        _language("ru", "Russisch", "Русский"),
        _language("fa", "Persisch (Farsi)", "فارسی", "rtl"),
    )
}
DEFAULT_LANGUAGE = "de"


def chosen_languages(first: str | None, second: str | None = None) -> tuple[Language, ...]:
    """The one or two languages a handout prints in, from the form's choice.

    Parameters
    ----------
    first : str or None
        The first language's code; empty: German.
    second : str or None
        An optional second language printed beside the first; empty or the same as the first:
        none.

    Returns
    -------
    tuple of Language
        One or two languages, the first one first.

    Raises
    ------
    InvalidInput
        For an unknown code (German message).
    """
    codes = [first or DEFAULT_LANGUAGE]
    if second and second != codes[0]:
        codes.append(second)
    unknown = [c for c in codes if c not in LANGUAGES]
    if unknown:
        raise InvalidInput("Diese Sprache gibt es für den Handzettel nicht.")
    return tuple(LANGUAGES[c] for c in codes)
