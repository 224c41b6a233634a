"""The citizen's handouts in their language: languages, gettext catalogs, opening hours in words.

The handouts (offers finder, Wegweiser) print in one or two languages that the caseworker picks
for this print only; the pages around them stay German. Fixed texts come from the gettext
catalogs in ``locale/`` (domain ``handout``, German source texts as message ids), offers'
own texts from their per-language fields, falling back to German with a marked note.
No Flask here (templates get :class:`~sozialraum.handouts.catalogs.HandoutText` objects).
"""

from sozialraum.handouts.catalogs import HandoutText, handout_texts, translations
from sozialraum.handouts.languages import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    Language,
    chosen_languages,
)
from sozialraum.handouts.offer_texts import OfferText, offer_text

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "HandoutText",
    "Language",
    "OfferText",
    "chosen_languages",
    "handout_texts",
    "offer_text",
    "translations",
]
